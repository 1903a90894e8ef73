import { PGlite } from '@electric-sql/pglite';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TraceContext } from '@stitch/contract';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { batch } from '../../hops/batches/batch-run.js';
import type { Database } from '../../hops/db/database.js';
import { createPgliteDatabase } from '../../hops/db/pglite/pglite-database.js';
import { stitchRequestListener } from '../../hops/edge/node-http.js';
import { setRoute } from '../../hops/edge/start-request.js';
import { withSpan } from '../tracing/with-span.js';
import type { EdgeRequestListener } from '../../hops/edge/node-http.js';
import { createCheckpointStore } from '../../hops/events/checkpoint-store.js';
import { consumeEvents } from '../../hops/events/event-consumer.js';
import { decodeEnvelope } from '../../hops/events/event-envelope.js';
import { createInProcessBus } from '../../hops/events/in-process-bus.js';
import { runJobAttempt } from '../../hops/jobs/job-attempt.js';
import type { JobEngine } from '../../hops/jobs/job-engine.js';
import type { JobMessage } from '../../hops/jobs/job-envelope.js';
import { inProcessJobEngine } from '../../hops/jobs/in-process-engine.js';
import { createJobs } from '../../hops/jobs/jobs.js';
import { createMemoryRunStore } from '../../hops/jobs/memory-run-store.js';
import { createOutbox } from '../../hops/outbox/outbox.js';
import { createOutboxRelay } from '../../hops/outbox/outbox-relay.js';
import { startStitch } from '../../setup/start-stitch.js';
import { createWebhooks } from '../../hops/webhooks/webhooks.js';
import { currentContext, runInContext, runInNewContext, withContext } from './context-store.js';

// Each carrier's late span (a job's second attempt, a webhook retry, an event redelivery, a
// batch item) is exported long after the request that caused it, in its own batch, often by
// another process: it must name the request's route, tenant and entry kind itself (issue 11,
// "one failure, two rows").

const TENANT = '55555555-5555-4555-8555-555555555555';
const ROUTE = '/orders/:id';
const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'entry-carriers-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
const servers: Server[] = [];
let db: Database;

beforeAll(async () => {
  db = createPgliteDatabase(new PGlite());
});
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await db.close();
  await stitch.shutdown();
});
beforeEach(() => exporter.reset());

/**
 * Serves `work` behind the real edge on ROUTE, in TENANT (as auth middleware would), and calls it
 * once. `routes: false`: the listener matches the route itself, inside `work` (as Express does).
 */
