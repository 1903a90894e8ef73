import { WebhookRetriesResponseSchema } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { defineQuestion, windowFlags, WindowParams } from '../question.js';

export const webhooksQuestion = defineQuestion({
  name: 'webhooks',
  asks: 'Which webhook caused the retry storm?',
  summary: 'which webhook caused the retry storm: endpoints by retries, then failure ratio',
  route: '/webhooks/retries',
  params: WindowParams,
  scope: 'traces:read',
  answer: WebhookRetriesResponseSchema,
  ask: async (ctx, params) => (await import('../webhook-retries.js')).askWebhookRetries(ctx.store, ctx.scope(params), params.limit ?? 20),
  cli: {
    usage: 'stitch webhooks --retries [--since 1h] [--tenant <id>]',
    // `--retries` names the question (`stitch webhooks --retries`); it is the only view.
    flags: { retries: 'boolean' },
    example: 'stitch webhooks --retries --since 2h',
    params: (_args, flags) => windowFlags(flags),
    render: (w) =>
      renderTable(
        ['endpoint', 'retries', 'attempts', 'failures', 'fail %', 'status codes', 'max attempt', 'tenants', 'first attempt', 'last attempt', 'example trace'],
        w.endpoints.map((e) => [
          e.endpoint,
          e.retries,
          e.attempts,
          e.failures,
          Math.round(e.failureRatio * 100),
          e.statusCodes.join(',') || '-',
          e.maxAttempt,
          e.tenants.join(','),
          e.firstAttemptTime,
          e.lastAttemptTime,
          e.exampleTraceIds[0],
        ]),
      ),
  },
  ui: { path: '#/webhooks', label: 'Webhooks' },
});
