/**
 * Outbox → relay → bus → handler on the real servers: Postgres, NATS JetStream
 * (127.0.0.1:4222) and RabbitMQ (127.0.0.1:5672). Each run uses its own schema, stream, subjects,
 * exchange and queues (random suffix) and removes them afterwards.
 */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext, startStitch } from '@stitch/kernel';
import type { TraceContext } from '@stitch/kernel';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { createNatsBus } from '@stitch/kernel/events/nats';
import { createRabbitMqBus } from '@stitch/kernel/events/rabbitmq';
import { createCheckpointStore, consumeEvents } from '@stitch/kernel/events';
import { createOutbox, createOutboxRelay } from '@stitch/kernel/outbox';
import type { EventBus, EventEnvelope } from '@stitch/kernel/events';

const suffix = randomBytes(4).toString('hex');
const schema = `stitch_bus_${suffix}`;
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 4 });
const db = createPgDatabase(pool);
const outbox = createOutbox({ db, schema });
const checkpoints = createCheckpointStore({ db, schema });
const TENANTS = ['5a1b2c3d-0000-4000-8000-000000000001', '5a1b2c3d-0000-4000-8000-000000000002', '5a1b2c3d-0000-4000-8000-000000000003'];
let nats: NatsConnection;
let rabbit: amqp.ChannelModel;

beforeAll(async () => {
  startStitch({ serviceName: 'bus-test' });
  await outbox.migrate();
  await checkpoints.migrate();
  nats = await connect({ servers: '127.0.0.1:4222' });
  rabbit = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
});

afterAll(async () => {
  const manager = await nats.jetstreamManager();
  await manager.streams.delete(`STITCH_TEST_${suffix}`).catch(() => undefined);
  await nats.close();
  const channel = await rabbit.createChannel();
  await channel.deleteQueue(`consumer-${suffix}`).catch(() => undefined);
  await channel.deleteQueue(`tap-${suffix}`).catch(() => undefined);
  await channel.deleteExchange(`stitch.test.${suffix}`).catch(() => undefined);
  await rabbit.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.close();
});

interface Handled {
  readonly envelope: EventEnvelope;
  readonly ctx: TraceContext;
}

