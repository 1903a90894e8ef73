/**
 * Seeds a running collector over OTLP/HTTP JSON (the real receiver, not the store) with two
 * tenants' traces and logs, for the web UI's API and browser tests. Every name of tenant B's
 * data contains `ledger`, so a test can prove none of it reached a page rendered for tenant A.
 */

export const TENANT_A = '0a0a0a0a-0000-4000-8000-00000000000a';
export const TENANT_B = '0b0b0b0b-0000-4000-8000-00000000000b';

/** Tenant A: POST /orders through api → billing, a slow query (budget violation), a retried webhook. */
export const TRACE_A = 'aaaa0000000000000000000000000001';
/** Tenant A: the `send-receipt` job run that POST /orders enqueued (its own trace, pointing back). */
export const TRACE_JOB = 'aaaa0000000000000000000000000004';
export const JOB_RUN_ID = 'run-receipt-1';
/** Tenant B: GET /ledger/entries in ledger-svc, failing. */
export const TRACE_B = 'bbbb0000000000000000000000000002';

type AttrValue = string | number | boolean;
interface SeedSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startOffsetMs: number;
  durationMs: number;
  attributes?: Record<string, AttrValue>;
  status?: { code: number; message?: string };
  events?: { offsetMs: number; name: string; attributes?: Record<string, AttrValue> }[];
  links?: { traceId: string; spanId: string; attributes?: Record<string, AttrValue> }[];
}

function kv(attrs: Record<string, AttrValue> = {}): { key: string; value: Record<string, AttrValue> }[] {
  return Object.entries(attrs).map(([key, v]): { key: string; value: Record<string, AttrValue> } => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: v } : { doubleValue: v },
  }));
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

function resourceSpans(traceId: string, service: string, baseMs: number, spans: SeedSpan[]): unknown {
  return {
    resource: { attributes: kv({ 'service.name': service, 'service.instance.id': `${service}-1` }) },
    scopeSpans: [
      {
        scope: { name: 'seed' },
        spans: spans.map((s) => ({
          traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: nanos(baseMs + s.startOffsetMs),
          endTimeUnixNano: nanos(baseMs + s.startOffsetMs + s.durationMs),
          attributes: kv(s.attributes),
          status: s.status ?? { code: 0 },
          events: (s.events ?? []).map((e) => ({ timeUnixNano: nanos(baseMs + e.offsetMs), name: e.name, attributes: kv(e.attributes) })),
          links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: kv(l.attributes) })),
        })),
      },
    ],
  };
}

function logRecord(traceId: string, spanId: string, tenantId: string, atMs: number, severity: number, body: string): unknown {
  return {
    timeUnixNano: nanos(atMs),
    severityNumber: severity,
    severityText: severity >= 17 ? 'ERROR' : severity >= 13 ? 'WARN' : 'INFO',
    body: { stringValue: body },
    traceId,
    spanId,
    attributes: kv({ tenant_id: tenantId }),
  };
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`seed POST ${url} answered ${res.status}: ${await res.text()}`);
}

