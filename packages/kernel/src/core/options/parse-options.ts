import type { z } from 'zod';
import { StitchError } from '../errors/stitch-error.js';
import { objectShape } from './schema-shape.js';

/**
 * The one way a public factory takes its options (STYLE.md §12): checked once against its
 * schema, defaults filled, deep-frozen, and on failure one `STITCH_ERR_CONFIG_INVALID` that
 * names every bad key (`section.path: what is wrong`), an unknown key with the nearest valid
 * one. A raw `ZodError` never escapes: callers branch on `code`, not on Zod's classes.
 *
 * Zod's objects strip keys they do not know, so a typo (`timeoutMilis`) would be silently
 * ignored and the default used; the walk below refuses it instead. `input` is the data part of
 * a factory's options: runtime handles (a database, a logger, a callback) are taken out first.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad key, with the nearest valid one.
 * @example
 *   const settings = parseOptions(WebhookOptionsSchema, { timeoutMilis: 500 }, 'webhooks');
 *   // STITCH_ERR_CONFIG_INVALID: webhooks.timeoutMilis: unknown key; did you mean timeoutMillis?
 */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, input: unknown, section: string): z.output<Schema> {
  const details = unknownKeys(schema, input, []).map(({ path, allowed }) => `${dotted(section, path)}: unknown key; ${suggestion(path.at(-1) ?? '', allowed)}`);
  const parsed = schema.safeParse(input);
  if (!parsed.success) details.push(...issueDetails(parsed.error.issues, section));
  if (details.length > 0) throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: details.join('; ') });
  return deepFreeze(parsed.data as z.output<Schema>);
}

/**
 * Zod's issues as one detail string, `path: message` joined by `; ` (each path under `section`
 * when given): the `{detail}` of every validation error the kernel raises, options or data.
 *
 * @example
 *   throw new StitchError('STITCH_ERR_AUDIT_ENTRY_INVALID', { detail: issueDetail(parsed.error.issues) });
 */
export function issueDetail(issues: readonly z.core.$ZodIssue[], section?: string): string {
  return issueDetails(issues, section).join('; ');
}

function issueDetails(issues: readonly z.core.$ZodIssue[], section: string | undefined): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String);
    return `${section === undefined ? path.join('.') : dotted(section, path)}: ${issue.message}`;
  });
}

function dotted(section: string, path: readonly string[]): string {
  return path.length === 0 ? section : `${section}.${path.join('.')}`;
}

/**
 * Keys no schema object knows, at any depth of plain objects (records and unions are leaves):
 * the loader's check of a YAML file, and every factory's.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, path: string[]): { path: string[]; allowed: string[] }[] {
  const shape = objectShape(schema);
  if (shape === undefined || !isPlainObject(value)) return [];
  const found: { path: string[]; allowed: string[] }[] = [];
  for (const key of Object.keys(value)) {
    const inner = shape[key];
    if (inner === undefined) found.push({ path: [...path, key], allowed: Object.keys(shape) });
    else found.push(...unknownKeys(inner, value[key], [...path, key]));
  }
  return found;
}

/** `did you mean X?` when a valid key is a likely typo of `key`, else the keys allowed here. */
function suggestion(key: string, allowed: readonly string[]): string {
  const nearest = nearestKey(key, allowed);
  return nearest === undefined ? `allowed here: ${allowed.join(', ')}` : `did you mean ${nearest}?`;
}

/**
 * The entry of `allowed` that `key` is a likely typo of (case-insensitive edit distance), or
 * `undefined` when none is close: an options key here, an environment variable's name in the
 * loader's warning about unknown `STITCH_*` variables.
 *
 * @example
 *   nearestKey('timeoutMilis', ['timeoutMillis', 'retries']); // 'timeoutMillis'
 */
export function nearestKey(key: string, allowed: readonly string[]): string | undefined {
  let nearest: string | undefined;
  let best = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < best) [nearest, best] = [candidate, distance];
  }
  // A third of the key's length (at least 2 edits): `timeoutMilis`, `batchsize`, `pollInterval`
  // are caught; an unrelated word is answered with the list rather than a wild guess.
  return nearest !== undefined && best <= Math.max(2, Math.floor(key.length / 3)) ? nearest : undefined;
}

/** Levenshtein distance; keys are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Layers options: objects merge key by key, arrays and scalars from `over` replace (a list is
 * one setting), and an `undefined` in `over` leaves `under`'s value. Explicit options over the
 * environment over a file, in the loader and in the tracing section alike.
 *
 * @example
 *   mergeDeep({ export: { endpoint: 'a', headers: { x: '1' } } }, { export: { headers: { y: '2' } } });
 *   // { export: { endpoint: 'a', headers: { x: '1', y: '2' } } }
 */
export function mergeDeep(under: unknown, over: unknown): unknown {
  if (!isTree(under) || !isTree(over)) return over === undefined ? under : over;
  const out: Record<string, unknown> = { ...under };
  for (const [key, value] of Object.entries(over)) out[key] = mergeDeep(under[key], value);
  return out;
}

function isTree(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Freezes `value` and everything inside it. Plain objects and arrays only: a RegExp, a Map or a
 * user's handle passed through a schema keeps working (a frozen global RegExp could no longer
 * advance its lastIndex).
 */
export function deepFreeze<T>(value: T): T {
  if (isPlainObject(value) || Array.isArray(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
