import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { CENSOR } from './value-patterns.js';
import { defaultRedactor } from './redactor.js';
import type { Redactor } from './redactor.js';

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
  const keys = Object.keys(attrs);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    const value = attrs[key];
    const next = redactAttributeValue(key, value, redactor);
    if (next !== value && copy === undefined) {
      copy = {};
      for (let j = 0; j < i; j += 1) copy[keys[j] as string] = attrs[keys[j] as string];
    }
    if (copy !== undefined) copy[key] = next;
  }
  return (copy ?? attrs) as T;
}

function redactAttributeValue(key: string, value: AttributeValue | undefined, redactor: Redactor): AttributeValue | undefined {
  if (value === undefined || value === null) return value;
  if (redactor.isSecretKey(key)) return CENSOR;
  if (typeof value === 'string') return redactor.redactString(value);
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
