import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { EntryKind } from '@stitch/contract';
import { entryOf, getScope, setScope } from '../../core/context/context-store.js';
import type { StitchScope } from '../../core/context/context-store.js';
import { parseEntry } from '../../core/context/entry.js';
import type { Entry } from '../../core/context/entry.js';
import { newRequestId } from '../../core/context/ids.js';
import { stitchPropagator } from '../../core/propagation/index.js';
import type { EventEnvelope } from './event-envelope.js';

const EMPTY_BAGGAGE: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The context an envelope's work runs in: the producer's span as (remote) parent and a Stitch
 * scope with the event's tenant, request id and entry (the carried one, else `ownEntry`: the
 * consumer's, for an event published outside any request). An envelope from our own outbox is
 * trusted; an unreadable traceparent means "no parent" (a new trace), never an error.
 */
export function contextFromEnvelope(
  envelope: Pick<EventEnvelope, 'traceparent' | 'tracestate' | 'tenantId' | 'requestId' | 'entryKind' | 'entryRoute'>,
  ownEntry?: Entry,
): Context {
  const carrier: Record<string, string> = {};
  if (envelope.traceparent !== undefined) carrier.traceparent = envelope.traceparent;
  if (envelope.tracestate !== undefined) carrier.tracestate = envelope.tracestate;
  const withParent = stitchPropagator.extract(ROOT_CONTEXT, carrier, {
    get: (c, key) => c[key],
    keys: (c) => Object.keys(c),
  });
  const scope: StitchScope = {
    requestId: envelope.requestId ?? newRequestId(),
    tenantId: envelope.tenantId,
    entry: entryOfEnvelope(envelope) ?? ownEntry,
    baggage: EMPTY_BAGGAGE,
  };
  return setScope(withParent, scope);
}

/** The entry an envelope carries, validated (see parseEntry); `undefined` when it carries none. */
export function entryOfEnvelope(envelope: Pick<EventEnvelope, 'entryKind' | 'entryRoute'>): Entry | undefined {
  return parseEntry(envelope.entryKind, envelope.entryRoute);
}

/** `traceparent`/`tracestate` of the span active in `ctx` (none when there is no valid span). */
export function traceHeadersOf(ctx: Context = context.active()): { traceparent?: string; tracestate?: string } {
  if (trace.getSpanContext(ctx) === undefined) return {};
  const carrier: Record<string, string> = {};
  stitchPropagator.inject(ctx, carrier, { set: (c, key, value) => (c[key] = value) });
  const headers: { traceparent?: string; tracestate?: string } = {};
  if (carrier.traceparent !== undefined) headers.traceparent = carrier.traceparent;
  if (carrier.tracestate !== undefined) headers.tracestate = carrier.tracestate;
  return headers;
}

/** The fields of the context in force that an envelope (or an outbox row, a delivery) carries. */
export interface ScopeFields {
  tenantId?: string;
  requestId?: string;
  entryKind?: EntryKind;
  entryRoute?: string;
}

/** The tenant, request and entry of the context in force, for an envelope. */
export function scopeFieldsOf(ctx: Context = context.active()): ScopeFields {
  const scope = getScope(ctx);
  const fields: ScopeFields = {};
  if (scope?.tenantId !== undefined) fields.tenantId = scope.tenantId;
  const requestId = scope?.runId ?? scope?.requestId;
  if (requestId !== undefined) fields.requestId = requestId;
  const entry = entryOf(scope);
  if (entry !== undefined) {
    fields.entryKind = entry.kind;
    if (entry.route !== undefined) fields.entryRoute = entry.route;
  }
  return fields;
}
