/**
 * One variant of the `http-route` benchmark's server, in its own process (started by
 * `http-route.bench.ts`; not a benchmark itself). Prints `READY <port>` when it listens.
 *
 * The route (BENCH_ROUTE, set by the load generator): GET /items/:id →
 *   pglite  one PGlite query (in memory) → one log line (pino to a null destination) → JSON
 *   pg      the same on real Postgres through `pg` (a Pool on the schema BENCH_PG_SCHEMA)
 *   hello   no database and no log line: a constant JSON answer
 * Variants: bare | bare-als | disabled | enabled-100 | enabled-10 | otel | otel-same-output |
 * sdk-node | sdk-node-stitch, a kernel variant optionally with knobs (`enabled-100:nolog`,
 * `enabled-100:metrics`).
 */
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import type * as Pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type * as Pg from 'pg';
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { StitchHandle } from '@stitch/kernel';
import type { Redactor } from '@stitch/kernel/redaction';

// `enabled-100:nolog+noexport`: a variant, and the parts of the kernel it leaves out (see the
// header of http-route.bench.ts).
const [variant = 'bare', knobText = ''] = (process.argv[2] ?? 'bare').split(':');
const knobs = new Set(knobText.split('+'));
export const SQL = 'SELECT id, name, price_cents FROM items WHERE id = $1';

/** The routes a server can answer; the load generator runs each with its own servers. */
export const ROUTES = ['pglite', 'pg', 'hello'] as const;
export type RouteName = (typeof ROUTES)[number];
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Discards every line: the cost measured is building the line, not writing it. */
export const nullDestination: DestinationStream = { write: () => undefined };

/** Acknowledges every batch at once: the cost measured is the pipeline up to the exporter. */
export const noopExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => undefined,
};

/** The `noredact` knob: the redaction step still runs, and changes nothing. */
const passThroughRedactor = { redactString: (text: string) => text, isSecretKey: () => false } as unknown as Redactor;

/** What the route asks its database: the item row by id. */
type ItemQuery = (id: number) => Promise<{ rows: unknown[] }>;

/**
 * Loads a CommonJS module (or `node:http`) through `require`, now: OpenTelemetry's
 * instrumentations patch a module when it is required after they are registered, and never
 * one an ES import loaded. Every variant loads http, pg and pino this way, so that only the
 * OpenTelemetry variants differ in what gets patched.
 */
const requireNow = createRequire(import.meta.url);

/** PGlite's `query` answered from memory: the kernel's cost without PGlite's (BENCH_NO_DB=1, the in-process bench). */
export function inMemoryItems(): PGlite {
  const row = { id: 1, name: 'item 1', price_cents: 100 };
  return { query: async () => ({ rows: [row], affectedRows: 0, fields: [] }), waitReady: Promise.resolve() } as unknown as PGlite;
}

/** The route's database as the driver gives it: what bare queries and the kernel's wrapper wraps. */
type Items = { kind: 'pglite'; pglite: PGlite } | { kind: 'pg'; pool: Pg.Pool } | { kind: 'none' };

function routeOf(text: string): RouteName {
  const found = ROUTES.find((name) => name === text);
  if (found === undefined) throw new Error(`BENCH_ROUTE=${text}: expected one of ${ROUTES.join(', ')}`);
  return found;
}

async function openPglite(): Promise<PGlite> {
  // Isolates what the kernel costs from PGlite's (hundreds of µs of WebAssembly per query).
  if (process.env.BENCH_NO_DB === '1') return inMemoryItems();
  const pglite = new PGlite();
  await pglite.exec(`CREATE TABLE items (id int PRIMARY KEY, name text, price_cents int);
    INSERT INTO items SELECT g, 'item ' || g, g * 100 FROM generate_series(1, 100) g;`);
  return pglite;
}

/**
 * A pg Pool on the load generator's schema (it creates the table and drops the schema). Two
 * connections, kept open: every variant's servers live for the whole run, and three processes of
 * nine variants must stay within Postgres's 100 connections. The other requests in flight wait
 * in pg-pool's queue, as they do in a loaded service.
 */