/** Sends both tenants' spans and logs; `baseMs` is when trace A starts (default: 2 minutes ago). */
export async function seedTwoTenants(collectorUrl: string, baseMs = Date.now() - 120_000): Promise<void> {
  const a = { 'tenant.id': TENANT_A };
  const traces = {
    resourceSpans: [
      resourceSpans(TRACE_A, 'api', baseMs, [
        {
          spanId: 'a000000000000001',
          name: 'POST /orders',
          kind: 2,
          startOffsetMs: 0,
          durationMs: 640,
          attributes: { 'tenant.id': TENANT_A, 'http.route': 'POST /orders', 'stitch.request_id': 'req-orders-1', 'stitch.budget_ms': 500, 'stitch.perf_violation': true, 'http.response.status_code': 201 },
          events: [{ offsetMs: 640, name: 'stitch.perf_violation', attributes: { observed_ms: 640, budget_ms: 500 } }],
          links: [{ traceId: 'cccc0000000000000000000000000003', spanId: 'c000000000000001', attributes: { 'stitch.edge.untrusted': true } }],
        },
        { spanId: 'a000000000000002', parentSpanId: 'a000000000000001', name: 'auth.verify', kind: 1, startOffsetMs: 5, durationMs: 20, attributes: { ...a, 'stitch.component': 'auth' } },
        {
          spanId: 'a000000000000003',
          parentSpanId: 'a000000000000001',
          name: 'orders.insert',
          kind: 3,
          startOffsetMs: 30,
          durationMs: 310,
          attributes: { ...a, 'stitch.query.name': 'orders.insert', 'db.query.text': 'INSERT INTO orders (id, total) VALUES ($1, $2)', 'stitch.budget_ms': 200, 'stitch.perf_violation': true },
        },
        { spanId: 'a000000000000004', parentSpanId: 'a000000000000001', name: 'POST billing /charge', kind: 3, startOffsetMs: 350, durationMs: 200, attributes: { ...a, 'stitch.component': 'external' } },
        {
          spanId: 'a000000000000006',
          parentSpanId: 'a000000000000001',
          name: 'webhook.deliver',
          kind: 3,
          startOffsetMs: 560,
          durationMs: 60,
          attributes: { ...a, 'stitch.webhook.endpoint': 'https://hooks.example.test/orders', 'stitch.webhook.attempt': 3, 'http.response.status_code': 503 },
          status: { code: 2, message: 'webhook answered 503' },
        },
      ]),
      resourceSpans(TRACE_A, 'billing', baseMs, [
        { spanId: 'a000000000000005', parentSpanId: 'a000000000000004', name: 'POST /charge', kind: 2, startOffsetMs: 360, durationMs: 180, attributes: { ...a, 'http.route': 'POST /charge' } },
      ]),
      resourceSpans(TRACE_JOB, 'worker', baseMs + 700, [
        {
          spanId: 'a000000000000007',
          name: 'job send-receipt',
          kind: 5,
          startOffsetMs: 0,
          durationMs: 40,
          attributes: {
            ...a,
            'stitch.job.name': 'send-receipt',
            'stitch.job.id': 'job-receipt-1',
            'stitch.run_id': JOB_RUN_ID,
            'stitch.parent.trace_id': TRACE_A,
            'stitch.parent.request_id': 'req-orders-1',
          },
        },
      ]),
      resourceSpans(TRACE_B, 'ledger-svc', baseMs + 1000, [
        {
          spanId: 'b000000000000001',
          name: 'GET /ledger/entries',
          kind: 2,
          startOffsetMs: 0,
          durationMs: 90,
          attributes: { 'tenant.id': TENANT_B, 'http.route': 'GET /ledger/entries', 'http.response.status_code': 500 },
          status: { code: 2, message: 'ledger exploded' },
        },
        { spanId: 'b000000000000002', parentSpanId: 'b000000000000001', name: 'ledger.select', kind: 3, startOffsetMs: 10, durationMs: 50, attributes: { 'tenant.id': TENANT_B, 'stitch.query.name': 'ledger.select' } },
      ]),
    ],
  };
  const logs = {
    resourceLogs: [
      {
        resource: { attributes: kv({ 'service.name': 'api' }) },
        scopeLogs: [
          {
            scope: { name: 'seed' },
            logRecords: [
              logRecord(TRACE_A, 'a000000000000001', TENANT_A, baseMs + 1, 9, 'order request accepted'),
              logRecord(TRACE_A, 'a000000000000003', TENANT_A, baseMs + 340, 13, 'query orders.insert over budget: 310 ms > 200 ms'),
              logRecord(TRACE_A, 'a000000000000006', TENANT_A, baseMs + 620, 17, 'webhook delivery failed, retrying'),
            ],
          },
        ],
      },
      {
        resource: { attributes: kv({ 'service.name': 'ledger-svc' }) },
        scopeLogs: [{ scope: { name: 'seed' }, logRecords: [logRecord(TRACE_B, 'b000000000000001', TENANT_B, baseMs + 1050, 17, 'ledger exploded for ledger tenant')] }],
      },
    ],
  };
  await post(`${collectorUrl}/v1/traces`, traces);
  await post(`${collectorUrl}/v1/logs`, logs);
}
