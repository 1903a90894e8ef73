import { LogsResponseSchema, type LogLine } from '@stitch/contract';
import { z } from 'zod';
import { defineQuestion, flag, QueryBoolean, windowFlags, WindowParams } from '../question.js';

export const LogsParams = WindowParams.extend({
  trace: z.string().regex(/^[0-9a-fA-F]{32}$/).optional(),
  service: z.string().max(200).optional(),
  instance: z.string().max(200).optional(),
  minSeverity: z.coerce.number().int().min(0).max(24).optional(),
  follow: QueryBoolean.optional(),
  /** Lines per second the follower wants; above the limit is refused with 429. */
  rate: z.coerce.number().positive().optional(),
});

export function renderLogLine(l: LogLine): string {
  return `${l.time}  ${(l.severityText ?? String(l.severityNumber)).padEnd(5)}  ${l.service ?? '-'}  ${l.tenantId ?? '-'}  ${l.body}`;
}

export const logsQuestion = defineQuestion({
  name: 'logs',
  summary: 'logs by tenant, service, instance and time; --follow tails live',
  route: '/logs',
  params: LogsParams,
  scope: 'logs:read',
  answer: LogsResponseSchema,
  // `follow=true` is served by the API as a live NDJSON stream (server/log-follow.ts) instead.
  follows: true,
  ask: async (ctx, q) =>
    (await import('../logs.js')).askLogs(ctx.store, ctx.scope(q), { traceId: q.trace, service: q.service, instance: q.instance, minSeverity: q.minSeverity, limit: q.limit ?? 200 }),
  cli: {
    usage: 'stitch logs --tenant <id> [--trace <id>] [--service s] [--instance i] [--follow]',
    example: 'stitch logs --tenant 11111111-1111-4111-8111-111111111111 --follow',
    flags: { trace: 'string', service: 'string', instance: 'string', follow: 'boolean' },
    params: (_args, flags) => ({ ...windowFlags(flags), trace: flag(flags.trace), service: flag(flags.service), instance: flag(flags.instance) }),
    render: (l) => l.logs.map(renderLogLine).join('\n') + (l.truncated ? '\n… more lines matched: narrow the window or raise --limit\n' : '\n'),
  },
});
