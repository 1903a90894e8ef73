import { TenantsResponseSchema } from '@stitch/contract';
import { defineQuestion, WindowParams } from '../question.js';

export const tenantsQuestion = defineQuestion({
  name: 'tenants',
  summary: 'the tenants seen in the window, busiest first',
  route: '/tenants',
  params: WindowParams,
  scope: 'traces:read',
  answer: TenantsResponseSchema,
  ask: async (ctx, q) => (await import('../tenants.js')).askTenants(ctx.store, ctx.scope(q), q.limit ?? 200),
});
