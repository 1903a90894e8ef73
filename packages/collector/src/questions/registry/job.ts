import { JobOriginResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { renderTable } from '../../cli/render-table.js';
import { defineQuestion, positional } from '../question.js';
import { SPAN_STATUS } from './span-status.js';

export const jobQuestion = defineQuestion({
  name: 'job',
  asks: 'Which request triggered this job?',
  summary: 'which request triggered this job: its trace, route, tenant and request id',
  route: '/jobs/:id/origin',
  params: z.object({ id: z.string().min(1).max(200) }),
  scope: 'traces:read',
  answer: JobOriginResponseSchema,
  ask: async (ctx, { id }) => (await import('../job-links.js')).askJobOrigin(ctx.store, id, ctx.tenant(undefined)),
  cli: {
    usage: 'stitch job <runId|jobId> --origin',
    // `--origin` names the question; the runs are shown with it.
    flags: { origin: 'boolean' },
    example: 'stitch job run_42 --origin',
    params: (args) => ({ id: positional(args, 'run or job id') }),
    render(j) {
      const o = j.origin;
      return (
        renderTable(
          ['span', 'run', 'job', 'name', 'trace', 'ms', 'status', 'via'],
          j.runs.map((r) => [r.role, r.runId, r.jobId, r.jobName, r.traceId, r.durationMs, SPAN_STATUS[r.statusCode], r.via]),
        ) +
        (o
          ? `\norigin: ${o.name} (${o.route ?? '-'}) in ${o.service ?? '-'}, trace ${o.traceId}, request ${o.requestId ?? '-'}, tenant ${o.tenantId ?? '-'}, ${o.startTime}\n`
          : `\norigin: ${j.parentTraceId ? `trace ${j.parentTraceId} (not in the store)` : 'none (cron or manual run)'}\n`)
      );
    },
  },
  ui: { path: '#/jobs', label: 'Job origin (paste the job or run id)' },
});
