import type { TraceState } from '@opentelemetry/api';
import { trimOws } from './traceparent.js';

/**
 * The W3C `tracestate` header (Trace Context Level 2, "Tracestate Header").
 *
 * An invalid header is discarded as a whole — a bad key or value, more than 32 members — as the
 * spec's test suite requires at its strict level; we never keep the members that happened to
 * parse. A duplicated key keeps its first (leftmost, most recent) entry: "only one entry per
 * key is allowed", and the suite accepts keeping one. Empty list members (`a=1,,b=2`,
 * whitespace only) are allowed by the list grammar and skipped.
 */

/** "There can be a maximum of 32 list-members in a list." */
export const TRACESTATE_MAX_MEMBERS = 32;

// Level 2's "Key" grammar, which replaced Level 1's simple-key / tenant@system split:
//   key     = ( lcalpha / DIGIT ) 0*255( keychar )
//   keychar = lcalpha / DIGIT / "_" / "-"/ "*" / "/" / "@"
// so `foo@`, `foo@@bar` and `a@b@c` are keys, `@foo` is not, and a key has at most 256 characters.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
// (printable ASCII without `,` and `=`, not ending in a space).
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** Whether `key` is a valid tracestate key. */
export function isValidTracestateKey(key: string): boolean {
  return KEY.test(key);
}

/** Whether `value` is a valid tracestate value. */
export function isValidTracestateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * An immutable tracestate list implementing OpenTelemetry's `TraceState`, so it rides in a
 * SpanContext and the SDK copies it to child spans. `set` moves the key to the left ("Mutating
 * the tracestate Field": a vendor updating its entry moves it to the beginning).
 */
export class Tracestate implements TraceState {
  /** Members in header order, leftmost first. */
  readonly #members: ReadonlyArray<readonly [string, string]>;

  constructor(members: ReadonlyArray<readonly [string, string]> = []) {
    this.#members = members;
  }

  get size(): number {
    return this.#members.length;
  }

  get(key: string): string | undefined {
    return this.#members.find(([k]) => k === key)?.[1];
  }

  /**
   * A copy with `key` set to `value` and moved to the left. An invalid key or value leaves the
   * state unchanged (telemetry never throws into the host); past 32 members the rightmost
   * member is dropped, as the spec's mutation rules ask.
   */
  set(key: string, value: string): Tracestate {
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return this;
    const rest = this.#members.filter(([k]) => k !== key);
    const first: readonly [string, string] = [key, value];
    return new Tracestate([first, ...rest].slice(0, TRACESTATE_MAX_MEMBERS));
  }

  unset(key: string): Tracestate {
    if (this.get(key) === undefined) return this;
    return new Tracestate(this.#members.filter(([k]) => k !== key));
  }

  serialize(): string {
    return this.#members.map(([k, v]) => `${k}=${v}`).join(',');
  }

  entries(): ReadonlyArray<readonly [string, string]> {
    return this.#members;
  }
}

/** Why a `tracestate` header was discarded. */
export type TracestateRejection = 'invalid_member' | 'too_many_members';

export type TracestateParseResult =
  | { readonly ok: true; readonly tracestate: Tracestate }
  | { readonly ok: false; readonly reason: TracestateRejection };

/**
 * Parses `tracestate` as a TextMapGetter returns it. Several header lines are combined with
 * `,` in order (RFC 9110 §5.3, as the spec requires). A missing or empty header is a valid, empty list.
 *
 * @example
 *   const parsed = parseTracestate(req.headers.tracestate);
 *   const state = parsed.ok ? parsed.tracestate : new Tracestate();
 */
export function parseTracestate(header: string | readonly string[] | undefined): TracestateParseResult {
  if (header === undefined) return { ok: true, tracestate: EMPTY };
  // Carriers are untyped at runtime: anything but a string or an array of them is invalid.
  if (typeof header !== 'string' && !(Array.isArray(header) && header.every((h) => typeof h === 'string'))) {
    return { ok: false, reason: 'invalid_member' };
  }
  const combined = typeof header === 'string' ? header : header.join(',');
  const members: [string, string][] = [];
  const seen = new Set<string>();
  for (const part of combined.split(',')) {
    const member = trimOws(part);
    if (member === '') continue;
    const equals = member.indexOf('=');
    if (equals === -1) return { ok: false, reason: 'invalid_member' };
    const key = member.slice(0, equals);
    const value = member.slice(equals + 1);
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return { ok: false, reason: 'invalid_member' };
    if (seen.has(key)) continue;
    seen.add(key);
    members.push([key, value]);
    if (members.length > TRACESTATE_MAX_MEMBERS) return { ok: false, reason: 'too_many_members' };
  }
  return { ok: true, tracestate: members.length === 0 ? EMPTY : new Tracestate(members) };
}

const EMPTY = new Tracestate();
