/**
 * What the kernel costs on real routes, each a GET /items/:id served by node:http:
 *
 *   pglite  one PGlite query (in memory) → one log line (pino to a null destination) → JSON
 *   pg      the same route on real Postgres through `pg` (a Pool of 2 connections per server)
 *   hello   no database, no log line: a constant JSON answer (what OpenTelemetry's published
 *           overhead figures measure)
 *
 * Variants, side by side in one run of a route:
 *
 *   bare         node:http + the route's driver + pino, no telemetry
 *   bare-als     bare, plus one AsyncLocalStorage store entered per request: the floor of any
 *                context propagation on this Node (the kernel's and OTel's alike), because it
 *                turns on promise hooks for every promise the route makes
 *   disabled     the kernel with `enabled: false` (edge adapter, query wrapper, kernel logger)
 *   enabled-100  the kernel, head ratio 1: server + query span, tail, budgets, redaction, batch → no-op exporter
 *   enabled-10   the kernel, head ratio 0.1 (the other 90% are recorded for the tail, then dropped)
 *   otel         the plain OpenTelemetry SDK setup: BasicTracerProvider + AsyncLocalStorage context
 *                manager + @opentelemetry/instrumentation-http + BatchSpanProcessor → no-op exporter
 *   otel-same-output  otel, plus what the kernel writes beyond the server span, as OpenTelemetry's
 *                docs write it: a span around the query, trace ids on the log line (a pino mixin).
 *                The target compares with otel, as issue 3 defines it; this row says how much of
 *                the difference is the kernel's extra output (only the SQL comment has no match)
 *   sdk-node     what most adopters start from: @opentelemetry/sdk-node's NodeSDK with
 *                getNodeAutoInstrumentations(), defaults kept, spans → no-op exporter (metrics and
 *                log export off, as everywhere here); on pg, instrumentation-pg adds the query spans
 *   sdk-node-stitch  the same NodeSDK and auto-instrumentations given Stitch's pieces
 *                (`stitchSdkOptions` from @stitch/kernel/otel, 100%), the route through the
 *                kernel's edge, query wrapper and logger: an adopter who keeps their SDK
 *
 * Method. Each variant's server runs in its own processes (`http-route-server.ts`), all started
 * at once and alive for the whole run of a route: instrumentation-http patches `http` for the
 * whole process once loaded, and the kernel's globals (tracer provider, context manager) are per
 * process, so separate processes are the only way to alternate fairly. PROCESSES processes per
 * variant, because PGlite's speed varies by up to 2× between processes running the same code.
 * This process is the load generator (undici Pool, keep-alive, CONCURRENCY requests in flight).
 * After a warm-up, ROUNDS rounds each measure every server once for REQUESTS requests, in an
 * order rotated each round, so slow drift of the machine (other work on the two cores) spreads
 * over all variants. We print, per variant, the median over its processes and rounds of
 * requests/s and of the server's CPU per request, and the ratio to bare of each: the median of
 * paired ratios, every sample divided by bare's sample of the same round and process copy.
 * Routes run one after the other, each with its own servers, and each table's ratios are to that
 * route's bare. For the pg route, this process creates a schema `bench_route_<random>` with the
 * table, and drops it at the end (crash included, unless it is killed).
 *
 * Then microbenchmarks in this process: ns per span (a root span through `withSpan`, kernel on at
 * 100% and 10%, off, and the plain SDK; a server span with and without @stitch/kernel/metrics), ns per log line (kernel logger in a context vs bare
 * pino), both to null destinations, and the request path in process (see requestPathInProcess).
 *
 * Knobs (environment): BENCH_ROUTE=pglite,pg,hello (all three by default; one or a list);
 * BENCH_ROUNDS (7), BENCH_REQUESTS (3000), BENCH_PROCESSES (3); BENCH_PG_URL
 * (postgres://postgres@127.0.0.1:5432/test), BENCH_PG_POOL (2 connections per server);
 * BENCH_SHORT=1 is CI's run (`npm run bench:ci`, under two minutes on the 2-core machine):
 * 1 process, 3 rounds of 1000 requests, no microbenchmarks, unless those knobs say otherwise;
 * BENCH_NO_DB=1 replaces PGlite by an in-memory answer (pglite route), to see the kernel's own
 * cost without hundreds of µs of WebAssembly per query; BENCH_SQL_COMMENT=0 turns the
 * sqlcommenter comment off; BENCH_MICRO=0 skips the microbenchmarks, BENCH_HTTP=0 the servers
 * (microbenchmarks only).
 * BENCH_VARIANTS=a,b measures bare and those variants only, where a kernel variant may take knobs
 * that leave one part out, to attribute its cost:
 * `BENCH_VARIANTS=enabled-100,enabled-100:nolog,enabled-100:nodb` (knobs: nolog, nodb (the raw
 * driver, no wrapper), nocomment, noexport, notail, nobudget, noredact, metrics (@stitch/kernel/metrics
 * on; `BENCH_VARIANTS=enabled-100,enabled-100:metrics` prints its ratio); join several with `+`).
 *
 * Exit status: 0 whatever the ratios (targets print MET or MISSED; CI never fails on a ratio);
 * non-zero when the bench itself breaks: a server that does not start or answers other than
 * 200, Postgres unreachable for the pg route.
 *
 * Every server runs a full garbage collection before it serves (`--expose-gc`): otherwise V8's
 * allocation-site pretenuring decides, run by run, whether per-request objects go straight to
 * the old generation, and one variant measures two ways (see http-route-server.ts).
 *
 * Run: `npm run bench -- http-route` (or `node --import tsx --conditions=source bench/http-route.bench.ts`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { DEFAULT_PG_URL, ROUTES } from './http-route-server.js';
import type { RouteName } from './http-route-server.js';

const ALL_VARIANTS = ['bare', 'bare-als', 'disabled', 'enabled-100', 'enabled-10', 'otel', 'otel-same-output', 'sdk-node', 'sdk-node-stitch'];
/** A variant name, optionally with knobs: `enabled-100:nolog+noexport` (see the header). */
type Variant = string;
// Bare is always measured: every ratio is to it.
const VARIANTS: readonly Variant[] = process.env.BENCH_VARIANTS ? ['bare', ...process.env.BENCH_VARIANTS.split(',')] : ALL_VARIANTS;
const SHORT = process.env.BENCH_SHORT === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (SHORT ? 3 : 7));
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? (SHORT ? 1000 : 3000));
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? (SHORT ? 1 : 3));
const MICRO = process.env.BENCH_MICRO === undefined ? !SHORT : process.env.BENCH_MICRO !== '0';
const CONCURRENCY = 16;
const ROUTES_TO_RUN: readonly RouteName[] = (process.env.BENCH_ROUTE ?? ROUTES.join(',')).split(',').map((text) => {
  const found = ROUTES.find((name) => name === text.trim());
  if (found === undefined) throw new Error(`BENCH_ROUTE=${process.env.BENCH_ROUTE}: expected a list of ${ROUTES.join(', ')}`);
  return found;
});
const PG_URL = process.env.BENCH_PG_URL ?? DEFAULT_PG_URL;

