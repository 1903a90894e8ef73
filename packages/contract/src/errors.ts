/**
 * Every error Stitch raises or answers with, in one registry. A code is never reused or
 * renamed once published; `errors.test.ts` checks this list against docs/errors.md.
 *
 * `status` is the HTTP status the edge answers with when the error reaches it.
 */
export const ERROR_CODES = {
  STITCH_ERR_CONTEXT_MISSING: { status: 500, message: 'No trace context is active here: run this inside a request, job or runInContext().' },
  STITCH_ERR_CONTEXT_INVALID: { status: 500, message: 'The trace context is invalid: {detail}' },
  STITCH_ERR_TENANT_REQUIRED: { status: 500, message: 'This operation needs a tenant, and the current context has none.' },
  STITCH_ERR_TENANT_INVALID: { status: 400, message: 'Invalid tenant id: {detail}. A tenant id is 1–128 letters, digits and . _ : -, starting with a letter or digit (a UUID, a slug like acme, an org_… id; docs/concepts.md).' },
  STITCH_ERR_CONFIG_INVALID: { status: 500, message: 'Invalid Stitch configuration: {detail}' },
  STITCH_ERR_SETUP_OTEL_ALREADY_REGISTERED: {
    status: 500,
    message: 'startStitch() cannot register its OpenTelemetry globals: {detail} already registered by another setup (a NodeSDK?). Inside your own NodeSDK, use stitchSdkOptions() from @stitch/kernel/otel instead (docs/opentelemetry.md).',
  },
  STITCH_ERR_EDGE_NOT_FOUND: { status: 404, message: 'No route matches {method} {path}.' },
  STITCH_ERR_EDGE_BAD_REQUEST: { status: 400, message: 'The request is malformed: {detail}' },
  STITCH_ERR_EDGE_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than {limit} bytes.' },
  STITCH_ERR_EDGE_UNAUTHENTICATED: { status: 401, message: 'Authentication is required.' },
  STITCH_ERR_EDGE_FORBIDDEN: { status: 403, message: 'This credential may not do that.' },
  STITCH_ERR_EDGE_INTERNAL: { status: 500, message: 'Internal error.' },
  STITCH_ERR_EDGE_TIMEOUT: { status: 504, message: 'The request took longer than {limit} ms.' },
  STITCH_ERR_EDGE_METHOD_NOT_ALLOWED: { status: 405, message: 'The method {method} is not allowed here.' },
  STITCH_ERR_EDGE_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type {contentType} is not supported here.' },
  STITCH_ERR_EDGE_RATE_LIMITED: { status: 429, message: 'Too many requests: retry later.' },
  STITCH_ERR_PROPAGATION_INVALID: { status: 400, message: 'Invalid {header} header: {detail}' },
  STITCH_ERR_EXPORT_FAILED: { status: 500, message: 'Export to {endpoint} failed: {detail}' },
  // The collector (`stitch serve`): OTLP receiver statuses follow the OTLP/HTTP specification.
  STITCH_ERR_COLLECTOR_UNDECODABLE: { status: 400, message: 'The OTLP body could not be decoded: {detail}' },
  STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than {limit} bytes.' },
  STITCH_ERR_COLLECTOR_BODY_TIMEOUT: { status: 408, message: 'The request body did not arrive within {limit} ms.' },
  STITCH_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type {contentType}: send application/x-protobuf or application/json.' },
  STITCH_ERR_COLLECTOR_QUEUE_FULL: { status: 429, message: 'The collector is busy: retry after {retryAfter} s.' },
  STITCH_ERR_COLLECTOR_STORE_UNAVAILABLE: { status: 503, message: 'The store could not write this batch: retry after {retryAfter} s.' },
  STITCH_ERR_COLLECTOR_UNAUTHENTICATED: { status: 401, message: 'A valid bearer token is required.' },
  STITCH_ERR_COLLECTOR_FORBIDDEN: { status: 403, message: 'This token lacks the {scope} scope.' },
  STITCH_ERR_COLLECTOR_TENANT_FORBIDDEN: { status: 403, message: 'This token is bound to another tenant.' },
  STITCH_ERR_COLLECTOR_TOKEN_EXPIRED: { status: 401, message: 'This token expired at {expiresAt}.' },
  STITCH_ERR_COLLECTOR_TOKEN_INVALID: { status: 400, message: 'Invalid token request: {detail}' },
  STITCH_ERR_COLLECTOR_TOKEN_FILE_INVALID: { status: 500, message: 'The token file {file} cannot be read: {detail}' },
  STITCH_ERR_COLLECTOR_NOT_FOUND: { status: 404, message: '{what} not found.' },
  STITCH_ERR_COLLECTOR_BAD_QUERY: { status: 400, message: 'Invalid query: {detail}' },
  STITCH_ERR_COLLECTOR_TENANT_REQUIRED: { status: 400, message: 'This question is asked about one tenant: pass tenant=<id> (stitch: --tenant <id>), or use a token bound to a tenant.' },
  STITCH_ERR_COLLECTOR_LIMIT_QUERY_WINDOW: { status: 429, message: 'Limit max_query_window: a query may cover at most {limit} hours.' },
  STITCH_ERR_COLLECTOR_LIMIT_STREAMS: { status: 429, message: 'Limit max_concurrent_streams: this token already has {limit} log streams open.' },
  STITCH_ERR_COLLECTOR_LIMIT_TAIL_RATE: { status: 429, message: 'Limit max_tail_rate: at most {limit} lines per second.' },
  // Data path (db, audit, outbox, events).
  STITCH_ERR_AUDIT_ENTRY_INVALID: { status: 500, message: 'Invalid audit entry: {detail}' },
  STITCH_ERR_AUDIT_TENANT_MISMATCH: { status: 403, message: 'Audit rows of another tenant cannot be read from this context.' },
  STITCH_ERR_OUTBOX_EVENT_INVALID: { status: 500, message: 'Invalid outbox event: {detail}' },
  STITCH_ERR_EVENT_ENVELOPE_INVALID: { status: 400, message: 'Invalid event envelope: {detail}' },
  // Webhooks: delivery failures are results and attempt records, not errors; these are misuse.
  STITCH_ERR_WEBHOOK_ENDPOINT_INVALID: { status: 400, message: 'Invalid webhook endpoint URL: {detail}' },
  STITCH_ERR_WEBHOOK_ENDPOINT_NOT_FOUND: { status: 404, message: 'No webhook endpoint {id}.' },
  STITCH_ERR_WEBHOOK_TENANT_MISMATCH: { status: 403, message: 'Webhook endpoint {id} belongs to another tenant than the current context.' },
  // Strict mode (on by default under NODE_ENV=test and development): drift that production
  // only counts is raised where it happens, with the caller's frame.
  STITCH_ERR_STRICT_QUERY_UNTRACED: { status: 500, message: 'Strict mode: a query ran outside any context, so its SQL comment names no request (at {callSite}). Run it inside the request or job, or start-up work in runInNewContext().' },
  STITCH_ERR_STRICT_QUERY_UNCOMMENTED: { status: 500, message: 'Strict mode: a statement reached the database driver around the db wrapper, so it carries no SQL comment naming the request (at {callSite}). Send it through the Database of createPgDatabase() or createPgliteDatabase() (db.query, db.transaction).' },
  STITCH_ERR_STRICT_LOG_OUTSIDE_CONTEXT: { status: 500, message: 'Strict mode: a log line was written outside any request, job or runInContext() (at {callSite}). Find where the context was lost (bindEmitter, bindCallbacks), or write start-up lines in runInNewContext().' },
  STITCH_ERR_STRICT_JOB_OUTSIDE_CONTEXT: { status: 500, message: 'Strict mode: job {name} was enqueued outside any request, job or runInContext() (at {callSite}). Enqueue it in the request; a scheduler enqueues in runInNewContext({ name: \'cron …\' }).' },
  STITCH_ERR_STRICT_WEBHOOK_OUTSIDE_CONTEXT: { status: 500, message: 'Strict mode: a webhook was sent outside any request, job or runInContext() (at {callSite}). Send it from the request or event handler that caused it.' },
  STITCH_ERR_STRICT_EVENT_UNTRACED: { status: 500, message: 'Strict mode: event {name} was published without trace headers (at {callSite}). Add it through the outbox inside the request or job, or copy the producer\'s trace headers.' },
  STITCH_ERR_STRICT_TENANTS_MIXED: { status: 500, message: 'Strict mode: one trace would mix two tenants\' work (a child span naming another tenant than its parent\'s, or a span given a second tenant): {detail} (at {callSite}). Do the other tenant\'s work in withContext({ tenantId }), which starts a linked trace.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Fills `{name}` placeholders of a code's message template. Unknown placeholders stay visible. */
export function formatErrorMessage(code: ErrorCode, params: Readonly<Record<string, string | number>> = {}): string {
  return ERROR_CODES[code].message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The one error envelope every HTTP error response uses (DESIGN.md, "Edge"). */
export interface ErrorEnvelope {
  error: { code: string; message: string; traceId: string; requestId: string };
}
