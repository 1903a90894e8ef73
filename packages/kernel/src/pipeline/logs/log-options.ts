import { z } from 'zod';
import { OtlpProtocolSchema } from '../export/otlp-protocol.js';

/** pino's level names, lowest to highest; `silent` writes nothing. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const Millis = z.number().int().positive();

/** Export of log lines over OTLP/HTTP, beside stdout (section `logs.otlp`). */
export const OtlpLogOptionsSchema = z.object({
  /**
   * `none` (default): lines go to stdout only. `otlp`: also to `endpoint` (OTEL_LOGS_EXPORTER).
   * The loader picks `otlp` when OTEL_LOGS_EXPORTER is unset and an OTLP endpoint variable is set.
   */
  exporter: z.enum(['none', 'otlp']).default('none'),
  /** Full URL of the logs endpoint (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT). */
  endpoint: z.url().default('http://localhost:4318/v1/logs'),
  protocol: OtlpProtocolSchema.default('http/protobuf'),
  headers: z.record(z.string(), z.string()).default({}),
  /** Records waiting for export; past this, new ones are dropped and counted. */
  maxQueueSize: z.number().int().positive().default(2048),
  maxExportBatchSize: z.number().int().positive().default(512),
  scheduledDelayMillis: Millis.default(1000),
  exportTimeoutMillis: Millis.default(10_000),
});
export type OtlpLogOptions = z.infer<typeof OtlpLogOptionsSchema>;

/** Options of the logger (section `logs` of the Stitch config). Every field has a default. */
export const LogOptionsSchema = z.object({
  level: z.enum(LOG_LEVELS).default('info'),
  otlp: OtlpLogOptionsSchema.prefault({}),
});
export type LogOptions = z.infer<typeof LogOptionsSchema>;
