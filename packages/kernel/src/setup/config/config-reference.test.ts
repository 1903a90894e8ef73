import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_REFERENCE_END, ENV_REFERENCE_START, REFERENCE_END, REFERENCE_START, listConfigKeys, renderConfigReference, renderEnvReference } from './config-reference.js';
import { CONFIG_FILE_ENV, ENV_MAPPING } from './env-mapping.js';
import { objectShape } from '../../core/options/schema-shape.js';
import { StitchConfigSchema } from './stitch-config.js';

const here = dirname(fileURLToPath(import.meta.url));
const doc = readFileSync(join(here, '../../../../../docs/configuration.md'), 'utf8');
const REGENERATE = 'docs/configuration.md is stale: run `npx tsx --conditions=source packages/kernel/scripts/write-config-doc.ts`';

function block(start: string, end: string): string {
  return doc.slice(doc.indexOf(start), doc.indexOf(end) + end.length);
}

describe('configuration reference', () => {
  it('docs/configuration.md lists every key with its default, and every mapped env var', () => {
    expect(block(REFERENCE_START, REFERENCE_END), REGENERATE).toBe(renderConfigReference());
    expect(block(ENV_REFERENCE_START, ENV_REFERENCE_END), REGENERATE).toBe(renderEnvReference());
    for (const row of ENV_MAPPING) expect(doc).toContain(`\`${row.name}\``);
    for (const key of listConfigKeys()) expect(doc).toContain(`\`${key.path}\``);
    expect(doc).toContain(CONFIG_FILE_ENV);
  });

  it('every env var maps to a key that exists in the config schema', () => {
    for (const row of ENV_MAPPING) {
      let schema = StitchConfigSchema as Parameters<typeof objectShape>[0] | undefined;
      for (const key of row.path.split('.')) schema = schema === undefined ? undefined : objectShape(schema)?.[key];
      expect(schema, `${row.name} → ${row.path}`).toBeDefined();
    }
  });

  it('the loader is the only reader of the environment: no other kernel module reads process.env', () => {
    const src = join(here, '../..');
    // strict-mode.ts's fallback (a process that never loads a config) reads STITCH_STRICT and
    // NODE_ENV itself, through the same rule the loader's row documents.
    const allowed = new Set(['setup/config/load-config.ts', 'setup/config/strict-mode.ts']);
    const readers = (readdirSync(src, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .filter((file) => readFileSync(join(src, file), 'utf8').split('\n').some((line) => !/^\s*(\/?\*|\/\/)/.test(line) && line.includes('process.env')));
    expect(readers.filter((file) => !allowed.has(file))).toEqual([]);
  });

});
