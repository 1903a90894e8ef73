/**
 * A redelivery as the real brokers report it: NATS JetStream (127.0.0.1:4222) and RabbitMQ
 * (127.0.0.1:5672) tell the handler whether a delivery is the event's first or a later one, the
 * flag `stitch_event_redeliveries_total` counts (docs/metrics.md). Each run uses its own stream,
 * subjects, exchange and queue (random suffix) and removes them afterwards.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus } from '@stitch/kernel/events/nats';
import { createRabbitMqBus } from '@stitch/kernel/events/rabbitmq';
import type { EventBus, EventDelivery } from '@stitch/kernel/events';

const suffix = randomBytes(4).toString('hex');
let nats: NatsConnection;
let rabbit: amqp.ChannelModel;

beforeAll(async () => {
  nats = await connect({ servers: '127.0.0.1:4222' });
  rabbit = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
});

afterAll(async () => {
  const manager = await nats.jetstreamManager();
  await manager.streams.delete(`STITCH_REDELIVERY_${suffix}`).catch(() => undefined);
  await nats.close();
  const channel = await rabbit.createChannel();
  await channel.deleteQueue(`redelivery-${suffix}`).catch(() => undefined);
  await channel.deleteExchange(`stitch.redelivery.${suffix}`).catch(() => undefined);
  await rabbit.close();
});

/** Publishes one event to a handler that fails its first delivery; resolves with what each delivery said. */
async function failOnce(bus: EventBus): Promise<boolean[]> {
  const seen: boolean[] = [];
  const subscription = await bus.subscribe(`redelivery-${suffix}`, async (_envelope, delivery?: EventDelivery) => {
    seen.push(delivery?.redelivered ?? false);
    if (seen.length === 1) throw new Error('the first delivery fails');
  });
  await bus.publish({ id: randomUUID(), type: 'invoice.issued', occurredAt: new Date().toISOString(), payload: {} });
  for (let i = 0; i < 400 && seen.length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  await subscription.close();
  return seen;
}

describe('the bus says when a delivery is a redelivery', () => {
  it('NATS JetStream: the first delivery is not, the one after a nak is', async () => {
    const bus = await createNatsBus({ connection: nats, stream: `STITCH_REDELIVERY_${suffix}`, subjectPrefix: `stitch.redelivery.${suffix}`, retryDelayMillis: 10 });
    expect(await failOnce(bus)).toEqual([false, true]);
    await bus.close();
  }, 30_000);

  it('RabbitMQ: the first delivery is not, the requeued one is', async () => {
    const bus = await createRabbitMqBus({ connection: rabbit, exchange: `stitch.redelivery.${suffix}`, retryDelayMillis: 10 });
    expect(await failOnce(bus)).toEqual([false, true]);
    await bus.close();
  }, 30_000);
});
