import { z } from 'zod';
import { WindowSchema } from './common.js';

export const ServiceNodeSchema = z.object({
  service: z.string(),
  spans: z.number().int(),
  errors: z.number().int(),
});

/** Calls from one service into another: a span whose parent span belongs to the caller. */
export const ServiceEdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  calls: z.number().int(),
  errors: z.number().int(),
  p95Ms: z.number(),
});

/** `GET /api/service-map?tenant=&since=&until=` — which service calls which, in the window. */
export const ServiceMapResponseSchema = z.object({
  window: WindowSchema,
  nodes: z.array(ServiceNodeSchema),
  edges: z.array(ServiceEdgeSchema),
});

export type ServiceNode = z.infer<typeof ServiceNodeSchema>;
export type ServiceEdge = z.infer<typeof ServiceEdgeSchema>;
export type ServiceMapResponse = z.infer<typeof ServiceMapResponseSchema>;