async function openPgPool(): Promise<Pg.Pool> {
  const schema = process.env.BENCH_PG_SCHEMA;
  if (schema === undefined || !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('the pg route needs BENCH_PG_SCHEMA (set by http-route.bench.ts)');
  const pg = requireNow('pg') as typeof Pg;
  const pool = new pg.Pool({
    connectionString: process.env.BENCH_PG_URL ?? DEFAULT_PG_URL,
    max: Number(process.env.BENCH_PG_POOL ?? 2),
    idleTimeoutMillis: 0,
    options: `-c search_path=${schema}`,
  });
  await pool.query('SELECT 1 FROM items LIMIT 1');
  return pool;
}

async function openItems(): Promise<Items> {
  switch (routeOf(process.env.BENCH_ROUTE ?? 'pglite')) {
    case 'pglite':
      return { kind: 'pglite', pglite: await openPglite() };
    case 'pg':
      return { kind: 'pg', pool: await openPgPool() };
    case 'hello':
      return { kind: 'none' };
  }
}

/**
 * The query without any wrapper. On pg a named statement, prepared once per connection: the
 * kernel's wrapper sends `{ name }` queries as named statements too (with a constant comment),
 * and an unnamed bare query would pay a parse and plan the kernel does not.
 */
function rawQuery(items: Items): ItemQuery | undefined {
  if (items.kind === 'pglite') return (id) => items.pglite.query(SQL, [id]);
  if (items.kind === 'pg') return (id) => items.pool.query({ name: 'item.by_id', text: SQL, values: [id] });
  return undefined;
}

function idOf(url: string | undefined): number {
  return Number((url ?? '/items/1').split('/')[2] ?? 1) || 1;
}

function answer(res: Http.ServerResponse, result: { rows: unknown[] }): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(result.rows[0]));
}

/** The hello route's answer, a JSON body built per request as a handler would. */
function answerHello(req: Http.IncomingMessage, res: Http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ hello: 'world', id: idOf(req.url) }));
}

/** The route with no telemetry: one query, one log line, the JSON answer. */
export function bareRoute(query: ItemQuery, logger: Logger): Http.RequestListener {
  return (req, res) => {
    void query(idOf(req.url)).then((result) => {
      logger.info({ rows: result.rows.length }, 'item loaded');
      answer(res, result);
    });
  };
}

/**
 * The same route as the handler a Stitch edge adapter wraps (it returns the promise, so the
 * adapter answers a rejection); no logger leaves the line out. The same work as bareRoute, not an
 * async function: an async function's extra promises would be charged to the kernel.
 */
export function kernelRoute(query: ItemQuery, logger: Logger | undefined): (req: Http.IncomingMessage, res: Http.ServerResponse) => Promise<void> {
  return (req, res) =>
    query(idOf(req.url)).then((result) => {
      logger?.info({ rows: result.rows.length }, 'item loaded');
      answer(res, result);
    });
}

/**
 * Serves GET /__cpu (the CPU this process has used, µs) beside the route: the load generator
 * reads it around each measurement, because on a shared machine CPU per request is what the
 * server's own code costs, whatever the scheduler does to wall-clock throughput.
 */
function withCpuEndpoint(http: typeof Http, listener: Http.RequestListener): Http.Server {
  return http.createServer((req, res) => {
    if (req.url !== '/__cpu') return listener(req, res);
    const { user, system } = process.cpuUsage();
    res.end(String(user + system));
  });
}

function loadPino(): typeof Pino.pino {
  return (requireNow('pino') as typeof Pino).pino;
}

/** The bare route on this process's database (hello: the answer alone), logging with `logger`. */
async function bareListener(logger: Logger = loadPino()({ base: { service: 'bench' } }, nullDestination)): Promise<Http.RequestListener> {
  const query = rawQuery(await openItems());
  return query === undefined ? answerHello : bareRoute(query, logger);
}

/**
 * Bare, plus an AsyncLocalStorage store entered per request: the floor any in-process context
 * propagation pays on this Node (its promise hooks run for every promise the route makes).
 */
async function bareWithAsyncLocalStorage(http: typeof Http): Promise<Http.Server> {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const storage = new AsyncLocalStorage<{ requestId: number }>();
  let requests = 0;
  const listener = await bareListener();
  return withCpuEndpoint(http, (req, res) => storage.run({ requestId: (requests += 1) }, listener, req, res));
}

/**
 * The `metrics` knob: @stitch/kernel/metrics on, its span observer counting every request and
 * query (the route's histogram, the query's), as a service with `/metrics` has it. Scraped
 * never: a scrape's cost is Prometheus's interval, not the route's.
 */
