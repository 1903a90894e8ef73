/**
 * The attribute and log-field names Stitch writes and the collector reads. One place, so the
 * kernel that writes `tenant.id` and the collector that indexes it can never drift apart.
 * OpenTelemetry's standard names are re-exported from `@opentelemetry/semantic-conventions`
 * (the conventions not yet stable, db and messaging, copied from its `incubating` entry as it
 * asks, in incubating-attributes.ts, and checked against it), never spelled here; every
 * `stitch.*` name is defined once, below.
 */
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_DB_RESPONSE_RETURNED_ROWS,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
  ATTR_USER_ID,
} from './incubating-attributes.js';

/** Span and resource attributes (OpenTelemetry dotted style). */
export const SpanAttr = {
  tenantId: 'tenant.id',
  requestId: 'stitch.request_id',
  runId: 'stitch.run_id',
  actorId: ATTR_USER_ID,
  routeId: ATTR_HTTP_ROUTE,
  masqueradeSessionId: 'stitch.masquerade_session_id',
  onBehalfOfUserId: 'stitch.on_behalf_of_user_id',
  component: 'stitch.component',
  /** Set on a span whose own duration exceeded its budget. */
  perfViolation: 'stitch.perf_violation',
  budgetMillis: 'stitch.budget_ms',
  /** Why the tail sampler kept or dropped the trace (`head`, `error`, `perf_violation`, `security`). */
  samplingReason: 'stitch.sampling.reason',
  /** Marks an operation as security-relevant (auth failure, permission change, masquerade). */
  security: 'stitch.security',
  /** The name the caller gave a query (`query(sql, params, { name })`): span name, budget override key, metric label. */
  queryName: 'stitch.query.name',
  /** The convention's low-cardinality summary of a statement: `OPERATION table` (`SELECT orders`). */
  querySummary: ATTR_DB_QUERY_SUMMARY,
  dbStatement: ATTR_DB_QUERY_TEXT,
  /** `postgresql` for both drivers (PGlite is Postgres). */
  dbSystemName: ATTR_DB_SYSTEM_NAME,
  /** The statement's first keyword (`SELECT`), or `transaction` on a transaction span. */
  dbOperationName: ATTR_DB_OPERATION_NAME,
  /** The table a statement reads or writes, when one can be told from the SQL. */
  dbCollectionName: ATTR_DB_COLLECTION_NAME,
  dbReturnedRows: ATTR_DB_RESPONSE_RETURNED_ROWS,
  /** The SQLSTATE of a failed statement. */
  dbResponseStatusCode: ATTR_DB_RESPONSE_STATUS_CODE,
  /** `commit` or `rollback`, on a transaction span. Stitch's own, from before this table (outside `stitch.*`; stores already hold it). */
  dbTransactionOutcome: 'db.transaction.outcome',
  httpRequestMethod: ATTR_HTTP_REQUEST_METHOD,
  /** The method as sent, when it is not one of the known ones (`http.request.method` is then `_OTHER`). */
  httpRequestMethodOriginal: ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  httpResponseStatusCode: ATTR_HTTP_RESPONSE_STATUS_CODE,
  /** The destination host of an outgoing call (HTTP out, webhook, webhook action): the `external` budget key. */
  serverAddress: ATTR_SERVER_ADDRESS,
  serverPort: ATTR_SERVER_PORT,
  urlScheme: ATTR_URL_SCHEME,
  urlFull: ATTR_URL_FULL,
  /** `send` on producer spans (job enqueue, outbox publish), `process` on consumer spans. */
  messagingOperationType: ATTR_MESSAGING_OPERATION_TYPE,
  /** The job engine (`bullmq`, `pg-boss`, `in-process`) on enqueue and attempt spans. */
  messagingSystem: ATTR_MESSAGING_SYSTEM_NAME,
  /** The queue a job is sent to. */
  messagingDestination: ATTR_MESSAGING_DESTINATION_NAME,
  /** The engine's job id, or the event id, on producer and consumer spans. */
  messagingMessageId: ATTR_MESSAGING_MESSAGE_ID,
  /** Why a server or client span failed: the 5xx status as a string, or the error's code or class. */
  errorType: ATTR_ERROR_TYPE,
  jobName: 'stitch.job.name',
  jobId: 'stitch.job.id',
  jobAttempt: 'stitch.job.attempt',
  /** How an attempt ended: `succeeded`, `retrying` or `failed`. */
  jobOutcome: 'stitch.job.outcome',
  /** How long the job waited in its queue before this attempt started. */
  jobQueueWaitMillis: 'stitch.job.queue_wait_ms',
  parentTraceId: 'stitch.parent.trace_id',
  parentRequestId: 'stitch.parent.request_id',
  webhookEndpoint: 'stitch.webhook.endpoint',
  webhookAttempt: 'stitch.webhook.attempt',
  /** Where the delivery stands after this attempt (its state in the delivery table). */
  webhookFinalState: 'stitch.webhook.final_state',
  eventId: 'stitch.event.id',
  eventType: 'stitch.event.type',
  /** What a consumer did with an event (processed, skipped as a duplicate or for its type, failed). */
  eventOutcome: 'stitch.event.outcome',
  /** The transport says it delivered this event before (read by `stitch_event_redeliveries_total`). */
  eventRedelivered: 'stitch.event.redelivered',
  /*
   * The steps of a `process_event` span (checkpoint, condition, actions) and what each action
   * reports. Stitch's own names from before this table, outside `stitch.*`: stores already
   * hold them, so they are named here as they are.
   */
  checkpointOffset: 'checkpoint.offset',
  checkpointRecovered: 'checkpoint.recovered_from_checkpoint',
  checkpointAlreadyProcessed: 'checkpoint.already_processed',
  conditionMatched: 'condition.matched',
  actionCount: 'action.count',
  actionKind: 'action.kind',
  emailTemplate: 'email.template',
  emailRecipientCount: 'email.recipient_count',
  slackChannel: 'slack.channel',
  slackThreadId: 'slack.thread_id',
  /** A batch run (`runBatch`): its name and size on the batch span, each item's index and outcome on its span, the tallies at the end. */
  batchName: 'stitch.batch.name',
  batchSize: 'stitch.batch.size',
  batchIndex: 'stitch.batch.index',
  batchItemOutcome: 'stitch.batch.item.outcome',
  batchSucceeded: 'stitch.batch.succeeded',
  batchFailed: 'stitch.batch.failed',
  /** The event consumer a `process_event` span ran for (OpenTelemetry's messaging convention). */
  consumerGroup: ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  /** On the link to a valid trace context the edge did not continue (the caller is not a trusted upstream). */
  edgeUntrusted: 'stitch.edge.untrusted',
  /** A valid `x-trace-id` the edge did not continue (untrusted caller): kept for search, never as parent. */
  edgeUntrustedTraceId: 'stitch.edge.untrusted_trace_id',
  /** The client closed the connection before the response was complete. */
  edgeAborted: 'stitch.edge.aborted',
  /**
   * What started the work a span belongs to, carried through every hop (event envelope, job
   * envelope, outbox row, webhook delivery, batch) like the tenant: so a span exported long
   * after its request (a job's third attempt, a webhook retry, an event redelivery) still names
   * it. One of ENTRY_KINDS.
   */
  entryKind: 'stitch.entry.kind',
  /** The entry's name: the route template for `http`, the job, consumer, endpoint or batch name otherwise. */
  entryRoute: 'stitch.entry.route',
  /** The kernel's own bookkeeping (run records, delivery records, outbox lag): left out of search and the questions unless asked. */
  housekeeping: 'stitch.housekeeping',
} as const;

