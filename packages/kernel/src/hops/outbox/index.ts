// `@stitch/kernel/outbox`: events written in the request's transaction, published later in its trace.
export { createOutbox } from './outbox.js';
export type { Outbox, OutboxOptions, OutboxEventInput, OutboxLag } from './outbox.js';
export { createOutboxRelay } from './outbox-relay.js';
export type { OutboxRelay, OutboxRelayOptions, OutboxRelayStats, RelayBatchResult } from './outbox-relay.js';
