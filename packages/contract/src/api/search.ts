import { z } from 'zod';
import { IsoTimeSchema, WindowSchema } from './common.js';

/** One trace as the search lists it: its root, its size and what went wrong in it. */
export const TraceSummarySchema = z.object({
  traceId: z.string(),
  tenantId: z.string().nullable(),
  /**
   * Service and name of the trace's root, the parentless span (a child often starts in the same
   * millisecond); of its earliest span only while the root has not been received.
   */
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
 * `GET /api/traces?tenant=&service=&route=&name=&attr=key%3Dvalue&minDurationMs=&errors=&violations=&housekeeping=&since=&until=&limit=`
 * — trace search for the web UI: traces that started in the window and match every filter
 * (`name`: text in any span's name; `attr`: any span's attribute value), newest first. Traces
 * of only the kernel's bookkeeping (`stitch.housekeeping`) are left out unless `housekeeping=true`.
 */
export const TraceSearchResponseSchema = z.object({
  window: WindowSchema,
  traces: z.array(TraceSummarySchema),
  /** True when more traces matched than `limit`. */
  truncated: z.boolean(),
});

export type TraceSummary = z.infer<typeof TraceSummarySchema>;
export type TraceSearchResponse = z.infer<typeof TraceSearchResponseSchema>;