const here = dirname(fileURLToPath(import.meta.url));

/** What a route's servers need beyond the route's name: the pg route's schema. */
type RouteEnv = Record<string, string>;

async function startServer(variant: Variant, routeEnv: RouteEnv): Promise<{ child: ChildProcess; port: number }> {
  // stdin is a pipe the server watches: if this process dies, its servers end too.
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=source', join(here, 'http-route-server.ts'), variant], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...routeEnv, BENCH_LIFELINE: '1' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const slow = setTimeout(() => reject(new Error(`${variant} server (${routeEnv.BENCH_ROUTE}) did not print READY within 300 s`)), 300_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\d+)/.exec(out);
      if (ready) {
        clearTimeout(slow);
        resolve(Number(ready[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(slow);
      reject(new Error(`${variant} server (${routeEnv.BENCH_ROUTE}) exited with ${code}`));
    });
  });
  return { child, port };
}

/**
 * The pg route's table, in a schema of its own (random suffix), made before its servers start;
 * the returned function drops it.
 */
async function createPgSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`the pg route needs Postgres at ${PG_URL} (BENCH_PG_URL); BENCH_ROUTE=pglite,hello leaves it out`, { cause: error });
  }
  const schema = `bench_route_${randomBytes(4).toString('hex')}`;
  await client.query(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.items (id int PRIMARY KEY, name text, price_cents int);
    INSERT INTO ${schema}.items SELECT g, 'item ' || g, g * 100 FROM generate_series(1, 100) g;`);
  return {
    schema,
    drop: async () => {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

async function serverCpuMicros(pool: Pool): Promise<number> {
  const { body } = await pool.request({ path: '/__cpu', method: 'GET' });
  return Number(await body.text());
}

interface Sample {
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
}

/** Requests per second for `count` GETs with CONCURRENCY in flight, and the server's CPU µs per request. */
async function measure(pool: Pool, count: number): Promise<Sample> {
  const cpuBefore = await serverCpuMicros(pool);
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent += 1;
      const { statusCode, body } = await pool.request({ path: `/items/${(sent % 100) + 1}`, method: 'GET' });
      await body.dump();
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = await serverCpuMicros(pool);
  return { requestsPerSecond: count / seconds, cpuMicrosPerRequest: (cpuAfter - cpuBefore) / count };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const ROUTE_TITLES: Record<RouteName, string> = {
  pglite: process.env.BENCH_NO_DB === '1' ? 'HTTP route (in-memory query, BENCH_NO_DB=1, + log line)' : 'HTTP route (PGlite query + log line)',
  pg: 'HTTP route (Postgres query through pg + log line)',
  hello: 'HTTP route (hello JSON: no database, no log line)',
};

async function httpRounds(route: RouteName): Promise<void> {
  const pgSchema = route === 'pg' ? await createPgSchema() : undefined;
  const routeEnv: RouteEnv = { BENCH_ROUTE: route, BENCH_PG_URL: PG_URL, ...(pgSchema && { BENCH_PG_SCHEMA: pgSchema.schema }) };
  // Several processes per variant: PGlite's speed differs by up to 2× from one process to the
  // next (same code, same data), so one process per variant would let that draw decide.
  const servers = new Map<Variant, { child: ChildProcess; pool: Pool }[]>(VARIANTS.map((v) => [v, []]));
  const startedAt = process.hrtime.bigint();
  try {
    for (let copy = 0; copy < PROCESSES; copy += 1) {
      // One copy of every variant at once: start-up is mostly waiting on module loading.
      const started = await Promise.allSettled(VARIANTS.map((variant) => startServer(variant, routeEnv)));
      started.forEach((result, i) => {
        if (result.status === 'fulfilled') {
          const { child, port } = result.value;
          servers.get(VARIANTS[i]!)!.push({ child, pool: new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY, keepAliveTimeout: 60_000 }) });
        }
      });
      const failed = started.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }
    const all = [...servers.values()].flat();
    process.stderr.write(`${route}: ${all.length} servers up in ${(Number(process.hrtime.bigint() - startedAt) / 1e9).toFixed(1)} s\n`);
    for (const { pool } of all) await measure(pool, REQUESTS); // warm-up (JIT, PGlite caches)
    const results = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      const thisRound = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
      for (let copy = 0; copy < PROCESSES; copy += 1) {
        for (const variant of order) {
          const sample = await measure(servers.get(variant)![copy]!.pool, REQUESTS);
          results.get(variant)!.push(sample);
          thisRound.get(variant)!.push(sample.cpuMicrosPerRequest);
        }
      }
      process.stderr.write(`${route} round ${round + 1}/${ROUNDS}, CPU µs/req by process: ${VARIANTS.map((v) => `${v} ${thisRound.get(v)!.map((c) => c.toFixed(0)).join('/')}`).join(', ')}\n`);
    }
    const rps = (v: Variant) => median(results.get(v)!.map((s) => s.requestsPerSecond));
    const cpu = (v: Variant) => median(results.get(v)!.map((s) => s.cpuMicrosPerRequest));
    // Ratios are paired: each sample against bare's sample of the same round and process copy,
    // measured seconds apart, then the median of those ratios. The machine's speed drifts by
    // ±15% over minutes; a ratio of two medians lets that drift in, a paired ratio cancels it.
    const paired = (v: Variant, ratio: (sample: Sample, bare: Sample) => number) =>
      median(results.get(v)!.map((sample, i) => ratio(sample, results.get('bare')![i]!)));
    // Both readings, each as "throughput relative to bare": wall-clock req/s, and the inverse of
    // server CPU per request (what req/s would be on a saturated core, free of scheduler noise).
    const byRps = (v: Variant) => paired(v, (sample, bare) => sample.requestsPerSecond / bare.requestsPerSecond);
    const byCpu = (v: Variant) => paired(v, (sample, bare) => bare.cpuMicrosPerRequest / sample.cpuMicrosPerRequest);
    console.log(
      `\n${ROUTE_TITLES[route]}, Node ${process.versions.node}, ${PROCESSES} server processes per variant × ${ROUNDS} rounds × ${REQUESTS} requests, ${CONCURRENCY} in flight, keep-alive; medians over processes and rounds, ratios paired (each sample to bare's of the same round and process copy)\n`,
    );
    console.log(`${'variant'.padEnd(28)} req/s (median)  ratio to bare   server CPU µs/req (median)  CPU ratio (bare/variant)`);
    for (const variant of VARIANTS) {
      console.log(
        `${variant.padEnd(28)} ${rps(variant).toFixed(0).padStart(14)}  ${byRps(variant).toFixed(3).padStart(13)}   ${cpu(variant).toFixed(1).padStart(26)}  ${byCpu(variant).toFixed(3).padStart(24)}`,
      );
    }
    const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');
    // Metrics on (issue 16): each `X:metrics` against its `X`, target under 2% beyond tracing.
    for (const withMetrics of VARIANTS.filter((v) => v.endsWith(':metrics') || v.includes(':metrics+') || v.includes('+metrics'))) {
      const without = withMetrics.replace(/[:+]metrics/, '').replace(/:$/, '');
      if (!VARIANTS.includes(without)) continue;
      const rpsRatio = byRps(withMetrics) / byRps(without);
      const cpuRatio = byCpu(withMetrics) / byCpu(without);
      console.log(`\nmetrics on: ${withMetrics} / ${without} = ${rpsRatio.toFixed(3)} by req/s ${verdict(rpsRatio >= 0.98)}, ${cpuRatio.toFixed(3)} by CPU ${verdict(cpuRatio >= 0.98)} (target ≥ 0.98: under 2% beyond tracing)`);
    }
    if (!ALL_VARIANTS.every((v) => VARIANTS.includes(v))) return;
    console.log(`\nfloor: bare + one AsyncLocalStorage store per request = ${byRps('bare-als').toFixed(3)} × bare by req/s, ${byCpu('bare-als').toFixed(3)} by CPU`);
    console.log('  (the promise hooks any in-process context propagation turns on; the kernel and plain OTel both pay it)');
    console.log(`  sdk-node-stitch / sdk-node (Stitch's pieces in an adopter's NodeSDK): ${(byRps('sdk-node-stitch') / byRps('sdk-node')).toFixed(3)} by req/s, ${(byCpu('sdk-node-stitch') / byCpu('sdk-node')).toFixed(3)} by CPU`);
    // The hello route has no targets: it is there to compare with published overhead figures.
    if (route === 'hello') return;
    const line = (label: string, check: (reading: (v: Variant) => number) => [boolean, string]) => {
      const [rpsOk, rpsText] = check(byRps);
      const [cpuOk, cpuText] = check(byCpu);
      console.log(`  ${label.padEnd(42)} ${rpsText.padEnd(16)} ${verdict(rpsOk).padEnd(7)}  ${cpuText} ${verdict(cpuOk)}`);
    };
    console.log(`\n${`targets (issue 14), ${route} route`.padEnd(44)} by req/s                  by server CPU`);
    line('disabled ≥ bare-als − 0.02', (r) => [r('disabled') >= r('bare-als') - 0.02, `${r('disabled').toFixed(3)} vs ${(r('bare-als') - 0.02).toFixed(3)}`]);
    line('enabled 10% ≥ 0.93', (r) => [r('enabled-10') >= 0.93, r('enabled-10').toFixed(3)]);
    line('enabled 100% ≥ 0.91', (r) => [r('enabled-100') >= 0.91, r('enabled-100').toFixed(3)]);
    line('enabled 100% ≥ 1.15 × otel-same-output', (r) => [r('enabled-100') >= 1.15 * r('otel-same-output'), `${(r('enabled-100') / r('otel-same-output')).toFixed(3)} ×`]);
    line('enabled 100% ≥ 2 × sdk-node', (r) => [r('enabled-100') >= 2 * r('sdk-node'), `${(r('enabled-100') / r('sdk-node')).toFixed(3)} ×`]);
  } finally {
    for (const { child, pool } of [...servers.values()].flat()) {
      await pool.close();
      child.kill('SIGTERM');
    }
    await pgSchema?.drop();
  }
}

