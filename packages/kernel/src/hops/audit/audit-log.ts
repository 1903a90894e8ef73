import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { currentContext } from '../../core/context/context-store.js';
import type { Queryable } from '../db/queryable.js';
import { parseSqlStoreOptions } from '../db/sql-store-options.js';
import { runMigration } from '../db/internal/run-migration.js';
import { StitchError } from '../../core/errors/stitch-error.js';
import { issueDetail } from '../../core/options/parse-options.js';

const AuditEntrySchema = z.object({
  action: z.string().min(1).max(200),
  target: z.string().min(1).max(500),
  details: z.record(z.string(), z.unknown()).default({}),
});

/** What the caller says happened; who, for which tenant, in which trace comes from the context. */
export type AuditEntryInput = z.input<typeof AuditEntrySchema>;

/** One stored audit row. */
export interface AuditRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly actorId: string | null;
  readonly action: string;
  readonly target: string;
  readonly details: Record<string, unknown>;
  readonly traceId: string;
  readonly spanId: string;
  readonly requestId: string;
  readonly occurredAt: Date;
}

export interface AuditListQuery {
  /**
   * Optional, and only as a check: rows are always those of the current context's tenant; a
   * different value here is refused, never honoured.
   */
  readonly tenantId?: string;
  readonly action?: string;
  readonly target?: string;
  readonly traceId?: string;
  /** Only rows strictly older than this (for paging backwards in time). */
  readonly before?: Date;
  /** At most this many rows, newest first. Default 100, at most 1000. */
  readonly limit?: number;
}

export interface AuditLogOptions {
  /** Where audit writes go when `record()` is not given a transaction. */
  readonly db: Queryable;
  /** Schema of the `audit_events` table; default `stitch`. */
  readonly schema?: string;
}

export interface AuditLog {
  /** Creates the schema, table and indexes if missing; idempotent, and safe when several processes migrate at once. */
  migrate(): Promise<void>;
  record(entry: AuditEntryInput, options?: { readonly tx?: Queryable }): Promise<AuditRecord>;
  list(query?: AuditListQuery): Promise<AuditRecord[]>;
}

interface AuditRow {
  id: string;
  tenant_id: string;
  actor_id: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
  trace_id: string;
  span_id: string;
  request_id: string;
  occurred_at: Date | string;
}

// Statements here are unnamed (no pg prepared-statement name): their text depends on the
// configured schema, and pg allows one text per name per connection.
const COLUMNS = 'id, tenant_id, actor_id, action, target, details, trace_id, span_id, request_id, occurred_at';

/**
 * The audit trail: every row carries tenant, actor, trace id and request id from the current
 * context, so an audit entry leads to its trace and back (seed KER260 §4.3).
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming a bad `schema` or an unknown option, with the nearest valid one (parseOptions).
 * @example
 *   const audit = createAuditLog({ db });
 *   await audit.migrate();
 *   await db.transaction(async (tx) => {
 *     await tx.query('UPDATE roles SET role = $1 WHERE user_id = $2', ['admin', userId]);
 *     await audit.record({ action: 'role.grant', target: `user:${userId}`, details: { role: 'admin' } }, { tx });
 *   });
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { db: _db, ...settings } = options;
  const { schema } = parseSqlStoreOptions(settings, 'auditLog');
  const table = `${schema}.audit_events`;

  return {
    migrate: () =>
      runMigration(options.db, schema, [
        `CREATE TABLE IF NOT EXISTS ${table} (
          id uuid PRIMARY KEY,
          tenant_id text NOT NULL,
          actor_id text,
          action text NOT NULL,
          target text NOT NULL,
          details jsonb NOT NULL DEFAULT '{}',
          trace_id text NOT NULL,
          span_id text NOT NULL,
          request_id text NOT NULL,
          occurred_at timestamptz NOT NULL DEFAULT now()
        )`,
        `CREATE INDEX IF NOT EXISTS audit_events_tenant_time ON ${table} (tenant_id, occurred_at DESC)`,
        `CREATE INDEX IF NOT EXISTS audit_events_trace ON ${table} (trace_id)`,
      ]),

    async record(entry, recordOptions) {
      const parsed = AuditEntrySchema.safeParse(entry);
      if (!parsed.success) {
        throw new StitchError('STITCH_ERR_AUDIT_ENTRY_INVALID', {
          detail: issueDetail(parsed.error.issues),
        });
      }
      const ctx = currentContext();
      if (ctx.tenantId === undefined) throw new StitchError('STITCH_ERR_TENANT_REQUIRED');
      const target = recordOptions?.tx ?? options.db;
      const { rows } = await target.query<AuditRow>(
        `INSERT INTO ${table} (id, tenant_id, actor_id, action, target, details, trace_id, span_id, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          randomUUID(),
          ctx.tenantId,
          ctx.actorId ?? null,
          parsed.data.action,
          parsed.data.target,
          JSON.stringify(parsed.data.details),
          ctx.traceId,
          ctx.spanId,
          ctx.runId ?? ctx.requestId,
        ],
      );
      return toRecord(rows[0] as AuditRow);
    },

    async list(query = {}) {
      const ctx = currentContext();
      if (ctx.tenantId === undefined) throw new StitchError('STITCH_ERR_TENANT_REQUIRED');
      if (query.tenantId !== undefined && query.tenantId !== ctx.tenantId) throw new StitchError('STITCH_ERR_AUDIT_TENANT_MISMATCH');
      const params: unknown[] = [ctx.tenantId];
      let where = 'tenant_id = $1';
      for (const [column, value] of [
        ['action', query.action],
        ['target', query.target],
        ['trace_id', query.traceId],
      ] as const) {
        if (value === undefined) continue;
        params.push(value);
        where += ` AND ${column} = $${params.length}`;
      }
      if (query.before !== undefined) {
        params.push(query.before);
        where += ` AND occurred_at < $${params.length}`;
      }
      params.push(Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), 1000));
      const { rows } = await options.db.query<AuditRow>(
        `SELECT ${COLUMNS} FROM ${table} WHERE ${where} ORDER BY occurred_at DESC, id LIMIT $${params.length}`,
        params,
      );
      return rows.map(toRecord);
    },
  };
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    actorId: row.actor_id,
    action: row.action,
    target: row.target,
    details: row.details,
    traceId: row.trace_id,
    spanId: row.span_id,
    requestId: row.request_id,
    occurredAt: row.occurred_at instanceof Date ? row.occurred_at : new Date(row.occurred_at),
  };
}
