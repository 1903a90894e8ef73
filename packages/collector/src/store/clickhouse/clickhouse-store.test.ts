import { PERF_VIOLATION_EVENT, SpanAttr } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsRequest, newSpanId, newTraceId, tracesRequest } from '../../internal/otlp-json-builder.js';
import { normalizeLogs } from '../../otlp/normalize-logs.js';
import { normalizeTraces } from '../../otlp/normalize-traces.js';
import { DuckDbStore } from '../duckdb-store.js';
import type { Store } from '../store.js';
import { openChdbStore } from '../../internal/chdb-store.js';
import { openChdbClient } from './chdb-client.js';
import { bindParams, ClickHouseStore, inlineMaterializedCtes, refuseLineComments, requireServerVersion } from './clickhouse-store.js';

const A = '11111111-1111-4111-8111-111111111111';
const trace = newTraceId();
const root = newSpanId();
const child = newSpanId();
const linked = { traceId: newTraceId(), spanId: newSpanId() };
const now = Date.now();

const batch = (): ReturnType<typeof normalizeTraces> => {
  const spans = normalizeTraces(
    tracesRequest('billing', [
      { traceId: trace, spanId: root, name: 'GET /invoices/:id', kind: 2, startMillis: now - 1000, durationMillis: 120.5, attributes: { [SpanAttr.tenantId]: A, [SpanAttr.routeId]: '/invoices/:id', 'http.response.status_code': 500, [SpanAttr.budgetMillis]: 100 }, statusCode: 2, statusMessage: 'boom' },
      {
        traceId: trace, spanId: child, parentSpanId: root, name: 'invoices.by_id', kind: 3, startMillis: now - 990, durationMillis: 80,
        attributes: { [SpanAttr.tenantId]: A, [SpanAttr.queryName]: 'invoices.by_id', [SpanAttr.dbStatement]: 'select 1', [SpanAttr.housekeeping]: false, custom: 'kept' },
        events: [{ name: PERF_VIOLATION_EVENT, timeMillis: now - 950, attributes: { 'stitch.budget_ms': 50 } }],
        links: [linked],
      },
    ], { 'service.instance.id': 'node-1' }),
  );
  const logs = normalizeLogs(logsRequest('billing', [{ timeMillis: now - 980, body: 'invoice failed', severityNumber: 17, severityText: 'ERROR', traceId: trace, spanId: root, attributes: { tenant_id: A, component: 'billing' } }]));
  return { ...spans, logs: logs.logs };
};

const SPAN_COLUMNS = `tenant_id, trace_id, span_id, parent_span_id, service, instance, name, kind, route, component, status_code, status_message,
  start_ns, end_ns, duration_ms, perf_violation, budget_ms, query_name, query_text, http_status, request_id, webhook_endpoint,
  webhook_attempt, job_name, job_id, run_id, parent_trace_id, parent_request_id, scope_name, entry_route, entry_kind, housekeeping, consumer`;

let duck: Store;
let click: ClickHouseStore;
beforeAll(async () => {
  duck = await DuckDbStore.open({ path: ':memory:' });
  click = await openChdbStore();
  await duck.write([batch()]);
  await click.write([batch()]);
});
afterAll(async () => {
  await duck.close();
  await click.close();
});

