import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeOtlp, encodeExportResponse, LogsRequest, TracesRequest, TracesResponse } from './decode.js';

// shared/ sits beside the checkout (as in CI): <checkout>/../shared.
const examples = fileURLToPath(new URL('../../../../../shared/specs/otlp-examples', import.meta.url));
const exampleTrace = readFileSync(`${examples}/upstream-example-trace.json`);
const exampleLogs = readFileSync(`${examples}/upstream-example-logs.json`);

describe('decodeOtlp', () => {
  it('reads the upstream OTLP/JSON trace example with upper-case hex ids folded to lower case', () => {
    const r = decodeOtlp('traces', 'json', exampleTrace);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.batch.spans).toHaveLength(1);
    const span = r.batch.spans[0]!;
    expect(span.traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(span.spanId).toBe('eee19b7ec3c1b174');
    expect(span.service).toBe('my.service');
    expect(span.kind).toBe(2);
    expect(span.durationMillis).toBe(1000);
    expect(JSON.parse(span.attributes)).toEqual({ 'my.span.attr': 'some value' });
  });

  it('reads the upstream OTLP/JSON logs example, keeping typed attributes and the body', () => {
    const r = decodeOtlp('logs', 'json', exampleLogs);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const log = r.batch.logs[0]!;
    expect(log.body).toBe('Example log record');
    expect(log.traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(JSON.parse(log.attributes)).toMatchObject({ 'int.attribute': 10, 'array.attribute': ['many', 'values'] });
  });

  it('decodes protobuf bodies into the same rows as their JSON form', () => {
    const json = decodeOtlp('traces', 'json', exampleTrace);
    const asObject = JSON.parse(exampleTrace.toString()) as { resourceSpans: { scopeSpans: { spans: Record<string, string>[] }[] }[] };
    for (const span of asObject.resourceSpans[0]!.scopeSpans[0]!.spans) {
      for (const k of ['traceId', 'spanId', 'parentSpanId']) span[k] = Buffer.from(span[k]!, 'hex').toString('base64');
    }
    const bytes = TracesRequest.encode(TracesRequest.fromObject(asObject)).finish();
    const proto = decodeOtlp('traces', 'protobuf', Buffer.from(bytes));
    expect(proto).toEqual(json);
  });

  it('decodes protobuf log records (with and without trace ids) into the same rows as their JSON form', () => {
    const asObject = JSON.parse(exampleLogs.toString()) as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
    const records = asObject.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    records.push({ ...records[0]!, traceId: undefined, spanId: undefined, body: { intValue: '9007199254740993' } });
    const json = decodeOtlp('logs', 'json', Buffer.from(JSON.stringify(asObject)));
    for (const r of records) {
      for (const k of ['traceId', 'spanId']) if (typeof r[k] === 'string') r[k] = Buffer.from(r[k] as string, 'hex').toString('base64');
    }
    const bytes = LogsRequest.encode(LogsRequest.fromObject(asObject)).finish();
    const proto = decodeOtlp('logs', 'protobuf', Buffer.from(bytes));
    expect(proto).toEqual(json);
    expect(proto.ok && proto.batch.logs.map((l) => [l.traceId, l.body])).toEqual([
      ['5b8efff798038103d269b633813fc60c', 'Example log record'],
      [null, '9007199254740993'],
    ]);
  });

  it('counts spans with invalid ids as rejected instead of failing the request', () => {
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: 'zz', spanId: '0102030405060708', name: 'bad' },
                { traceId: '00000000000000000000000000000000', spanId: '0102030405060708', name: 'zero' },
                { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'good' },
              ],
            },
          ],
        },
      ],
    };
    const r = decodeOtlp('traces', 'json', Buffer.from(JSON.stringify(body)));
    expect(r.ok && r.batch.rejected).toBe(2);
    expect(r.ok && r.batch.spans.map((s) => s.name)).toEqual(['good']);
  });

  it('gives a span without tenant.id its ancestor’s tenant and entry route from the same request', () => {
    const traceId = '0102030405060708090a0b0c0d0e0f10';
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId, spanId: '1111111111111111', name: 'GET /x', kind: 2, attributes: [{ key: 'tenant.id', value: { stringValue: 't1' } }, { key: 'http.route', value: { stringValue: '/x' } }] },
                { traceId, spanId: '2222222222222222', parentSpanId: '1111111111111111', name: 'pg.query', events: [{ name: 'e' }] },
                { traceId, spanId: '3333333333333333', parentSpanId: '2222222222222222', name: 'nested' },
                { traceId, spanId: '4444444444444444', parentSpanId: '9999999999999999', name: 'orphan' },
              ],
            },
          ],
        },
      ],
    };
    const r = decodeOtlp('traces', 'json', Buffer.from(JSON.stringify(body)));
    if (!r.ok) throw new Error(r.detail);
    expect(r.batch.spans.map((s) => [s.name, s.tenantId, s.entryRoute])).toEqual([
      ['GET /x', 't1', '/x'],
      ['pg.query', 't1', '/x'],
      ['nested', 't1', '/x'],
      ['orphan', null, null],
    ]);
    expect(r.batch.events[0]?.tenantId).toBe('t1');
  });

  it('makes a server span without a parent in the request its own entry, when no span of the request has a parent', () => {
    const traceId = '0102030405060708090a0b0c0d0e0f10';
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId, spanId: '1111111111111111', name: 'GET /x', kind: 2, attributes: [{ key: 'http.route', value: { stringValue: '/x' } }] },
                { traceId, spanId: '2222222222222222', name: 'work', kind: 1, attributes: [{ key: 'http.route', value: { stringValue: '/y' } }] },
                { traceId: traceId.toUpperCase(), spanId: '3333333333333333', name: 'GET /z', kind: 2 },
              ],
            },
          ],
        },
      ],
    };
    const r = decodeOtlp('traces', 'json', Buffer.from(JSON.stringify(body)));
    if (!r.ok) throw new Error(r.detail);
    expect(r.batch.spans.map((s) => [s.name, s.traceId, s.entryRoute, s.entryKind, s.attributes])).toEqual([
      ['GET /x', traceId, '/x', 'http', '{}'],
      ['work', traceId, null, null, '{}'],
      ['GET /z', traceId, null, null, '{}'],
    ]);
  });

  it('reads the query name from the caller (stitch.query.name), else the summary (db.query.summary), else older kernels (db.query.name)', () => {
    const traceId = '0102030405060708090a0b0c0d0e0f10';
    const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId, spanId: '1111111111111111', name: 'orders.by_id', kind: 3, attributes: [str('stitch.query.name', 'orders.by_id'), str('db.query.summary', 'SELECT orders')] },
                { traceId, spanId: '2222222222222222', name: 'orders.by_id', kind: 3, attributes: [str('db.query.name', 'orders.by_id')] },
                // Another SDK's pg span (or an unnamed kernel query): the convention's summary is the name.
                { traceId, spanId: '3333333333333333', name: 'SELECT orders', kind: 3, attributes: [str('db.query.summary', 'SELECT orders'), str('db.system.name', 'postgresql')] },
              ],
            },
          ],
        },
      ],
    };
    const r = decodeOtlp('traces', 'json', Buffer.from(JSON.stringify(body)));
    if (!r.ok) throw new Error(r.detail);
    expect(r.batch.spans.map((s) => s.queryName)).toEqual(['orders.by_id', 'orders.by_id', 'SELECT orders']);
    // Lifted, not kept twice; the summary stays in the attributes for the trace view.
    expect(r.batch.spans.map((s) => JSON.parse(s.attributes) as Record<string, unknown>)).toEqual([
      { 'db.query.summary': 'SELECT orders' },
      {},
      { 'db.query.summary': 'SELECT orders', 'db.system.name': 'postgresql' },
    ]);
  });

  it.each([
    ['truncated protobuf', 'protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['JSON syntax error', 'json', Buffer.from('{"resourceSpans": [')],
    ['a JSON array', 'json', Buffer.from('[1,2]')],
  ] as const)('returns a failure value for %s', (_name, encoding, body) => {
    expect(decodeOtlp('traces', encoding, body).ok).toBe(false);
  });

  it('survives hostile JSON shapes: wrong types, deep nesting, huge numbers', () => {
    const levels = 3000;
    const deep = '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels) + '{"stringValue":"x"}' + '}]}}'.repeat(levels);
    const body = {
      resourceSpans: [
        { resource: 'nope', scopeSpans: [{ spans: [{ traceId: 5, spanId: {} }, null, 'x'] }] },
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: '0102030405060708',
                  startTimeUnixNano: '99999999999999999999999',
                  attributes: [{ key: 'deep', value: 'DEEP' }, { key: 7 }, null],
                },
              ],
            },
          ],
        },
      ],
    };
    const r = decodeOtlp('traces', 'json', Buffer.from(JSON.stringify(body).replace('"DEEP"', deep)));
    expect(r.ok).toBe(true);
    expect(r.ok && r.batch.rejected).toBe(4);
  });
});

describe('encodeExportResponse', () => {
  it('reports rejected spans in partial_success for protobuf and JSON', () => {
    const proto = encodeExportResponse('traces', 'protobuf', 3, 'bad ids');
    expect(TracesResponse.toObject(TracesResponse.decode(proto.body as Buffer), { longs: Number })).toEqual({
      partialSuccess: { rejectedSpans: 3, errorMessage: 'bad ids' },
    });
    expect(JSON.parse(encodeExportResponse('logs', 'json', 2, 'x').body as string)).toEqual({
      partialSuccess: { rejectedLogRecords: '2', errorMessage: 'x' },
    });
  });
});
