import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTraceId, postOtlpJson, tracesRequest, logsRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';
import { runRetention } from './retention.js';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => {
  await c.stop();
});

const count = async (table: string): Promise<number> => Number((await c.store.query(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

describe('retention', () => {
  it('deletes spans, events, links and logs older than maxAgeHours and keeps the rest', async () => {
    const now = Date.now();
    const old = now - 10 * 3_600_000;
    const oldTrace = newTraceId();
    const newTrace = newTraceId();
    await postOtlpJson(c.url, 'traces', tracesRequest('svc', [
      { traceId: oldTrace, name: 'old', startMillis: old, durationMillis: 1, events: [{ name: 'e', timeMillis: old }], links: [{ traceId: newTrace, spanId: '0102030405060708' }] },
      { traceId: newTrace, name: 'new', startMillis: now, durationMillis: 1, events: [{ name: 'e', timeMillis: now }] },
    ]));
    await postOtlpJson(c.url, 'logs', logsRequest('svc', [{ timeMillis: old, body: 'old' }, { timeMillis: now, body: 'new' }]));
    const run = await runRetention(c.store, { maxAgeHours: 5, maxSizeMb: 10_000, checkIntervalSeconds: 60, auditMaxAgeDays: 90 }, now);
    expect(run).toMatchObject({ deletedSpans: 1, deletedLogs: 1 });
    expect((await c.store.query(`SELECT name FROM spans`)).map((r) => r.name)).toEqual(['new']);
    expect(await count('span_events')).toBe(1);
    expect(await count('span_links')).toBe(0);
    expect((await c.store.query(`SELECT body FROM logs`)).map((r) => r.body)).toEqual(['new']);
  });

  it('counts what its DELETEs removed, not the spans ingested while it ran', async () => {
    const now = Date.now();
    const old = now - 10 * 3_600_000;
    await c.store.exec('DELETE FROM spans');
    await c.store.exec('DELETE FROM logs');
    await postOtlpJson(c.url, 'traces', tracesRequest('svc', [{ traceId: newTraceId(), name: 'old', startMillis: old, durationMillis: 1 }]));
    // The real store, with spans arriving over OTLP just before the first DELETE of the pass.
    let injected = false;
    const store = Object.create(c.store) as typeof c.store;
    store.exec = async (sql, params) => {
      if (!injected && sql.startsWith('DELETE')) {
        injected = true;
        const fresh = Array.from({ length: 3 }, (_, i) => ({ traceId: newTraceId(), name: `fresh ${i}`, startMillis: now, durationMillis: 1 }));
        expect((await postOtlpJson(c.url, 'traces', tracesRequest('svc', fresh))).status).toBe(200);
      }
      return c.store.exec(sql, params);
    };
    const run = await runRetention(store, { maxAgeHours: 5, maxSizeMb: 10_000, checkIntervalSeconds: 60, auditMaxAgeDays: 90 }, now);
    expect(injected).toBe(true);
    expect(run).toMatchObject({ deletedSpans: 1, deletedLogs: 0 });
    expect(await count('spans')).toBe(3);
  });

  it('deletes the oldest data first while the store is over maxSizeMb', async () => {
    const now = Date.now();
    for (let batch = 0; batch < 6; batch++) {
      const spans = Array.from({ length: 300 }, (_, i) => ({
        traceId: newTraceId(),
        name: `batch ${batch} span ${i} ${'x'.repeat(200)}`,
        startMillis: now - (6 - batch) * 60_000,
        durationMillis: 1,
        attributes: { payload: 'y'.repeat(500) },
      }));
      expect((await postOtlpJson(c.url, 'traces', tracesRequest('svc', spans))).status).toBe(200);
    }
    const before = await count('spans');
    const run = await runRetention(c.store, { maxAgeHours: 1000, maxSizeMb: 0.5, checkIntervalSeconds: 60, auditMaxAgeDays: 90 }, now);
    expect(run.deletedSpans).toBeGreaterThan(0);
    const after = await count('spans');
    expect(after).toBeLessThan(before);
    // What is left is the newest: the oldest minute went first.
    const [oldest] = await c.store.query(`SELECT min(name) AS first FROM spans WHERE name LIKE 'batch 0 %'`);
    expect(oldest!.first).toBeNull();
  }, 60_000);

  it('trims audit rows past auditMaxAgeDays, however much room the store has, and keeps the rest', async () => {
    const now = Date.now();
    const day = 86_400_000;
    await c.store.exec('DELETE FROM audit');
    for (const [requestId, ageDays] of [['old', 91], ['recent', 89], ['today', 0]] as const) {
      await c.store.exec(`INSERT INTO audit (time_ns, route, query, status, request_id) VALUES ($1, '/api/status', '/api/status', 200, $2)`, [
        BigInt(now - ageDays * day) * 1_000_000n,
        requestId,
      ]);
    }
    // Far below the age limit of spans and far under the size limit: only the audit's own age counts.
    const run = await runRetention(c.store, { maxAgeHours: 100_000, maxSizeMb: 10_000, checkIntervalSeconds: 60, auditMaxAgeDays: 90 }, now);
    expect(run.deletedAudit).toBe(1);
    expect((await c.store.query(`SELECT request_id FROM audit ORDER BY time_ns`)).map((r) => r.request_id)).toEqual(['recent', 'today']);
  });

  it('is reported by `stitch status`', async () => {
    const res = await c.get('/api/status', c.token('admin'));
    const status = (await res.json()) as { retention: { maxAgeHours: number; maxSizeMb: number } };
    // On DuckDB Stitch's own limits are the ones in force; tableTtl is ClickHouse's.
    expect(status.retention).toMatchObject({ maxAgeHours: 168, maxSizeMb: 2048, tableTtl: null, auditMaxAgeDays: 90 });
  });
});
