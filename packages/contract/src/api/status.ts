import { z } from 'zod';
import { IsoTimeSchema } from './common.js';

/** `GET /api/status` — `stitch status`. */
export const StatusResponseSchema = z.object({
  startedAt: IsoTimeSchema,
  uptimeSeconds: z.number(),
  ingest: z.object({
    acceptedSpans: z.number().int(),
    acceptedLogs: z.number().int(),
    /** Averages since start. */
    spansPerSecond: z.number(),
    logsPerSecond: z.number(),
    /** Over about the last minute. */
    recentSpansPerSecond: z.number(),
    recentLogsPerSecond: z.number(),
    rejectedRecords: z.number().int(),
    throttledRequests: z.number().int(),
    throttledRecords: z.number().int(),
    undecodableRequests: z.number().int(),
    writeFailures: z.number().int(),
    queueDepth: z.number().int(),
    queueCapacity: z.number().int(),
  }),
  store: z.object({
    path: z.string(),
    fileBytes: z.number().int(),
    walBytes: z.number().int(),
    spans: z.number().int(),
    logs: z.number().int(),
    oldestSpanTime: IsoTimeSchema.nullable(),
  }),
  retention: z.object({
    maxAgeHours: z.number(),
    maxSizeMb: z.number(),
    lastRunAt: IsoTimeSchema.nullable(),
    deletedSpans: z.number().int(),
    deletedLogs: z.number().int(),
  }),
  forward: z.object({
    url: z.string().nullable(),
    forwarded: z.number().int(),
    dropped: z.number().int(),
    failed: z.number().int(),
  }),
});

export type StatusResponse = z.infer<typeof StatusResponseSchema>;
