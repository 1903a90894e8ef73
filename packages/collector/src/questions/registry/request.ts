import { RequestJobsResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { renderTable } from '../../cli/render-table.js';
import { defineQuestion, positional } from '../question.js';
import { SPAN_STATUS } from './span-status.js';

export const requestQuestion = defineQuestion({
  name: 'request',
  asks: 'Which jobs did this request trigger?',
  summary: 'which jobs this request triggered',
  route: '/requests/:traceId/jobs',
  params: z.object({ traceId: z.string().max(64) }),
  scope: 'traces:read',
  answer: RequestJobsResponseSchema,
  ask: async (ctx, { traceId }) => (await import('../job-links.js')).askRequestJobs(ctx.store, traceId, ctx.tenant(undefined)),
  cli: {
    usage: 'stitch request <traceId> --jobs',
    // `--jobs` names the question (`stitch request <traceId> --jobs`).
    flags: { jobs: 'boolean' },
    example: 'stitch request 4bf92f3577b34da6a3ce929d0e0e4736 --jobs',
    params: (args) => ({ traceId: positional(args, 'trace id') }),
    render: (r) =>
      renderTable(
        ['job', 'run', 'job id', 'trace', 'tenant', 'ms', 'status', 'via'],
        r.jobs.map((j) => [j.jobName, j.runId, j.jobId, j.traceId, j.tenantId, j.durationMs, SPAN_STATUS[j.statusCode], j.via]),
      ),
  },
  // The trace page lists the jobs its request triggered.
  ui: { path: '#/', label: 'Paste the trace id above' },
});
