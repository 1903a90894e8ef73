import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { EventEmitter } from 'node:events';

export type Listener = (...args: unknown[]) => unknown;
export type Method = (this: unknown, ...args: unknown[]) => unknown;
type AddMethod = 'addListener' | 'on' | 'prependListener';
const STATE = Symbol('stitch.boundListeners');

/**
 * An emitter's own add methods, kept when it is patched: the per-emitter cost is this one
 * object; the patched methods are shared. (Requests and responses are not patched one by one:
 * see bind-request-emitters.ts.)
 */
type BindState = Readonly<Record<AddMethod, Method>>;

function stateOf(emitter: unknown): BindState {
  return (emitter as { [STATE]: BindState })[STATE];
}

/** What one bound listener needs when it runs; the wrapper is a native bound function of it. */
interface Binding {
  readonly ctx: Context;
  readonly emitter: EventEmitter;
  readonly event: string | symbol;
  readonly listener: Listener;
  fired: boolean;
  wrapper: Listener | undefined;
}

// Node calls listeners with `this` = the emitter, so the binding's emitter stands in for it.
function runBound(this: Binding, ...args: unknown[]): unknown {
  return context.with(this.ctx, this.listener, this.emitter, ...args);
}

function runBoundOnce(this: Binding, ...args: unknown[]): unknown {
  if (this.fired) return undefined;
  this.fired = true;
  this.emitter.removeListener(this.event, this.wrapper as Listener);
  return context.with(this.ctx, this.listener, this.emitter, ...args);
}

/**
 * The listener bound to the context active now. It carries the original as `.listener`, the
 * convention of Node's own once-wrappers: `removeListener(original)`, `listeners()` and the
 * 'newListener'/'removeListener' events all see through it, so no lookup table is kept.
 */
export function bindListener(emitter: unknown, event: unknown, listener: Listener, once: boolean): Listener {
  const binding: Binding = {
    ctx: context.active(),
    emitter: emitter as EventEmitter,
    event: event as string | symbol,
    listener,
    fired: false,
    wrapper: undefined,
  };
  const wrapper = (once ? runBoundOnce : runBound).bind(binding) as Listener & { listener?: Listener };
  wrapper.listener = listener;
  binding.wrapper = wrapper;
  return wrapper;
}

/**
 * The add methods an emitter is patched on, each as the original it delegates to and whether its
 * listener fires once. `once` delegates to `on`, not to EventEmitter's once: that wrapper would
 * stand between the listener and removeListener(listener).
 */
export const ADD_METHODS: Readonly<Record<'addListener' | 'on' | 'once' | 'prependListener' | 'prependOnceListener', readonly [AddMethod, boolean]>> = {
  addListener: ['addListener', false],
  on: ['on', false],
  once: ['on', true],
  prependListener: ['prependListener', false],
  prependOnceListener: ['prependListener', true],
};

/** The originals an emitter (or a prototype) has, before it is patched. */
export function originalAdds(emitter: object): BindState {
  const own = emitter as Record<AddMethod, Method>;
  return { addListener: own.addListener, on: own.on, prependListener: own.prependListener };
}

function makeAdd(add: AddMethod, once: boolean): Method {
  return function (this: unknown, event: unknown, listener: unknown): unknown {
    const original = stateOf(this)[add];
    if (typeof listener !== 'function') return original.call(this, event, listener);
    return original.call(this, event, bindListener(this, event, listener as Listener, once));
  };
}

// Shared by every patched emitter: each finds its own originals in its state.
const PATCHES = Object.fromEntries(Object.entries(ADD_METHODS).map(([name, [add, once]]) => [name, makeAdd(add, once)]));

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
  target[STATE] = originalAdds(emitter);
  Object.assign(target, PATCHES);
  return emitter;
}
