import type { SqlDialect } from '../store/store.js';

/**
 * SQL reading an attribute that ingest leaves in the `attributes` JSON column (only the ones
 * every question filters on are lifted into columns, normalize-traces.ts). The name is quoted
 * as one JSON key: Stitch's names are dotted (`stitch.job.attempt`), and an unquoted path would
 * read `$.stitch.job.attempt` as three nested keys. Names are our own constants, never input.
 *
 * @example attributeSql(SpanAttr.eventType) // json_extract_string(attributes, '$."stitch.event.type"')
 */
export function attributeSql(name: string, column = 'attributes', dialect: SqlDialect = 'duckdb'): string {
  if (!/^[A-Za-z0-9_.]+$/.test(name)) throw new Error(`not an attribute name: ${name}`);
  // ClickHouse reads a JSON key by name (dots and all); a missing one is '' there, NULL here.
  return dialect === 'duckdb' ? `json_extract_string(${column}, '$."${name}"')` : `nullIf(JSONExtractString(${column}, '${name}'), '')`;
}

/**
 * The predicate that leaves out the kernel's own bookkeeping spans (`stitch.housekeeping`: run
 * records, delivery records, outbox lag), or nothing when they are asked for: they are not the
 * user's failures or budgets, and they outnumber them in a quiet service (issue 11). On the
 * `housekeeping` column ingest lifts (store/schema.ts v3), not the JSON: `queries --top` and
 * search ask it of every span in the window.
 */
export function housekeepingClause(includeHousekeeping: boolean, column = 'housekeeping', dialect: SqlDialect = 'duckdb'): string {
  if (includeHousekeeping) return '';
  // ClickHouse has no IS NOT TRUE; its view's flag is never NULL.
  return dialect === 'clickhouse' ? ` AND NOT ${column}` : ` AND ${column} IS NOT TRUE`;
}
