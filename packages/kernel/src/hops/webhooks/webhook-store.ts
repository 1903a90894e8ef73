import type { Queryable } from '../db/queryable.js';
import { quoteIdentifier } from '../db/sql-identifier.js';
import { runMigration } from '../db/internal/run-migration.js';

/** `pending` → `delivering` → `delivered` | `pending` (retry) | `dead` | `disabled` (endpoint gone). */
export type DeliveryState = 'pending' | 'delivering' | 'delivered' | 'dead' | 'disabled';

/** Deliveries not yet delivered, dead or disabled: all of them, and those past a failed attempt. */
export interface WebhookBacklog {
  readonly pending: number;
  readonly retrying: number;
}

/** What an attempt ended as: the delivery's state right after it. */
export type AttemptFinalState = 'delivered' | 'retrying' | 'dead' | 'disabled';

export interface WebhookEndpoint {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly secret: string;
  readonly disabledAt: Date | undefined;
  readonly disabledReason: string | undefined;
}

export interface ClaimedDelivery {
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly tenantId: string;
  readonly traceId: string | undefined;
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  readonly requestId: string | undefined;
  /** What started the work that sent the delivery (core/context/entry.ts), as stored: read through parseEntry. */
  readonly entryKind: string | undefined;
  readonly entryRoute: string | undefined;
  readonly body: string;
  /** The attempt this claim is for (1 = first). */
  readonly attempt: number;
  readonly url: string;
  readonly secret: string;
  readonly endpointDisabled: boolean;
}

/** One persisted attempt: the answer to "what happened to this webhook?". */
export interface WebhookAttemptRecord {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly endpointId: string;
  readonly endpointUrl: string;
  readonly eventId: string;
  readonly tenantId: string;
  readonly traceId: string | undefined;
  readonly statusCode: number | undefined;
  readonly latencyMillis: number;
  readonly errorClass: string | undefined;
  readonly errorDetail: string | undefined;
  readonly nextAttemptAt: Date | undefined;
  readonly finalState: AttemptFinalState;
  readonly attemptedAt: Date;
}

export interface RetryStormRow {
  readonly endpointId: string;
  readonly url: string;
  readonly attempts: number;
  readonly failures: number;
  readonly deliveries: number;
  /** Attempts after the first of their delivery: what the ranking is by. */
  readonly retries: number;
  readonly tenantIds: readonly string[];
  /** Up to 20 trace ids of the attempts, to open in `stitch trace`. */
  readonly traceIds: readonly string[];
  readonly lastAttemptAt: Date;
}

type Row = Record<string, unknown>;

const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const date = (v: unknown) => (v === null || v === undefined ? undefined : v instanceof Date ? v : new Date(String(v)));

