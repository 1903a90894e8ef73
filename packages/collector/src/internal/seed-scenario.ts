import { PERF_VIOLATION_EVENT, SpanAttr } from '@stitch/contract';
import { logsRequest, newSpanId, newTraceId, postOtlpJson, tracesRequest, type LogSpec, type SpanSpec } from './otlp-json-builder.js';

export interface TenantScenario {
  tenantId: string;
  /** A slow GET /orders/:id request whose dominant child is the orders.by_id query. */
  requestTraceId: string;
  requestSpanId: string;
  /** The job the request enqueued, run in its own trace, linked back. */
  jobTraceId: string;
  runId: string;
  jobId: string;
  /** A failing webhook delivery with 3 attempts. */
  webhookEndpoint: string;
  erroredTraceId: string;
}

/**
 * Seeds one tenant's worth of the story the questions answer: a slow route dominated by a query
 * over budget, a job it enqueued, a webhook retry storm, an error, and log lines. Sent through
 * the real OTLP/JSON receiver.
 */
export async function seedTenant(baseUrl: string, tenantId: string, label: string, nowMillis = Date.now()): Promise<TenantScenario> {
  const t = nowMillis - 60_000;
  const tenant = { [SpanAttr.tenantId]: tenantId };
  const requestTraceId = newTraceId();
  const requestSpanId = newSpanId();
  const querySpanId = newSpanId();
  const webhookEndpoint = `https://hooks.${label}.example/notify`;
  const runId = `run-${label}-0001`;
  const jobId = `job-${label}-0001`;
  const jobTraceId = newTraceId();
  const erroredTraceId = newTraceId();
  const erroredRoot = newSpanId();
  const spans: SpanSpec[] = [
    {
      traceId: requestTraceId,
      spanId: requestSpanId,
      name: 'GET /orders/:id',
      kind: 2,
      startMillis: t,
      durationMillis: 900,
      attributes: { ...tenant, [SpanAttr.routeId]: '/orders/:id', [SpanAttr.budgetMillis]: 500, [SpanAttr.perfViolation]: true, [SpanAttr.requestId]: `req-${label}-0001` },
      events: [{ name: PERF_VIOLATION_EVENT, timeMillis: t + 900, attributes: { component: 'route' } }],
    },
    {
      traceId: requestTraceId,
      spanId: querySpanId,
      parentSpanId: requestSpanId,
      name: 'orders.by_id',
      kind: 3,
      startMillis: t + 10,
      durationMillis: 700,
      attributes: { ...tenant, [SpanAttr.queryName]: 'orders.by_id', [SpanAttr.dbStatement]: 'select * from orders where id = $1', [SpanAttr.component]: 'query', [SpanAttr.budgetMillis]: 200, [SpanAttr.perfViolation]: true },
    },
    {
      traceId: requestTraceId,
      parentSpanId: requestSpanId,
      name: 'outbox.add',
      startMillis: t + 720,
      durationMillis: 5,
      attributes: { ...tenant },
    },
    // Fast requests so percentiles have a population.
    ...Array.from({ length: 9 }, (_, i) => ({
      traceId: newTraceId(),
      name: 'GET /orders/:id',
      kind: 2,
      startMillis: t + 1000 + i * 10,
      durationMillis: 40 + i,
      attributes: { ...tenant, [SpanAttr.routeId]: '/orders/:id', [SpanAttr.budgetMillis]: 500 },
    })),
    {
      traceId: jobTraceId,
      name: 'job send-receipt',
      kind: 5,
      startMillis: t + 2000,
      durationMillis: 120,
      attributes: {
        ...tenant,
        [SpanAttr.jobName]: 'send-receipt',
        [SpanAttr.jobId]: jobId,
        [SpanAttr.runId]: runId,
        [SpanAttr.parentTraceId]: requestTraceId,
        [SpanAttr.parentRequestId]: `req-${label}-0001`,
      },
      links: [{ traceId: requestTraceId, spanId: requestSpanId }],
    },
    ...[1, 2, 3].map((attempt) => ({
      traceId: jobTraceId,
      name: 'webhook.deliver',
      kind: 3,
      startMillis: t + 2010 + attempt * 20,
      durationMillis: 15,
      statusCode: 2,
      statusMessage: 'HTTP 503',
      attributes: { ...tenant, [SpanAttr.webhookEndpoint]: webhookEndpoint, [SpanAttr.webhookAttempt]: attempt, 'http.response.status_code': 503 },
    })),
    {
      traceId: erroredTraceId,
      spanId: erroredRoot,
      name: 'POST /payments',
      kind: 2,
      startMillis: t + 3000,
      durationMillis: 50,
      statusCode: 2,
      statusMessage: 'card declined',
      attributes: { ...tenant, [SpanAttr.routeId]: '/payments' },
    },
  ];
  const logs: LogSpec[] = [
    { timeMillis: t + 5, body: `${label}: loading order`, traceId: requestTraceId, spanId: requestSpanId, attributes: { tenant_id: tenantId } },
    { timeMillis: t + 900, body: `${label}: route over budget`, severityNumber: 13, severityText: 'WARN', traceId: requestTraceId, attributes: { tenant_id: tenantId, perf_violation: true } },
    { timeMillis: t + 3050, body: `${label}: payment failed`, severityNumber: 17, severityText: 'ERROR', traceId: erroredTraceId, attributes: { tenant_id: tenantId } },
  ];
  for (const [signal, body] of [
    ['traces', tracesRequest(`shop-${label}`, spans, { 'service.instance.id': `${label}-1` })],
    ['logs', logsRequest(`shop-${label}`, logs)],
  ] as const) {
    const res = await postOtlpJson(baseUrl, signal, body);
    if (res.status !== 200) throw new Error(`seeding ${signal} failed: ${res.status} ${await res.text()}`);
  }
  return { tenantId, requestTraceId, requestSpanId, jobTraceId, runId, jobId, webhookEndpoint, erroredTraceId };
}
