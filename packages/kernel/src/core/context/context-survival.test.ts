import { EventEmitter, once } from 'node:events';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startStitch } from '../../setup/start-stitch.js';
import { bindEmitter } from './bind-emitter.js';
import { currentContext, runInNewContext, tryCurrentContext } from './context-store.js';

const stitch = startStitch({ serviceName: 'context-survival-test', tracing: { export: { exporter: 'none' } } });
afterAll(() => stitch.shutdown());

const CONCURRENT = 20;
const tenantOf = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

interface Seen {
  readonly expected: { traceId: string; tenantId: string };
  readonly observed: { step: string; traceId: string | undefined; tenantId: string | undefined }[];
}

/**
 * Runs `work` in CONCURRENT contexts at once (each its own trace and tenant), all interleaved,
 * and returns what every step of every context observed.
 */
async function inConcurrentContexts(work: (note: (step: string) => void, i: number) => Promise<void>): Promise<Seen[]> {
  return Promise.all(
    Array.from({ length: CONCURRENT }, (_, i) =>
      runInNewContext({ name: `req-${i}`, tenantId: tenantOf(i) }, async (): Promise<Seen> => {
        const { traceId, tenantId = '' } = currentContext();
        const seen: Seen = { expected: { traceId, tenantId }, observed: [] };
        const note = (step: string): void => {
          const ctx = tryCurrentContext();
          seen.observed.push({ step, traceId: ctx?.traceId, tenantId: ctx?.tenantId });
        };
        await work(note, i);
        return seen;
      }),
    ),
  );
}

function expectOwnContextEverywhere(all: Seen[], steps: number): void {
  const traceIds = new Set(all.map((seen) => seen.expected.traceId));
  expect(traceIds.size).toBe(CONCURRENT);
  for (const seen of all) {
    expect(seen.observed.map((step) => step.step)).toHaveLength(steps);
    for (const step of seen.observed) expect(step, step.step).toEqual({ step: step.step, ...seen.expected });
  }
}

const jitter = (i: number): number => (i * 7) % 5;

