/**
 * Large bodies are decoded one at a time. Decoding holds ~20× the body in memory (a 13.5 MB,
 * 250k-span body: ~130 MB of decoded protobuf messages, then ~130 MB of rows), and it all runs
 * on the one event loop anyway, so decoding several at once finishes none sooner; it only
 * multiplies the peak. Admission (ingest-admission.ts) bounds the raw bodies waiting here by
 * maxInflightBytes; this bounds what decoding adds to one body's worth. Small bodies, decoded
 * within one slice, never wait.
 */
export const LARGE_BODY_BYTES = 1024 * 1024;

/** A FIFO semaphore: at most `size` works at once, the rest wait in arrival order. */
export class TurnGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      // Hand the place straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /** Works waiting for a place (for tests and status). */
  get queued(): number {
    return this.waiting.length;
  }
}

/** One gate for the process: OTLP/HTTP and OTLP/gRPC bodies share the memory it protects. */
export const largeBodies = new TurnGate(1);
