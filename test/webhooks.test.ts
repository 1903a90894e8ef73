import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext } from '../packages/kernel/src/core/context/context-store.js';
import { startStitch } from '../packages/kernel/src/setup/start-stitch.js';
import { setStrictMode } from '../packages/kernel/src/setup/config/strict-mode.js';
import { verifyWebhook } from '../packages/kernel/src/hops/webhooks/webhook-signature.js';
import { createWebhooks } from '../packages/kernel/src/hops/webhooks/webhooks.js';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { asQueryable, newPool, uniqueName } from './helpers/pg-queryable.js';

const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'webhooks-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
const pool = newPool();
const db = asQueryable(pool);
const schema = uniqueName('stitch_webhooks');

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

// One receiver for every test; a path's behaviour is a queue of answers ('hang' never answers).
const received: Received[] = [];
const answers = new Map<string, (number | 'hang' | 'redirect')[]>();
let server: Server;
let base: string;

function webhooks(extra: Partial<Parameters<typeof createWebhooks>[0]> = {}) {
  return createWebhooks({ db, schema, allowNetworks: ['127.0.0.1/32'], baseBackoffMillis: 0, random: () => 0, timeoutMillis: 2_000, ...extra });
}

// These tests register endpoints and send deliveries from the test body, outside any request,
// to exercise delivery itself; strict mode's check of a send outside any context is tested in
// packages/kernel/src/config/strict-mode.test.ts.
beforeAll(() => setStrictMode(false));
afterAll(() => setStrictMode(undefined));

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const answer = answers.get(path)?.shift() ?? 200;
      if (answer === 'hang') return; // never answers: the sender's timeout must cut it
      if (answer === 'redirect') return res.writeHead(302, { location: `${base}/redirect-target` }).end();
      res.writeHead(answer).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await webhooks().migrate();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
  await stitch.shutdown();
});

async function drain(hooks: ReturnType<typeof webhooks>, passes = 10): Promise<void> {
  for (let i = 0; i < passes; i += 1) if ((await hooks.dispatchDue()) === 0) return;
}

