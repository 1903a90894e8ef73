import { z } from 'zod';
import { WindowSchema } from './common.js';

export const QueryRankSchema = z.object({
  queryName: z.string().nullable(),
  statement: z.string().nullable(),
  count: z.number().int(),
  totalMs: z.number(),
  p95Ms: z.number(),
  maxMs: z.number(),
  /** The same over the window of equal length just before (the baseline). */
  baselineCount: z.number().int(),
  baselineTotalMs: z.number(),
  /** Null when the query did not run in the baseline. */
  baselineP95Ms: z.number().nullable(),
  /** totalMs − baselineTotalMs: what the ranking is by. */
  growthMs: z.number(),
  tenantCount: z.number().int(),
  /** Up to 10 tenants affected. */
  tenants: z.array(z.string()),
  exampleTraceIds: z.array(z.string()),
});

/**
 * `GET /api/queries/top` — `stitch queries --top`, "which query caused the spike?": queries ranked
 * by the growth of their total time in the window over the baseline, the window of the same
 * length just before it (without `since`/`until`: the last hour against the hour before).
 */
export const QueriesTopResponseSchema = z.object({ window: WindowSchema, baseline: WindowSchema, queries: z.array(QueryRankSchema) });

export type QueriesTopResponse = z.infer<typeof QueriesTopResponseSchema>;
