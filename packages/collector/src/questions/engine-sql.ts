import type { SqlDialect, Store } from '../store/store.js';

/**
 * A question's statement per engine (issue 19): one definition in the registry, one function
 * that asks and shapes the answer, and here and there an SQL text per dialect where DuckDB and
 * ClickHouse spell it differently. Both read the same columns: ClickHouse through the views
 * over the exporter's tables (store/clickhouse/stitch-views.ts).
 *
 * The traps met while porting, so the next port does not meet them again:
 * - `//` opens a comment in ClickHouse (DuckDB: integer division): ClickHouseStore refuses SQL
 *   with `//` outside a string rather than answer from half a statement.
 * - An unmatched LEFT JOIN column, a missing map key and an empty `sumIf` are `NULL`, `NULL` (the
 *   views' `nullIf`) and `0` there; an empty `quantile…If` is `nan`: guard it with its count.
 * - `quantile_cont(x, q)` is `quantileExactInclusive(q)(x)`; `arg_max` is `argMax`; `bool_or` is
 *   `max` of a Bool; `count(*) FILTER (WHERE c)` is `countIf(c)`; `max_by(x, y, n)` is the top
 *   `n` of `groupArray((y, x))`; `list(DISTINCT x)` is `groupUniqArray(x)`.
 * - An alias is visible in the whole statement, WHERE included, and wins over the column:
 *   `any(query_name) AS query_name … WHERE query_name IS NOT NULL` filters on the aggregate
 *   (an error). Alias it otherwise inside and rename it outside (`prefer_column_name_to_alias`
 *   would do, but chdb 26.7's analyzer fails on it with a LOGICAL_ERROR).
 * - Older servers (Stitch's floor is 24.2: clickhouse-store.ts) lack `IS [NOT] DISTINCT FROM`
 *   outside JOIN ON (25.10) and `WITH … AS MATERIALIZED` (26.x, inlined there): spell the first
 *   with `ifNull(a = b, …)`.
 * - `$name` / `$1` placeholders are bound by their values' types (ClickHouseStore.bindParams), so
 *   shared fragments (tenantClause) work on both; new ClickHouse text spells `{name:Type}`.
 */
export type EngineSql = Readonly<Record<SqlDialect, string>>;

/** The statement for the store's engine. */
export function sqlFor(store: Store, sql: EngineSql): string {
  return sql[store.dialect];
}

/**
 * A whole span row: ClickHouse's view also carries the exporter's attribute map (for the
 * attribute search), which the rows the questions return must not fetch a second time.
 */
export const SPAN_ROW_SQL: EngineSql = { duckdb: '*', clickhouse: '* EXCEPT (attribute_map)' };

/** Stitch's tables by engine: DuckDB's own, ClickHouse's views of the same name with `stitch_`. */
export const TABLES = {
  spans: { duckdb: 'spans', clickhouse: 'stitch_spans' },
  spanEvents: { duckdb: 'span_events', clickhouse: 'stitch_span_events' },
  spanLinks: { duckdb: 'span_links', clickhouse: 'stitch_span_links' },
  logs: { duckdb: 'logs', clickhouse: 'stitch_logs' },
} as const satisfies Record<string, EngineSql>;

/** The store's name of one of Stitch's tables. */
export function tableFor(store: Store, table: keyof typeof TABLES): string {
  return TABLES[table][store.dialect];
}

/**
 * ClickHouse's `max_by(value, key, n)`: the values of the n rows with the largest key, largest
 * first (ties by value), kept n at a time rather than sorting every row of the group.
 */
export function topValuesByKeySql(value: string, key: string, n: number, condition?: string): string {
  const sorted = condition === undefined ? `groupArraySorted(${n})((-(${key}), ${value}))` : `groupArraySortedIf(${n})((-(${key}), ${value}), ${condition})`;
  return `arrayMap(p -> p.2, ${sorted})`;
}

/**
 * How many distinct traces `trace_id` holds. ClickHouse counts 64-bit hashes of the ids: at 10M
 * spans a third faster than the ids as 128-bit numbers, which were twice as fast as the text. Two
 * of 10M distinct ids share a hash with a probability of about 3·10⁻⁶ (n²/2⁶⁵), when the count is
 * one short.
 */
export const DISTINCT_TRACES_SQL: EngineSql = {
  duckdb: 'count(DISTINCT trace_id)',
  clickhouse: 'uniqExact(cityHash64(trace_id))',
};
