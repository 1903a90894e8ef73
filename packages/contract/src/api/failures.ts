import { z } from 'zod';
import { IsoTimeSchema, WindowSchema } from './common.js';

export const ErrorGroupSchema = z.object({
  tenantId: z.string().nullable(),
  route: z.string().nullable(),
  component: z.string().nullable(),
  service: z.string().nullable(),
  count: z.number().int(),
  traceCount: z.number().int(),
  lastSeen: IsoTimeSchema,
  lastMessage: z.string().nullable(),
  exampleTraceIds: z.array(z.string()),
});

/** `GET /api/errors` — `stitch errors`: spans with error status grouped by tenant, route, component. */
export const ErrorsResponseSchema = z.object({ window: WindowSchema, groups: z.array(ErrorGroupSchema) });

export const ViolationGroupSchema = z.object({
  tenantId: z.string().nullable(),
  route: z.string().nullable(),
  component: z.string().nullable(),
  name: z.string(),
  count: z.number().int(),
  p95Ms: z.number(),
  budgetMs: z.number().nullable(),
  lastSeen: IsoTimeSchema,
  exampleTraceIds: z.array(z.string()),
});

/** `GET /api/violations` — `stitch violations`: budget violations grouped by tenant, route, component. */
export const ViolationsResponseSchema = z.object({ window: WindowSchema, groups: z.array(ViolationGroupSchema) });

export type ErrorsResponse = z.infer<typeof ErrorsResponseSchema>;
export type ViolationsResponse = z.infer<typeof ViolationsResponseSchema>;
