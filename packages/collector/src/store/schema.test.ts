import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanAttr } from '@stitch/contract';
import { afterAll, describe, expect, it } from 'vitest';
import { newTraceId, tracesRequest } from '../internal/otlp-json-builder.js';
import { normalizeTraces } from '../otlp/normalize-traces.js';
import { SCHEMA_VERSION } from './schema.js';
import { Store } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'stitch-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The spans table as schema v2 made it: a store written by the previous release.
const V2_SPANS = `CREATE TABLE spans (
  tenant_id VARCHAR, trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, parent_span_id VARCHAR,
  service VARCHAR, instance VARCHAR, name VARCHAR, kind TINYINT, route VARCHAR, component VARCHAR,
  status_code TINYINT, status_message VARCHAR, start_ns BIGINT, end_ns BIGINT, duration_ms DOUBLE,
  perf_violation BOOLEAN, budget_ms DOUBLE, query_name VARCHAR, query_text VARCHAR, http_status INTEGER, request_id VARCHAR,
  webhook_endpoint VARCHAR, webhook_attempt INTEGER, job_name VARCHAR, job_id VARCHAR, run_id VARCHAR, parent_trace_id VARCHAR,
  parent_request_id VARCHAR, scope_name VARCHAR, attributes VARCHAR, resource VARCHAR, entry_route VARCHAR)`;

describe('store schema migration', () => {
  it('opens a v2 store: old rows get no entry kind, consumer or housekeeping mark, and new spans append with every column', async () => {
    const path = join(dir, 'v2.duckdb');
    const old = await DuckDBInstance.create(path);
    const conn = await old.connect();
    await conn.run(V2_SPANS);
    await conn.run(`INSERT INTO spans (trace_id, span_id, name, entry_route) VALUES ('${'a'.repeat(32)}', '${'b'.repeat(16)}', 'old span', '/old')`);
    conn.closeSync();
    old.closeSync();

    const store = await Store.open({ path });
    try {
      const traceId = newTraceId();
      const batch = normalizeTraces(
        tracesRequest('svc', [
          {
            traceId,
            name: 'late attempt',
            startMillis: Date.now(),
            durationMillis: 1,
            attributes: { [SpanAttr.entryKind]: 'http', [SpanAttr.entryRoute]: '/new', [SpanAttr.housekeeping]: true, [SpanAttr.consumerGroup]: 'mailer' },
          },
        ]),
      );
      await store.write([batch]);
      const rows = await store.query(`SELECT name, entry_route, entry_kind, housekeeping, consumer FROM spans ORDER BY name DESC`);
      expect(rows).toEqual([
        { name: 'old span', entry_route: '/old', entry_kind: null, housekeeping: false, consumer: null },
        { name: 'late attempt', entry_route: '/new', entry_kind: 'http', housekeeping: true, consumer: 'mailer' },
      ]);
      expect(await store.query(`SELECT value FROM meta WHERE key = 'schema_version'`)).toEqual([{ value: String(SCHEMA_VERSION) }]);
    } finally {
      await store.close();
    }
  });

  it('opens a v5 store: an unnamed query stored before gets its summary as query name, a named one keeps its name, once', async () => {
    const path = join(dir, 'v5.duckdb');
    const old = await DuckDBInstance.create(path);
    const conn = await old.connect();
    await conn.run(V2_SPANS);
    await conn.run(`CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR); INSERT INTO meta VALUES ('schema_version', '5')`);
    const insert = (span: string, queryName: string | null, attributes: string) =>
      conn.run(`INSERT INTO spans (trace_id, span_id, name, query_name, attributes) VALUES ('${'a'.repeat(32)}', '${span}', 'q', $1, $2)`, [queryName, attributes]);
    await insert('1'.repeat(16), null, JSON.stringify({ 'db.query.summary': 'SELECT orders' }));
    await insert('2'.repeat(16), 'orders.by_id', JSON.stringify({ 'db.query.summary': 'SELECT orders' }));
    await insert('3'.repeat(16), null, JSON.stringify({ 'http.request.method': 'GET' }));
    conn.closeSync();
    old.closeSync();

    const store = await Store.open({ path });
    try {
      expect(await store.query(`SELECT span_id, query_name FROM spans ORDER BY span_id`)).toEqual([
        { span_id: '1'.repeat(16), query_name: 'SELECT orders' },
        { span_id: '2'.repeat(16), query_name: 'orders.by_id' },
        { span_id: '3'.repeat(16), query_name: null },
      ]);
      expect(await store.query(`SELECT value FROM meta WHERE key = 'schema_version'`)).toEqual([{ value: String(SCHEMA_VERSION) }]);
      // A row the rewrite did not see (written raw, as no ingest would): a later open leaves it, the rewrite ran once.
      await store.exec(`INSERT INTO spans (trace_id, span_id, attributes) VALUES ('${'a'.repeat(32)}', '${'4'.repeat(16)}', $1)`, [
        JSON.stringify({ 'db.query.summary': 'SELECT later' }),
      ]);
    } finally {
      await store.close();
    }
    const again = await Store.open({ path });
    try {
      expect(await again.query(`SELECT query_name FROM spans WHERE span_id = '${'4'.repeat(16)}'`)).toEqual([{ query_name: null }]);
    } finally {
      await again.close();
    }
  });

  it('is idempotent: opening a current store again changes nothing', async () => {
    const path = join(dir, 'current.duckdb');
    await (await Store.open({ path })).close();
    const store = await Store.open({ path });
    try {
      const columns = await store.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'spans' ORDER BY ordinal_position`);
      expect(columns.slice(-4).map((c) => c.column_name)).toEqual(['entry_route', 'entry_kind', 'housekeeping', 'consumer']);
    } finally {
      await store.close();
    }
  });
});