describe('context survives', () => {
  it('await chains, including nested async functions and thenables', async () => {
    const inner = async (note: (step: string) => void, i: number): Promise<void> => {
      await sleep(jitter(i));
      note('inner');
    };
    const all = await inConcurrentContexts(async (note, i) => {
      await inner(note, i);
      note('after-inner');
      await { then: (resolve: (value: unknown) => void) => setTimeout(resolve, jitter(i + 1)) };
      note('after-thenable');
      await Promise.resolve().then(() => note('in-then'));
    });
    expectOwnContextEverywhere(all, 4);
  });

  it('setTimeout, setImmediate, process.nextTick and queueMicrotask callbacks', async () => {
    const all = await inConcurrentContexts(async (note, i) => {
      await new Promise<void>((resolve) => setTimeout(() => (note('timeout'), resolve()), jitter(i)));
      await new Promise<void>((resolve) => setImmediate(() => (note('immediate'), resolve())));
      await new Promise<void>((resolve) => process.nextTick(() => (note('nextTick'), resolve())));
      await new Promise<void>((resolve) => queueMicrotask(() => (note('microtask'), resolve())));
      const interval = await new Promise<void>((resolve) => {
        let ticks = 0;
        const handle = setInterval(() => {
          note('interval');
          if (++ticks === 2) {
            clearInterval(handle);
            resolve();
          }
        }, 1);
      });
      return interval;
    });
    expectOwnContextEverywhere(all, 6);
  });

  it('Promise.all, allSettled, race and any, in their callbacks and after them', async () => {
    const all = await inConcurrentContexts(async (note, i) => {
      const step = (name: string, millis: number, fail = false): Promise<string> =>
        sleep(millis).then(() => {
          note(name);
          if (fail) throw new Error(name);
          return name;
        });
      await Promise.all([step('all-a', jitter(i)), step('all-b', jitter(i + 2))]);
      note('after-all');
      await Promise.allSettled([step('settled-ok', jitter(i)), step('settled-fail', 1, true)]);
      note('after-allSettled');
      // On a loaded machine Node may fire a later timer first, so each combinator's other
      // entries are awaited too before the work ends: every step must have been noted.
      const fast = step('race-fast', 0);
      await Promise.race([fast, sleep(10).then(() => 'slow')]);
      note('after-race');
      await fast;
      const anyFail = step('any-fail', 0, true);
      const anyOk = step('any-ok', 2);
      await Promise.any([anyFail, anyOk]);
      note('after-any');
      await Promise.allSettled([anyFail, anyOk]);
    });
    // The slow race entry settles after the test body, in no step; 11 noted steps each.
    expectOwnContextEverywhere(all, 11);
  });

  it('async generators, consumed with for await and driven by timers', async () => {
    async function* numbers(note: (step: string) => void, i: number): AsyncGenerator<number> {
      for (let n = 0; n < 3; n++) {
        await sleep(jitter(i + n));
        note(`yield-${n}`);
        yield n;
      }
    }
    const all = await inConcurrentContexts(async (note, i) => {
      for await (const n of numbers(note, i)) note(`got-${n}`);
      note('after-loop');
    });
    expectOwnContextEverywhere(all, 7);
  });

  it('EventEmitter listeners on an emitter created outside any request, when bound with bindEmitter()', async () => {
    const shared = bindEmitter(new EventEmitter());
    shared.setMaxListeners(CONCURRENT * 2);
    const all = await inConcurrentContexts(async (note, i) => {
      const received = new Promise<void>((resolve) =>
        shared.on(`ping-${i}`, () => {
          note('listener');
          resolve();
        }),
      );
      shared.once(`pong-${i}`, () => note('once-listener'));
      await sleep(jitter(i));
      // Each request emits the *next* request's event: the listener must not see the emitter's context.
      shared.emit(`ping-${(i + 1) % CONCURRENT}`);
      shared.emit(`pong-${(i + 1) % CONCURRENT}`);
      await received;
      await sleep(5);
    });
    expectOwnContextEverywhere(all, 2);
  });

  it('without bindEmitter() a listener runs in the emitting context: the failure bindEmitter() exists for', () => {
    const shared = new EventEmitter();
    // Register in tenant 1, emit from tenant 2, then from outside any context.
    const seen: (string | undefined)[] = [];
    runInNewContext({ name: 'register', tenantId: tenantOf(1) }, () => {
      shared.on('tick', () => seen.push(tryCurrentContext()?.tenantId));
    });
    runInNewContext({ name: 'emit', tenantId: tenantOf(2) }, () => shared.emit('tick'));
    shared.emit('tick');
    expect(seen).toEqual([tenantOf(2), undefined]);
    // Bound, the same listener keeps the tenant it was registered in, and removeListener still works.
    const bound = bindEmitter(new EventEmitter());
    const boundSeen: (string | undefined)[] = [];
    const listener = (): number => boundSeen.push(tryCurrentContext()?.tenantId);
    runInNewContext({ name: 'register', tenantId: tenantOf(1) }, () => bound.on('tick', listener));
    runInNewContext({ name: 'emit', tenantId: tenantOf(2) }, () => bound.emit('tick'));
    bound.emit('tick');
    bound.removeListener('tick', listener);
    bound.emit('tick');
    expect(boundSeen).toEqual([tenantOf(1), tenantOf(1)]);
    expect(bound.listenerCount('tick')).toBe(0);
  });

  it('streams: pipeline() through a Transform into a Writable, and a PassThrough read with events.once', async () => {
    const all = await inConcurrentContexts(async (note, i) => {
      await pipeline(
        Readable.from(['a', 'b']),
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            note('transform');
            setTimeout(() => callback(null, chunk), jitter(i));
          },
        }),
        new Writable({
          write(_chunk: Buffer, _encoding, callback) {
            note('write');
            callback();
          },
        }),
      );
      note('after-pipeline');
      const through = bindEmitter(new PassThrough());
      const ended = once(through, 'end');
      through.on('data', () => note('data'));
      setTimeout(() => through.end('x'), jitter(i));
      await ended;
      note('after-end');
    });
    expectOwnContextEverywhere(all, 7);
  });
});
