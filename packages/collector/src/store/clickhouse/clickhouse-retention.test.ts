import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveCollectorConfig } from '../../config/collector-config.js';
import { openChdbStore } from '../../internal/chdb-store.js';
import { newTraceId, tracesRequest } from '../../internal/otlp-json-builder.js';
import { normalizeTraces } from '../../otlp/normalize-traces.js';
import { askStatus } from '../../questions/status.js';
import { createIngestStats } from '../ingest-stats.js';
import { runRetention, startRetention } from '../retention.js';
import type { ClickHouseStore } from './clickhouse-store.js';

const DAY_MILLIS = 86_400_000;
const OPTIONS = { maxAgeHours: 5, maxSizeMb: 0.001, checkIntervalSeconds: 60, auditMaxAgeDays: 90 };

// chdb runs one engine per process: this file opens its own, as clickhouse-store.test.ts does.
let click: ClickHouseStore;
beforeAll(async () => {
  click = await openChdbStore();
});
beforeEach(async () => {
  await click.truncate();
});
afterAll(async () => {
  await click.close();
});

async function plantAudit(now: number, ages: ReadonlyArray<readonly [requestId: string, ageDays: number]>): Promise<void> {
  for (const [requestId, ageDays] of ages) {
    await click.writeAside(`INSERT INTO audit (time_ns, route, query, status, request_id) VALUES ($1, '/api/status', '/api/status', 200, $2)`, [
      BigInt(now - ageDays * DAY_MILLIS) * 1_000_000n,
      requestId,
    ]);
  }
}

const auditIds = async (): Promise<unknown[]> => (await click.query('SELECT request_id FROM audit ORDER BY time_ns')).map((r) => r.request_id);

describe('retention on ClickHouse', () => {
  it('deletes audit rows past auditMaxAgeDays, keeps the newer ones, and counts exactly what it deleted', async () => {
    const now = Date.now();
    await plantAudit(now, [['ancient', 400], ['old', 120], ['just old', 91], ['recent', 89], ['today', 0]]);
    const run = await runRetention(click, OPTIONS, now);
    expect(run.deletedAudit).toBe(3);
    expect(await auditIds()).toEqual(['recent', 'today']);
    // A second pass finds nothing more to delete, and says so.
    expect((await runRetention(click, OPTIONS, now)).deletedAudit).toBe(0);
  });

  it('leaves otel_traces to its table TTL: spans past maxAgeHours and over maxSizeMb stay', async () => {
    const now = Date.now();
    const old = now - 10 * 3_600_000;
    await click.write([normalizeTraces(tracesRequest('svc', [{ traceId: newTraceId(), name: 'old', startMillis: old, durationMillis: 1 }]))]);
    const run = await runRetention(click, OPTIONS, now);
    expect(run).toEqual({ deletedSpans: 0, deletedLogs: 0, deletedAudit: 0, usedBytes: null });
    expect((await click.query('SELECT name FROM stitch_spans')).map((r) => r.name)).toEqual(['old']);
  });

  it('runs in the background and feeds the counters `stitch status` shows', async () => {
    await plantAudit(Date.now(), [['old', 100], ['older', 200], ['today', 0]]);
    const stats = createIngestStats();
    const stop = startRetention(click, { ...OPTIONS, checkIntervalSeconds: 0.05 }, stats);
    try {
      await expect.poll(() => stats.lastRetentionRunMillis, { timeout: 10_000 }).not.toBeNull();
    } finally {
      await stop();
    }
    expect(stats.retentionDeletedAudit).toBe(2);
    expect(await auditIds()).toEqual(['today']);
    const status = await askStatus(click, stats, 0, resolveCollectorConfig({ retention: OPTIONS }));
    expect(status.retention).toMatchObject({ deletedAudit: 2, deletedSpans: 0, auditMaxAgeDays: 90 });
  });

  it('`stitch status` reports the tables TTL for spans and logs, not limits Stitch does not apply', async () => {
    const config = resolveCollectorConfig({ retention: OPTIONS });
    const before = await askStatus(click, createIngestStats(), 0, config);
    expect(before.retention).toMatchObject({ maxAgeHours: null, maxSizeMb: null, tableTtl: { traces: null, logs: null } });
    await click.exec('ALTER TABLE otel_logs MODIFY TTL toDateTime(Timestamp) + INTERVAL 7 DAY');
    try {
      const after = await askStatus(click, createIngestStats(), 0, config);
      expect(after.retention.tableTtl).toEqual({ traces: null, logs: 'toDateTime(Timestamp) + toIntervalDay(7)' });
    } finally {
      await click.exec('ALTER TABLE otel_logs REMOVE TTL');
    }
  });
});
