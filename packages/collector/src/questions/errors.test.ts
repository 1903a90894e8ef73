import { ErrorsResponseSchema, SpanAttr, type ErrorGroup, type ErrorsResponse } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

// Spans shaped as the kernel writes them: an edge server span with `http.route`, `withSpan`
// steps and queries below it, errors recorded by recordError() (status ERROR with the message,
// and OpenTelemetry's `exception` event whose `exception.type` is the error's code, else its
// name), every span stamped with `stitch.entry.kind`/`stitch.entry.route` and its tenant.
const INITECH = '99999999-9999-4999-8999-999999999991';
const HOOLI = '99999999-9999-4999-8999-999999999992';
let c: TestCollector;
let t0: number;
const approvalTraces: string[] = [];

const httpEntry = (tenantId: string, route: string) => ({ [SpanAttr.tenantId]: tenantId, [SpanAttr.entryKind]: 'http', [SpanAttr.entryRoute]: route });

function exceptionEvent(atMillis: number, type: string, message: string): NonNullable<SpanSpec['events']>[number] {
  return { name: 'exception', timeMillis: atMillis, attributes: { 'exception.type': type, 'exception.message': message } };
}

/** POST /orders/:id/approve failing in its manager sign-off step; the error bubbles up to the route span. */
function failedApproval(tenantId: string, orderId: number, atMillis: number): SpanSpec[] {
  const traceId = newTraceId();
  approvalTraces.push(traceId);
  const root = newSpanId();
  const step = newSpanId();
  const message = `approval ${orderId} needs manager sign-off`;
  const entry = httpEntry(tenantId, '/orders/:id/approve');
  return [
    { traceId, spanId: root, name: 'POST /orders/:id/approve', kind: 2, startMillis: atMillis, durationMillis: 40, statusCode: 2, statusMessage: message, attributes: { ...entry, [SpanAttr.routeId]: '/orders/:id/approve', 'http.response.status_code': 409 }, events: [exceptionEvent(atMillis + 30, 'APPROVAL_SIGN_OFF_MISSING', message)] },
    { traceId, parentSpanId: root, name: 'orders.load', kind: 3, startMillis: atMillis + 2, durationMillis: 5, attributes: { ...entry, [SpanAttr.component]: 'query', [SpanAttr.queryName]: 'orders.load' } },
    { traceId, spanId: step, parentSpanId: root, name: 'approval.manager_sign_off', startMillis: atMillis + 10, durationMillis: 20, statusCode: 2, statusMessage: message, attributes: entry, events: [exceptionEvent(atMillis + 29, 'APPROVAL_SIGN_OFF_MISSING', message)] },
  ];
}

