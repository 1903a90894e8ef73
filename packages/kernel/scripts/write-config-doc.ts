/**
 * Regenerates the key and environment-variable tables of docs/configuration.md from the config
 * schema and the env mapping: `npx tsx --conditions=source packages/kernel/scripts/write-config-doc.ts`.
 * `config-reference.test.ts` fails until it is run after a section gains a key or a variable.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ENV_REFERENCE_END,
  ENV_REFERENCE_START,
  REFERENCE_END,
  REFERENCE_START,
  renderConfigReference,
  renderEnvReference,
  replaceBlock,
} from '../src/setup/config/config-reference.js';

const docPath = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/configuration.md');
let doc = readFileSync(docPath, 'utf8');
doc = replaceBlock(doc, REFERENCE_START, REFERENCE_END, renderConfigReference());
doc = replaceBlock(doc, ENV_REFERENCE_START, ENV_REFERENCE_END, renderEnvReference());
writeFileSync(docPath, doc);
console.log(`updated ${docPath}`);
