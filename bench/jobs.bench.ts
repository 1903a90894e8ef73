/**
 * Job enqueue→run latency on BullMQ (real Redis, 127.0.0.1:6379), side by side in one run:
 *
 *   bullmq              bare BullMQ: Queue.add() → Worker processor, no Stitch
 *   stitch-no-context   Stitch jobs over BullMQ, enqueued outside any request (run-derived trace)
 *   stitch-propagated   Stitch jobs over BullMQ, enqueued inside a request: the envelope carries
 *                       traceparent/tenant/request id and the worker rehydrates it
 *
 * Method. Kernel enabled with an in-memory run store and spans recorded but exported nowhere
 * (tail sampler and budgets in the pipeline, as in a service). One job in flight at a time:
 * latency is from just before enqueue to the first line of the handler. Each round runs JOBS
 * jobs per variant, variants in an order rotated each round, after a warm-up. Prints the median
 * and p95 per variant and the ratio of medians to bare BullMQ.
 *
 * Run: `npm run bench -- jobs` (env BENCH_ROUNDS, BENCH_JOBS).
 */
import { Queue, Worker } from 'bullmq';
import { runInNewContext } from '../packages/kernel/src/core/context/context-store.js';
import { bullmqJobEngine } from '../packages/kernel/src/hops/jobs/bullmq/index.js';
import { createJobs } from '../packages/kernel/src/hops/jobs/jobs.js';
import { createMemoryRunStore } from '../packages/kernel/src/hops/jobs/memory-run-store.js';
import { startStitch } from '../packages/kernel/src/setup/start-stitch.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const JOBS = Number(process.env.BENCH_JOBS ?? 200);
const connection = { host: '127.0.0.1', port: 6379 };
const prefix = `stitch-bench-${process.pid}`;
const TENANT = '11111111-1111-4111-8111-111111111111';

const stitch = startStitch({ serviceName: 'jobs-bench', tracing: { export: { exporter: 'none' } } });

// Each variant: `once()` enqueues one job and resolves with the latency when its handler starts.
interface Variant {
  readonly name: string;
  once(): Promise<number>;
  close(): Promise<void>;
}

let signal: ((at: number) => void) | undefined;
const started = () => new Promise<number>((resolve) => (signal = resolve));
const handlerRan = () => signal?.(performance.now());

async function bareBullmq(): Promise<Variant> {
  const queue = new Queue('bench-bare', { connection, prefix });
  const worker = new Worker('bench-bare', async () => handlerRan(), { connection, prefix });
  await worker.waitUntilReady();
  return {
    name: 'bullmq',
    async once() {
      const ran = started();
      const t0 = performance.now();
      await queue.add('bench', { n: 1 }, { removeOnComplete: true });
      return (await ran) - t0;
    },
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

async function stitchJobs(name: string, inRequest: boolean): Promise<Variant> {
  const engine = bullmqJobEngine({ connection, prefix, keepCompleted: 0 });
  const jobs = createJobs({ engine, runs: createMemoryRunStore({ maxRuns: 1_000 }) });
  const jobName = `bench-${name}`;
  await jobs.worker(jobName, async () => handlerRan());
  return {
    name,
    async once() {
      const ran = started();
      const t0 = performance.now();
      if (inRequest) await runInNewContext({ name: 'POST /bench', tenantId: TENANT }, () => jobs.enqueue(jobName, { n: 1 }));
      else await jobs.enqueue(jobName, { n: 1 }, { tenantId: TENANT });
      return (await ran) - t0;
    },
    async close() {
      await jobs.close();
      const queue = new Queue(jobName, { connection, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;

async function main(): Promise<void> {
  const variants = [await bareBullmq(), await stitchJobs('stitch-no-context', false), await stitchJobs('stitch-propagated', true)];
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (const v of variants) for (let i = 0; i < 300; i += 1) await v.once(); // warm-up: JIT, connections, Lua scripts (50 was not enough to settle)
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
    for (const v of order) for (let i = 0; i < JOBS; i += 1) samples.get(v.name)?.push(await v.once());
  }
  const base = quantile(samples.get('bullmq') ?? [], 0.5);
  console.log(`jobs: enqueue→handler latency on BullMQ, ${ROUNDS} rounds × ${JOBS} jobs per variant, one in flight\n`);
  console.log('variant              median ms   p95 ms   ratio (median vs bullmq)');
  for (const v of variants) {
    const xs = samples.get(v.name) ?? [];
    const med = quantile(xs, 0.5);
    console.log(`${v.name.padEnd(20)} ${med.toFixed(3).padStart(9)} ${quantile(xs, 0.95).toFixed(3).padStart(8)}   ${(med / base).toFixed(2)}×`);
  }
  for (const v of variants) await v.close();
  await stitch.shutdown();
}

await main();
