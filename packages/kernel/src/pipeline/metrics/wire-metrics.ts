import type { OutboxLag } from '../../hops/outbox/outbox.js';
import type { Stitch } from '../../setup/create-stitch.js';
import { BoundedLabel, FoldCounter } from './label-guard.js';
import { DEFAULT_BOUNDS, METRICS } from './metric-catalogue.js';
import type { MetricSpec } from './metric-catalogue.js';
import type { HistogramLike, MetricsBackend } from './metrics-backend.js';
import type { CreateMetricsOptions } from './metrics-options.js';
import { observeSpans } from '../../setup/start-stitch.js';
import { SpanMetricsProcessor } from './span-metrics.js';
import { TenantLabel } from './tenant-label.js';

function spec(name: string): MetricSpec {
  const found = METRICS.find((m) => m.name === name);
  if (found === undefined) throw new Error(`no metric ${name} in the catalogue`);
  return found;
}

/**
 * Every metric of docs/metrics.md on one backend: the span histograms, observed by a span
 * observer as spans end, and the kernel's counters and gauges, read when the backend collects.
 * Returns the function that stops observing spans.
 */
export function wireMetrics(options: CreateMetricsOptions, backend: MetricsBackend): () => void {
  const folds = new FoldCounter();
  const histogram = (name: string, labelNames = Object.keys(spec(name).labels)): HistogramLike => backend.histogram(spec(name), labelNames);
  const tenant = options.tenants === undefined ? undefined : new TenantLabel(options.tenants, folds);
  const serverLabels = Object.keys(spec('http_server_request_duration_seconds').labels).filter((l) => tenant !== undefined || l !== 'tenant_id');
  const bounds = { ...DEFAULT_BOUNDS, ...options.bounds };
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
    bounds,
    folds,
    tenant,
  );
  const stats = (): ReturnType<Stitch['stats']> => options.stitch.stats();
  // `c.inc(labels, n)` and `g.set(labels, n)` read as prom-client's; both report a total or a
  // value to whichever backend collects.
  const counter = (name: string, collect: (c: { inc(labels: Record<string, string>, value: number): void }) => void | Promise<void>): void =>
    backend.observable(spec(name), (emit) => collect({ inc: emit }));
  const gauge = (name: string, collect: (g: { set(labels: Record<string, string>, value: number): void }) => void | Promise<void>): void =>
    backend.observable(spec(name), (emit) => collect({ set: emit }));

  counter('stitch_event_redeliveries_total', (c) => {
    for (const { labels, count } of spans.redeliveryCounts()) c.inc(labels, count);
  });
  // The jobs' counts are totals read on every collection: each name is bounded once, when first
  // read, so a name past the bound is one fold, not one per scrape (JobCounts bounds the names).
  const jobName = (metric: string): ((name: string) => string) => {
    const label = new BoundedLabel(metric, 'stitch_job_name', bounds.jobs, folds);
    const bounded = new Map<string, string>();
    return (name) => {
      let value = bounded.get(name);
      if (value === undefined) bounded.set(name, (value = label.value(name)));
      return value;
    };
  };
  const enqueuedName = jobName('stitch_job_enqueued_total');
  const startedName = jobName('stitch_job_attempts_started_total');
  const attemptName = jobName('stitch_job_attempts_total');
  counter('stitch_job_enqueued_total', (c) => {
    for (const jobs of options.jobs ?? []) for (const [name, n] of Object.entries(jobs.stats().byName)) c.inc({ stitch_job_name: enqueuedName(name) }, n.enqueued);
  });
  counter('stitch_job_attempts_started_total', (c) => {
    for (const jobs of options.jobs ?? []) for (const [name, n] of Object.entries(jobs.stats().byName)) c.inc({ stitch_job_name: startedName(name) }, n.started);
  });
  counter('stitch_job_attempts_total', (c) => {
    for (const jobs of options.jobs ?? []) {
      for (const [name, n] of Object.entries(jobs.stats().byName)) {
        const label = attemptName(name);
        c.inc({ stitch_job_name: label, outcome: 'succeeded' }, n.succeeded);
        c.inc({ stitch_job_name: label, outcome: 'retrying' }, n.retrying);
        c.inc({ stitch_job_name: label, outcome: 'failed' }, n.failed);
      }
    }
  });
  gauge('stitch_webhook_backlog_deliveries', async (g) => {
    // A failing query leaves the series out of this collection rather than failing it.
    const backlog = await options.webhooks?.backlog().catch(() => undefined);
    if (backlog === undefined) return;
    g.set({ state: 'pending' }, backlog.pending);
    g.set({ state: 'retrying' }, backlog.retrying);
  });
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
  gauge('stitch_export_queue_spans', (g) => g.set({}, stats().export.queued));
  counter('stitch_export_log_records_total', (c) => {
    const s = stats().logExport;
    c.inc({ outcome: 'exported' }, s.exported);
    c.inc({ outcome: 'failed' }, s.failed);
    c.inc({ outcome: 'dropped' }, s.droppedQueueFull + s.droppedShutdown);
  });
  counter('stitch_log_lines_without_context_total', (c) => c.inc({}, stats().logs.contextMissing));
  // One lag query serves both outbox gauges of a scrape; a failing one leaves them out
  // (readiness says why) rather than failing the whole scrape.
  let lag: Promise<OutboxLag | undefined> | undefined;
  const readLag = (): Promise<OutboxLag | undefined> => {
    lag ??= (options.outbox?.lag() ?? Promise.resolve(undefined)).catch(() => undefined).finally(() => setImmediate(() => (lag = undefined)));
    return lag;
  };
  gauge('stitch_outbox_unsent_events', async (g) => {
    const l = await readLag();
    if (l !== undefined) g.set({}, l.unsentCount);
  });
  gauge('stitch_outbox_oldest_unsent_age_seconds', async (g) => {
    const l = await readLag();
    if (l !== undefined) g.set({}, l.oldestUnsentAgeMillis / 1000);
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

  // This kernel's pipeline, not a process-wide one (span-observers.ts).
  return (options.stitch.tracing?.observeSpans ?? observeSpans)(spans);
}
