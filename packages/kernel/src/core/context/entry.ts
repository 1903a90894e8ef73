import type { Attributes } from '@opentelemetry/api';
import { ENTRY_KINDS, SpanAttr } from '@stitch/contract';
import type { EntryKind } from '@stitch/contract';

/**
 * What started a piece of work: the HTTP request (its route template), or, for work no request
 * caused, the job, event consumer, webhook endpoint or batch that did. It travels with the
 * tenant through every carrier (event envelope, job envelope, outbox row, webhook delivery) and
 * is stamped on every span of the continuing hop, so a span exported long after its request (a
 * job's third attempt in another process, a webhook retry, an event redelivery) still names
 * the request's route: without it the collector could only find the route in the same export
 * batch, and `stitch errors` showed each late failure twice (issue 11).
 */
export interface Entry {
  readonly kind: EntryKind;
  /** `undefined` only for a request whose route the edge has not matched (yet). */
  readonly route: string | undefined;
}

// TraceContextSchema bounds routeId to 120: the same bound for every carried name, so a
// hostile or runaway job name cannot make every span of a trace carry kilobytes.
const MAX_ENTRY_ROUTE_LENGTH = 120;
const KINDS: ReadonlySet<string> = new Set(ENTRY_KINDS);

/** The entry of an edge request: its route is read from the request when asked (see entryRouteOf in context-store). */
export const HTTP_ENTRY: Entry = Object.freeze({ kind: 'http', route: undefined });

/**
 * The entry work starts for itself when nothing carried one in: a job run outside any request,
 * a consumer of an event published outside one, and so on. The name is bounded like a carried one.
 */
export function ownEntry(kind: EntryKind, name: string): Entry {
  return Object.freeze({ kind, route: boundedRoute(name) });
}

/**
 * Reads an entry carried across a boundary (an envelope, a row): a kind Stitch does not know
 * (a newer producer) or a route that is not a non-empty string means "no carried entry", and a
 * route past 120 characters is cut. Telemetry degrades (STYLE.md §6): a damaged entry never
 * fails the job or event it came with.
 */
export function parseEntry(kind: unknown, route: unknown): Entry | undefined {
  if (typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  const bounded = typeof route === 'string' ? boundedRoute(route) : undefined;
  return Object.freeze({ kind: kind as EntryKind, route: bounded });
}

/** The carried fields of an entry, for an envelope or a row (`{}` without one). */
export function entryFields(entry: Entry | undefined): { entryKind?: EntryKind; entryRoute?: string } {
  if (entry === undefined) return {};
  return entry.route === undefined ? { entryKind: entry.kind } : { entryKind: entry.kind, entryRoute: entry.route };
}

/** The span attributes of an entry (`stitch.entry.kind`, `stitch.entry.route`), into `target`. */
export function addEntryAttributes(target: Attributes, entry: Entry | undefined): Attributes {
  if (entry === undefined) return target;
  target[SpanAttr.entryKind] = entry.kind;
  if (entry.route !== undefined) target[SpanAttr.entryRoute] = entry.route;
  return target;
}

function boundedRoute(route: string): string | undefined {
  if (route.length === 0) return undefined;
  return route.length > MAX_ENTRY_ROUTE_LENGTH ? route.slice(0, MAX_ENTRY_ROUTE_LENGTH) : route;
}