/**
 * Names kernels before the move to current semantic conventions wrote in their place (issue 13).
 * The collector still reads them (spans from older kernels, stores already written); the kernel
 * writes them only under OpenTelemetry's stability opt-in (`OTEL_SEMCONV_STABILITY_OPT_IN` with
 * `database/dup` or `messaging/dup`, kernel `core/tracing/semconv-opt-in.ts`). Spelled
 * here, not imported: the package marks its constants for them deprecated, and `db.query.name`
 * was never a convention.
 */
export const LegacyAttr = {
  /** Now `stitch.query.name` (the caller's name) beside `db.query.summary`. */
  queryName: 'db.query.name',
  /** Now `user.id`. */
  actorId: 'enduser.id',
  /** Now `db.system.name`. */
  dbSystem: 'db.system',
  /** Now `messaging.system.name`. */
  messagingSystem: 'messaging.system',
} as const;

/** What can start work: an HTTP request, a job run without a request, an event consumer, a webhook delivery or a batch without one. */
export const ENTRY_KINDS = ['http', 'job', 'consumer', 'webhook', 'batch'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The span event a budget violation adds. */
export const PERF_VIOLATION_EVENT = 'stitch.perf_violation';

/** Mandatory structured log fields (snake_case, as pino writes them). */
export const LogField = {
  time: 'time',
  level: 'level',
  service: 'service',
  component: 'component',
  nodeId: 'node_id',
  traceId: 'trace_id',
  spanId: 'span_id',
  requestId: 'request_id',
  tenantId: 'tenant_id',
  routeId: 'route_id',
  actorId: 'actor_id',
  err: 'err',
  contextMissing: 'context_missing',
  perfViolation: 'perf_violation',
} as const;

/** Budget components, as they appear in `component` of a perf_violation log and span attribute. */
export const BUDGET_COMPONENTS = ['route', 'query', 'external', 'job'] as const;
export type BudgetComponent = (typeof BUDGET_COMPONENTS)[number];
