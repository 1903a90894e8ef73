import { context, createContextKey, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanContext } from '@opentelemetry/api';
import { SpanAttr, TraceContextSchema } from '@stitch/contract';
import type { ContextChanges, TraceContext } from '@stitch/contract';
import { StitchError } from '../errors/stitch-error.js';
import { getKernelTracer } from '../tracing/kernel-tracer.js';
import { addEntryAttributes, parseEntry } from './entry.js';
import type { Entry } from './entry.js';
import { newTraceId, newUnsampledSpanContext } from './ids.js';
import { SpanScopeContext } from './span-scope-context.js';
import { checkTenantId } from './tenant-id.js';
import { runInSpan } from '../tracing/run-in-span.js';
import { issueDetail } from '../options/parse-options.js';

/**
 * Stitch's own part of a context: everything but the trace ids, which always come from
 * OpenTelemetry's active span. Keeping them there (and only there) is what makes
 * `currentContext()` and `trace.getActiveSpan()` unable to disagree, and lets any
 * OpenTelemetry instrumentation's child span show up as the current span id.
 */
export interface StitchScope {
  readonly requestId: string;
  readonly runId?: string | undefined;
  readonly tenantId?: string | undefined;
  readonly actorId?: string | undefined;
  readonly routeId?: string | undefined;
  /**
   * The edge request this context belongs to, shared by every context derived from the
   * request's: its route, which a framework may match only after the context was made (Express
   * matches inside the middleware chain the edge started; read when `routeId` is unset, so auth
   * middleware that ran before the match still sees the route afterwards), its server span, and
   * the framework that serves it (the sqlcommenter `framework` tag, e.g. `express:5.1.0`).
   */
  readonly requestSlot?: RequestSlot | undefined;
  readonly masqueradeSessionId?: string | undefined;
  readonly onBehalfOfUserId?: string | undefined;
  /**
   * What started the work (see entry.ts): set where work enters (the edge, a job run, a
   * consumer, a webhook delivery, a batch) or carried in from the hop that caused it, and kept
   * by every context derived from this one.
   */
  readonly entry?: Entry | undefined;
  readonly baggage: Readonly<Record<string, string>>;
}

/** What an edge request shares with every context derived from its own (see StitchScope.requestSlot). */
export interface RequestSlot {
  readonly routeId: string | undefined;
  readonly span?: Span | undefined;
  /** `name:version` of the web framework, when the adapter knows it. */
  readonly framework?: string | undefined;
}

const SCOPE_KEY = createContextKey('stitch.scope');

// currentContext() runs on every log line: cache the TraceContext built for one
// (scope, span context) pair so a request's log lines share one frozen object. The entry lives
// on the scope itself, under a symbol: a WeakMap entry per request cost more than the build
// (ephemerons are slow to add and to collect). A spread copy of a scope carries the entry
// along, so the entry names the scope it was built for.
const BUILT = Symbol('stitch.builtContext');
interface BuiltContext {
  readonly scope: StitchScope;
  readonly spanContext: SpanContext;
  readonly value: TraceContext;
}
// For scopes that cannot take the entry (frozen by their maker).
const built = new WeakMap<StitchScope, BuiltContext>();

const EMPTY_BAGGAGE: Readonly<Record<string, string>> = Object.freeze({});

