import type { JobOriginResponse, RequestJobsResponse } from '@stitch/contract';
import { StitchError } from '@stitch/contract';
import type { Row, Store } from '../store/store.js';
import { sqlFor, tableFor, type EngineSql } from './engine-sql.js';
import { isoFromNanos, num, strOrNull, tenantClause } from './query-scope.js';

// Named one by one: ClickHouse would call a bare `s.kind` "s.kind" (one text for both engines).
const RUN_COLUMNS = ['kind', 'run_id', 'job_id', 'job_name', 'trace_id', 'span_id', 'tenant_id', 'start_ns', 'duration_ms', 'status_code', 'parent_trace_id', 'parent_request_id']
  .map((c) => `s.${c} AS ${c}`)
  .join(', ');

/**
 * ClickHouse's links view array-joins the links of every span before a condition on one link
 * applies: the row-level prefilter keeps to the spans that link to the trace (the request's
 * jobs on 10M spans: 0.26 s of the links scan → 0.02 s).
 */
const LINKS_TO_TRACE: EngineSql = { duckdb: '', clickhouse: 'has(span_linked_trace_ids, $trace) AND ' };
/** The same prefilter for "any link at all". */
const HAS_LINKS: EngineSql = { duckdb: '', clickhouse: 'notEmpty(span_linked_trace_ids) AND ' };

/** OTLP's SPAN_KIND_PRODUCER: the kernel's `enqueue <name>` span; every other job span is an attempt. */
const PRODUCER = 4;

function toRun(r: Row, via: 'attribute' | 'link' | 'both' | 'none'): JobOriginResponse['runs'][number] {
  return {
    role: num(r.kind) === PRODUCER ? 'enqueue' : 'attempt',
    runId: strOrNull(r.run_id),
    jobId: strOrNull(r.job_id),
    jobName: strOrNull(r.job_name),
    traceId: String(r.trace_id),
    spanId: String(r.span_id),
    tenantId: strOrNull(r.tenant_id),
    startTime: isoFromNanos(r.start_ns as string),
    durationMs: num(r.duration_ms),
    statusCode: num(r.status_code),
    via,
  };
}

function firstString(rows: Row[], column: string): string | null {
  for (const r of rows) {
    const v = strOrNull(r[column]);
    if (v !== null) return v;
  }
  return null;
}

/**
 * `stitch job <runId|jobId> --origin`: the job's run spans (they carry `stitch.job.name`) and
 * the request that enqueued it, found through `stitch.parent.trace_id` or the run's span link.
 */
export async function askJobOrigin(store: Store, id: string, tenantId: string | null): Promise<JobOriginResponse> {
  const t = tenantClause(tenantId, 's.tenant_id');
  const runs = await store.query(
    // The links are joined after the runs are found (a handful of rows), not correlated per
    // span: measured 98 ms → 60 ms CPU on the 1M-span bench store.
    `WITH s AS (
       SELECT * FROM ${tableFor(store, 'spans')} s WHERE (s.run_id = $id OR s.job_id = $id) AND s.job_name IS NOT NULL${t.sql}
       ORDER BY s.start_ns LIMIT 100
     ),
     l AS (
       SELECT trace_id, span_id, any_value(linked_trace_id) AS linked_trace_id FROM ${tableFor(store, 'spanLinks')}
       WHERE ${sqlFor(store, HAS_LINKS)}trace_id IN (SELECT trace_id FROM s) GROUP BY trace_id, span_id
     )
     SELECT ${RUN_COLUMNS}, l.linked_trace_id AS linked_trace_id FROM s LEFT JOIN l ON l.trace_id = s.trace_id AND l.span_id = s.span_id
     ORDER BY s.start_ns`,
    { id, ...t.params },
  );
  if (runs.length === 0) throw new StitchError('STITCH_ERR_COLLECTOR_NOT_FOUND', { what: `job ${id}` });
  // With the kernel, the earliest span is the `enqueue <name>` producer span: it sits in the
  // request's own trace and carries no `stitch.parent.trace_id`; the attempts (one per retry)
  // carry it, or a link when they run in their own trace. So any attempt's attribute, then any
  // link, then the enqueue span's own trace; none only when the job was enqueued outside a request.
  const enqueue = runs.find((r) => num(r.kind) === PRODUCER);
  const parentTraceId =
    firstString(runs, 'parent_trace_id') ?? firstString(runs, 'linked_trace_id') ?? (enqueue ? String(enqueue.trace_id) : null);
  const parentRequestId = firstString(runs, 'parent_request_id');
  let origin: JobOriginResponse['origin'] = null;
  if (parentTraceId) {
    const tt = tenantClause(tenantId);
    const [root] = await store.query(
      `SELECT trace_id, span_id, request_id, tenant_id, service, name, route, start_ns, duration_ms, status_code
       FROM ${tableFor(store, 'spans')} WHERE trace_id = $trace${tt.sql}
       ORDER BY (parent_span_id IS NULL OR parent_span_id = '') DESC, start_ns LIMIT 1`,
      { trace: parentTraceId, ...tt.params },
    );
    if (root) {
      origin = {
        traceId: String(root.trace_id),
        spanId: String(root.span_id),
        requestId: strOrNull(root.request_id) ?? parentRequestId,
        tenantId: strOrNull(root.tenant_id),
        service: strOrNull(root.service),
        name: String(root.name ?? ''),
        route: strOrNull(root.route),
        startTime: isoFromNanos(root.start_ns as string),
        durationMs: num(root.duration_ms),
        statusCode: num(root.status_code),
      };
    }
  }
  return {
    id,
    runs: runs.map((r) => {
      const attr = r.parent_trace_id !== null;
      const link = r.linked_trace_id !== null;
      return toRun(r, attr && link ? 'both' : attr ? 'attribute' : link ? 'link' : 'none');
    }),
    origin,
    parentRequestId: parentRequestId ?? origin?.requestId ?? null,
    parentTraceId,
  };
}

/**
 * `stitch request <traceId> --jobs`: every job attempt whose parent is this trace, the failed
 * ones first (the culprit first, as every answer), then in the order they ran.
 */
export async function askRequestJobs(store: Store, traceId: string, tenantId: string | null): Promise<RequestJobsResponse> {
  const id = traceId.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new StitchError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: 'a trace id is 32 hex digits' });
  const t = tenantClause(tenantId, 's.tenant_id');
  const rows = await store.query(
    // CASE, not the bare comparison: a comparison is a UInt8 in ClickHouse, `true` a Bool in both.
    `WITH linked AS (SELECT DISTINCT trace_id, span_id FROM ${tableFor(store, 'spanLinks')} WHERE ${sqlFor(store, LINKS_TO_TRACE)}linked_trace_id = $trace)
     SELECT ${RUN_COLUMNS}, CASE WHEN linked.span_id IS NOT NULL THEN true ELSE false END AS via_link
     FROM ${tableFor(store, 'spans')} s LEFT JOIN linked ON linked.trace_id = s.trace_id AND linked.span_id = s.span_id
     WHERE s.job_name IS NOT NULL AND (s.parent_trace_id = $trace OR linked.span_id IS NOT NULL)${t.sql}
     ORDER BY (s.status_code = 2) DESC, s.start_ns LIMIT 1000`,
    { trace: id, ...t.params },
  );
  return {
    traceId: id,
    jobs: rows.map((r) => {
      const attr = r.parent_trace_id === id;
      const link = r.via_link === true;
      return toRun(r, attr && link ? 'both' : attr ? 'attribute' : 'link');
    }),
  };
}
