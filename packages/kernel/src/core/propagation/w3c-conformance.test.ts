import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, SpanKind, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { W3C_TRACE_CONTEXT_CASES } from './internal/w3c-test-cases.js';
import type { HeaderLines } from './internal/w3c-test-cases.js';
import { parseTraceparent } from './traceparent.js';
import { parseTracestate } from './tracestate.js';
import { stitchPropagator } from './stitch-propagator.js';

// The W3C suite's request cases through a real Node server: the raw header lines go over the
// wire (casing, repeats and OWS as the harness sends them), the server extracts with
// stitchPropagator, starts its span, and answers with the headers it would send downstream.
const tracer = new BasicTracerProvider().getTracer('w3c-conformance');
let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const parent = stitchPropagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer.startSpan('POST /test', { kind: SpanKind.SERVER }, parent);
    const outgoing: Record<string, string> = {};
    stitchPropagator.inject(trace.setSpan(parent, span), outgoing, defaultTextMapSetter);
    span.end();
    res.setHeader('content-type', 'application/json').end(JSON.stringify(outgoing));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.close();
});

async function send(lines: HeaderLines): Promise<Record<string, string>> {
  const raw = ['Host', `127.0.0.1:${port}`, ...lines.flat()];
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/test', headers: raw });
  req.end();
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return JSON.parse(body) as Record<string, string>;
}

describe('W3C Trace Context test suite (test.py, strict level 2)', () => {
  it.each(W3C_TRACE_CONTEXT_CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const out = await send(testCase.headers);
    const traceparent = parseTraceparent(out.traceparent);
    expect(traceparent.ok, `outgoing traceparent ${out.traceparent}`).toBe(true);
    if (!traceparent.ok) return;
    const sent = testCase.headers.filter(([name]) => name.toLowerCase() === 'traceparent').map(([, v]) => v.trim().slice(3, 35));
    if (testCase.traceId === 'new') {
      for (const incoming of sent) expect(traceparent.traceparent.traceId).not.toBe(incoming);
    } else {
      expect(traceparent.traceparent.traceId).toBe(testCase.traceId);
      expect(traceparent.traceparent.parentId).not.toBe('1234567890123456');
    }
    if (testCase.tracestate === undefined) return;
    const state = parseTracestate(out.tracestate);
    expect(state.ok).toBe(true);
    const members = state.ok ? state.tracestate.entries() : [];
    if (testCase.tracestate === 'none') expect(members).toEqual([]);
    else expect(members).toEqual(testCase.tracestate);
  });

  it('test_multiple_requests_with_valid_traceparent: every call continues the trace with a new parent id', async () => {
    const results = await Promise.all([1, 2, 3].map(() => send([['traceparent', '00-12345678901234567890123456789012-1234567890123456-01']])));
    const parsed = results.map((r) => parseTraceparent(r.traceparent));
    expect(new Set(parsed.map((p) => (p.ok ? p.traceparent.traceId : '')))).toEqual(new Set(['12345678901234567890123456789012']));
    expect(new Set(parsed.map((p) => (p.ok ? p.traceparent.parentId : ''))).size).toBe(3);
  });
});
