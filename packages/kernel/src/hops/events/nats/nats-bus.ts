/**
 * The NATS JetStream bus (`@stitch/kernel/events/nats`). Only `nats`'s types and a few constants
 * are imported here; the caller passes the connection it configured.
 */
import { AckPolicy, DeliverPolicy, headers as natsHeaders } from 'nats';
import type { ConsumerMessages, NatsConnection } from 'nats';
import { z } from 'zod';
import { parseOptions } from '../../../core/options/parse-options.js';
import { decodeEnvelope, encodeEnvelope, envelopeHeaders } from '../event-envelope.js';
import type { EventEnvelope } from '../event-envelope.js';
import type { EnvelopeHandler, EventBus, EventSubscription } from '../event-bus.js';

export interface NatsBusOptions {
  readonly connection: NatsConnection;
  /** The JetStream stream; created if missing. Default `STITCH_EVENTS`. */
  readonly stream?: string;
  /** Events go to `<subjectPrefix>.<type>`. Default `stitch.events`. */
  readonly subjectPrefix?: string;
  /** Delay before a failed event is delivered again. Default 500 ms. */
  readonly retryDelayMillis?: number;
}

const NatsBusOptionsSchema = z.object({
  // JetStream refuses these in a stream name (it is a subject token and a file name on the server).
  stream: z
    .string()
    .max(255)
    .regex(/^[^\s.*>/\\]+$/, { message: 'a JetStream stream name: no spaces, ., *, >, / or \\' })
    .default('STITCH_EVENTS'),
  subjectPrefix: z
    .string()
    .regex(/^[^\s.*>]+(\.[^\s.*>]+)*$/, { message: 'dot-separated subject tokens without spaces or wildcards' })
    .default('stitch.events'),
  retryDelayMillis: z.number().int().nonnegative().default(500),
});

// NATS subject tokens may not hold spaces, `*` or `>`; an event type is a free string.
function subjectToken(type: string): string {
  return type.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/\.{2,}/g, '.').replace(/^\.|\.$/g, '_');
}

/**
 * Publishes with the event id as `Nats-Msg-Id`, so JetStream itself drops a relay's duplicate
 * publish inside the stream's duplicate window; consumers still de-duplicate (a redelivery
 * after a missed ack is not a publish). Each consumer name is a durable pull consumer with
 * explicit acks that starts at the beginning of the stream; a failed handler `nak`s with a delay.
 *
 * @example
 *   import { connect } from 'nats';
 *   const bus = await createNatsBus({ connection: await connect({ servers: '127.0.0.1:4222' }) });
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option, before the connection is used (parseOptions).
 */
export async function createNatsBus(options: NatsBusOptions): Promise<EventBus> {
  const { connection, ...settings } = options;
  const { stream, subjectPrefix: prefix, retryDelayMillis } = parseOptions(NatsBusOptionsSchema, settings, 'natsBus');
  const manager = await connection.jetstreamManager();
  try {
    await manager.streams.info(stream);
  } catch {
    await manager.streams.add({ name: stream, subjects: [`${prefix}.>`] });
  }
  const jetstream = connection.jetstream();
  const subscriptions = new Set<EventSubscription>();

  return {
    async publish(envelope: EventEnvelope) {
      const headers = natsHeaders();
      for (const [key, value] of Object.entries(envelopeHeaders(envelope))) headers.set(key, value);
      await jetstream.publish(`${prefix}.${subjectToken(envelope.type)}`, encodeEnvelope(envelope), { msgID: envelope.id, headers });
    },

    async subscribe(consumerName: string, handler: EnvelopeHandler) {
      const durable = consumerName.replace(/[^A-Za-z0-9_-]/g, '_');
      try {
        await manager.consumers.info(stream, durable);
      } catch {
        await manager.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
      }
      const consumer = await jetstream.consumers.get(stream, durable);
      const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });
      const loop = (async () => {
        for await (const message of messages) {
          let envelope: EventEnvelope;
          try {
            envelope = decodeEnvelope(message.data);
          } catch {
            message.term(); // not an envelope: redelivering it would never help
            continue;
          }
          try {
            await handler(envelope, { redelivered: message.redelivered });
            message.ack();
          } catch {
            message.nak(retryDelayMillis);
          }
        }
      })();
      const subscription: EventSubscription = {
        async close() {
          subscriptions.delete(subscription);
          await messages.close();
          await loop;
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
    },
  };
}
