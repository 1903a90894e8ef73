import { context, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { LegacyAttr, SpanAttr } from '@stitch/contract';
import { getScope, routeOf } from '../../core/context/context-store.js';
import { formatTraceparent } from '../../core/propagation/traceparent.js';
import { getKernelTracer, kernelTracerIsNoop } from '../../core/tracing/kernel-tracer.js';
import type { DbOptions } from './db-options.js';
import { withDriverQueryAttributes } from './driver-query-span.js';
import type { QueryResultRows } from './queryable.js';
import { appendSqlComment, createSqlCommenter, formatSqlComment } from './sql-comment.js';
import { querySpanName, summarizeStatement } from './statement-summary.js';
import { recordError } from '../../core/tracing/record-error.js';
import { writesDeprecated } from '../../core/tracing/semconv-opt-in.js';
import { strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';

/**
 * What a driver does with a statement once it is annotated: run it, nothing else. It answers the
 * driver's own result; the wrapper turns that into rows with `TracedQueryConfig.rowsOf`, in the
 * one callback it needs anyway (a driver's own `.then` for that cost every query a promise more).
 */
export type ExecuteStatement<Result = QueryResultRows<Record<string, unknown>>> = (
  text: string,
  params: readonly unknown[] | undefined,
  preparedName: string | undefined,
) => Promise<Result>;

export interface TracedQueryConfig<Result = QueryResultRows<Record<string, unknown>>> {
  readonly options: DbOptions;
  /** The rows of a driver result; without it the driver's result is the rows already. */
  readonly rowsOf?: ((result: Result) => QueryResultRows<Record<string, unknown>>) | undefined;
  /** `db.system.name`: `postgresql` for both drivers (PGlite is Postgres). */
  readonly system: string;
  /** The sqlcommenter `db_driver`: the driver's npm package (`pg`, `@electric-sql/pglite`). */
  readonly dbDriver?: string | undefined;
  /** Whether the driver has server-side named statements (pg does, PGlite does not). */
  readonly supportsNamedStatements: boolean;
  /**
   * Resolves when the driver can run statements. PGlite compiles its WebAssembly on first use
   * (seconds on a busy machine): waiting before the span starts keeps that out of the first
   * query's duration and budget.
   */
  readonly ready?: (() => Promise<unknown>) | undefined;
  /**
   * True while the driver's own instrumentation (instrumentation-pg) makes a span per query: the
   * wrapper then opens none and gives that span its attributes (driver-query-span.ts).
   */
  readonly driverTracesQueries?: (() => boolean) | undefined;
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
 * `stitch.query.name` when the caller named it), which puts it under the query budget of `pipeline/budgets/`
 * (`tracing.budgets.queryMillis`, per-name `overrides.query`): a violation there is the
 * `perf_violation` warning with `component: "query"`. Driver errors are recorded and rethrown
 * unchanged.
 */
export function createTracedQuery<Result = QueryResultRows<Record<string, unknown>>>(execute: ExecuteStatement<Result>, config: TracedQueryConfig<Result>): QueryFunction {
  const { options, system } = config;
  const staticComment = formatSqlComment({ application: options.application, db_driver: config.dbDriver });
  const comment = createSqlCommenter({ application: options.application, db_driver: config.dbDriver });
  const rowsOf = config.rowsOf ?? ((result: Result) => result as unknown as QueryResultRows<Record<string, unknown>>);

  // Awaited until it has resolved once: an await per query would cost every query a promise
  // (and, with AsyncLocalStorage's hooks on, their callbacks) for nothing.
  let awaitReady = config.ready;
  // No async/await below: with AsyncLocalStorage on, every promise runs Node's promise hooks, and
  // an async function with an await makes more promises than one `.then` does.
  const query: QueryFunction = <Row>(sql: string, params?: readonly unknown[], queryOptions?: { readonly name?: string }) => {
    // A throw anywhere (a driver that throws synchronously, `sql` that is not a string) is a
    // rejection, as it was when this was an async function.
    try {
      return run<Row>(sql, params, queryOptions);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
  return query;

  function run<Row>(sql: string, params: readonly unknown[] | undefined, queryOptions: { readonly name?: string } | undefined): Promise<QueryResultRows<Row>> {
    if (awaitReady !== undefined) {
      return awaitReady().then(() => {
        awaitReady = undefined;
        return query<Row>(sql, params, queryOptions);
      });
    }
    const queryName = queryOptions?.name;
    const active = context.active();
    const scope = getScope(active);
    // Disabled (no-op tracer): no span to name or mark; the statement still gets its comment
    // with the ids of the span in force.
    // Budget marking must be there at start (pipeline/budgets/budget-marking.ts), so it goes in the options.
    const delegated = config.driverTracesQueries?.() === true && !kernelTracerIsNoop();
    const span = kernelTracerIsNoop() || delegated
      ? undefined
      : getKernelTracer().startSpan(
          querySpanName(sql, queryName),
          { kind: SpanKind.CLIENT, attributes: queryName === undefined ? QUERY_MARK : { ...QUERY_MARK, [SpanAttr.queryName]: queryName } },
          active,
        );
    const recording = span?.isRecording() === true;
    if (recording) {
      const { operation, table, text: summary, sanitized } = summarizeStatement(sql);
      span.setAttribute(SpanAttr.dbSystemName, system);
      if (writesDeprecated('database')) {
        span.setAttribute(LegacyAttr.dbSystem, system);
        if (queryName !== undefined) span.setAttribute(LegacyAttr.queryName, queryName);
      }
      span.setAttribute(SpanAttr.dbStatement, sanitized);
      if (operation !== undefined) span.setAttribute(SpanAttr.dbOperationName, operation);
      if (table !== undefined) span.setAttribute(SpanAttr.dbCollectionName, table);
      if (summary !== undefined) span.setAttribute(SpanAttr.querySummary, summary);
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
        text = comment(sql, {
            framework: scope?.requestSlot?.framework,
            request_id: scope?.requestId,
            route: scope === undefined ? undefined : routeOf(scope),
            tenant_id: scope?.tenantId,
            traceparent:
              // A recording query span is the SDK's: its ids are valid without a test.
              spanContext !== undefined && (recording || trace.isSpanContextValid(spanContext))
                ? // Only the sampled flag: the comment says whether the trace was kept, as it always has.
                  formatTraceparent({ traceId: spanContext.traceId, spanId: spanContext.spanId, traceFlags: spanContext.traceFlags & TraceFlags.SAMPLED })
                : undefined,
            // Serialised only when the trace carries one (most do not): no cost otherwise.
            tracestate: spanContext?.traceState?.serialize(),
          });
      }
    }

    // The driver runs with the caller's span active, not the query span: making it active would
    // cost a context copy and an AsyncLocalStorage entry per statement, and only a driver's own
    // instrumentation (which would then be the query span's sibling) could tell the difference.
    let pending: Promise<Result>;
    try {
      // Outside any context the comment could name no request: pg_stat_activity and slow-query
      // logs would show a statement nobody can trace. `db.comment: false` is a choice, not drift.
      if (options.comment && scope === undefined && strictModeApplies(active)) throw strictViolation('STITCH_ERR_STRICT_QUERY_UNTRACED');
      pending = delegated
        ? context.with(withDriverQueryAttributes(active, driverSpanAttributes(sql, queryName, scope?.tenantId)), () => execute(text, params, preparedName))
        : execute(text, params, preparedName);
    } catch (error) {
      endFailed(span, error);
      throw error;
    }
    // No span (kernel disabled, or the driver's instrumentation makes it): nothing to end, so no
    // callback but the rows', and none at all when the driver's answer is the rows.
    if (span === undefined) return (config.rowsOf === undefined ? pending : pending.then(config.rowsOf)) as unknown as Promise<QueryResultRows<Row>>;
    return pending.then(
      (answer) => {
        let result: QueryResultRows<Record<string, unknown>>;
        try {
          result = rowsOf(answer);
          if (recording) span.setAttribute(SpanAttr.dbReturnedRows, result.rowCount ?? result.rows.length);
        } finally {
          span.end(); // even for a driver answer without rows
        }
        return result as QueryResultRows<Row>;
      },
      (error: unknown) => {
        endFailed(span, error);
        throw error;
      },
    );
  }
}

/** What the wrapper's own span would carry, for the driver instrumentation's span (which names and times itself). */
function driverSpanAttributes(sql: string, queryName: string | undefined, tenantId: string | undefined): Attributes {
  const { operation, table, text: summary } = summarizeStatement(sql);
  const attributes: Attributes = { ...QUERY_MARK };
  if (queryName !== undefined) attributes[SpanAttr.queryName] = queryName;
  if (queryName !== undefined && writesDeprecated('database')) attributes[LegacyAttr.queryName] = queryName;
  if (summary !== undefined) attributes[SpanAttr.querySummary] = summary;
  if (operation !== undefined) attributes[SpanAttr.dbOperationName] = operation;
  if (table !== undefined) attributes[SpanAttr.dbCollectionName] = table;
  if (tenantId !== undefined) attributes[SpanAttr.tenantId] = tenantId;
  return attributes;
}

/** Records a driver error on the query span (when it records) and ends it. */
function endFailed(span: Span | undefined, error: unknown): void {
  if (span === undefined) return;
  if (span.isRecording()) {
    recordError(span, error);
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string') span.setAttribute(SpanAttr.dbResponseStatusCode, code);
    // The convention: the database's status code when it gave one (a SQLSTATE), else the error's class.
    span.setAttribute(SpanAttr.errorType, typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error');
  }
  span.end();
}
