import { z } from 'zod';
import { WindowSchema } from './common.js';
import { LogLineSchema } from './trace.js';

/**
 * `GET /api/logs` — `stitch logs --tenant <id> [--trace <id>]`. Newest last. With `follow=true`
 * the endpoint instead streams NDJSON: one LogLine per line, plus `LogStreamNotice` lines.
 */
export const LogsResponseSchema = z.object({
  window: WindowSchema,
  logs: z.array(LogLineSchema),
  /** True when more lines matched than `limit`. */
  truncated: z.boolean(),
});

/** A control line in a follow stream: lines dropped by the tail-rate limit, or a heartbeat. */
export const LogStreamNoticeSchema = z.object({
  notice: z.enum(['dropped', 'heartbeat']),
  dropped: z.number().int().optional(),
  limit: z.string().optional(),
});

export type LogsResponse = z.infer<typeof LogsResponseSchema>;
export type LogStreamNotice = z.infer<typeof LogStreamNoticeSchema>;
