import { z } from 'zod';

/**
 * The relay's settings. Before this schema the relay took any number: a batch of 0 claimed
 * nothing forever and a fractional one reached SQL's LIMIT as an error at the first poll.
 */
export const OutboxRelayOptionsSchema = z.object({
  /** Events claimed per transaction. */
  batchSize: z.number().int().min(1).max(10_000).default(100),
  /** Wait between polls when the last one found less than a full batch. */
  pollIntervalMillis: z.number().int().min(0).default(200),
  /** Aggregates published side by side within a batch (each one still in order). */
  publishConcurrency: z.number().int().min(1).max(1_000).default(16),
});
export type OutboxRelaySettings = z.infer<typeof OutboxRelayOptionsSchema>;
export type OutboxRelaySettingsInput = z.input<typeof OutboxRelayOptionsSchema>;
