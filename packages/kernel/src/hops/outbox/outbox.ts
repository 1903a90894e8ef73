import { randomUUID } from 'node:crypto';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { SpanAttr } from '@stitch/contract';
import { z } from 'zod';
import type { Queryable } from '../db/queryable.js';
import { parseSqlStoreOptions } from '../db/sql-store-options.js';
import { runMigration } from '../db/internal/run-migration.js';
import { StitchError } from '../../core/errors/stitch-error.js';
import { carriedScopeOf, traceHeadersOf } from '../../core/carrier/carrier.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import { runAsHousekeeping } from '../../core/tracing/housekeeping.js';
import { isStrictMode, strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';
import { recordError } from '../../core/tracing/record-error.js';
import { issueDetail } from '../../core/options/parse-options.js';

const OutboxEventSchema = z.object({
  /** Defaults to a new UUID; pass one to make `add` idempotent across your own retries. */
  id: z.uuid().optional(),
  type: z.string().min(1).max(200),
  /** Events of one aggregate (type + id) are published in the order they were added. */
  aggregateType: z.string().min(1).max(200).optional(),
  aggregateId: z.string().min(1).max(200).optional(),
  payload: z.unknown(),
});

export type OutboxEventInput = z.input<typeof OutboxEventSchema>;

/** How far the relay is behind: for metrics and readiness. */
export interface OutboxLag {
  readonly unsentCount: number;
  /** Age of the oldest unsent event in milliseconds; 0 when none is waiting. */
  readonly oldestUnsentAgeMillis: number;
}

export interface OutboxOptions {
  /** Used by `migrate()` and `lag()`; `add()` always writes through the transaction it is given. */
  readonly db: Queryable;
  /** Schema of the `outbox_events` table; default `stitch`. */
  readonly schema?: string;
}

export interface Outbox {
  /** The quoted, schema-qualified table name (for the relay). */
  readonly table: string;
  /** Creates the schema, table and indexes if missing; idempotent, and safe when several processes migrate at once. */
  migrate(): Promise<void>;
  /**
   * Stores `event` with the current trace context (traceparent, tracestate, tenant, request id)
   * through `tx`, so it commits or rolls back with the business write. Returns the event id.
   */
  add(tx: Queryable, event: OutboxEventInput): Promise<string>;
  lag(): Promise<OutboxLag>;
  /**
   * Deletes events sent more than `olderThanMillis` ago (default 7 days) and returns how many:
   * sent rows are kept for "which events did this request emit?" until then.
   */
  purgeSent(olderThanMillis?: number): Promise<number>;
}

/**
 * The transactional outbox: events are rows written in the business transaction, and a relay
 * (`createOutboxRelay`) publishes the committed ones. A crash anywhere loses nothing.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming a bad `schema` or an unknown option, with the nearest valid one (parseOptions).
 * @example
 *   const outbox = createOutbox({ db });
 *   await outbox.migrate();
 *   await db.transaction(async (tx) => {
 *     await tx.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [id, total]);
 *     await outbox.add(tx, { type: 'order.created', aggregateType: 'order', aggregateId: id, payload: { id, total } });
 *   });
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { db: _db, ...settings } = options;
  const { schema } = parseSqlStoreOptions(settings, 'outbox');
  const table = `${schema}.outbox_events`;

  return {
    table,
    migrate: () =>
      runMigration(options.db, schema, [
        `CREATE TABLE IF NOT EXISTS ${table} (
          seq bigserial PRIMARY KEY,
          id uuid NOT NULL UNIQUE,
          type text NOT NULL,
          aggregate_type text NOT NULL DEFAULT '',
          aggregate_id text,
          payload jsonb,
          tenant_id text,
          request_id text,
          trace_id text,
          entry_kind text,
          entry_route text,
          traceparent text,
          tracestate text,
          created_at timestamptz NOT NULL DEFAULT now(),
          sent_at timestamptz,
          attempts integer NOT NULL DEFAULT 0,
          last_error text
        )`,
        `CREATE INDEX IF NOT EXISTS outbox_events_unsent ON ${table} (seq) WHERE sent_at IS NULL`,
        // Equality on both columns (aggregate_type is '' rather than NULL when absent) is what lets
        // the relay's "no earlier unsent event of this aggregate" probe use this index: with
        // IS NOT DISTINCT FROM it scanned every earlier unsent row, quadratic in the backlog.
        `CREATE INDEX IF NOT EXISTS outbox_events_unsent_aggregate ON ${table} (aggregate_type, aggregate_id, seq) WHERE sent_at IS NULL`,
        `CREATE INDEX IF NOT EXISTS outbox_events_trace ON ${table} (trace_id)`,
        // Added after the first release: tables made before it get the columns (NULL: no entry).
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS entry_kind text`,
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS entry_route text`,
      ]),

    async add(tx, event) {
      const parsed = OutboxEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new StitchError('STITCH_ERR_OUTBOX_EVENT_INVALID', {
          detail: issueDetail(parsed.error.issues),
        });
      }
      const value = parsed.data;
      const id = value.id ?? randomUUID();
      const active = context.active();
      // Stored without a traceparent, the event and everything it causes would start traces of
      // their own that nothing links back to the request.
      if (isStrictMode() && traceHeadersOf(active).traceparent === undefined && strictModeApplies(active)) throw strictViolation('STITCH_ERR_STRICT_EVENT_UNTRACED', { name: value.type });
      const fields = carriedScopeOf(active);
      // A PRODUCER span per event: the relay's publish and every consumer's process_event hang
      // under it, so the request's trace shows where each event went.
      const span = getKernelTracer().startSpan(
        `outbox.add ${value.type}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            [SpanAttr.eventId]: id,
            [SpanAttr.eventType]: value.type,
            [SpanAttr.messagingMessageId]: id,
            ...(fields.tenantId !== undefined && { [SpanAttr.tenantId]: fields.tenantId }),
          },
        },
        active,
      );
      const headers = traceHeadersOf(span.isRecording() ? trace.setSpan(active, span) : active);
      const traceId = trace.getSpanContext(active)?.traceId ?? (span.isRecording() ? span.spanContext().traceId : undefined);
      try {
        await context.with(trace.setSpan(active, span), () =>
          tx.query(
            `INSERT INTO ${table} (id, type, aggregate_type, aggregate_id, payload, tenant_id, request_id, trace_id, traceparent, tracestate, entry_kind, entry_route)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
            [
              id,
              value.type,
              value.aggregateType ?? '',
              value.aggregateId ?? null,
              value.payload === undefined ? null : JSON.stringify(value.payload),
              fields.tenantId ?? null,
              fields.requestId ?? null,
              traceId ?? null,
              headers.traceparent ?? null,
              headers.tracestate ?? null,
              fields.entryKind ?? null,
              fields.entryRoute ?? null,
            ],
          ),
        );
      } catch (error) {
        recordError(span, error);
        throw error;
      } finally {
        span.end();
      }
      return id;
    },

    async lag() {
      // Asked by readiness probes and metrics scrapes, every few seconds: bookkeeping, not work.
      const { rows } = await runAsHousekeeping(() =>
        options.db.query<{ unsent: number; age_ms: number | null }>(
          `SELECT count(*)::int AS unsent, (extract(epoch FROM now() - min(created_at)) * 1000)::float8 AS age_ms
           FROM ${table} WHERE sent_at IS NULL`,
        ),
      );
      const row = rows[0];
      return { unsentCount: row?.unsent ?? 0, oldestUnsentAgeMillis: Math.max(0, row?.age_ms ?? 0) };
    },

    async purgeSent(olderThanMillis = 7 * 24 * 3600 * 1000) {
      const { rowCount } = await runAsHousekeeping(() =>
        options.db.query(`DELETE FROM ${table} WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1::float8 / 1000)`, [
          olderThanMillis,
        ]),
      );
      return rowCount ?? 0;
    },
  };
}
