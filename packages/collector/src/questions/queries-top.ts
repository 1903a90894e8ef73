import type { QueriesTopResponse } from '@stitch/contract';
import type { SqlDialect, Store } from '../store/store.js';
import { housekeepingClause } from './attribute-sql.js';
import { sqlFor, topValuesByKeySql, type EngineSql } from './engine-sql.js';
import { isoFromNanos, num, sqlLimit, strList, strOrNull, tenantClause, type QueryScope } from './query-scope.js';

export interface QueriesTopOptions {
  /**
   * Keep the kernel's own statements (`stitch.housekeeping`: run and delivery records, outbox
   * lag and purge); left out by default, since in a quiet service they were the top two.
   */
  includeHousekeeping?: boolean;
  /**
   * Keep schema changes (CREATE, ALTER, DROP, …): a service's migrations at start-up or deploy
   * are one-off statements, not the spike an engineer asks about, and in the reference service's
   * first hour its CREATE TABLEs ranked beside the real queries (issue 11); left out by default.
   */
  includeSchemaChanges?: boolean;
}

/** The statements that change the schema or its grants: DDL, by the statement's first word. */
const SCHEMA_CHANGE_KEYWORDS = ['CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'COMMENT', 'GRANT', 'REVOKE', 'RENAME'] as const;

/**
 * True for a group of DDL: its statement starts with a schema keyword, or, without a recorded
 * statement, its name is the keyword summary the SDKs give an unnamed statement (`CREATE`,
 * `CREATE IF`, `ALTER approvals.expenses`): upper-case, so a caller's name such as `create.user`
 * is not one. Asked of each group's values in HAVING, so once per query, not once per span.
 */
function schemaChangeSql(name: string, statement: string, dialect: SqlDialect = 'duckdb'): string {
  const text =
    dialect === 'duckdb' ? `upper(ltrim(coalesce(${statement}, ''), E' \\t\\r\\n('))` : `upper(replaceRegexpOne(coalesce(${statement}, ''), '^[[:space:](]+', ''))`;
  return SCHEMA_CHANGE_KEYWORDS.map((k) => `${text} LIKE '${k}%' OR ${name} = '${k}' OR ${name} LIKE '${k} %'`).join(' OR ');
}

/**
 * `stitch queries --top`, "which query caused the spike?": query spans grouped by query name (or
 * statement when unnamed), ranked by how much their time grew in the window against the window
 * of the same length just before it, with the slowest traces and the tenants affected. A query
 * that is always expensive has no growth and so does not outrank the one that spiked. Ties go
 * by name, so both engines answer in the same order on every run.
 */
export async function askQueriesTop(store: Store, scope: QueryScope, limit: number, options: QueriesTopOptions = {}): Promise<QueriesTopResponse> {
  const t = tenantClause(scope.tenantId);
  const baselineSince = scope.sinceNanos - (scope.untilNanos - scope.sinceNanos);
  const inWindow = 'start_ns >= $since';
  const ddl = (dialect: SqlDialect, name: string, statement: string): string =>
    options.includeSchemaChanges === true ? '' : ` AND NOT coalesce(${schemaChangeSql(name, statement, dialect)}, false)`;
  const limitSql = sqlLimit(limit, 100);
  const sql: EngineSql = {
    duckdb: `SELECT any_value(query_name) AS query_name, any_value(query_text) AS statement,
        count(*) FILTER (WHERE ${inWindow}) AS n,
        coalesce(sum(duration_ms) FILTER (WHERE ${inWindow}), 0) AS total,
        quantile_cont(duration_ms, 0.95) FILTER (WHERE ${inWindow}) AS p95,
        max(duration_ms) FILTER (WHERE ${inWindow}) AS mx,
        count(*) FILTER (WHERE NOT ${inWindow}) AS baseline_n,
        coalesce(sum(duration_ms) FILTER (WHERE NOT ${inWindow}), 0) AS baseline_total,
        quantile_cont(duration_ms, 0.95) FILTER (WHERE NOT ${inWindow}) AS baseline_p95,
        count(DISTINCT tenant_id) FILTER (WHERE ${inWindow}) AS tenant_count,
        (list(DISTINCT tenant_id) FILTER (WHERE ${inWindow} AND tenant_id IS NOT NULL))[1:10] AS tenants,
        max_by(trace_id, duration_ms, 3) FILTER (WHERE ${inWindow}) AS examples
     FROM spans
     WHERE (query_name IS NOT NULL OR query_text IS NOT NULL) AND start_ns >= $baseline AND start_ns < $until${t.sql}${housekeepingClause(
       options.includeHousekeeping ?? false,
     )}
     GROUP BY coalesce(query_name, query_text)
     HAVING count(*) FILTER (WHERE ${inWindow}) > 0${ddl('duckdb', 'any_value(query_name)', 'any_value(query_text)')}
     ORDER BY total - baseline_total DESC, total DESC, coalesce(query_name, query_text) LIMIT ${limitSql}`,
    // Aliased apart from the columns and renamed outside (engine-sql.ts: aliases reach WHERE);
    // schema changes filtered outside too: chdb 26.7 fails on replaceRegexpOne(any(…)) in HAVING.
    // The tenants and their count are one aggregate (NULLs are skipped by both), not two passes
    // of hashing over every query span.
    clickhouse: `SELECT top_name AS query_name, * EXCEPT (top_name) FROM (
     SELECT any(query_name) AS top_name, any(query_text) AS statement,
        countIf(${inWindow}) AS n, sumIf(duration_ms, ${inWindow}) AS total,
        quantileExactInclusiveIf(0.95)(duration_ms, ${inWindow}) AS p95, maxIf(duration_ms, ${inWindow}) AS mx,
        countIf(NOT ${inWindow}) AS baseline_n, sumIf(duration_ms, NOT ${inWindow}) AS baseline_total,
        if(baseline_n = 0, NULL, quantileExactInclusiveIf(0.95)(duration_ms, NOT ${inWindow})) AS baseline_p95,
        length(groupUniqArrayIf(tenant_id, ${inWindow})) AS tenant_count,
        arraySlice(groupUniqArrayIf(tenant_id, ${inWindow}), 1, 10) AS tenants,
        ${topValuesByKeySql('trace_id', 'duration_ms', 3, inWindow)} AS examples
     FROM stitch_spans
     WHERE (query_name IS NOT NULL OR query_text IS NOT NULL) AND start_ns >= $baseline AND start_ns < $until${t.sql}${housekeepingClause(
       options.includeHousekeeping ?? false,
       'housekeeping',
       'clickhouse',
     )}
     GROUP BY coalesce(query_name, query_text)
     HAVING n > 0
    ) WHERE 1 = 1${ddl('clickhouse', 'top_name', 'statement')}
    ORDER BY total - baseline_total DESC, total DESC, coalesce(query_name, statement) LIMIT ${limitSql}`,
  };
  const rows = await store.query(sqlFor(store, sql), { baseline: baselineSince, since: scope.sinceNanos, until: scope.untilNanos, ...t.params });
  return {
    window: scope.window,
    baseline: { since: isoFromNanos(baselineSince), until: scope.window.since },
    queries: rows.map((r) => {
      const totalMs = num(r.total);
      const baselineTotalMs = num(r.baseline_total);
      return {
        queryName: strOrNull(r.query_name),
        statement: strOrNull(r.statement),
        count: num(r.n),
        totalMs,
        p95Ms: num(r.p95),
        maxMs: num(r.mx),
        baselineCount: num(r.baseline_n),
        baselineTotalMs,
        baselineP95Ms: r.baseline_p95 === null || r.baseline_p95 === undefined ? null : num(r.baseline_p95),
        growthMs: totalMs - baselineTotalMs,
        tenantCount: num(r.tenant_count),
        tenants: strList(r.tenants),
        exampleTraceIds: strList(r.examples),
      };
    }),
  };
}
