import { context } from '@opentelemetry/api';
import type { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;
type ListenerMap = Map<string | symbol, WeakMap<Listener, Listener>>;

const ADD_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVE_METHODS = ['removeListener', 'off'] as const;
const PATCHED = Symbol('stitch.boundListeners');

// `once()` wraps the listener and calls `on()`: while inside one of our patched methods the
// inner call must not wrap again, or `removeListener()` could no longer find the once-wrapper.
let adding = false;

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
  if (target[PATCHED] !== undefined) return emitter;
  let map: ListenerMap = new Map();
  target[PATCHED] = true;

  for (const name of ADD_METHODS) {
    const original = target[name] as (event: string | symbol, listener: Listener) => E;
    target[name] = function (this: E, event: string | symbol, listener: Listener): E {
      if (adding || typeof listener !== 'function') return original.call(this, event, listener);
      const bound = context.bind(context.active(), listener);
      let perEvent = map.get(event);
      if (perEvent === undefined) {
        perEvent = new WeakMap();
        map.set(event, perEvent);
      }
      perEvent.set(listener, bound);
      adding = true;
      try {
        return original.call(this, event, bound);
      } finally {
        adding = false;
      }
    };
  }
  for (const name of REMOVE_METHODS) {
    const original = target[name] as (event: string | symbol, listener: Listener) => E;
    target[name] = function (this: E, event: string | symbol, listener: Listener): E {
      return original.call(this, event, map.get(event)?.get(listener) ?? listener);
    };
  }
  const removeAll = target.removeAllListeners as (...args: unknown[]) => E;
  target.removeAllListeners = function (this: E, ...args: unknown[]): E {
    if (args.length === 0) map = new Map();
    else map.delete(args[0] as string | symbol);
    return removeAll.apply(this, args);
  };
  return emitter;
}