async function startMetrics(handle: StitchHandle): Promise<void> {
  const { createMetrics } = await import('@stitch/kernel/metrics');
  const { logStats } = await import('@stitch/kernel/stats');
  const noLogExport = { exported: 0, droppedQueueFull: 0, failed: 0, malformed: 0, droppedShutdown: 0, rejected: 0 };
  createMetrics({
    stitch: { stats: () => ({ logs: logStats(), logExport: noLogExport, sampling: handle.samplingStats(), export: handle.exportStats(), budgets: handle.budgetStats() }) },
  });
}

/**
 * The kernel's pieces on the route, whoever registered OpenTelemetry (startStitch or a NodeSDK
 * with stitchSdkOptions): the edge adapter, the query wrapper of this route's driver, the
 * kernel logger. Knobs leave a piece out.
 */
async function kernelListener(http: typeof Http): Promise<Http.Server> {
  const { stitchRequestListener } = await import('@stitch/kernel/edge/node-http');
  const { createLogger } = await import('../packages/kernel/src/pipeline/logs/create-logger.js');
  const items = await openItems();
  // BENCH_SQL_COMMENT=0 turns the sqlcommenter comment off, to see its share of the cost.
  const dbOptions = { application: 'bench', comment: process.env.BENCH_SQL_COMMENT !== '0' && !knobs.has('nocomment') };
  let db: { query: (sql: string, params: unknown[], options: { name: string }) => Promise<{ rows: unknown[] }> } | undefined;
  if (items.kind === 'pglite') db = (await import('@stitch/kernel/db/pglite')).createPgliteDatabase(items.pglite, dbOptions);
  if (items.kind === 'pg') db = (await import('@stitch/kernel/db/pg')).createPgDatabase(items.pool, dbOptions);
  const query: ItemQuery | undefined = knobs.has('nodb') || db === undefined ? rawQuery(items) : (id) => db.query(SQL, [id], { name: 'item.by_id' });
  const logger = knobs.has('nolog') ? undefined : createLogger({ service: 'bench', destination: nullDestination });
  const handler = query === undefined ? answerHello : kernelRoute(query, logger);
  return withCpuEndpoint(http, stitchRequestListener(handler, { routes: ['/items/:id'] }));
}

async function kernel(http: typeof Http, enabled: boolean, ratio: number): Promise<Http.Server> {
  const { startStitch } = await import('@stitch/kernel');
  const handle = startStitch({
    serviceName: 'bench',
    enabled,
    ...(!knobs.has('noexport') && { exporter: noopExporter }),
    tracing: {
      sampling: { ratio, tail: { enabled: !knobs.has('notail') } },
      budgets: { enabled: !knobs.has('nobudget') },
      ...(knobs.has('noexport') && { export: { exporter: 'none' } }),
    },
    ...(knobs.has('noredact') && { redactor: passThroughRedactor }),
    logger: { warn: () => undefined },
    env: {},
  });
  if (knobs.has('metrics')) await startMetrics(handle);
  return kernelListener(http);
}

/**
 * The plain OpenTelemetry setup as its docs describe it. `sameOutput` adds what the kernel
 * produces beyond the server span, written the way OpenTelemetry's docs show: the query in a
 * span of its own (PGlite has no instrumentation, and pg's is not registered here) and the trace
 * ids on the log line (a pino mixin reading the active span). Only the sqlcommenter comment has
 * no counterpart. On the hello route there is neither query nor line: both are plain otel.
 */
async function otel(sameOutput: boolean): Promise<Http.Server> {
  // instrumentation-http patches `http` when it is required, so it is registered before `http`
  // is loaded, through require.
  const { context, trace, SpanKind } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] });
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  const http = requireNow('node:http') as typeof Http;
  if (!sameOutput) return withCpuEndpoint(http, await bareListener());

  const raw = rawQuery(await openItems());
  if (raw === undefined) return withCpuEndpoint(http, answerHello);
  const tracer = trace.getTracer('bench');
  const query: ItemQuery = (id) =>
    tracer.startActiveSpan('item.by_id', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': SQL } }, (span) =>
      raw(id).then(
        (result) => {
          span.setAttribute('db.response.returned_rows', result.rows.length);
          span.end();
          return result;
        },
        (error: unknown) => {
          span.end();
          throw error;
        },
      ),
    );
  const mixin = () => {
    const spanContext = trace.getSpanContext(context.active());
    return spanContext === undefined ? {} : { trace_id: spanContext.traceId, span_id: spanContext.spanId };
  };
  return withCpuEndpoint(http, bareRoute(query, loadPino()({ base: { service: 'bench' }, mixin }, nullDestination)));
}

