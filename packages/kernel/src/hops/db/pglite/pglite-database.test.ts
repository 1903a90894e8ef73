import { PGlite } from '@electric-sql/pglite';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInNewContext, withContext } from '../../../core/context/context-store.js';
import { applySemconvOptIn } from '../../../core/tracing/semconv-opt-in.js';
import { loadConfig } from '../../../setup/config/load-config.js';
import { startStitch } from '../../../setup/start-stitch.js';
import { withoutStrictMode } from '../../../setup/config/strict-mode.js';
import type { StitchHandle } from '../../../setup/start-stitch.js';
import type { Database } from '../database.js';
import { createPgliteDatabase } from './pglite-database.js';

const TENANT = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const exporter = new InMemorySpanExporter();
const violations: Record<string, unknown>[] = [];
let stitch: StitchHandle;
let pglite: PGlite;
let db: Database;

beforeAll(async () => {
  stitch = startStitch({
    serviceName: 'db-test',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    tracing: { budgets: { overrides: { query: { 'slow.sleep': 1 } } } },
    logger: { warn: (fields) => violations.push(fields) },
  });
  pglite = new PGlite();
  db = createPgliteDatabase(pglite, { application: 'db-test' });
  // The test's own DDL, outside any request on purpose.
  await withoutStrictMode(() => db.query('CREATE TABLE items (id int PRIMARY KEY, label text)'));
});

afterAll(async () => {
  await db.close();
  await stitch.shutdown();
});

beforeEach(() => {
  exporter.reset();
  violations.length = 0;
});

// The text the database received, comment included, read back with current_query() (the
// statement being executed) from inside that very statement.
async function sentText(): Promise<string> {
  const { rows } = await db.query<{ q: string }>('SELECT current_query() AS q');
  return rows[0]?.q ?? '';
}

describe('createPgliteDatabase', () => {
  it('sends each statement with a sqlcommenter comment naming its own span, tenant, route, request and driver', async () => {
    const { text, traceId, spanId } = await runInNewContext({ name: 'req', requestId: 'req-00000001', routeId: '/items/:id' }, () =>
      withContext({ tenantId: TENANT }, async () => {
        const q = await sentText();
        const span = exporter.getFinishedSpans().find((s) => s.name === 'SELECT');
        return { text: q, traceId: span?.spanContext().traceId, spanId: span?.spanContext().spanId };
      }),
    );
    expect(text).toBe(
      `SELECT current_query() AS q /*application='db-test',db_driver='%40electric-sql%2Fpglite',request_id='req-00000001',route='%2Fitems%2F%3Aid',tenant_id='${TENANT}',traceparent='00-${traceId}-${spanId}-01'*/`,
    );
  });

  it('makes each query a span named by the caller, with the statement without values, row count and tenant', async () => {
    await runInNewContext({ name: 'req', tenantId: TENANT }, async () => {
      await db.query("INSERT INTO items VALUES ($1, 'secret literal'), (2, $2)", [1, 'x'], { name: 'items.insert' });
      await db.query('SELECT * FROM items');
    });
    const [insert, select] = exporter.getFinishedSpans().filter((s) => s.name !== 'req');
    expect(insert?.name).toBe('items.insert');
    expect(insert?.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.query.text': 'INSERT INTO items VALUES ($1, ?), (?, $2)',
      // The caller's name is Stitch's; the convention's summary stays low-cardinality.
      'stitch.query.name': 'items.insert',
      'db.query.summary': 'INSERT items',
      'db.response.returned_rows': 2,
      'stitch.component': 'query',
      'tenant.id': TENANT,
    });
    expect(insert?.attributes).not.toHaveProperty('db.system');
    expect(insert?.attributes).not.toHaveProperty('db.query.name');
    expect(select?.name).toBe('SELECT items');
    expect(select?.attributes['db.query.summary']).toBe('SELECT items');
    expect(select?.attributes['db.response.returned_rows']).toBe(2);
  });

  it('writes the deprecated db.system and db.query.name beside the current names only under OTEL_SEMCONV_STABILITY_OPT_IN=database/dup', async () => {
    // What startStitch hands the hops from the config the loader read.
    applySemconvOptIn(loadConfig({ env: { OTEL_SEMCONV_STABILITY_OPT_IN: 'database/dup' } }).semconv.stabilityOptIn);
    try {
      await runInNewContext({ name: 'req', tenantId: TENANT }, () => db.query('SELECT 1', [], { name: 'probe.one' }));
    } finally {
      applySemconvOptIn([]);
    }
    const probe = exporter.getFinishedSpans().find((s) => s.name === 'probe.one');
    expect(probe?.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.system': 'postgresql', 'stitch.query.name': 'probe.one', 'db.query.name': 'probe.one' });
  });

  it('records a failing statement on its span and rethrows the driver error unchanged', async () => {
    await expect(withoutStrictMode(() => db.query('SELECT * FROM no_such_table'))).rejects.toThrow(/no_such_table/);
    const span = exporter.getFinishedSpans()[0];
    expect(span?.status.code).toBe(2);
    expect(span?.attributes['db.response.status_code']).toBe('42P01');
    expect(span?.attributes['error.type']).toBe('42P01');
  });

  it('commits a transaction, and rolls back every write of one whose callback throws', () =>
    withoutStrictMode(async () => {
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO items VALUES (10, $1)', ['kept']);
      });
      const failure = new Error('business rule');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO items VALUES (11, $1)', ['lost']);
          throw failure;
        }),
      ).rejects.toBe(failure);
      const { rows } = await db.query<{ id: number }>('SELECT id FROM items WHERE id >= 10 ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([10]);
      const transactions = exporter.getFinishedSpans().filter((s) => s.name === 'transaction');
      expect(transactions.map((s) => s.attributes['db.transaction.outcome'])).toEqual(['commit', 'rollback']);
      const insert = exporter.getFinishedSpans().find((s) => s.attributes['db.query.text'] === 'INSERT INTO items VALUES (?, $1)');
      expect(insert?.parentSpanContext?.spanId).toBe(transactions[0]?.spanContext().spanId);
    }));

  it('puts each query under the query budget: a slow one is a perf_violation with component query, its name, trace and tenant', async () => {
    const traceId = await runInNewContext({ name: 'req', tenantId: TENANT }, async () => {
      await db.query('SELECT pg_sleep(0.01)', [], { name: 'slow.sleep' });
      return exporter.getFinishedSpans()[0]?.spanContext().traceId;
    });
    expect(violations).toEqual([
      expect.objectContaining({ perf_violation: true, component: 'query', name: 'slow.sleep', budget_ms: 1, trace_id: traceId, tenant_id: TENANT }),
    ]);
    const span = exporter.getFinishedSpans().find((s) => s.name === 'slow.sleep');
    expect(span?.attributes['stitch.perf_violation']).toBe(true);
    expect(span?.events.map((e) => e.name)).toContain('stitch.perf_violation');
  });

  it('rejects invalid options with a coded error', () => {
    expect(() => createPgliteDatabase(pglite, { application: '' })).toThrow(
      expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID' }) as Error,
    );
  });
});
