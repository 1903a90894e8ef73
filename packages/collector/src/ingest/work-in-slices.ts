import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Work that can pause: a generator that `yield`s at points where stopping is safe (every
 * SLICE_RECORDS records), and returns its result. One body of code serves both callers: run
 * to the end at once (small bodies, tests), or in slices that give the event loop back
 * between them (large bodies on the ingest path), so a 250k-span request never holds the API
 * for the ~1.5 s its decoding and normalization take at once (issue 15).
 *
 * Why slices and not a worker_threads pool: measured on a 250k-span, 13.5 MB body, decoding
 * takes ~350 ms and normalizing ~1.1 s, but bringing the rows back from a worker (structured
 * clone, 144 MB serialized) costs ~1.9 s of deserialization on the main thread, more than the
 * work itself, and the rows must come back: the store's appender lives on the main thread.
 */
export type Steps<T> = Generator<void, T, void>;

/** Records between two pause points: about a millisecond of decoding or normalizing. */
export const SLICE_RECORDS = 256;

/** Runs `steps` to the end without pausing. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs `steps`, giving the event loop a turn (setImmediate: I/O callbacks and timers run
 * first) whenever `sliceMillis` have passed since the last one. Time, not a count, decides,
 * so a slow machine slices as finely as a fast one; work done within one slice (a small body)
 * never waits a turn at all.
 */
export async function runInSlices<T>(steps: Steps<T>, sliceMillis: number): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMillis) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}
