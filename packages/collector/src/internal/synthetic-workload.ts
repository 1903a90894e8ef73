import { PERF_VIOLATION_EVENT, SpanAttr } from '@stitch/contract';
import type { LogSpec, SpanSpec } from './otlp-json-builder.js';

/**
 * A deterministic synthetic workload for the store generator and the benches: requests of many
 * tenants through a handful of services, each with queries, an external call, sometimes a
 * webhook retry storm or a job it enqueued. Shaped like what the kernel emits, so the questions
 * have something real to find at scale.
 */

/** Mulberry32: tiny, fast, seedable; good enough for synthetic data. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(rng: () => number, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += Math.floor(rng() * 256).toString(16).padStart(2, '0');
  return s;
}

export function tenantIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = (i + 1).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  });
}

const ROUTES = ['GET /orders/:id', 'POST /orders', 'GET /invoices', 'POST /payments', 'GET /customers/:id', 'PUT /customers/:id', 'GET /search', 'POST /webhooks/test', 'GET /reports/:id', 'DELETE /orders/:id'];
const QUERIES = Array.from({ length: 30 }, (_, i) => `repo.q${String(i).padStart(2, '0')}`);
const SERVICES = ['api', 'billing', 'catalog', 'notifier'];
const ENDPOINTS = Array.from({ length: 40 }, (_, i) => `https://hooks.customer${i}.example/events`);

export interface SyntheticTrace {
  service: string;
  spans: SpanSpec[];
  logs: LogSpec[];
}

/**
 * One request trace (4–8 spans, average ~5) for `tenantId` starting at `startMillis`, plus
 * sometimes the job run it enqueued (its own trace, linked back).
 */
export function syntheticTrace(rng: () => number, tenantId: string, startMillis: number): SyntheticTrace {
  const traceId = hex(rng, 16);
  const rootId = hex(rng, 8);
  const route = ROUTES[Math.floor(rng() * rng() * ROUTES.length)]!;
  const service = SERVICES[Math.floor(rng() * SERVICES.length)]!;
  const tenant = { [SpanAttr.tenantId]: tenantId };
  const requestId = `req-${traceId.slice(0, 16)}`;
  const spans: SpanSpec[] = [];
  const logs: LogSpec[] = [];
  let cursor = startMillis + 1;
  const children = 2 + Math.floor(rng() * 3);
  for (let i = 0; i < children; i++) {
    const q = QUERIES[Math.floor(rng() * rng() * QUERIES.length)]!;
    // Long-tailed: most queries take a few ms, a few take hundreds.
    const d = 1 + Math.floor(rng() ** 6 * 400);
    const violation = d > 200;
    spans.push({
      traceId,
      parentSpanId: rootId,
      name: q,
      kind: 3,
      startMillis: cursor,
      durationMillis: d,
      attributes: {
        ...tenant,
        [SpanAttr.queryName]: q,
        [SpanAttr.dbStatement]: `select * from ${q.slice(5)} where tenant_id = $1`,
        [SpanAttr.component]: 'query',
        [SpanAttr.budgetMillis]: 200,
        ...(violation ? { [SpanAttr.perfViolation]: true } : {}),
      },
      ...(violation ? { events: [{ name: PERF_VIOLATION_EVENT, timeMillis: cursor + d }] } : {}),
    });
    cursor += d + 1;
  }
  const ext = 5 + Math.floor(rng() ** 4 * 900);
  spans.push({ traceId, parentSpanId: rootId, name: 'GET payments-gateway', kind: 3, startMillis: cursor, durationMillis: ext, attributes: { ...tenant, [SpanAttr.component]: 'external', 'server.address': 'payments.example' } });
  cursor += ext + 1;
  const failed = rng() < 0.02;
  const total = cursor - startMillis + 2;
  spans.unshift({
    traceId,
    spanId: rootId,
    name: route,
    kind: 2,
    startMillis,
    durationMillis: total,
    statusCode: failed ? 2 : 0,
    statusMessage: failed ? 'internal error' : '',
    attributes: { ...tenant, [SpanAttr.routeId]: route, [SpanAttr.requestId]: requestId, [SpanAttr.budgetMillis]: 500, 'http.response.status_code': failed ? 500 : 200, ...(total > 500 ? { [SpanAttr.perfViolation]: true } : {}) },
  });
  logs.push({ timeMillis: startMillis + 1, body: `handling ${route}`, traceId, spanId: rootId, attributes: { tenant_id: tenantId, component: 'route' } });
  if (failed) logs.push({ timeMillis: cursor, body: 'request failed', severityNumber: 17, severityText: 'ERROR', traceId, spanId: rootId, attributes: { tenant_id: tenantId } });
  // One request in ten enqueues a job; a third of those deliver a webhook that retries.
  if (rng() < 0.1) {
    const jobTrace = hex(rng, 16);
    const runId = `run-${jobTrace.slice(0, 12)}`;
    const jobStart = cursor + 5;
    spans.push({
      traceId: jobTrace,
      name: 'job notify',
      kind: 5,
      startMillis: jobStart,
      durationMillis: 30,
      attributes: { ...tenant, [SpanAttr.jobName]: 'notify', [SpanAttr.jobId]: `job-${jobTrace.slice(0, 12)}`, [SpanAttr.runId]: runId, [SpanAttr.parentTraceId]: traceId, [SpanAttr.parentRequestId]: requestId },
      links: [{ traceId, spanId: rootId }],
    });
    if (rng() < 0.33) {
      const endpoint = ENDPOINTS[Math.floor(rng() * rng() * ENDPOINTS.length)]!;
      const attempts = 1 + Math.floor(rng() * 4);
      for (let a = 1; a <= attempts; a++) {
        const ok = a === attempts && rng() < 0.7;
        spans.push({
          traceId: jobTrace,
          name: 'webhook.deliver',
          kind: 3,
          startMillis: jobStart + a * 5,
          durationMillis: 4,
          statusCode: ok ? 0 : 2,
          attributes: { ...tenant, [SpanAttr.webhookEndpoint]: endpoint, [SpanAttr.webhookAttempt]: a, 'http.response.status_code': ok ? 200 : 503 },
        });
      }
    }
  }
  return { service, spans, logs };
}
