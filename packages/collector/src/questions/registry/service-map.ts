import { ServiceMapResponseSchema } from '@stitch/contract';
import { defineQuestion, WindowParams } from '../question.js';

export const serviceMapQuestion = defineQuestion({
  name: 'service-map',
  summary: 'which service calls which, with call counts, errors and latency',
  route: '/service-map',
  params: WindowParams,
  scope: 'traces:read',
  answer: ServiceMapResponseSchema,
  ask: async (ctx, q) => (await import('../service-map.js')).askServiceMap(ctx.store, ctx.scope(q)),
  ui: { path: '#/map', label: 'Service map' },
});
