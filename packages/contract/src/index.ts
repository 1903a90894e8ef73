export {
  TraceContextSchema,
  TraceIdSchema,
  SpanIdSchema,
  RequestIdSchema,
  TenantIdSchema,
} from './trace-context.js';
export type { TraceContext, ContextChanges } from './trace-context.js';
export { ERROR_CODES, formatErrorMessage } from './errors.js';
export type { ErrorCode, ErrorEnvelope } from './errors.js';
export { SpanAttr, LogField, PERF_VIOLATION_EVENT, BUDGET_COMPONENTS } from './attributes.js';
export type { BudgetComponent } from './attributes.js';
