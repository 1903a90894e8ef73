import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startStitch } from '../../setup/start-stitch.js';
import { bindRequestEmitters } from './bind-request-emitters.js';
import { runInNewContext, tryCurrentContext } from './context-store.js';

startStitch({ serviceName: 'bind-request-emitters-test', enabled: false });
bindRequestEmitters();
bindRequestEmitters(); // idempotent: a second install must not wrap twice

function exchange(): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  return { req, res: new ServerResponse(req) };
}

const PROBE = createContextKey('bind-request-emitters-test.probe');

const requestIdHere = (): string | undefined => tryCurrentContext()?.requestId;

describe('bindRequestEmitters', () => {
  it("runs a listener added in a context in that context, whoever emits, and a request's in its own", () => {
    const { req, res } = exchange();
    const seen: (string | undefined)[] = [];
    runInNewContext({ name: 'a', requestId: 'req-a' }, () => req.on('end', () => seen.push(requestIdHere())));
    runInNewContext({ name: 'b', requestId: 'req-b' }, () => res.on('finish', () => seen.push(requestIdHere())));
    runInNewContext({ name: 'emitter', requestId: 'req-other' }, () => {
      req.emit('end');
      res.emit('finish');
    });
    expect(seen).toEqual(['req-a', 'req-b']);
  });

  it('leaves a listener added outside any context as it is: it runs in the emitting context', () => {
    const { res } = exchange();
    const seen: (string | undefined)[] = [];
    const listener = (): number => seen.push(requestIdHere());
    res.on('finish', listener);
    expect(res.listeners('finish')).toContain(listener);
    runInNewContext({ name: 'emitter', requestId: 'req-other' }, () => res.emit('finish'));
    expect(seen).toEqual(['req-other']);
  });

  it('fires a once listener once, lists and removes it by the function that was added', () => {
    const { res } = exchange();
    const calls: unknown[] = [];
    const once = (value: unknown): number => calls.push(value);
    const removed = (): number => calls.push('removed');
    runInNewContext({ name: 'a', requestId: 'req-a' }, () => {
      res.once('tick', once);
      res.prependOnceListener('tick', removed);
    });
    expect(res.listeners('tick')).toEqual([removed, once]);
    res.off('tick', removed);
    res.emit('tick', 1);
    res.emit('tick', 2);
    expect(calls).toEqual([1]);
    expect(res.listenerCount('tick')).toBe(0);
  });
});

describe("bindRequestEmitters and Node's own listener", () => {
  it("adds Node's clearIncoming as it is: it runs no code that reads a context", () => {
    const { req } = exchange();
    // The name Node's http server gives the 'end' listener it adds to every unread request.
    const clearIncoming = (): void => undefined;
    Object.defineProperty(clearIncoming, 'name', { value: 'clearIncoming' });
    const userEnd = (): void => undefined;
    runInNewContext({ name: 'a', requestId: 'req-a' }, () => {
      req.on('end', clearIncoming);
      req.on('end', userEnd);
    });
    const [internal, user] = req.rawListeners('end') as ((...args: unknown[]) => unknown)[];
    expect(internal).toBe(clearIncoming);
    expect(user).not.toBe(userEnd); // wrapped, to run in req-a's context
    expect(req.listeners('end')).toEqual([clearIncoming, userEnd]);
  });
});

describe('bindRequestEmitters under OpenTelemetry\'s context.bind (instrumentation-http)', () => {
  it("adds OpenTelemetry's wrapper as it is: the listener runs in the context OpenTelemetry pinned, with one wrapper, not two", () => {
    const { req } = exchange();
    const pinned = ROOT_CONTEXT.setValue(PROBE, 'pinned by instrumentation-http');
    context.bind(pinned, req);
    const seen: unknown[] = [];
    runInNewContext({ name: 'a', requestId: 'req-a' }, () => req.on('end', () => seen.push(context.active().getValue(PROBE))));
    runInNewContext({ name: 'emitter', requestId: 'req-other' }, () => req.emit('end'));
    expect(seen).toEqual(['pinned by instrumentation-http']);
    const [raw] = req.rawListeners('end') as ((...args: unknown[]) => unknown)[];
    expect(raw?.name).toBe('contextWrapper');
  });
});
