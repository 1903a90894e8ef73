import type { Store } from '../store.js';
import { OTEL_LOGS_TABLE, OTEL_TRACES_TABLE } from './otel-tables.js';
import { STORABLE_LOG_TENANT, STORABLE_SPAN_COLUMNS, stitchViewsSql, type StorableSpanColumn, type StoredColumns } from './stitch-views.js';

/**
 * `stitch store migrate`: what makes the questions fast on the exporter's `otel_traces`, all of
 * it optional and reversible (`--revert` gives back the exporter's schema exactly).
 *
 * - A materialized column for every view column read out of the attribute maps (the tenant,
 *   the entry, the route, the query, the job, the webhook…: STORABLE_SPAN_COLUMNS), and for the
 *   log lines' tenant in `otel_logs`: the views read a column instead of parsing the maps of
 *   every row they scan.
 * - A bloom-filter skip index on the tenant, the entry route and the query name, the columns
 *   questions filter one value of, so that they skip the granules that do not hold it.
 * - A projection of the whole table sorted by tenant, so a tenant-bound question reads that
 *   tenant's rows only. It stores the table a second time. The columns are Nullable, as the
 *   view columns they serve (a missing tenant is NULL), so the table gets `allow_nullable_key`
 *   for the projection's sort key; `--revert` resets it.
 *
 * Existing parts get the columns, indexes and projection too (mutations run to their end,
 * `mutations_sync = 2`): that rewrites the table once, and takes as long.
 */

/** `tenant_id` is stored as `StitchTenantId`: the exporter's own columns are PascalCase too. */
const storedName = (column: string): string => `Stitch${column.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`;

export const STORED_SPAN_COLUMNS = Object.fromEntries(
  Object.keys(STORABLE_SPAN_COLUMNS).map((column) => [column, storedName(column)]),
) as Readonly<Record<StorableSpanColumn, string>>;

const INDEXED: readonly StorableSpanColumn[] = ['tenant_id', 'entry_route', 'query_name'];

const PROJECTION = 'stitch_by_tenant';
const indexOf = (column: string): string => `idx_${column}`;
const SYNC = 'SETTINGS mutations_sync = 2';

const entries = Object.entries(STORED_SPAN_COLUMNS) as [StorableSpanColumn, string][];
const indexed = INDEXED.map((view) => STORED_SPAN_COLUMNS[view]);

/** The log lines' tenant in `otel_logs`, named as the spans' is. */
export const STORED_LOG_TENANT = STORED_SPAN_COLUMNS.tenant_id;

/** The storable columns `otel_traces` and `otel_logs` have: what a migrated store's views read. */
export async function storedColumns(store: Pick<Store, 'query'>): Promise<StoredColumns> {
  const rows = await store.query(`SELECT table, name FROM system.columns WHERE database = currentDatabase() AND table IN ({traces:String}, {logs:String})`, {
    traces: OTEL_TRACES_TABLE,
    logs: OTEL_LOGS_TABLE,
  });
  const has = (table: string, name: string): boolean => rows.some((r) => r.table === table && r.name === name);
  return {
    spans: Object.fromEntries(entries.filter(([, name]) => has(OTEL_TRACES_TABLE, name))),
    logTenant: has(OTEL_LOGS_TABLE, STORED_LOG_TENANT) ? STORED_LOG_TENANT : undefined,
  };
}

/** Creates (or replaces) Stitch's views, reading the stored columns `otel_traces` and `otel_logs` have. */
export async function createStitchViews(store: Pick<Store, 'query' | 'exec'>): Promise<void> {
  for (const ddl of stitchViewsSql(await storedColumns(store))) await store.exec(ddl);
}

/** Adds the columns and indexes (each only if missing) and the projection, fills them in, and points the views at them. */
export async function migrateStore(store: Store): Promise<void> {
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} MODIFY SETTING allow_nullable_key = 1`);
  // The view reads each column as it is: a question's `tenant_id = {tenant}` is then a condition
  // on the projection's sort key (through nullIf(…) it was not, and every row was read).
  const add = entries.map(([view, column]) => `ADD COLUMN IF NOT EXISTS ${column} ${STORABLE_SPAN_COLUMNS[view].type} MATERIALIZED ${STORABLE_SPAN_COLUMNS[view].sql}`);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ${add.join(', ')}`);
  const indexes = indexed.map((column) => `ADD INDEX IF NOT EXISTS ${indexOf(column)} ${column} TYPE bloom_filter(0.01) GRANULARITY 1`);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ${indexes.join(', ')}`);
  // The stored columns named: a projection's `*` leaves MATERIALIZED columns out, and a
  // projection without a column a question reads is not used for it (the tenant-bound questions
  // scanned the whole table). Made again on every run, after the columns, so that a store an
  // earlier Stitch migrated with fewer columns gets them all.
  const projected = entries.map(([, column]) => column).join(', ');
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} DROP PROJECTION IF EXISTS ${PROJECTION} ${SYNC}`);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ADD PROJECTION ${PROJECTION} (SELECT *, ${projected} ORDER BY ${STORED_SPAN_COLUMNS.tenant_id}, Timestamp)`);
  // One mutation each for all the columns and all the indexes: each rewrites the parts once
  // (column by column, one statement per column read every part's maps again).
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ${entries.map(([, column]) => `MATERIALIZE COLUMN ${column}`).join(', ')} ${SYNC}`);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ${indexed.map((column) => `MATERIALIZE INDEX ${indexOf(column)}`).join(', ')} ${SYNC}`);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} MATERIALIZE PROJECTION ${PROJECTION} ${SYNC}`);
  const logTenant = STORED_LOG_TENANT;
  await store.exec(
    `ALTER TABLE ${OTEL_LOGS_TABLE} ADD COLUMN IF NOT EXISTS ${logTenant} ${STORABLE_LOG_TENANT.type} MATERIALIZED ${STORABLE_LOG_TENANT.sql}, ADD INDEX IF NOT EXISTS ${indexOf(logTenant)} ${logTenant} TYPE bloom_filter(0.01) GRANULARITY 1`,
  );
  await store.exec(`ALTER TABLE ${OTEL_LOGS_TABLE} MATERIALIZE COLUMN ${logTenant}, MATERIALIZE INDEX ${indexOf(logTenant)} ${SYNC}`);
  await createStitchViews(store);
}

/** Gives back the exporter's schema: the views first (they must not read what goes), then projection, indexes, columns. */
export async function revertStoreMigration(store: Store): Promise<void> {
  for (const ddl of stitchViewsSql()) await store.exec(ddl);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} DROP PROJECTION IF EXISTS ${PROJECTION} ${SYNC}`);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ${indexed.map((column) => `DROP INDEX IF EXISTS ${indexOf(column)}`).join(', ')} ${SYNC}`);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ${entries.map(([, column]) => `DROP COLUMN IF EXISTS ${column}`).join(', ')} ${SYNC}`);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} RESET SETTING allow_nullable_key`);
  await store.exec(`ALTER TABLE ${OTEL_LOGS_TABLE} DROP INDEX IF EXISTS ${indexOf(STORED_LOG_TENANT)}, DROP COLUMN IF EXISTS ${STORED_LOG_TENANT} ${SYNC}`);
}
