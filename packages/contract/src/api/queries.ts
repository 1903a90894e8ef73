import { z } from 'zod';
import { WindowSchema } from './common.js';

export const QueryRankSchema = z.object({
  queryName: z.string().nullable(),
  statement: z.string().nullable(),
  count: z.number().int(),
  totalMs: z.number(),
  p95Ms: z.number(),
  maxMs: z.number(),
  tenantCount: z.number().int(),
  /** Up to 10 tenants affected. */
  tenants: z.array(z.string()),
  exampleTraceIds: z.array(z.string()),
});

/** `GET /api/queries/top` — `stitch queries --top`: query spans ranked by total time. */
export const QueriesTopResponseSchema = z.object({ window: WindowSchema, queries: z.array(QueryRankSchema) });

export type QueriesTopResponse = z.infer<typeof QueriesTopResponseSchema>;