function build(scope: StitchScope, spanContext: SpanContext): TraceContext {
  const routeId = routeOf(scope);
  // The WeakMap is asked only about scopes that could not take the entry: a WeakMap lookup of a
  // fresh object cost more than the whole build (about 2 µs of a log line's 4, measured).
  const cached = (scope as { [BUILT]?: BuiltContext })[BUILT] ?? (Object.isExtensible(scope) ? undefined : built.get(scope));
  if (cached !== undefined && cached.scope === scope && cached.spanContext === spanContext && cached.value.routeId === routeId) return cached.value;
  // Assigned field by field, not spread: the first log line of every request builds this.
  const fields: Record<string, unknown> = {
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    sampled: (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    requestId: scope.requestId,
  };
  if (scope.runId !== undefined) fields.runId = scope.runId;
  if (scope.tenantId !== undefined) fields.tenantId = scope.tenantId;
  if (scope.actorId !== undefined) fields.actorId = scope.actorId;
  if (routeId !== undefined) fields.routeId = routeId;
  if (scope.masqueradeSessionId !== undefined) fields.masqueradeSessionId = scope.masqueradeSessionId;
  if (scope.onBehalfOfUserId !== undefined) fields.onBehalfOfUserId = scope.onBehalfOfUserId;
  if (scope.entry !== undefined) {
    fields.entryKind = scope.entry.kind;
    // An edge request's entry route is its route (read above), once matched.
    const entryRoute = scope.entry.route ?? (scope.entry.kind === 'http' ? routeId : undefined);
    if (entryRoute !== undefined) fields.entryRoute = entryRoute;
  }
  fields.baggage = scope.baggage;
  const value = Object.freeze(fields) as unknown as TraceContext;
  const entry: BuiltContext = { scope, spanContext, value };
  if (!Reflect.set(scope, BUILT, entry)) built.set(scope, entry);
  return value;
}

/** The Stitch scope stored in an OpenTelemetry context, if any. */
export function getScope(ctx: Context = context.active()): StitchScope | undefined {
  return ctx.getValue(SCOPE_KEY) as StitchScope | undefined;
}

/** The route of a scope: set by derivation, or matched by the edge after the scope was made. */
export function routeOf(scope: StitchScope): string | undefined {
  return scope.routeId ?? scope.requestSlot?.routeId;
}

/**
 * The entry of a scope, its route resolved: an edge request's route is the one its router
 * matched, which may come after the scope was made (see `requestSlot`).
 */
export function entryOf(scope: StitchScope | undefined): Entry | undefined {
  const entry = scope?.entry;
  if (entry === undefined || entry.route !== undefined || entry.kind !== 'http') return entry;
  const route = routeOf(scope as StitchScope);
  return route === undefined ? entry : { kind: 'http', route };
}

/** A copy of `ctx` that carries `scope`. The building block of every adapter. */
export function setScope(ctx: Context, scope: StitchScope): Context {
  return ctx.setValue(SCOPE_KEY, scope);
}

/**
 * A copy of `ctx` with `span` active and `scope` set: what `setScope(trace.setSpan(ctx, span),
 * scope)` makes, in one object instead of two context copies (span-scope-context.ts).
 */
export function setSpanAndScope(ctx: Context, span: Span, scope: StitchScope): Context {
  return new SpanScopeContext(ctx, span, SCOPE_KEY, scope);
}

/** The context in force here, or `undefined` outside any request, job or runInContext(). */
export function tryCurrentContext(): TraceContext | undefined {
  const active = context.active();
  const scope = active.getValue(SCOPE_KEY) as StitchScope | undefined;
  if (scope === undefined) return undefined;
  const spanContext = trace.getSpanContext(active);
  if (spanContext === undefined) return undefined;
  return build(scope, spanContext);
}

/**
 * Whether a context is in force here: what `tryCurrentContext() !== undefined` answers,
 * without building the context.
 */
export function hasCurrentContext(): boolean {
  const active = context.active();
  return active.getValue(SCOPE_KEY) !== undefined && trace.getSpanContext(active) !== undefined;
}

/**
 * The context in force here. Domain code reads ids from it and never makes its own.
 *
 * @throws StitchError `STITCH_ERR_CONTEXT_MISSING` outside any context.
 * @example
 *   const { tenantId, traceId } = currentContext();
 */
export function currentContext(): TraceContext {
  const value = tryCurrentContext();
  if (value === undefined) throw new StitchError('STITCH_ERR_CONTEXT_MISSING');
  return value;
}

/** The current tenant, for code that must not run without one. */
export function requireTenantId(): string {
  const tenantId = currentContext().tenantId;
  if (tenantId === undefined) throw new StitchError('STITCH_ERR_TENANT_REQUIRED');
  return tenantId;
}

/**
 * Runs `fn` inside a context that was carried across a boundary (a job payload, a message),
 * validated first. New spans inside are children of `ctx.spanId` in `ctx.traceId`.
 *
 * @throws StitchError `STITCH_ERR_CONTEXT_INVALID` when `ctx` does not satisfy TraceContextSchema.
 */
export function runInContext<T>(ctx: TraceContext, fn: () => T): T {
  const parsed = TraceContextSchema.safeParse(ctx);
  if (!parsed.success) {
    throw new StitchError('STITCH_ERR_CONTEXT_INVALID', { detail: issueDetail(parsed.error.issues) });
  }
  const value = parsed.data;
  const parent = trace.wrapSpanContext({
    traceId: value.traceId,
    spanId: value.spanId,
    traceFlags: value.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
  const scope: StitchScope = {
    requestId: value.requestId,
    runId: value.runId,
    tenantId: value.tenantId,
    actorId: value.actorId,
    routeId: value.routeId,
    masqueradeSessionId: value.masqueradeSessionId,
    onBehalfOfUserId: value.onBehalfOfUserId,
    entry: parseEntry(value.entryKind, value.entryRoute),
    baggage: value.baggage,
  };
  return context.with(setSpanAndScope(context.active(), parent, scope), fn);
}

/** What a new context needs besides fresh trace ids. */
export interface NewContextInit extends ContextChanges {
  /** Span name of the root span, e.g. `cron nightly-report`. */
  readonly name: string;
  readonly requestId?: string;
  /** What this work is, for the collector's questions: e.g. `{ kind: 'job', route: 'nightly-report' }`. */
  readonly entry?: Entry;
}

/**
 * Runs `fn` in a brand-new trace with its own root span: for scripts, cron and tests. Requests
 * get theirs from the edge adapters, jobs from the job adapters.
 *
 * @throws StitchError `STITCH_ERR_TENANT_INVALID` when `init.tenantId` breaks the tenant id rule (`fn` does not run).
 */
export function runInNewContext<T>(init: NewContextInit, fn: () => T): T {
  if (init.tenantId !== undefined) checkTenantId(init.tenantId);
  const scope: StitchScope = {
    requestId: init.requestId ?? init.runId ?? newTraceId(),
    runId: init.runId,
    tenantId: init.tenantId,
    actorId: init.actorId,
    routeId: init.routeId,
    masqueradeSessionId: init.masqueradeSessionId,
    onBehalfOfUserId: init.onBehalfOfUserId,
    entry: init.entry,
    baggage: init.baggage ?? EMPTY_BAGGAGE,
  };
  const span = startRootSpan(init.name, scope, []);
  return runSpanScoped(span, scope, fn);
}

/**
 * Returns the context that `changes` would make of the current one, without running anything
 * and without touching the current one (contexts are immutable).
 */
export function deriveContext(changes: ContextChanges): TraceContext {
  const current = currentContext();
  return Object.freeze({ ...current, ...changes, baggage: Object.freeze({ ...current.baggage, ...changes.baggage }) });
}

/**
 * Runs `fn` in the current context with `changes` applied: the route matched, the tenant
 * resolved by auth, the actor. The current context is left as it was.
 *
 * The tenant id is checked first (`checkTenantId`: 1–128 letters, digits and `. _ : -`): anything
 * else throws `STITCH_ERR_TENANT_INVALID` and `fn` does not run.
 *
 * A change of tenant (the current context already has another one) never makes a child span:
 * `fn` runs in a new trace whose root span links back to the current span, so no span ever
 * mixes two tenants.
 *
 * @example
 *   withContext({ tenantId: session.tenantId, actorId: session.userId }, () => next());
 */
export function withContext<T>(changes: ContextChanges, fn: () => T, spanName = 'tenant.switch'): T {
  const active = context.active();
  const scope = getScope(active);
  if (scope === undefined) throw new StitchError('STITCH_ERR_CONTEXT_MISSING');
  if (changes.tenantId !== undefined) checkTenantId(changes.tenantId);
  const next: StitchScope = {
    ...scope,
    ...changes,
    baggage: changes.baggage === undefined ? scope.baggage : Object.freeze({ ...scope.baggage, ...changes.baggage }),
  };
  const span = trace.getSpan(active);
  const switchesTenant = scope.tenantId !== undefined && changes.tenantId !== undefined && changes.tenantId !== scope.tenantId;
  if (switchesTenant) {
    const links = span === undefined ? [] : [{ context: span.spanContext(), attributes: { [SpanAttr.tenantId]: scope.tenantId ?? '' } }];
    const root = startRootSpan(spanName, next, links);
    return runSpanScoped(root, next, fn);
  }
  if (changes.tenantId !== undefined && scope.tenantId === undefined) {
    // First resolution of the tenant (auth after the edge): the request's span now belongs to
    // it. The active span is the request's own, or, under instrumentation-express, the span of
    // the middleware that resolved the tenant: the edge's server span (its request slot's) is
    // tagged too, or the collector would see a request without a tenant.
    if (span?.isRecording() === true) span.setAttribute(SpanAttr.tenantId, changes.tenantId);
    const requestSpan = scope.requestSlot?.span;
    if (requestSpan !== undefined && requestSpan !== span && requestSpan.isRecording()) requestSpan.setAttribute(SpanAttr.tenantId, changes.tenantId);
  }
  return context.with(setScope(active, next), fn);
}

function startRootSpan(name: string, scope: StitchScope, links: { context: SpanContext; attributes?: Record<string, string> }[]): Span {
  const attributes: Attributes = { [SpanAttr.requestId]: scope.requestId };
  if (scope.tenantId !== undefined) attributes[SpanAttr.tenantId] = scope.tenantId;
  if (scope.runId !== undefined) attributes[SpanAttr.runId] = scope.runId;
  // A root span starts before its scope is in force, so ContextAttributesProcessor cannot see it.
  addEntryAttributes(attributes, entryOf(scope));
  const span = getKernelTracer().startSpan(name, { root: true, links, attributes });
  return ensureIds(span);
}

/**
 * With the kernel disabled (no tracer provider), OpenTelemetry hands out spans with an invalid
 * context. Logs still need ids, so give such a span a real, non-sampled, non-recording identity.
 */
export function ensureIds(span: Span): Span {
  // A recording span is the SDK's, with ids from the kernel's generator: valid, no need to test
  // them (two regex tests per span).
  if (span.isRecording() || trace.isSpanContextValid(span.spanContext())) return span;
  return trace.wrapSpanContext(newUnsampledSpanContext());
}

/** Runs `fn` with `span` active and `scope` set, ending the span when `fn` (or its promise) settles. */
function runSpanScoped<T>(span: Span, scope: StitchScope, fn: () => T): T {
  return runInSpan(span, setSpanAndScope(context.active(), span, scope), fn, undefined);
}
