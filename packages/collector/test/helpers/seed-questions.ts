import { SpanAttr } from '@stitch/contract';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../../src/internal/otlp-json-builder.js';

/**
 * Seeds a collector with one planted fault per seed question, shaped as the kernel writes its
 * spans (packages/kernel/src: server span, `enqueue <name>` producer span in the request's
 * trace, `job <name>` attempts in the worker's own trace linked back with `stitch.job.attempt`,
 * `webhook.deliver` attempts, `process_event` deliveries, `stitch.entry.*` on every hop,
 * `stitch.housekeeping` bookkeeping), among noise, for the web UI's browser test:
 *
 * - SLOW_TENANT is 40× the others on GET /reports (its `reports.by_month` query), while GET /burst
 *   is over budget for every tenant (platform-wide: a higher p95, but not the culprit);
 * - `ledger.rollup` costs more than `reports.by_month` in the last hour, and as much the hour
 *   before: the spike is `reports.by_month`;
 * - POST /invoices enqueues `invoice.render`; the worker's first attempt fails in `render.pdf`;
 * - endpoint `wh_storm` retries 4 times against a busy healthy `wh_busy`;
 * - consumer `billing-projector` gets `order.placed` ev-1 three times, failing each;
 * - a lone `outbox.purge` bookkeeping trace that search hides unless asked.
 */
export const SLOW_TENANT = '1c1c1c1c-0000-4000-8000-00000000001c';
export const OTHER_TENANTS = ['2d2d2d2d-0000-4000-8000-00000000002d', '3e3e3e3e-0000-4000-8000-00000000003e'] as const;
export const INVOICE_RUN_ID = 'run-invoice-1';
export const INVOICE_REQUEST_ID = 'req-invoice-1';
export const INVOICE_TRACE = newTraceId();
export const WORKER_TRACE = newTraceId();
export const HOUSEKEEPING_TRACE = newTraceId();

function request(tenantId: string, route: string, t: number, durationMillis: number, children: Omit<SpanSpec, 'traceId'>[], extra: Record<string, string | number | boolean> = {}, traceId = newTraceId()): SpanSpec[] {
  const rootId = newSpanId();
  const tenant = { [SpanAttr.tenantId]: tenantId };
  const entry = { [SpanAttr.entryKind]: 'http', [SpanAttr.entryRoute]: route };
  return [
    { traceId, spanId: rootId, name: route, kind: 2, startMillis: t, durationMillis, attributes: { ...tenant, ...entry, [SpanAttr.routeId]: route, [SpanAttr.budgetMillis]: 500, ...extra } },
    ...children.map((c) => ({ ...c, traceId, parentSpanId: c.parentSpanId ?? rootId, attributes: { ...tenant, ...entry, ...c.attributes } })),
  ];
}

function query(name: string, t: number, durationMillis: number): Omit<SpanSpec, 'traceId'> {
  return { name, kind: 3, startMillis: t, durationMillis, attributes: { [SpanAttr.queryName]: name, [SpanAttr.dbStatement]: `SELECT /* ${name} */ 1`, [SpanAttr.component]: 'query' } };
}

