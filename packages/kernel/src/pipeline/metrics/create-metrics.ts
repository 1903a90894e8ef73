import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { parseOptions } from '../../core/options/parse-options.js';
import type { Stitch } from '../../setup/create-stitch.js';
import type { OutboxLag } from '../../hops/outbox/outbox.js';
import type { OutboxRelayStats } from '../../hops/outbox/outbox-relay.js';
import { FoldCounter } from './label-guard.js';
import { DEFAULT_BOUNDS, METRICS } from './metric-catalogue.js';
import type { MetricSpec } from './metric-catalogue.js';
import { addSpanObserver } from './span-observers.js';
import { SpanMetricsProcessor } from './span-metrics.js';
import { TenantLabel } from './tenant-label.js';
import type { TenantLabelOptions } from './tenant-label.js';

/** A pg `Pool`'s counters (structural: the kernel does not load pg for this). */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** Readiness as the health module answers it (structural, so metrics need not load health). */
export interface ReadinessSource {
  check(): Promise<{ readonly ready: boolean; readonly checks: readonly { readonly name: string; readonly status: string }[] }>;
}

export interface CreateMetricsOptions {
  /** The running kernel: its `stats()` feed the sampling, export, budget and log series. */
  readonly stitch: Pick<Stitch, 'stats'>;
  /** Per-label bounds (defaults in docs/metrics.md). */
  readonly bounds?: Partial<typeof DEFAULT_BOUNDS>;
  /** Tenant as a label of `http_server_request_duration_seconds`: off unless given. */
  readonly tenants?: TenantLabelOptions;
  /** The outbox, for the unsent count and oldest unsent age (one query per scrape). */
  readonly outbox?: { lag(): Promise<OutboxLag> };
  /** The outbox relays of this process, for `stitch_outbox_relayed_events_total`. */
  readonly relays?: readonly { stats(): OutboxRelayStats }[];
  /** pg pools by name, for `stitch_db_pool_connections`. */
  readonly pools?: Readonly<Record<string, PoolCounts>>;
  /** The service's health, for `stitch_ready`. */
  readonly health?: ReadinessSource;
  /** Histogram buckets in seconds; OpenTelemetry's HTTP advice by default. */
  readonly bucketsSeconds?: readonly number[];
}

/** `true` where the caller passed an object with the method the kernel calls (see `refShape`). */
const Ref = (what: string) => z.literal(true, `expected ${what}`);

const OptionsSchema = z.object({
  stitch: Ref('a running Stitch (createStitch())'),
  bounds: z
    .object({ routes: z.number().int().positive(), queries: z.number().int().positive(), hosts: z.number().int().positive(), jobs: z.number().int().positive(), consumers: z.number().int().positive(), eventTypes: z.number().int().positive() })
    .partial()
    .strict()
    .optional(),
  tenants: z.union([z.object({ allow: z.array(z.string()) }).strict(), z.object({ top: z.number().int().positive() }).strict()]).optional(),
  outbox: Ref('an outbox (createOutbox())').optional(),
  relays: z.array(Ref('an outbox relay (createOutboxRelay())')).optional(),
  pools: z.record(z.string(), Ref('a pg Pool')).optional(),
  health: Ref('a health (createHealth())').optional(),
  bucketsSeconds: z.array(z.number().positive()).optional(),
});

const has = (value: unknown, key: string, type: string): boolean => typeof (value as Record<string, unknown> | null | undefined)?.[key] === type;

/**
 * The options with each live object (the kernel, the outbox, pools, the health) replaced by
 * whether it looks right: parseOptions deep-freezes what it returns, and must never freeze a
 * caller's running objects.
 */
function refShape(input: CreateMetricsOptions): Record<string, unknown> {
  const shape: Record<string, unknown> = { ...(input as unknown as Record<string, unknown>) };
  shape.stitch = has(input?.stitch, 'stats', 'function');
  if (input?.outbox !== undefined) shape.outbox = has(input.outbox, 'lag', 'function');
  if (input?.health !== undefined) shape.health = has(input.health, 'check', 'function');
  if (Array.isArray(input?.relays)) shape.relays = input.relays.map((r) => has(r, 'stats', 'function'));
  if (input?.pools !== undefined) shape.pools = Object.fromEntries(Object.entries(input.pools).map(([k, p]) => [k, has(p, 'totalCount', 'number')]));
  return shape;
}

