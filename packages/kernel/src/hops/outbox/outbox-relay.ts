import { context, SpanKind, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { SpanAttr } from '@stitch/contract';
import type { Database } from '../db/database.js';
import { entryFields, parseEntry } from '../../core/context/entry.js';
import { contextOf, traceHeadersOf } from '../../core/carrier/carrier.js';
import type { EventBus } from '../events/event-bus.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import type { Outbox } from './outbox.js';
import { recordError } from '../../core/tracing/record-error.js';
import { parseOptions } from '../../core/options/parse-options.js';
import { OutboxRelayOptionsSchema } from './outbox-relay-options.js';
import type { OutboxRelaySettingsInput } from './outbox-relay-options.js';

/** The relay's handles, and its settings (`batchSize` 100, `pollIntervalMillis` 200, `publishConcurrency` 16; see outbox-relay-options.ts). */
export interface OutboxRelayOptions extends OutboxRelaySettingsInput {
  /** Needs transactions: the claimed rows stay locked until they are marked sent. */
  readonly db: Database;
  readonly outbox: Outbox;
  readonly bus: EventBus;
  /** Called with a failed poll or publish; the relay keeps going. Default: ignore. */
  readonly onError?: (error: unknown) => void;
}

export interface RelayBatchResult {
  /** Events published and marked sent. */
  readonly published: number;
  /** Events whose publish failed (attempts incremented; they and their aggregate's later events wait). */
  readonly failed: number;
}

/** What a relay has done since it was created (read by `@stitch/kernel/metrics`). */
export interface OutboxRelayStats {
  /** Events published and marked sent, in committed batches. */
  readonly published: number;
  /** Publishes that failed (the event waits for a later batch). */
  readonly failed: number;
  /** Polls that threw (the database or the claim failed). */
  readonly failedPolls: number;
}

export interface OutboxRelay {
  /** Claims one batch, publishes it in order, marks it sent, commits. */
  relayOnce(): Promise<RelayBatchResult>;
  stats(): OutboxRelayStats;
  /** Polls until `stop()`. */
  start(): void;
  /** Finishes the batch in flight, then stops polling. */
  stop(): Promise<void>;
}

interface OutboxRow {
  seq: string;
  id: string;
  type: string;
  /** '' when the event has none. */
  aggregate_type: string;
  aggregate_id: string | null;
  payload: unknown;
  tenant_id: string | null;
  request_id: string | null;
  entry_kind: string | null;
  entry_route: string | null;
  traceparent: string | null;
  tracestate: string | null;
  created_at: Date | string;
}

/**
 * Publishes committed outbox events at least once, in order per aggregate, and marks them sent.
 *
 * Claiming: a batch takes, with `FOR UPDATE SKIP LOCKED`, only rows that are the oldest unsent
 * event of their aggregate (events without an aggregate id are unordered and always eligible),
 * then the later unsent events of the aggregates it claimed. Another relay skips the locked
 * heads and cannot take a later event of those aggregates, since an earlier one is still
 * unsent: relays share the work without reordering an aggregate or double-publishing in the
 * normal case. A relay that dies between publish and commit leaves its rows unsent and
 * unlocked; another relay publishes them again (a duplicate, never a loss), and consumers
 * de-duplicate by event id.
 *
 * Order between two concurrent transactions writing the same aggregate follows `seq`, assigned
 * at insert: serialise such writes on the aggregate's own row (as a business update does).
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions), never a raw ZodError.
 * @example
 *   const relay = createOutboxRelay({ db, outbox, bus: createInProcessBus() });
 *   relay.start();
 *   // on shutdown
 *   await relay.stop();
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, outbox, bus, onError: _onError, ...settingsInput } = options;
  const table = outbox.table;
  const { batchSize, pollIntervalMillis, publishConcurrency } = parseOptions(OutboxRelayOptionsSchema, settingsInput, 'outboxRelay');
  const onError = options.onError ?? (() => {});
  const columns =
    'seq, id, type, aggregate_type, aggregate_id, payload, tenant_id, request_id, entry_kind, entry_route, traceparent, tracestate, created_at';

  const counts = { published: 0, failed: 0, failedPolls: 0 };

  async function relayOnce(): Promise<RelayBatchResult> {
    try {
      const result = await relayBatch();
      counts.published += result.published;
      counts.failed += result.failed;
      return result;
    } catch (error) {
      counts.failedPolls += 1;
      throw error;
    }
  }

  async function relayBatch(): Promise<RelayBatchResult> {
    // The claim and its bookkeeping statements make no spans: an idle relay polls several times
    // a second, and each poll was a tenant-less root trace that topped `queries --top` in a quiet
    // run (issue 11). The work is traced where it belongs: each `publish` span is in its event's
    // own trace, started from the row's stored traceparent (not from this suppressed context).
    return context.with(suppressTracing(context.active()), () => claimAndPublish());
  }

  async function claimAndPublish(): Promise<RelayBatchResult> {
    return db.transaction(async (tx) => {
      const heads = await tx.query<OutboxRow>(
        `SELECT ${columns} FROM ${table} o
         WHERE o.sent_at IS NULL
           AND (o.aggregate_id IS NULL OR NOT EXISTS (
             SELECT 1 FROM ${table} p
             WHERE p.sent_at IS NULL AND p.aggregate_id = o.aggregate_id
               AND p.aggregate_type = o.aggregate_type AND p.seq < o.seq))
         ORDER BY o.seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (heads.rows.length === 0) return { published: 0, failed: 0 };
      const claimed = heads.rows.filter((row) => row.aggregate_id !== null);
      let rows = heads.rows;
      if (claimed.length > 0 && heads.rows.length < batchSize) {
        // A join on the claimed (type, id) pairs, so the partial (aggregate_type, aggregate_id,
        // seq) index of unsent rows serves it however many sent rows the table keeps.
        const followers = await tx.query<OutboxRow>(
          `SELECT ${columns.replace(/(\w+)/g, 'o.$1')} FROM ${table} o
           JOIN unnest($2::text[], $3::text[]) AS c(aggregate_type, aggregate_id)
             ON o.aggregate_id = c.aggregate_id AND o.aggregate_type = c.aggregate_type
           WHERE o.sent_at IS NULL AND o.seq <> ALL($1::bigint[])
           ORDER BY o.seq LIMIT $4 FOR UPDATE OF o`,
          [
            claimed.map((row) => row.seq),
            claimed.map((row) => row.aggregate_type),
            claimed.map((row) => row.aggregate_id),
            batchSize - heads.rows.length,
          ],
        );
        rows = [...heads.rows, ...followers.rows].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      }

      // One chain per aggregate, in seq order; chains run side by side (up to
      // publishConcurrency), since a broker round trip per event one after the other is what
      // bounds a relay's throughput. A failure ends its own chain only: a later event of that
      // aggregate must not overtake the one that failed.
      const chains = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const key = row.aggregate_id === null ? `\u0001${row.seq}` : `${row.aggregate_type}\u0000${row.aggregate_id}`;
        const chain = chains.get(key);
        if (chain === undefined) chains.set(key, [row]);
        else chain.push(row);
      }
      const sent: string[] = [];
      const failed: { seq: string; error: string }[] = [];
      const pending = [...chains.values()];
      await Promise.all(
        Array.from({ length: Math.min(publishConcurrency, pending.length) }, async () => {
          for (let chain = pending.shift(); chain !== undefined; chain = pending.shift()) {
            for (const row of chain) {
              try {
                await publishRow(row);
                sent.push(row.seq);
              } catch (error) {
                onError(error);
                failed.push({ seq: row.seq, error: error instanceof Error ? error.message : String(error) });
                break;
              }
            }
          }
        }),
      );
      if (sent.length > 0) await tx.query(`UPDATE ${table} SET sent_at = now(), attempts = attempts + 1 WHERE seq = ANY($1::bigint[])`, [sent]);
      for (const { seq, error } of failed) {
        await tx.query(`UPDATE ${table} SET attempts = attempts + 1, last_error = $2 WHERE seq = $1`, [seq, error.slice(0, 2000)]);
      }
      return { published: sent.length, failed: failed.length };
    });
  }

  /** Publishes one row in its own event's trace and tenant: a PRODUCER span under `outbox.add`. */
  async function publishRow(row: OutboxRow): Promise<void> {
    const stored = {
      ...(row.traceparent !== null && { traceparent: row.traceparent }),
      ...(row.tracestate !== null && { tracestate: row.tracestate }),
      ...(row.tenant_id !== null && { tenantId: row.tenant_id }),
      ...(row.request_id !== null && { requestId: row.request_id }),
    };
    // Validated like an envelope's: the row is ours, but whatever wrote it, the bound holds.
    const entry = entryFields(parseEntry(row.entry_kind, row.entry_route));
    const parent = contextOf({ ...stored, ...entry });
    const span = getKernelTracer().startSpan(
      `publish ${row.type}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [SpanAttr.eventId]: row.id,
          [SpanAttr.eventType]: row.type,
          [SpanAttr.messagingMessageId]: row.id,
          [SpanAttr.messagingOperationType]: 'send',
          ...(row.tenant_id !== null && { [SpanAttr.tenantId]: row.tenant_id }),
        },
      },
      parent,
    );
    // A relay with tracing off passes the producer's traceparent through unchanged.
    const headers = span.isRecording() ? traceHeadersOf(trace.setSpan(parent, span)) : stored;
    const envelope: EventEnvelope = {
      id: row.id,
      type: row.type,
      ...(row.tenant_id !== null && { tenantId: row.tenant_id }),
      ...(row.request_id !== null && { requestId: row.request_id }),
      ...entry,
      ...(row.aggregate_type !== '' && { aggregateType: row.aggregate_type }),
      ...(row.aggregate_id !== null && { aggregateId: row.aggregate_id }),
      occurredAt: (row.created_at instanceof Date ? row.created_at : new Date(row.created_at)).toISOString(),
      ...(headers.traceparent !== undefined && { traceparent: headers.traceparent }),
      ...(headers.tracestate !== undefined && { tracestate: headers.tracestate }),
      payload: row.payload,
    };
    try {
      await context.with(trace.setSpan(parent, span), () => bus.publish(envelope));
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  let running: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;

  async function loop(): Promise<void> {
    while (!stopping) {
      let full = false;
      try {
        const result = await relayOnce();
        full = result.published + result.failed >= batchSize && result.failed === 0;
      } catch (error) {
        onError(error);
      }
      if (!full && !stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMillis);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  }

  return {
    relayOnce,
    stats: () => ({ ...counts }),
    start() {
      if (running !== undefined) return;
      stopping = false;
      running = loop();
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
      running = undefined;
    },
  };
}
