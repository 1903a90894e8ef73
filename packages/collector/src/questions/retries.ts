import type { RetriesResponse, RetryKind } from '@stitch/contract';
import { SpanAttr } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { sqlFor, type EngineSql } from './engine-sql.js';
import { attributeSql as attr } from './attribute-sql.js';
import { isoFromNanos, num, sqlLimit, strList, strOrNull, tenantClause, type QueryScope } from './query-scope.js';
import { WEBHOOK_ATTEMPT_FAILED_SQL } from './webhook-retries.js';

/**
 * Every attempt the kernel makes, one row each in a common shape, from the spans it writes
 * (packages/kernel/src/{webhooks,jobs,events}):
 * - webhook: `webhook.deliver` spans carry `stitch.webhook.endpoint` and `stitch.webhook.attempt`;
 *   a failure is WEBHOOK_ATTEMPT_FAILED_SQL, as `stitch webhooks` counts it.
 * - job: `job <name>` CONSUMER spans carry `stitch.job.name` and `stitch.job.attempt` (1-based);
 *   the `enqueue <name>` producer span has the name but no attempt, so it is not an attempt.
 * - consumer: each delivery is a `process_event` span with `stitch.event.id`, `stitch.event.type`
 *   and the consumer's `messaging.consumer.group.name`; the bus carries no delivery count, so a
 *   redelivery is a second (third…) delivery of the same event id to the same consumer in the
 *   window. Events of types the consumer does not handle (`skipped-type`) are not its work.
 */
const ATTEMPTS_SQL = (tenantSql: string): string => `
  SELECT 'webhook' AS kind, webhook_endpoint AS name, NULL::VARCHAR AS event_type,
      coalesce(webhook_attempt, 1) AS attempt_no,
      ${WEBHOOK_ATTEMPT_FAILED_SQL} AS failed,
      tenant_id, trace_id, start_ns, status_message
    FROM spans
    WHERE webhook_endpoint IS NOT NULL AND start_ns >= $since AND start_ns < $until${tenantSql}
  UNION ALL
  SELECT 'job', job_name, NULL, attempt_no, status_code = 2, tenant_id, trace_id, start_ns, status_message
    FROM (SELECT *, TRY_CAST(${attr(SpanAttr.jobAttempt)} AS INTEGER) AS attempt_no FROM spans
          WHERE job_name IS NOT NULL AND start_ns >= $since AND start_ns < $until${tenantSql})
    WHERE attempt_no >= 1
  UNION ALL
  SELECT 'consumer', consumer_group, event_type,
      row_number() OVER (PARTITION BY consumer_group, event_type, event_id ORDER BY start_ns, span_id),
      status_code = 2, tenant_id, trace_id, start_ns, status_message
    -- The consumer column (schema v4); rows stored before it name their consumer in the JSON only.
    FROM (SELECT *, coalesce(consumer, ${attr(SpanAttr.consumerGroup)}) AS consumer_group, ${attr(SpanAttr.eventType)} AS event_type,
            ${attr(SpanAttr.eventId)} AS event_id, ${attr('stitch.event.outcome')} AS outcome
          FROM spans WHERE name = 'process_event' AND start_ns >= $since AND start_ns < $until${tenantSql})
    WHERE consumer_group IS NOT NULL AND outcome IS DISTINCT FROM 'skipped-type'`;

/**
 * ATTEMPTS_SQL in ClickHouse: one integer type for the attempt number across the branches (UNION
 * ALL wants a common type). The job's attempt and the event's consumer, type, id and outcome are
 * columns of the view there (store/clickhouse/stitch-views.ts), not reads of the JSON. No `IS
 * DISTINCT FROM` outside JOIN ON: ClickHouse has it only from 25.10 (ClickHouseStore's floor is 24.2).
 */
const ATTEMPTS_CLICKHOUSE_SQL = (tenantSql: string): string => `
  SELECT 'webhook' AS kind, webhook_endpoint AS name, CAST(NULL AS Nullable(String)) AS event_type,
      toInt64(coalesce(webhook_attempt, 1)) AS attempt_no,
      toBool(${WEBHOOK_ATTEMPT_FAILED_SQL}) AS failed,
      tenant_id, trace_id, start_ns, status_message
    FROM stitch_spans
    WHERE webhook_endpoint IS NOT NULL AND start_ns >= $since AND start_ns < $until${tenantSql}
  UNION ALL
  SELECT 'job', job_name, NULL, job_attempt, toBool(status_code = 2), tenant_id, trace_id, start_ns, status_message
    FROM stitch_spans
    WHERE job_name IS NOT NULL AND job_attempt >= 1 AND start_ns >= $since AND start_ns < $until${tenantSql}
  UNION ALL
  SELECT 'consumer', consumer, event_type,
      toInt64(row_number() OVER (PARTITION BY consumer, event_type, event_id ORDER BY start_ns, span_id)),
      toBool(status_code = 2), tenant_id, trace_id, start_ns, status_message
    FROM stitch_spans
    WHERE name = 'process_event' AND consumer IS NOT NULL AND ifNull(event_outcome != 'skipped-type', true)
      AND start_ns >= $since AND start_ns < $until${tenantSql}`;

