import { z } from 'zod';
import { IsoTimeSchema, WindowSchema } from './common.js';

/** What kind of work retried: a webhook endpoint's deliveries, a job's attempts, an event consumer's redeliveries. */
export const RETRY_KINDS = ['webhook', 'job', 'consumer'] as const;
export const RetryKindSchema = z.enum(RETRY_KINDS);
export type RetryKind = z.infer<typeof RetryKindSchema>;

/** One tenant's share of a retry loop. */
export const RetryTenantSchema = z.object({
  /** Null for attempts that carried no tenant (work started outside any tenant). */
  tenantId: z.string().nullable(),
  attempts: z.number().int(),
  retries: z.number().int(),
});

/**
 * One retry loop: all the attempts of one webhook endpoint, one job (by name) or one event
 * consumer on one event type in the window.
 */
export const RetryLoopSchema = z.object({
  kind: RetryKindSchema,
  /** The webhook endpoint id, the job name, or the consumer's name (its durable group name). */
  name: z.string(),
  /** For a consumer, the event type it kept receiving; null for webhooks and jobs. */
  eventType: z.string().nullable(),
  /** Attempt spans: webhook delivery attempts, job attempts, or event deliveries to the consumer. */
  attempts: z.number().int(),
  /**
   * Attempts after the first: webhook attempts and job attempts numbered > 1, and deliveries of
   * an event the consumer had been given before (redeliveries). The ranking key.
   */
  retries: z.number().int(),
  /** Attempts that failed: an error status (and, for webhooks, an HTTP status >= 400 or no answer). */
  failures: z.number().int(),
  /** failures / attempts, 0..1; the second ranking key. */
  failureRatio: z.number(),
  /** The highest attempt number seen (for a consumer, the most deliveries of one event). */
  maxAttempt: z.number().int(),
  /** Tenants with attempts in the loop, most retries first (at most 10). */
  tenants: z.array(RetryTenantSchema),
  /** The status message of the latest failed attempt; null when none failed. */
  lastError: z.string().nullable(),
  firstTime: IsoTimeSchema,
  lastTime: IsoTimeSchema,
  /** Traces of the loop's latest, highest-numbered attempts: the ones to open first. */
  exampleTraceIds: z.array(z.string()),
});

/**
 * `GET /api/retries` — `stitch retries`: "Where did retry loops occur?". Every loop of every
 * kind in one list, ranked by retries, then failure ratio: a busy healthy endpoint (many
 * attempts, no retries) is never first.
 */
export const RetriesResponseSchema = z.object({ window: WindowSchema, loops: z.array(RetryLoopSchema) });

export type RetryLoop = z.infer<typeof RetryLoopSchema>;
export type RetriesResponse = z.infer<typeof RetriesResponseSchema>;
