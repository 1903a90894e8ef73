import { COLUMN_OF_ATTRIBUTE } from '../store/lifted-columns.js';
import type { SqlDialect } from '../store/store.js';

/**
 * Attributes the ingest lifts out of the JSON blob into their own columns
 * (store/lifted-columns.ts): a filter on one of them must read the column, since the blob no
 * longer holds it. A search on `db.query.name` (older kernels) reads the same column as
 * `stitch.query.name`.
 */
const COLUMN_OF: Readonly<Record<string, string>> = COLUMN_OF_ATTRIBUTE;

/** Numeric columns compare as numbers: `stitch.budget_ms=500` matches the DOUBLE 500.0. */
const NUMERIC_COLUMNS = new Set(['budget_ms', 'webhook_attempt', 'http_status']);

/** `key=value` as the search takes it; the key is an attribute name, the value compared as text. */
export interface AttributeMatch {
  key: string;
  value: string;
}

/** Attribute names as OpenTelemetry spells them (`http.response.status_code`, `stitch.job.id`). */
export const ATTRIBUTE_KEY = /^[A-Za-z0-9_.:/-]{1,200}$/;

/**
 * Reads `key=value` (the first `=` splits, so a value may hold more); null when the key is not
 * an attribute name.
 *
 * @example parseAttributeMatch('stitch.job.id=job-7') // { key: 'stitch.job.id', value: 'job-7' }
 */
export function parseAttributeMatch(text: string): AttributeMatch | null {
  const at = text.indexOf('=');
  if (at <= 0) return null;
  const key = text.slice(0, at).trim();
  return ATTRIBUTE_KEY.test(key) ? { key, value: text.slice(at + 1).trim() } : null;
}

/**
 * A per-span SQL condition for `key = value`, with its parameters under `prefix`. Values compare
 * as text, so `http.response.status_code=503` and `stitch.perf_violation=true` match numbers and
 * booleans as the waterfall prints them. The key reaches the SQL only as a parameter.
 */
export function attributeCondition(match: AttributeMatch, prefix: string, dialect: SqlDialect = 'duckdb'): { sql: string; params: Record<string, string> } {
  const column = COLUMN_OF[match.key];
  const value = `$${prefix}Value`;
  if (dialect === 'clickhouse') {
    if (column !== undefined) {
      const sql = NUMERIC_COLUMNS.has(column) ? `${column} = toFloat64OrNull(${value})` : `toString(${column}) = ${value}`;
      return { sql, params: { [`${prefix}Value`]: match.value } };
    }
    // The exporter's map itself, not the view's JSON of it: no JSON built and parsed per span,
    // and the exporter's bloom filter on the map's values skips the granules without the value.
    return { sql: `attribute_map[$${prefix}Key] = ${value}`, params: { [`${prefix}Key`]: match.key, [`${prefix}Value`]: match.value } };
  }
  if (column !== undefined) {
    const sql = NUMERIC_COLUMNS.has(column) ? `${column} = TRY_CAST(${value} AS DOUBLE)` : `CAST(${column} AS VARCHAR) = ${value}`;
    return { sql, params: { [`${prefix}Value`]: match.value } };
  }
  // A JSON path with the key quoted: attribute names contain dots, which a bare path would split.
  // No substring pre-filter: measured on 1M spans, json_extract_string costs no more than
  // contains() would (≈60 ms either way; the GROUP BY dominates).
  return {
    sql: `json_extract_string(attributes, $${prefix}Path) = ${value}`,
    params: { [`${prefix}Path`]: `$."${match.key}"`, [`${prefix}Value`]: match.value },
  };
}
