import { z } from 'zod';
import { AttributesSchema, IsoTimeSchema, UnixNanoSchema } from './common.js';

export const TraceSpanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  /** Depth in the tree (0 for a root or a span whose parent was not received). */
  depth: z.number().int(),
  tenantId: z.string().nullable(),
  service: z.string().nullable(),
  name: z.string(),
  kind: z.number().int(),
  route: z.string().nullable(),
  component: z.string().nullable(),
  /** OTLP status: 0 unset, 1 ok, 2 error. */
  statusCode: z.number().int(),
  statusMessage: z.string().nullable(),
  startTime: IsoTimeSchema,
  startUnixNano: UnixNanoSchema,
  durationMs: z.number(),
  perfViolation: z.boolean(),
  attributes: AttributesSchema,
  resource: AttributesSchema,
  events: z.array(z.object({ timeUnixNano: UnixNanoSchema, name: z.string(), attributes: AttributesSchema })),
  links: z.array(z.object({ traceId: z.string(), spanId: z.string(), attributes: AttributesSchema })),
});

export const LogLineSchema = z.object({
  time: IsoTimeSchema,
  timeUnixNano: UnixNanoSchema,
  tenantId: z.string().nullable(),
  service: z.string().nullable(),
  instance: z.string().nullable(),
  component: z.string().nullable(),
  severityNumber: z.number().int(),
  severityText: z.string().nullable(),
  body: z.string(),
  traceId: z.string().nullable(),
  spanId: z.string().nullable(),
  attributes: AttributesSchema,
});

/** `GET /api/traces/:traceId` — `stitch trace <id>`. Spans in tree order (depth-first, by start). */
export const TraceResponseSchema = z.object({
  traceId: z.string(),
  spans: z.array(TraceSpanSchema),
  logs: z.array(LogLineSchema),
});

export type TraceSpan = z.infer<typeof TraceSpanSchema>;
export type LogLine = z.infer<typeof LogLineSchema>;
export type TraceResponse = z.infer<typeof TraceResponseSchema>;
