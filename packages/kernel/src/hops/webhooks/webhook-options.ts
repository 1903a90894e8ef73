import { z } from 'zod';
import { SqlSchemaNameSchema } from '../db/sql-store-options.js';

/** Section `webhooks` of the Stitch config. Every field has a default. */
export const WebhookOptionsSchema = z.object({
  /** Schema of the endpoint, delivery and attempt tables; created by migrate(). */
  schema: SqlSchemaNameSchema,
  /**
   * One attempt is cut after this long, headers and body included, and counts as a failure.
   * The external-call budget (800 ms) by default: a receiver should answer first and work later.
   */
  timeoutMillis: z.number().int().positive().default(800),
  /** Attempts before a delivery is dead-lettered, the first included. */
  maxAttempts: z.number().int().min(1).max(100).default(8),
  /** Backoff cap of the first retry; each later one doubles, up to maxBackoffMillis; the delay is drawn in [0, cap) (full jitter). */
  baseBackoffMillis: z.number().int().min(0).default(1_000),
  maxBackoffMillis: z.number().int().min(0).default(3_600_000),
  /** A claimed delivery whose dispatcher died is claimed again after this. */
  leaseMillis: z.number().int().positive().default(30_000),
  /** CIDRs allowed despite the SSRF rules (`['127.0.0.1/32']` in tests); none by default. */
  allowNetworks: z.array(z.string().regex(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/)).default([]),
  /** Deliveries one dispatch pass claims. */
  batchSize: z.number().int().min(1).max(1_000).default(20),
  /** Pause of the dispatcher loop when nothing was due. */
  pollIntervalMillis: z.number().int().positive().default(1_000),
});
export type WebhookOptions = z.infer<typeof WebhookOptionsSchema>;
export type WebhookOptionsInput = z.input<typeof WebhookOptionsSchema>;
