import type { Database } from '../db/database.js';
import { parseSqlStoreOptions } from '../db/sql-store-options.js';
import { runMigration } from '../db/internal/run-migration.js';
import type { EventEnvelope } from './event-envelope.js';

/** What a consumer knows about itself and one event before handling it. */
export interface CheckpointState {
  /** The consumer has a checkpoint from an earlier run: it resumes, it does not start fresh. */
  readonly recovered: boolean;
  /** Events this consumer has completed so far (its offset). */
  readonly processedCount: number;
  /** This event id was already completed: a redelivery or a relay duplicate, to be skipped. */
  readonly alreadyProcessed: boolean;
}

export interface CheckpointStore {
  /** Creates the schema and tables if missing (idempotent). */
  migrate(): Promise<void>;
  load(consumer: string, eventId: string): Promise<CheckpointState>;
  /** Marks `envelope` completed for `consumer` and advances its checkpoint; returns the new offset. */
  save(consumer: string, envelope: EventEnvelope): Promise<number>;
}

/**
 * Persisted consumer checkpoints (Postgres or PGlite): per consumer, the completed event ids
 * (the de-duplication set that makes at-least-once delivery safe) and a checkpoint row with the
 * last event and the count, so a restarted consumer resumes: events it completed before the
 * restart are skipped when redelivered, the rest are handled.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming a bad `schema` or an unknown option, with the nearest valid one (parseOptions).
 * @example
 *   const checkpoints = createCheckpointStore({ db });
 *   await checkpoints.migrate();
 */
export function createCheckpointStore(options: { readonly db: Database; readonly schema?: string }): CheckpointStore {
  const { db, ...settings } = options;
  const { schema } = parseSqlStoreOptions(settings, 'checkpointStore');
  const processed = `${schema}.processed_events`;
  const checkpoints = `${schema}.event_checkpoints`;

  return {
    migrate: () =>
      runMigration(db, schema, [
        `CREATE TABLE IF NOT EXISTS ${checkpoints} (
          consumer text PRIMARY KEY,
          last_event_id uuid,
          last_event_type text,
          processed_count bigint NOT NULL DEFAULT 0,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`,
        `CREATE TABLE IF NOT EXISTS ${processed} (
          consumer text NOT NULL,
          event_id uuid NOT NULL,
          tenant_id text,
          traceparent text,
          processed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, event_id)
        )`,
      ]),

    async load(consumer, eventId) {
      const { rows } = await db.query<{ processed_count: string | null; already: boolean }>(
        `SELECT (SELECT processed_count FROM ${checkpoints} WHERE consumer = $1) AS processed_count,
                EXISTS (SELECT 1 FROM ${processed} WHERE consumer = $1 AND event_id = $2) AS already`,
        [consumer, eventId],
      );
      const row = rows[0];
      return {
        recovered: row?.processed_count != null,
        processedCount: Number(row?.processed_count ?? 0),
        alreadyProcessed: row?.already === true,
      };
    },

    async save(consumer, envelope) {
      return db.transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO ${processed} (consumer, event_id, tenant_id, traceparent) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [consumer, envelope.id, envelope.tenantId ?? null, envelope.traceparent ?? null],
        );
        const { rows } = await tx.query<{ processed_count: string }>(
          `INSERT INTO ${checkpoints} (consumer, last_event_id, last_event_type, processed_count) VALUES ($1, $2, $3, $4)
           ON CONFLICT (consumer) DO UPDATE SET last_event_id = $2, last_event_type = $3,
             processed_count = ${checkpoints}.processed_count + $4, updated_at = now()
           RETURNING processed_count`,
          [consumer, envelope.id, envelope.type, inserted.rowCount === 0 ? 0 : 1],
        );
        return Number(rows[0]?.processed_count ?? 0);
      });
    },
  };
}