describe('the ClickHouse store, on the clickhouseexporter tables', () => {
  it('reads back through its views every column DuckDB stores, with the same values and NULLs', async () => {
    const d = await duck.query(`SELECT ${SPAN_COLUMNS} FROM spans ORDER BY start_ns`);
    const c = await click.query(`SELECT ${SPAN_COLUMNS} FROM stitch_spans ORDER BY start_ns`);
    expect(c).toEqual(d);
    expect(c[0]).toMatchObject({ tenant_id: A, kind: 2, status_code: 2, http_status: 500, budget_ms: 100, entry_route: '/invoices/:id' });
    expect(c[1]).toMatchObject({ perf_violation: true, housekeeping: false, entry_route: '/invoices/:id', entry_kind: 'http', query_name: 'invoices.by_id' });
  });

  it('stores spans as the exporter does: kinds and codes spelled out, attributes in maps, events and links nested', async () => {
    const [row] = await click.query(
      `SELECT SpanKind, StatusCode, SpanAttributes['tenant.id'] AS tenant, SpanAttributes['missing'] AS missing, Duration, length(Events.Name) AS events, length(Links.TraceId) AS links
       FROM otel_traces WHERE SpanId = {id:String}`,
      { id: child },
    );
    expect(row).toEqual({ SpanKind: 'Client', StatusCode: 'Unset', tenant: A, missing: '', Duration: '80000000', events: '1', links: '1' });
  });

  it('reads events, links and logs back as DuckDB stores them', async () => {
    const events = 'tenant_id, trace_id, span_id, time_ns, name';
    expect(await click.query(`SELECT ${events} FROM stitch_span_events`)).toEqual(await duck.query(`SELECT ${events} FROM span_events`));
    const links = 'tenant_id, time_ns, trace_id, span_id, linked_trace_id, linked_span_id';
    expect(await click.query(`SELECT ${links} FROM stitch_span_links`)).toEqual(await duck.query(`SELECT ${links} FROM span_links`));
    const logs = 'tenant_id, time_ns, severity_number, severity_text, body, trace_id, span_id, service, component, perf_violation';
    expect(await click.query(`SELECT ${logs} FROM stitch_logs`)).toEqual(await duck.query(`SELECT ${logs} FROM logs`));
  });

  it('binds DuckDB placeholders ($1, $name) by their values, so a statement written once runs on both engines', async () => {
    expect(bindParams('SELECT $1, $2, $3', [1n, 'x', null])).toEqual({ query: 'SELECT {p1:Int64}, {p2:Nullable(String)}, {p3:Nullable(String)}', query_params: { p1: 1n, p2: 'x', p3: null } });
    expect(bindParams(`SELECT $tenant, {since:Int64}, '$."a.b"'`, { tenant: A, since: 1n }).query).toBe(`SELECT {tenant:Nullable(String)}, {since:Int64}, '$."a.b"'`);
    await click.writeAside(`INSERT INTO audit (time_ns, token_id, route, query, status, request_id) VALUES ($1, $2, $3, $4, $5, $6)`, [5n, null, '/api/slow', '', 200, 'r1']);
    expect(await click.query('SELECT time_ns, token_id, count FROM audit')).toEqual([{ time_ns: '5', token_id: null, count: 1 }]);
  });

  it('refuses SQL with // outside a string, which ClickHouse would read as a comment and answer from half of', async () => {
    await expect(click.query('SELECT 7 // 2 + 100 AS n')).rejects.toThrow(/"\/\/"/);
    expect(() => refuseLineComments("SELECT 'http://x' AS url")).not.toThrow();
  });

  it('computes a MATERIALIZED CTE once where the server allows it (chdb 26.x), and inlines it where not', async () => {
    // Two reads of v joined on rand64(): computed once, every row finds itself; inlined, each
    // read draws its own numbers and none does. (Scalar subqueries would not tell: ClickHouse
    // caches identical ones.)
    const unmatched = 'WITH v AS MATERIALIZED (SELECT number AS x, rand64() AS r FROM numbers(100)) SELECT countIf(b.x IS NULL) AS n FROM v a LEFT JOIN v b ON a.x = b.x AND a.r = b.r';
    expect(await click.query(unmatched)).toEqual([{ n: '0' }]);
    const older = await ClickHouseStore.open({ client: await openChdbClient(':memory:'), location: 'chdb::memory:', materializedCtes: false });
    expect(Number((await older.query(unmatched))[0]?.n)).toBeGreaterThan(90);
    await older.close();
    expect(inlineMaterializedCtes('WITH a AS  MATERIALIZED(SELECT 1), b AS MATERIALIZED (SELECT 2) SELECT 3')).toBe('WITH a AS (SELECT 1), b AS (SELECT 2) SELECT 3');
  });

  it('refuses a server older than 24.2 by name and version, and takes the ones from 24.2 on', async () => {
    for (const old of ['23.8.16.40', '24.1.8.22', '18.16.1', ''])
      expect(() => requireServerVersion(old)).toThrow(expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID', message: expect.stringContaining(`ClickHouse ${old} is older than 24.2`) }));
    for (const supported of ['24.2.1.1', '24.12.3', '26.7.2.1']) expect(() => requireServerVersion(supported)).not.toThrow();
    // The engine the tests run opened, so its version passed.
    expect(String((await click.query('SELECT version() AS v'))[0]?.v)).toMatch(/^2[6-9]\./);
  });
});
