/**
 * 200 interleaved requests across 20 tenants, each writing a business row, an audit row and an
 * outbox event in one transaction on the real Postgres, relayed by two relays at once to NATS
 * JetStream and handled by a consumer. Every SQL comment, audit row, outbox row, bus message and
 * handler run must carry its own request's trace id and tenant, and none another's.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { currentContext, runInNewContext, startStitch, withContext, withoutStrictMode } from '@stitch/kernel';
import { createAuditLog } from '@stitch/kernel/audit';
import { consumeEvents, createCheckpointStore } from '@stitch/kernel/events';
import { createOutbox, createOutboxRelay } from '@stitch/kernel/outbox';
import type { TraceContext } from '@stitch/kernel';
import type { EventEnvelope } from '@stitch/kernel/events';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { createNatsBus } from '@stitch/kernel/events/nats';

const suffix = randomBytes(4).toString('hex');
const SCHEMA = `stitch_conc_${suffix}`;
const STREAM = `STITCH_CONC_${suffix}`;
const REQUESTS = 200;
const TENANTS = Array.from({ length: 20 }, () => randomUUID());
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 8 });
const db = createPgDatabase(pool, { application: 'concurrency-test' });
const audit = createAuditLog({ db, schema: SCHEMA });
const outbox = createOutbox({ db, schema: SCHEMA });
const checkpoints = createCheckpointStore({ db, schema: SCHEMA });
let nats: NatsConnection;

beforeAll(async () => {
  startStitch({ serviceName: 'concurrency-test', tracing: { budgets: { enabled: false }, export: { exporter: 'none' } } });
  await audit.migrate();
  await outbox.migrate();
  await checkpoints.migrate();
  // The test's own DDL, outside any request on purpose.
  await withoutStrictMode(() => db.query(`CREATE TABLE ${SCHEMA}.orders (request_id text PRIMARY KEY, tenant_id text, trace_id text, sent_sql text)`));
  nats = await connect({ servers: '127.0.0.1:4222' });
});

afterAll(async () => {
  const manager = await nats.jetstreamManager();
  await manager.streams.delete(STREAM).catch(() => undefined);
  await nats.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await db.close();
});

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

it('keeps every comment, audit row, outbox row, bus message and handler run on its own request and tenant', async () => {
  const bus = await createNatsBus({ connection: nats, stream: STREAM, subjectPrefix: `stitch.conc.${suffix}` });
  const handled: { envelope: EventEnvelope; ctx: TraceContext }[] = [];
  const subscription = await consumeEvents({
    bus,
    name: `conc-${suffix}`,
    checkpoints,
    actions: [{ kind: 'record', run: async (envelope) => void handled.push({ envelope, ctx: currentContext() }) }],
  });
  const relays = [createOutboxRelay({ db, outbox, bus, batchSize: 16, pollIntervalMillis: 20 }), createOutboxRelay({ db, outbox, bus, batchSize: 16, pollIntervalMillis: 20 })];
  relays.forEach((relay) => relay.start());

  const requests = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      runInNewContext({ name: 'POST /orders', requestId: `req-${suffix}-${i}`, routeId: `/orders/${i % 7}` }, async () => {
        await tick();
        return withContext({ tenantId: TENANTS[i % TENANTS.length] }, async () => {
          await tick();
          await db.transaction(async (tx) => {
            const { traceId, requestId, tenantId } = currentContext();
            // Writes of one aggregate serialise on it, as a business update of the aggregate's row would.
            await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [tenantId]);
            // current_query() is the text Postgres received, comment included.
            await tx.query(`INSERT INTO ${SCHEMA}.orders VALUES ($1, $2, $3, current_query())`, [requestId, tenantId, traceId]);
            await tick();
            await audit.record({ action: 'order.create', target: `order:${i}` }, { tx });
            await outbox.add(tx, { type: 'order.created', aggregateType: 'tenant', aggregateId: tenantId, payload: { i } });
          });
          return currentContext();
        });
      }),
    ),
  );

  for (let i = 0; i < 500 && handled.length < REQUESTS; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  await Promise.all(relays.map((relay) => relay.stop()));
  await subscription.close();

  const byRequest = new Map(requests.map((r) => [r.requestId, r]));
  const { rows: orders } = await pool.query<{ request_id: string; tenant_id: string; trace_id: string; sent_sql: string }>(`SELECT * FROM ${SCHEMA}.orders`);
  expect(orders).toHaveLength(REQUESTS);
  for (const order of orders) {
    const request = byRequest.get(order.request_id) as TraceContext;
    expect(order.sent_sql).toContain(`request_id='${request.requestId}'`);
    expect(order.sent_sql).toContain(`tenant_id='${request.tenantId}'`);
    expect(order.sent_sql).toContain(`traceparent='00-${request.traceId}-`);
  }

  const { rows: audits } = await pool.query<{ request_id: string; tenant_id: string; trace_id: string }>(`SELECT request_id, tenant_id, trace_id FROM ${SCHEMA}.audit_events`);
  expect(audits).toHaveLength(REQUESTS);
  for (const row of audits) {
    const request = byRequest.get(row.request_id) as TraceContext;
    expect([row.tenant_id, row.trace_id]).toEqual([request.tenantId, request.traceId]);
  }

  const { rows: events } = await pool.query<{ id: string; seq: string; request_id: string; tenant_id: string; trace_id: string; traceparent: string; sent_at: Date | null }>(
    `SELECT id, seq, request_id, tenant_id, trace_id, traceparent, sent_at FROM ${SCHEMA}.outbox_events`,
  );
  expect(events).toHaveLength(REQUESTS);
  for (const row of events) {
    const request = byRequest.get(row.request_id) as TraceContext;
    expect([row.tenant_id, row.trace_id, row.traceparent.slice(3, 35)]).toEqual([request.tenantId, request.traceId, request.traceId]);
    expect(row.sent_at).not.toBeNull();
  }

  expect(new Set(handled.map((h) => h.envelope.id)).size).toBe(REQUESTS);
  for (const { envelope, ctx } of handled) {
    const request = byRequest.get(envelope.requestId ?? '') as TraceContext;
    expect(envelope.tenantId).toBe(request.tenantId);
    expect(envelope.traceparent?.slice(3, 35)).toBe(request.traceId);
    expect([ctx.traceId, ctx.tenantId, ctx.requestId]).toEqual([request.traceId, request.tenantId, request.requestId]);
  }
  // Per aggregate (here: per tenant), the handler saw events in the order they were added.
  const seqOf = new Map(events.map((e) => [e.id, Number(e.seq)]));
  for (const tenantId of TENANTS) {
    const order = handled.filter((h) => h.envelope.tenantId === tenantId).map((h) => seqOf.get(h.envelope.id) ?? -1);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
  await bus.close();
});
