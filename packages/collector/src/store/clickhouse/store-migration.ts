import type { Store } from '../store.js';
import { OTEL_TRACES_TABLE } from './otel-tables.js';
import { STORABLE_SPAN_COLUMNS, stitchViewsSql, type StorableSpanColumn, type StoredSpanColumns } from './stitch-views.js';

/**
 * `stitch store migrate`: what makes the questions fast on the exporter's `otel_traces`, all of
 * it optional and reversible (`--revert` gives back the exporter's schema exactly).
 *
 * - Materialized columns for the tenant, the entry route and the query name: the view reads
 *   a column instead of parsing the attribute maps of every span it scans.
 * - A bloom-filter skip index on each, so a question bound to one tenant, route or query skips
 *   the granules that do not hold it.
 * - A projection of the whole table sorted by tenant, so a tenant-bound question reads that
 *   tenant's rows only. It stores the table a second time. The columns are Nullable, as the
 *   view columns they serve (a missing tenant is NULL), so the table gets `allow_nullable_key`
 *   for the projection's sort key; `--revert` resets it.
 *
 * Existing parts get the columns, indexes and projection too (mutations run to their end,
 * `mutations_sync = 2`): that rewrites the table once, and takes as long.
 */
export const STORED_SPAN_COLUMNS: Readonly<Record<StorableSpanColumn, string>> = {
  tenant_id: 'StitchTenantId',
  entry_route: 'StitchEntryRoute',
  query_name: 'StitchQueryName',
};

const PROJECTION = 'stitch_by_tenant';
const indexOf = (column: string): string => `idx_${column}`;
const SYNC = 'SETTINGS mutations_sync = 2';

const entries = Object.entries(STORED_SPAN_COLUMNS) as [StorableSpanColumn, string][];

/** The storable columns `otel_traces` has: what a migrated store's views read. */
export async function storedSpanColumns(store: Pick<Store, 'query'>): Promise<StoredSpanColumns> {
  const rows = await store.query(`SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String}`, { table: OTEL_TRACES_TABLE });
  const present = new Set(rows.map((r) => String(r.name)));
  return Object.fromEntries(entries.filter(([, name]) => present.has(name)));
}

async function recreateViews(store: Store): Promise<void> {
  for (const ddl of stitchViewsSql(await storedSpanColumns(store))) await store.exec(ddl);
}

/** Adds the columns, indexes and projection (each only if missing), fills them in, and points the views at them. */
export async function migrateStore(store: Store): Promise<void> {
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} MODIFY SETTING allow_nullable_key = 1`);
  for (const [view, column] of entries) {
    // The view reads the column as it is: a question's `tenant_id = {tenant}` is then a condition
    // on the projection's sort key (through nullIf(…) it was not, and every row was read).
    await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ADD COLUMN IF NOT EXISTS ${column} LowCardinality(Nullable(String)) MATERIALIZED ${STORABLE_SPAN_COLUMNS[view]}`);
    await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ADD INDEX IF NOT EXISTS ${indexOf(column)} ${column} TYPE bloom_filter(0.01) GRANULARITY 1`);
  }
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} ADD PROJECTION IF NOT EXISTS ${PROJECTION} (SELECT * ORDER BY ${STORED_SPAN_COLUMNS.tenant_id}, Timestamp)`);
  for (const [, column] of entries) {
    await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} MATERIALIZE COLUMN ${column} ${SYNC}`);
    await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} MATERIALIZE INDEX ${indexOf(column)} ${SYNC}`);
  }
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} MATERIALIZE PROJECTION ${PROJECTION} ${SYNC}`);
  await recreateViews(store);
}

/** Gives back the exporter's schema: the views first (they must not read what goes), then projection, indexes, columns. */
export async function revertStoreMigration(store: Store): Promise<void> {
  for (const ddl of stitchViewsSql()) await store.exec(ddl);
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} DROP PROJECTION IF EXISTS ${PROJECTION} ${SYNC}`);
  for (const [, column] of entries) {
    await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} DROP INDEX IF EXISTS ${indexOf(column)} ${SYNC}`);
    await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} DROP COLUMN IF EXISTS ${column} ${SYNC}`);
  }
  await store.exec(`ALTER TABLE ${OTEL_TRACES_TABLE} RESET SETTING allow_nullable_key`);
}
