import { ServiceMapResponseSchema } from '@stitch/contract';
import { defineQuestion, WindowParams } from '../question.js';
import { askServiceMap } from '../service-map.js';

export const serviceMapQuestion = defineQuestion({
  name: 'service-map',
  summary: 'which service calls which, with call counts, errors and latency',
  route: '/service-map',
  params: WindowParams,
  scope: 'traces:read',
  answer: ServiceMapResponseSchema,
  ask: (ctx, q) => askServiceMap(ctx.store, ctx.scope(q)),
  ui: { path: '#/map', label: 'Service map' },
});
