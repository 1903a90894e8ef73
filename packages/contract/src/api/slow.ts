import { z } from 'zod';
import { IsoTimeSchema, WindowSchema } from './common.js';

export const SlowRouteSchema = z.object({
  route: z.string(),
  service: z.string().nullable(),
  count: z.number().int(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  /** The route budget the spans carried (`stitch.budget_ms`), if any. */
  budgetMs: z.number().nullable(),
  /** p95 of the same route across every other tenant in the window, for comparison. */
  otherTenantsP95Ms: z.number().nullable(),
  /** p95Ms / otherTenantsP95Ms: how many times slower this tenant is than the others. */
  otherTenantsRatio: z.number().nullable(),
  /** The tenant's time on the route beyond what the others' p95 would cost (the ranking key); null without others. */
  excessMs: z.number().nullable(),
  /** Slow for everyone: the others are over the budget too and this tenant is within 1.5× of them. */
  platformWide: z.boolean(),
  violations: z.number().int(),
});

export const DominantChildSchema = z.object({
  name: z.string(),
  component: z.string(),
  durationMs: z.number(),
});

export const SlowTraceSchema = z.object({
  traceId: z.string(),
  route: z.string().nullable(),
  name: z.string(),
  startTime: IsoTimeSchema,
  durationMs: z.number(),
  /** The direct child that took the longest: the query, external call or job to look at first. */
  dominantChild: DominantChildSchema.nullable(),
});

/** `GET /api/slow?tenant=` — `stitch slow --tenant <id>`: routes ranked by p95. */
export const SlowResponseSchema = z.object({
  tenantId: z.string(),
  window: WindowSchema,
  routes: z.array(SlowRouteSchema),
  slowestTraces: z.array(SlowTraceSchema),
});

export type SlowResponse = z.infer<typeof SlowResponseSchema>;
