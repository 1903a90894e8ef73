/**
 * 200 interleaved requests across 20 tenants, each enqueuing a job (BullMQ, run records in
 * Postgres) and sending a webhook (persisted in the request's transaction, delivered by two
 * dispatchers at once). Every job run and every webhook attempt record must carry its own
 * request's trace id and tenant, and none another's; so must the handler's context and the
 * traceparent the receiver sees.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { currentContext, runInNewContext, startStitch, withContext, withoutStrictMode } from '@stitch/kernel';
import { createJobs, createSqlRunStore } from '@stitch/kernel/jobs';
import { createWebhooks } from '@stitch/kernel/webhooks';
import type { TraceContext } from '@stitch/kernel';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { bullmqJobEngine } from '@stitch/kernel/jobs/bullmq';

const suffix = randomBytes(4).toString('hex');
const SCHEMA = `stitch_jw_${suffix}`;
const PREFIX = `stitch-jw-${suffix}`;
const REDIS = { host: '127.0.0.1', port: 6379 };
const REQUESTS = 200;
const TENANTS = Array.from({ length: 20 }, () => randomUUID());
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 8 });
const db = createPgDatabase(pool, { application: 'jobs-webhooks-concurrency' });
const runs = createSqlRunStore(db, { schema: SCHEMA });
const jobs = createJobs({ engine: bullmqJobEngine({ connection: REDIS, prefix: PREFIX }), runs, byName: { 'order.fulfil': { concurrency: 8 } } });
const dispatchers = [0, 1].map(() => createWebhooks({ db, schema: SCHEMA, allowNetworks: ['127.0.0.1/32'], timeoutMillis: 5_000, batchSize: 10, pollIntervalMillis: 20 }));
const received: { tenant: string; traceparent: string; body: { requestId: string } }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ tenant: (req.url ?? '').slice(1), traceparent: String(req.headers.traceparent), body: JSON.parse(Buffer.concat(chunks).toString()) });
    res.writeHead(204).end();
  });
});
const endpoints = new Map<string, string>();

beforeAll(async () => {
  startStitch({ serviceName: 'jobs-webhooks-concurrency', tracing: { budgets: { enabled: false }, export: { exporter: 'none' } } });
  await runs.migrate();
  await dispatchers[0]?.migrate();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Registered from the test's setup, outside any request on purpose.
  for (const tenantId of TENANTS) endpoints.set(tenantId, (await withoutStrictMode(() => dispatchers[0]!.addEndpoint({ tenantId, url: `${base}/${tenantId}` }))).id);
});

afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.stop()));
  await jobs.close();
  const queue = new Queue('order.fulfil', { connection: REDIS, prefix: PREFIX });
  await queue.obliterate({ force: true });
  await queue.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await db.close();
});

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

it('keeps every job run and webhook attempt on its own request’s trace and tenant', async () => {
  const ran: { requestId: string; ctx: TraceContext }[] = [];
  await jobs.worker<{ requestId: string }>('order.fulfil', async ({ requestId }) => {
    await tick();
    ran.push({ requestId, ctx: currentContext() });
  });
  dispatchers.forEach((d) => d.start());

  const requests = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      runInNewContext({ name: 'POST /orders', requestId: `req-${suffix}-${i}` }, async () => {
        await tick();
        const tenantId = TENANTS[i % TENANTS.length] as string;
        return withContext({ tenantId }, async () => {
          await tick();
          const { requestId } = currentContext();
          const webhook = await db.transaction(async (tx) => {
            await tick();
            return (await dispatchers[i % 2]!.send({ endpointId: endpoints.get(tenantId)!, eventId: `evt-${i}`, eventType: 'order.created', payload: { requestId } }, { db: tx })).deliveryId;
          });
          const job = await jobs.enqueue('order.fulfil', { requestId });
          return { ctx: currentContext(), runId: job.runId, deliveryId: webhook };
        });
      }),
    ),
  );

  for (let i = 0; i < 1_000 && (ran.length < REQUESTS || received.length < REQUESTS); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  const byRequest = new Map(requests.map((r) => [r.ctx.requestId, r]));

  // Job handlers ran in their request's trace, with its tenant.
  expect(new Set(ran.map((r) => r.requestId)).size).toBe(REQUESTS);
  for (const { requestId, ctx } of ran) {
    const request = byRequest.get(requestId)!;
    expect([ctx.traceId, ctx.tenantId]).toEqual([request.ctx.traceId, request.ctx.tenantId]);
  }
  // Run records, read back from Postgres: each run's origin is its own request.
  for (const request of requests) {
    const origin = await withoutStrictMode(() => jobs.origin(request.runId)); // read back from outside any request
    expect(origin?.outcome).toBe('succeeded');
    expect([origin?.traceId, origin?.parentTraceId, origin?.parentRequestId, origin?.tenantId]).toEqual([
      request.ctx.traceId,
      request.ctx.traceId,
      request.ctx.requestId,
      request.ctx.tenantId,
    ]);
    expect(new Set(origin?.attempts.map((a) => `${a.traceId}/${a.tenantId}`))).toEqual(new Set([`${request.ctx.traceId}/${request.ctx.tenantId}`]));
  }
  // Webhooks: the receiver saw each request's traceparent on its tenant's endpoint, and each
  // attempt record carries the request's trace id and tenant.
  expect(received).toHaveLength(REQUESTS);
  for (const hit of received) {
    const request = byRequest.get(hit.body.requestId)!;
    expect(hit.tenant).toBe(request.ctx.tenantId);
    expect(hit.traceparent.slice(3, 35)).toBe(request.ctx.traceId);
  }
  for (const request of requests) {
    const attempts = await withoutStrictMode(() => dispatchers[0]!.attempts(request.deliveryId));
    expect(attempts.map((a) => [a.traceId, a.tenantId, a.finalState])).toEqual([[request.ctx.traceId, request.ctx.tenantId, 'delivered']]);
  }
});
