import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import { BoundedLabel, EnumLabel, OTHER } from './label-guard.js';
import type { FoldCounter } from './label-guard.js';
import type { LabelBounds } from './metric-catalogue.js';
import type { HistogramLike } from './metrics-backend.js';
import type { TenantLabel } from './tenant-label.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '_OTHER']);
const STATUS_CLASSES = new Set(['1xx', '2xx', '3xx', '4xx', '5xx', 'none']);
const EVENT_OUTCOMES = new Set(['handled', 'skipped-condition', 'skipped-type', 'skipped-duplicate', 'failed']);
const JOB_OUTCOMES = new Set(['succeeded', 'retrying', 'failed']);
const WEBHOOK_OUTCOMES = new Set(['delivered', 'retrying', 'dead', 'disabled']);

export interface SpanHistograms {
  readonly httpServer: HistogramLike;
  readonly dbQuery: HistogramLike;
  readonly httpClient: HistogramLike;
  readonly eventProcess: HistogramLike;
  readonly jobRun: HistogramLike;
  readonly jobQueueWait: HistogramLike;
  readonly webhookAttempt: HistogramLike;
}

function seconds(span: ReadableSpan): number {
  return span.duration[0] + span.duration[1] / 1e9;
}

function text(span: ReadableSpan, key: string): string | undefined {
  const value = span.attributes[key];
  return value === undefined ? undefined : String(value);
}

// Under @opentelemetry/instrumentation-http (integration mode, docs/opentelemetry.md) the server
// span is the instrumentation's, which writes the older semantic conventions unless
// OTEL_SEMCONV_STABILITY_OPT_IN=http: `http.status_code` and `http.method`.
function statusClass(span: ReadableSpan): string {
  const code = Number(span.attributes['http.response.status_code'] ?? span.attributes['http.status_code']);
  return code >= 100 && code < 600 ? `${Math.floor(code / 100)}xx` : 'none';
}

/**
 * RED and durations from ended spans: the edge's server span per route template (never the URL),
 * a traced query per query name, an outgoing call per destination host, an event handler run,
 * a job attempt, a webhook attempt. Registered as a span observer, so it sees unsampled spans
 * too (see span-observers.ts). Every label goes through its bound.
 */
export class SpanMetricsProcessor implements SpanProcessor {
  private readonly route: BoundedLabel;
  private readonly method: EnumLabel;
  private readonly status: EnumLabel;
  private readonly query: BoundedLabel;
  private readonly host: BoundedLabel;
  private readonly clientMethod: EnumLabel;
  private readonly consumer: BoundedLabel;
  private readonly eventType: BoundedLabel;
  private readonly eventOutcome: EnumLabel;
  private readonly job: BoundedLabel;
  private readonly jobOutcome: EnumLabel;
  private readonly webhookOutcome: EnumLabel;
  private readonly redeliveredConsumer: BoundedLabel;
  private readonly redeliveredType: BoundedLabel;
  /** Redeliveries by consumer and event type (bounded labels, NUL-joined), read at collection. */
  private readonly redeliveries = new Map<string, number>();

  constructor(
    private readonly histograms: SpanHistograms,
    bounds: LabelBounds,
    folds: FoldCounter,
    private readonly tenant: TenantLabel | undefined,
  ) {
    const server = 'http_server_request_duration_seconds';
    this.route = new BoundedLabel(server, 'http_route', bounds.routes, folds, new Set([OTHER, 'unmatched']));
    this.method = new EnumLabel(server, 'http_request_method', METHODS, folds);
    this.status = new EnumLabel(server, 'http_response_status_class', STATUS_CLASSES, folds);
    this.query = new BoundedLabel('db_client_operation_duration_seconds', 'db_query_name', bounds.queries, folds, new Set([OTHER, 'unnamed']));
    this.host = new BoundedLabel('http_client_request_duration_seconds', 'server_address', bounds.hosts, folds);
    this.clientMethod = new EnumLabel('http_client_request_duration_seconds', 'http_request_method', METHODS, folds);
    this.consumer = new BoundedLabel('messaging_process_duration_seconds', 'messaging_consumer_group_name', bounds.consumers, folds);
    this.eventType = new BoundedLabel('messaging_process_duration_seconds', 'stitch_event_type', bounds.eventTypes, folds);
    this.eventOutcome = new EnumLabel('messaging_process_duration_seconds', 'outcome', EVENT_OUTCOMES, folds);
    this.job = new BoundedLabel('stitch_job_run_duration_seconds', 'stitch_job_name', bounds.jobs, folds);
    this.jobOutcome = new EnumLabel('stitch_job_run_duration_seconds', 'outcome', JOB_OUTCOMES, folds);
    this.webhookOutcome = new EnumLabel('stitch_webhook_attempt_duration_seconds', 'outcome', WEBHOOK_OUTCOMES, folds);
    this.redeliveredConsumer = new BoundedLabel('stitch_event_redeliveries_total', 'messaging_consumer_group_name', bounds.consumers, folds);
    this.redeliveredType = new BoundedLabel('stitch_event_redeliveries_total', 'stitch_event_type', bounds.eventTypes, folds);
  }

