import { z } from 'zod';
import { IsoTimeSchema, WindowSchema } from './common.js';

/**
 * Inside a route, the direct child of its server span (a query, an external call, a `withSpan`
 * step) that accounts for most of the tenant's excess: its time per request for this tenant
 * beyond its time per request for the other tenants, times the tenant's requests.
 */
export const SlowStepSchema = z.object({
  name: z.string(),
  component: z.string(),
  /** The step's total time for this tenant on the route in the window. */
  tenantMs: z.number(),
  /** The step's time beyond the other tenants' per-request time on it; null without others. */
  excessMs: z.number().nullable(),
});

export const SlowRouteSchema = z.object({
  /** The route template, `job <name>` for a job's attempts, or `consumer <name>` for an event consumer's runs. */
  route: z.string(),
  /** What the row ranks: requests to a route (`http`) or a job's attempts (`job`). Optional only so that answers of older collectors still parse. */
  entryKind: z.enum(['http', 'job', 'consumer']).optional(),
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
  /**
   * The step that accounts for the excess (without other tenants to compare with: the step with
   * the most of the tenant's time); null when the route's spans have no children, and below the
   * first three routes of the ranking (not looked for). Optional only so that answers of older
   * collectors still parse.
   */
  step: SlowStepSchema.nullable().optional(),
  /** The tenant's slowest traces on this route, slowest first (at most 3). */
  exampleTraceIds: z.array(z.string()).optional(),
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

/** `GET /api/slow?tenant=` — `stitch slow --tenant <id>`: routes ranked by the tenant's excess over the others. */
export const SlowResponseSchema = z.object({
  tenantId: z.string(),
  window: WindowSchema,
  routes: z.array(SlowRouteSchema),
  slowestTraces: z.array(SlowTraceSchema),
});

export type SlowResponse = z.infer<typeof SlowResponseSchema>;
