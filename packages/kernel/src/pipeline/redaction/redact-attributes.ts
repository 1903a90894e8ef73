import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { CENSOR } from './value-patterns.js';
import { defaultRedactor, isPureRedactor } from './redactor.js';
import type { Redactor } from './redactor.js';

/**
 * What one attribute key last gave: whether the key is secret, and its last string value with
 * that value's redacted form. Most attributes carry the same value span after span (a method, a
 * host, a route, a statement): the next one compares the strings instead of running the value
 * patterns' pre-check, which was 41% of a span's redaction (about 100 ns a string attribute,
 * 4–14 µs a request under NodeSDK, where instrumentation-http and -pg put 15–20 attributes on
 * each span). Kept per redactor, for the redactors createRedactor() makes (their answers depend
 * only on their input); keys come from code, so the memo is bounded like the redactor's key cache.
 */
interface KeyMemo {
  readonly secret: boolean;
  value: string | undefined;
  redacted: string | undefined;
}
const MEMO_LIMIT = 4096;
const MAX_MEMO_STRING = 512;
const memos = new WeakMap<Redactor, Map<string, KeyMemo>>();

// Runs for every attribute set of every span: a redactor that has its memo costs one lookup.
function memoOf(redactor: Redactor): Map<string, KeyMemo> | undefined {
  let memo = memos.get(redactor);
  if (memo === undefined) {
    if (!isPureRedactor(redactor)) return undefined;
    memo = new Map();
    memos.set(redactor, memo);
  }
  return memo;
}

/**
 * Span, event, link or resource attributes with secrets removed: a secret key
 * (`http.request.header.authorization`, `db.password`, …) gets `[REDACTED]`, a string value
 * (or array element) has its secret-shaped parts replaced. Returns `attrs` itself when
 * nothing changed, so the common case allocates nothing.
 *
 * @example
 *   redactAttributes({ 'http.request.header.authorization': 'Bearer abc', 'url.full': 'https://x/?token=abc' })
 *   // → { 'http.request.header.authorization': '[REDACTED]', 'url.full': 'https://x/?token=[REDACTED]' }
 */
export function redactAttributes<T extends Attributes>(attrs: T, redactor: Redactor = defaultRedactor()): T {
  let copy: Attributes | undefined;
  const memo = memoOf(redactor);
  const keys = Object.keys(attrs);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    const value = attrs[key];
    const next = memo === undefined ? redactAttributeValue(key, value, redactor) : redactMemoized(memo, key, value, redactor);
    if (next !== value && copy === undefined) {
      copy = {};
      for (let j = 0; j < i; j += 1) copy[keys[j] as string] = attrs[keys[j] as string];
    }
    if (copy !== undefined) copy[key] = next;
  }
  return (copy ?? attrs) as T;
}

function redactMemoized(memo: Map<string, KeyMemo>, key: string, value: AttributeValue | undefined, redactor: Redactor): AttributeValue | undefined {
  if (value === undefined || value === null) return value;
  let known = memo.get(key);
  if (known === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    known = { secret: redactor.isSecretKey(key), value: undefined, redacted: undefined };
    memo.set(key, known);
  }
  if (known.secret) return CENSOR;
  if (typeof value !== 'string') return redactArray(value, redactor);
  if (value === known.value) return known.redacted;
  const redacted = redactor.redactString(value);
  // A long value (a stack, a big statement) is not kept alive by the memo.
  if (value.length <= MAX_MEMO_STRING) {
    known.value = value;
    known.redacted = redacted;
  }
  return redacted;
}

function redactAttributeValue(key: string, value: AttributeValue | undefined, redactor: Redactor): AttributeValue | undefined {
  if (value === undefined || value === null) return value;
  if (redactor.isSecretKey(key)) return CENSOR;
  if (typeof value === 'string') return redactor.redactString(value);
  return redactArray(value, redactor);
}

function redactArray(value: AttributeValue, redactor: Redactor): AttributeValue {
  if (!Array.isArray(value)) return value;
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i += 1) {
    const item: unknown = value[i];
    const next = typeof item === 'string' ? redactor.redactString(item) : item;
    if (next !== item && copy === undefined) copy = value.slice(0, i);
    if (copy !== undefined) copy.push(next);
  }
  return (copy ?? value) as AttributeValue;
}
