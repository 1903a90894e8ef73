import { context, createContextKey, propagation, ProxyTracerProvider, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/api';

const PROBE = createContextKey('stitch.setup.context-manager-probe');

/**
 * What of OpenTelemetry's three globals is already taken, in words for an error message (empty
 * when none is). `@opentelemetry/api` refuses a second registration of any of them and says so
 * only through `diag`, which is silent by default: a `startStitch()` after a `NodeSDK.start()`
 * would otherwise run with none of Stitch's sampler, budgets, redaction or tail keep (issue 13).
 *
 * Only the public API is read: the tracer provider behind the global proxy, the propagator's
 * header fields (the no-op propagator has none), and whether a context set with `context.with`
 * is seen inside it (the no-op context manager always answers the root context).
 *
 * @param ownContextManagerRegistered true when this kernel registered the context manager itself,
 *   which it keeps for the whole process.
 * @example
 *   const taken = findRegisteredGlobals(false); // ['a tracer provider (NodeTracerProvider)', …]
 */
export function findRegisteredGlobals(ownContextManagerRegistered: boolean): string[] {
  const found: string[] = [];
  const provider = registeredTracerProvider();
  if (provider !== undefined) found.push(`a tracer provider (${provider.constructor.name})`);
  const fields = propagation.fields();
  if (fields.length > 0) found.push(`a propagator (headers ${fields.join(', ')})`);
  if (!ownContextManagerRegistered && contextManagerRegistered()) found.push('a context manager');
  return found;
}

function registeredTracerProvider(): TracerProvider | undefined {
  const current = trace.getTracerProvider();
  // Another copy of the API (same major version) registers its own proxy: taken, whatever it holds.
  if (!(current instanceof ProxyTracerProvider)) return current;
  const noop = new ProxyTracerProvider().getDelegate();
  const delegate = current.getDelegate();
  return delegate === noop ? undefined : delegate;
}

/** True when some context manager is registered: a value set with `context.with` is seen inside it. */
export function contextManagerRegistered(): boolean {
  return context.with(ROOT_CONTEXT.setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
}
