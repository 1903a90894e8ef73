import { RedactionOptionsSchema } from './redaction-options.js';
import type { RedactionOptions, RedactionOptionsInput } from './redaction-options.js';
import { CENSOR, DEFAULT_VALUE_PATTERNS, customPattern, keyValuePattern } from './value-patterns.js';
import type { ValuePattern } from './value-patterns.js';
import { parseOptions } from '../../core/options/parse-options.js';

/** Replaces a value that could not be read (a getter or proxy that throws). */
export const UNREADABLE = '[Unreadable]';
/** Replaces what lies beyond `maxDepth` or the `maxNodes` budget: never written unexamined. */
export const TRUNCATED = '[Truncated]';
export const CIRCULAR = '[Circular]';

/**
 * Removes secrets from anything about to leave the process. Every method is total: it never
 * throws, whatever it is given, and returns its input unchanged (same reference, nothing
 * allocated) when there was nothing to redact.
 */
export interface Redactor {
  /** A copy of `value` with secret keys and secret-shaped strings replaced by `[REDACTED]`. */
  redact<T>(value: T): T;
  /** `text` with every secret-shaped part replaced (and cut to `maxStringLength`). */
  redactString(text: string): string;
  /** Whether a field, header or attribute named `key` is redacted whatever its value. */
  isSecretKey(key: string): boolean;
  readonly options: RedactionOptions;
}

interface WalkState {
  nodes: number;
  readonly ancestors: object[];
}

// A superset of what the built-in value patterns need to match: a PEM header, a JWT's `eyJ`,
// an auth scheme, thirteen digits each after at most one space or dash (the shortest card
// number, grouped or not), or a `=`/`:` (key=value pairs). Thirteen, not four: a UUID (a request
// id, a tenant id on every span) nearly always holds four digits in a row, and each then paid
// every pattern's scan.
const MAY_HOLD_SECRET = /-----BEGIN|eyJ|bearer|basic|\d(?:[ -]?\d){12}|[=:]/i;

// Strings that may hold a secret and recur (a statement's sanitized text on every query span, a
// URL): their redacted form, so each is scanned by every pattern once, not on every span. Bounded
// like the key cache; a string past MAX_CACHED_STRING is not kept.
const VALUE_CACHE_LIMIT = 1024;
const MAX_CACHED_STRING = 512;

// Bounds the key-decision cache: keys in logs come from code, not users, so 4096 distinct
// names is far more than a service has; if a caller logs user-chosen keys it just restarts.
const KEY_CACHE_LIMIT = 4096;

/**
 * Builds a redactor: by key (case-insensitive, `-`/`_` ignored, at any depth, also the last
 * segment of dotted attribute names like `http.request.header.authorization`) and by value
 * pattern (bearer/basic credentials, JWTs, PEM private keys, Luhn-valid card numbers,
 * `key=value` pairs of redacted keys inside strings, plus configured regular expressions).
 *
 * Why hand-written: pino's `redact` (@pinojs/redact, fast-redact) takes fixed paths and
 * cannot match a key at any depth, ignore case or look at values; @hackylabs/deep-redact
 * comes closest but clones every object it visits. This walker copies only the branches it
 * changes, is bounded in depth, size and string length, and survives cycles, throwing getters
 * and hostile proxies.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions), never a raw ZodError.
 * @example
 *   const redactor = createRedactor({ extraKeys: ['ssn'] });
 *   redactor.redact({ user: { Password: 'x', ssn: '1' }, note: 'Bearer abcdefgh123' });
 *   // → { user: { Password: '[REDACTED]', ssn: '[REDACTED]' }, note: 'Bearer [REDACTED]' }
 */