/** Emits one event per tenant from its own request, relays them, and waits until the handler ran for each. */
async function roundTrip(bus: EventBus, consumerName: string): Promise<{ requests: TraceContext[]; handled: Handled[] }> {
  const handled: Handled[] = [];
  const subscription = await consumeEvents({
    bus,
    name: consumerName,
    checkpoints,
    actions: [{ kind: 'record', run: async (envelope) => void handled.push({ envelope, ctx: currentContext() }) }],
  });
  const requests = await Promise.all(
    TENANTS.map((tenantId, i) =>
      runInNewContext({ name: 'POST /orders', tenantId, requestId: `req-${suffix}-${consumerName.length}-${i}` }, async () => {
        await db.transaction((tx) => outbox.add(tx, { type: 'order.created', aggregateId: `o-${i}`, payload: { i } }));
        return currentContext();
      }),
    ),
  );
  const relay = createOutboxRelay({ db, outbox, bus });
  await relay.relayOnce();
  for (let i = 0; i < 200 && handled.length < TENANTS.length; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  await subscription.close();
  return { requests, handled };
}

function expectContinued(requests: TraceContext[], handled: Handled[]): void {
  expect(handled).toHaveLength(requests.length);
  for (const request of requests) {
    const run = handled.find((h) => h.envelope.requestId === request.requestId);
    expect(run?.envelope.traceparent).toMatch(new RegExp(`^00-${request.traceId}-[0-9a-f]{16}-03$`));
    expect(run?.envelope.tenantId).toBe(request.tenantId);
    expect(run?.ctx.traceId).toBe(request.traceId);
    expect(run?.ctx.tenantId).toBe(request.tenantId);
  }
}

/**
 * A consumer that stops and comes back under the same name gets what was published while it was
 * down, and handles nothing twice: the bus keeps its position, the checkpoint store its history.
 */
async function restartRoundTrip(bus: EventBus, consumerName: string): Promise<{ first: string[]; second: string[]; ids: string[] }> {
  const first: string[] = [];
  const second: string[] = [];
  const ids: string[] = [];
  const emit = async (n: number): Promise<void> => {
    await runInNewContext({ name: 'POST /orders', tenantId: TENANTS[0] }, () =>
      db.transaction(async (tx) => {
        for (let i = 0; i < n; i += 1) ids.push(await outbox.add(tx, { type: 'order.updated', aggregateId: 'restart', payload: { i } }));
      }),
    );
    await createOutboxRelay({ db, outbox, bus }).relayOnce();
  };
  const subscribe = (into: string[]) =>
    consumeEvents({ bus, name: consumerName, checkpoints, types: ['order.updated'], actions: [{ kind: 'record', run: async (e) => void into.push(e.id) }] });
  const waitFor = async (into: string[], n: number): Promise<void> => {
    for (let i = 0; i < 200 && into.length < n; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  };
  const running = await subscribe(first);
  await emit(2);
  await waitFor(first, 2);
  await running.close();
  await emit(3); // published while the consumer is down
  const restarted = await subscribe(second);
  await waitFor(second, 3);
  await new Promise((resolve) => setTimeout(resolve, 100)); // room for a wrongful redelivery to show up
  await restarted.close();
  return { first, second, ids };
}

describe('event buses on real servers', () => {
  it("NATS JetStream carries the envelope and its trace headers, and the handler continues each request's trace in its tenant", async () => {
    const stream = `STITCH_TEST_${suffix}`;
    const bus = await createNatsBus({ connection: nats, stream, subjectPrefix: `stitch.test.${suffix}` });
    const { requests, handled } = await roundTrip(bus, `consumer-${suffix}`);
    expectContinued(requests, handled);
    const manager = await nats.jetstreamManager();
    const stored = await manager.streams.getMessage(stream, { seq: 1 });
    const envelope = JSON.parse(new TextDecoder().decode(stored.data)) as EventEnvelope;
    expect(stored.header.get('traceparent')).toBe(envelope.traceparent);
    expect(stored.header.get('Nats-Msg-Id')).toBe(envelope.id);
    expect(stored.header.get('stitch-tenant-id')).toBe(envelope.tenantId);
    await bus.close();
  });

  it("RabbitMQ carries the envelope and its trace headers, and the handler continues each request's trace in its tenant", async () => {
    const exchange = `stitch.test.${suffix}`;
    const bus = await createRabbitMqBus({ connection: rabbit, exchange });
    const tap = await rabbit.createChannel();
    await tap.assertQueue(`tap-${suffix}`, { durable: false });
    await tap.bindQueue(`tap-${suffix}`, exchange, '#');
    const { requests, handled } = await roundTrip(bus, `consumer-${suffix}`);
    expectContinued(requests, handled);
    const message = await tap.get(`tap-${suffix}`, { noAck: true });
    expect(message).not.toBe(false);
    if (message !== false) {
      const envelope = JSON.parse(message.content.toString('utf8')) as EventEnvelope;
      expect(message.properties.messageId).toBe(envelope.id);
      expect(message.properties.headers?.traceparent).toBe(envelope.traceparent);
      expect(message.properties.headers?.['stitch-tenant-id']).toBe(envelope.tenantId);
    }
    await tap.close();
    await bus.close();
  });

  it('a restarted consumer on NATS and on RabbitMQ resumes with what was published while it was down, and handles nothing twice', async () => {
    const buses: [string, EventBus][] = [
      ['nats', await createNatsBus({ connection: nats, stream: `STITCH_TEST_${suffix}`, subjectPrefix: `stitch.test.${suffix}` })],
      ['rabbitmq', await createRabbitMqBus({ connection: rabbit, exchange: `stitch.test.${suffix}` })],
    ];
    for (const [name, bus] of buses) {
      await pool.query(`DELETE FROM ${schema}.outbox_events`);
      const { first, second, ids } = await restartRoundTrip(bus, `restart-${name}-${suffix}`);
      expect(first).toEqual(ids.slice(0, 2));
      expect(second).toEqual(ids.slice(2));
      await bus.close();
    }
    const channel = await rabbit.createChannel();
    await channel.deleteQueue(`restart-rabbitmq-${suffix}`);
    await channel.close();
  });
});
