/**
 * The RabbitMQ bus (`@stitch/kernel/events/rabbitmq`), on amqplib. Only its types are imported;
 * the caller passes the connection (`ChannelModel`) it opened.
 */
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { z } from 'zod';
import { parseOptions } from '../../../core/options/parse-options.js';
import { decodeEnvelope, encodeEnvelope, envelopeHeaders } from '../event-envelope.js';
import type { EventEnvelope } from '../event-envelope.js';
import type { EnvelopeHandler, EventBus, EventSubscription } from '../event-bus.js';

export interface RabbitMqBusOptions {
  readonly connection: ChannelModel;
  /** A durable topic exchange; created if missing. Default `stitch.events`. */
  readonly exchange?: string;
  /** Unacknowledged deliveries per subscription. Default 32. */
  readonly prefetch?: number;
  /** Delay before a failed event is requeued. Default 500 ms. */
  readonly retryDelayMillis?: number;
}

const RabbitMqBusOptionsSchema = z.object({
  exchange: z.string().min(1).max(255).default('stitch.events'),
  // AMQP's prefetch count is a 16-bit field; 0 would mean "unlimited", which the bus never wants.
  prefetch: z.number().int().min(1).max(65_535).default(32),
  retryDelayMillis: z.number().int().nonnegative().default(500),
});

/**
 * Publishes persistent messages on a confirm channel (resolving on the broker's confirm) with
 * the event type as routing key, the event id as `messageId` and the trace headers in
 * `headers`. Each consumer name is a durable queue bound to every event (`#`); deliveries of one
 * subscription are handled one at a time, in order; a failed handler requeues after a delay.
 *
 * @example
 *   import amqp from 'amqplib';
 *   const bus = await createRabbitMqBus({ connection: await amqp.connect('amqp://guest:guest@127.0.0.1:5672') });
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option, before the connection is used (parseOptions).
 */
export async function createRabbitMqBus(options: RabbitMqBusOptions): Promise<EventBus> {
  const { connection, ...settings } = options;
  const { exchange, prefetch, retryDelayMillis } = parseOptions(RabbitMqBusOptionsSchema, settings, 'rabbitMqBus');
  const publisher: ConfirmChannel = await connection.createConfirmChannel();
  await publisher.assertExchange(exchange, 'topic', { durable: true });
  const channels = new Set<Channel>();

  return {
    publish(envelope: EventEnvelope) {
      return new Promise<void>((resolve, reject) => {
        publisher.publish(
          exchange,
          envelope.type,
          Buffer.from(encodeEnvelope(envelope)),
          {
            persistent: true,
            contentType: 'application/json',
            messageId: envelope.id,
            type: envelope.type,
            headers: envelopeHeaders(envelope),
          },
          (error: unknown) => (error == null ? resolve() : reject(error instanceof Error ? error : new Error(String(error)))),
        );
      });
    },

    async subscribe(consumerName: string, handler: EnvelopeHandler): Promise<EventSubscription> {
      const channel = await connection.createChannel();
      channels.add(channel);
      await channel.assertQueue(consumerName, { durable: true });
      await channel.bindQueue(consumerName, exchange, '#');
      await channel.prefetch(prefetch);
      let chain: Promise<void> = Promise.resolve();
      const handle = async (message: ConsumeMessage): Promise<void> => {
        let envelope: EventEnvelope;
        try {
          envelope = decodeEnvelope(message.content);
        } catch {
          channel.nack(message, false, false); // not an envelope: dead-letter (or drop), never requeue
          return;
        }
        try {
          await handler(envelope, { redelivered: message.fields.redelivered });
          channel.ack(message);
        } catch {
          await new Promise((resolve) => setTimeout(resolve, retryDelayMillis));
          channel.nack(message, false, true);
        }
      };
      const { consumerTag } = await channel.consume(consumerName, (message) => {
        if (message === null) return; // the broker cancelled the consumer (queue deleted)
        chain = chain.then(() => handle(message)).catch(() => undefined);
      });
      return {
        async close() {
          if (!channels.delete(channel)) return;
          await channel.cancel(consumerTag).catch(() => undefined);
          await chain;
          await channel.close().catch(() => undefined);
        },
      };
    },

    async close() {
      await Promise.all(
        [...channels].map(async (channel) => {
          channels.delete(channel);
          await channel.close().catch(() => undefined);
        }),
      );
      await publisher.close().catch(() => undefined);
    },
  };
}
