import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bindEmitter } from './bind-emitter.js';

describe('bindEmitter', () => {
  it('lets a once listener be removed by the function that was added, before it fires', () => {
    const emitter = bindEmitter(new EventEmitter());
    const calls: string[] = [];
    const listener = (): void => void calls.push('once');
    emitter.once('tick', listener);
    emitter.off('tick', listener);
    emitter.emit('tick');
    expect(calls).toEqual([]);
    expect(emitter.listenerCount('tick')).toBe(0);
  });

  it('runs a once listener exactly once and lists the added functions, not wrappers', () => {
    const emitter = bindEmitter(new EventEmitter());
    const calls: unknown[] = [];
    const first = (value: unknown): void => void calls.push(value);
    const second = (): void => undefined;
    emitter.prependOnceListener('tick', first);
    emitter.on('tick', second);
    expect(emitter.listeners('tick')).toEqual([first, second]);
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    expect(calls).toEqual([1]);
    expect(emitter.listeners('tick')).toEqual([second]);
  });
});
