import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditResponseSchema } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';
import { createIngestStats } from '../store/ingest-stats.js';
import { Store } from '../store/store.js';
import { AuditLog, type AuditEntryInput } from './audit-log.js';

const refusal = (requestId: string, status = 401): AuditEntryInput => ({
  tokenId: null,
  scope: null,
  tenantId: null,
  route: '/api/status',
  query: '/api/status',
  status,
  requestId,
});

describe('the audit log of refused requests', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stitch-audit-'));
    store = await Store.open({ path: join(dir, 'store.duckdb') });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (): Promise<{ n: number; requests: number }> => {
    const [r] = await store.query(`SELECT count(*) AS n, coalesce(sum(count), 0) AS requests FROM audit`);
    return { n: Number(r!.n), requests: Number(r!.requests) };
  };

  it('writes nothing on the request path, then the first N of a client each second and one summary for the rest', async () => {
    await store.exec('DELETE FROM audit');
    let clock = Date.parse('2026-10-21T07:28:00.100Z');
    const stats = createIngestStats();
    const audit = new AuditLog(store, stats, { maxRefusalRowsPerSecond: 5, flushIntervalMillis: 60_000 }, () => clock);
    for (let i = 0; i < 1000; i++) audit.refuse(refusal(`a${i}`), 'ip:10.0.0.1');
    for (let i = 0; i < 3; i++) audit.refuse(refusal(`b${i}`, 403), 'token:t1');
    expect(await rows()).toEqual({ n: 0, requests: 0 });
    expect(stats.apiRefusedRequests).toEqual(new Map([['401', 1000], ['403', 3]]));

    await audit.flush();
    // 5 + 1 summary for the flood, 3 for the other client (under its rate).
    expect(await rows()).toEqual({ n: 9, requests: 1003 });
    const [summary] = await store.query(`SELECT count, request_id, status FROM audit WHERE count > 1`);
    expect(summary).toEqual({ count: 995, request_id: 'a999', status: 401 });

    // The next second starts a new allowance.
    clock += 1000;
    for (let i = 0; i < 7; i++) audit.refuse(refusal(`c${i}`), 'ip:10.0.0.1');
    await audit.close();
    expect(await rows()).toEqual({ n: 9 + 5 + 1, requests: 1010 });
    expect(stats.auditWriteFailures).toBe(0);
  });

  it('counts the rows it could not write when the store fails, and never throws', async () => {
    const failing = Object.create(store) as Store;
    failing.writeAside = () => Promise.reject(new Error('disk full'));
    const stats = createIngestStats();
    const audit = new AuditLog(failing, stats, { maxRefusalRowsPerSecond: 2, flushIntervalMillis: 60_000 }, () => 0);
    for (let i = 0; i < 10; i++) audit.refuse(refusal(`f${i}`), 'ip:10.0.0.2');
    await audit.close();
    expect(stats.auditWriteFailures).toBe(10);
  });
});

describe('auditing the API', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ audit: { maxRefusalRowsPerSecond: 5 } });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('writes a bounded number of rows for a burst of 1,000 unauthenticated requests, whose counts add up to 1,000', async () => {
    const started = Date.now();
    const statuses: number[] = [];
    for (let wave = 0; wave < 20; wave++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${c.url}/api/status`).then((r) => r.status)));
      statuses.push(...answers);
    }
    const elapsedSeconds = Math.ceil((Date.now() - started) / 1000);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1000);

    // Reading the audit writes what is pending first.
    const admin = c.token('admin');
    expect((await c.get('/api/audit?limit=10', admin)).status).toBe(200);
    const [r] = await c.store.query(`SELECT count(*) AS n, sum(count) AS requests FROM audit WHERE status = 401`);
    expect(Number(r!.requests)).toBe(1000);
    // At most 5 rows a second of its own, plus one summary per flush (one a second, and the read's).
    expect(Number(r!.n)).toBeLessThanOrEqual((5 + 1) * (elapsedSeconds + 2));
    const { body } = await c.metrics.exposition();
    expect(body).toContain('stitch_collector_api_refused_requests_total{status="401"} 1000');
  });

  it('has an answered read’s row before the answer arrives, and shows summaries with their count', async () => {
    const admin = c.token('admin');
    const res = await c.get('/api/traces?service=audit-marker-service', admin);
    expect(res.status).toBe(200);
    // Straight from the store, no flush: the row was committed before the answer left.
    const rows = await c.store.query(`SELECT status, count FROM audit WHERE query = '/api/traces?service=audit-marker-service'`);
    expect(rows).toEqual([{ status: 200, count: 1 }]);

    const audit = AuditResponseSchema.parse(await (await c.get('/api/audit?limit=500', admin)).json());
    const refused = audit.entries.filter((e) => e.status === 401);
    expect(refused.reduce((n, e) => n + e.count, 0)).toBe(1000);
  });

  it('audits a token’s refusals (403) under that token', async () => {
    const reader = c.token('traces:read');
    for (let i = 0; i < 3; i++) expect((await c.get('/api/audit', reader)).status).toBe(403);
    const audit = AuditResponseSchema.parse(await (await c.get('/api/audit?limit=500', c.token('admin'))).json());
    const forbidden = audit.entries.filter((e) => e.status === 403 && e.tokenId !== null && e.route === '/api/audit');
    expect(forbidden.reduce((n, e) => n + e.count, 0)).toBe(3);
  });
});
