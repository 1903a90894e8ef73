// `@stitch/kernel/webhooks`: signed delivery with delivery records that keep the trace.
export { createWebhooks } from './webhooks.js';
export type { Webhooks, CreateWebhooksOptions, SendWebhookInput } from './webhooks.js';
export type { WebhookAttemptRecord, WebhookBacklog, WebhookEndpoint, RetryStormRow, AttemptFinalState } from './webhook-store.js';
export { verifyWebhook, signWebhook, webhookHeaders, newWebhookSecret } from './webhook-signature.js';
export type { WebhookVerification, VerifyWebhookInput } from './webhook-signature.js';
export { WebhookOptionsSchema } from './webhook-options.js';
