import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { ErrorsResponseSchema, RetriesResponseSchema } from '@stitch/contract';
import { runInNewContext, startStitch, withContext, withSpan } from '@stitch/kernel';
import type { StitchHandle } from '@stitch/kernel';
import { consumeEvents, createCheckpointStore, createInProcessBus } from '@stitch/kernel/events';
import { createJobs, inProcessJobEngine } from '@stitch/kernel/jobs';
import { createOutbox, createOutboxRelay } from '@stitch/kernel/outbox';
import { createWebhooks } from '@stitch/kernel/webhooks';
import { createPgliteDatabase } from '@stitch/kernel/db/pglite';
import { stitchRequestListener } from '@stitch/kernel/edge/node-http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

// `stitch retries` and `stitch errors` asked of what the kernel really exports (its OTLP
// exporter into a real collector), not of spans written by hand: a request that enqueues a job
// failing twice before it succeeds, a busy healthy job, an event consumer that keeps failing, a
// webhook endpoint answering 503 beside a busy healthy one, and a failed approval step.
const ACME = 'bbbbbbbb-0000-4000-8000-000000000001';
const INITECH = 'bbbbbbbb-0000-4000-8000-000000000002';
let c: TestCollector;
let stitch: StitchHandle;
const servers: Server[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  c = await startTestCollector();
  stitch = startStitch({
    serviceName: 'shop',
    env: {},
    tracing: { export: { exporter: 'otlp', protocol: 'http/json', endpoint: `${c.url}/v1/traces` } },
  });
  const db = createPgliteDatabase(new PGlite());

  const engine = inProcessJobEngine();
  const jobs = createJobs({ engine, defaults: { attempts: 3, backoffMillis: 1 } });
  let renders = 0;
  await jobs.worker('invoice.render', async () => {
    renders += 1;
    if (renders < 3) throw new Error('pdf renderer timed out');
  });
  await jobs.worker('receipt.send', async () => undefined);

  const outbox = createOutbox({ db, schema: 'shop_events' });
  const checkpoints = createCheckpointStore({ db, schema: 'shop_events' });
  const hooks = createWebhooks({ db, schema: 'shop_hooks', allowNetworks: ['127.0.0.1/32'], maxAttempts: 4, baseBackoffMillis: 0, random: () => 0 });
  const receiver = await listen(createServer((req, res) => res.writeHead(req.url === '/storm' ? 503 : 200).end()));
  const { storm, busy } = await runInNewContext({ name: 'setup' }, async () => {
    await outbox.migrate();
    await checkpoints.migrate();
    await hooks.migrate();
    return {
      storm: await hooks.addEndpoint({ tenantId: INITECH, url: `${receiver}/storm`, id: 'ep-storm' }),
      busy: await hooks.addEndpoint({ tenantId: ACME, url: `${receiver}/busy`, id: 'ep-busy' }),
    };
  });
  const bus = createInProcessBus({ maxDeliveries: 5, retryDelayMillis: 1 });
  await consumeEvents({
    bus,
    name: 'order-notifier',
    checkpoints,
    types: ['order.paid'],
    actions: [{ kind: 'email', run: async () => Promise.reject(new Error('smtp refused')) }],
  });

  // The service: each route runs in the tenant auth middleware would set.
  const routes: Record<string, (req: IncomingMessage) => Promise<unknown>> = {
    '/invoices': () => jobs.enqueue('invoice.render', {}),
    '/receipts': () => jobs.enqueue('receipt.send', {}),
    '/orders/:id/pay': () => db.transaction((tx) => outbox.add(tx, { type: 'order.paid', payload: {} })),
    '/hooks/:id': (req) => hooks.send({ endpointId: req.url?.endsWith('storm') ? storm.id : busy.id, eventId: `evt-${Math.random()}`, eventType: 'order.paid', payload: {} }),
    '/orders/:id/approve': () =>
      withSpan('approval.manager_sign_off', async () => {
        throw Object.assign(new Error(`approval ${Math.floor(Math.random() * 1000)} needs manager sign-off`), { code: 'APPROVAL_SIGN_OFF_MISSING' });
      }),
  };
  const app = await listen(
    createServer(
      stitchRequestListener(
        async (req: IncomingMessage, res: ServerResponse) => {
          const route = Object.keys(routes).find((r) => new RegExp(`^${r.replace(/:\w+/g, '[^/]+')}$`).test(req.url ?? ''))!;
          const tenantId = req.headers['x-tenant'] as string;
          try {
            await withContext({ tenantId }, () => routes[route]!(req));
            res.end('ok');
          } catch {
            res.writeHead(409).end('refused');
          }
        },
        { routes: Object.keys(routes) },
      ),
    ),
  );
  const call = async (path: string, tenantId: string) => (await fetch(`${app}${path}`, { method: 'POST', headers: { 'x-tenant': tenantId } })).text();

  await call('/invoices', ACME);
  for (let i = 0; i < 6; i++) await call('/receipts', i % 2 === 0 ? ACME : INITECH);
  await call('/orders/1/pay', ACME);
  await call('/hooks/storm', INITECH);
  for (let i = 0; i < 8; i++) await call('/hooks/busy', ACME);
  for (const tenant of [INITECH, INITECH, ACME]) await call('/orders/9/approve', tenant);

  await engine.idle();
  await createOutboxRelay({ db, outbox, bus }).relayOnce();
  await bus.idle();
  // Dispatch until the storm's delivery is dead: its 4 attempts, each due at once (no backoff).
  await vi.waitFor(async () => expect(await hooks.dispatchDue()).toBe(0), { timeout: 10_000 });
  await jobs.close();
  await stitch.shutdown();
  await db.close();
});
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await c.stop();
});