/** ns per call of `fn`, yielding to the event loop every 256 calls so batch timers can drain. */
async function nsPer(iterations: number, fn: () => void): Promise<number> {
  for (let i = 0; i < 2000; i += 1) fn(); // warm-up
  let total = 0n;
  for (let done = 0; done < iterations; done += 256) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 256; i += 1) fn();
    total += process.hrtime.bigint() - started;
    await yieldToLoop();
  }
  return Number(total) / iterations;
}

async function micro(): Promise<void> {
  const { startStitch, withSpan, runInNewContext } = await import('@stitch/kernel');
  const { createLogger } = await import('../packages/kernel/src/pipeline/logs/create-logger.js');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { pino } = await import('pino');
  const { noopExporter, nullDestination } = await import('./http-route-server.js');
  const N = 100_000;
  const noop = () => 0;
  const rows: [string, number][] = [];

  const spanIn = async (label: string, options: Parameters<typeof startStitch>[0]) => {
    const stitch = startStitch({ serviceName: 'micro', exporter: noopExporter, logger: { warn: () => undefined }, env: {}, ...options });
    rows.push([label, await nsPer(N, () => withSpan('op', { root: true }, noop))]);
    await stitch.shutdown();
  };
  await spanIn('span, kernel disabled', { enabled: false });
  await spanIn('span, kernel 100%', { tracing: { sampling: { ratio: 1 } } });
  await spanIn('span, kernel 10%', { tracing: { sampling: { ratio: 0.1 } } });
  // A server span as the edge ends it, without and with @stitch/kernel/metrics observing it
  // (issue 16): the difference is what metrics cost per observed span, free of the HTTP run's noise.
  const { createMetrics } = await import('@stitch/kernel/metrics');
  const { SpanKind } = await import('@opentelemetry/api');
  const routeSpan = { root: true, kind: SpanKind.SERVER, attributes: { 'stitch.component': 'route', 'http.route': '/items/:id', 'http.request.method': 'GET', 'http.response.status_code': 200 } };
  for (const withMetrics of [false, true]) {
    const handle = startStitch({ serviceName: 'micro', exporter: noopExporter, logger: { warn: () => undefined }, env: {} });
    const metrics = withMetrics
      ? createMetrics({ stitch: { stats: () => ({ logs: { contextMissing: 0, failedCalls: 0 }, logExport: { exported: 0, droppedQueueFull: 0, failed: 0, malformed: 0, droppedShutdown: 0, rejected: 0 }, sampling: handle.samplingStats(), export: handle.exportStats(), budgets: handle.budgetStats() }) } })
      : undefined;
    rows.push([`route span, kernel 100%${withMetrics ? ' + metrics' : ''}`, await nsPer(N, () => withSpan('GET /items/:id', routeSpan, noop))]);
    await metrics?.close();
    await handle.shutdown();
  }
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] });
  const tracer = provider.getTracer('plain');
  rows.push(['span, plain OTel SDK', await nsPer(N, () => tracer.startActiveSpan('op', { root: true }, (span) => span.end()))]);
  await provider.shutdown();

  const bareLogger = pino({ base: { service: 'micro' } }, nullDestination);
  rows.push(['log line, bare pino', await nsPer(N, () => bareLogger.info({ rows: 1 }, 'item loaded'))]);
  const stitch = startStitch({ serviceName: 'micro', enabled: false, env: {} });
  const kernelLogger = createLogger({ service: 'micro', destination: nullDestination });
  const inContext = await runInNewContext({ name: 'micro', tenantId: '6f1c7a52-0a9e-4b7e-9b1e-2f0a1c3d4e5f' }, () =>
    nsPer(N, () => kernelLogger.info({ rows: 1 }, 'item loaded')),
  );
  rows.push(['log line, kernel logger in a context', inContext]);
  await stitch.shutdown();

  console.log(`\nmicrobenchmarks (${N} calls each, ns per call)`);
  for (const [label, ns] of rows) console.log(`  ${label.padEnd(40)} ${ns.toFixed(0).padStart(7)} ns`);
}

