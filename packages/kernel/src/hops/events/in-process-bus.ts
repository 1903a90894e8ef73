import { decodeEnvelope, encodeEnvelope } from './event-envelope.js';
import type { EventEnvelope } from './event-envelope.js';
import type { EnvelopeHandler, EventBus, EventSubscription } from './event-bus.js';
import { z } from 'zod';
import { parseOptions } from '../../core/options/parse-options.js';

const InProcessBusOptionsSchema = z.object({
  /** Deliveries of one event to one consumer before it is dropped (and counted). */
  maxDeliveries: z.number().int().min(1).max(1_000).default(5),
  /** Delay before a failed event is delivered again; doubles per attempt. */
  retryDelayMillis: z.number().int().min(0).default(50),
});

/** `maxDeliveries` (default 5) and `retryDelayMillis` (default 50 ms). */
export type InProcessBusOptions = z.input<typeof InProcessBusOptionsSchema>;

export interface InProcessBus extends EventBus {
  /** Events dropped after `maxDeliveries` failed deliveries, per consumer name. */
  readonly dropped: ReadonlyMap<string, number>;
  /** Resolves when every published event has been handled or dropped (for tests and shutdown). */
  idle(): Promise<void>;
}

interface Group {
  readonly handlers: EnvelopeHandler[];
  next: number;
}

/**
 * The embedded default bus: events go through the same encode/decode as on a real transport (so
 * a payload that would not survive JSON fails here too), each consumer name gets every event,
 * and a failing handler is retried with backoff. Nothing survives the process: the outbox, not
 * the bus, is what makes events durable.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions).
 * @example
 *   const bus = createInProcessBus();
 *   await bus.subscribe('mailer', async (envelope) => sendMail(envelope.payload));
 */
export function createInProcessBus(options: InProcessBusOptions = {}): InProcessBus {
  const { maxDeliveries, retryDelayMillis } = parseOptions(InProcessBusOptionsSchema, options, 'inProcessBus');
  const groups = new Map<string, Group>();
  const dropped = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  let closed = false;

  async function deliver(name: string, group: Group, bytes: Uint8Array): Promise<void> {
    for (let attempt = 1; attempt <= maxDeliveries; attempt += 1) {
      if (closed || group.handlers.length === 0) return;
      const handler = group.handlers[group.next++ % group.handlers.length] as EnvelopeHandler;
      try {
        await handler(decodeEnvelope(bytes), { redelivered: attempt > 1 });
        return;
      } catch {
        if (attempt < maxDeliveries) await new Promise((resolve) => setTimeout(resolve, retryDelayMillis * 2 ** (attempt - 1)));
      }
    }
    dropped.set(name, (dropped.get(name) ?? 0) + 1);
  }

  return {
    dropped,
    async publish(envelope: EventEnvelope) {
      const bytes = encodeEnvelope(envelope);
      for (const [name, group] of groups) {
        const delivery = deliver(name, group, bytes);
        pending.add(delivery);
        void delivery.finally(() => pending.delete(delivery));
      }
    },
    async subscribe(consumerName: string, handler: EnvelopeHandler): Promise<EventSubscription> {
      let group = groups.get(consumerName);
      if (group === undefined) {
        group = { handlers: [], next: 0 };
        groups.set(consumerName, group);
      }
      group.handlers.push(handler);
      const owner = group;
      return {
        async close() {
          const index = owner.handlers.indexOf(handler);
          if (index >= 0) owner.handlers.splice(index, 1);
        },
      };
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
      groups.clear();
    },
  };
}