export function createRedactor(input: RedactionOptionsInput | RedactionOptions = {}): Redactor {
  const options = parseOptions(RedactionOptionsSchema, input, 'redaction');
  const keyList = [...options.keys, ...options.extraKeys];
  const secretKeys = new Set(keyList.map(normalizeKey));
  const keyCache = new Map<string, boolean>();
  const valueCache = new Map<string, string>();
  const patterns: ValuePattern[] = [...DEFAULT_VALUE_PATTERNS];
  const keyValue = keyValuePattern(keyList);
  if (keyValue !== undefined) patterns.push(keyValue);
  for (const source of options.patterns) patterns.push(customPattern(source));
  const { maxDepth, maxNodes, maxStringLength } = options;
  const builtIn = patterns.length - options.patterns.length;

  function isSecretKey(key: string): boolean {
    const cached = keyCache.get(key);
    if (cached !== undefined) return cached;
    let secret = secretKeys.has(normalizeKey(key));
    if (!secret) {
      const dot = key.lastIndexOf('.');
      if (dot >= 0 && dot < key.length - 1) secret = secretKeys.has(normalizeKey(key.slice(dot + 1)));
    }
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(key, secret);
    return secret;
  }

  function redactString(text: string): string {
    let out = text.length > maxStringLength ? `${text.slice(0, maxStringLength)}…[truncated ${text.length - maxStringLength} chars]` : text;
    // Most strings in a log line hold none of the built-in patterns' anchors: one scan rules
    // them all out (bench/log-line.bench.ts measured 4 extra regex scans per string otherwise).
    const first = MAY_HOLD_SECRET.test(out) ? 0 : builtIn;
    if (first === patterns.length) return out;
    const cached = valueCache.get(out);
    if (cached !== undefined) return cached;
    const examined = out;
    for (let i = first; i < patterns.length; i += 1) {
      const pattern = patterns[i] as ValuePattern;
      pattern.regex.lastIndex = 0;
      if (pattern.regex.test(out)) {
        pattern.regex.lastIndex = 0;
        out = out.replace(pattern.regex, pattern.replace as (substring: string, ...args: string[]) => string);
      }
    }
    if (examined.length <= MAX_CACHED_STRING) {
      if (valueCache.size >= VALUE_CACHE_LIMIT) valueCache.clear();
      valueCache.set(examined, out);
    }
    return out;
  }

  function walk(value: unknown, depth: number, state: WalkState, into?: FieldSink): unknown {
    if (typeof value === 'string') {
      state.nodes += 1;
      return state.nodes > maxNodes ? TRUNCATED : redactString(value);
    }
    if (typeof value !== 'object' || value === null) return value;
    state.nodes += 1;
    if (state.nodes > maxNodes || depth >= maxDepth) return TRUNCATED;
    if (state.ancestors.includes(value)) return CIRCULAR;
    if (ArrayBuffer.isView(value)) return `[Binary ${value.byteLength} bytes]`;
    if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return `[Binary ${value.byteLength} bytes]`;
    if (value instanceof Date) return value;
    state.ancestors.push(value);
    try {
      if (value instanceof Error) return walkError(value, depth, state);
      if (Array.isArray(value)) return walkArray(value, depth, state);
      const toJSON = readSafely(value, 'toJSON');
      if (typeof toJSON === 'function') {
        // JSON.stringify would write what toJSON returns, not the object: examine that instead.
        try {
          return walk(toJSON.call(value), depth + 1, state);
        } catch {
          return UNREADABLE;
        }
      }
      return walkObject(value as Record<string, unknown>, depth, state, into);
    } catch {
      return UNREADABLE;
    } finally {
      state.ancestors.pop();
    }
  }

  function walkArray(value: readonly unknown[], depth: number, state: WalkState): unknown {
    let copy: unknown[] | undefined;
    const length = value.length;
    for (let i = 0; i < length; i += 1) {
      let item: unknown;
      try {
        item = value[i];
      } catch {
        item = undefined;
        copy ??= value.slice(0, i);
        copy.push(UNREADABLE);
        continue;
      }
      const next = walk(item, depth + 1, state);
      if (next !== item && copy === undefined) copy = value.slice(0, i);
      if (copy !== undefined) copy.push(next);
      if (state.nodes > maxNodes) {
        copy ??= value.slice(0, i + 1);
        if (i + 1 < length) copy.push(TRUNCATED);
        break;
      }
    }
    return copy ?? value;
  }

  function walkObject(value: Record<string, unknown>, depth: number, state: WalkState, into?: FieldSink): unknown {
    const keys = Object.keys(value);
    if (into !== undefined) {
      for (const key of keys) {
        if (into.skip(key)) continue;
        let next: unknown;
        try {
          const item = value[key];
          next = isSecretKey(key) ? (item === undefined || item === null ? item : CENSOR) : walk(item, depth + 1, state);
        } catch {
          next = UNREADABLE;
        }
        assign(into.target, key, next);
      }
      return into.target;
    }
    // The values are read once and kept: a getter must not be asked twice (it could answer
    // differently the second time and that answer would go out unexamined).
    const read: unknown[] = new Array(keys.length);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i] as string;
      let item: unknown;
      let next: unknown;
      try {
        item = value[key];
        next = isSecretKey(key) ? (item === undefined || item === null ? item : CENSOR) : walk(item, depth + 1, state);
      } catch {
        next = UNREADABLE;
      }
      read[i] = item;
      if (next !== item && copy === undefined) {
        copy = {};
        for (let j = 0; j < i; j += 1) assign(copy, keys[j] as string, read[j]);
      }
      if (copy !== undefined) assign(copy, key, next);
    }
    return copy ?? value;
  }

  function walkError(error: Error, depth: number, state: WalkState): unknown {
    const out: Record<string, unknown> = {
      type: errorType(error),
      message: redactString(String(readSafely(error, 'message') ?? '')),
    };
    const stack = readSafely(error, 'stack');
    if (typeof stack === 'string') out.stack = redactString(stack);
    const own = walkObject(error as unknown as Record<string, unknown>, depth, state) as Record<string, unknown>;
    for (const key of Object.keys(own)) {
      if (key !== 'message' && key !== 'stack' && key !== 'type') assign(out, key, own[key]);
    }
    const cause = readSafely(error, 'cause');
    if (cause !== undefined) out.cause = walk(cause, depth + 1, state);
    return out;
  }

  const redactor: Redactor = {
    options,
    isSecretKey,
    redactString(text: string): string {
      try {
        return redactString(text);
      } catch {
        return UNREADABLE;
      }
    },
    redact<T>(value: T): T {
      try {
        return walk(value, 0, { nodes: 0, ancestors: [] }) as T;
      } catch {
        return UNREADABLE as T;
      }
    },
  };
  made.set(redactor, {
    redact: redactor.redact,
    copy(source, target, skip) {
      try {
        return walk(source, 0, { nodes: 0, ancestors: [] }, { target, skip });
      } catch {
        return UNREADABLE;
      }
    },
  });
  return redactor;
}

