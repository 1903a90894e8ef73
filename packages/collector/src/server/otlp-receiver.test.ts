import { request as httpRequest } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorEnvelopeSchema, PlatformStatusSchema } from '@stitch/contract';
import { TracesRequest, TracesResponse } from '../otlp/decode.js';
import { newSpanId, newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await collector.stop();
});

const post = (body: Buffer | string, headers: Record<string, string>, signal = 'traces'): Promise<Response> =>
  fetch(`${collector.url}/v1/${signal}`, { method: 'POST', headers, body });

async function expectEnvelope(res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status);
  const env = ErrorEnvelopeSchema.parse(await res.json());
  expect(env.error.code).toBe(code);
  expect(env.error.requestId).not.toBe('');
}

function oneSpan(): object {
  return tracesRequest('svc', [{ traceId: newTraceId(), name: 'op', startMillis: Date.now(), durationMillis: 5 }]);
}

describe('the OTLP/HTTP receiver', () => {
  it('answers 200 with an empty ExportTraceServiceResponse when everything was stored', async () => {
    const res = await postOtlpJson(collector.url, 'traces', oneSpan());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it('answers 200 with partial_success naming the count and reason of rejected spans', async () => {
    const body = oneSpan() as { resourceSpans: { scopeSpans: { spans: object[] }[] }[] };
    body.resourceSpans[0]!.scopeSpans[0]!.spans.push({ traceId: 'nothex', spanId: newSpanId(), name: 'bad' });
    const res = await postOtlpJson(collector.url, 'traces', body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(json.partialSuccess.rejectedSpans).toBe('1');
    expect(json.partialSuccess.errorMessage).toMatch(/traceId/);
  });

  it('answers protobuf requests with a protobuf response carrying partial_success', async () => {
    const request = TracesRequest.fromObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(3), spanId: Buffer.alloc(8, 1), name: 'short id' }] }] }],
    });
    const res = await post(Buffer.from(TracesRequest.encode(request).finish()), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-protobuf/);
    const decoded = TracesResponse.toObject(TracesResponse.decode(Buffer.from(await res.arrayBuffer())), { longs: Number });
    expect(decoded).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
  });

  it('accepts gzip-compressed JSON bodies', async () => {
    const res = await post(gzipSync(JSON.stringify(oneSpan())), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
  });

  it('answers 400 with the error envelope for undecodable protobuf, JSON and gzip', async () => {
    await expectEnvelope(await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { 'content-type': 'application/x-protobuf' }), 400, 'STITCH_ERR_COLLECTOR_UNDECODABLE');
    await expectEnvelope(await post('{"resourceSpans": [', { 'content-type': 'application/json' }), 400, 'STITCH_ERR_COLLECTOR_UNDECODABLE');
    await expectEnvelope(await post('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400, 'STITCH_ERR_COLLECTOR_UNDECODABLE');
  });

  it('answers 413 over the size limit, including a small gzip body that inflates past it', async () => {
    await expectEnvelope(await post('x'.repeat(65 * 1024), { 'content-type': 'application/json' }), 413, 'STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE');
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expectEnvelope(await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413, 'STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE');
  });

  it('answers 415 for content types other than protobuf and JSON', async () => {
    await expectEnvelope(await post('hello', { 'content-type': 'text/plain' }), 415, 'STITCH_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('survives a barrage of hostile bodies and keeps serving', async () => {
    const nested = Buffer.alloc(20_000);
    // 10k nested length-delimited field-1 headers: a protobuf recursion bomb.
    for (let i = 0; i < 10_000; i++) {
      nested[i * 2] = 0x0a;
      nested[i * 2 + 1] = 0x7f;
    }
    const bodies: [Buffer | string, string][] = [
      [nested, 'application/x-protobuf'],
      [Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 'application/x-protobuf'],
      ['null', 'application/json'],
      ['"string"', 'application/json'],
      ['{"resourceSpans":{"length":1e9}}', 'application/json'],
      ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":{"$gt":""},"spanId":[1,2],"startTimeUnixNano":-5}]}]}]}', 'application/json'],
      ['{"__proto__":{"polluted":true},"resourceLogs":[]}', 'application/json'],
    ];
    for (const [body, type] of bodies) {
      const res = await post(body, { 'content-type': type });
      expect([200, 400]).toContain(res.status);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await postOtlpJson(collector.url, 'traces', oneSpan())).status).toBe(200);
  });
});

