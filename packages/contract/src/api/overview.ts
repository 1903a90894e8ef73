import { z } from 'zod';
import { IsoTimeSchema, WindowSchema } from './common.js';

export const OverviewRouteSchema = z.object({
  route: z.string(),
  service: z.string().nullable(),
  count: z.number().int(),
  errors: z.number().int(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  /** The route budget its spans carried (`stitch.budget_ms`), if any. */
  budgetMs: z.number().nullable(),
  violations: z.number().int(),
});

/** One time bucket: entry requests, failed requests and budget violations (any component). */
export const OverviewBucketSchema = z.object({
  start: IsoTimeSchema,
  requests: z.number().int(),
  errors: z.number().int(),
  violations: z.number().int(),
});

/**
 * `GET /api/overview?tenant=&since=&until=&buckets=` — the tenant overview: p50/p95/p99 per
 * route against its budget, and requests, errors and violations over time. `tenantId` null:
 * every tenant (platform-wide tokens only).
 */
export const TenantOverviewResponseSchema = z.object({
  tenantId: z.string().nullable(),
  window: WindowSchema,
  bucketMillis: z.number().int(),
  routes: z.array(OverviewRouteSchema),
  timeline: z.array(OverviewBucketSchema),
});

export type OverviewRoute = z.infer<typeof OverviewRouteSchema>;
export type OverviewBucket = z.infer<typeof OverviewBucketSchema>;
export type TenantOverviewResponse = z.infer<typeof TenantOverviewResponseSchema>;
