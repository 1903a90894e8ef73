import { setTimeout as sleepFor } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Signal, Encoding } from '../otlp/decode.js';
import type { IngestStats } from '../store/ingest-stats.js';
import { retryAfterMillis, retryDelayMillis } from './retry-policy.js';

const gzip = promisify(gzipCallback);

export interface ForwarderOptions {
  /** Base URL of the upstream OTLP/HTTP receiver; `/v1/traces` or `/v1/logs` is appended. */
  url: string;
  /** Payloads waiting to be sent (the one in flight not included); more are dropped and counted. */
  maxQueuedPayloads: number;
  /** Bytes those payloads may hold together (bodies up to maxBodyBytes each would otherwise add up to GBs). */
  maxQueuedBytes: number;
  /** One attempt's limit, connect to last byte of the answer. */
  timeoutMillis: number;
  headers: Readonly<Record<string, string>>;
  /** `gzip` sends `Content-Encoding: gzip` (every OTLP/HTTP receiver must accept it). */
  compression: 'gzip' | 'none';
  /** Attempts per payload, the first included. */
  maxAttempts: number;
  /** Time from a payload's first attempt after which it is not retried again. */
  maxElapsedMillis: number;
  initialBackoffMillis: number;
  /** Upper bound of one wait: the backoff, and a Retry-After the upstream asks for. */
  maxBackoffMillis: number;
  /** How long `close()` lets the queue drain before it aborts what is left. */
  shutdownTimeoutMillis: number;
}

/** The forwarder's clock, randomness, waiting and log: real by default, replaced in tests. */
export interface ForwarderRuntime {
  now?: () => number;
  /** In [0, 1): the backoff's jitter. */
  random?: () => number;
  /** Waits `millis`, or less if `signal` aborts (then it resolves, never rejects). */
  sleep?: (millis: number, signal: AbortSignal) => Promise<void>;
  log?: { warn(fields: object, message: string): void };
}

interface Payload {
  signal: Signal;
  encoding: Encoding;
  /** The decompressed body as received. */
  body: Buffer;
}

/** One attempt's outcome (STYLE.md §5): the caller branches on it, nothing is thrown. */
type Attempt =
  | { kind: 'sent' }
  | { kind: 'failed'; reason: string }
  | { kind: 'retryable'; reason: string; afterMillis: number | null };

/** The statuses OTLP/HTTP says to retry (the spec's list); any other 4xx or 5xx is final. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

async function defaultSleep(millis: number, signal: AbortSignal): Promise<void> {
  await sleepFor(millis, undefined, { signal }).catch(() => undefined);
}

/**
 * Forwards what the collector accepted to an upstream OTLP endpoint (an OpenTelemetry Collector,
 * Tempo, Jaeger), so adopting Stitch never means giving those up. It never blocks ingest: the
 * receiver has answered its sender before `enqueue()` is called, and `enqueue()` only appends to
 * a bounded queue drained by one sender. A payload is retried with exponential backoff and
 * jitter on network errors, timeouts, 429, 502, 503 and 504 (honouring `Retry-After`, capped),
 * for at most `maxAttempts` attempts and `maxElapsedMillis`; any other refusal is final. Each
 * payload ends counted once: sent, failed (by reason), or dropped (queue full or shutdown), as an
 * OTel batch processor does. Failures and drops are warned about once per episode.
 *
 * @example
 * const f = new Forwarder({ ...options, url: 'http://otel-collector:4318' }, stats)
 * f.enqueue('traces', 'protobuf', body) // returns at once
 * await f.close() // within shutdownTimeoutMillis
 */
export class Forwarder {
  private readonly queue: Payload[] = [];
  private queuedBytes = 0;
  private sending = false;
  private closing = false;
  private readonly idleWaiters: (() => void)[] = [];
  /** Aborted when close() gives up waiting: the in-flight attempt and any backoff end at once. */
  private readonly shutdown = new AbortController();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (millis: number, signal: AbortSignal) => Promise<void>;
  private failingSince: number | null = null;
  private droppingSince: number | null = null;

  constructor(
    private readonly options: ForwarderOptions,
    private readonly stats: IngestStats,
    private readonly runtime: ForwarderRuntime = {},
  ) {
    this.now = runtime.now ?? Date.now;
    this.random = runtime.random ?? Math.random;
    this.sleep = runtime.sleep ?? defaultSleep;
  }