describe('stitch status after the requests above', () => {
  it('counts rejected records, undecodable and throttled requests', async () => {
    const res = await collector.get('/api/status', collector.token('admin'));
    const status = PlatformStatusSchema.parse(await res.json());
    expect(status.ingest.rejectedRecords).toBeGreaterThanOrEqual(2);
    expect(status.ingest.undecodableRequests).toBeGreaterThanOrEqual(3);
    expect(status.ingest.acceptedSpans).toBeGreaterThan(0);
    expect(status.store.spans).toBe(status.ingest.acceptedSpans);
  });
});

describe('back-pressure', () => {
  it('answers 429 with Retry-After when the write queue is full, and stores every batch it acknowledged', async () => {
    const small = await startTestCollector({ maxQueueRecords: 1, retryAfterSeconds: 3 });
    try {
      const traceIds = Array.from({ length: 30 }, () => newTraceId());
      const responses = await Promise.all(
        traceIds.map((traceId) =>
          postOtlpJson(small.url, 'traces', tracesRequest('svc', Array.from({ length: 5 }, () => ({ traceId, name: 'op', startMillis: Date.now(), durationMillis: 1 })))),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses).toContain(429);
      const throttled = responses.find((r) => r.status === 429)!;
      expect(throttled.headers.get('retry-after')).toBe('3');
      await expectEnvelope(throttled, 429, 'STITCH_ERR_COLLECTOR_QUEUE_FULL');
      const acknowledged = traceIds.filter((_, i) => statuses[i] === 200);
      const rows = await small.store.query(`SELECT count(DISTINCT trace_id) AS n FROM spans`);
      expect(Number(rows[0]!.n)).toBe(acknowledged.length);
    } finally {
      await small.stop();
    }
  });

  it('answers 429 before reading the body when too many requests are in flight', async () => {
    const small = await startTestCollector({ maxInflightRequests: 1 });
    try {
      const responses = await Promise.all(Array.from({ length: 20 }, () => postOtlpJson(small.url, 'traces', oneSpan())));
      const statuses = responses.map((r) => r.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(429);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      // Once the burst is over, the slot is free again.
      expect((await postOtlpJson(small.url, 'traces', oneSpan())).status).toBe(200);
    } finally {
      await small.stop();
    }
  });

  it('answers 503 with Retry-After when the store cannot write', async () => {
    const broken = await startTestCollector();
    try {
      // Make the next transaction fail: the spans table is gone.
      await broken.store.exec('DROP TABLE spans');
      const res = await postOtlpJson(broken.url, 'traces', oneSpan());
      expect(res.headers.get('retry-after')).toBe('2');
      await expectEnvelope(res, 503, 'STITCH_ERR_COLLECTOR_STORE_UNAVAILABLE');
    } finally {
      await broken.stop();
    }
  });
});

describe('in-flight slots under aborted and stalled uploads', () => {
  const headOf = (url: string, length: number): string => {
    const { host } = new URL(url);
    return `POST /v1/traces HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
  };
  const connect = (url: string): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(url);
      const socket = createConnection({ host: hostname, port: Number(port) }, () => resolve(socket));
      socket.once('error', reject);
    });

  it('frees the slot of every upload aborted before its body completed, so later uploads succeed', async () => {
    const small = await startTestCollector({ maxInflightRequests: 2 });
    try {
      for (let i = 0; i < 6; i += 1) {
        const socket = await connect(small.url);
        socket.write(`${headOf(small.url, 1000)}{"resourceSpans":`);
        // Let the server see the request (and take a slot) before the client vanishes.
        await new Promise((r) => setTimeout(r, 30));
        socket.destroy();
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await postOtlpJson(small.url, 'traces', oneSpan())).status).toBe(200);
    } finally {
      await small.stop();
    }
  });

  /** An upload that has sent its head and part of its body, from `localAddress`, and waits. */
  const stalled = async (url: string, length: number, localAddress = '127.0.0.1'): Promise<Socket> => {
    const { hostname, port } = new URL(url);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection({ host: hostname, port: Number(port), localAddress }, () => resolve(s));
      s.once('error', reject);
    });
    socket.write(`${headOf(url, length)}{"resourceSpans":`);
    // The server takes the place when it has read the head.
    await new Promise((r) => setTimeout(r, 50));
    return socket;
  };
  const postFrom = (url: string, localAddress: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(oneSpan());
      const req = httpRequest(`${url}/v1/traces`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      });
      req.once('error', reject);
      req.end(body);
    });

  it('lets one sender hold at most maxInflightPerSender uploads, while another sender still gets in', async () => {
    const small = await startTestCollector({ maxInflightRequests: 10, maxInflightPerSender: 2 });
    const held: Socket[] = [];
    try {
      held.push(await stalled(small.url, 1000), await stalled(small.url, 1000));
      expect(await postFrom(small.url, '127.0.0.1')).toBe(429);
      expect(await postFrom(small.url, '127.0.0.2')).toBe(200);
      for (const socket of held.splice(0)) socket.destroy();
      await new Promise((r) => setTimeout(r, 50));
      expect(await postFrom(small.url, '127.0.0.1')).toBe(200);
    } finally {
      for (const socket of held) socket.destroy();
      await small.stop();
    }
  });

  it('bounds the declared body bytes all in-flight uploads hold together (maxInflightBytes)', async () => {
    const small = await startTestCollector({ maxInflightBytes: 2000, maxInflightPerSender: 10 });
    let socket: Socket | undefined;
    try {
      socket = await stalled(small.url, 1900);
      // 1900 held: a request declaring more than the 100 bytes left is refused, before its body is read…
      const big = await fetch(`${small.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(oneSpan()) + ' '.repeat(200) });
      await expectEnvelope(big, 429, 'STITCH_ERR_COLLECTOR_QUEUE_FULL');
      socket.destroy();
      await new Promise((r) => setTimeout(r, 50));
      // …and admitted once the held upload is gone.
      expect((await postOtlpJson(small.url, 'traces', oneSpan())).status).toBe(200);
    } finally {
      socket?.destroy();
      await small.stop();
    }
  });

  it('answers 408 to a body still trickling after bodyTimeoutMillis and frees its slot', async () => {
    const small = await startTestCollector({ maxInflightRequests: 1, bodyTimeoutMillis: 300 });
    try {
      const socket = await connect(small.url);
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      const closed = new Promise((r) => socket.once('close', r));
      socket.on('error', () => undefined);
      const started = Date.now();
      socket.write(headOf(small.url, 1000));
      const trickle = setInterval(() => socket.writable && socket.write(' '), 50);
      await closed;
      clearInterval(trickle);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(answer).toContain('STITCH_ERR_COLLECTOR_BODY_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await postOtlpJson(small.url, 'traces', oneSpan())).status).toBe(200);
    } finally {
      await small.stop();
    }
  });

  it('refuses a declared content-length over the limit with 413 before reading the body', async () => {
    const socket = await connect(collector.url);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write(headOf(collector.url, 10 * 1024 * 1024));
    await vi.waitFor(() => expect(answer).toMatch(/^HTTP\/1\.1 413/), { timeout: 2000 });
    socket.destroy();
  });
});
