/**
 * `stitch` start-up: wall time of one CLI call as a user makes it (`node bin/stitch.js …`, a
 * fresh process each time), side by side in one run:
 *
 *   node -e ""            bare node start-up, the floor every variant pays
 *   --help, --version     no network, no store: only the CLI's own modules
 *   slow, queries, webhooks, job, request, errors (and --grep), retries, violations, trace,
 *   logs, status, slow --json
 *                         every question command, each against a real collector on 127.0.0.1
 *
 * Method. The collector runs in this process (port 0, DuckDB file in a temp dir, one seeded
 * tenant, an admin token passed as STITCH_URL/STITCH_TOKEN); the children are spawned
 * asynchronously so this process keeps answering them. dist/ is rebuilt first (incremental)
 * so the binary measured is the one built from the current sources. After one discarded
 * warm-up round (disk cache), ROUNDS rounds run every variant once, in an order rotated each
 * round so no variant always follows the same one. Prints median and p90 wall ms per variant,
 * the ratio to bare node and whether the median is within the 300 ms budget (issue 11), and the
 * median CPU ms of the child (user + system, reported by a one-line preload at exit), which
 * moves less than wall time when other work shares the two cores. Wall
 * time includes the collector's answer (12–131 ms in the API bench on the big store; a few ms
 * on this small one). Sized for two cores: ROUNDS × 16 variants ≈ 180 short processes.
 *
 * Run: `npm run bench -- cli-startup` (env BENCH_ROUNDS, default 11).
 */
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedTenant } from '../packages/collector/src/internal/seed-scenario.js';
import { startTestCollector } from '../packages/collector/src/internal/test-collector.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const BUDGET_MILLIS = 300;
const TENANT = '11111111-1111-4111-8111-111111111111';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages', 'collector', 'bin', 'stitch.js');

const build = spawnSync('npm', ['run', '--silent', 'build:stitch'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build:stitch failed');

// Writes the child's own CPU time (whole process, bootstrap included) to stderr as it exits.
const REPORT_CPU = `data:text/javascript,${encodeURIComponent(
  `import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(2, '\\ncpu-micros:' + (u.user + u.system) + '\\n'); });`,
)}`;

interface Sample {
  wallMillis: number;
  cpuMillis: number;
}

/** Runs one child to its end; resolves with its wall and CPU time, rejects on a non-zero exit. */
function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', REPORT_CPU, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMillis = performance.now() - started;
      const cpu = /cpu-micros:(\d+)/.exec(stderr);
      if (code === 0 && cpu) resolve({ wallMillis, cpuMillis: Number(cpu[1]) / 1000 });
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};

const collector = await startTestCollector({ retention: { checkIntervalSeconds: 3600 } });
try {
  const scenario = await seedTenant(collector.url, TENANT, 'bench');
  const env = { ...process.env, STITCH_URL: collector.url, STITCH_TOKEN: collector.token('admin') };
  // Every command that asks the collector, as the README's question table types it.
  const variants: Record<string, string[]> = {
    'node -e ""': ['-e', ''],
    '--help': [bin, '--help'],
    '--version': [bin, '--version'],
    'slow --tenant': [bin, 'slow', '--tenant', TENANT],
    'queries --top': [bin, 'queries', '--top'],
    'webhooks --retries': [bin, 'webhooks', '--retries'],
    'job --origin': [bin, 'job', scenario.runId, '--origin'],
    'request --jobs': [bin, 'request', scenario.requestTraceId, '--jobs'],
    errors: [bin, 'errors'],
    'errors --grep': [bin, 'errors', '--grep', 'payment failed'],
    retries: [bin, 'retries'],
    violations: [bin, 'violations'],
    trace: [bin, 'trace', scenario.requestTraceId],
    logs: [bin, 'logs', '--tenant', TENANT],
    status: [bin, 'status'],
    'slow --json': [bin, 'slow', '--tenant', TENANT, '--json'],
  };
  const names = Object.keys(variants);
  const results: Record<string, Sample[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) await timeRun(variants[name]!, env); // warm-up, discarded
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      results[name]!.push(await timeRun(variants[name]!, env));
    }
  }
  const wall = (name: string): number[] => results[name]!.map((s) => s.wallMillis);
  const base = quantile(wall(names[0]!), 0.5);
  console.log(`stitch CLI start-up, ms per call, ${ROUNDS} runs each, node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log(`${'variant'.padEnd(20)} ${'wall median'.padStart(11)} ${'wall p90'.padStart(8)}  ratio  ${'cpu median'.padStart(10)}  budget ${BUDGET_MILLIS} ms`);
  for (const name of names) {
    const median = quantile(wall(name), 0.5);
    const p90 = quantile(wall(name), 0.9);
    const cpu = quantile(results[name]!.map((s) => s.cpuMillis), 0.5);
    const verdict = name === names[0] ? '' : median <= BUDGET_MILLIS ? 'ok' : 'OVER';
    console.log(
      `${name.padEnd(20)} ${median.toFixed(0).padStart(11)} ${p90.toFixed(0).padStart(8)}  x${(median / base).toFixed(2)}  ${cpu.toFixed(0).padStart(10)}  ${verdict}`,
    );
  }
} finally {
  await collector.stop();
}
