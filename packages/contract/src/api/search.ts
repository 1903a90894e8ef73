import { z } from 'zod';
import { IsoTimeSchema, WindowSchema } from './common.js';

/** One trace as the search lists it: its first span, its size and what went wrong in it. */
export const TraceSummarySchema = z.object({
  traceId: z.string(),
  tenantId: z.string().nullable(),
  /** Service and name of the trace's earliest span (its root when the root was received). */
  rootService: z.string().nullable(),
  rootName: z.string(),
  /** The route template of the trace's entry span, if any span carried one. */
  route: z.string().nullable(),
  services: z.array(z.string()),
  startTime: IsoTimeSchema,
  /** From the earliest start to the latest end of the trace's spans. */
  durationMs: z.number(),
  spanCount: z.number().int(),
  errorCount: z.number().int(),
  violationCount: z.number().int(),
});

/**
 * `GET /api/traces?tenant=&service=&route=&minDurationMs=&errors=&violations=&since=&until=&limit=`
 * — trace search for the web UI: traces that started in the window and match every filter,
 * newest first.
 */
export const TraceSearchResponseSchema = z.object({
  window: WindowSchema,
  traces: z.array(TraceSummarySchema),
  /** True when more traces matched than `limit`. */
  truncated: z.boolean(),
});

export type TraceSummary = z.infer<typeof TraceSummarySchema>;
export type TraceSearchResponse = z.infer<typeof TraceSearchResponseSchema>;