/**
 * The setup most adopters start from: `@opentelemetry/sdk-node`'s NodeSDK with
 * `getNodeAutoInstrumentations()`, every default kept, spans to the no-op exporter. On the bare
 * route: instrumentation-http makes the server span, instrumentation-pg the query's (and
 * pg-pool's), instrumentation-pino puts the ids on the line. `withStitch` gives the same SDK
 * Stitch's pieces (`stitchSdkOptions`, docs/opentelemetry.md, sampling 100%) and runs the route
 * through the kernel's edge, query wrapper and logger, as an adopter who keeps their SDK does.
 *
 * Metrics and log export are off (OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER `none`), as in every
 * other variant, and the resource detectors that probe cloud metadata endpoints too: the
 * comparison is the tracing path.
 */
async function sdkNode(withStitch: boolean): Promise<Http.Server> {
  process.env.OTEL_METRICS_EXPORTER = 'none';
  process.env.OTEL_LOGS_EXPORTER = 'none';
  process.env.OTEL_NODE_RESOURCE_DETECTORS = 'env,host,os,process';
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { getNodeAutoInstrumentations } = await import('@opentelemetry/auto-instrumentations-node');
  const instrumentations = [getNodeAutoInstrumentations()];
  if (!withStitch) {
    new NodeSDK({ serviceName: 'bench', traceExporter: noopExporter, instrumentations }).start();
    return withCpuEndpoint(requireNow('node:http') as typeof Http, await bareListener());
  }
  const { stitchSdkOptions } = await import('@stitch/kernel/otel');
  const options = stitchSdkOptions(undefined, { exporter: noopExporter, logger: { warn: () => undefined }, env: { OTEL_SERVICE_NAME: 'bench' } });
  new NodeSDK({ ...options, instrumentations }).start();
  return kernelListener(requireNow('node:http') as typeof Http);
}

async function main(): Promise<void> {
  // Not loaded up front: the OpenTelemetry variants must register their instrumentation first.
  const loadHttp = () => requireNow('node:http') as typeof Http;
  let server: Http.Server;
  switch (variant) {
    case 'bare':
      server = withCpuEndpoint(loadHttp(), await bareListener());
      break;
    case 'bare-als':
      server = await bareWithAsyncLocalStorage(loadHttp());
      break;
    case 'disabled':
      server = await kernel(loadHttp(), false, 1);
      break;
    case 'enabled-100':
      server = await kernel(loadHttp(), true, 1);
      break;
    case 'enabled-10':
      server = await kernel(loadHttp(), true, 0.1);
      break;
    case 'otel':
      server = await otel(false);
      break;
    case 'otel-same-output':
      server = await otel(true);
      break;
    case 'sdk-node':
      server = await sdkNode(false);
      break;
    case 'sdk-node-stitch':
      server = await sdkNode(true);
      break;
    default:
      throw new Error(`unknown variant ${variant}`);
  }
  server.keepAliveTimeout = 60_000;
  // A full collection before serving, in every variant (the load generator starts this process
  // with --expose-gc). Without it, whether a scavenge falls just before the first requests
  // decides run by run whether V8's allocation-site pretenuring sends per-request objects
  // straight to the old generation (every object of a site it sampled was alive: the requests in
  // flight), which then costs every later scavenge: the same variant measured one of two ways.
  (globalThis as { gc?: () => void }).gc?.();
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`READY ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

// Started by the load generator (BENCH_LIFELINE=1), the server's stdin is a pipe the load
// generator holds open: when it closes (the load generator exited or crashed), the server ends,
// from the start of its start-up on, so that no server outlives a failed run.
function endWithLoadGenerator(): void {
  if (process.env.BENCH_LIFELINE !== '1') return;
  process.stdin.on('end', () => process.exit(0)).resume();
  process.stdout.on('error', () => process.exit(0));
}

if (process.argv[1]?.endsWith('http-route-server.ts')) {
  endWithLoadGenerator();
  void main();
}

