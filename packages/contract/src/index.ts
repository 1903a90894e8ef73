export {
  TraceContextSchema,
  TraceIdSchema,
  SpanIdSchema,
  RequestIdSchema,
  TenantIdSchema,
  TENANT_ID_MAX_LENGTH,
  TENANT_ID_PATTERN,
} from './trace-context.js';
export type { TraceContext, ContextChanges } from './trace-context.js';
export { ERROR_CODES, formatErrorMessage } from './errors.js';
export type { ErrorCode, ErrorEnvelope } from './errors.js';
export { StitchError, isStitchError } from './stitch-error.js';
export type { StitchErrorOptions } from './stitch-error.js';
export { SpanAttr, LegacyAttr, LogField, PERF_VIOLATION_EVENT, BUDGET_COMPONENTS, ENTRY_KINDS } from './attributes.js';
export type { BudgetComponent, EntryKind } from './attributes.js';
// Collector API responses (the web UI validates every response against these).
export { IsoTimeSchema, UnixNanoSchema, AttributesSchema, WindowSchema, ErrorEnvelopeSchema } from './api/common.js';
export type { ApiWindow } from './api/common.js';
export { TraceSpanSchema, LogLineSchema, TraceResponseSchema } from './api/trace.js';
export type { TraceSpan, LogLine, TraceResponse } from './api/trace.js';
export { SlowStepSchema, SlowRouteSchema, DominantChildSchema, SlowTraceSchema, SlowResponseSchema } from './api/slow.js';
export type { SlowResponse } from './api/slow.js';
export { QueryRankSchema, QueriesTopResponseSchema } from './api/queries.js';
export type { QueriesTopResponse } from './api/queries.js';
export { WebhookEndpointRankSchema, WebhookRetriesResponseSchema } from './api/webhooks.js';
export type { WebhookRetriesResponse } from './api/webhooks.js';
export { RETRY_KINDS, RetryKindSchema, RetryTenantSchema, RetryLoopSchema, RetriesResponseSchema } from './api/retries.js';
export type { RetryKind, RetryLoop, RetriesResponse } from './api/retries.js';
export { JobRunSchema, OriginRequestSchema, JobOriginResponseSchema, RequestJobsResponseSchema } from './api/jobs.js';
export type { JobOriginResponse, RequestJobsResponse } from './api/jobs.js';
export { TenantCountSchema, ErrorGroupSchema, ErrorsResponseSchema, ViolationGroupSchema, ViolationsResponseSchema } from './api/failures.js';
export type { TenantCount, ErrorGroup, ErrorsResponse, ViolationGroup, ViolationsResponse } from './api/failures.js';
export { LogsResponseSchema, LogStreamNoticeSchema } from './api/logs.js';
export type { LogsResponse, LogStreamNotice } from './api/logs.js';
export { PlatformStatusSchema, TenantStatusSchema, StatusResponseSchema } from './api/status.js';
export type { PlatformStatus, TenantStatus, StatusResponse } from './api/status.js';
export {
  TOKEN_SCOPES,
  TokenScopeSchema,
  TokenNameSchema,
  TokenCreatedSchema,
  TokenSummarySchema,
  TokenListResponseSchema,
  TokenRevokedSchema,
  AuditEntrySchema,
  AuditResponseSchema,
} from './api/access.js';
export type { TokenScope, TokenCreated, TokenSummary, TokenListResponse, TokenRevoked, AuditResponse } from './api/access.js';
export { TraceSummarySchema, TraceSearchResponseSchema } from './api/search.js';
export type { TraceSummary, TraceSearchResponse } from './api/search.js';
export { OverviewRouteSchema, OverviewBucketSchema, TenantOverviewResponseSchema } from './api/overview.js';
export type { OverviewRoute, OverviewBucket, TenantOverviewResponse } from './api/overview.js';
export { ServiceNodeSchema, ServiceEdgeSchema, ServiceMapResponseSchema } from './api/service-map.js';
export type { ServiceNode, ServiceEdge, ServiceMapResponse } from './api/service-map.js';
export { TenantActivitySchema, TenantsResponseSchema } from './api/tenants.js';
export type { TenantActivity, TenantsResponse } from './api/tenants.js';
export { QuestionEntrySchema, QuestionsResponseSchema } from './api/questions.js';
export type { QuestionEntry, QuestionsResponse } from './api/questions.js';
