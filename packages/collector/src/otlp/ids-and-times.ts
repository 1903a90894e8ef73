/**
 * Trace/span ids and timestamps as OTLP sends them. Protobuf carries ids as bytes and times as
 * fixed64; the OTLP/JSON mapping carries ids as hex strings (not base64, unlike proto3 JSON) and
 * times as decimal strings. Upstream examples use upper-case hex, so case is folded here.
 */

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Returns the id as lowercase hex of `bytes` length, '' when absent/empty, or null when it is
 * malformed or all zero (invalid per W3C Trace Context).
 */
export function parseId(value: unknown, bytes: 8 | 16): string | null | '' {
  let hex: string;
  // An unset bytes field of a decoded protobufjs message reads its prototype default, an empty array.
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return '';
  if (value instanceof Uint8Array) {
    if (value.length === 0) return '';
    if (value.length !== bytes) return null;
    // protobufjs hands out Buffer views of the body: read in place, not copied into a new Buffer first.
    hex = Buffer.isBuffer(value) ? value.toString('hex') : Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
  } else if (typeof value === 'string') {
    if (value === '') return '';
    if (value.length !== bytes * 2 || !HEX.test(value)) return null;
    hex = value.toLowerCase();
  } else {
    return null;
  }
  return /^0+$/.test(hex) ? null : hex;
}

const MAX_U64 = 2n ** 64n - 1n;

/** A protobufjs Long (fixed64 as decoded when the `long` package is present). */
function isLong(value: unknown): value is { low: number; high: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { low?: unknown }).low === 'number' &&
    typeof (value as { high?: unknown }).high === 'number'
  );
}

/** fixed64 nanos from a decimal string, number or bigint; 0n when absent; null when malformed. */
export function parseNanos(value: unknown): bigint | null {
  if (value === undefined || value === null || value === '') return 0n;
  try {
    let n: bigint;
    if (typeof value === 'bigint') n = value;
    else if (typeof value === 'number') n = Number.isSafeInteger(value) ? BigInt(value) : BigInt(Math.trunc(value));
    else if (typeof value === 'string' && /^\d{1,20}$/.test(value)) n = BigInt(value);
    else if (isLong(value)) n = BigInt.asUintN(64, (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0));
    else return null;
    return n >= 0n && n <= MAX_U64 ? n : null;
  } catch {
    return null;
  }
}

/** An enum or int32 field: OTLP/JSON sends enums as ints; anything else counts as 0. */
export function parseSmallInt(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 1_000_000 ? value : 0;
}
