import { RetriesResponseSchema, type RetryLoop } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { defineQuestion, windowFlags, WindowParams } from '../question.js';
import { renderTenantCounts } from './tenant-counts.js';

/** `order-notifier <- order.paid` for a consumer; the endpoint or job name otherwise. */
function loopName(l: RetryLoop): string {
  return l.eventType === null ? l.name : `${l.name} <- ${l.eventType}`;
}

export const retriesQuestion = defineQuestion({
  name: 'retries',
  asks: 'Where did retry loops occur?',
  summary: 'where retry loops occurred: webhook endpoints, jobs and event consumers by retries, then failure ratio',
  route: '/retries',
  params: WindowParams,
  scope: 'traces:read',
  answer: RetriesResponseSchema,
  ask: async (ctx, params) => (await import('../retries.js')).askRetries(ctx.store, ctx.scope(params), params.limit ?? 20),
  cli: {
    usage: 'stitch retries [--since 1h] [--until <time>] [--tenant <id>] [--limit 20]',
    example: 'stitch retries --since 2h',
    params: (_args, flags) => windowFlags(flags),
    render: (r) =>
      renderTable(
        ['kind', 'name', 'retries', 'attempts', 'failures', 'fail %', 'max attempt', 'tenants', 'last error', 'last attempt', 'example trace'],
        r.loops.map((l) => [
          l.kind,
          loopName(l),
          l.retries,
          l.attempts,
          l.failures,
          Math.round(l.failureRatio * 100),
          l.maxAttempt,
          renderTenantCounts(l.tenants.map((t) => ({ tenantId: t.tenantId, count: t.attempts }))),
          l.lastError,
          l.lastTime,
          l.exampleTraceIds[0],
        ]),
      ),
  },
  ui: { path: '#/retries', label: 'Retries' },
});
