/**
 * `npm run bench`: runs every `bench/*.bench.ts` one after another, each in its own process so
 * one benchmark's heap and JIT state never colour the next. Pass names to run a subset:
 * `npm run bench -- http-route`. `--short` sets BENCH_SHORT=1 for them: the short run CI prints
 * (`npm run bench:ci`, http-route's header says what it shortens). The exit status is non-zero
 * only when a benchmark itself fails (crashes, or a server it starts does); what a benchmark
 * measures never fails the run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const short = args.includes('--short');
const wanted = args.filter((arg) => arg !== '--short');
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n### ${file}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', join(here, file)], {
    stdio: 'inherit',
    env: short ? { ...process.env, BENCH_SHORT: '1' } : process.env,
  });
  if (run.status !== 0) failed += 1;
}
if (files.length === 0) console.log('no benchmark matched', wanted.join(' '));
process.exit(failed === 0 ? 0 : 1);
