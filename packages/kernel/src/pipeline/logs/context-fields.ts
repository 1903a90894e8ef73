import { LogField } from '@stitch/contract';
import { context, trace } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';
import { getScope, hasCurrentContext, routeOf } from '../../core/context/context-store.js';
import type { StitchScope } from '../../core/context/context-store.js';
import { redactFieldsInto, UNREADABLE } from '../redaction/redactor.js';
import type { Redactor } from '../redaction/redactor.js';
import { countContextMissing } from './log-stats.js';

/** Where a logger keeps its component name (children shadow it, see create-logger.ts). */
export const COMPONENT = Symbol('stitch.component');

type Fields = Record<string, unknown>;

// The context's ids are the truth: a caller's `{ trace_id }` must not relabel a line into
// another trace or tenant. Outside a context there is nothing to protect, so caller fields pass.
const CONTEXT_KEYS: ReadonlySet<string> = new Set([
  LogField.traceId,
  LogField.spanId,
  LogField.requestId,
  LogField.tenantId,
  LogField.routeId,
  LogField.actorId,
  LogField.contextMissing,
]);

/** pino `mixin`: the logger's component (the context's fields come with the time: `timeAndContext`). */
export function componentField(_mergeObject: object, _level: number, logger: unknown): Fields {
  return { [LogField.component]: (logger as { [COMPONENT]?: string })[COMPONENT] };
}

const CONTEXT_MISSING_FRAGMENT = `"${LogField.contextMissing}":true`;
const TIME_KEY = `"${LogField.time}":`;
// One JSON fragment per (scope, span, route), built from the scope and span context directly:
// building the frozen TraceContext first cost as much again. Serializing the ids as object
// fields on every line cost several times a bare pino line (bench/log-line.bench.ts); splicing
// a cached fragment costs one string concatenation. The cache holds the last one only (a
// WeakMap entry per request cost more than building the fragment again when requests interleave).
let lastScope: StitchScope | undefined;
let lastSpanContext: SpanContext | undefined;
let lastRouteId: string | undefined;
let lastFragment = '';

function fragmentOf(scope: StitchScope, spanContext: SpanContext): string {
  const routeId = routeOf(scope);
  if (scope === lastScope && spanContext === lastSpanContext && routeId === lastRouteId) return lastFragment;
  // Concatenated rather than JSON.stringify of an object, and each value quoted by jsonString:
  // in a real server every request builds its fragment afresh (requests interleave), and
  // JSON.stringify of the three ids was most of the build (docs/performance.md).
  let fragment = `${TRACE_ID_KEY}${jsonString(spanContext.traceId)},${SPAN_ID_KEY}${jsonString(spanContext.spanId)},${REQUEST_ID_KEY}${jsonString(scope.requestId)}`;
  if (scope.tenantId !== undefined) fragment += `,${TENANT_ID_KEY}${jsonString(scope.tenantId)}`;
  if (routeId !== undefined) fragment += `,${ROUTE_ID_KEY}${jsonString(routeId)}`;
  if (scope.actorId !== undefined) fragment += `,${ACTOR_ID_KEY}${jsonString(scope.actorId)}`;
  lastScope = scope;
  lastSpanContext = spanContext;
  lastRouteId = routeId;
  lastFragment = fragment;
  return fragment;
}

// Ids, UUIDs, tenant ids and route templates: characters JSON never escapes. Anything else (a
// quote, a backslash, a control character, a lone surrogate) goes through JSON.stringify.
const NEEDS_NO_ESCAPE = /^[\w.:/\- ]*$/;

/** `value` as a JSON string literal: one regex test for an id (JSON.stringify cost about twice that). */
function jsonString(value: string): string {
  return typeof value === 'string' && NEEDS_NO_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value);
}

const TRACE_ID_KEY = `${JSON.stringify(LogField.traceId)}:`;
const SPAN_ID_KEY = `${JSON.stringify(LogField.spanId)}:`;
const REQUEST_ID_KEY = `${JSON.stringify(LogField.requestId)}:`;
const TENANT_ID_KEY = `${JSON.stringify(LogField.tenantId)}:`;
const ROUTE_ID_KEY = `${JSON.stringify(LogField.routeId)}:`;
const ACTOR_ID_KEY = `${JSON.stringify(LogField.actorId)}:`;

/**
 * pino `timestamp`: the time, then the mandatory fields of the context in force (DESIGN.md,
 * "Logs"); outside any context, `context_missing: true`, counted. pino splices what it returns
 * into the line right after `level`, as it does its own time functions (a partial JSON string),
 * and calls it synchronously in the log call, so in its context. The fields cost one
 * concatenation. Splicing them into the finished line instead (a streamWrite hook) searched and
 * copied every line: 1.76 µs a line in a context then, 1.37 µs now (bench/log-line.bench.ts).
 */
export function timeAndContext(): string {
  const active = context.active();
  const scope = getScope(active);
  const spanContext = scope === undefined ? undefined : trace.getSpanContext(active);
  if (scope === undefined || spanContext === undefined) {
    countContextMissing();
    return `,${TIME_KEY}${Date.now()},${CONTEXT_MISSING_FRAGMENT}`;
  }
  return `,${TIME_KEY}${Date.now()},${fragmentOf(scope, spanContext)}`;
}

/** The context's keys a caller's field may not overwrite: inside a context its ids win; `context_missing` is the logger's own. */
function isContextKey(key: string): boolean {
  return CONTEXT_KEYS.has(key) && (key === LogField.contextMissing || hasCurrentContext());
}

/**
 * pino `mixinMergeStrategy`: the caller's fields, redacted, join the context's; inside a
 * context the context's ids win. Only the caller's part is redacted: the context's fields are
 * ids in validated formats, and skipping them halves the redaction work per line. Values are
 * read once, guarded: a throwing getter on a logged object becomes `[Unreadable]` rather than
 * an exception in the caller's code path.
 */
export function createMergeStrategy(redactor: Redactor): (mergeObject: object, mixinObject: object) => object {
  return function mergeContextFirst(mergeObject: object, mixinObject: object): object {
    const target = mixinObject as Fields;
    // A plain object's fields go into the line's object in the pass that redacts them.
    const safe = redactFieldsInto(redactor, mergeObject, target, isContextKey) as Fields | string;
    if (safe === target || typeof safe !== 'object' || safe === null) return target;
    let keys: string[];
    try {
      keys = Object.keys(safe);
    } catch {
      return target;
    }
    for (const key of keys) {
      if (isContextKey(key)) continue;
      let value: unknown;
      try {
        value = safe[key];
      } catch {
        value = UNREADABLE;
      }
      if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      else target[key] = value;
    }
    return target;
  };
}