/** The SQL behind `createWebhooks()`: one module so every statement is in one place. */
export function createWebhookStore(db: Queryable, schemaName: string) {
  const schema = quoteIdentifier(schemaName);
  const endpoints = `${schema}.webhook_endpoints`;
  const deliveries = `${schema}.webhook_deliveries`;
  const attempts = `${schema}.webhook_attempts`;

  return {
    migrate: () =>
      runMigration(db, schema, [
        `CREATE TABLE IF NOT EXISTS ${endpoints} (
          id text PRIMARY KEY,
          tenant_id text NOT NULL,
          url text NOT NULL,
          secret text NOT NULL,
          disabled_at timestamptz,
          disabled_reason text,
          created_at timestamptz NOT NULL DEFAULT now())`,
        `CREATE TABLE IF NOT EXISTS ${deliveries} (
          id text PRIMARY KEY,
          endpoint_id text NOT NULL REFERENCES ${endpoints} (id),
          event_id text NOT NULL,
          event_type text NOT NULL,
          tenant_id text NOT NULL,
          trace_id text,
          traceparent text,
          tracestate text,
          request_id text,
          body text NOT NULL,
          attempts integer NOT NULL DEFAULT 0,
          state text NOT NULL DEFAULT 'pending',
          next_attempt_at timestamptz NOT NULL DEFAULT now(),
          lease_until timestamptz,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now())`,
        `CREATE INDEX IF NOT EXISTS webhook_deliveries_due_idx ON ${deliveries} (state, next_attempt_at)`,
        // Added after the first release: tables made before it get the columns (NULL: no entry).
        `ALTER TABLE ${deliveries} ADD COLUMN IF NOT EXISTS entry_kind text`,
        `ALTER TABLE ${deliveries} ADD COLUMN IF NOT EXISTS entry_route text`,
        `CREATE TABLE IF NOT EXISTS ${attempts} (
          delivery_id text NOT NULL,
          attempt integer NOT NULL,
          endpoint_id text NOT NULL,
          endpoint_url text NOT NULL,
          event_id text NOT NULL,
          tenant_id text NOT NULL,
          trace_id text,
          span_id text,
          status_code integer,
          latency_ms double precision NOT NULL,
          error_class text,
          error_detail text,
          next_attempt_at timestamptz,
          final_state text NOT NULL,
          attempted_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (delivery_id, attempt))`,
        `CREATE INDEX IF NOT EXISTS webhook_attempts_time_idx ON ${attempts} (attempted_at)`,
      ]),

    async insertEndpoint(e: { id: string; tenantId: string; url: string; secret: string }): Promise<void> {
      await db.query(`INSERT INTO ${endpoints} (id, tenant_id, url, secret) VALUES ($1, $2, $3, $4)`, [e.id, e.tenantId, e.url, e.secret]);
    },

    async endpoint(id: string, via: Queryable = db): Promise<WebhookEndpoint | undefined> {
      const { rows } = await via.query<Row>(`SELECT id, tenant_id, url, secret, disabled_at, disabled_reason FROM ${endpoints} WHERE id = $1`, [id]);
      const r = rows[0];
      if (r === undefined) return undefined;
      return {
        id: String(r.id),
        tenantId: String(r.tenant_id),
        url: String(r.url),
        secret: String(r.secret),
        disabledAt: date(r.disabled_at),
        disabledReason: str(r.disabled_reason),
      };
    },

    async disableEndpoint(id: string, reason: string): Promise<void> {
      await db.query(`UPDATE ${endpoints} SET disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND disabled_at IS NULL`, [id, reason]);
    },

    async insertDelivery(
      d: {
        id: string; endpointId: string; eventId: string; eventType: string; tenantId: string; traceId?: string; traceparent?: string; tracestate?: string;
        requestId?: string; entryKind?: string; entryRoute?: string; body: string;
      },
      via: Queryable = db,
    ): Promise<void> {
      await via.query(
        `INSERT INTO ${deliveries} (id, endpoint_id, event_id, event_type, tenant_id, trace_id, traceparent, tracestate, request_id, entry_kind, entry_route, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          d.id, d.endpointId, d.eventId, d.eventType, d.tenantId, d.traceId ?? null, d.traceparent ?? null, d.tracestate ?? null, d.requestId ?? null,
          d.entryKind ?? null, d.entryRoute ?? null, d.body,
        ],
      );
    },

    /**
     * Claims due deliveries in one statement: `FOR UPDATE SKIP LOCKED` lets any number of
     * dispatchers (processes) claim at once without taking the same row, and the lease makes
     * a claim by a dispatcher that died claimable again once it expires. One statement, so it
     * needs no transaction from the caller.
     */
    async claimDue(limit: number, leaseMillis: number): Promise<ClaimedDelivery[]> {
      const { rows } = await db.query<Row>(
        `WITH claimed AS (
           UPDATE ${deliveries} d SET state = 'delivering', attempts = d.attempts + 1,
             lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
           WHERE d.id IN (
             SELECT id FROM ${deliveries}
             WHERE (state = 'pending' AND next_attempt_at <= now()) OR (state = 'delivering' AND lease_until < now())
             ORDER BY next_attempt_at
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
           RETURNING d.*)
         SELECT c.*, e.url, e.secret, e.disabled_at FROM claimed c JOIN ${endpoints} e ON e.id = c.endpoint_id`,
        [limit, leaseMillis],
      );
      return rows.map((r) => ({
        id: String(r.id),
        endpointId: String(r.endpoint_id),
        eventId: String(r.event_id),
        eventType: String(r.event_type),
        tenantId: String(r.tenant_id),
        traceId: str(r.trace_id),
        traceparent: str(r.traceparent),
        tracestate: str(r.tracestate),
        requestId: str(r.request_id),
        entryKind: str(r.entry_kind),
        entryRoute: str(r.entry_route),
        body: String(r.body),
        attempt: Number(r.attempts),
        url: String(r.url),
        secret: String(r.secret),
        endpointDisabled: r.disabled_at !== null && r.disabled_at !== undefined,
      }));
    },

    /** Records an attempt and moves its delivery on; `retryInMillis` only with `retrying`. */
    async finishAttempt(
      claim: ClaimedDelivery,
      a: { spanTraceId: string | undefined; spanId: string | undefined; statusCode?: number; latencyMillis: number; errorClass?: string; errorDetail?: string; finalState: AttemptFinalState; retryInMillis?: number },
    ): Promise<void> {
      const state: DeliveryState = a.finalState === 'retrying' ? 'pending' : a.finalState;
      const retryIn = a.finalState === 'retrying' ? (a.retryInMillis ?? 0) : null;
      await db.query(
        `WITH moved AS (
           UPDATE ${deliveries} SET state = $3, lease_until = NULL, updated_at = now(),
             next_attempt_at = CASE WHEN $4::double precision IS NULL THEN next_attempt_at ELSE now() + $4::double precision * interval '1 millisecond' END
           WHERE id = $1 AND attempts = $2
           RETURNING next_attempt_at)
         INSERT INTO ${attempts} (delivery_id, attempt, endpoint_id, endpoint_url, event_id, tenant_id, trace_id, span_id, status_code,
           latency_ms, error_class, error_detail, next_attempt_at, final_state)
         SELECT $1, $2, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::integer, $12::double precision, $13::text, $14::text, CASE WHEN $4::double precision IS NULL THEN NULL ELSE (SELECT next_attempt_at FROM moved) END, $15::text
         ON CONFLICT (delivery_id, attempt) DO NOTHING`,
        [
          claim.id, claim.attempt, state, retryIn, claim.endpointId, claim.url, claim.eventId, claim.tenantId,
          a.spanTraceId ?? claim.traceId ?? null, a.spanId ?? null, a.statusCode ?? null, a.latencyMillis,
          a.errorClass ?? null, a.errorDetail ?? null, a.finalState,
        ],
      );
    },

    async attempts(deliveryId: string): Promise<WebhookAttemptRecord[]> {
      const { rows } = await db.query<Row>(`SELECT * FROM ${attempts} WHERE delivery_id = $1 ORDER BY attempt`, [deliveryId]);
      return rows.map((r) => ({
        deliveryId: String(r.delivery_id),
        attempt: Number(r.attempt),
        endpointId: String(r.endpoint_id),
        endpointUrl: String(r.endpoint_url),
        eventId: String(r.event_id),
        tenantId: String(r.tenant_id),
        traceId: str(r.trace_id),
        statusCode: r.status_code === null ? undefined : Number(r.status_code),
        latencyMillis: Number(r.latency_ms),
        errorClass: str(r.error_class),
        errorDetail: str(r.error_detail),
        nextAttemptAt: date(r.next_attempt_at),
        finalState: String(r.final_state) as AttemptFinalState,
        attemptedAt: date(r.attempted_at) as Date,
      }));
    },

    async backlog(): Promise<WebhookBacklog> {
      const { rows } = await db.query<Row>(
        `SELECT count(*)::int AS pending, (count(*) FILTER (WHERE attempts > 0))::int AS retrying FROM ${deliveries} WHERE state IN ('pending', 'delivering')`,
      );
      return { pending: Number(rows[0]?.pending ?? 0), retrying: Number(rows[0]?.retrying ?? 0) };
    },

    async deliveryState(deliveryId: string): Promise<{ state: DeliveryState; attempts: number; traceId: string | undefined } | undefined> {
      const { rows } = await db.query<Row>(`SELECT state, attempts, trace_id FROM ${deliveries} WHERE id = $1`, [deliveryId]);
      const r = rows[0];
      return r === undefined ? undefined : { state: String(r.state) as DeliveryState, attempts: Number(r.attempts), traceId: str(r.trace_id) };
    },

    /**
     * `until` undefined: no upper bound, i.e. up to the database's own now. A JavaScript `new
     * Date()` is not that: it is cut to the millisecond (an attempt recorded in the same
     * millisecond, stored to the microsecond, fell outside it) and read off this process's clock,
     * not the one that stamped `attempted_at`; a storm test counted 9 of its 10 attempts.
     */
    async retryStorm(since: Date, until: Date | undefined, limit: number): Promise<RetryStormRow[]> {
      const { rows } = await db.query<Row>(
        `SELECT endpoint_id, max(endpoint_url) AS url, count(*) AS attempts,
                count(*) FILTER (WHERE final_state <> 'delivered') AS failures,
                count(DISTINCT delivery_id) AS deliveries,
                count(*) FILTER (WHERE attempt > 1) AS retries,
                array_agg(DISTINCT tenant_id) AS tenant_ids,
                (array_agg(DISTINCT trace_id) FILTER (WHERE trace_id IS NOT NULL))[1:20] AS trace_ids,
                max(attempted_at) AS last_attempt_at
         FROM ${attempts}
         WHERE attempted_at >= $1 AND ($2::timestamptz IS NULL OR attempted_at < $2::timestamptz)
         GROUP BY endpoint_id
         ORDER BY count(*) FILTER (WHERE attempt > 1) DESC, count(*) DESC, endpoint_id
         LIMIT $3`,
        [since, until ?? null, limit],
      );
      return rows.map((r) => ({
        endpointId: String(r.endpoint_id),
        url: String(r.url),
        attempts: Number(r.attempts),
        failures: Number(r.failures),
        deliveries: Number(r.deliveries),
        retries: Number(r.retries),
        tenantIds: (r.tenant_ids as string[] | null) ?? [],
        traceIds: (r.trace_ids as string[] | null) ?? [],
        lastAttemptAt: date(r.last_attempt_at) as Date,
      }));
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