/**
 * A request through the same listeners without sockets or PGlite: a fake connection that
 * discards what is written, and an in-memory query. Both the network and PGlite's WebAssembly
 * swing by ±15% from one process to the next, more than the kernel's own cost; this isolates it,
 * in one process, alternating. µs of CPU per request (median of the rounds).
 */
async function requestPathInProcess(): Promise<void> {
  const http = await import('node:http');
  const { Writable } = await import('node:stream');
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const { pino } = await import('pino');
  const { startStitch } = await import('@stitch/kernel');
  const { stitchRequestListener } = await import('@stitch/kernel/edge/node-http');
  const { createPgliteDatabase } = await import('@stitch/kernel/db/pglite');
  const { createLogger } = await import('../packages/kernel/src/pipeline/logs/create-logger.js');
  const { bareRoute, inMemoryItems, kernelRoute, noopExporter, nullDestination, SQL } = await import('./http-route-server.js');
  const inMemory = inMemoryItems();
  const N = 20_000;

  const once = (listener: RequestListener, id: number): Promise<void> => {
    const socket = new Writable({ write: (_chunk, _encoding, done) => done() }) as unknown as Socket;
    Object.defineProperty(socket, 'remoteAddress', { value: '127.0.0.1' });
    const req = new http.IncomingMessage(socket);
    req.url = `/items/${id}`;
    req.method = 'GET';
    const res = new http.ServerResponse(req);
    res.assignSocket(socket);
    // A server emits 'close' after 'finish'; the edge ends its span there.
    const finished = new Promise<void>((resolve) => res.on('finish', () => resolve(void res.emit('close'))));
    listener(req, res);
    return finished;
  };
  const cpuPerRequest = async (listener: RequestListener): Promise<number> => {
    for (let i = 0; i < 5000; i += 1) await once(listener, (i % 100) + 1);
    const before = process.cpuUsage();
    for (let i = 0; i < N; i += 1) await once(listener, (i % 100) + 1);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / N;
  };

  const bare = bareRoute((id) => inMemory.query(SQL, [id]), pino({ base: { service: 'bench' } }, nullDestination));
  // Measured first: once any store is entered, Node keeps its promise hooks on for good.
  const bareBeforeAnyStore = median([await cpuPerRequest(bare), await cpuPerRequest(bare), await cpuPerRequest(bare)]);
  const storage = new AsyncLocalStorage<number>();
  const kernelListener = (): RequestListener => {
    const db = createPgliteDatabase(inMemory, { application: 'bench' });
    const logger = createLogger({ service: 'bench', destination: nullDestination });
    return stitchRequestListener(kernelRoute((id) => db.query(SQL, [id], { name: 'item.by_id' }), logger), { routes: ['/items/:id'] });
  };
  const kernelAt = (options: Parameters<typeof startStitch>[0]) => async (): Promise<number> => {
    const stitch = startStitch({ serviceName: 'bench', exporter: noopExporter, logger: { warn: () => undefined }, env: {}, ...options });
    const micros = await cpuPerRequest(kernelListener());
    await stitch.shutdown();
    return micros;
  };
  const variants: [string, () => Promise<number>][] = [
    ['bare, in an AsyncLocalStorage store', () => cpuPerRequest((req, res) => storage.run(1, bare, req, res))],
    ['kernel disabled', kernelAt({ enabled: false })],
    ['kernel 100%', kernelAt({ tracing: { sampling: { ratio: 1 } } })],
    ['kernel 10%', kernelAt({ tracing: { sampling: { ratio: 0.1 } } })],
  ];
  const samples = new Map<string, number[]>(variants.map(([label]) => [label, []]));
  for (let round = 0; round < 5; round += 1) {
    for (const [label, measure] of variants) samples.get(label)!.push(await measure());
  }
  console.log(`\nthe request path in process (no sockets, in-memory query; ${N} requests × 5 rounds, CPU µs per request, median)`);
  console.log(`  ${'bare, before any AsyncLocalStorage store'.padEnd(40)} ${bareBeforeAnyStore.toFixed(2).padStart(7)} µs`);
  for (const [label] of variants) console.log(`  ${label.padEnd(40)} ${median(samples.get(label)!).toFixed(2).padStart(7)} µs`);
}

if (process.env.BENCH_HTTP !== '0') {
  for (const route of ROUTES_TO_RUN) await httpRounds(route);
}
if (MICRO) {
  await micro();
  await requestPathInProcess();
}
