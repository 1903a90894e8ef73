/**
 * One variant of the `http-route` benchmark's server, in its own process (started by
 * `http-route.bench.ts`; not a benchmark itself). Prints `READY <port>` when it listens.
 *
 * The route: GET /items/:id → one PGlite query (in memory) → one log line (pino to a null
 * destination) → JSON answer. Variants: bare | bare-als | disabled | enabled-100 | enabled-10 |
 * otel | otel-same-output, a kernel variant optionally with knobs (`enabled-100:nolog`,
 * `enabled-100:metrics`).
 */
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { StitchHandle } from '@stitch/kernel';
import type { Redactor } from '@stitch/kernel/redaction';

// `enabled-100:nolog+noexport`: a variant, and the parts of the kernel it leaves out (see the
// header of http-route.bench.ts).
const [variant = 'bare', knobText = ''] = (process.argv[2] ?? 'bare').split(':');
const knobs = new Set(knobText.split('+'));
export const SQL = 'SELECT id, name, price_cents FROM items WHERE id = $1';

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

/** PGlite's `query` answered from memory: the kernel's cost without PGlite's (BENCH_NO_DB=1, the in-process bench). */
export function inMemoryItems(): PGlite {
  const row = { id: 1, name: 'item 1', price_cents: 100 };
  return { query: async () => ({ rows: [row], affectedRows: 0, fields: [] }), waitReady: Promise.resolve() } as unknown as PGlite;
}

async function openDatabase(): Promise<PGlite> {
  // Isolates what the kernel costs from PGlite's (hundreds of µs of WebAssembly per query).
  if (process.env.BENCH_NO_DB === '1') return inMemoryItems();
  const pglite = new PGlite();
  await pglite.exec(`CREATE TABLE items (id int PRIMARY KEY, name text, price_cents int);
    INSERT INTO items SELECT g, 'item ' || g, g * 100 FROM generate_series(1, 100) g;`);
  return pglite;
}

function idOf(url: string | undefined): number {
  return Number((url ?? '/items/1').split('/')[2] ?? 1) || 1;
}

function answer(res: Http.ServerResponse, result: { rows: unknown[] }): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(result.rows[0]));
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

async function bareListener(): Promise<Http.RequestListener> {
  const pglite = await openDatabase();
  return bareRoute((id) => pglite.query(SQL, [id]), pino({ base: { service: 'bench' } }, nullDestination));
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

async function kernel(http: typeof Http, enabled: boolean, ratio: number): Promise<Http.Server> {
  const { startStitch } = await import('@stitch/kernel');
  const { stitchRequestListener } = await import('@stitch/kernel/edge/node-http');
  const { createPgliteDatabase } = await import('@stitch/kernel/db/pglite');
  const { createLogger } = await import('../packages/kernel/src/pipeline/logs/create-logger.js');
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
  // BENCH_SQL_COMMENT=0 turns the sqlcommenter comment off, to see its share of the cost.
  const raw = await openDatabase();
  const db = createPgliteDatabase(raw, { application: 'bench', comment: process.env.BENCH_SQL_COMMENT !== '0' && !knobs.has('nocomment') });
  const query: ItemQuery = knobs.has('nodb') ? (id) => raw.query(SQL, [id]) : (id) => db.query(SQL, [id], { name: 'item.by_id' });
  const logger = knobs.has('nolog') ? undefined : createLogger({ service: 'bench', destination: nullDestination });
  if (knobs.has('metrics')) await startMetrics(handle);
  return withCpuEndpoint(http, stitchRequestListener(kernelRoute(query, logger), { routes: ['/items/:id'] }));
}

/**
 * The plain OpenTelemetry setup as its docs describe it. `sameOutput` adds what the kernel
 * produces beyond the server span, written the way OpenTelemetry's docs show: the query in a
 * span of its own (PGlite has no instrumentation) and the trace ids on the log line (a pino
 * mixin reading the active span). Only the sqlcommenter comment has no counterpart.
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
  const http = createRequire(import.meta.url)('node:http') as typeof Http;
  if (!sameOutput) return withCpuEndpoint(http, await bareListener());

  const pglite = await openDatabase();
  const tracer = trace.getTracer('bench');
  const query: ItemQuery = (id) =>
    tracer.startActiveSpan('item.by_id', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': SQL } }, (span) =>
      pglite.query(SQL, [id]).then(
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
  return withCpuEndpoint(http, bareRoute(query, pino({ base: { service: 'bench' }, mixin }, nullDestination)));
}

async function main(): Promise<void> {
  // Not imported up front: the otel variant must register its instrumentation first.
  const loadHttp = async () => (await import('node:http')).default;
  let server: Http.Server;
  switch (variant) {
    case 'bare':
      server = withCpuEndpoint(await loadHttp(), await bareListener());
      break;
    case 'bare-als':
      server = await bareWithAsyncLocalStorage(await loadHttp());
      break;
    case 'disabled':
      server = await kernel(await loadHttp(), false, 1);
      break;
    case 'enabled-100':
      server = await kernel(await loadHttp(), true, 1);
      break;
    case 'enabled-10':
      server = await kernel(await loadHttp(), true, 0.1);
      break;
    case 'otel':
      server = await otel(false);
      break;
    case 'otel-same-output':
      server = await otel(true);
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

if (process.argv[1]?.endsWith('http-route-server.ts')) void main();
