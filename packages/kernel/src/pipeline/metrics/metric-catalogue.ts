/**
 * Every metric `@stitch/kernel/metrics` exposes, in Prometheus naming (OpenTelemetry's name with
 * dots as underscores, the unit as a suffix, `_total` on counters). docs/metrics.md lists the
 * same table; a test checks the two against the registry.
 */
export interface MetricSpec {
  readonly name: string;
  /** The OpenTelemetry instrument name, for `createOtelMetrics` (the convention's where one exists). */
  readonly otel: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** UCUM, as OpenTelemetry writes it: `s`, `{span}`, `1`. */
  readonly unit: string;
  readonly help: string;
  /** Label name → its bound (the option that sets it, or the fixed set). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface LabelBounds {
  readonly routes: number;
  readonly queries: number;
  readonly hosts: number;
  readonly jobs: number;
  readonly consumers: number;
  readonly eventTypes: number;
}

export const DEFAULT_BOUNDS: LabelBounds = Object.freeze({ routes: 200, queries: 200, hosts: 50, jobs: 100, consumers: 50, eventTypes: 100 });

const METHOD = 'http_request_method';
const STATUS = 'http_response_status_class';

export const METRICS: readonly MetricSpec[] = Object.freeze<MetricSpec[]>([
  { name: 'http_server_request_duration_seconds', otel: 'http.server.request.duration', type: 'histogram', unit: 's', help: 'Duration of HTTP server requests (OpenTelemetry http.server.request.duration), by route template, method and status class.', labels: { http_route: 'bounds.routes (200)', [METHOD]: 'the 9 HTTP methods + _OTHER', [STATUS]: '1xx–5xx', tenant_id: 'off; tenants.allow, or tenants.top first seen' } },
  { name: 'db_client_operation_duration_seconds', otel: 'db.client.operation.duration', type: 'histogram', unit: 's', help: 'Duration of traced queries (OpenTelemetry db.client.operation.duration), by query name and outcome.', labels: { db_query_name: 'bounds.queries (200)', outcome: 'ok, error' } },
  { name: 'http_client_request_duration_seconds', otel: 'http.client.request.duration', type: 'histogram', unit: 's', help: 'Duration of outgoing HTTP calls (OpenTelemetry http.client.request.duration), by destination host and status class.', labels: { server_address: 'bounds.hosts (50)', [METHOD]: 'the 9 HTTP methods + _OTHER', [STATUS]: '1xx–5xx, none' } },
  { name: 'messaging_process_duration_seconds', otel: 'messaging.process.duration', type: 'histogram', unit: 's', help: 'Duration of event handler runs (OpenTelemetry messaging.process.duration), by consumer, event type and outcome.', labels: { messaging_consumer_group_name: 'bounds.consumers (50)', stitch_event_type: 'bounds.eventTypes (100)', outcome: 'handled, skipped-condition, skipped-type, skipped-duplicate (a redelivery), failed' } },
  { name: 'stitch_job_run_duration_seconds', otel: 'stitch.job.run.duration', type: 'histogram', unit: 's', help: 'Duration of job attempts, by job name and outcome (succeeded, retrying, failed); its _count is attempts.', labels: { stitch_job_name: 'bounds.jobs (100)', outcome: 'succeeded, retrying, failed' } },
  { name: 'stitch_job_queue_wait_seconds', otel: 'stitch.job.queue_wait', type: 'histogram', unit: 's', help: 'Time from enqueue to the first attempt of a job (its delay included), by job name.', labels: { stitch_job_name: 'bounds.jobs (100)' } },
  { name: 'stitch_webhook_attempt_duration_seconds', otel: 'stitch.webhook.attempt.duration', type: 'histogram', unit: 's', help: 'Duration of webhook delivery attempts, by outcome (delivered, retrying, dead = dead-lettered, disabled by a 410).', labels: { outcome: 'delivered, retrying, dead, disabled' } },
  { name: 'stitch_event_redeliveries_total', otel: 'stitch.event.redeliveries', type: 'counter', unit: '{delivery}', help: 'Events the bus delivered to a consumer again (after a failed run or a lost acknowledgement), by consumer and event type.', labels: { messaging_consumer_group_name: 'bounds.consumers (50)', stitch_event_type: 'bounds.eventTypes (100)' } },
  { name: 'stitch_job_enqueued_total', otel: 'stitch.job.enqueued', type: 'counter', unit: '{job}', help: 'Jobs enqueued by this process (when createMetrics is given the jobs), by job name.', labels: { stitch_job_name: 'bounds.jobs (100)' } },
  { name: 'stitch_job_attempts_started_total', otel: 'stitch.job.attempts.started', type: 'counter', unit: '{attempt}', help: 'Job attempts this process started (when createMetrics is given the jobs), by job name; minus the finished ones, those running.', labels: { stitch_job_name: 'bounds.jobs (100)' } },
  { name: 'stitch_job_attempts_total', otel: 'stitch.job.attempts', type: 'counter', unit: '{attempt}', help: 'Job attempts this process finished (when createMetrics is given the jobs), by job name and outcome (succeeded, retrying = failed and retried, failed = the last attempt failed).', labels: { stitch_job_name: 'bounds.jobs (100)', outcome: 'succeeded, retrying, failed' } },
  { name: 'stitch_webhook_backlog_deliveries', otel: 'stitch.webhook.backlog', type: 'gauge', unit: '{delivery}', help: 'Webhook deliveries waiting (when createMetrics is given the webhooks): pending = all not yet delivered, dead or disabled; retrying = those past a failed attempt.', labels: { state: 'pending, retrying' } },
  { name: 'stitch_budget_violations_total', otel: 'stitch.budget.violations', type: 'counter', unit: '{violation}', help: 'Spans over their budget, by component (the budget processor’s count).', labels: { component: 'route, query, external, job' } },
  { name: 'stitch_sampling_traces_total', otel: 'stitch.sampling.traces', type: 'counter', unit: '{trace}', help: 'Local traces the tail sampler decided, by decision (kept: head, error, perf_violation, security; dropped).', labels: { decision: 'head, error, perf_violation, security, dropped' } },
  { name: 'stitch_sampling_overflows_total', otel: 'stitch.sampling.overflows', type: 'counter', unit: '{1}', help: 'Tail sampler memory bounds hit (traces not held past maxTraces, spans past maxSpans, roots evicted).', labels: { what: 'traces, spans, evicted' } },
  { name: 'stitch_export_spans_total', otel: 'stitch.export.spans', type: 'counter', unit: '{span}', help: 'Spans the batch processor handled, by outcome (exported, dropped_queue_full, dropped_export_failed, dropped_shutdown).', labels: { outcome: 'exported, dropped_queue_full, dropped_export_failed, dropped_shutdown' } },
  { name: 'stitch_export_queue_spans', otel: 'stitch.export.queue.size', type: 'gauge', unit: '{span}', help: 'Spans waiting in the export queue.', labels: {} },
  { name: 'stitch_export_log_records_total', otel: 'stitch.export.log_records', type: 'counter', unit: '{record}', help: 'Log records the OTLP log stream handled, by outcome (exported, failed, dropped).', labels: { outcome: 'exported, failed, dropped' } },
  { name: 'stitch_log_lines_without_context_total', otel: 'stitch.log.lines_without_context', type: 'counter', unit: '{line}', help: 'Log lines written outside any request, job or runInContext().', labels: {} },
  { name: 'stitch_outbox_unsent_events', otel: 'stitch.outbox.unsent', type: 'gauge', unit: '{event}', help: 'Outbox events not yet published (when createMetrics is given the outbox).', labels: {} },
  { name: 'stitch_outbox_oldest_unsent_age_seconds', otel: 'stitch.outbox.oldest_unsent_age', type: 'gauge', unit: 's', help: 'Age of the oldest unsent outbox event; 0 when none waits.', labels: {} },
  { name: 'stitch_outbox_relayed_events_total', otel: 'stitch.outbox.relayed', type: 'counter', unit: '{event}', help: 'Outbox events the relays handled (when createMetrics is given them), by outcome (published, failed publishes, failed_poll = a batch that could not be claimed).', labels: { outcome: 'published, failed, failed_poll' } },
  { name: 'stitch_db_pool_connections', otel: 'stitch.db.pool.connections', type: 'gauge', unit: '{connection}', help: 'pg pool connections, by state (total, idle, waiting = clients queued for one).', labels: { pool: 'the pools given', state: 'total, idle, waiting' } },
  { name: 'stitch_ready', otel: 'stitch.ready', type: 'gauge', unit: '1', help: 'Readiness as /readyz answers it (when createMetrics is given the health): 1 ready, 0 not, per check and `all`.', labels: { check: 'the registered checks + all' } },
  { name: 'stitch_metrics_label_folds_total', otel: 'stitch.metrics.label_folds', type: 'counter', unit: '{value}', help: 'Label values folded into `other` because their label was at its bound, by metric and label.', labels: { metric: 'this table', label: 'this table' } },
]);

/** Each label's OpenTelemetry attribute name (`createOtelMetrics`): the convention's where one exists. */
export const OTEL_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({
  http_route: 'http.route',
  http_request_method: 'http.request.method',
  http_response_status_class: 'http.response.status_class',
  tenant_id: 'tenant.id',
  // The caller's query name, which is Stitch's (the convention's db.query.summary is `OPERATION table`).
  db_query_name: 'stitch.query.name',
  server_address: 'server.address',
  messaging_consumer_group_name: 'messaging.consumer.group.name',
  stitch_event_type: 'stitch.event.type',
  stitch_job_name: 'stitch.job.name',
});
