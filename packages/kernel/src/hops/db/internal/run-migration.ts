import type { Queryable } from '../queryable.js';
import { withoutStrictMode } from '../../../setup/config/strict-mode.js';
import { runAsHousekeeping } from '../../../core/tracing/housekeeping.js';

// Two processes migrating at once can both pass `IF NOT EXISTS` and then collide on the
// catalog's unique index (23505) or find the object just made (42P07 relation, 42P06 schema,
// 42710 object): the other process did the work, so those are success.
const ALREADY_DONE = new Set(['23505', '42P07', '42P06', '42710']);

/**
 * A store's migration: creates its schema (`schema` quoted, as `parseSqlStoreOptions` gives it),
 * then runs its idempotent DDL statements one by one, treating a concurrent migrator's win as
 * success. The kernel's own DDL runs at start-up, outside any request: never a strict-mode
 * violation, and housekeeping (a dozen root traces per process start otherwise led the search page).
 *
 * @example
 *   await runMigration(db, schema, [`CREATE TABLE IF NOT EXISTS ${schema}.outbox_events (…)`]);
 */
export async function runMigration(db: Queryable, schema: string, statements: readonly string[]): Promise<void> {
  for (const statement of [`CREATE SCHEMA IF NOT EXISTS ${schema}`, ...statements]) {
    try {
      await runAsHousekeeping(() => withoutStrictMode(() => db.query(statement)));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && ALREADY_DONE.has(code)) continue;
      throw error;
    }
  }
}
