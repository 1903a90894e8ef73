import { TraceSearchResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { defineQuestion, QueryBoolean, WindowParams } from '../question.js';
import { askTraceSearch } from '../trace-search.js';

export const searchQuestion = defineQuestion({
  name: 'search',
  summary: 'traces by tenant, service, route, duration, errors and budget violations',
  route: '/traces',
  params: WindowParams.extend({
    service: z.string().min(1).max(200).optional(),
    route: z.string().min(1).max(500).optional(),
    minDurationMs: z.coerce.number().min(0).optional(),
    errors: QueryBoolean.optional(),
    violations: QueryBoolean.optional(),
  }),
  scope: 'traces:read',
  answer: TraceSearchResponseSchema,
  ask: (ctx, q) =>
    askTraceSearch(ctx.store, ctx.scope(q), {
      service: q.service,
      route: q.route,
      minDurationMs: q.minDurationMs,
      errorsOnly: q.errors ?? false,
      violationsOnly: q.violations ?? false,
      limit: q.limit ?? 100,
    }),
  ui: { path: '#/search', label: 'Search traces' },
});
