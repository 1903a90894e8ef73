import { LogField } from '@stitch/contract';
import { tryCurrentContext } from '../context/context-store.js';
import { UNREADABLE } from '../redaction/redactor.js';
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

/**
 * pino `mixin`: the mandatory fields of the context in force (DESIGN.md, "Logs"). One small
 * object per line; the context itself is the frozen object the context store caches per span.
 */
export function contextFields(_mergeObject: object, _level: number, logger: unknown): Fields {
  const component = (logger as { [COMPONENT]?: string })[COMPONENT];
  const ctx = tryCurrentContext();
  if (ctx === undefined) {
    countContextMissing();
    return { [LogField.component]: component, [LogField.contextMissing]: true };
  }
  const fields: Fields = {
    [LogField.component]: component,
    [LogField.traceId]: ctx.traceId,
    [LogField.spanId]: ctx.spanId,
    [LogField.requestId]: ctx.requestId,
  };
  if (ctx.tenantId !== undefined) fields[LogField.tenantId] = ctx.tenantId;
  if (ctx.routeId !== undefined) fields[LogField.routeId] = ctx.routeId;
  if (ctx.actorId !== undefined) fields[LogField.actorId] = ctx.actorId;
  return fields;
}

/**
 * pino `mixinMergeStrategy`: the caller's fields join the context's, except that inside a
 * context the context's ids win. Values are read once, guarded: a throwing getter on a logged
 * object becomes `[Unreadable]` rather than an exception in the caller's code path.
 */
export function mergeContextFirst(mergeObject: object, mixinObject: object): object {
  const target = mixinObject as Fields;
  const inContext = target[LogField.contextMissing] !== true;
  let keys: string[];
  try {
    keys = Object.keys(mergeObject);
  } catch {
    return target;
  }
  for (const key of keys) {
    if (inContext && CONTEXT_KEYS.has(key)) continue;
    let value: unknown;
    try {
      value = (mergeObject as Fields)[key];
    } catch {
      value = UNREADABLE;
    }
    if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    else target[key] = value;
  }
  return target;
}
