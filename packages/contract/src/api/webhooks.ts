import { z } from 'zod';
import { WindowSchema } from './common.js';

export const WebhookEndpointRankSchema = z.object({
  endpoint: z.string(),
  attempts: z.number().int(),
  /** Attempts with an error status or an HTTP status >= 400 (or none: no answer). */
  failures: z.number().int(),
  /** Attempts whose attempt number was > 1. */
  retries: z.number().int(),
  maxAttempt: z.number().int(),
  /** failures / attempts, 0..1. */
  failureRatio: z.number(),
  /** The distinct HTTP statuses the endpoint answered, ascending. */
  statusCodes: z.array(z.number().int()),
  firstAttemptTime: z.string(),
  lastAttemptTime: z.string(),
  tenants: z.array(z.string()),
  exampleTraceIds: z.array(z.string()),
});

/** `GET /api/webhooks/retries` — `stitch webhooks --retries`: endpoints ranked by retries, then failure ratio. */
export const WebhookRetriesResponseSchema = z.object({ window: WindowSchema, endpoints: z.array(WebhookEndpointRankSchema) });

export type WebhookRetriesResponse = z.infer<typeof WebhookRetriesResponseSchema>;
