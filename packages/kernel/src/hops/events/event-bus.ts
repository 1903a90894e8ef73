import type { EventEnvelope } from './event-envelope.js';

/**
 * Runs one delivered event. Resolving acknowledges it; throwing asks the bus to deliver it again
 * later (at-least-once), so a handler must tolerate seeing an event twice (see `consumeEvents`,
 * which de-duplicates by event id).
 */
export type EnvelopeHandler = (envelope: EventEnvelope, delivery?: EventDelivery) => Promise<void>;

/** What the transport knows of one delivery. */
export interface EventDelivery {
  /** The transport delivered this event to this consumer before (a retry after a failure or an unacknowledged delivery). */
  readonly redelivered: boolean;
}

export interface EventSubscription {
  /** Stops delivery to this handler; in-flight handlers finish first. */
  close(): Promise<void>;
}

/**
 * A transport for envelopes: NATS JetStream (`@stitch/kernel/events/nats`), RabbitMQ
 * (`@stitch/kernel/events/rabbitmq`) or in-process (`createInProcessBus`). Each named consumer
 * receives every event once (fan-out between names); two subscriptions with the same name share
 * the work (a queue group / competing consumers).
 */
export interface EventBus {
  /** Resolves once the transport has accepted the event (JetStream ack, RabbitMQ confirm). */
  publish(envelope: EventEnvelope): Promise<void>;
  subscribe(consumerName: string, handler: EnvelopeHandler): Promise<EventSubscription>;
  /** Closes subscriptions and what the bus itself opened; connections passed in stay open. */
  close(): Promise<void>;
}