  /** `stitch_event_redeliveries_total`'s series: the process_event spans the bus marked redelivered. */
  *redeliveryCounts(): Iterable<{ labels: Record<string, string>; count: number }> {
    for (const [key, count] of this.redeliveries) {
      const [consumer = OTHER, type = OTHER] = key.split('\u0000');
      yield { labels: { messaging_consumer_group_name: consumer, stitch_event_type: type }, count };
    }
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    const component = span.attributes[SpanAttr.component];
    const failed = span.status.code === SpanStatusCode.ERROR;
    if (component === 'route' && span.kind === SpanKind.SERVER) {
      const labels: Record<string, string> = {
        http_route: this.route.value(text(span, SpanAttr.routeId) ?? 'unmatched'),
        http_request_method: this.method.value(text(span, 'http.request.method') ?? text(span, 'http.method') ?? '_OTHER'),
        http_response_status_class: this.status.value(statusClass(span)),
      };
      if (this.tenant !== undefined) labels.tenant_id = this.tenant.value(text(span, SpanAttr.tenantId));
      this.histograms.httpServer.observe(labels, seconds(span));
    } else if (component === 'query') {
      this.histograms.dbQuery.observe({ db_query_name: this.query.value(text(span, SpanAttr.queryName) ?? 'unnamed'), outcome: failed ? 'error' : 'ok' }, seconds(span));
    } else if (span.name === 'webhook.deliver') {
      this.histograms.webhookAttempt.observe({ outcome: this.webhookOutcome.value(text(span, 'stitch.webhook.final_state') ?? OTHER) }, seconds(span));
    } else if (component === 'external' && span.kind === SpanKind.CLIENT) {
      this.histograms.httpClient.observe(
        {
          server_address: this.host.value(text(span, 'server.address') ?? OTHER),
          http_request_method: this.clientMethod.value(text(span, 'http.request.method') ?? '_OTHER'),
          http_response_status_class: statusClass(span),
        },
        seconds(span),
      );
    } else if (component === 'job') {
      const job = this.job.value(text(span, SpanAttr.jobName) ?? OTHER);
      this.histograms.jobRun.observe({ stitch_job_name: job, outcome: this.jobOutcome.value(text(span, 'stitch.job.outcome') ?? (failed ? 'failed' : 'succeeded')) }, seconds(span));
      const waitMillis = span.attributes['stitch.job.queue_wait_ms'];
      if (typeof waitMillis === 'number') this.histograms.jobQueueWait.observe({ stitch_job_name: job }, waitMillis / 1000);
    } else if (span.name === 'process_event' && span.kind === SpanKind.CONSUMER) {
      this.histograms.eventProcess.observe(
        {
          messaging_consumer_group_name: this.consumer.value(text(span, SpanAttr.consumerGroup) ?? OTHER),
          stitch_event_type: this.eventType.value(text(span, SpanAttr.eventType) ?? OTHER),
          outcome: this.eventOutcome.value(failed ? 'failed' : (text(span, 'stitch.event.outcome') ?? 'handled')),
        },
        seconds(span),
      );
      if (span.attributes['stitch.event.redelivered'] === true) {
        const key = `${this.redeliveredConsumer.value(text(span, SpanAttr.consumerGroup) ?? OTHER)}\u0000${this.redeliveredType.value(text(span, SpanAttr.eventType) ?? OTHER)}`;
        this.redeliveries.set(key, (this.redeliveries.get(key) ?? 0) + 1);
      }
    }
  }

  forceFlush = async (): Promise<void> => {};
  shutdown = async (): Promise<void> => {};
}