describe('webhook deliveries (real Postgres, real HTTP)', () => {
  it('a delivery is signed, carries the request’s traceparent, and its attempt record has trace, tenant, status and latency', async () => {
    const hooks = webhooks();
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/signed` });
    const sent = await runInNewContext({ name: 'POST /invoices', tenantId: TENANT_A, requestId: 'req-webhook-1' }, async () => ({
      ...(await hooks.send({ endpointId: endpoint.id, eventId: 'evt_1', eventType: 'invoice.paid', payload: { amount: 12 } })),
      traceId: currentContext().traceId,
    }));
    await drain(hooks);

    const request = received.find((r) => r.path === '/signed');
    expect(request).toBeDefined();
    const verified = verifyWebhook({ headers: request?.headers ?? {}, body: request?.body ?? '', secret: endpoint.secret });
    expect(verified).toMatchObject({ ok: true, id: sent.deliveryId });
    expect(request?.headers.traceparent).toMatch(new RegExp(`^00-${sent.traceId}-[0-9a-f]{16}-0[23]$`));
    expect(JSON.parse(request?.body ?? '{}')).toEqual({ amount: 12 });

    const [attempt] = await hooks.attempts(sent.deliveryId);
    expect(attempt).toMatchObject({ attempt: 1, eventId: 'evt_1', endpointId: endpoint.id, tenantId: TENANT_A, traceId: sent.traceId, statusCode: 200, finalState: 'delivered' });
    expect(attempt?.latencyMillis).toBeGreaterThan(0);
    const span = exporter.getFinishedSpans().find((s) => s.name === 'webhook.deliver' && s.attributes['stitch.webhook.endpoint'] === endpoint.id);
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.spanContext().traceId).toBe(sent.traceId);
    expect(span?.attributes).toMatchObject({ 'stitch.component': 'external', 'stitch.webhook.attempt': 1, 'http.response.status_code': 200, 'tenant.id': TENANT_A });
    expect(String(request?.headers.traceparent).split('-')[2]).toBe(span?.spanContext().spanId);
  });

  it('a failing endpoint is retried with backoff until it answers, each attempt recorded with its next attempt time', async () => {
    const hooks = webhooks();
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/flaky` });
    answers.set('/flaky', [500, 503]);
    const { deliveryId } = await hooks.send({ endpointId: endpoint.id, eventId: 'evt_2', eventType: 'invoice.paid', payload: {} });
    await drain(hooks);
    const attempts = await hooks.attempts(deliveryId);
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.errorClass, a.finalState])).toEqual([
      [1, 500, 'http_status', 'retrying'],
      [2, 503, 'http_status', 'retrying'],
      [3, 200, undefined, 'delivered'],
    ]);
    expect(attempts[0]?.nextAttemptAt).toBeInstanceOf(Date);
    expect(new Set(attempts.map((a) => a.traceId)).size).toBe(3); // no parent request: a trace per attempt
  });

  it('backlog() counts a waiting delivery, then as retrying after a failed attempt, and neither once delivered', async () => {
    const hooks = webhooks();
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/backlog` });
    answers.set('/backlog', [500]);
    const before = await hooks.backlog();
    await hooks.send({ endpointId: endpoint.id, eventId: 'evt_backlog', eventType: 'invoice.paid', payload: {} });
    expect(await hooks.backlog()).toEqual({ pending: before.pending + 1, retrying: before.retrying });
    await hooks.dispatchDue();
    expect(await hooks.backlog()).toEqual({ pending: before.pending + 1, retrying: before.retrying + 1 });
    await drain(hooks);
    expect(await hooks.backlog()).toEqual(before);
  });

  it('after maxAttempts a delivery is dead-lettered; a redirect is a failure and is not followed', async () => {
    const hooks = webhooks({ maxAttempts: 2 });
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/redirecting` });
    answers.set('/redirecting', ['redirect', 'redirect']);
    const { deliveryId } = await hooks.send({ endpointId: endpoint.id, eventId: 'evt_3', eventType: 'x', payload: {} });
    await drain(hooks);
    expect((await hooks.attempts(deliveryId)).map((a) => [a.statusCode, a.errorClass, a.finalState])).toEqual([
      [302, 'redirect', 'retrying'],
      [302, 'redirect', 'dead'],
    ]);
    expect((await hooks.delivery(deliveryId))?.state).toBe('dead');
    expect(received.some((r) => r.path === '/redirect-target')).toBe(false);
  });

  it('a 410 disables the endpoint: its other deliveries stop without another request', async () => {
    const hooks = webhooks();
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/gone` });
    answers.set('/gone', [410]);
    const first = await hooks.send({ endpointId: endpoint.id, eventId: 'evt_4', eventType: 'x', payload: {} });
    await drain(hooks);
    const second = await hooks.send({ endpointId: endpoint.id, eventId: 'evt_5', eventType: 'x', payload: {} });
    await drain(hooks);
    expect((await hooks.attempts(first.deliveryId)).map((a) => [a.statusCode, a.errorClass, a.finalState])).toEqual([[410, 'gone', 'disabled']]);
    expect((await hooks.attempts(second.deliveryId)).map((a) => [a.errorClass, a.finalState])).toEqual([['endpoint_disabled', 'disabled']]);
    expect((await hooks.endpoint(endpoint.id))?.disabledAt).toBeInstanceOf(Date);
    expect(received.filter((r) => r.path === '/gone')).toHaveLength(1);
  });

  it('a hanging endpoint is cut at the timeout and counts as a failed attempt; the dead letter is logged with its trace', async () => {
    const warnings: { fields: Record<string, unknown>; traceId: string | undefined }[] = [];
    const logger = { warn: (fields: Record<string, unknown>) => void warnings.push({ fields, traceId: currentContext().traceId }) };
    const hooks = webhooks({ timeoutMillis: 150, maxAttempts: 1, logger });
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/hang` });
    answers.set('/hang', ['hang']);
    const { deliveryId } = await hooks.send({ endpointId: endpoint.id, eventId: 'evt_6', eventType: 'x', payload: {} });
    await drain(hooks);
    const attempts = await hooks.attempts(deliveryId);
    expect(attempts.map((a) => [a.statusCode, a.errorClass, a.finalState])).toEqual([[undefined, 'timeout', 'dead']]);
    expect(warnings).toEqual([{ fields: expect.objectContaining({ webhook_delivery_id: deliveryId, final_state: 'dead', error_class: 'timeout' }), traceId: attempts[0]?.traceId }]);
  });

  it('a destination on a private network is refused after resolution, and no request leaves', async () => {
    const hooks = webhooks({ allowNetworks: [] });
    const byName = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base.replace('127.0.0.1', 'localhost')}/private` });
    const { deliveryId } = await hooks.send({ endpointId: byName.id, eventId: 'evt_7', eventType: 'x', payload: {} });
    await drain(hooks);
    const [attempt] = await hooks.attempts(deliveryId);
    expect(attempt).toMatchObject({ errorClass: 'forbidden_destination', finalState: 'dead' });
    expect(attempt?.errorDetail).toMatch(/loopback/);
    expect(received.some((r) => r.path === '/private')).toBe(false);
  });

  it('deliveries survive a restart, and two dispatchers at once deliver each exactly once', async () => {
    const before = webhooks();
    const endpoint = await before.addEndpoint({ tenantId: TENANT_B, url: `${base}/many` });
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await before.send({ endpointId: endpoint.id, eventId: `evt_m${i}`, eventType: 'x', payload: { i } })).deliveryId);
    // "Restart": the instance that persisted them is gone; two new dispatchers share the table.
    const a = webhooks({ batchSize: 4 });
    const b = webhooks({ batchSize: 4 });
    await Promise.all([drain(a, 20), drain(b, 20)]);
    const delivered = received.filter((r) => r.path === '/many').map((r) => r.headers['webhook-id']);
    expect(delivered.sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await a.delivery(id))?.state).toBe('delivered');
  });

  it('a delivery claimed by a dispatcher that died is claimed again once its lease expires', async () => {
    const hooks = webhooks({ leaseMillis: 60_000 });
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/orphaned` });
    const { deliveryId } = await hooks.send({ endpointId: endpoint.id, eventId: 'evt_lease', eventType: 'x', payload: {} });
    // What a dispatcher killed mid-attempt leaves behind: claimed (attempt 1), lease now expired.
    await pool.query(`UPDATE ${schema}.webhook_deliveries SET state = 'delivering', attempts = 1, lease_until = now() - interval '1 second' WHERE id = $1`, [deliveryId]);
    await drain(hooks);
    expect((await hooks.attempts(deliveryId)).map((a) => [a.attempt, a.finalState])).toEqual([[2, 'delivered']]);
    expect(received.filter((r) => r.path === '/orphaned')).toHaveLength(1);
  });

  it('idle dispatch passes make no spans; a pass with work traces the delivery and its bookkeeping in the request’s trace', async () => {
    const fresh = uniqueName('stitch_webhooks_idle');
    try {
      // The kernel's traced driver: every statement would be a span if the claim made one.
      const hooks = createWebhooks({ db: createPgDatabase(pool), schema: fresh, allowNetworks: ['127.0.0.1/32'] });
      await hooks.migrate();
      exporter.reset();
      for (let i = 0; i < 5; i += 1) expect(await hooks.dispatchDue()).toBe(0);
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([]);

      const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/idle-then-work` });
      const traceId = await runInNewContext({ name: 'POST /invoices', tenantId: TENANT_A, requestId: 'req-idle-1' }, async () => {
        await hooks.send({ endpointId: endpoint.id, eventId: 'evt_idle', eventType: 'invoice.paid', payload: {} });
        return currentContext().traceId;
      });
      exporter.reset();
      expect(await hooks.dispatchDue()).toBe(1);
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).toContain('webhook.deliver');
      expect(spans.length).toBeGreaterThan(1);
      expect(spans.filter((s) => s.spanContext().traceId !== traceId).map((s) => s.name)).toEqual([]);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`);
    }
  });

  it('migrate() is idempotent and may run in two processes at once', async () => {
    const fresh = uniqueName('stitch_webhooks_mig');
    try {
      const a = createWebhooks({ db, schema: fresh });
      const b = createWebhooks({ db, schema: fresh });
      await Promise.all([a.migrate(), b.migrate()]);
      await a.migrate();
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`, [fresh]);
      expect(rows[0]?.n).toBe(3);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`);
    }
  });

  it('a delivery sent in a transaction that rolls back is never attempted', async () => {
    const hooks = webhooks();
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_A, url: `${base}/tx` });
    const client = await pool.connect();
    let deliveryId: string;
    try {
      await client.query('BEGIN');
      ({ deliveryId } = await hooks.send({ endpointId: endpoint.id, eventId: 'evt_tx', eventType: 'x', payload: {} }, { db: asQueryable(client) }));
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await drain(hooks);
    expect(await hooks.delivery(deliveryId)).toBeUndefined();
    expect(received.some((r) => r.path === '/tx')).toBe(false);
  });

  it('sending to another tenant’s endpoint from a request is refused with a coded error, and nothing is stored', async () => {
    const hooks = webhooks();
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT_B, url: `${base}/other-tenant` });
    await expect(
      runInNewContext({ name: 'req', tenantId: TENANT_A }, () => hooks.send({ endpointId: endpoint.id, eventId: 'evt_x', eventType: 'x', payload: {} })),
    ).rejects.toMatchObject({ code: 'STITCH_ERR_WEBHOOK_TENANT_MISMATCH' });
    await expect(hooks.addEndpoint({ tenantId: TENANT_A, url: 'ftp://example.com/' })).rejects.toMatchObject({ code: 'STITCH_ERR_WEBHOOK_ENDPOINT_INVALID' });
  });

  it('retryStorm() names the endpoint with the most attempts in the window, with its tenants and trace ids', async () => {
    const since = new Date(Date.now() - 60_000);
    const hooks = webhooks({ maxAttempts: 5 });
    const storm = await hooks.addEndpoint({ tenantId: TENANT_B, url: `${base}/storm` });
    answers.set('/storm', Array.from({ length: 10 }, () => 500));
    const requestTraces: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      await runInNewContext({ name: 'req', tenantId: TENANT_B }, async () => {
        requestTraces.push(currentContext().traceId);
        await hooks.send({ endpointId: storm.id, eventId: `evt_s${i}`, eventType: 'x', payload: {} });
      });
    }
    await drain(hooks, 20);
    const ranking = await hooks.retryStorm({ since });
    expect(ranking[0]).toMatchObject({ endpointId: storm.id, attempts: 10, retries: 8, failures: 10, deliveries: 2, tenantIds: [TENANT_B] });
    // Retries stay in the trace of the request that sent the webhook.
    expect([...(ranking[0]?.traceIds ?? [])].sort()).toEqual(requestTraces.sort());
    expect(ranking[0]?.url).toContain('/storm');
  });
});
