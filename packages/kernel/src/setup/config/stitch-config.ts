import { hostname } from 'node:os';
import { z } from 'zod';
import { DbOptionsSchema } from '../../hops/db/db-options.js';
import { EdgeOptionsSchema } from '../../hops/edge/edge-options.js';
import { HttpOutOptionsSchema } from '../../hops/http-out/http-out-options.js';
import { JobsOptionsSchema } from '../../hops/jobs/job-options.js';
import { LogOptionsSchema } from '../../pipeline/logs/log-options.js';
import { RedactionOptionsSchema } from '../../pipeline/redaction/redaction-options.js';
import { SemconvOptionsSchema } from '../../core/tracing/semconv-opt-in.js';
import { TracingOptionsSchema } from '../../core/tracing/tracing-options.js';
import { WebhookOptionsSchema } from '../../hops/webhooks/webhook-options.js';

/** OpenTelemetry's name for a service that did not say (resource semantic conventions). */
export const UNKNOWN_SERVICE_NAME = 'unknown_service:node';

export const ServiceOptionsSchema = z.object({
  /** `service.name` of spans and `service` of log lines. */
  name: z.string().min(1).max(255).default(UNKNOWN_SERVICE_NAME),
  /** `node_id` of log lines: which process wrote it. Default: the host name. */
  nodeId: z.string().min(1).max(255).default(() => hostname()),
  /** Extra OpenTelemetry resource attributes. */
  resourceAttributes: z.record(z.string(), z.string()).default({}),
});

/**
 * The whole Stitch configuration: one section per folder, each owned (and defaulted) there.
 * Every field has a default, so `{}` is a valid configuration.
 */
export const StitchConfigSchema = z.object({
  service: ServiceOptionsSchema.prefault({}),
  /** `false`: a no-op path; contexts and log fields still work, nothing is recorded or exported. */
  enabled: z.boolean().default(true),
  /**
   * Strict mode (`setup/config/strict-mode.ts`): drift that is otherwise counted (a log line or a query
   * outside any context, a job or webhook sent from nowhere, an event without trace headers, a
   * span mixing tenants) throws a StitchError at its call site. Unset: on when NODE_ENV is
   * `test` or `development`, off otherwise.
   */
  strict: z.boolean().optional(),
  edge: EdgeOptionsSchema.prefault({}),
  logs: LogOptionsSchema.prefault({}),
  redaction: RedactionOptionsSchema.prefault({}),
  tracing: TracingOptionsSchema.prefault({}),
  /** OpenTelemetry's semantic-convention stability opt-in (`core/tracing/semconv-opt-in.ts`). */
  semconv: SemconvOptionsSchema.prefault({}),
  httpOut: HttpOutOptionsSchema.prefault({}),
  db: DbOptionsSchema.prefault({}),
  jobs: JobsOptionsSchema.prefault({}),
  webhooks: WebhookOptionsSchema.prefault({}),
});

/** The validated, frozen configuration. */
export type StitchConfig = z.infer<typeof StitchConfigSchema>;
/** The configuration as written in YAML or code (every field optional). */
export type StitchConfigInput = z.input<typeof StitchConfigSchema>;
