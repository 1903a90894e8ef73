import { context } from '@opentelemetry/api';
import type { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;
type ListenerMap = Map<string | symbol, WeakMap<Listener, Listener>>;
type Method = (this: unknown, ...args: unknown[]) => unknown;

type MethodName = 'addListener' | 'on' | 'once' | 'prependListener' | 'prependOnceListener' | 'removeListener' | 'off' | 'removeAllListeners';
const STATE = Symbol('stitch.boundListeners');

/**
 * What one patched emitter keeps: its own original methods, and the bound listener of each
 * listener added (made on the first add). The edge patches every request and response, so the
 * per-emitter cost is this one object; the patched methods themselves are shared.
 */
type BindState = Record<MethodName, Method> & { map: ListenerMap | undefined };

// `once()` wraps the listener and calls `on()`: while inside one of our patched methods the
// inner call must not wrap again, or `removeListener()` could no longer find the once-wrapper.
let adding = false;

function stateOf(emitter: unknown): BindState {
  return (emitter as { [STATE]: BindState })[STATE];
}

function makeAdd(name: MethodName): Method {
  return function (this: unknown, event: unknown, listener: unknown): unknown {
    const state = stateOf(this);
    const original = state[name];
    if (adding || typeof listener !== 'function') return original.call(this, event, listener);
    const bound = context.bind(context.active(), listener as Listener);
    state.map ??= new Map();
    let perEvent = state.map.get(event as string | symbol);
    if (perEvent === undefined) {
      perEvent = new WeakMap();
      state.map.set(event as string | symbol, perEvent);
    }
    perEvent.set(listener as Listener, bound);
    adding = true;
    try {
      return original.call(this, event, bound);
    } finally {
      adding = false;
    }
  };
}

function makeRemove(name: MethodName): Method {
  return function (this: unknown, event: unknown, listener: unknown): unknown {
    const state = stateOf(this);
    return state[name].call(this, event, state.map?.get(event as string | symbol)?.get(listener as Listener) ?? listener);
  };
}

function removeAllListeners(this: unknown, ...args: unknown[]): unknown {
  const state = stateOf(this);
  if (args.length === 0) state.map = undefined;
  else state.map?.delete(args[0] as string | symbol);
  return state.removeAllListeners.apply(this, args);
}

const PATCHES: Record<MethodName, Method> = {
  addListener: makeAdd('addListener'),
  on: makeAdd('on'),
  once: makeAdd('once'),
  prependListener: makeAdd('prependListener'),
  prependOnceListener: makeAdd('prependOnceListener'),
  removeListener: makeRemove('removeListener'),
  off: makeRemove('off'),
  removeAllListeners,
};

/**
 * Makes every listener of `emitter` run in the context that was active when the listener was
 * added, whoever emits. Node runs listeners in the emitter's caller's context: a listener a
 * request adds to a shared emitter (or to a socket-driven stream such as the request body)
 * otherwise runs in whatever context emits — another request's, or none.
 *
 * Unlike OpenTelemetry's `context.bind(ctx, emitter)`, which pins one context for all
 * listeners, this keeps each listener's own: one emitter shared by many requests stays safe.
 * Idempotent; `removeListener()`/`off()` with the original listener keep working.
 *
 * @example
 *   const events = bindEmitter(new EventEmitter()); // once, at startup
 *   // inside a request:
 *   events.on('price', (p) => log.info({ p })); // logs with this request's trace id
 */
export function bindEmitter<E extends EventEmitter>(emitter: E): E {
  const target = emitter as unknown as Record<string | symbol, unknown>;
  if (target[STATE] !== undefined) return emitter;
  const originals = target as unknown as Record<MethodName, Method>;
  const state: BindState = {
    addListener: originals.addListener,
    on: originals.on,
    once: originals.once,
    prependListener: originals.prependListener,
    prependOnceListener: originals.prependOnceListener,
    removeListener: originals.removeListener,
    off: originals.off,
    removeAllListeners: originals.removeAllListeners,
    map: undefined,
  };
  target[STATE] = state;
  target.addListener = PATCHES.addListener;
  target.on = PATCHES.on;
  target.once = PATCHES.once;
  target.prependListener = PATCHES.prependListener;
  target.prependOnceListener = PATCHES.prependOnceListener;
  target.removeListener = PATCHES.removeListener;
  target.off = PATCHES.off;
  target.removeAllListeners = PATCHES.removeAllListeners;
  return emitter;
}
