/**
 * Outbox throughput on the Postgres server, events/s, side by side in one run:
 *
 *   add                  `outbox.add` in its own business transaction (BEGIN, insert, COMMIT),
 *                        CONCURRENCY transactions in flight, pool of CONCURRENCY connections
 *   relay→in-process     one relay draining the backlog (batches of 100) to the in-process bus
 *   relay→nats           the same to NATS JetStream (each publish awaits the stream's ack)
 *   relay x2→nats        two relays draining one backlog at once (SKIP LOCKED sharing)
 *
 * Method. Tracing on, exporter `none`. Each round adds EVENTS events (one request context per
 * event, 50 aggregates) and then drains them with one relay variant, order rotated per round;
 * add throughput is measured in every round. Prints median events/s and the ratio to the
 * in-process relay. Needs Postgres on 127.0.0.1:5432 and NATS on 4222; uses its own schema and
 * stream and drops them.
 *
 * Run: `npm run bench -- outbox` (env BENCH_ROUNDS, BENCH_EVENTS).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import pg from 'pg';
import { runInNewContext, startStitch } from '../packages/kernel/src/index.js';
import { createInProcessBus } from '../packages/kernel/src/hops/events/index.js';
import type { EventBus } from '../packages/kernel/src/hops/events/index.js';
import { createOutbox, createOutboxRelay } from '../packages/kernel/src/hops/outbox/index.js';
import { createPgDatabase } from '../packages/kernel/src/hops/db/pg/pg-database.js';
import { createNatsBus } from '../packages/kernel/src/hops/events/nats/nats-bus.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const CONCURRENCY = 8;
const TENANT = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const suffix = randomBytes(4).toString('hex');
const schema = `stitch_outbox_bench_${suffix}`;
const stream = `STITCH_OUTBOX_BENCH_${suffix}`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const stitch = startStitch({ serviceName: 'outbox-bench', tracing: { export: { exporter: 'none' }, budgets: { enabled: false } } });
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: CONCURRENCY });
const db = createPgDatabase(pool, { application: 'outbox-bench' });
const outbox = createOutbox({ db, schema });
await outbox.migrate();
const nats = await connect({ servers: '127.0.0.1:4222' });
const natsBus = await createNatsBus({ connection: nats, stream, subjectPrefix: `stitch.bench.${suffix}` });
const inProcess = createInProcessBus();

async function addAll(): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) {
        const i = next++;
        await runInNewContext({ name: 'POST /bench', tenantId: TENANT, requestId: `bench-${suffix}-${i}` }, () =>
          db.transaction((tx) => outbox.add(tx, { type: 'bench.event', aggregateType: 'bench', aggregateId: `a-${i % 50}`, payload: { i } })),
        );
      }
    }),
  );
  return EVENTS / ((performance.now() - started) / 1000);
}

async function drain(bus: EventBus, relays: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: relays }, async () => {
      const relay = createOutboxRelay({ db, outbox, bus, batchSize: 100 });
      while ((await relay.relayOnce()).published > 0);
    }),
  );
  return EVENTS / ((performance.now() - started) / 1000);
}

const variants: Record<string, () => Promise<number>> = {
  'relay→in-process': () => drain(inProcess, 1),
  'relay→nats': () => drain(natsBus, 1),
  'relay x2→nats': () => drain(natsBus, 2),
};
const names = Object.keys(variants);
const samples: Record<string, number[]> = { add: [], ...Object.fromEntries(names.map((n) => [n, []])) };
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    for (let k = 0; k < names.length; k += 1) {
      const name = names[(k + round) % names.length] as string;
      samples.add?.push(await addAll());
      samples[name]?.push(await (variants[name] as () => Promise<number>)());
    }
  }
  const base = median(samples['relay→in-process'] ?? []);
  console.log(`outbox on Postgres (${EVENTS} events x ${ROUNDS} rounds, median events/s)`);
  for (const name of ['add', ...names]) {
    const value = median(samples[name] ?? []);
    console.log(`  ${name.padEnd(20)} ${value.toFixed(0).padStart(8)} events/s   x${(value / base).toFixed(2)} vs relay→in-process`);
  }
} finally {
  const manager = await nats.jetstreamManager();
  await manager.streams.delete(stream).catch(() => undefined);
  await nats.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.close();
  await stitch.shutdown();
}
