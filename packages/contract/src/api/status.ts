import { z } from 'zod';
import { IsoTimeSchema } from './common.js';

/** A ClickHouse table's TTL clause as the server prints it (`toDateTime(Timestamp) + toIntervalDay(7)`), or null for none. */
const TableTtlSchema = z.object({ traces: z.string().nullable(), logs: z.string().nullable() });

/** `GET /api/status` for a platform-wide token: the whole collector. */
export const PlatformStatusSchema = z.object({
  view: z.literal('platform'),
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
    /** Stitch's age and size limits on spans and logs; null on ClickHouse, where the tables keep theirs (tableTtl). */
    maxAgeHours: z.number().nullable(),
    maxSizeMb: z.number().nullable(),
    /** ClickHouse: the TTL of otel_traces and otel_logs, null for a table without one (kept forever); null on DuckDB. */
    tableTtl: TableTtlSchema.nullable(),
    /** Audit rows older than this go, on either engine. */
    auditMaxAgeDays: z.number(),
    lastRunAt: IsoTimeSchema.nullable(),
    deletedSpans: z.number().int(),
    deletedLogs: z.number().int(),
    deletedAudit: z.number().int(),
  }),
  forward: z.object({
    url: z.string().nullable(),
    forwarded: z.number().int(),
    dropped: z.number().int(),
    failed: z.number().int(),
  }),
});

/**
 * `GET /api/status` for a tenant-bound token: that tenant's stored figures only. Ingest
 * counters, store file, forwarding and retention sizes are the platform's, so they are left out.
 */
export const TenantStatusSchema = z.object({
  view: z.literal('tenant'),
  tenantId: z.string(),
  startedAt: IsoTimeSchema,
  uptimeSeconds: z.number(),
  store: z.object({
    spans: z.number().int(),
    logs: z.number().int(),
    oldestSpanTime: IsoTimeSchema.nullable(),
  }),
  retention: z.object({ maxAgeHours: z.number().nullable(), tableTtl: TableTtlSchema.nullable() }),
});

/** `GET /api/status` — `stitch status`: which view depends on the token. */
export const StatusResponseSchema = z.discriminatedUnion('view', [PlatformStatusSchema, TenantStatusSchema]);

export type PlatformStatus = z.infer<typeof PlatformStatusSchema>;
export type TenantStatus = z.infer<typeof TenantStatusSchema>;
export type StatusResponse = z.infer<typeof StatusResponseSchema>;
