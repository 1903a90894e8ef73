/**
 * Secrets recognised by their shape, wherever they sit in a string: a log message, an error
 * stack, a URL, a span attribute. Each pattern is global; `keep` says which leading part of a
 * match stays readable (the scheme of an Authorization value, the key of `password=…`).
 */
export interface ValuePattern {
  readonly name: string;
  readonly regex: RegExp;
  /** Returns the replacement for one match, or the match itself to leave it alone. */
  readonly replace: (match: string, ...groups: string[]) => string;
}

export const CENSOR = '[REDACTED]';

/** `Bearer <token>` and `Basic <credentials>` (RFC 6750 §2.1 token68 alphabet). */
const authScheme: ValuePattern = {
  name: 'auth-scheme',
  regex: /\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]{6,}=*/gi,
  replace: (_match, scheme, space) => `${scheme}${space}${CENSOR}`,
};

/** Compact JWS/JWT: base64url header that starts `{"` (`eyJ`), payload, optional signature. */
const jwt: ValuePattern = {
  name: 'jwt',
  regex: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  replace: () => CENSOR,
};

/** A PEM private key block, also when the string was cut before its END line. */
const pemPrivateKey: ValuePattern = {
  name: 'pem-private-key',
  regex: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g,
  replace: () => CENSOR,
};

/**
 * Card numbers: 13–19 digits, optionally grouped by spaces or dashes, that pass the Luhn check.
 * The first digit must be 2–6 (Mastercard, Amex/Diners/JCB, Visa, Mastercard, Discover/UnionPay)
 * so epoch-millisecond timestamps (13 digits starting with 1) are never mistaken for one.
 */
const cardNumber: ValuePattern = {
  name: 'card-number',
  regex: /\b[2-6](?:[ -]?\d){12,18}\b/g,
  replace: (match) => (passesLuhn(match) ? CENSOR : match),
};

export const DEFAULT_VALUE_PATTERNS: readonly ValuePattern[] = Object.freeze([pemPrivateKey, jwt, authScheme, cardNumber]);

/**
 * `key=value` and `"key": "value"` inside strings (query strings, error messages, serialized
 * JSON) for every redacted key, so `?access_token=abc` or `password: hunter2` in a message do
 * not leak just because they are not separate fields.
 */
export function keyValuePattern(keys: readonly string[]): ValuePattern | undefined {
  if (keys.length === 0) return undefined;
  const names = [...new Set(keys)].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
  return {
    name: 'key-value',
    regex: new RegExp(`(?<![A-Za-z0-9_-])(${names})(["']?\\s*[=:]\\s*["']?)([^\\s"'&,;]+)`, 'gi'),
    // `Authorization: Bearer …` keeps its scheme; the auth-scheme pattern took the token.
    replace: (match, key, separator, value) => (/^(?:Bearer|Basic)$/i.test(value ?? '') ? match : `${key}${separator}${CENSOR}`),
  };
}

/** A user-configured pattern: every match becomes the censor. */
export function customPattern(source: string): ValuePattern {
  return { name: `custom:${source}`, regex: new RegExp(source, 'g'), replace: () => CENSOR };
}

export function passesLuhn(candidate: string): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let i = candidate.length - 1; i >= 0; i -= 1) {
    const code = candidate.charCodeAt(i) - 48;
    if (code < 0 || code > 9) continue;
    digits += 1;
    let d = code;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits >= 13 && digits <= 19 && sum % 10 === 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
