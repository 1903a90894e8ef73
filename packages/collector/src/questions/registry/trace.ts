import { TraceResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { hasScope } from '../../auth/access.js';
import { renderTraceTree } from '../../cli/render-trace-tree.js';
import { defineQuestion, positional } from '../question.js';

export const traceQuestion = defineQuestion({
  name: 'trace',
  asks: 'Which tenant experienced this failure? (from a trace id)',
  summary: 'the whole trace as a tree, with its tenant and log lines interleaved by time',
  route: '/traces/:traceId',
  params: z.object({ traceId: z.string().max(64) }),
  scope: 'traces:read',
  answer: TraceResponseSchema,
  async ask(ctx, { traceId }) {
    const result = await (await import('../trace.js')).askTrace(ctx.store, traceId, ctx.tenant(undefined));
    // Log lines are tenant data under their own scope (seed 002): traces:read alone gets none.
    if (!hasScope(ctx.token, 'logs:read')) result.logs = [];
    return result;
  },
  cli: {
    usage: 'stitch trace <traceId>',
    example: 'stitch trace 4bf92f3577b34da6a3ce929d0e0e4736',
    params: (args) => ({ traceId: positional(args, 'trace id') }),
    render: renderTraceTree,
  },
  ui: { path: '#/', label: 'Paste the trace id above' },
});
