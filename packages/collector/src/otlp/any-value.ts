/**
 * OTLP AnyValue / KeyValue to plain JSON values. The input is either a protobufjs `toObject`
 * result or parsed OTLP/JSON; both use lowerCamelCase field names, and both may be hostile, so
 * every access checks its type instead of trusting the shape.
 */
import type { Limiter } from './record-limits.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 16;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function limitString(text: string, limiter: Limiter | undefined): string {
  if (limiter === undefined || text.length <= limiter.limits.attributeValueLength) return text;
  limiter.counts.truncatedValues += 1;
  return text.slice(0, limiter.limits.attributeValueLength);
}

/**
 * Converts one AnyValue. int64 arrives as a decimal string (JSON mapping and `longs: String`).
 * With a limiter, strings are truncated and arrays and maps capped (see record-limits.ts).
 */
export function anyValueToJson(value: unknown, depth = 0, limiter?: Limiter): JsonValue {
  if (!isRecord(value) || depth > MAX_DEPTH) return null;
  // Own properties only: a decoded protobufjs message keeps every field's default on its
  // prototype (stringValue '' included), and only the oneof member that was sent is its own.
  const has = (k: string): boolean => Object.hasOwn(value, k);
  if (has('stringValue') && typeof value.stringValue === 'string') return limitString(value.stringValue, limiter);
  if (has('boolValue') && typeof value.boolValue === 'boolean') return value.boolValue;
  if (has('intValue') && value.intValue !== undefined && value.intValue !== null) {
    // int64: a decimal string (OTLP/JSON), a number, or a protobufjs Long (whose toString is decimal).
    const text = String(value.intValue);
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (has('doubleValue') && typeof value.doubleValue === 'number') return value.doubleValue;
  if (has('doubleValue') && typeof value.doubleValue === 'string') return Number(value.doubleValue);
  if (has('arrayValue') && isRecord(value.arrayValue)) {
    const values = value.arrayValue.values;
    if (!Array.isArray(values)) return [];
    const kept = limiter === undefined ? values : values.slice(0, limiter.limits.attributesPerRecord);
    if (limiter !== undefined) limiter.counts.droppedAttributes += values.length - kept.length;
    return kept.map((v) => anyValueToJson(v, depth + 1, limiter));
  }
  if (has('kvlistValue') && isRecord(value.kvlistValue)) return keyValuesToObject(value.kvlistValue.values, depth + 1, limiter);
  if (has('bytesValue') && value.bytesValue instanceof Uint8Array) return limitString(Buffer.from(value.bytesValue).toString('base64'), limiter);
  if (has('bytesValue') && typeof value.bytesValue === 'string') return limitString(value.bytesValue, limiter);
  return null;
}

/**
 * Converts a repeated KeyValue into an object; later duplicates win, as most SDKs do. The object
 * has no prototype: a key `__proto__` is an attribute like any other, not a way to give the map
 * a prototype whose `tenant.id` every lookup would then find (issue 15). With a limiter, keys
 * past `attributesPerRecord` are dropped and counted.
 */
export function keyValuesToObject(list: unknown, depth = 0, limiter?: Limiter): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
  if (!Array.isArray(list)) return out;
  let count = 0;
  for (const kv of list) {
    if (!isRecord(kv) || typeof kv.key !== 'string') continue;
    if (limiter !== undefined && !Object.hasOwn(out, kv.key)) {
      if (count >= limiter.limits.attributesPerRecord) {
        limiter.counts.droppedAttributes += 1;
        continue;
      }
      count += 1;
    }
    out[kv.key] = anyValueToJson(kv.value, depth, limiter);
  }
  return out;
}

/** A string view of an attribute, or null: numbers and booleans are stringified. */
export function attrString(attrs: Record<string, JsonValue>, key: string): string | null {
  const v = attrs[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

export function attrNumber(attrs: Record<string, JsonValue>, key: string): number | null {
  const v = attrs[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export function attrBoolean(attrs: Record<string, JsonValue>, key: string): boolean {
  const v = attrs[key];
  return v === true || v === 'true';
}

export { isRecord };