/**
 * `stitch retries`: "Where did retry loops occur?" Every retry loop of every kind in one list —
 * webhook endpoints, jobs by name, event consumers by consumer and event type — ranked by
 * retries, then failure ratio. A busy healthy endpoint (many first attempts, none failing) has
 * no retries, so it sorts below every loop that retried; a loop that kept failing sorts above
 * one that recovered after as many retries.
 */
export async function askRetries(store: Store, scope: QueryScope, limit: number): Promise<RetriesResponse> {
  const t = tenantClause(scope.tenantId);
  const limitSql = sqlLimit(limit, 500);
  const order = 'ORDER BY n_retries DESC, n_failures / n_attempts DESC, n_failures DESC, n_attempts DESC, kind, name, event_type';
  const sql: EngineSql = {
    duckdb: `WITH attempts AS (${ATTEMPTS_SQL(t.sql)}),
     per_tenant AS (
       SELECT kind, name, event_type, tenant_id, count(*) AS attempts,
           count(*) FILTER (WHERE attempt_no > 1) AS retries, count(*) FILTER (WHERE failed) AS failures,
           max(attempt_no) AS max_attempt, min(start_ns) AS first_ns, max(start_ns) AS last_ns,
           arg_max(status_message, start_ns) FILTER (WHERE failed) AS last_error,
           max(start_ns) FILTER (WHERE failed) AS last_error_ns,
           max_by(trace_id, [attempt_no, start_ns], 10) AS examples
       FROM attempts GROUP BY ALL)
     SELECT kind, name, event_type, sum(attempts) AS n_attempts, sum(retries) AS n_retries, sum(failures) AS n_failures,
         max(max_attempt) AS max_attempt, min(first_ns) AS first_ns, max(last_ns) AS last_ns,
         arg_max(last_error, last_error_ns) AS last_error,
         list({'tenant': tenant_id, 'attempts': attempts, 'retries': retries} ORDER BY retries DESC, attempts DESC, tenant_id)[1:10] AS tenants,
         flatten(list(examples ORDER BY max_attempt DESC, last_ns DESC)) AS examples
     FROM per_tenant GROUP BY kind, name, event_type
     ${order}
     LIMIT ${limitSql}`,
    // Aggregates aliased apart from the columns they read, renamed outside (engine-sql.ts).
    clickhouse: `WITH attempts AS (${ATTEMPTS_CLICKHOUSE_SQL(t.sql)}),
     per_tenant AS (
       SELECT kind, name, event_type, tenant_id, count(*) AS attempts,
           countIf(attempt_no > 1) AS retries, countIf(failed) AS failures,
           max(attempt_no) AS max_attempt, min(start_ns) AS first_ns, max(start_ns) AS last_ns,
           argMaxIf(status_message, start_ns, failed) AS last_error,
           if(countIf(failed) = 0, NULL, maxIf(start_ns, failed)) AS last_error_ns,
           arrayMap(p -> p.2, arraySlice(arrayReverseSort(p -> p.1, groupArray(((attempt_no, start_ns), trace_id))), 1, 10)) AS examples
       FROM attempts GROUP BY kind, name, event_type, tenant_id)
     SELECT kind, name, event_type, n_attempts, n_retries, n_failures, top_attempt AS max_attempt, first AS first_ns, last AS last_ns,
         last_error, tenants, examples
     FROM (
       SELECT kind, name, event_type, sum(attempts) AS n_attempts, sum(retries) AS n_retries, sum(failures) AS n_failures,
           max(max_attempt) AS top_attempt, min(first_ns) AS first, max(last_ns) AS last,
           argMax(last_error, last_error_ns) AS last_error,
           arraySlice(arraySort(p -> (-p.retries, -p.attempts, p.tenant),
             groupArray(CAST((tenant_id, attempts, retries), 'Tuple(tenant Nullable(String), attempts UInt64, retries UInt64)'))), 1, 10) AS tenants,
           arrayFlatten(arrayMap(p -> p.3, arraySort(p -> (-p.1, -p.2), groupArray((max_attempt, last_ns, examples))))) AS examples
       FROM per_tenant GROUP BY kind, name, event_type)
     ${order}
     LIMIT ${limitSql}`,
  };
  const rows = await store.query(sqlFor(store, sql), { since: scope.sinceNanos, until: scope.untilNanos, ...t.params });
  return {
    window: scope.window,
    loops: rows.map((r) => {
      const attempts = num(r.n_attempts);
      const failures = num(r.n_failures);
      const tenants = Array.isArray(r.tenants) ? (r.tenants as Record<string, unknown>[]) : [];
      return {
        kind: String(r.kind) as RetryKind,
        name: String(r.name),
        eventType: strOrNull(r.event_type),
        attempts,
        retries: num(r.n_retries),
        failures,
        failureRatio: attempts === 0 ? 0 : failures / attempts,
        maxAttempt: num(r.max_attempt),
        tenants: tenants.map((x) => ({ tenantId: strOrNull(x.tenant), attempts: num(x.attempts), retries: num(x.retries) })),
        lastError: strOrNull(r.last_error),
        firstTime: isoFromNanos(r.first_ns as string),
        lastTime: isoFromNanos(r.last_ns as string),
        exampleTraceIds: [...new Set(strList(r.examples))].slice(0, 3),
      };
    }),
  };
}
