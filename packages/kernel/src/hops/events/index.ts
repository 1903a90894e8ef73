// `@stitch/kernel/events`: the envelope, the in-process bus and consumers. The brokers are their
// own subpaths (`/events/nats`, `/events/rabbitmq`), so this one never loads a broker client.
export { EventEnvelopeSchema } from './event-envelope.js';
export type { EventEnvelope } from './event-envelope.js';
export type { EventBus, EventSubscription, EnvelopeHandler, EventDelivery } from './event-bus.js';
export { createInProcessBus } from './in-process-bus.js';
export type { InProcessBus, InProcessBusOptions } from './in-process-bus.js';
export { consumeEvents, processEvent } from './event-consumer.js';
export type { EventHandlerOptions, EventRunOutcome } from './event-consumer.js';
export { webhookAction, emailAction, slackAction } from './event-actions.js';
export type { EventAction } from './event-actions.js';
export { createCheckpointStore } from './checkpoint-store.js';
export type { CheckpointStore, CheckpointState } from './checkpoint-store.js';
