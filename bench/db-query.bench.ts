/**
 * Per-query overhead of the SQL wrapper against the raw driver, on PGlite and on the Postgres
 * server, side by side in one run:
 *
 *   raw                 the driver alone (pglite.query / pg Client.query)
 *   wrapped-no-comment  the wrapper with `comment: false` (span + attributes only)
 *   wrapped-comment     the wrapper as shipped (span + sqlcommenter comment)
 *   pg only, named prepared statements (pg's `name`):
 *   raw-named                     the driver, one statement prepared once per connection
 *   wrapped-named-static          the wrapper's default: static comment, statement stays prepared
 *   wrapped-named-per-request     `namedStatements: 'per-request-comment'`: sent unnamed with the
 *                                 full comment, so the server parses and plans every execution
 *
 * Method. Tracing on with exporter `none` (spans are recorded, then dropped: the cost a service
 * pays before export). Every variant runs its queries inside request contexts (one per 50
 * queries, tenant + route set, so the comment has all five keys). One connection, `SELECT $1::int`
 * (a trivial statement makes the overhead as visible as it gets). ROUNDS rounds; within a round
 * the variants take turns request by request, in an order rotated each turn; prints median
 * µs/query and the ratio to the driver's own baseline.
 *
 * Run: `npm run bench -- db-query` (env BENCH_ROUNDS, BENCH_QUERIES).
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { runInNewContext, startStitch, withContext } from '../packages/kernel/src/index.js';
import { createPgDatabase } from '../packages/kernel/src/hops/db/pg/pg-database.js';
import { createPgliteDatabase } from '../packages/kernel/src/hops/db/pglite/pglite-database.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 2000);
const PER_REQUEST = 50;
const TENANT = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

type Run = (i: number) => Promise<unknown>;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** µs spent on one request's PER_REQUEST queries, starting at query `first`, in a fresh request context. */
async function requestMicros(run: Run, first: number): Promise<number> {
  const started = performance.now();
  await runInNewContext({ name: 'GET /bench', routeId: '/bench/:id', requestId: `bench-${first}-${Math.random().toString(36).slice(2, 8)}` }, () =>
    withContext({ tenantId: TENANT }, async () => {
      for (let i = 0; i < PER_REQUEST; i += 1) await run(first + i);
    }),
  );
  return (performance.now() - started) * 1000;
}

/**
 * Interleaved request by request (variant order rotated each time), not in blocks per variant:
 * PGlite's speed drifts by ±15% within a process over seconds, and blocks let that drift land on
 * one variant.
 */
async function compare(title: string, baseline: string, variants: Record<string, Run>): Promise<void> {
  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let first = 0; first < QUERIES; first += PER_REQUEST) {
    for (const name of names) await requestMicros(variants[name] as Run, first); // warm-up: JIT, plans, connection
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    for (let first = 0, turn = round; first < QUERIES; first += PER_REQUEST, turn += 1) {
      for (let k = 0; k < names.length; k += 1) {
        const name = names[(k + turn) % names.length] as string;
        totals[name] = (totals[name] ?? 0) + (await requestMicros(variants[name] as Run, first));
      }
    }
    for (const name of names) samples[name]?.push((totals[name] ?? 0) / QUERIES);
  }
  const base = median(samples[baseline] ?? []);
  console.log(`\n${title} (${QUERIES} queries x ${ROUNDS} rounds per variant, interleaved, median µs/query)`);
  for (const name of names) {
    const value = median(samples[name] ?? []);
    console.log(`  ${name.padEnd(28)} ${value.toFixed(1).padStart(8)} µs   x${(value / base).toFixed(2)} vs ${baseline}`);
  }
}

const stitch = startStitch({ serviceName: 'db-query-bench', tracing: { export: { exporter: 'none' }, budgets: { enabled: false } } });

const pglite = new PGlite();
await pglite.waitReady;
const liteComment = createPgliteDatabase(pglite, { application: 'bench' });
const liteNoComment = createPgliteDatabase(pglite, { application: 'bench', comment: false });
await compare('PGlite', 'raw', {
  raw: (i) => pglite.query('SELECT $1::int AS n', [i]),
  'wrapped-no-comment': (i) => liteNoComment.query('SELECT $1::int AS n', [i]),
  'wrapped-comment': (i) => liteComment.query('SELECT $1::int AS n', [i]),
});
await pglite.close();

const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
await client.connect();
const pgComment = createPgDatabase(client, { application: 'bench' });
const pgNoComment = createPgDatabase(client, { application: 'bench', comment: false });
const pgPerRequest = createPgDatabase(client, { application: 'bench', namedStatements: 'per-request-comment' });
await compare('Postgres server (unnamed statements)', 'raw', {
  raw: (i) => client.query('SELECT $1::int AS n', [i]),
  'wrapped-no-comment': (i) => pgNoComment.query('SELECT $1::int AS n', [i]),
  'wrapped-comment': (i) => pgComment.query('SELECT $1::int AS n', [i]),
});
await compare('Postgres server (named prepared statements)', 'raw-named', {
  'raw-named': (i) => client.query({ name: 'bench.raw', text: 'SELECT $1::int AS n', values: [i] }),
  'wrapped-named-static': (i) => pgComment.query('SELECT $1::int AS n', [i], { name: 'bench.static' }),
  'wrapped-named-per-request': (i) => pgPerRequest.query('SELECT $1::int AS n', [i], { name: 'bench.per_request' }),
});
await client.end();
await stitch.shutdown();
