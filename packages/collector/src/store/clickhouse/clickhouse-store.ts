import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { StitchError } from '@stitch/contract';
import type { DecodedBatch } from '../../otlp/records.js';
import type { ReadOptions, Row, SqlParams, Store, WriteCounts } from '../store.js';
import { otelLogRows, otelTraceRows } from './otel-rows.js';
import { OTEL_LOGS_DDL, OTEL_LOGS_TABLE, OTEL_TRACES_DDL, OTEL_TRACES_TABLE } from './otel-tables.js';
import { AUDIT_TABLE } from './stitch-views.js';
import { createStitchViews } from './store-migration.js';

/**
 * What every statement runs with, so rows read as they read from DuckDB:
 * - 64-bit integers as JSON strings (nanosecond times do not fit a double);
 * - an unmatched LEFT JOIN column is NULL, not the type's default (`''`, 0);
 * - an insert returns once it is in a part on disk, also where the server's profile turns
 *   async inserts on: a sender's 200 means stored (acknowledged = committed).
 */
export const CLICKHOUSE_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 1,
  join_use_nulls: 1,
  wait_for_async_insert: 1,
};

export interface ClickHouseStoreOptions {
  /** An `@clickhouse/client` client on the database to use (tests: one backed by chdb). */
  client: ClickHouseClient;
  /** For `stitch status`: the store URL without its password. */
  location: string;
  /** `false` inlines MATERIALIZED CTEs even where the server could compute them once (tests of the older servers' path). */
  materializedCtes?: boolean;
}

/** ClickHouse's parameter type for a value bound to a `$` placeholder. */
function typeOf(value: unknown): string {
  if (typeof value === 'bigint') return 'Int64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int64' : 'Float64';
  if (typeof value === 'boolean') return 'Bool';
  if (Array.isArray(value)) return 'Array(String)';
  return 'Nullable(String)';
}

/**
 * ClickHouse's `{name:Type}` parameters for DuckDB's `$name` and `$1` placeholders, typed by
 * the bound value, so the few statements written once for both engines (the audit's insert and
 * read) run on either. A question's own ClickHouse SQL spells `{tenant:String}` itself; those
 * pass through untouched.
 */
export function bindParams(sql: string, params: SqlParams): { query: string; query_params: Record<string, unknown> } {
  const values: Record<string, unknown> = Array.isArray(params)
    ? Object.fromEntries((params as readonly unknown[]).map((v, i) => [`p${i + 1}`, v]))
    : { ...(params as Record<string, unknown>) };
  const query = sql.replace(/\$(\d+|[A-Za-z_][A-Za-z0-9_]*)\b/g, (match, name: string) => {
    const key = /^\d/.test(name) ? `p${name}` : name;
    return key in values ? `{${key}:${typeOf(values[key])}}` : match;
  });
  return { query, query_params: values };
}

/**
 * `//` is DuckDB's integer division and a comment in ClickHouse: `SELECT 7 // 2 + 100` answers 7
 * there, silently. A statement with `//` outside its string literals is refused, not half run.
 */
export function refuseLineComments(sql: string): void {
  if (sql.replace(/'(?:[^'\\]|\\.|'')*'/g, "''").includes('//')) throw new Error(`SQL for ClickHouse holds "//" (a comment there, not a division): ${sql.slice(0, 200)}`);
}

/**
 * `WITH x AS MATERIALIZED (…)` as ClickHouse servers without materialized CTEs take it: inlined
 * at each use, as every CTE is there. A question's ClickHouse SQL marks the CTEs it reads more
 * than once MATERIALIZED (as its DuckDB SQL does); a server that has `enable_materialized_cte`
 * (26.x) computes them once (measured on 10M spans: the step scan of `slow` 0.9 s → 0.5 s).
 *
 * @example inlineMaterializedCtes('WITH v AS MATERIALIZED (SELECT 1)') // 'WITH v AS (SELECT 1)'
 */