beforeAll(async () => {
  c = await startTestCollector();
  t0 = Date.now() - 120_000;
  // A request that enqueued a job; its attempts fail, exported later in their own batch.
  const invoiceTrace = newTraceId();
  const invoiceRoot = newSpanId();
  const enqueue = newSpanId();
  const invoiceEntry = httpEntry(HOOLI, '/invoices');
  const early: SpanSpec[] = [
    ...failedApproval(INITECH, 41, t0),
    ...failedApproval(INITECH, 40, t0 + 500),
    ...failedApproval(INITECH, 42, t0 + 1000),
    ...failedApproval(HOOLI, 7, t0 + 2000),
    { traceId: invoiceTrace, spanId: invoiceRoot, name: 'POST /invoices', kind: 2, startMillis: t0 + 3000, durationMillis: 20, attributes: { ...invoiceEntry, [SpanAttr.routeId]: '/invoices' } },
    { traceId: invoiceTrace, spanId: enqueue, parentSpanId: invoiceRoot, name: 'enqueue invoice.render', kind: 4, startMillis: t0 + 3005, durationMillis: 1, attributes: { ...invoiceEntry, [SpanAttr.jobName]: 'invoice.render' } },
    // A query failing with a message that holds LIKE wildcards, for --grep.
    { traceId: newTraceId(), name: 'POST /uploads', kind: 2, startMillis: t0 + 4000, durationMillis: 5, statusCode: 2, statusMessage: 'disk 100% full', attributes: { ...httpEntry(HOOLI, '/uploads'), [SpanAttr.routeId]: '/uploads' }, events: [exceptionEvent(t0 + 4004, '53100', 'disk 100% full')] },
    // The kernel's own bookkeeping failing: not a user's failure unless asked.
    { traceId: newTraceId(), name: 'INSERT stitch.job_runs', kind: 3, startMillis: t0 + 5000, durationMillis: 2, statusCode: 2, statusMessage: 'connection reset', attributes: { [SpanAttr.component]: 'query', [SpanAttr.housekeeping]: true, [SpanAttr.tenantId]: HOOLI } },
  ];
  const attempt = (n: number, withEntry: boolean): SpanSpec => ({
    traceId: invoiceTrace,
    parentSpanId: enqueue,
    name: 'job invoice.render',
    kind: 5,
    startMillis: t0 + 10_000 + n * 1000,
    durationMillis: 10,
    statusCode: 2,
    statusMessage: 'pdf renderer timed out after 3000 ms',
    // An older kernel did not carry the entry on late attempts: the trace's stored root names it.
    attributes: { ...(withEntry ? invoiceEntry : { [SpanAttr.tenantId]: HOOLI }), [SpanAttr.component]: 'job', [SpanAttr.jobName]: 'invoice.render', [SpanAttr.jobAttempt]: n },
    events: [exceptionEvent(t0 + 10_009 + n * 1000, 'TimeoutError', 'pdf renderer timed out after 3000 ms')],
  });
  for (const spans of [early, [attempt(1, true)], [attempt(2, false)], [attempt(3, false)]]) {
    const res = await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans));
    expect(res.status).toBe(200);
  }
});
afterAll(async () => {
  await c.stop();
});

async function ask(query: string, token = c.token('traces:read')): Promise<ErrorsResponse> {
  const res = await c.get(`/api/errors${query}`, token);
  expect(res.status).toBe(200);
  return ErrorsResponseSchema.parse(await res.json());
}

const rowFor = (groups: ErrorGroup[], step: string): ErrorGroup | undefined => groups.find((g) => g.step === step);

