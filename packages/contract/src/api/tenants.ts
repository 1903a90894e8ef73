import { z } from 'zod';
import { IsoTimeSchema, WindowSchema } from './common.js';

export const TenantActivitySchema = z.object({
  tenantId: z.string(),
  spans: z.number().int(),
  traces: z.number().int(),
  errors: z.number().int(),
  violations: z.number().int(),
  lastSeen: IsoTimeSchema,
});

/**
 * `GET /api/tenants?since=&until=` — the tenants seen in the window, busiest first (the UI's
 * tenant picker and the all-tenants overview). A tenant-bound token sees only its own.
 */
export const TenantsResponseSchema = z.object({ window: WindowSchema, tenants: z.array(TenantActivitySchema) });

export type TenantActivity = z.infer<typeof TenantActivitySchema>;
export type TenantsResponse = z.infer<typeof TenantsResponseSchema>;
