import { TraceSearchResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { defineQuestion, QueryBoolean, WindowParams } from '../question.js';
import { parseAttributeMatch } from '../span-attribute-filter.js';

export const searchQuestion = defineQuestion({
  name: 'search',
  summary: 'traces by tenant, service, route, span name, attribute, duration, errors and budget violations',
  route: '/traces',
  params: WindowParams.extend({
    service: z.string().min(1).max(200).optional(),
    route: z.string().min(1).max(500).optional(),
    minDurationMs: z.coerce.number().min(0).optional(),
    errors: QueryBoolean.optional(),
    violations: QueryBoolean.optional(),
    /** Text in a span's name, any span of the trace. */
    name: z.string().trim().min(1).max(200).optional(),
    /** `key=value`: a span of the trace has that attribute value. */
    attr: z
      .string()
      .max(500)
      .transform((text, ctx) => {
        const match = parseAttributeMatch(text);
        if (match === null) ctx.addIssue({ code: 'custom', message: 'attr must be key=value, the key an attribute name' });
        return match ?? z.NEVER;
      })
      .optional(),
    /** Also traces of only the kernel's bookkeeping (`stitch.housekeeping`); hidden by default. */
    housekeeping: QueryBoolean.optional(),
  }),
  scope: 'traces:read',
  answer: TraceSearchResponseSchema,
  ask: async (ctx, q) =>
    (await import('../trace-search.js')).askTraceSearch(ctx.store, ctx.scope(q), {
      service: q.service,
      route: q.route,
      minDurationMs: q.minDurationMs,
      errorsOnly: q.errors ?? false,
      violationsOnly: q.violations ?? false,
      spanName: q.name,
      attribute: q.attr,
      includeHousekeeping: q.housekeeping ?? false,
      limit: q.limit ?? 100,
    }),
  ui: { path: '#/search', label: 'Search traces' },
});
