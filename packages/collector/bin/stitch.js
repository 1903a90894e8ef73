#!/usr/bin/env node
// `stitch`: runs the TypeScript CLI (src/cli/main.ts) through tsx with the `source` export
// condition, so a checkout works without a build step. One extra process; signals reach both
// (same process group), and the child's exit code is passed on.
import { spawn } from 'node:child_process';
import process from 'node:process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const child = spawn(
  process.execPath,
  ['--conditions=source', '--import', tsx, join(here, '..', 'src', 'cli', 'main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