export async function seedQuestions(collectorUrl: string, nowMillis = Date.now()): Promise<void> {
  const t0 = nowMillis - 10 * 60_000;
  const api: SpanSpec[] = [];
  const worker: SpanSpec[] = [];
  const tenants = [SLOW_TENANT, ...OTHER_TENANTS];
  for (let i = 0; i < 5; i++) {
    const t = t0 + i * 1000;
    api.push(...request(SLOW_TENANT, 'GET /reports', t, 800, [query('reports.by_month', t + 5, 780)]));
    for (const other of OTHER_TENANTS) api.push(...request(other, 'GET /reports', t + 300, 20, [query('reports.by_month', t + 302, 10)]));
  }
  for (let i = 0; i < 3; i++) {
    for (const tenant of tenants) {
      const t = t0 + 20_000 + i * 3000;
      api.push(...request(tenant, 'GET /burst', t, 2400, [query('burst.scan', t + 2, 40)], { [SpanAttr.perfViolation]: true }));
    }
  }

  // An always-expensive query: more time than reports.by_month in the window, but as much the
  // hour before, so it did not cause the spike.
  for (const t of [nowMillis - 70 * 60_000, t0]) {
    for (let i = 0; i < 10; i++) api.push(...request(OTHER_TENANTS[1], 'GET /ledger', t + i * 1000, 510, [query('ledger.rollup', t + i * 1000 + 2, 500)]));
  }

  // The invoice request and its job: enqueue span in the request's trace, in the same
  // millisecond as the root (the SDK's start times tie), no parent-trace attribute.
  const ti = t0 + 40_000;
  const enqueueId = newSpanId();
  api.push(
    ...request(
      SLOW_TENANT,
      'POST /invoices',
      ti,
      30,
      [{ spanId: enqueueId, name: 'enqueue invoice.render', kind: 4, startMillis: ti, durationMillis: 2, attributes: { [SpanAttr.jobName]: 'invoice.render', [SpanAttr.runId]: INVOICE_RUN_ID, [SpanAttr.messagingSystem]: 'bullmq' } }],
      { [SpanAttr.requestId]: INVOICE_REQUEST_ID },
      INVOICE_TRACE,
    ),
  );
  const jobEntry = { [SpanAttr.tenantId]: SLOW_TENANT, [SpanAttr.entryKind]: 'http', [SpanAttr.entryRoute]: 'POST /invoices' };
  const attempt = (n: number, t: number, failed: boolean): SpanSpec[] => {
    const id = newSpanId();
    const job: SpanSpec = {
      traceId: WORKER_TRACE,
      spanId: id,
      name: 'job invoice.render',
      kind: 5,
      startMillis: t,
      durationMillis: 50,
      attributes: {
        ...jobEntry,
        [SpanAttr.jobName]: 'invoice.render',
        [SpanAttr.jobId]: 'job-invoice-1',
        [SpanAttr.runId]: INVOICE_RUN_ID,
        [SpanAttr.jobAttempt]: n,
        [SpanAttr.parentTraceId]: INVOICE_TRACE,
        [SpanAttr.parentRequestId]: INVOICE_REQUEST_ID,
      },
      links: [{ traceId: INVOICE_TRACE, spanId: enqueueId }],
      ...(failed && { statusCode: 2, statusMessage: 'pdf renderer crashed' }),
    };
    const step: SpanSpec = {
      traceId: WORKER_TRACE,
      parentSpanId: id,
      name: 'render.pdf',
      startMillis: t + 1,
      durationMillis: 40,
      attributes: jobEntry,
      ...(failed && { statusCode: 2, statusMessage: 'pdf renderer crashed', events: [{ name: 'exception', timeMillis: t + 41, attributes: { 'exception.type': 'STITCH_ERR_PDF_RENDER', 'exception.message': 'pdf renderer crashed' } }] }),
    };
    return [job, step];
  };
  worker.push(...attempt(1, ti + 100, true), ...attempt(2, ti + 2100, false));

  // Webhooks: a storm on one endpoint beside a busy healthy one (more attempts, no retries).
  const tw = t0 + 60_000;
  for (let n = 1; n <= 5; n++) {
    api.push(...request(OTHER_TENANTS[0], 'POST /orders', tw + n * 500, 60, [{ name: 'webhook.deliver', kind: 3, startMillis: tw + n * 500 + 1, durationMillis: 50, attributes: { [SpanAttr.webhookEndpoint]: 'wh_storm', [SpanAttr.webhookAttempt]: n, 'http.response.status_code': 503 }, statusCode: 2, statusMessage: 'webhook answered 503' }]));
  }
  for (let n = 0; n < 8; n++) {
    api.push(...request(OTHER_TENANTS[1], 'POST /orders', tw + 100 + n * 300, 40, [{ name: 'webhook.deliver', kind: 3, startMillis: tw + 101 + n * 300, durationMillis: 20, attributes: { [SpanAttr.webhookEndpoint]: 'wh_busy', [SpanAttr.webhookAttempt]: 1, 'http.response.status_code': 200 } }]));
  }

  // A consumer that keeps failing on the same event: three deliveries of ev-1.
  const te = t0 + 80_000;
  for (let n = 0; n < 3; n++) {
    worker.push({
      traceId: newTraceId(),
      name: 'process_event',
      kind: 5,
      startMillis: te + n * 1000,
      durationMillis: 5,
      attributes: { [SpanAttr.tenantId]: OTHER_TENANTS[1], [SpanAttr.eventId]: 'ev-1', [SpanAttr.eventType]: 'order.placed', 'messaging.consumer.group.name': 'billing-projector', [SpanAttr.entryKind]: 'consumer', [SpanAttr.entryRoute]: 'billing-projector' },
      statusCode: 2,
      statusMessage: 'projection conflict',
    });
  }

  // The kernel's own bookkeeping, in a trace of its own.
  worker.push({ traceId: HOUSEKEEPING_TRACE, name: 'outbox.purge', kind: 1, startMillis: t0 + 90_000, durationMillis: 3, attributes: { [SpanAttr.housekeeping]: true } });

  for (const [service, spans] of [
    ['api', api],
    ['worker', worker],
  ] as const) {
    const res = await postOtlpJson(collectorUrl, 'traces', tracesRequest(service, spans));
    if (res.status !== 200) throw new Error(`seed ${service} answered ${res.status}: ${await res.text()}`);
  }
}