async function request(work: () => Promise<unknown>, options: { routes?: false } = {}): Promise<void> {
  const listener: EdgeRequestListener = async (_req, res) => {
    await withContext({ tenantId: TENANT }, work);
    res.end('ok');
  };
  const server = createServer(stitchRequestListener(listener, options.routes === false ? {} : { routes: [ROUTE] }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/42`, { method: 'POST' });
  expect(response.status).toBe(200);
  await response.text();
}

function spansNamed(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name === name);
}

const REQUEST_ENTRY = { 'stitch.entry.kind': 'http', 'stitch.entry.route': ROUTE, 'tenant.id': TENANT };

/** Outside any request or context, as a worker process polling its queue is. */
function outsideAnyContext<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, fn);
}

describe('the entry travels with every carrier', () => {
  it('a span a request started before its router matched the route gets the route when it ends', async () => {
    await request(
      () =>
        withSpan('auth.middleware', async () => {
          setRoute(ROUTE); // the router, inside the middleware chain
          await withSpan('handler', async () => undefined);
        }),
      { routes: false },
    );
    for (const name of ['auth.middleware', 'handler']) expect(spansNamed(name)[0]?.attributes, name).toMatchObject(REQUEST_ENTRY);
  });

  it('a job attempt after the first, and one run by another worker from the stored envelope, carry the request’s route, tenant and kind', async () => {
    const engine = inProcessJobEngine();
    const sent: JobMessage[] = [];
    // The in-process engine, recording the message as a real engine would store it.
    const recording: JobEngine = { ...engine, send: (name, message, options) => (sent.push(structuredClone(message)), engine.send(name, message, options)) };
    const jobs = createJobs({ engine: recording, runs: createMemoryRunStore(), defaults: { attempts: 2, backoffMillis: 1 } });
    let calls = 0;
    await jobs.worker('invoice.render', async () => {
      calls += 1;
      if (calls === 1) throw new Error('first attempt fails');
      await batch.run([1], { name: 'lines' }, () => db.query('SELECT 1'));
    });
    await request(() => jobs.enqueue('invoice.render', {}));
    await engine.idle();

    const attempts = spansNamed('job invoice.render');
    expect(attempts.map((s) => s.attributes['stitch.job.attempt'])).toEqual([1, 2]);
    for (const span of attempts) expect(span.attributes).toMatchObject(REQUEST_ENTRY);
    // The second attempt's children (a batch, its item, a query) carry it too, from the scope.
    const query = exporter.getFinishedSpans().find((s) => String(s.attributes['db.query.text']).startsWith('SELECT'));
    for (const span of [spansNamed('batch lines')[0], spansNamed('batch.item lines')[0], query]) {
      expect(span?.attributes, span?.name).toMatchObject(REQUEST_ENTRY);
    }

    // Another process reads the envelope back (JSON, as Redis or Postgres hold it) and runs attempt 3.
    const stored = JSON.parse(JSON.stringify(sent[0])) as JobMessage;
    exporter.reset();
    await outsideAnyContext(() =>
      runJobAttempt('invoice.render', { message: stored, engineJobId: stored.stitch.runId, attempt: 3, maxAttempts: 3 }, () => undefined, {
        engine: 'bullmq',
        runs: createMemoryRunStore(),
        settings: jobs.settingsFor('invoice.render'),
      }),
    );
    expect(spansNamed('job invoice.render')[0]?.attributes).toMatchObject({ ...REQUEST_ENTRY, 'stitch.job.attempt': 3 });
  });

  it('a batch item of another tenant, in its own linked trace, still names the request’s route and kind; a batch run by a script is its own entry', async () => {
    const OTHER = '77777777-7777-4777-8777-777777777777';
    await request(() => batch.run(['mine', 'theirs'], { name: 'sync', tenantOf: (item) => (item === 'theirs' ? OTHER : TENANT) }, () => undefined));
    const items = spansNamed('batch.item sync');
    expect(items).toHaveLength(2);
    const theirs = items.find((s) => s.attributes['tenant.id'] === OTHER);
    expect(theirs?.parentSpanContext).toBeUndefined(); // its own trace
    expect(theirs?.attributes).toMatchObject({ 'stitch.entry.kind': 'http', 'stitch.entry.route': ROUTE });
    expect(items.find((s) => s.attributes['tenant.id'] === TENANT)?.attributes).toMatchObject(REQUEST_ENTRY);

    exporter.reset();
    await outsideAnyContext(() => batch.run([1], { name: 'nightly' }, () => undefined));
    for (const span of [...spansNamed('batch nightly'), ...spansNamed('batch.item nightly')]) {
      expect(span.attributes, span.name).toMatchObject({ 'stitch.entry.kind': 'batch', 'stitch.entry.route': 'nightly' });
    }
    expect(spansNamed('batch.item nightly')).toHaveLength(1);
  });

  it('a context carried by hand (currentContext() to runInContext()) keeps its entry, as it keeps its tenant', async () => {
    let carried: TraceContext | undefined;
    await request(async () => {
      carried = JSON.parse(JSON.stringify(currentContext())) as TraceContext;
    });
    expect(carried).toMatchObject({ entryKind: 'http', entryRoute: ROUTE, tenantId: TENANT });
    await outsideAnyContext(() => runInContext(carried as TraceContext, () => withSpan('resumed', () => undefined)));
    expect(spansNamed('resumed')[0]?.attributes).toMatchObject(REQUEST_ENTRY);
  });

  it('a job enqueued outside any request is its own entry; a damaged or oversized carried entry is dropped or cut, never a failed run', async () => {
    const jobs = createJobs({ engine: inProcessJobEngine(), runs: createMemoryRunStore() });
    const deps = { engine: 'bullmq', runs: createMemoryRunStore(), settings: jobs.settingsFor('cleanup') };
    const message = (stitch: Record<string, unknown>): JobMessage => ({ payload: {}, stitch: { v: 1, runId: 'run-entry-test-1', enqueuedAtMillis: 0, ...stitch } as JobMessage['stitch'] });

    await outsideAnyContext(() => runJobAttempt('cleanup', { message: message({}), engineJobId: 'j1', attempt: 1, maxAttempts: 1 }, () => undefined, deps));
    await outsideAnyContext(() =>
      runJobAttempt('cleanup', { message: message({ entryKind: 'telepathy', entryRoute: '/x' }), engineJobId: 'j2', attempt: 1, maxAttempts: 1 }, () => undefined, deps),
    );
    await outsideAnyContext(() =>
      runJobAttempt('cleanup', { message: message({ entryKind: 'http', entryRoute: `/${'a'.repeat(5_000)}` }), engineJobId: 'j3', attempt: 1, maxAttempts: 1 }, () => undefined, deps),
    );
    const [own, unknownKind, oversized] = spansNamed('job cleanup').map((s) => s.attributes);
    expect(own).toMatchObject({ 'stitch.entry.kind': 'job', 'stitch.entry.route': 'cleanup' });
    expect(unknownKind).toMatchObject({ 'stitch.entry.kind': 'job', 'stitch.entry.route': 'cleanup' });
    expect(oversized?.['stitch.entry.kind']).toBe('http');
    expect(String(oversized?.['stitch.entry.route'])).toHaveLength(120);
  });

  it('an event redelivered to a failing consumer carries the request’s route, tenant and kind on every delivery', async () => {
    const outbox = createOutbox({ db, schema: 'entry_events' });
    const checkpoints = createCheckpointStore({ db, schema: 'entry_events' });
    await runInNewContext({ name: 'migrate' }, async () => {
      await outbox.migrate();
      await checkpoints.migrate();
    });
    const ddl = exporter.getFinishedSpans().filter((s) => String(s.attributes['db.query.text']).startsWith('CREATE'));
    expect(ddl.length).toBeGreaterThan(0);
    for (const span of ddl) expect(span.attributes['stitch.housekeeping'], span.name).toBe(true);
    exporter.reset();
    const bus = createInProcessBus({ retryDelayMillis: 1 });
    let deliveries = 0;
    await consumeEvents({
      bus,
      name: 'mailer',
      checkpoints,
      actions: [
        {
          kind: 'email',
          run: async () => {
            deliveries += 1;
            if (deliveries === 1) throw new Error('smtp down');
          },
        },
      ],
    });
    await request(() => db.transaction((tx) => outbox.add(tx, { type: 'order.paid', payload: {} })));
    await createOutboxRelay({ db, outbox, bus }).relayOnce();
    await bus.idle();

    const runs = spansNamed('process_event');
    expect(runs).toHaveLength(2);
    for (const span of runs) expect(span.attributes).toMatchObject(REQUEST_ENTRY);
    expect(spansNamed('action.email').map((s) => s.attributes)).toEqual([expect.objectContaining(REQUEST_ENTRY), expect.objectContaining(REQUEST_ENTRY)]);
    expect(spansNamed('publish order.paid')[0]?.attributes).toMatchObject(REQUEST_ENTRY);
    // The checkpoint's statements are bookkeeping; the action's and the checkpoint's own spans are not.
    const checkpointQueries = exporter.getFinishedSpans().filter((s) => /processed_events|event_checkpoints/.test(String(s.attributes['db.query.text'])));
    expect(checkpointQueries.length).toBeGreaterThan(0);
    for (const span of checkpointQueries) expect(span.attributes['stitch.housekeeping'], span.name).toBe(true);
    expect(spansNamed('checkpoint.save')[0]?.attributes['stitch.housekeeping']).toBeUndefined();
  });

  it('an envelope with a hostile entry is still a valid event, without the entry', () => {
    const bytes = Buffer.from(
      JSON.stringify({ id: '0b6f2f4e-2b0c-4c1e-9a53-3f0f6b1f1a11', type: 'order.paid', tenantId: TENANT, occurredAt: new Date(0).toISOString(), entryKind: 'rm -rf', entryRoute: 'x'.repeat(5_000), payload: {} }),
    );
    const envelope = decodeEnvelope(bytes);
    expect(envelope).toMatchObject({ type: 'order.paid', tenantId: TENANT });
    expect(envelope.entryKind).toBeUndefined();
    expect(envelope.entryRoute).toBeUndefined();
  });

  it('an envelope whose tenant is outside the rule withContext() applies is refused, naming the field', () => {
    for (const tenantId of ['acme\r\nx: 1', 'a'.repeat(129), '-acme']) {
      const bytes = Buffer.from(JSON.stringify({ id: '0b6f2f4e-2b0c-4c1e-9a53-3f0f6b1f1a11', type: 'order.paid', tenantId, occurredAt: new Date(0).toISOString(), payload: {} }));
      expect(() => decodeEnvelope(bytes)).toThrow(expect.objectContaining({ code: 'STITCH_ERR_EVENT_ENVELOPE_INVALID', message: expect.stringContaining('tenantId') }));
    }
  });

  it('a webhook retry carries the request’s route, tenant and kind; its bookkeeping writes are marked as housekeeping', async () => {
    let answered = 0;
    const receiver = createServer((_req, res) => res.writeHead(answered++ === 0 ? 503 : 200).end());
    servers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hooks = createWebhooks({ db, schema: 'entry_webhooks', allowNetworks: ['127.0.0.1/32'], baseBackoffMillis: 0, random: () => 0 });
    const endpoint = await runInNewContext({ name: 'setup' }, async () => {
      await hooks.migrate();
      return hooks.addEndpoint({ tenantId: TENANT, url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` });
    });
    await request(() => hooks.send({ endpointId: endpoint.id, eventId: 'evt-entry', eventType: 'order.paid', payload: {} }));
    exporter.reset();
    await outsideAnyContext(async () => {
      await hooks.dispatchDue();
      await vi.waitFor(async () => expect(await hooks.dispatchDue()).toBe(1));
    });

    const attempts = spansNamed('webhook.deliver');
    expect(attempts.map((s) => s.attributes['stitch.webhook.attempt'])).toEqual([1, 2]);
    for (const span of attempts) expect(span.attributes).toMatchObject(REQUEST_ENTRY);
    const bookkeeping = exporter.getFinishedSpans().filter((s) => s.attributes['db.query.text'] !== undefined);
    expect(bookkeeping.length).toBeGreaterThan(0);
    for (const span of bookkeeping) expect(span.attributes['stitch.housekeeping']).toBe(true);
    expect(attempts.every((s) => s.attributes['stitch.housekeeping'] === undefined)).toBe(true);
  });

  it('a delivery to an endpoint disabled by a 410 records its end in its own request’s trace, as housekeeping', async () => {
    const receiver = createServer((_req, res) => res.writeHead(410).end());
    servers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hooks = createWebhooks({ db, schema: 'entry_webhooks', allowNetworks: ['127.0.0.1/32'], baseBackoffMillis: 0, random: () => 0 });
    const endpoint = await runInNewContext({ name: 'setup' }, async () => {
      await hooks.migrate();
      return hooks.addEndpoint({ tenantId: TENANT, url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/gone` });
    });
    await request(() => hooks.send({ endpointId: endpoint.id, eventId: 'evt-gone-1', eventType: 'order.paid', payload: {} }));
    await outsideAnyContext(() => hooks.dispatchDue()); // 410: the endpoint is disabled
    let traceId = '';
    await request(async () => {
      await hooks.send({ endpointId: endpoint.id, eventId: 'evt-gone-2', eventType: 'order.paid', payload: {} });
      traceId = trace.getActiveSpan()?.spanContext().traceId ?? '';
    });
    exporter.reset();
    await outsideAnyContext(() => hooks.dispatchDue());

    expect(spansNamed('webhook.deliver')).toEqual([]); // no request to a disabled endpoint
    const bookkeeping = exporter.getFinishedSpans().filter((s) => String(s.attributes['db.query.text']).includes('webhook_deliveries'));
    expect(bookkeeping.length).toBeGreaterThan(0);
    for (const span of bookkeeping) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.attributes).toMatchObject({ ...REQUEST_ENTRY, 'stitch.housekeeping': true });
    }
  });
});