describe('the failure questions on the kernel’s own export', () => {
  it('stitch retries: the consumer that kept failing, the webhook storm and the retried job, before the busy healthy endpoint and job', async () => {
    const res = await c.get('/api/retries?since=1h', c.token('traces:read'));
    expect(res.status).toBe(200);
    const { loops } = RetriesResponseSchema.parse(await res.json());
    expect(loops.map((l) => [l.kind, l.name, l.eventType, l.attempts, l.retries, l.failures])).toEqual([
      ['consumer', 'order-notifier', 'order.paid', 5, 4, 5],
      ['webhook', 'ep-storm', null, 4, 3, 4],
      ['job', 'invoice.render', null, 3, 2, 2],
      ['webhook', 'ep-busy', null, 8, 0, 0],
      ['job', 'receipt.send', null, 6, 0, 0],
    ]);
    expect(loops[0]).toMatchObject({ lastError: 'smtp refused', tenants: [{ tenantId: ACME, attempts: 5, retries: 4 }] });
    expect(loops[1]?.tenants).toEqual([{ tenantId: INITECH, attempts: 4, retries: 3 }]);
    expect(loops[2]).toMatchObject({ maxAttempt: 3, lastError: 'pdf renderer timed out', tenants: [{ tenantId: ACME, attempts: 3, retries: 2 }] });
    for (const loop of loops) expect(loop.exampleTraceIds.length).toBeGreaterThan(0);
  });

  it('stitch errors: each failure once, under the request that caused it, at its failing step, with its code and tenants', async () => {
    const res = await c.get('/api/errors?since=1h', c.token('traces:read'));
    expect(res.status).toBe(200);
    const { groups } = ErrorsResponseSchema.parse(await res.json());
    const rows = groups.map((g) => [g.entryKind, g.entry, g.step, g.errorType, g.count, g.tenants]);
    expect(rows).toContainEqual(['http', '/orders/:id/pay', 'action.email', 'Error', 5, [{ tenantId: ACME, count: 5 }]]);
    expect(rows).toContainEqual([
      'http',
      '/orders/:id/approve',
      'approval.manager_sign_off',
      'APPROVAL_SIGN_OFF_MISSING',
      3,
      [
        { tenantId: INITECH, count: 2 },
        { tenantId: ACME, count: 1 },
      ],
    ]);
    expect(rows).toContainEqual(['http', '/invoices', 'job invoice.render', 'Error', 2, [{ tenantId: ACME, count: 2 }]]);
    expect(rows).toContainEqual(['http', '/hooks/:id', 'webhook.deliver', expect.anything(), 4, [{ tenantId: INITECH, count: 4 }]]);
    // No failure is shown a second time under an unknown entry, and the bookkeeping is not a failure.
    expect(groups.filter((g) => g.entry === null)).toEqual([]);
    expect(groups).toHaveLength(4);
  });
});
