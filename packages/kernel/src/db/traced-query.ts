import { context, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { SpanAttr } from '@stitch/contract';
import { getScope, routeOf } from '../context/context-store.js';
import { getKernelTracer, kernelTracerIsNoop } from '../tracing/kernel-tracer.js';
import type { DbOptions } from './db-options.js';
import type { QueryResultRows } from './queryable.js';
import { appendSqlComment, formatSqlComment } from './sql-comment.js';
import { querySpanName, sanitizeStatement, summarizeStatement } from './statement-summary.js';
import { recordError } from '../tracing/record-error.js';

/** What a driver does with a statement once it is annotated: run it, nothing else. */
export type ExecuteStatement = (
  text: string,
  params: readonly unknown[] | undefined,
  preparedName: string | undefined,
) => Promise<QueryResultRows<Record<string, unknown>>>;

export interface TracedQueryConfig {
  readonly options: DbOptions;
  /** `db.system` / `db.system.name`: `postgresql` for both drivers (PGlite is Postgres). */
  readonly system: string;
  /** Whether the driver has server-side named statements (pg does, PGlite does not). */
  readonly supportsNamedStatements: boolean;
  /**
   * Resolves when the driver can run statements. PGlite compiles its WebAssembly on first use
   * (seconds on a busy machine): waiting before the span starts keeps that out of the first
   * query's duration and budget.
   */
  readonly ready?: (() => Promise<unknown>) | undefined;
}

const QUERY_MARK = Object.freeze({ [SpanAttr.component]: 'query' });

export type QueryFunction = <Row = Record<string, unknown>>(
  sql: string,
  params?: readonly unknown[],
  options?: { readonly name?: string },
) => Promise<QueryResultRows<Row>>;

/**
 * Wraps a driver's execute function into the Queryable `query()`: one CLIENT span per statement
 * (named by the caller's query name, else `OPERATION table`) and the sqlcommenter comment with
 * that span's traceparent. The span is marked at start as `stitch.component = query` (with
 * `db.query.name` when the caller named it), which puts it under the query budget of `budgets/`
 * (`tracing.budgets.queryMillis`, per-name `overrides.query`): a violation there is the
 * `perf_violation` warning with `component: "query"`. Driver errors are recorded and rethrown
 * unchanged.
 */
export function createTracedQuery(execute: ExecuteStatement, config: TracedQueryConfig): QueryFunction {
  const { options, system } = config;
  const staticComment = formatSqlComment({ application: options.application });

  return async function query<Row>(sql: string, params?: readonly unknown[], queryOptions?: { readonly name?: string }) {
    if (config.ready !== undefined) await config.ready();
    const queryName = queryOptions?.name;
    const active = context.active();
    const scope = getScope(active);
    // Disabled (no-op tracer): no span to name, mark or make active; the statement still gets
    // its comment with the ids of the span in force.
    // Budget marking must be there at start (budgets/budget-marking.ts), so it goes in the options.
    const span = kernelTracerIsNoop()
      ? undefined
      : getKernelTracer().startSpan(
          querySpanName(sql, queryName),
          { kind: SpanKind.CLIENT, attributes: queryName === undefined ? QUERY_MARK : { ...QUERY_MARK, [SpanAttr.queryName]: queryName } },
          active,
        );
    const recording = span?.isRecording() === true;
    if (recording) {
      const { operation, table } = summarizeStatement(sql);
      span.setAttribute('db.system', system);
      span.setAttribute('db.system.name', system);
      span.setAttribute(SpanAttr.dbStatement, sanitizeStatement(sql));
      if (operation !== undefined) span.setAttribute('db.operation.name', operation);
      if (table !== undefined) span.setAttribute('db.collection.name', table);
      if (scope?.tenantId !== undefined) span.setAttribute(SpanAttr.tenantId, scope.tenantId);
    }

    let text = sql;
    let preparedName = config.supportsNamedStatements ? queryName : undefined;
    if (options.comment) {
      if (preparedName !== undefined && options.namedStatements === 'static-comment') {
        text = appendSqlComment(sql, staticComment);
      } else {
        preparedName = undefined;
        // The comment names the query's own span when it records, else whatever span is active
        // (a disabled kernel still has real ids, see ensureIds), so the database and the trace agree.
        const spanContext = recording ? span?.spanContext() : trace.getSpanContext(active);
        text = appendSqlComment(
          sql,
          formatSqlComment({
            application: options.application,
            request_id: scope?.requestId,
            route: scope === undefined ? undefined : routeOf(scope),
            tenant_id: scope?.tenantId,
            traceparent:
              spanContext !== undefined && trace.isSpanContextValid(spanContext)
                ? `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00'}`
                : undefined,
          }),
        );
      }
    }

    try {
      const result = span === undefined ? await execute(text, params, preparedName) : await context.with(trace.setSpan(active, span), () => execute(text, params, preparedName));
      if (recording) span?.setAttribute('db.response.returned_rows', result.rowCount ?? result.rows.length);
      return result as QueryResultRows<Row>;
    } catch (error) {
      if (span !== undefined) recordQueryError(span, error);
      throw error;
    } finally {
      span?.end();
    }
  };
}

function recordQueryError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  recordError(span, error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') span.setAttribute('db.response.status_code', code);
}
