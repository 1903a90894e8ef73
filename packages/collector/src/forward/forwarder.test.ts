import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector } from '../internal/test-collector.js';
import { createIngestStats, type IngestStats } from '../store/ingest-stats.js';
import { Forwarder, type ForwarderOptions, type ForwarderRuntime } from './forwarder.js';
import { retryAfterMillis, retryDelayMillis } from './retry-policy.js';

function oneSpan(traceId: string): object {
  return tracesRequest('svc', [{ traceId, name: 'op', startMillis: Date.now(), durationMillis: 1 }]);
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMillis = 10_000): Promise<void> {
  const until = Date.now() + timeoutMillis;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as it arrived (possibly gzip'd). */
  raw: Buffer;
}

/** One scripted answer: a status and headers, or `hang` (never answer until the test ends). */
type Answer = { status: number; headers?: Record<string, string> } | 'hang';

interface Upstream {
  url: string;
  received: Received[];
  /** Requests whose connection closed before an answer was sent (aborted by the forwarder). */
  aborted: number;
  close(): Promise<void>;
}

/** A real OTLP/HTTP upstream on port 0 that answers from a script, then 200 for ever after. */
async function startUpstream(script: Answer[]): Promise<Upstream> {
  const answers = [...script];
  const state = { received: [] as Received[], aborted: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.received.push({ url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) });
      const answer = answers.shift() ?? { status: 200 };
      if (answer === 'hang') {
        res.on('close', () => {
          if (!res.writableEnded) state.aborted += 1;
        });
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return state.received;
    },
    get aborted() {
      return state.aborted;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: bound once, then released. */
async function deadUrl(): Promise<string> {
  const up = await startUpstream([]);
  await up.close();
  return up.url;
}

const base: Omit<ForwarderOptions, 'url'> = {
  maxQueuedPayloads: 10,
  maxQueuedBytes: 1024 * 1024,
  timeoutMillis: 5_000,
  headers: {},
  compression: 'gzip',
  maxAttempts: 5,
  maxElapsedMillis: 60_000,
  initialBackoffMillis: 1000,
  maxBackoffMillis: 10_000,
  shutdownTimeoutMillis: 5_000,
};

/**
 * A forwarder whose waits are recorded, not slept: each wait moves a fake clock forward by its
 * length and returns at once, so backoff and Retry-After are asserted as numbers, not timed.
 */
function recordingForwarder(options: Partial<ForwarderOptions> & { url: string }, runtime: ForwarderRuntime = {}) {
  const stats: IngestStats = createIngestStats();
  const waits: number[] = [];
  let clock = Date.parse('2026-10-21T07:28:00Z');
  const forwarder = new Forwarder({ ...base, ...options }, stats, {
    now: () => clock,
    random: () => 0.5,
    sleep: async (millis) => {
      waits.push(millis);
      clock += millis;
    },
    ...runtime,
  });
  return { forwarder, stats, waits, nowMillis: () => clock };
}

const payload = Buffer.from(JSON.stringify(oneSpan('0af7651916cd43dd8448eb211c80319c')));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function upstream(script: Answer[]): Promise<Upstream> {
  const up = await startUpstream(script);
  cleanups.push(() => up.close());
  return up;
}

describe('the forwarder against a flaky upstream', () => {
  it('waits the Retry-After a 503 asks for, then delivers the payload gzip-compressed and identical', async () => {
    const up = await upstream([{ status: 503, headers: { 'retry-after': '7' } }]);
    const { forwarder, stats, waits } = recordingForwarder({ url: up.url, headers: { 'x-scope-orgid': 'stitch' } });
    forwarder.enqueue('traces', 'json', payload);
    await forwarder.idle();
    expect(waits).toEqual([7000]);
    expect(up.received).toHaveLength(2);
    for (const r of up.received) {
      expect(r.url).toBe('/v1/traces');
      expect(r.headers).toMatchObject({ 'content-encoding': 'gzip', 'content-type': 'application/json', 'x-scope-orgid': 'stitch' });
      expect(gunzipSync(r.raw).equals(payload)).toBe(true);
    }
    expect(stats).toMatchObject({ forwardedPayloads: 1, forwardFailed: 0, forwardDropped: 0, forwardRetries: 1 });
  });

  it('reads a Retry-After HTTP date, and caps a long one at maxBackoffMillis', async () => {
    const up = await upstream([
      { status: 429, headers: { 'retry-after': 'Wed, 21 Oct 2026 07:28:03 GMT' } },
      { status: 503, headers: { 'retry-after': '3600' } },
    ]);
    const { forwarder, stats, waits } = recordingForwarder({ url: up.url, maxBackoffMillis: 10_000 });
    forwarder.enqueue('logs', 'protobuf', payload);
    await forwarder.idle();
    expect(waits).toEqual([3000, 10_000]);
    expect(up.received.map((r) => r.url)).toEqual(['/v1/logs', '/v1/logs', '/v1/logs']);
    expect(up.received[0]!.headers['content-type']).toBe('application/x-protobuf');
    expect(stats.forwardedPayloads).toBe(1);
  });

  it('backs off exponentially on 429, 502 and 504 without Retry-After', async () => {
    const up = await upstream([{ status: 429 }, { status: 502 }, { status: 504 }]);
    const { forwarder, stats, waits } = recordingForwarder({ url: up.url, initialBackoffMillis: 100 });
    forwarder.enqueue('traces', 'json', payload);
    await forwarder.idle();
    // random() = 0.5 is the middle of the jitter range: the exact doubling.
    expect(waits).toEqual([100, 200, 400]);
    expect(stats).toMatchObject({ forwardedPayloads: 1, forwardRetries: 3 });
  });

  it('drops a payload the upstream refuses with 400 at once, counted as failed with its reason', async () => {
    const up = await upstream([{ status: 400 }]);
    const { forwarder, stats, waits } = recordingForwarder({ url: up.url });
    forwarder.enqueue('traces', 'json', payload);
    await forwarder.idle();
    expect(up.received).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(stats).toMatchObject({ forwardedPayloads: 0, forwardFailed: 1, forwardRetries: 0 });
    expect([...stats.forwardFailures]).toEqual([['http_400', 1]]);
  });

  it('gives up on an upstream that is down after maxAttempts, counted as failed (network)', async () => {
    const { forwarder, stats, waits } = recordingForwarder({ url: await deadUrl(), maxAttempts: 3, initialBackoffMillis: 100 });
    forwarder.enqueue('traces', 'json', payload);
    forwarder.enqueue('traces', 'json', payload);
    await forwarder.idle();
    expect(waits).toEqual([100, 200, 100, 200]);
    expect(stats).toMatchObject({ forwardedPayloads: 0, forwardFailed: 2, forwardDropped: 0 });
    expect([...stats.forwardFailures]).toEqual([['network', 2]]);
  });

  it('starts no retry past maxElapsedMillis from the first attempt', async () => {
    const up = await upstream(Array.from({ length: 20 }, () => ({ status: 503 })));
    const { forwarder, stats, waits } = recordingForwarder({ url: up.url, maxAttempts: 100, initialBackoffMillis: 1000, maxElapsedMillis: 5000 });
    forwarder.enqueue('traces', 'json', payload);
    await forwarder.idle();
    // 1 s, then 2 s (3 s elapsed); 4 s more would end at 7 s > 5 s.
    expect(waits).toEqual([1000, 2000]);
    expect(up.received).toHaveLength(3);
    expect([...stats.forwardFailures]).toEqual([['http_503', 1]]);
  });

  it('sends the body as received when compression is none', async () => {
    const up = await upstream([]);
    const { forwarder, stats } = recordingForwarder({ url: up.url, compression: 'none' });
    forwarder.enqueue('traces', 'json', payload);
    await forwarder.idle();
    expect(up.received[0]!.headers['content-encoding']).toBeUndefined();
    expect(up.received[0]!.raw.equals(payload)).toBe(true);
    expect(stats.forwardedPayloads).toBe(1);
  });

  it('bounds its queue by payloads and bytes: the rest are dropped and counted, enqueue never waits', async () => {
    const up = await upstream(['hang']);
    const { forwarder, stats } = recordingForwarder({ url: up.url, maxQueuedPayloads: 2, shutdownTimeoutMillis: 0 });
    // The first is in flight (hanging), two wait in the queue, three are dropped.
    for (let i = 0; i < 6; i++) forwarder.enqueue('traces', 'json', payload);
    expect(stats.forwardDropped).toBe(3);

    const small = recordingForwarder({ url: (await upstream([])).url, maxQueuedBytes: payload.length * 2 });
    for (let i = 0; i < 6; i++) small.forwarder.enqueue('traces', 'json', payload);
    // One in flight, two fill the byte budget, three dropped.
    expect(small.stats.forwardDropped).toBe(3);
    await small.forwarder.idle();
    expect(small.stats.forwardedPayloads).toBe(3);
    await forwarder.close();
    expect(stats.forwardFailed + stats.forwardDropped + stats.forwardedPayloads).toBe(6);
  });

  it('close() ends within its deadline against an upstream that never answers, counting what it gave up', async () => {
    const up = await upstream(['hang']);
    const stats = createIngestStats();
    const forwarder = new Forwarder({ ...base, url: up.url, shutdownTimeoutMillis: 50 }, stats);
    for (let i = 0; i < 3; i++) forwarder.enqueue('traces', 'json', payload);
    await eventually(() => up.received.length === 1);
    await forwarder.close();
    // The attempt in flight is aborted (failed: shutdown), the two queued are dropped.
    expect(stats).toMatchObject({ forwardedPayloads: 0, forwardFailed: 1, forwardDropped: 2 });
    expect([...stats.forwardFailures]).toEqual([['shutdown', 1]]);
    await eventually(() => up.aborted === 1);
    forwarder.enqueue('traces', 'json', payload);
    expect(stats.forwardDropped).toBe(3);
  });

  it('close() cuts a backoff short rather than waiting it out', async () => {
    const up = await upstream([{ status: 503, headers: { 'retry-after': '3600' } }]);
    const stats = createIngestStats();
    const forwarder = new Forwarder({ ...base, url: up.url, maxBackoffMillis: 3_600_000, maxElapsedMillis: 7_200_000, shutdownTimeoutMillis: 50 }, stats);
    forwarder.enqueue('traces', 'json', payload);
    await eventually(() => stats.forwardRetries === 1);
    await forwarder.close();
    expect([...stats.forwardFailures]).toEqual([['shutdown', 1]]);
    expect(up.received).toHaveLength(1);
  });

  it('warns once per failing episode, and once when it recovers', async () => {
    const up = await upstream([{ status: 400 }, { status: 400 }, { status: 400 }]);
    const lines: string[] = [];
    const { forwarder } = recordingForwarder({ url: up.url }, { log: { warn: (_fields, message) => lines.push(message) } });
    for (let i = 0; i < 4; i++) forwarder.enqueue('traces', 'json', payload);
    await forwarder.idle();
    expect(lines).toEqual(['forwarder failing: payloads are counted in stitch status as failed', 'forwarder recovered']);
  });
});

describe('the retry policy', () => {
  it('doubles from the initial wait up to the cap, jittered within ±50 %', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMillis(n, 1000, 10_000, 0.5))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(retryDelayMillis(3, 1000, 30_000, 0)).toBe(2000);
    expect(retryDelayMillis(3, 1000, 30_000, 0.999)).toBe(5996);
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores what it cannot read', () => {
    const now = Date.parse('2026-10-21T07:28:00Z');
    expect(retryAfterMillis('0', now)).toBe(0);
    expect(retryAfterMillis(' 12 ', now)).toBe(12_000);
    expect(retryAfterMillis('Wed, 21 Oct 2026 07:28:30 GMT', now)).toBe(30_000);
    expect(retryAfterMillis('Wed, 21 Oct 2026 07:00:00 GMT', now)).toBe(0);
    expect(retryAfterMillis('soon', now)).toBeNull();
    expect(retryAfterMillis('-5', now)).toBeNull();
    expect(retryAfterMillis(null, now)).toBeNull();
  });
});

describe('forwarding from a running collector', () => {
  it('passes accepted payloads on to a real upstream receiver, gzip-compressed', async () => {
    const up = await startTestCollector();
    const edge = await startTestCollector({ forward: { url: up.url } });
    try {
      const traceId = newTraceId();
      expect((await postOtlpJson(edge.url, 'traces', oneSpan(traceId))).status).toBe(200);
      await eventually(async () => (await up.store.query(`SELECT 1 FROM spans WHERE trace_id = $1`, [traceId])).length === 1);
      // The upstream stores before it answers, so the forwarder counts a moment later.
      await eventually(() => edge.stats.forwardedPayloads === 1);
      expect(up.stats.receivedBytes.json).toBeLessThan(JSON.stringify(oneSpan(traceId)).length);
    } finally {
      await edge.stop();
      await up.stop();
    }
  });

  it('counts a retried 503, a refused 400 and a full queue in the stats and /metrics, never holding the sender', async () => {
    const up = await upstream([{ status: 503, headers: { 'retry-after': '0' } }, { status: 200 }, { status: 400 }, 'hang']);
    const edge = await startTestCollector({ forward: { url: up.url, maxQueuedPayloads: 1, shutdownTimeoutMillis: 0 } });
    try {
      const post = async (): Promise<number> => (await postOtlpJson(edge.url, 'traces', oneSpan(newTraceId()))).status;
      expect(await post()).toBe(200);
      await eventually(() => edge.stats.forwardedPayloads === 1);
      expect(await post()).toBe(200);
      await eventually(() => edge.stats.forwardFailed === 1);
      // The upstream now hangs: one in flight, one queued, the other two dropped; each sender
      // still got its 200 at once.
      expect(await Promise.all([post(), post(), post(), post()])).toEqual([200, 200, 200, 200]);
      await eventually(() => edge.stats.forwardDropped === 2);
      const { body } = await edge.metrics.exposition();
      expect(body).toContain('stitch_collector_forward_payloads_total{outcome="sent"} 1');
      expect(body).toContain('stitch_collector_forward_payloads_total{outcome="failed"} 1');
      expect(body).toContain('stitch_collector_forward_payloads_total{outcome="dropped"} 2');
      expect(body).toContain('stitch_collector_forward_failures_total{reason="http_400"} 1');
      expect(body).toContain('stitch_collector_forward_retries_total 1');
      // `stitch status` reads the same counters.
      const status = (await (await edge.get('/api/status', edge.token('admin'))).json()) as { forward: object };
      expect(status.forward).toEqual({ url: up.url, forwarded: 1, dropped: 2, failed: 1 });
      expect(gunzipSync(up.received[0]!.raw).equals(gunzipSync(up.received[1]!.raw))).toBe(true);
    } finally {
      // Bounded: the hanging attempt is aborted at once (shutdownTimeoutMillis 0).
      await edge.stop();
    }
    expect(edge.stats.forwardFailed + edge.stats.forwardDropped + edge.stats.forwardedPayloads).toBe(6);
  });
});
