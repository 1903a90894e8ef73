export {
  currentContext,
  tryCurrentContext,
  requireTenantId,
  runInContext,
  runInNewContext,
  deriveContext,
  withContext,
} from './core/context/context-store.js';
export type { NewContextInit } from './core/context/context-store.js';
export {
  stitchPropagator,
  extractTraceContext,
  parseTraceparent,
  formatTraceparent,
  parseTracestate,
  Tracestate,
  extractBaggage,
  injectBaggage,
} from './core/propagation/index.js';
export type { TraceContextExtraction, Traceparent, TraceparentRejection, TracestateRejection, BaggageOptions } from './core/propagation/index.js';
export { installHttpOut, HttpOutOptionsSchema } from './hops/http-out/index.js';
export type { UninstallHttpOut, HttpOutOptions, HttpOutOptionsInput } from './hops/http-out/index.js';
export { bindEmitter } from './core/context/bind-emitter.js';
export { bindCallbacks } from './core/context/bind-callbacks.js';
export { setRoute } from './hops/edge/start-request.js';
export { toErrorResponse, sendErrorResponse } from './hops/edge/error-envelope.js';
export type { ErrorResponse } from './hops/edge/error-envelope.js';
export { StitchError, isStitchError } from './core/errors/stitch-error.js';
// Logs, redaction, configuration.
export { createLogger } from './pipeline/logs/create-logger.js';
export type { CreateLoggerOptions } from './pipeline/logs/create-logger.js';
export { createLoggerFromConfig } from './pipeline/logs/logger-from-config.js';
export type { ConfiguredLogging } from './pipeline/logs/logger-from-config.js';
export type { Logger } from 'pino';
export { logStats } from './pipeline/logs/log-stats.js';
export type { LogStats } from './pipeline/logs/log-stats.js';
export { isStrictMode, setStrictMode, withoutStrictMode } from './setup/config/strict-mode.js';
export { createOtlpLogStream } from './pipeline/logs/otlp-log-stream.js';
export type { OtlpLogStream, OtlpLogStreamOptions, OtlpLogStats } from './pipeline/logs/otlp-log-stream.js';
export { LogOptionsSchema } from './pipeline/logs/log-options.js';
export type { LogOptions, LogLevel } from './pipeline/logs/log-options.js';
export { createRedactor, defaultRedactor, redactAttributes, redactSpan, RedactingSpanProcessor, RedactingSpanExporter, RedactionOptionsSchema } from './pipeline/redaction/index.js';
export type { Redactor, RedactionOptions, RedactionOptionsInput } from './pipeline/redaction/index.js';
export { loadConfig } from './setup/config/load-config.js';
export type { LoadConfigOptions } from './setup/config/load-config.js';
export { StitchConfigSchema } from './setup/config/stitch-config.js';
export type { StitchConfig, StitchConfigInput } from './setup/config/stitch-config.js';
export { createStitch } from './setup/create-stitch.js';
export type { Stitch, CreateStitchOptions } from './setup/create-stitch.js';
export { startStitch } from './setup/start-stitch.js';
export type { StartStitchOptions, StitchHandle } from './setup/start-stitch.js';
export { samplingStats, exportStats, budgetStats } from './setup/start-stitch.js';
export { withSpan, recordError } from './core/tracing/with-span.js';
export type { WithSpanOptions } from './core/tracing/with-span.js';
export { markSecurityRelevant } from './pipeline/sampling/mark-security.js';
export type { SamplingStats } from './pipeline/sampling/tail-sampling-processor.js';
export type { ExportStats } from './pipeline/export/bounded-batch-processor.js';
export type { BudgetStats } from './pipeline/budgets/budget-processor.js';
export type { TraceContext, ContextChanges, ErrorCode, ErrorEnvelope } from '@stitch/contract';
export { TraceContextSchema } from '@stitch/contract';
export { createJobs } from './hops/jobs/jobs.js';
export type { Jobs, CreateJobsOptions, EnqueueOptions, EnqueuedJob } from './hops/jobs/jobs.js';
export type { JobHandler, JobInfo } from './hops/jobs/job-attempt.js';
export type { JobEngine, EngineDelivery, EngineSendOptions } from './hops/jobs/job-engine.js';
export { inProcessJobEngine } from './hops/jobs/in-process-engine.js';
export { createSqlRunStore } from './hops/jobs/sql-run-store.js';
export { createMemoryRunStore } from './hops/jobs/memory-run-store.js';
export type { RunStore, RunOrigin, RunAttemptRecord, RunOutcome } from './hops/jobs/job-run-record.js';
export { traceIdForRun, isTraceOfRun } from './hops/jobs/run-id.js';
export { JobsOptionsSchema } from './hops/jobs/job-options.js';
// Data path: SQL wrapper (drivers at `/db/pg`, `/db/pglite`), audit, outbox, events (buses at `/events/nats`, `/events/rabbitmq`).
export type { Queryable, QueryResultRows } from './hops/db/queryable.js';
export type { Database, Transaction } from './hops/db/database.js';
export { DbOptionsSchema } from './hops/db/db-options.js';
export type { DbOptions, DbOptionsInput } from './hops/db/db-options.js';
export { formatSqlComment, appendSqlComment } from './hops/db/sql-comment.js';
export type { SqlCommentTags } from './hops/db/sql-comment.js';
export { createAuditLog } from './hops/audit/audit-log.js';
export type { AuditLog, AuditLogOptions, AuditEntryInput, AuditRecord, AuditListQuery } from './hops/audit/audit-log.js';
export { createOutbox } from './hops/outbox/outbox.js';
export type { Outbox, OutboxOptions, OutboxEventInput, OutboxLag } from './hops/outbox/outbox.js';
export { createOutboxRelay } from './hops/outbox/outbox-relay.js';
export type { OutboxRelay, OutboxRelayOptions, RelayBatchResult } from './hops/outbox/outbox-relay.js';
export { EventEnvelopeSchema } from './hops/events/event-envelope.js';
export type { EventEnvelope } from './hops/events/event-envelope.js';
export type { EventBus, EventSubscription, EnvelopeHandler } from './hops/events/event-bus.js';
export { createInProcessBus } from './hops/events/in-process-bus.js';
export type { InProcessBus, InProcessBusOptions } from './hops/events/in-process-bus.js';
export { consumeEvents, processEvent } from './hops/events/event-consumer.js';
export type { EventHandlerOptions, EventRunOutcome } from './hops/events/event-consumer.js';
export { webhookAction, emailAction, slackAction } from './hops/events/event-actions.js';
export type { EventAction } from './hops/events/event-actions.js';
export { createCheckpointStore } from './hops/events/checkpoint-store.js';
export type { CheckpointStore, CheckpointState } from './hops/events/checkpoint-store.js';
export { createWebhooks } from './hops/webhooks/webhooks.js';
export type { Webhooks, CreateWebhooksOptions, SendWebhookInput } from './hops/webhooks/webhooks.js';
export type { WebhookAttemptRecord, WebhookEndpoint, RetryStormRow, AttemptFinalState } from './hops/webhooks/webhook-store.js';
export { verifyWebhook, signWebhook, webhookHeaders, newWebhookSecret } from './hops/webhooks/webhook-signature.js';
export type { WebhookVerification, VerifyWebhookInput } from './hops/webhooks/webhook-signature.js';
export { WebhookOptionsSchema } from './hops/webhooks/webhook-options.js';
export { batch, runBatch } from './hops/batches/batch-run.js';
export type { BatchOptions, BatchResult, BatchItemOutcome } from './hops/batches/batch-run.js';
