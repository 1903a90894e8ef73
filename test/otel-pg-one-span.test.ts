/**
 * One span per query inside the user's own NodeSDK (issue 13): with instrumentation-pg active,
 * the db wrapper opens no span of its own; pg's span gets Stitch's attributes and the query its
 * sqlcommenter comment. Against the real Postgres server (127.0.0.1:5432, database `test`).
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInNewContext, withContext, withSpan } from '@stitch/kernel';
import { loadConfig } from '@stitch/kernel/config';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { stitchSdkOptions } from '@stitch/kernel/otel';

const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const TENANT = '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const schema = `stitch_otel_pg_${randomBytes(4).toString('hex')}`;

const exported = new InMemorySpanExporter();
const sdk = new NodeSDK({
  ...stitchSdkOptions(loadConfig({ env: { OTEL_SERVICE_NAME: 'otel-pg' } }), { exporter: exported, env: {} }),
  instrumentations: [getNodeAutoInstrumentations()],
});
sdk.start();
// Required after the SDK started, as a `node --import` setup loads it: instrumentation-pg
// patches `pg` when it is required.
const pg = createRequire(import.meta.url)('pg') as typeof Pg;
const pool = new pg.Pool({ ...CONNECTION, max: 2 });
const db = createPgDatabase(pool, { application: 'otel-pg-test' });

beforeAll(async () => {
  await pool.query(`CREATE SCHEMA ${schema}`);
  await pool.query(`CREATE TABLE ${schema}.invoices (id int, total int)`);
  await pool.query(`INSERT INTO ${schema}.invoices VALUES (1, 40), (2, 2)`);
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.close();
  await sdk.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

async function spansOf(traceId: string): Promise<ReadableSpan[]> {
  return vi.waitFor(async () => {
    await (trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } }).getDelegate().forceFlush();
    const spans = exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (!spans.some((s) => s.name === 'request')) throw new Error(`trace ${traceId} not exported yet`);
    return spans;
  });
}

describe('the pg wrapper under instrumentation-pg', () => {
  it('makes one span per query: pg\'s, carrying the query mark and budget, the caller\'s query name and the tenant; the statement carries the comment', async () => {
    const traceId = await runInNewContext({ name: 'job', requestId: 'req-otel-pg-1' }, () =>
      withContext({ tenantId: TENANT }, () =>
        withSpan('request', async (span) => {
          const { rows } = await db.query(`SELECT total FROM ${schema}.invoices WHERE id = $1`, [1], { name: 'invoice.total' });
          expect(rows).toEqual([{ total: 40 }]);
          // Unnamed, so not a prepared statement: the comment carries the request's ids.
          await db.query(`SELECT count(*) FROM ${schema}.invoices`);
          return span.spanContext().traceId;
        }),
      ),
    );
    const spans = await spansOf(traceId);
    const queries = spans.filter((s) => s.kind === SpanKind.CLIENT && String(s.attributes['db.query.text'] ?? s.name).includes('invoices'));
    expect(queries).toHaveLength(2);
    const [query, counted] = queries;
    expect(query?.instrumentationScope.name).toBe('@opentelemetry/instrumentation-pg');
    expect(query?.attributes['stitch.component']).toBe('query');
    expect(query?.attributes['stitch.query.name']).toBe('invoice.total');
    expect(query?.attributes['tenant.id']).toBe(TENANT);
    expect(query?.attributes['stitch.budget_ms']).toBe(200);
    expect(spans.filter((s) => s.instrumentationScope.name === '@stitch/kernel' && s.kind === SpanKind.CLIENT)).toEqual([]);
    // A named statement gets the static comment (it stays prepared); an unnamed one the request's.
    expect(String(query?.attributes['db.query.text'])).toContain(`application='otel-pg-test'`);
    const text = String(counted?.attributes['db.query.text']);
    expect(counted?.attributes['tenant.id']).toBe(TENANT);
    expect(text).toContain(`tenant_id='${TENANT}'`);
    expect(text).toContain(`request_id='req-otel-pg-1'`);
    expect(text).toContain(`traceparent='00-${traceId}-`);
  });

  it('a failed query is one span too, pg\'s, marked failed', async () => {
    const traceId = await runInNewContext({ name: 'job', requestId: 'req-otel-pg-2' }, () =>
      withSpan('request', async (span) => {
        await expect(db.query(`SELECT nope FROM ${schema}.invoices`)).rejects.toThrow(/nope/);
        return span.spanContext().traceId;
      }),
    );
    const spans = await spansOf(traceId);
    const queries = spans.filter((s) => s.kind === SpanKind.CLIENT && String(s.attributes['db.query.text'] ?? '').includes('nope'));
    expect(queries).toHaveLength(1);
    expect(queries[0]?.status.code).toBe(2);
    expect(queries[0]?.attributes['stitch.component']).toBe('query');
  });
});
