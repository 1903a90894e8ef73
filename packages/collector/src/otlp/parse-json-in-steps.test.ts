import { describe, expect, it } from 'vitest';
import { runToEnd } from '../ingest/work-in-slices.js';
import { decodeOtlp } from './decode.js';
import { INCREMENTAL_JSON_BYTES, parseJsonInSteps } from './parse-json-in-steps.js';

/** An OTLP/JSON traces body of at least `bytes`, with keys and text that a careless parser gets wrong. */
function largeJsonBody(bytes: number): Buffer {
  const spans: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    // Multi-byte UTF-8 (2, 3 and 4 bytes) lands across chunk boundaries somewhere in the body.
    const span =
      `{"traceId":"${'ab'.repeat(16)}","spanId":"${(i + 1).toString(16).padStart(16, '0')}","name":"tiny é€😀 ${i}",` +
      `"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000000001000",` +
      `"attributes":[{"key":"__proto__","value":{"stringValue":"p"}}],"name":"last wins ${i}","__proto__":{"kind":2}}`;
    spans.push(span);
    size += span.length;
  }
  return Buffer.from(
    `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bulk"}}]},"scopeSpans":[{"spans":[${spans.join(',')}]}]}]}\n`,
  );
}

describe('parsing an OTLP/JSON body in steps (issue 15)', () => {
  const body = largeJsonBody(2 * INCREMENTAL_JSON_BYTES);

  it('gives the value JSON.parse gives: __proto__ an own key, the last duplicate wins, UTF-8 split across chunks intact', () => {
    const parsed = runToEnd(parseJsonInSteps(body));
    expect(parsed).toEqual(JSON.parse(body.toString('utf8')));
    const span = (parsed as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] }).resourceSpans[0]!.scopeSpans[0]!.spans[7]!;
    expect(Object.getPrototypeOf(span)).toBe(Object.prototype);
    expect(Object.keys(span)).toContain('__proto__');
    expect(span.kind).toBeUndefined();
    expect(span.name).toBe('last wins 7');
  });

  it('pauses all along a large body, so the ingest can give the event loop turns while it parses', () => {
    const steps = parseJsonInSteps(body);
    let pauses = 0;
    while (!steps.next().done) pauses += 1;
    // A pause every 16 KiB: 2 MiB is 128 of them.
    expect(pauses).toBeGreaterThanOrEqual(100);
  });

  it('parses a small body at once', () => {
    const steps = parseJsonInSteps(Buffer.from('{"resourceSpans":[]}'));
    expect(steps.next()).toEqual({ done: true, value: { resourceSpans: [] } });
  });

  it('refuses a large body cut short, with trailing garbage, or empty, as undecodable', () => {
    for (const broken of [body.subarray(0, body.length - 5), Buffer.concat([body, Buffer.from('x')]), Buffer.alloc(INCREMENTAL_JSON_BYTES, ' ')]) {
      const result = decodeOtlp('traces', 'json', broken);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.detail).toMatch(/^undecodable json body: /);
    }
  });

  it('decodes every span of a large JSON body into rows', () => {
    const result = decodeOtlp('traces', 'json', body);
    if (!result.ok) throw new Error(result.detail);
    expect(result.batch.spans.find((s) => s.spanId === '0000000000000008')).toMatchObject({ name: 'last wins 7', service: 'bulk' });
    expect(result.batch.spans.length).toBe(JSON.parse(body.toString('utf8')).resourceSpans[0].scopeSpans[0].spans.length);
  });
});
