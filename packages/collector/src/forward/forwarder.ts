import type { Signal, Encoding } from '../otlp/decode.js';
import type { IngestStats } from '../store/ingest-stats.js';

export interface ForwarderOptions {
  /** Base URL of the upstream OTLP/HTTP receiver; `/v1/traces` or `/v1/logs` is appended. */
  url: string;
  maxQueuedPayloads: number;
  timeoutMillis: number;
  headers: Readonly<Record<string, string>>;
}

interface Payload {
  signal: Signal;
  encoding: Encoding;
  /** The decompressed body as received. */
  body: Buffer;
}

/**
 * Forwards what the collector accepted to an upstream OTLP endpoint (an OpenTelemetry Collector,
 * Tempo, Jaeger), so adopting Stitch never means giving those up. It never blocks ingest: a
 * bounded queue drained by one sender; when the queue is full or upstream fails, the payload is
 * dropped and counted (`stitch status`), as an OTel batch processor does.
 */
export class Forwarder {
  private readonly queue: Payload[] = [];
  private sending = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: ForwarderOptions,
    private readonly stats: IngestStats,
  ) {}

  enqueue(signal: Signal, encoding: Encoding, body: Buffer): void {
    if (this.queue.length >= this.options.maxQueuedPayloads) {
      this.stats.forwardDropped += 1;
      return;
    }
    this.queue.push({ signal, encoding, body });
    void this.drain();
  }

  idle(): Promise<void> {
    if (!this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    while (this.queue.length > 0) {
      const payload = this.queue.shift()!;
      const url = `${this.options.url.replace(/\/$/, '')}/v1/${payload.signal}`;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            ...this.options.headers,
            'content-type': payload.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
          },
          body: payload.body,
          signal: AbortSignal.timeout(this.options.timeoutMillis),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) this.stats.forwardedPayloads += 1;
        else this.stats.forwardFailed += 1;
      } catch {
        this.stats.forwardFailed += 1;
      }
    }
    this.sending = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