export function inlineMaterializedCtes(sql: string): string {
  return sql.replace(/\bAS\s+MATERIALIZED\s*\(/g, 'AS (');
}

/** The oldest ClickHouse the questions' SQL runs on: `groupArraySorted` came in 24.2. */
export const OLDEST_CLICKHOUSE: readonly [major: number, minor: number] = [24, 2];

/**
 * Refuses a server older than OLDEST_CLICKHOUSE at open, with the version found, rather than
 * letting the first question fail on an unknown function.
 *
 * @example requireServerVersion('23.8.16.40') // throws STITCH_ERR_CONFIG_INVALID
 */
export function requireServerVersion(version: string): void {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [oldestMajor, oldestMinor] = OLDEST_CLICKHOUSE;
  if (major > oldestMajor || (major === oldestMajor && minor >= oldestMinor)) return;
  throw new StitchError('STITCH_ERR_CONFIG_INVALID', {
    detail: `store: ClickHouse ${version} is older than ${oldestMajor}.${oldestMinor}, the oldest Stitch's questions run on: upgrade the server, or leave store unset for the embedded DuckDB file`,
  });
}

/**
 * Whether this server lets Stitch compute a MATERIALIZED CTE once: the setting exists from
 * ClickHouse 26.x on, and is of the experimental tier, which a server's `allow_feature_tier` or
 * a settings constraint may refuse. Asked by setting it, so a refusal means inlining, not a
 * failure of every question.
 */
async function allowsMaterializedCtes(client: ClickHouseClient): Promise<boolean> {
  return client.query({ query: 'SELECT 1', format: 'JSONEachRow', clickhouse_settings: { enable_materialized_cte: 1 } }).then(
    async (result) => (await result.json(), true),
    () => false,
  );
}

/**
 * The questions' store on ClickHouse, on the OpenTelemetry Collector `clickhouseexporter`'s own
 * tables (otel-tables.ts), read through Stitch's views (stitch-views.ts).
 *
 * Durability: `write()` inserts the batch's spans into `otel_traces`, then its logs into
 * `otel_logs`, each as one synchronous insert, and resolves after both returned: the rows are
 * in parts on disk (`wait_for_async_insert`), so the receiver's 200 means committed. ClickHouse
 * has no transaction across the two tables: a failure between them leaves the spans stored, and
 * the sender's retry stores them again (at least once, where DuckDB is exactly once).
 */
export class ClickHouseStore implements Store {
  readonly dialect = 'clickhouse';

  /**
   * What reads run with: CLICKHOUSE_SETTINGS, materialized CTEs where the server allows them,
   * and `stitch store migrate`'s projection by tenant for the reads ReadOptions.byTenant names
   * (one tenant's rows, or every tenant's grouped by tenant): for the others ClickHouse chose it
   * too and read the whole window in tenant order (errors on 10M spans 0.79 s against 0.48 s).
   * Said both ways: chdb keeps a query's settings for the queries after it.
   */
  private readonly byTenantReads: ClickHouseSettings;
  private readonly timeOrderReads: ClickHouseSettings;

  private constructor(
    private readonly client: ClickHouseClient,
    readonly path: string,
    private readonly materializedCtes: boolean,
  ) {
    const reads: ClickHouseSettings = materializedCtes ? { ...CLICKHOUSE_SETTINGS, enable_materialized_cte: 1 } : CLICKHOUSE_SETTINGS;
    this.byTenantReads = { ...reads, optimize_use_projections: 1 };
    this.timeOrderReads = { ...reads, optimize_use_projections: 0 };
  }

  static async open(options: ClickHouseStoreOptions): Promise<ClickHouseStore> {
    const version = await options.client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    requireServerVersion(String((await version.json<{ v: string }>())[0]?.v ?? ''));
    const materialized = options.materializedCtes !== false && (await allowsMaterializedCtes(options.client));
    const store = new ClickHouseStore(options.client, options.location, materialized);
    for (const ddl of [OTEL_TRACES_DDL, OTEL_LOGS_DDL]) await store.exec(ddl);
    // After `stitch store migrate` the views read its columns.
    await createStitchViews(store);
    return store;
  }

  async write(batches: readonly DecodedBatch[]): Promise<WriteCounts> {
    const spans = otelTraceRows(batches);
    const logs = otelLogRows(batches);
    if (spans.length > 0) await this.client.insert({ table: OTEL_TRACES_TABLE, values: spans, format: 'JSONEachRow', clickhouse_settings: CLICKHOUSE_SETTINGS });
    if (logs.length > 0) await this.client.insert({ table: OTEL_LOGS_TABLE, values: logs, format: 'JSONEachRow', clickhouse_settings: CLICKHOUSE_SETTINGS });
    const count = (k: 'spans' | 'events' | 'links' | 'logs'): number => batches.reduce((n, b) => n + b[k].length, 0);
    return { spans: count('spans'), events: count('events'), links: count('links'), logs: count('logs') };
  }

  async query(sql: string, params: SqlParams = [], options: ReadOptions = {}): Promise<Row[]> {
    refuseLineComments(sql);
    const statement = this.materializedCtes ? sql : inlineMaterializedCtes(sql);
    const byTenant = options.byTenant ?? (!Array.isArray(params) && 'tenant' in params);
    const settings = byTenant ? this.byTenantReads : this.timeOrderReads;
    const result = await this.client.query({ ...bindParams(statement, params), format: 'JSONEachRow', clickhouse_settings: settings });
    return result.json<Row>();
  }

  async exec(sql: string, params: SqlParams = []): Promise<number> {
    refuseLineComments(sql);
    const result = await this.client.command({ ...bindParams(sql, params), clickhouse_settings: CLICKHOUSE_SETTINGS });
    return Number(result.summary?.written_rows ?? 0);
  }

  /** An insert is committed when it returns, and ClickHouse runs it beside ingest's: the same as exec. */
  writeAside(sql: string, params: SqlParams = []): Promise<number> {
    return this.exec(sql, params);
  }

  /** Empties Stitch's and the exporter's tables (tests: chdb has one engine per process). */
  async truncate(): Promise<void> {
    for (const table of [OTEL_TRACES_TABLE, OTEL_LOGS_TABLE, AUDIT_TABLE]) await this.client.command({ query: `TRUNCATE TABLE IF EXISTS ${table}` });
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}
