import { PGlite } from '@electric-sql/pglite';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext } from '../../core/context/context-store.js';
import type { Database } from '../db/database.js';
import { createPgliteDatabase } from '../db/pglite/pglite-database.js';
import { createCheckpointStore } from '../events/checkpoint-store.js';
import type { CheckpointStore } from '../events/checkpoint-store.js';
import { emailAction, slackAction, webhookAction } from '../events/event-actions.js';
import type { EventBus } from '../events/event-bus.js';
import { consumeEvents, processEvent } from '../events/event-consumer.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { createInProcessBus } from '../events/in-process-bus.js';
import { startStitch } from '../../setup/start-stitch.js';
import { withoutStrictMode } from '../../setup/config/strict-mode.js';
import { createOutbox } from './outbox.js';
import type { Outbox } from './outbox.js';
import { createOutboxRelay } from './outbox-relay.js';

const TENANT = '44444444-4444-4444-8444-444444444444';
const exporter = new InMemorySpanExporter();
let db: Database;
let outbox: Outbox;
let checkpoints: CheckpointStore;

beforeAll(async () => {
  startStitch({ serviceName: 'outbox-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  db = createPgliteDatabase(new PGlite());
  outbox = createOutbox({ db, schema: 'outbox_test' });
  checkpoints = createCheckpointStore({ db, schema: 'outbox_test' });
  await outbox.migrate();
  await checkpoints.migrate();
  await withoutStrictMode(() => db.query('CREATE TABLE orders (id text PRIMARY KEY)'));
});

afterAll(() => db.close());

beforeEach(async () => {
  exporter.reset();
  await withoutStrictMode(() => db.query('DELETE FROM outbox_test.outbox_events')); // the test's own cleanup, outside any request
});

/** A bus that records what was published and can be told to fail one event type. */
function recordingBus(failType?: string): EventBus & { published: EventEnvelope[] } {
  const published: EventEnvelope[] = [];
  return {
    published,
    async publish(envelope) {
      if (envelope.type === failType) throw new Error('broker unavailable');
      published.push(envelope);
    },
    subscribe: () => Promise.reject(new Error('not used')),
    close: async () => {},
  };
}

function request<T>(fn: () => Promise<T>): Promise<T> {
  return runInNewContext({ name: 'POST /orders', tenantId: TENANT, requestId: `req-${Math.random().toString(36).slice(2, 10)}` }, fn);
}

describe('outbox and relay', () => {
  it('stores the event with the trace context in the business transaction; a rollback leaves none', async () => {
    const { id, ctx } = await request(async () => ({
      id: await db.transaction(async (tx) => {
        await tx.query('INSERT INTO orders VALUES ($1)', ['o-1']);
        return outbox.add(tx, { type: 'order.created', aggregateType: 'order', aggregateId: 'o-1', payload: { id: 'o-1' } });
      }),
      ctx: currentContext(),
    }));
    await request(() =>
      db
        .transaction(async (tx) => {
          await outbox.add(tx, { type: 'order.created', aggregateId: 'o-2', payload: {} });
          throw new Error('rolled back');
        })
        .catch(() => undefined),
    );
    const { rows } = await withoutStrictMode(() => db.query<Record<string, unknown>>('SELECT id, tenant_id, request_id, trace_id, traceparent FROM outbox_test.outbox_events'));
    expect(rows).toEqual([
      { id, tenant_id: TENANT, request_id: ctx.requestId, trace_id: ctx.traceId, traceparent: expect.stringMatching(new RegExp(`^00-${ctx.traceId}-[0-9a-f]{16}-03$`)) },
    ]);
    expect(await outbox.lag()).toMatchObject({ unsentCount: 1 });
  });

  it('publishes each aggregate in order, holds an aggregate back behind a failed event, and lets others through', async () => {
    await request(() =>
      db.transaction(async (tx) => {
        for (const [aggregateId, type] of [['a', 'a.1'], ['b', 'b.1'], ['a', 'a.2'], ['b', 'poison'], ['a', 'a.3'], ['b', 'b.3']] as const) {
          await outbox.add(tx, { type, aggregateType: 'thing', aggregateId, payload: {} });
        }
      }),
    );
    const failing = recordingBus('poison');
    const relay = createOutboxRelay({ db, outbox, bus: failing, batchSize: 2 });
    while ((await relay.relayOnce()).published > 0);
    const types = (bus: { published: EventEnvelope[] }, aggregateId: string): string[] =>
      bus.published.filter((e) => e.aggregateId === aggregateId).map((e) => e.type);
    expect(types(failing, 'a')).toEqual(['a.1', 'a.2', 'a.3']);
    expect(types(failing, 'b')).toEqual(['b.1']);
    expect(await outbox.lag()).toMatchObject({ unsentCount: 2 });
    // What its metrics read: a.1-a.3 and b.1 published, the poison event failed in each batch that claimed it.
    expect(relay.stats()).toMatchObject({ published: 4, failedPolls: 0 });
    expect(relay.stats().failed).toBeGreaterThan(0);

    const healthy = recordingBus();
    const recovered = createOutboxRelay({ db, outbox, bus: healthy });
    await recovered.relayOnce();
    expect(recovered.stats()).toEqual({ published: 2, failed: 0, failedPolls: 0 });
    expect(types(healthy, 'b')).toEqual(['poison', 'b.3']);
    expect(types(healthy, 'a')).toEqual([]);
    expect(await outbox.lag()).toEqual({ unsentCount: 0, oldestUnsentAgeMillis: 0 });
    expect(await outbox.purgeSent(60_000)).toBe(0);
    expect(await outbox.purgeSent(0)).toBe(6);
  });

  it('refuses an invalid event with a coded error and writes nothing', async () => {
    await expect(request(() => db.transaction((tx) => outbox.add(tx, { type: '', payload: {} })))).rejects.toMatchObject({
      code: 'STITCH_ERR_OUTBOX_EVENT_INVALID',
    });
    expect(await outbox.lag()).toMatchObject({ unsentCount: 0 });
  });
});

describe('event handlers', () => {
  it("continue the producer's trace as process_event → checkpoint.load, condition.evaluate, actions.execute (one span per action), checkpoint.save", async () => {
    const bus = createInProcessBus();
    const webhookCalls: string[] = [];
    const seenTenant: (string | undefined)[] = [];
    const subscription = await consumeEvents({
      bus,
      name: 'notifier',
      checkpoints,
      condition: (e) => e.type === 'order.paid',
      actions: [
        webhookAction({
          url: 'https://hooks.example.com/orders?token=secret',
          send: async (url) => {
            webhookCalls.push(url);
            seenTenant.push(currentContext().tenantId);
            return { status: 202 };
          },
        }),
        emailAction({ template: 'receipt', recipients: () => ['a@example.com', 'b@example.com'], send: async () => {} }),
        slackAction({ channel: '#sales', send: async () => ({ threadId: 't-1' }) }),
      ],
    });
    const traceId = await request(async () => {
      await db.transaction((tx) => outbox.add(tx, { type: 'order.paid', aggregateId: 'o-9', payload: { total: 10 } }));
      return currentContext().traceId;
    });
    await createOutboxRelay({ db, outbox, bus }).relayOnce();
    await bus.idle();
    await subscription.close();

    expect(webhookCalls).toHaveLength(1);
    expect(seenTenant).toEqual([TENANT]);
    const spans = exporter.getFinishedSpans();
    const byName = (name: string): ReadableSpan => spans.find((s) => s.name === name) as ReadableSpan;
    const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
    const root = byName('process_event');
    expect(root.spanContext().traceId).toBe(traceId);
    expect(parentOf(root)).toBe(byName('publish order.paid').spanContext().spanId);
    expect(parentOf(byName('publish order.paid'))).toBe(byName('outbox.add order.paid').spanContext().spanId);
    for (const name of ['checkpoint.load', 'condition.evaluate', 'actions.execute', 'checkpoint.save']) {
      expect(parentOf(byName(name))).toBe(root.spanContext().spanId);
    }
    const actions = byName('actions.execute').spanContext().spanId;
    expect(byName('action.webhook').attributes).toMatchObject({ 'server.address': 'hooks.example.com', 'http.response.status_code': 202 });
    expect(byName('action.email').attributes).toMatchObject({ 'email.template': 'receipt', 'email.recipient_count': 2 });
    expect(byName('action.slack').attributes).toMatchObject({ 'slack.channel': '#sales', 'slack.thread_id': 't-1' });
    expect(['action.webhook', 'action.email', 'action.slack'].map((n) => parentOf(byName(n)))).toEqual([actions, actions, actions]);
    expect(root.attributes).toMatchObject({ 'tenant.id': TENANT, 'stitch.event.outcome': 'handled' });
    // The event id is the message id on the producer spans and on the consumer's.
    const eventId = root.attributes['stitch.event.id'];
    expect(typeof eventId).toBe('string');
    for (const name of ['outbox.add order.paid', 'publish order.paid', 'process_event']) {
      expect(byName(name).attributes['messaging.message.id']).toBe(eventId);
    }
  });

  it('idle relay polls make no spans; a poll with work traces its publish in the event’s trace', async () => {
    const bus = recordingBus();
    const relay = createOutboxRelay({ db, outbox, bus });
    exporter.reset(); // beforeEach's DELETE is a span of its own
    for (let i = 0; i < 5; i += 1) expect(await relay.relayOnce()).toEqual({ published: 0, failed: 0 });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([]);

    const traceId = await request(async () => {
      await db.transaction((tx) => outbox.add(tx, { type: 'order.shipped', aggregateId: 'o-idle', payload: {} }));
      return currentContext().traceId;
    });
    exporter.reset();
    expect(await relay.relayOnce()).toEqual({ published: 1, failed: 0 });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['publish order.shipped']);
    expect(spans[0]?.spanContext().traceId).toBe(traceId);
    expect(bus.published[0]?.traceparent?.split('-')[1]).toBe(traceId);
  });

  it('skip an event already checkpointed, and a restarted consumer resumes from its persisted checkpoint', async () => {
    let runs = 0;
    const options = {
      bus: createInProcessBus(),
      name: `resumer-${Math.random().toString(36).slice(2)}`,
      checkpoints,
      actions: [{ kind: 'count', run: async () => void (runs += 1) }],
    };
    const envelope: EventEnvelope = { id: crypto.randomUUID(), type: 't', tenantId: TENANT, occurredAt: new Date().toISOString(), payload: {} };
    expect(await processEvent(options, envelope)).toBe('handled');
    exporter.reset();
    // A "restarted" consumer: nothing in memory, only what the checkpoint store persisted.
    expect(await processEvent({ ...options, actions: [...options.actions] }, envelope)).toBe('skipped-duplicate');
    expect(runs).toBe(1);
    const load = exporter.getFinishedSpans().find((s) => s.name === 'checkpoint.load');
    expect(load?.attributes).toMatchObject({ 'checkpoint.recovered_from_checkpoint': true, 'checkpoint.offset': 1, 'checkpoint.already_processed': true });
  });

  it('leave a failed event un-checkpointed so the next delivery runs it again', async () => {
    let attempts = 0;
    const options = {
      bus: createInProcessBus(),
      name: `flaky-${Math.random().toString(36).slice(2)}`,
      checkpoints,
      actions: [webhookAction({ url: 'https://h.example.com', send: async () => ({ status: attempts++ === 0 ? 503 : 200 }) })],
    };
    const envelope: EventEnvelope = { id: crypto.randomUUID(), type: 't', occurredAt: new Date().toISOString(), payload: {} };
    await expect(processEvent(options, envelope)).rejects.toThrow('webhook answered 503');
    expect(await processEvent(options, envelope)).toBe('handled');
    expect(attempts).toBe(2);
  });
});
