import { z } from 'zod';
import { IsoTimeSchema } from './common.js';

export const JobRunSchema = z.object({
  /**
   * What the span is: the `enqueue <name>` producer span, in the trace of whoever enqueued the
   * job, or one attempt of the run (one per retry), in that trace or one of its own.
   */
  role: z.enum(['enqueue', 'attempt']),
  runId: z.string().nullable(),
  jobId: z.string().nullable(),
  jobName: z.string().nullable(),
  traceId: z.string(),
  spanId: z.string(),
  tenantId: z.string().nullable(),
  startTime: IsoTimeSchema,
  durationMs: z.number(),
  statusCode: z.number().int(),
  /** How the run points at its origin: a `stitch.parent.trace_id` attribute, a span link, or both. */
  via: z.enum(['attribute', 'link', 'both', 'none']),
});

export const OriginRequestSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  requestId: z.string().nullable(),
  tenantId: z.string().nullable(),
  service: z.string().nullable(),
  name: z.string(),
  route: z.string().nullable(),
  startTime: IsoTimeSchema,
  durationMs: z.number(),
  statusCode: z.number().int(),
});

/** `GET /api/jobs/:id/origin` — `stitch job <runId|jobId> --origin`. */
export const JobOriginResponseSchema = z.object({
  id: z.string(),
  runs: z.array(JobRunSchema),
  /** The root span of the trace that enqueued the job; null for cron/manual runs or unseen traces. */
  origin: OriginRequestSchema.nullable(),
  parentRequestId: z.string().nullable(),
  parentTraceId: z.string().nullable(),
});

/** `GET /api/requests/:traceId/jobs` — `stitch request <traceId> --jobs`. */
export const RequestJobsResponseSchema = z.object({ traceId: z.string(), jobs: z.array(JobRunSchema) });

export type JobOriginResponse = z.infer<typeof JobOriginResponseSchema>;
export type RequestJobsResponse = z.infer<typeof RequestJobsResponseSchema>;