/** OpenTelemetry's advised buckets for http.server.request.duration (semconv), in seconds. */
const OTEL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export interface StitchMetrics {
  /** The prom-client registry (add your own metrics to it). */
  readonly registry: Registry;
  /** The exposition, for an edge that is neither node:http nor Express (Fastify: `reply.type(contentType).send(body)`). */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** A `(req, res)` handler: mount it as `/metrics` on node:http or Express. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Serves `/metrics` on its own port (0 = any free one); resolves with the port. */
  listen(options: { port: number; host?: string }): Promise<{ port: number }>;
  /** Stops observing spans and closes the port `listen` opened. */
  close(): Promise<void>;
}

function spec(name: string): MetricSpec & { labelNames: string[] } {
  const found = METRICS.find((m) => m.name === name);
  if (found === undefined) throw new Error(`no metric ${name} in the catalogue`);
  return { ...found, labelNames: Object.keys(found.labels) };
}

/**
 * `@stitch/kernel/metrics`: one prom-client registry fed by what the kernel already counts
 * (`stitch.stats()`, read at scrape time) and by every ended span (a span observer: metrics see
 * unsampled spans, so they count every request whatever the sampling ratio). Every label has a
 * bound; a value past it folds into `other` and `stitch_metrics_label_folds_total` counts it.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on a bad option.
 * @example
 *   const metrics = createMetrics({ stitch, outbox, pools: { main: pool } });
 *   app.get('/metrics', metrics.handler);          // Express; or await metrics.listen({ port: 9464 })
 */
