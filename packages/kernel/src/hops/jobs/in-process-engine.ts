import type { EngineDelivery, EngineSendOptions, EngineWorkOptions, JobEngine } from './job-engine.js';
import type { JobMessage } from './job-envelope.js';

interface Pending {
  readonly message: JobMessage;
  readonly options: EngineSendOptions;
  attempt: number;
}

interface Lane {
  handler?: (delivery: EngineDelivery) => Promise<void>;
  concurrency: number;
  running: number;
  readonly ready: Pending[];
}

/**
 * The embedded default: jobs run in this process, with the same delays, retries and
 * exponential backoff as the real engines, and nothing survives a restart. For `npm start`
 * without servers and for unit tests; production work belongs on BullMQ or pg-boss.
 *
 * @example
 *   const jobs = createJobs({ engine: inProcessJobEngine() });
 */
export function inProcessJobEngine(): JobEngine & { idle(): Promise<void> } {
  const lanes = new Map<string, Lane>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  function lane(name: string): Lane {
    let value = lanes.get(name);
    if (value === undefined) {
      value = { concurrency: 1, running: 0, ready: [] };
      lanes.set(name, value);
    }
    return value;
  }

  function later(delayMillis: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delayMillis);
    timers.add(timer);
  }

  function isIdle(): boolean {
    if (timers.size > 0 || running.size > 0) return false;
    for (const l of lanes.values()) if (l.ready.length > 0 && l.handler !== undefined) return false;
    return true;
  }

  function settleIdle(): void {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  }

  function pump(name: string): void {
    const l = lane(name);
    while (!closed && l.handler !== undefined && l.running < l.concurrency && l.ready.length > 0) {
      const pending = l.ready.shift() as Pending;
      const handler = l.handler;
      l.running += 1;
      pending.attempt += 1;
      const run = handler({
        message: pending.message,
        engineJobId: pending.options.runId,
        attempt: pending.attempt,
        maxAttempts: pending.options.attempts,
      }).then(
        () => undefined,
        () => {
          if (pending.attempt >= pending.options.attempts || closed) return;
          const backoff = pending.options.backoffMillis * 2 ** (pending.attempt - 1);
          later(backoff, () => enqueueReady(name, pending));
        },
      );
      running.add(run);
      void run.finally(() => {
        running.delete(run);
        l.running -= 1;
        pump(name);
        settleIdle();
      });
    }
  }

  function enqueueReady(name: string, pending: Pending): void {
    lane(name).ready.push(pending);
    pump(name);
    settleIdle();
  }

  return {
    kind: 'in-process',
    async send(name, message, options) {
      // A structured clone, as a real engine would serialise it: the handler never shares
      // objects with the enqueuer.
      const pending: Pending = { message: structuredClone(message), options, attempt: 0 };
      if (options.delayMillis > 0) later(options.delayMillis, () => enqueueReady(name, pending));
      else queueMicrotask(() => enqueueReady(name, pending));
      return options.runId;
    },
    async work(name, handler, options: EngineWorkOptions) {
      const l = lane(name);
      l.handler = handler;
      l.concurrency = options.concurrency;
      pump(name);
    },
    /** Resolves once nothing is running, waiting or scheduled (tests). */
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        queueMicrotask(settleIdle);
      });
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
      settleIdle();
    },
  };
}
