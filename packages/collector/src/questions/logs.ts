import type { LogLine, LogsResponse } from '@stitch/contract';
import type { LogRow } from '../otlp/records.js';
import type { Store } from '../store/store.js';
import { tableFor } from './engine-sql.js';
import { isoFromNanos, parseJsonObject, sqlLimit, tenantClause, type QueryScope } from './query-scope.js';
import { toLogLine } from './trace.js';

export interface LogFilter {
  traceId?: string;
  service?: string;
  instance?: string;
  /** Minimum OTLP severity number (9 info, 13 warn, 17 error). */
  minSeverity?: number;
  limit: number;
}

/** `stitch logs --tenant <id> [--trace <id>]`: the newest `limit` matching lines, oldest first. */
export async function askLogs(store: Store, scope: QueryScope, filter: LogFilter): Promise<LogsResponse> {
  const t = tenantClause(scope.tenantId);
  const where: string[] = ['time_ns >= $since', 'time_ns < $until'];
  const params: Record<string, string | bigint | number> = { since: scope.sinceNanos, until: scope.untilNanos, ...t.params };
  if (filter.traceId) {
    where.push('trace_id = $trace');
    params.trace = filter.traceId.toLowerCase();
  }
  if (filter.service) {
    where.push('service = $service');
    params.service = filter.service;
  }
  if (filter.instance) {
    where.push('instance = $instance');
    params.instance = filter.instance;
  }
  if (filter.minSeverity !== undefined) {
    where.push('severity_number >= $sev');
    params.sev = filter.minSeverity;
  }
  const limit = sqlLimit(filter.limit, 5000);
  const rows = await store.query(
    `SELECT * FROM ${tableFor(store, 'logs')} WHERE ${where.join(' AND ')}${t.sql} ORDER BY time_ns DESC LIMIT ${limit + 1}`,
    params,
  );
  const truncated = rows.length > limit;
  return { window: scope.window, logs: rows.slice(0, limit).reverse().map(toLogLine), truncated };
}

/** Whether a live row passes a follow stream's filter (tenant included: the hub is tenant-blind). */
export function matchesLogFilter(row: LogRow, tenantId: string | null, filter: Omit<LogFilter, 'limit'>): boolean {
  if (tenantId !== null && row.tenantId !== tenantId) return false;
  if (filter.traceId && row.traceId !== filter.traceId.toLowerCase()) return false;
  if (filter.service && row.service !== filter.service) return false;
  if (filter.instance && row.instance !== filter.instance) return false;
  if (filter.minSeverity !== undefined && row.severityNumber < filter.minSeverity) return false;
  return true;
}

export function logRowToLine(row: LogRow): LogLine {
  return {
    time: isoFromNanos(row.timeNanos),
    timeUnixNano: String(row.timeNanos),
    tenantId: row.tenantId,
    service: row.service,
    instance: row.instance,
    component: row.component,
    severityNumber: row.severityNumber,
    severityText: row.severityText,
    body: row.body,
    traceId: row.traceId,
    spanId: row.spanId,
    attributes: parseJsonObject(row.attributes),
  };
}
