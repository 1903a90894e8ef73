import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context, SpanContext, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { EntryKind } from '@stitch/contract';
import { entryOf, getScope, setScope } from '../context/context-store.js';
import type { StitchScope } from '../context/context-store.js';
import { entryFields, parseEntry } from '../context/entry.js';
import type { Entry } from '../context/entry.js';
import { newRequestId } from '../context/ids.js';
import { stitchPropagator } from '../propagation/index.js';

/** The trace half of a carrier. */
export interface TraceHeaders {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** The scope half of a carrier: who the work is for and what started it. */
export interface CarriedScope {
  readonly tenantId?: string;
  readonly requestId?: string;
  readonly actorId?: string;
  readonly entryKind?: EntryKind;
  readonly entryRoute?: string;
}

/**
 * The carried context: what crosses a process boundary with a piece of work (an outbox row, an
 * event envelope, a job envelope, a webhook delivery), so that the other side continues the
 * trace, for the same tenant and request, naming what started it. Every hop that leaves the
 * process takes its trace headers from `traceHeadersOf` (the span it sends under) and reads
 * them back with `parentOf` or `contextOf`; each stores the fields in its own place (columns,
 * JSON, transport headers), under these names. `carrierOf` is the whole of it for one context.
 *
 * The fields, in the order `carrierOf` writes them (a job envelope is JSON written in this
 * order, so it is part of its bytes):
 * - `traceparent`, `tracestate`: W3C Trace Context of the span that sent the work;
 * - `tenantId`, `requestId`, `actorId`: the outbox carries the run id inside a job run (the
 *   work's id, as the audit log does), jobs and webhooks the request id of the context; they
 *   differ only in a context made with both a `runId` and another `requestId`;
 * - `entryKind`, `entryRoute`: what started the work (../context/entry.ts).
 */
export type Carrier = TraceHeaders & CarriedScope;

type HeaderCarrier = Record<string, string>;
const setter: TextMapSetter<HeaderCarrier> = { set: (c, key, value) => (c[key] = value) };
const getter: TextMapGetter<HeaderCarrier> = { get: (c, key) => c[key], keys: (c) => Object.keys(c) };
const EMPTY_BAGGAGE: Readonly<Record<string, string>> = Object.freeze({});

/**
 * `traceparent`/`tracestate` of the span active in `ctx`: none without a valid span, or when
 * tracing is suppressed (the propagator's rule), so a carrier never names a span that is not there.
 *
 * @example
 *   const { traceparent } = traceHeadersOf(trace.setSpan(context.active(), span));
 */
export function traceHeadersOf(ctx: Context = context.active()): TraceHeaders {
  if (trace.getSpanContext(ctx) === undefined) return {};
  const carrier: HeaderCarrier = {};
  stitchPropagator.inject(ctx, carrier, setter);
  const headers: { traceparent?: string; tracestate?: string } = {};
  if (carrier.traceparent !== undefined) headers.traceparent = carrier.traceparent;
  if (carrier.tracestate !== undefined) headers.tracestate = carrier.tracestate;
  return headers;
}

/** The tenant, request, actor and entry of the context in force (`{}` outside any). */
export function carriedScopeOf(ctx: Context = context.active()): CarriedScope {
  const scope = getScope(ctx);
  const fields: { -readonly [K in keyof CarriedScope]: CarriedScope[K] } = {};
  if (scope?.tenantId !== undefined) fields.tenantId = scope.tenantId;
  // Work done by a run (a job attempt) is the run's: its id is the one the other side follows.
  const requestId = scope?.runId ?? scope?.requestId;
  if (requestId !== undefined) fields.requestId = requestId;
  if (scope?.actorId !== undefined) fields.actorId = scope.actorId;
  return Object.assign(fields, entryFields(entryOf(scope)));
}

/**
 * The whole carrier of `ctx`: its span's trace headers, then its scope's fields. Absent fields
 * are left out (never `undefined`), so what a hop stores or serialises is only what is there.
 *
 * @example
 *   runInNewContext({ name: 'checkout', tenantId: 'acme' }, () => carrierOf());
 *   // { traceparent: '00-…-…-03', tenantId: 'acme', requestId: '…', entryKind: … }
 */
export function carrierOf(ctx: Context = context.active()): Carrier {
  return { ...traceHeadersOf(ctx), ...carriedScopeOf(ctx) };
}

function extracted(carrier: TraceHeaders): Context {
  const headers: HeaderCarrier = {};
  if (carrier.traceparent !== undefined) headers.traceparent = carrier.traceparent;
  if (carrier.tracestate !== undefined) headers.tracestate = carrier.tracestate;
  return stitchPropagator.extract(ROOT_CONTEXT, headers, getter);
}

/**
 * The sending span's context from a carrier, or `undefined` when there is none or it is
 * unreadable: a damaged carrier means "no parent", never a failed job or delivery (STYLE.md §6).
 */
export function parentOf(carrier: TraceHeaders): SpanContext | undefined {
  if (carrier.traceparent === undefined) return undefined;
  const parent = trace.getSpanContext(extracted(carrier));
  return parent !== undefined && trace.isSpanContextValid(parent) ? parent : undefined;
}

/**
 * The entry a carrier holds, validated and bounded (see parseEntry); `undefined` when none. It
 * takes what was read back as it is (a row's text, a queue's JSON): the bound is the check.
 */
export function entryOfCarrier(carrier: { readonly entryKind?: unknown; readonly entryRoute?: unknown }): Entry | undefined {
  return parseEntry(carrier.entryKind, carrier.entryRoute);
}

/**
 * The context a carrier's work runs in: the sender's span as (remote) parent and a Stitch scope
 * with the carried tenant, request id and entry (the carried one, else `ownEntry`: the
 * receiver's, for work sent outside any request). An unreadable traceparent means "no parent"
 * (a new trace), never an error; a carrier without a request id gets a fresh one.
 *
 * @example
 *   const parent = contextOf(envelope, ownEntry('consumer', 'order-notifier'));
 */
export function contextOf(carrier: Carrier, ownEntry?: Entry): Context {
  const scope: StitchScope = {
    requestId: carrier.requestId ?? newRequestId(),
    tenantId: carrier.tenantId,
    entry: entryOfCarrier(carrier) ?? ownEntry,
    baggage: EMPTY_BAGGAGE,
  };
  return setScope(extracted(carrier), scope);
}
