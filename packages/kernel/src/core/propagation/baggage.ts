import { defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { trimOws } from './traceparent.js';

/**
 * W3C Baggage (Recommendation), reduced to what Stitch carries: a few allowed keys, by default
 * the tenant and the actor. Baggage is separate from the trace-context propagator on purpose:
 * the edge reads it only from trusted upstreams and HTTP out writes it only to trusted
 * destinations, so a tenant id never leaks to a third party and is never taken from one.
 *
 * Parsing and formatting never throw. Members that break the grammar, do not decode, or fall
 * past the limits are dropped one by one; a member is never truncated (the spec: "MUST NOT
 * propagate any partial list-members").
 */

export const BAGGAGE_HEADER = 'baggage';
/** The keys carried when the caller names none. */
export const DEFAULT_BAGGAGE_KEYS: readonly string[] = Object.freeze(['tenant.id', 'actor.id']);
/** The spec's floor for what a platform must propagate; we carry no more than that. */
export const BAGGAGE_MAX_MEMBERS = 64;
export const BAGGAGE_MAX_BYTES = 8192;

export interface BaggageOptions {
  /** Keys kept on extract and written on inject; others are ignored. Default: tenant.id, actor.id. */
  readonly allowedKeys?: readonly string[];
}

// key = token (RFC 9110 §5.6.2).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// value = *baggage-octet; baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
const VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/**
 * The allowed entries of a `baggage` header, percent-decoded. Properties (`;k=v`) are read past
 * and not kept. With a key repeated, the first one wins: a member appended further down the
 * chain cannot override what the first sender said.
 *
 * @example
 *   const { 'tenant.id': tenantId } = extractBaggage(req.headers);
 */
export function extractBaggage(
  carrier: unknown,
  getter: TextMapGetter = defaultTextMapGetter as TextMapGetter,
  options: BaggageOptions = {},
): Record<string, string> {
  const header = getter.get(carrier, BAGGAGE_HEADER);
  if (typeof header === 'string') return parseBaggage(header, options);
  // Carriers are untyped at runtime: keep only string lines.
  return Array.isArray(header) ? parseBaggage(header.filter((h) => typeof h === 'string').join(','), options) : {};
}

/** Parses a (combined) `baggage` header value; see extractBaggage(). */
export function parseBaggage(header: string, options: BaggageOptions = {}): Record<string, string> {
  const allowed = new Set(options.allowedKeys ?? DEFAULT_BAGGAGE_KEYS);
  const entries: Record<string, string> = {};
  let members = 0;
  let bytes = 0;
  for (const part of header.split(',')) {
    const member = trimOws(part);
    if (member === '') continue;
    members++;
    bytes += Buffer.byteLength(member) + (members > 1 ? 1 : 0);
    // Past the limits the rest is dropped, not the whole header: what came first is kept.
    if (members > BAGGAGE_MAX_MEMBERS || bytes > BAGGAGE_MAX_BYTES) break;
    const parsed = parseMember(member);
    if (parsed === undefined) continue;
    const [key, value] = parsed;
    if (!allowed.has(key) || key in entries) continue;
    entries[key] = value;
  }
  return entries;
}

function parseMember(member: string): readonly [string, string] | undefined {
  const semicolon = member.indexOf(';');
  const pair = semicolon === -1 ? member : member.slice(0, semicolon);
  const equals = pair.indexOf('=');
  if (equals === -1) return undefined;
  const key = trimOws(pair.slice(0, equals));
  const rawValue = trimOws(pair.slice(equals + 1));
  if (!TOKEN.test(key) || !VALUE.test(rawValue)) return undefined;
  try {
    return [key, decodeURIComponent(rawValue)];
  } catch {
    // A malformed percent sequence: drop the member, as the grammar does not allow it.
    return undefined;
  }
}

/**
 * Formats `entries` as a `baggage` value: allowed keys only, values percent-encoded, members
 * past 64 or 8192 bytes dropped whole. Returns `''` when nothing is left to send.
 *
 * @example
 *   formatBaggage({ 'tenant.id': 't1' }); // 'tenant.id=t1'
 */
export function formatBaggage(entries: Readonly<Record<string, string>>, options: BaggageOptions = {}): string {
  const allowed = new Set(options.allowedKeys ?? DEFAULT_BAGGAGE_KEYS);
  const members: string[] = [];
  let bytes = 0;
  for (const [key, value] of Object.entries(entries)) {
    if (!allowed.has(key) || !TOKEN.test(key)) continue;
    // encodeURIComponent escapes a superset of what must be escaped (`%`, `,`, `;`, `"`, `\`,
    // space, controls, non-ASCII); the spec allows escaping more.
    const member = `${key}=${encodeURIComponent(value)}`;
    const size = Buffer.byteLength(member) + (members.length > 0 ? 1 : 0);
    if (members.length >= BAGGAGE_MAX_MEMBERS || bytes + size > BAGGAGE_MAX_BYTES) continue;
    members.push(member);
    bytes += size;
  }
  return members.join(',');
}

/**
 * Writes `entries` as a `baggage` header into `carrier` (nothing when no allowed entry is left).
 * Call it only for trusted destinations; HTTP out does so by its allow-list.
 *
 * @example
 *   injectBaggage(headers, { 'tenant.id': ctx.tenantId });
 */
export function injectBaggage(
  carrier: unknown,
  entries: Readonly<Record<string, string>>,
  setter: TextMapSetter = defaultTextMapSetter as TextMapSetter,
  options: BaggageOptions = {},
): void {
  const value = formatBaggage(entries, options);
  if (value !== '') setter.set(carrier, BAGGAGE_HEADER, value);
}
