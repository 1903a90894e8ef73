import type { WebhookRetriesResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { sqlFor, topValuesByKeySql, type EngineSql } from './engine-sql.js';
import { isoFromNanos, num, sqlLimit, strList, tenantClause, type QueryScope } from './query-scope.js';

/** A delivery attempt failed: an error status, an HTTP status of 400 or more, or no answer at all. */
export const WEBHOOK_ATTEMPT_FAILED_SQL = '(status_code = 2 OR http_status >= 400 OR http_status IS NULL)';

/**
 * `stitch webhooks --retries`: delivery-attempt spans (they carry `stitch.webhook.endpoint`)
 * grouped by endpoint and ranked by retries (attempt number > 1), then failure ratio, so the
 * endpoint behind a retry storm is first and a busy healthy endpoint (many attempts, no retries,
 * no failures) never outranks it: ranking by attempts put a 100%-failing endpoint 3rd (issue 11).
 */
export async function askWebhookRetries(store: Store, scope: QueryScope, limit: number): Promise<WebhookRetriesResponse> {
  const t = tenantClause(scope.tenantId);
  const order = `ORDER BY retries DESC, failures / attempts DESC, failures DESC, endpoint LIMIT ${sqlLimit(limit, 100)}`;
  const sql: EngineSql = {
    duckdb: `SELECT webhook_endpoint AS endpoint, count(*) AS attempts,
        count(*) FILTER (WHERE ${WEBHOOK_ATTEMPT_FAILED_SQL}) AS failures,
        count(*) FILTER (WHERE webhook_attempt > 1) AS retries,
        coalesce(max(webhook_attempt), 1) AS max_attempt,
        list(DISTINCT http_status ORDER BY http_status) FILTER (WHERE http_status IS NOT NULL) AS status_codes,
        min(start_ns) AS first_ns, max(start_ns) AS last_ns,
        list(DISTINCT tenant_id ORDER BY tenant_id)[1:10] AS tenants,
        max_by(trace_id, coalesce(webhook_attempt, 1), 3) AS examples
     FROM spans
     WHERE webhook_endpoint IS NOT NULL AND start_ns >= $since AND start_ns < $until${t.sql}
     GROUP BY webhook_endpoint
     ${order}`,
    clickhouse: `SELECT webhook_endpoint AS endpoint, count(*) AS attempts,
        countIf(${WEBHOOK_ATTEMPT_FAILED_SQL}) AS failures, countIf(webhook_attempt > 1) AS retries,
        coalesce(max(webhook_attempt), 1) AS max_attempt,
        arraySort(groupUniqArrayIf(http_status, http_status IS NOT NULL)) AS status_codes,
        min(start_ns) AS first_ns, max(start_ns) AS last_ns,
        arraySlice(arraySort(groupUniqArray(tenant_id)), 1, 10) AS tenants,
        ${topValuesByKeySql('trace_id', 'coalesce(webhook_attempt, 1)', 3)} AS examples
     FROM stitch_spans
     WHERE webhook_endpoint IS NOT NULL AND start_ns >= $since AND start_ns < $until${t.sql}
     GROUP BY webhook_endpoint
     ${order}`,
  };
  const rows = await store.query(sqlFor(store, sql), { since: scope.sinceNanos, until: scope.untilNanos, ...t.params });
  return {
    window: scope.window,
    endpoints: rows.map((r) => ({
      endpoint: String(r.endpoint),
      attempts: num(r.attempts),
      failures: num(r.failures),
      retries: num(r.retries),
      maxAttempt: num(r.max_attempt),
      failureRatio: num(r.attempts) === 0 ? 0 : num(r.failures) / num(r.attempts),
      statusCodes: (Array.isArray(r.status_codes) ? r.status_codes : []).map(num),
      firstAttemptTime: isoFromNanos(r.first_ns as string),
      lastAttemptTime: isoFromNanos(r.last_ns as string),
      tenants: strList(r.tenants),
      exampleTraceIds: [...new Set(strList(r.examples))],
    })),
  };
}