  /** Queues a payload, or drops and counts it when the queue is full or the forwarder closing. */
  enqueue(signal: Signal, encoding: Encoding, body: Buffer): void {
    const full =
      this.queue.length >= this.options.maxQueuedPayloads ||
      (this.queue.length > 0 && this.queuedBytes + body.length > this.options.maxQueuedBytes);
    if (this.closing || full) {
      this.drop(1, this.closing ? 'shutdown' : 'queue_full');
      return;
    }
    this.queue.push({ signal, encoding, body });
    this.queuedBytes += body.length;
    void this.drain();
  }

  /** Resolves once the queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (!this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking payloads, lets the queue drain for up to shutdownTimeoutMillis, then aborts the
   * attempt in flight (counted failed, reason `shutdown`) and drops what is still queued
   * (counted). Resolves within that deadline whatever the upstream does.
   */
  async close(): Promise<void> {
    this.closing = true;
    const timer = setTimeout(() => this.shutdown.abort(), this.options.shutdownTimeoutMillis);
    try {
      await this.idle();
    } finally {
      clearTimeout(timer);
    }
  }

  private drop(count: number, why: 'queue_full' | 'shutdown'): void {
    this.stats.forwardDropped += count;
    if (this.droppingSince === null) {
      this.droppingSince = this.now();
      this.runtime.log?.warn({ url: this.options.url, why, dropped: count }, 'forwarder dropping payloads (counted in stitch status as dropped)');
    }
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    while (this.queue.length > 0 && !this.shutdown.signal.aborted) {
      const payload = this.queue.shift()!;
      this.queuedBytes -= payload.body.length;
      if (this.queue.length === 0) this.droppingSince = null;
      const outcome = await this.deliver(payload);
      if (outcome.kind === 'sent') {
        this.stats.forwardedPayloads += 1;
        if (this.failingSince !== null) {
          this.runtime.log?.warn({ url: this.options.url, failingForMillis: this.now() - this.failingSince }, 'forwarder recovered');
          this.failingSince = null;
        }
      } else {
        this.fail(outcome.reason);
      }
    }
    if (this.queue.length > 0) {
      this.drop(this.queue.length, 'shutdown');
      this.queue.length = 0;
      this.queuedBytes = 0;
    }
    this.sending = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private fail(reason: string): void {
    this.stats.forwardFailed += 1;
    this.stats.forwardFailures.set(reason, (this.stats.forwardFailures.get(reason) ?? 0) + 1);
    if (this.failingSince === null) {
      this.failingSince = this.now();
      this.runtime.log?.warn({ url: this.options.url, reason }, 'forwarder failing: payloads are counted in stitch status as failed');
    }
  }

  /** Every attempt for one payload, until it is sent, refused for good, or out of attempts or time. */
  private async deliver(payload: Payload): Promise<Exclude<Attempt, { kind: 'retryable' }>> {
    const url = `${this.options.url.replace(/\/$/, '')}/v1/${payload.signal}`;
    const headers: Record<string, string> = {
      ...this.options.headers,
      'content-type': payload.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    };
    let body = payload.body;
    if (this.options.compression === 'gzip') {
      body = await gzip(payload.body);
      headers['content-encoding'] = 'gzip';
    }
    const started = this.now();
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(url, headers, body);
      if (result.kind !== 'retryable') return result;
      if (this.shutdown.signal.aborted) return { kind: 'failed', reason: 'shutdown' };
      if (attempt >= this.options.maxAttempts) return { kind: 'failed', reason: result.reason };
      const wait =
        result.afterMillis !== null
          ? Math.min(result.afterMillis, this.options.maxBackoffMillis)
          : retryDelayMillis(attempt, this.options.initialBackoffMillis, this.options.maxBackoffMillis, this.random());
      if (this.now() - started + wait > this.options.maxElapsedMillis) return { kind: 'failed', reason: result.reason };
      this.stats.forwardRetries += 1;
      await this.sleep(wait, this.shutdown.signal);
      if (this.shutdown.signal.aborted) return { kind: 'failed', reason: 'shutdown' };
    }
  }

  private async attempt(url: string, headers: Record<string, string>, body: Buffer): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.options.timeoutMillis);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([timeout, this.shutdown.signal]),
      });
      // The answer's body is not needed (a partial success is still a delivery); drop it unread.
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return { kind: 'sent' };
      const reason = `http_${res.status}`;
      if (!RETRYABLE_STATUSES.has(res.status)) return { kind: 'failed', reason };
      return { kind: 'retryable', reason, afterMillis: retryAfterMillis(res.headers.get('retry-after'), this.now()) };
    } catch {
      if (this.shutdown.signal.aborted) return { kind: 'failed', reason: 'shutdown' };
      return { kind: 'retryable', reason: timeout.aborted ? 'timeout' : 'network', afterMillis: null };
    }
  }
}
