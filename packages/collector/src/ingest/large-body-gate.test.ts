import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TurnGate } from './large-body-gate.js';

describe('the large-body gate', () => {
  it('runs one work at a time, in arrival order, and a failing work hands its place on', async () => {
    const gate = new TurnGate(1);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const work = (n: number, fail = false) =>
      gate.run(async () => {
        running += 1;
        most = Math.max(most, running);
        await nextTurn();
        await nextTurn();
        order.push(n);
        running -= 1;
        if (fail) throw new Error(`work ${n} failed`);
        return n;
      });
    const results = await Promise.allSettled([work(1), work(2, true), work(3), work(4)]);
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(gate.queued).toBe(0);
  });
});