describe('stitch errors', () => {
  it('is one row per failure: its entry, the deepest failing step, the error code, the latest message, the tenants with counts', async () => {
    const { groups } = await ask('?since=1h');
    expect(groups[0]).toMatchObject({
      entryKind: 'http',
      entry: '/orders/:id/approve',
      step: 'approval.manager_sign_off',
      errorType: 'APPROVAL_SIGN_OFF_MISSING',
      message: 'approval 7 needs manager sign-off',
      count: 4,
      traceCount: 4,
      tenants: [
        { tenantId: INITECH, count: 3 },
        { tenantId: HOOLI, count: 1 },
      ],
      tenantCount: 2,
      firstSeen: new Date(t0 + 10).toISOString(),
      lastSeen: new Date(t0 + 2010).toISOString(),
    });
    expect(approvalTraces).toContain(groups[0]?.exampleTraceIds[0]);
    // The route span the error bubbled up to is not a second failure.
    expect(groups.filter((g) => g.entry === '/orders/:id/approve')).toHaveLength(1);
  });

  it('puts a job’s late attempts under the request that enqueued them, one row, whether or not they carried the entry', async () => {
    const { groups } = await ask('?since=1h');
    const job = groups.filter((g) => g.step === 'job invoice.render');
    expect(job).toEqual([
      expect.objectContaining({ entryKind: 'http', entry: '/invoices', errorType: 'TimeoutError', component: 'job', count: 3, traceCount: 1, tenants: [{ tenantId: HOOLI, count: 3 }] }),
    ]);
  });

  it('leaves the kernel’s bookkeeping failures out unless housekeeping=true is asked', async () => {
    expect(rowFor((await ask('?since=1h')).groups, 'INSERT stitch.job_runs')).toBeUndefined();
    expect(rowFor((await ask('?since=1h&housekeeping=true')).groups, 'INSERT stitch.job_runs')).toMatchObject({ message: 'connection reset', count: 1 });
  });

  it('--grep finds a failure by its message or its code, case-insensitively, and answers which tenants saw it', async () => {
    const byMessage = await ask('?since=1h&grep=MANAGER%20SIGN-OFF');
    expect(byMessage.groups.map((g) => [g.step, g.tenants])).toEqual([
      [
        'approval.manager_sign_off',
        [
          { tenantId: INITECH, count: 3 },
          { tenantId: HOOLI, count: 1 },
        ],
      ],
    ]);
    expect((await ask('?since=1h&grep=approval_sign_off')).groups.map((g) => g.step)).toEqual(['approval.manager_sign_off']);
    expect((await ask('?since=1h&grep=timeouterror')).groups.map((g) => g.step)).toEqual(['job invoice.render']);
  });

  it('--grep takes hostile text as data: wildcards match themselves, quotes and SQL match nothing, and nothing breaks', async () => {
    expect((await ask(`?since=1h&grep=${encodeURIComponent('100%')}`)).groups.map((g) => g.entry)).toEqual(['/uploads']);
    expect((await ask(`?since=1h&grep=${encodeURIComponent('%')}`)).groups.map((g) => g.entry)).toEqual(['/uploads']);
    // `_` as a LIKE pattern would match any character of every message.
    expect((await ask(`?since=1h&grep=${encodeURIComponent('pdf_renderer')}`)).groups).toEqual([]);
    for (const hostile of ["' OR 1=1 --", "'); DROP TABLE spans; --", '$grep', '\\', '"']) {
      expect((await ask(`?since=1h&grep=${encodeURIComponent(hostile)}`)).groups).toEqual([]);
    }
    expect((await ask('?since=1h')).groups.length).toBe(3);
  });

  it('refuses an empty or overlong --grep and a bad limit with a clear error, and still answers afterwards', async () => {
    const token = c.token('traces:read');
    const long = await c.get(`/api/errors?grep=${'x'.repeat(201)}`, token);
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('grep');
    expect((await c.get('/api/errors?limit=abc', token)).status).toBe(400);
    for (const argv of [['errors', '--grep', ''], ['errors', '--grep'], ['errors', '--limit', '-1']]) {
      let err = '';
      const code = await runCli([...argv, '--url', c.url, '--token', token], { stdout: () => undefined, stderr: (t) => (err += t), env: {} });
      expect(code, argv.join(' ')).toBe(2);
      expect(err).toMatch(/--grep|--limit/);
      expect(err).toContain('stitch errors');
    }
    expect((await ask('?since=1h')).groups[0]?.step).toBe('approval.manager_sign_off');
  });

  it('shows a tenant-bound token its own failures and counts only', async () => {
    const { groups } = await ask('?since=1h', c.token('traces:read', INITECH));
    expect(groups.map((g) => [g.step, g.count, g.tenants])).toEqual([['approval.manager_sign_off', 3, [{ tenantId: INITECH, count: 3 }]]]);
  });

  it('prints the culprit first: entry, failing step, error, message, then the tenants with counts', async () => {
    let out = '';
    const code = await runCli(['errors', '--grep', 'sign-off', '--url', c.url, '--token', c.token('traces:read')], { stdout: (t) => (out += t), stderr: () => undefined, env: {} });
    expect(code).toBe(0);
    const [header, first] = out.split('\n');
    expect(header).toMatch(/^ENTRY\s+FAILING STEP\s+ERROR\s+MESSAGE\s+COUNT\s+TRACES\s+TENANTS/);
    expect(first).toMatch(/^http \/orders\/:id\/approve\s+approval\.manager_sign_off\s+APPROVAL_SIGN_OFF_MISSING\s+approval 7 needs manager sign-off\s+4\s+4\s+2 tenants: /);
    expect(first).toContain(`${INITECH}×3`);
  });
});
