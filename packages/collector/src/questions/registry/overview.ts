import { TenantOverviewResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { defineQuestion, WindowParams } from '../question.js';

export const overviewQuestion = defineQuestion({
  name: 'overview',
  summary: "a tenant's routes (p50/p95/p99 against their budgets) and its requests, errors and violations over time",
  route: '/overview',
  params: WindowParams.extend({ buckets: z.coerce.number().int().min(1).max(240).optional() }),
  scope: 'traces:read',
  answer: TenantOverviewResponseSchema,
  ask: async (ctx, q) => (await import('../tenant-overview.js')).askTenantOverview(ctx.store, ctx.scope(q), q.buckets ?? 60),
  ui: { path: '#/overview', label: 'Tenant overview' },
});
