/**
 * Who may start uploading a body now: at most `maxRequests` OTLP requests in flight, holding at
 * most `maxBytes` of declared body between them, and at most `maxPerSender` from one sender
 * (its address), so one exporter retrying in a loop cannot take every slot from the others.
 * Decided before a byte is read; a refusal is a 429 with Retry-After (see otlp-routes.ts).
 */
export interface AdmissionLimits {
  maxRequests: number;
  maxBytes: number;
  maxPerSender: number;
}

/** A place taken by one request; given back exactly once, however the request ends. */
export interface AdmissionTicket {
  release(): void;
}

export type AdmissionRefusal = 'requests' | 'bytes' | 'sender';

export class IngestAdmission {
  private requests = 0;
  private bytes = 0;
  private readonly perSender = new Map<string, number>();

  constructor(private readonly limits: AdmissionLimits) {}

  /**
   * Takes a place for a body of `declaredBytes` (its content-length; a body without one, which
   * could be as large as the body limit, reserves that limit) from `sender`.
   */
  admit(sender: string, declaredBytes: number): AdmissionTicket | AdmissionRefusal {
    const held = this.perSender.get(sender) ?? 0;
    if (this.requests >= this.limits.maxRequests) return 'requests';
    if (held >= this.limits.maxPerSender) return 'sender';
    // One body alone may be as large as the body limit allows, even past maxBytes.
    if (this.requests > 0 && this.bytes + declaredBytes > this.limits.maxBytes) return 'bytes';
    this.requests += 1;
    this.bytes += declaredBytes;
    this.perSender.set(sender, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.requests -= 1;
        this.bytes -= declaredBytes;
        const left = (this.perSender.get(sender) ?? 1) - 1;
        if (left === 0) this.perSender.delete(sender);
        else this.perSender.set(sender, left);
      },
    };
  }

  get inflight(): { requests: number; bytes: number; senders: number } {
    return { requests: this.requests, bytes: this.bytes, senders: this.perSender.size };
  }
}
