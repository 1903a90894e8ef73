import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { redactAttributes } from './redact-attributes.js';
import { createRedactor } from './redactor.js';
import type { Redactor } from './redactor.js';
import { RedactingSpanExporter } from './redacting-span-exporter.js';
import { RedactingSpanProcessor } from './redacting-span-processor.js';

const SECRET = 'hunter2-very-secret';

function recordSecretSpan(provider: BasicTracerProvider): void {
  const span = provider.getTracer('test').startSpan(`GET /callback?access_token=${SECRET}`, {
    attributes: { 'http.request.header.authorization': `Bearer ${SECRET}`, 'url.full': `https://x.test/?token=${SECRET}`, 'http.route': '/users/:id', tags: ['ok', `password=${SECRET}`] },
    links: [{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }, attributes: { apiKey: SECRET } }],
  });
  span.recordException(new Error(`login failed for Bearer ${SECRET}`));
  span.setStatus({ code: SpanStatusCode.ERROR, message: `bad credentials password=${SECRET}` });
  span.end();
}

describe('span redaction', () => {
  it('redactAttributes() redacts secret keys (also the last dotted segment) and secret-shaped values', () => {
    const attrs = { 'http.request.header.authorization': 'Basic dXNlcjpwYXNzd29yZA==', 'db.password': 'x', 'url.full': `https://x/?token=${SECRET}`, n: 3 };
    expect(redactAttributes(attrs)).toEqual({ 'http.request.header.authorization': '[REDACTED]', 'db.password': '[REDACTED]', 'url.full': 'https://x/?token=[REDACTED]', n: 3 });
    const clean = { 'http.route': '/a', n: 1 };
    expect(redactAttributes(clean)).toBe(clean);
  });

  it('RedactingSpanProcessor hands on spans whose attributes, events, links and status carry no secret', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new RedactingSpanProcessor(new SimpleSpanProcessor(exporter))] });
    recordSecretSpan(provider);
    const [span] = exporter.getFinishedSpans();
    expect(span).toBeDefined();
    const text = JSON.stringify({ n: span?.name, a: span?.attributes, e: span?.events, l: span?.links, s: span?.status });
    expect(text).not.toContain(SECRET);
    expect(span?.name).toBe('GET /callback?access_token=[REDACTED]');
    expect(span?.attributes['http.route']).toBe('/users/:id');
    expect(span?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span?.duration).toBeDefined();
    expect(span?.events[0]?.attributes?.['exception.message']).toBe('login failed for Bearer [REDACTED]');
    await provider.shutdown();
  });

  it('RedactingSpanExporter redacts what any exporter receives', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new RedactingSpanExporter(exporter))] });
    recordSecretSpan(provider);
    const [span] = exporter.getFinishedSpans();
    expect(JSON.stringify({ a: span?.attributes, e: span?.events, l: span?.links, s: span?.status })).not.toContain(SECRET);
    expect(span?.status.message).toBe('bad credentials password=[REDACTED]');
    await provider.shutdown();
  });
});

describe('redactAttributes across spans', () => {
  it('redacts a value that turns secret after the same key carried clean values, and a recurring secret each time', () => {
    const redactor = createRedactor({ extraKeys: ['ssn'] });
    const spans = ['https://x/a', 'https://x/a', `https://x/?token=${SECRET}`, 'https://x/a', `https://x/?token=${SECRET}`].map((url) => ({ 'url.full': url, ssn: 'clean-looking', n: 1 }));
    const redacted = spans.map((attrs) => redactAttributes(attrs, redactor));
    expect(redacted.map((attrs) => attrs['url.full'])).toEqual(['https://x/a', 'https://x/a', 'https://x/?token=[REDACTED]', 'https://x/a', 'https://x/?token=[REDACTED]']);
    expect(redacted.every((attrs) => attrs.ssn === '[REDACTED]' && attrs.n === 1)).toBe(true);
    const clean = { 'url.full': 'https://x/a', n: 1 };
    expect(redactAttributes(clean, redactor)).toBe(clean); // nothing to redact: the same object, twice
    expect(redactAttributes(clean, redactor)).toBe(clean);
  });

  it('asks a hand-written redactor about every value, as before', () => {
    const asked: string[] = [];
    const upper = { isSecretKey: () => false, redactString: (text: string) => (asked.push(text), text.toUpperCase()) } as unknown as Redactor;
    expect(redactAttributes({ a: 'x' }, upper)).toEqual({ a: 'X' });
    expect(redactAttributes({ a: 'x' }, upper)).toEqual({ a: 'X' });
    expect(asked).toEqual(['x', 'x']);
  });
});
