import type { AuditResponse } from '@stitch/contract';
import type { DuckDBValue } from '@duckdb/node-api';
import type { IngestStats } from '../store/ingest-stats.js';
import type { Store } from '../store/store.js';
import { isoFromNanos, num, strOrNull } from '../questions/query-scope.js';

export interface AuditEntryInput {
  tokenId: string | null;
  scope: string | null;
  tenantId: string | null;
  route: string;
  query: string;
  status: number;
  requestId: string;
}

const COLUMNS = 'time_ns, token_id, scope, tenant_id, route, query, status, request_id, count';

function rowValues(entry: AuditEntryInput, timeNanos: bigint, count: number): DuckDBValue[] {
  return [timeNanos, entry.tokenId, entry.scope, entry.tenantId, entry.route, entry.query.slice(0, 2000), entry.status, entry.requestId, count];
}

/**
 * Records one answered API request before its answer leaves (seed 002: tenant data access is
 * scoped and auditable), so no read is answered without its audit entry. One committed insert
 * each: refusals, which anyone can cause, go through {@link AuditLog.refuse} instead.
 */
export async function recordAudit(store: Store, entry: AuditEntryInput): Promise<void> {
  await store.writeAside(`INSERT INTO audit (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, rowValues(entry, BigInt(Date.now()) * 1_000_000n, 1));
}

/** The statuses that refuse a request before anything is read: not authenticated, not allowed, over a limit. */
export function isRefusal(status: number): boolean {
  return status === 401 || status === 403 || status === 429;
}

export interface AuditLogOptions {
  /** Refusals of one client (token, or IP without one) written row by row per second; the rest are summarised. */
  maxRefusalRowsPerSecond: number;
  /** How often buffered refusal rows and summaries are written, in one transaction. */
  flushIntervalMillis: number;
}

/** Clients tracked per second; past it, the rest share one window (memory stays bounded under a spoofed-IP flood). */
const MAX_CLIENTS = 10_000;
/** Rows buffered between flushes; past it, refusals are only counted into their summary. */
const MAX_BUFFERED_ROWS = 10_000;
/** Rows per INSERT statement (9 parameters each). */
const ROWS_PER_STATEMENT = 500;

interface Window {
  second: number;
  written: number;
  /** Refusals since the last flush that got no row of their own, and the latest of them. */
  suppressed: number;
  latest: AuditEntryInput | null;
}

interface Pending {
  entry: AuditEntryInput;
  timeNanos: bigint;
  count: number;
}

// queryAudit flushes the store's pending refusals first, so an admin reading the audit sees every
// refusal so far (not those of the last second missing).
const logs = new WeakMap<Store, AuditLog>();

/**
 * Refused API requests (401, 403, 429), counted and written rate-limited. A refusal costs no
 * write on the request path: the first `maxRefusalRowsPerSecond` of a client each second are
 * buffered as their own rows, the rest are counted into one summary row per client and flush
 * (`count` = how many requests it stands for, the latest one's route and request id), and the
 * buffer is written every `flushIntervalMillis` in one transaction: one fsync a second at most,
 * however many refusals arrive (issue 15: a 401 flood doubled ingest p50 when each was an
 * fsync'd insert on the write connection). The counts of a client's rows always add up to its
 * refusals.
 *
 * @example
 * const audit = new AuditLog(store, stats, { maxRefusalRowsPerSecond: 5, flushIntervalMillis: 1000 })
 * audit.refuse(entry, `ip:${request.ip}`) // returns at once
 * await audit.close() // writes what is pending
 */
export class AuditLog {
  private windows = new Map<string, Window>();
  private pending: Pending[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly stats: IngestStats,
    private readonly options: AuditLogOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMillis);
    this.timer.unref();
    logs.set(store, this);
  }

  /** Counts one refusal and buffers its row, or its share of a summary; never waits. */
  refuse(entry: AuditEntryInput, client: string): void {
    const status = String(entry.status);
    this.stats.apiRefusedRequests.set(status, (this.stats.apiRefusedRequests.get(status) ?? 0) + 1);
    const nowMillis = this.now();
    const second = Math.floor(nowMillis / 1000);
    let key = `${client} ${status}`;
    if (!this.windows.has(key) && this.windows.size >= MAX_CLIENTS) key = `* ${status}`;
    let w = this.windows.get(key);
    if (!w) {
      w = { second, written: 0, suppressed: 0, latest: null };
      this.windows.set(key, w);
    } else if (w.second !== second) {
      w.second = second;
      w.written = 0;
    }
    if (!this.closed && w.written < this.options.maxRefusalRowsPerSecond && this.pending.length < MAX_BUFFERED_ROWS) {
      w.written += 1;
      this.pending.push({ entry, timeNanos: BigInt(nowMillis) * 1_000_000n, count: 1 });
    } else {
      w.suppressed += 1;
      w.latest = entry;
    }
  }

  /** Writes the buffered rows and one summary per client with refusals beyond its rate. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const nowMillis = this.now();
    const second = Math.floor(nowMillis / 1000);
    const rows = this.pending;
    this.pending = [];
    for (const [key, w] of this.windows) {
      if (w.suppressed > 0 && w.latest) {
        rows.push({ entry: w.latest, timeNanos: BigInt(nowMillis) * 1_000_000n, count: w.suppressed });
        w.suppressed = 0;
        w.latest = null;
      }
      // A past second's window has nothing left to limit: forget it, so the map stays small.
      if (w.second < second) this.windows.delete(key);
    }
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      const placeholders = chunk.map((_, r) => `(${Array.from({ length: 9 }, (_, c) => `$${r * 9 + c + 1}`).join(', ')})`).join(', ');
      try {
        await this.store.writeAside(
          `INSERT INTO audit (${COLUMNS}) VALUES ${placeholders}`,
          chunk.flatMap((p) => rowValues(p.entry, p.timeNanos, p.count)),
        );
      } catch {
        // The store is failing (readiness says so); these rows are lost, and counted.
        this.stats.auditWriteFailures += chunk.reduce((n, p) => n + p.count, 0);
      }
    }
  }

  /** Stops the timer and writes what is pending. Refusals after it are only counted. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
  }
}

/** `GET /api/audit` (admin): newest first, optionally for one token or tenant. */
export async function queryAudit(
  store: Store,
  filter: { tokenId?: string; tenantId?: string; limit: number },
): Promise<AuditResponse> {
  await logs.get(store)?.flush();
  const where: string[] = ['1 = 1'];
  const params: Record<string, string> = {};
  if (filter.tokenId) {
    where.push('token_id = $token');
    params.token = filter.tokenId;
  }
  if (filter.tenantId) {
    where.push('tenant_id = $tenant');
    params.tenant = filter.tenantId;
  }
  const rows = await store.query(
    `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY time_ns DESC LIMIT ${Math.max(1, Math.min(filter.limit, 10_000))}`,
    params,
  );
  return {
    entries: rows.map((r) => ({
      time: isoFromNanos(r.time_ns as string),
      tokenId: strOrNull(r.token_id),
      scope: strOrNull(r.scope),
      tenantId: strOrNull(r.tenant_id),
      route: String(r.route ?? ''),
      query: String(r.query ?? ''),
      status: num(r.status),
      requestId: String(r.request_id ?? ''),
      count: r.count === null || r.count === undefined ? 1 : num(r.count),
    })),
  };
}
