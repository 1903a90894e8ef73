import type { ApiWindow } from '@stitch/contract';
import { StitchError } from '@stitch/contract';

/** What every question is given: the time window and the tenant it is confined to (null = all). */
export interface QueryScope {
  tenantId: string | null;
  sinceNanos: bigint;
  untilNanos: bigint;
  window: ApiWindow;
}

const RELATIVE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MILLIS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `15m`/`2h`/`7d` (ago), an ISO time, or Unix milliseconds. */
export function parseTimeMillis(value: string, nowMillis: number): number {
  const rel = RELATIVE.exec(value.trim());
  if (rel) return nowMillis - Number(rel[1]) * UNIT_MILLIS[rel[2]!]!;
  if (/^\d{10,16}$/.test(value.trim())) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new StitchError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: `unreadable time "${value}"` });
  return parsed;
}

/**
 * A row limit for SQL: the caller's within 1…`max`, a whole number. The API has validated it
 * already; this keeps a question's own ceiling and makes interpolating it into SQL safe anyway.
 */
export function sqlLimit(limit: number, max: number): number {
  return Number.isFinite(limit) ? Math.max(1, Math.min(Math.floor(limit), max)) : max;
}

export function nanosFromMillis(millis: number): bigint {
  return BigInt(Math.floor(millis)) * 1_000_000n;
}

export function isoFromNanos(nanos: string | bigint | number | null | undefined): string {
  if (nanos === null || nanos === undefined) return new Date(0).toISOString();
  const millis = Number(BigInt(nanos) / 1_000_000n);
  const d = new Date(millis);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

/**
 * Resolves `since`/`until` into a window, refusing one wider than the max historical window
 * (seed 002's limit) with a 429 that names it.
 */
export function resolveWindow(
  since: string | undefined,
  until: string | undefined,
  maxWindowHours: number,
  defaultHours = 1,
  nowMillis = Date.now(),
): { sinceNanos: bigint; untilNanos: bigint; window: ApiWindow } {
  const untilMillis = until ? parseTimeMillis(until, nowMillis) : nowMillis;
  const sinceMillis = since ? parseTimeMillis(since, nowMillis) : untilMillis - defaultHours * 3_600_000;
  if (sinceMillis > untilMillis) throw new StitchError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: 'since is after until' });
  if (untilMillis - sinceMillis > maxWindowHours * 3_600_000) {
    throw new StitchError('STITCH_ERR_COLLECTOR_LIMIT_QUERY_WINDOW', { limit: maxWindowHours });
  }
  return {
    sinceNanos: nanosFromMillis(sinceMillis),
    untilNanos: nanosFromMillis(untilMillis),
    window: { since: new Date(sinceMillis).toISOString(), until: new Date(untilMillis).toISOString() },
  };
}

/**
 * The SQL tenant predicate and its parameter. Built into the text (not `$t IS NULL OR …`) so
 * DuckDB can push the filter into the scan. The parameter is always `tenant`: a read that binds
 * it goes by tenant unless it says otherwise (store.ts, ReadOptions).
 */
export function tenantClause(tenantId: string | null, column = 'tenant_id'): { sql: string; params: Record<string, string> } {
  return tenantId === null ? { sql: '', params: {} } : { sql: ` AND ${column} = $tenant`, params: { tenant: tenantId } };
}

/** Classifies a span into the component vocabulary the questions group by. */
export const COMPONENT_SQL = `CASE
  WHEN component IS NOT NULL THEN component
  WHEN query_name IS NOT NULL OR query_text IS NOT NULL THEN 'query'
  WHEN job_name IS NOT NULL THEN 'job'
  WHEN webhook_endpoint IS NOT NULL THEN 'webhook'
  WHEN kind = 3 THEN 'external'
  WHEN kind = 2 THEN 'route'
  ELSE 'internal' END`;

export function parseJsonObject(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return {};
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function num(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

export function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined).map(String) : [];
}