/** Where walk() writes the fields of the object it was given, instead of answering a copy of it. */
interface FieldSink {
  readonly target: Record<string, unknown>;
  /** Keys left out, their values never read. */
  readonly skip: (key: string) => boolean;
}

/**
 * What createRedactor() keeps of each redactor it made: its one-pass copy, and the `redact` that
 * copy does the work of (a caller may replace that one). Being here also means its isSecretKey()
 * and redactString() answer from their input alone, so an answer may be kept and given again for
 * the same input (redact-attributes.ts).
 */
interface Made {
  readonly redact: Redactor['redact'];
  copy(source: unknown, target: Record<string, unknown>, skip: (key: string) => boolean): unknown;
}
const made = new WeakMap<Redactor, Made>();

/**
 * `source`'s fields, redacted, written into `target` in the walk that redacts them, each value
 * read once; the keys `skip` names are left out. A log line's caller fields took redact() and
 * then a copy, two passes over them (bench/log-line.bench.ts). Answers `target` when the fields
 * went there; otherwise what redact() answers for `source`, for the caller to copy: a value that
 * is not a plain object of fields (an Error, an array, a `toJSON`, what could not be read), or
 * any value for a redactor written by hand or whose `redact` was replaced.
 */
export function redactFieldsInto(redactor: Redactor, source: unknown, target: Record<string, unknown>, skip: (key: string) => boolean): unknown {
  const own = made.get(redactor);
  return own !== undefined && own.redact === redactor.redact ? own.copy(source, target, skip) : redactor.redact(source);
}

/** Whether `redactor` was made by createRedactor() (its answers may be memoized), not written by hand. */
export function isPureRedactor(redactor: Redactor): boolean {
  return made.has(redactor);
}

let shared: Redactor | undefined;

/** The redactor with the default keys and patterns, built once on first use. */
export function defaultRedactor(): Redactor {
  shared ??= createRedactor();
  return shared;
}

/** `API-Key`, `api_key` and `apiKey` are one key. */
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function readSafely(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

function errorType(error: Error): string {
  try {
    const name = error.constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
    return typeof error.name === 'string' ? error.name : 'Error';
  } catch {
    return 'Error';
  }
}

// A `__proto__` key from parsed JSON must stay data, not become the copy's prototype.
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
