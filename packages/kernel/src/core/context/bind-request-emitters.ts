import { IncomingMessage, ServerResponse } from 'node:http';
import { ADD_METHODS, bindListener, originalAdds } from './bind-emitter.js';
import type { Listener, Method } from './bind-emitter.js';
import { getScope } from './context-store.js';

const INSTALLED = Symbol('stitch.requestEmittersBound');

/**
 * Makes a listener added to a request or response (`IncomingMessage`, `ServerResponse`) inside a
 * Stitch context run in that context, whoever emits: a body parser's 'data'/'end' listeners come
 * from the socket, which runs in the connection's context, not the request's. Same contract as
 * `bindEmitter()` (the original listener can still be removed, `listeners()` lists it, a once
 * listener fires once), but patched once on the two prototypes instead of on every request and
 * response: a request costs no patching, and requests and responses keep the hidden class Node's
 * own http code is optimised for.
 *
 * A client's response is an IncomingMessage too: listeners added to it in a context run in that
 * context as well, not in the one of whichever request opened the keep-alive socket.
 *
 * Outside a Stitch context nothing changes: the listener is added as it is, and so is Node's own
 * `clearIncoming` (see isNodeInternal). Idempotent; the edge adapters install it when an edge is
 * created.
 */
export function bindRequestEmitters(): void {
  patch(IncomingMessage.prototype);
  patch(ServerResponse.prototype);
}

function patch(proto: object): void {
  if (Object.hasOwn(proto, INSTALLED)) return;
  // Read before patching, whether the prototype's own or inherited (Readable.prototype.on for
  // requests: it starts the flow of 'data').
  const originals = originalAdds(proto);
  const target = proto as Record<string | symbol, unknown>;
  for (const [name, [add, once]] of Object.entries(ADD_METHODS)) target[name] = bound(originals[add], once);
  target[INSTALLED] = true;
}

/**
 * Node's http server adds `req.on('end', clearIncoming)` to every request whose body was not
 * read (so that the parser can let go of the request). It runs no code of anyone's, and binding
 * it cost about 5 µs of CPU per request in a real server (bench/http-route, BENCH_NO_DB=1, edge
 * alone: 0.63 of bare by CPU bound, 0.71 unbound). It is added as it is.
 */
function isNodeInternal(event: unknown, name: string): boolean {
  return event === 'end' && name === 'clearIncoming';
}

/**
 * OpenTelemetry's `context.bind(ctx, emitter)` (instrumentation-http does it to every request
 * and response it sees, under NodeSDK) patches the emitter's own add methods: every listener
 * reaches these prototype methods already wrapped in its `contextWrapper`, which runs the
 * listener in the context it pinned. A wrapper of ours around it would set a context the
 * listener never sees, at about 5 µs of CPU per request in a real server (bench/http-route,
 * sdk-node-stitch, hello route: Node's `clearIncoming`, re-added through that patch by every
 * response's finish). It is added as it is; the listener runs in OpenTelemetry's pinned
 * context either way.
 */
function isContextBoundAlready(name: string): boolean {
  return name === 'contextWrapper';
}

function bound(add: Method, once: boolean): Method {
  return function (this: unknown, event: unknown, listener: unknown): unknown {
    // The scope first: most listeners (Node's own, the instrumentations') are added outside one,
    // and a function's name is a slow read on OpenTelemetry's wrappers.
    if (typeof listener !== 'function' || getScope() === undefined) return add.call(this, event, listener);
    const { name } = listener;
    if (isNodeInternal(event, name) || isContextBoundAlready(name)) return add.call(this, event, listener);
    return add.call(this, event, bindListener(this, event, listener as Listener, once));
  };
}