export function createMetrics(input: CreateMetricsOptions): StitchMetrics {
  const settings = parseOptions(OptionsSchema, refShape(input), 'metrics');
  const options = { ...input, bounds: settings.bounds, tenants: settings.tenants, bucketsSeconds: settings.bucketsSeconds };
  const registry = new Registry();
  const registers = [registry];
  const folds = new FoldCounter();
  const buckets = options.bucketsSeconds ?? OTEL_BUCKETS;
  const histogram = (name: string, labelNames = spec(name).labelNames): Histogram<string> =>
    new Histogram({ name, help: spec(name).help, labelNames, buckets: [...buckets], registers });
  const tenant = options.tenants === undefined ? undefined : new TenantLabel(options.tenants, folds);
  const serverLabels = spec('http_server_request_duration_seconds').labelNames.filter((l) => tenant !== undefined || l !== 'tenant_id');
  const spans = new SpanMetricsProcessor(
    {
      httpServer: histogram('http_server_request_duration_seconds', serverLabels),
      dbQuery: histogram('db_client_operation_duration_seconds'),
      httpClient: histogram('http_client_request_duration_seconds'),
      eventProcess: histogram('messaging_process_duration_seconds'),
      jobRun: histogram('stitch_job_run_duration_seconds'),
      jobQueueWait: histogram('stitch_job_queue_wait_seconds'),
      webhookAttempt: histogram('stitch_webhook_attempt_duration_seconds'),
    },
    { ...DEFAULT_BOUNDS, ...options.bounds },
    folds,
    tenant,
  );
  const stats = (): ReturnType<Stitch['stats']> => options.stitch.stats();
  const counter = (name: string, collect: (c: Counter<string>) => void | Promise<void>): void => {
    const s = spec(name);
    new Counter({ name, help: s.help, labelNames: s.labelNames, registers, async collect() { this.reset(); await collect(this); } });
  };
  const gauge = (name: string, collect: (g: Gauge<string>) => void | Promise<void>): void => {
    const s = spec(name);
    new Gauge({ name, help: s.help, labelNames: s.labelNames, registers, async collect() { this.reset(); await collect(this); } });
  };

  counter('stitch_budget_violations_total', (c) => {
    for (const [component, count] of Object.entries(stats().budgets.byComponent)) c.inc({ component }, count);
  });
  counter('stitch_sampling_traces_total', (c) => {
    const s = stats().sampling;
    for (const [decision, count] of Object.entries(s.tracesKept)) c.inc({ decision }, count);
    c.inc({ decision: 'dropped' }, s.tracesDropped);
  });
  counter('stitch_sampling_overflows_total', (c) => {
    const s = stats().sampling;
    c.inc({ what: 'traces' }, s.tracesOverflowed);
    c.inc({ what: 'spans' }, s.spansOverflowed);
    c.inc({ what: 'evicted' }, s.tracesEvicted);
  });
  counter('stitch_export_spans_total', (c) => {
    const s = stats().export;
    c.inc({ outcome: 'exported' }, s.exported);
    c.inc({ outcome: 'dropped_queue_full' }, s.droppedQueueFull);
    c.inc({ outcome: 'dropped_export_failed' }, s.droppedExportFailed);
    c.inc({ outcome: 'dropped_shutdown' }, s.droppedShutdown);
  });
  gauge('stitch_export_queue_spans', (g) => g.set(stats().export.queued));
  counter('stitch_export_log_records_total', (c) => {
    const s = stats().logExport;
    c.inc({ outcome: 'exported' }, s.exported);
    c.inc({ outcome: 'failed' }, s.failed);
    c.inc({ outcome: 'dropped' }, s.droppedQueueFull + s.droppedShutdown);
  });
  counter('stitch_log_lines_without_context_total', (c) => c.inc(stats().logs.contextMissing));
  // One lag query serves both outbox gauges of a scrape; a failing one leaves them out
  // (readiness says why) rather than failing the whole scrape.
  let lag: Promise<OutboxLag | undefined> | undefined;
  const readLag = (): Promise<OutboxLag | undefined> => {
    lag ??= (options.outbox?.lag() ?? Promise.resolve(undefined)).catch(() => undefined).finally(() => setImmediate(() => (lag = undefined)));
    return lag;
  };
  gauge('stitch_outbox_unsent_events', async (g) => {
    const l = await readLag();
    if (l !== undefined) g.set(l.unsentCount);
  });
  gauge('stitch_outbox_oldest_unsent_age_seconds', async (g) => {
    const l = await readLag();
    if (l !== undefined) g.set(l.oldestUnsentAgeMillis / 1000);
  });
  counter('stitch_outbox_relayed_events_total', (c) => {
    for (const relay of options.relays ?? []) {
      const s = relay.stats();
      c.inc({ outcome: 'published' }, s.published);
      c.inc({ outcome: 'failed' }, s.failed);
      c.inc({ outcome: 'failed_poll' }, s.failedPolls);
    }
  });
  gauge('stitch_db_pool_connections', (g) => {
    for (const [pool, p] of Object.entries(options.pools ?? {})) {
      g.set({ pool, state: 'total' }, p.totalCount);
      g.set({ pool, state: 'idle' }, p.idleCount);
      g.set({ pool, state: 'waiting' }, p.waitingCount);
    }
  });
  gauge('stitch_ready', async (g) => {
    if (options.health === undefined) return;
    const readiness = await options.health.check();
    g.set({ check: 'all' }, readiness.ready ? 1 : 0);
    for (const c of readiness.checks) g.set({ check: c.name }, c.status === 'fail' ? 0 : 1);
  });
  counter('stitch_metrics_label_folds_total', (c) => {
    for (const { metric, label, count } of folds.entries()) c.inc({ metric, label }, count);
  });

  const removeObserver = addSpanObserver(spans);
  let server: Server | undefined;
  const exposition = async (): Promise<{ contentType: string; body: string }> => ({ contentType: registry.contentType, body: await registry.metrics() });
  const handler = (_req: IncomingMessage, res: ServerResponse): void => {
    exposition().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${(err as Error).message}\n`),
    );
  };
  return {
    registry,
    exposition,
    handler,
    listen({ port, host = '127.0.0.1' }) {
      return new Promise((resolve, reject) => {
        const s = createServer((req, res) => {
          if ((req.url ?? '').split('?')[0] === '/metrics') handler(req, res);
          else res.writeHead(404).end();
        });
        s.once('error', reject).listen(port, host, () => {
          server = s;
          resolve({ port: (s.address() as { port: number }).port });
        });
      });
    },
    async close() {
      removeObserver();
      const s = server;
      server = undefined;
      if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
