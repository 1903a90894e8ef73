/**
 * The W3C `traceparent` header (Trace Context Recommendation, Level 1 §3.2 and §4.3 "Versioning
 * of traceparent"; Level 2 adds only the `random` flag). Parsing is exact: anything the grammar
 * does not allow is rejected as a whole, never repaired, because a repaired header would
 * continue a trace the caller never meant to continue.
 */

/** A parsed `traceparent`. Field names follow the spec (`parentId` is the caller's span id). */
export interface Traceparent {
  /** 0–254; 255 (`ff`) is forbidden by the spec. */
  readonly version: number;
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  readonly parentId: string;
  /** The flags byte (bit 0: sampled; Level 2 bit 1: random). */
  readonly traceFlags: number;
}

/** Why a `traceparent` was rejected; the edge records it, nothing throws. */
export type TraceparentRejection =
  | 'missing'
  | 'multiple_headers'
  | 'malformed'
  | 'uppercase_hex'
  | 'version_ff'
  | 'version_00_extra_fields'
  | 'trace_id_all_zero'
  | 'parent_id_all_zero';

export type TraceparentParseResult =
  | { readonly ok: true; readonly traceparent: Traceparent }
  | { readonly ok: false; readonly reason: TraceparentRejection };

/** The flags a version-00 sender may set: sampled (Level 1) and random (Level 2). */
const KNOWN_FLAGS = 0x03;
const SAMPLED_FLAG = 0x01;
/** `00-` + 32 + `-` + 16 + `-` + 2. Shorter headers are never parsed (§4.3). */
const VERSION_00_LENGTH = 55;

const LOWER_HEX = /^[0-9a-f]+$/;
const ANY_HEX = /^[0-9a-fA-F]+$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

/**
 * Parses a `traceparent` header value as a TextMapGetter returns it: a string, an array (one
 * entry per header line), or nothing.
 *
 * - Surrounding spaces and tabs (HTTP OWS) are ignored.
 * - More than one header is invalid (§3.2: "multiple traceparent headers" leave the receiver
 *   unable to choose). Node joins repeated headers with `, `, and a valid value never holds a
 *   comma, so a comma is treated as a second header.
 * - Version `00` must be exactly 55 characters; versions above it (not `ff`) are parsed by their
 *   first four fields when those are followed by the end or a `-` (§4.3), keeping only the
 *   sampled flag, the one flag a future version is promised to keep.
 * - Hex must be lowercase; all-zero trace ids and parent ids are invalid.
 *
 * @example
 *   const parsed = parseTraceparent(req.headers.traceparent);
 *   if (parsed.ok) continueTrace(parsed.traceparent.traceId);
 */
export function parseTraceparent(header: string | readonly string[] | undefined): TraceparentParseResult {
  let raw: string | undefined;
  if (Array.isArray(header)) {
    if (header.length > 1) return reject('multiple_headers');
    raw = header[0];
  } else {
    raw = header as string | undefined;
  }
  if (raw === undefined) return reject('missing');
  // Carriers are untyped at runtime: a getter may hand back anything.
  if (typeof raw !== 'string') return reject('malformed');
  const value = trimOws(raw);
  if (value === '') return reject('missing');
  if (value.includes(',')) return reject('multiple_headers');
  if (value.length < VERSION_00_LENGTH) return reject('malformed');
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return reject('malformed');

  const version = value.slice(0, 2);
  const traceId = value.slice(3, 35);
  const parentId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  for (const field of [version, traceId, parentId, flags]) {
    if (!LOWER_HEX.test(field)) return reject(ANY_HEX.test(field) ? 'uppercase_hex' : 'malformed');
  }
  if (version === 'ff') return reject('version_ff');
  if (version === '00') {
    if (value.length !== VERSION_00_LENGTH) return reject('version_00_extra_fields');
  } else if (value.length > VERSION_00_LENGTH && value[VERSION_00_LENGTH] !== '-') {
    return reject('malformed');
  }
  if (traceId === ZERO_TRACE_ID) return reject('trace_id_all_zero');
  if (parentId === ZERO_PARENT_ID) return reject('parent_id_all_zero');

  const flagsByte = Number.parseInt(flags, 16);
  return {
    ok: true,
    traceparent: {
      version: Number.parseInt(version, 16),
      traceId,
      parentId,
      traceFlags: version === '00' ? flagsByte : flagsByte & SAMPLED_FLAG,
    },
  };
}

/** What formatTraceparent needs: the ids of the span the receiver should treat as its parent. */
export interface TraceparentFields {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/**
 * Formats a version-00 `traceparent`. Flags other than sampled and random are cleared: Level 1
 * §3.2.2.5 says senders MUST set unknown flags to zero. The ids are written as given; callers
 * pass ids from a valid span context.
 *
 * @example
 *   formatTraceparent({ traceId, spanId, traceFlags: 1 }); // '00-<traceId>-<spanId>-01'
 */
export function formatTraceparent(fields: TraceparentFields): string {
  const flags = (fields.traceFlags & KNOWN_FLAGS).toString(16).padStart(2, '0');
  return `00-${fields.traceId}-${fields.spanId}-${flags}`;
}

function reject(reason: TraceparentRejection): TraceparentParseResult {
  return { ok: false, reason };
}

/** Strips HTTP optional whitespace (SP / HTAB, RFC 9110 §5.6.3) from both ends. */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--;
  return value.slice(start, end);
}
