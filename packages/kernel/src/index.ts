export {
  currentContext,
  tryCurrentContext,
  requireTenantId,
  runInContext,
  runInNewContext,
  deriveContext,
  withContext,
} from './context/context-store.js';
export type { NewContextInit } from './context/context-store.js';
export {
  stitchPropagator,
  extractTraceContext,
  parseTraceparent,
  formatTraceparent,
  parseTracestate,
  Tracestate,
  extractBaggage,
  injectBaggage,
} from './propagation/index.js';
export type { TraceContextExtraction, Traceparent, TraceparentRejection, TracestateRejection, BaggageOptions } from './propagation/index.js';
export { installHttpOut, HttpOutOptionsSchema } from './http-out/index.js';
export type { UninstallHttpOut, HttpOutOptions, HttpOutOptionsInput } from './http-out/index.js';
export { bindEmitter } from './context/bind-emitter.js';
export { bindCallbacks } from './context/bind-callbacks.js';
export { setRoute } from './edge/start-request.js';
export { toErrorResponse, sendErrorResponse } from './edge/error-envelope.js';
export type { ErrorResponse } from './edge/error-envelope.js';
export { StitchError, isStitchError } from './errors/stitch-error.js';
// Logs, redaction, configuration.
export { createLogger } from './logs/create-logger.js';
export type { CreateLoggerOptions } from './logs/create-logger.js';
export { createLoggerFromConfig } from './logs/logger-from-config.js';
export type { ConfiguredLogging } from './logs/logger-from-config.js';
export type { Logger } from 'pino';
export { logStats } from './logs/log-stats.js';
export type { LogStats } from './logs/log-stats.js';
export { isStrictMode, setStrictMode, withoutStrictMode } from './config/strict-mode.js';
export { createOtlpLogStream } from './logs/otlp-log-stream.js';
export type { OtlpLogStream, OtlpLogStreamOptions, OtlpLogStats } from './logs/otlp-log-stream.js';
export { LogOptionsSchema } from './logs/log-options.js';
export type { LogOptions, LogLevel } from './logs/log-options.js';
export { createRedactor, defaultRedactor, redactAttributes, redactSpan, RedactingSpanProcessor, RedactingSpanExporter, RedactionOptionsSchema } from './redaction/index.js';
export type { Redactor, RedactionOptions, RedactionOptionsInput } from './redaction/index.js';
export { loadConfig } from './config/load-config.js';
export type { LoadConfigOptions } from './config/load-config.js';
export { StitchConfigSchema } from './config/stitch-config.js';
export type { StitchConfig, StitchConfigInput } from './config/stitch-config.js';
export { createStitch } from './setup/create-stitch.js';
export type { Stitch, CreateStitchOptions } from './setup/create-stitch.js';
export { startStitch } from './setup/start-stitch.js';
export type { StartStitchOptions, StitchHandle } from './setup/start-stitch.js';
export { samplingStats, exportStats, budgetStats } from './setup/start-stitch.js';
export { withSpan, recordError } from './tracing/with-span.js';
export type { WithSpanOptions } from './tracing/with-span.js';
export { markSecurityRelevant } from './sampling/mark-security.js';
export type { SamplingStats } from './sampling/tail-sampling-processor.js';
export type { ExportStats } from './export/bounded-batch-processor.js';
export type { BudgetStats } from './budgets/budget-processor.js';
export type { TraceContext, ContextChanges, ErrorCode, ErrorEnvelope } from '@stitch/contract';
export { TraceContextSchema } from '@stitch/contract';
export { createJobs } from './jobs/jobs.js';
export type { Jobs, CreateJobsOptions, EnqueueOptions, EnqueuedJob } from './jobs/jobs.js';
export type { JobHandler, JobInfo } from './jobs/job-attempt.js';
export type { JobEngine, EngineDelivery, EngineSendOptions } from './jobs/job-engine.js';
export { inProcessJobEngine } from './jobs/in-process-engine.js';
export { createSqlRunStore } from './jobs/sql-run-store.js';
export { createMemoryRunStore } from './jobs/memory-run-store.js';
export type { RunStore, RunOrigin, RunAttemptRecord, RunOutcome } from './jobs/job-run-record.js';
export { traceIdForRun, isTraceOfRun } from './jobs/run-id.js';
export { JobsOptionsSchema } from './jobs/job-options.js';
// Data path: SQL wrapper (drivers at `/db/pg`, `/db/pglite`), audit, outbox, events (buses at `/events/nats`, `/events/rabbitmq`).
export type { Queryable, QueryResultRows } from './db/queryable.js';
export type { Database, Transaction } from './db/database.js';
export { DbOptionsSchema } from './db/db-options.js';
export type { DbOptions, DbOptionsInput } from './db/db-options.js';
export { formatSqlComment, appendSqlComment } from './db/sql-comment.js';
export type { SqlCommentTags } from './db/sql-comment.js';
export { createAuditLog } from './audit/audit-log.js';
export type { AuditLog, AuditLogOptions, AuditEntryInput, AuditRecord, AuditListQuery } from './audit/audit-log.js';
export { createOutbox } from './outbox/outbox.js';
export type { Outbox, OutboxOptions, OutboxEventInput, OutboxLag } from './outbox/outbox.js';
export { createOutboxRelay } from './outbox/outbox-relay.js';
export type { OutboxRelay, OutboxRelayOptions, RelayBatchResult } from './outbox/outbox-relay.js';
export { EventEnvelopeSchema } from './events/event-envelope.js';
export type { EventEnvelope } from './events/event-envelope.js';
export type { EventBus, EventSubscription, EnvelopeHandler } from './events/event-bus.js';
export { createInProcessBus } from './events/in-process-bus.js';
export type { InProcessBus, InProcessBusOptions } from './events/in-process-bus.js';
export { consumeEvents, processEvent } from './events/event-consumer.js';
export type { EventHandlerOptions, EventRunOutcome } from './events/event-consumer.js';
export { webhookAction, emailAction, slackAction } from './events/event-actions.js';
export type { EventAction } from './events/event-actions.js';
export { createCheckpointStore } from './events/checkpoint-store.js';
export type { CheckpointStore, CheckpointState } from './events/checkpoint-store.js';
export { createWebhooks } from './webhooks/webhooks.js';
export type { Webhooks, CreateWebhooksOptions, SendWebhookInput } from './webhooks/webhooks.js';
export type { WebhookAttemptRecord, WebhookEndpoint, RetryStormRow, AttemptFinalState } from './webhooks/webhook-store.js';
export { verifyWebhook, signWebhook, webhookHeaders, newWebhookSecret } from './webhooks/webhook-signature.js';
export type { WebhookVerification, VerifyWebhookInput } from './webhooks/webhook-signature.js';
export { WebhookOptionsSchema } from './webhooks/webhook-options.js';
export { batch, runBatch } from './batches/batch-run.js';
export type { BatchOptions, BatchResult, BatchItemOutcome } from './batches/batch-run.js';
