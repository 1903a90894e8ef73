import { SpanAttr, TraceSearchResponseSchema } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest, type SpanSpec } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';
import { parseAttributeMatch } from './span-attribute-filter.js';

const TENANT = '55555555-5555-4555-8555-555555555555';
const invoice = newTraceId();
const refund = newTraceId();
const purge = newTraceId();
let c: TestCollector;
let token: string;

/** A request with one child: the filters must match on the child, not only the root. */
function request(traceId: string, t: number, route: string, child: Omit<SpanSpec, 'traceId' | 'startMillis' | 'durationMillis'>): SpanSpec[] {
  const rootId = newSpanId();
  const tenant = { [SpanAttr.tenantId]: TENANT };
  return [
    { traceId, spanId: rootId, name: route, kind: 2, startMillis: t, durationMillis: 20, attributes: { ...tenant, [SpanAttr.routeId]: route } },
    { ...child, traceId, parentSpanId: rootId, startMillis: t + 1, durationMillis: 5, attributes: { ...tenant, ...child.attributes } },
  ];
}

beforeAll(async () => {
  c = await startTestCollector();
  token = c.token('traces:read');
  const t = Date.now() - 10_000;
  const spans = [
    ...request(invoice, t, 'POST /invoices', {
      name: 'enqueue invoice.render',
      kind: 4,
      attributes: { [SpanAttr.jobName]: 'invoice.render', [SpanAttr.jobId]: 'job-77', [SpanAttr.messagingSystem]: 'bullmq', [SpanAttr.budgetMillis]: 500 },
    }),
    ...request(refund, t + 100, 'POST /refunds', {
      name: 'POST psp /refund',
      kind: 3,
      attributes: { 'http.response.status_code': 503, 'server.address': 'psp.example', 'stitch.retry': true, 'psp.note': 'said "no" \\ twice', 'psp.kind': 'bullmq-like' },
    }),
    // The kernel's bookkeeping in a trace of its own (an outbox purge), tenant-less.
    { traceId: purge, name: 'outbox.purge', startMillis: t + 200, durationMillis: 2, attributes: { [SpanAttr.housekeeping]: true } },
  ];
  expect((await postOtlpJson(c.url, 'traces', tracesRequest('shop', spans))).status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

async function search(query: string): Promise<string[]> {
  const res = await c.get(`/api/traces?${query}`, token);
  expect(res.status, await res.clone().text()).toBe(200);
  return TraceSearchResponseSchema.parse(await res.json()).traces.map((tr) => tr.traceId);
}

describe('trace search by span name and attribute', () => {
  it.each([
    ['name=invoice.render', [invoice]],
    ['name=ENQUEUE', [invoice]], // case-insensitive
    ['name=refund', [refund]], // the root's name counts as well as a child's
    ['name=nothing-like-this', []],
  ])('?%s finds the traces with a span whose name contains the text', async (query, expected) => {
    expect(await search(query)).toEqual(expected);
  });

  it.each([
    // Attributes the store keeps as columns…
    ['attr=stitch.job.id%3Djob-77', [invoice]],
    ['attr=http.response.status_code%3D503', [refund]],
    ['attr=stitch.budget_ms%3D500', [invoice]],
    ['attr=tenant.id%3D' + TENANT, [refund, invoice]],
    // …and those it keeps in the JSON of the rest, strings, numbers and booleans as text.
    ['attr=messaging.system.name%3Dbullmq', [invoice]],
    ['attr=server.address%3Dpsp.example', [refund]],
    ['attr=stitch.retry%3Dtrue', [refund]],
    ['attr=messaging.system.name%3Dkafka', []],
    // A value JSON escapes (quotes, a backslash) is matched on the parsed JSON…
    ['attr=psp.note%3D' + encodeURIComponent('said "no" \\ twice'), [refund]],
    // …and text found elsewhere in the span's JSON is not a match for this key.
    ['attr=psp.kind%3Dbullmq', []],
    ['attr=messaging.system.name%3Dbullmq-like', []],
  ])('?%s finds the traces with a span carrying that value', async (query, expected) => {
    expect(await search(query)).toEqual(expected);
  });

  it('combines the span-name and attribute filters with the others', async () => {
    expect(await search('name=enqueue&attr=http.response.status_code%3D503')).toEqual([]);
    expect(await search('name=psp&route=POST%20%2Frefunds')).toEqual([refund]);
  });

  it('leaves the kernel bookkeeping traces out unless ?housekeeping=true', async () => {
    expect(await search('')).toEqual([refund, invoice]);
    expect(await search('housekeeping=true')).toEqual([purge, refund, invoice]);
    expect(await search('housekeeping=true&name=purge')).toEqual([purge]);
  });

  it('refuses an attribute filter that is not key=value with a 400 naming attr', async () => {
    for (const bad of ['no-equals', '%3Dvalue', 'bad%20key%3Dv']) {
      const res = await c.get(`/api/traces?attr=${bad}`, token);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('attr');
    }
  });
});

describe('parseAttributeMatch', () => {
  it('splits at the first =, so a value may contain one', () => {
    expect(parseAttributeMatch('db.query.text=a=b')).toEqual({ key: 'db.query.text', value: 'a=b' });
    expect(parseAttributeMatch(' http.route = /x ')).toEqual({ key: 'http.route', value: '/x' });
  });
});
