import {
  AuditResponseSchema,
  ErrorsResponseSchema,
  JobOriginResponseSchema,
  LogLineSchema,
  LogsResponseSchema,
  QueriesTopResponseSchema,
  RequestJobsResponseSchema,
  SlowResponseSchema,
  StatusResponseSchema,
  TraceResponseSchema,
  ViolationsResponseSchema,
  WebhookRetriesResponseSchema,
  type LogLine,
} from '@stitch/contract';
import type { z } from 'zod';
import { renderTable } from './render-table.js';
import { renderTraceTree } from './render-trace-tree.js';
import { UsageError } from './usage-error.js';

/**
 * One entry per question: the API endpoint it calls, the schema its answer must satisfy, and
 * the table it prints. The CLI and the API give the same answer because the CLI is only this
 * mapping over the API.
 */
export interface QuestionCommand<S extends z.ZodType = z.ZodType> {
  summary: string;
  usage: string;
  /** One runnable example, shown by `stitch <command> --help`. */
  example: string;
  /** Path and query for the request, from positional args and flags. */
  request(args: string[], flags: Record<string, string | boolean | undefined>): { path: string; query: Record<string, string | undefined> };
  schema: S;
  render(answer: z.infer<S>): string;
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function windowQuery(flags: Record<string, string | boolean | undefined>): Record<string, string | undefined> {
  const limit = str(flags.limit);
  if (limit !== undefined && !/^[1-9][0-9]*$/.test(limit)) throw new UsageError(`--limit must be a positive whole number, not "${limit}"`);
  return { since: str(flags.since), until: str(flags.until), tenant: str(flags.tenant), limit: str(flags.limit) };
}

function need(args: string[], what: string): string {
  const v = args[0];
  if (!v) throw new UsageError(`missing ${what}`);
  return encodeURIComponent(v);
}

const STATUS = ['unset', 'ok', 'error'];

export function renderLogLine(l: LogLine): string {
  return `${l.time}  ${(l.severityText ?? String(l.severityNumber)).padEnd(5)}  ${l.service ?? '-'}  ${l.tenantId ?? '-'}  ${l.body}`;
}

function define<S extends z.ZodType>(c: QuestionCommand<S>): QuestionCommand {
  return c as unknown as QuestionCommand;
}

export const QUESTION_COMMANDS: Record<string, QuestionCommand> = {
  trace: define({
    summary: 'the whole trace as a tree, with its log lines interleaved by time',
    usage: 'stitch trace <traceId>',
    example: 'stitch trace 4bf92f3577b34da6a3ce929d0e0e4736',
    request: (args) => ({ path: `/api/traces/${need(args, 'trace id')}`, query: {} }),
    schema: TraceResponseSchema,
    render: renderTraceTree,
  }),
  slow: define({
    summary: "why tenant X is slow: routes by p95 vs budget and other tenants, slowest traces",
    usage: 'stitch slow --tenant <id> [--since 1h]',
    example: 'stitch slow --tenant 11111111-1111-4111-8111-111111111111 --since 1h',
    request: (_args, flags) => ({ path: '/api/slow', query: windowQuery(flags) }),
    schema: SlowResponseSchema,
    render(s) {
      return (
        `tenant ${s.tenantId}  ${s.window.since} .. ${s.window.until}\n` +
        renderTable(
          ['route', 'count', 'p50', 'p95', 'p99', 'budget', 'others p95', 'violations'],
          s.routes.map((r) => [r.route, r.count, r.p50Ms, r.p95Ms, r.p99Ms, r.budgetMs, r.otherTenantsP95Ms, r.violations]),
        ) +
        '\nslowest traces\n' +
        renderTable(
          ['trace', 'route', 'ms', 'dominant child', 'component', 'child ms'],
          s.slowestTraces.map((t) => [t.traceId, t.route, t.durationMs, t.dominantChild?.name, t.dominantChild?.component, t.dominantChild?.durationMs]),
        )
      );
    },
  }),
  queries: define({
    summary: 'which query caused the spike: queries by total and p95 time',
    usage: 'stitch queries --top [--since 1h] [--tenant <id>] [--limit 20]',
    example: 'stitch queries --top --since 30m --limit 10',
    request: (_args, flags) => ({ path: '/api/queries/top', query: windowQuery(flags) }),
    schema: QueriesTopResponseSchema,
    render: (q) =>
      renderTable(
        ['query', 'count', 'total ms', 'p95', 'max', 'tenants', 'example trace'],
        q.queries.map((r) => [r.queryName ?? r.statement, r.count, r.totalMs, r.p95Ms, r.maxMs, r.tenantCount, r.exampleTraceIds[0]]),
      ),
  }),
  webhooks: define({
    summary: 'which webhook caused the retry storm: endpoints by retries, then failure ratio',
    usage: 'stitch webhooks --retries [--since 1h] [--tenant <id>]',
    example: 'stitch webhooks --retries --since 2h',
    request: (_args, flags) => ({ path: '/api/webhooks/retries', query: windowQuery(flags) }),
    schema: WebhookRetriesResponseSchema,
    render: (w) =>
      renderTable(
        ['endpoint', 'attempts', 'failures', 'retries', 'max attempt', 'tenants', 'example trace'],
        w.endpoints.map((e) => [e.endpoint, e.attempts, e.failures, e.retries, e.maxAttempt, e.tenants.join(','), e.exampleTraceIds[0]]),
      ),
  }),
  job: define({
    summary: 'which request triggered this job',
    usage: 'stitch job <runId|jobId> --origin',
    example: 'stitch job run_42 --origin',
    request: (args) => ({ path: `/api/jobs/${need(args, 'run or job id')}/origin`, query: {} }),
    schema: JobOriginResponseSchema,
    render(j) {
      const o = j.origin;
      return (
        renderTable(
          ['run', 'job', 'name', 'trace', 'ms', 'status', 'via'],
          j.runs.map((r) => [r.runId, r.jobId, r.jobName, r.traceId, r.durationMs, STATUS[r.statusCode], r.via]),
        ) +
        (o
          ? `\norigin: ${o.name} (${o.route ?? '-'}) in ${o.service ?? '-'}, trace ${o.traceId}, request ${o.requestId ?? '-'}, tenant ${o.tenantId ?? '-'}, ${o.startTime}\n`
          : `\norigin: ${j.parentTraceId ? `trace ${j.parentTraceId} (not in the store)` : 'none (cron or manual run)'}\n`)
      );
    },
  }),
  request: define({
    summary: 'which jobs this request triggered',
    usage: 'stitch request <traceId> --jobs',
    example: 'stitch request 4bf92f3577b34da6a3ce929d0e0e4736 --jobs',
    request: (args) => ({ path: `/api/requests/${need(args, 'trace id')}/jobs`, query: {} }),
    schema: RequestJobsResponseSchema,
    render: (r) =>
      renderTable(
        ['job', 'run', 'job id', 'trace', 'tenant', 'ms', 'status', 'via'],
        r.jobs.map((j) => [j.jobName, j.runId, j.jobId, j.traceId, j.tenantId, j.durationMs, STATUS[j.statusCode], j.via]),
      ),
  }),
  errors: define({
    summary: 'failed spans by tenant, route and component',
    usage: 'stitch errors [--since 1h] [--tenant <id>]',
    example: 'stitch errors --since 1h --json',
    request: (_args, flags) => ({ path: '/api/errors', query: windowQuery(flags) }),
    schema: ErrorsResponseSchema,
    render: (e) =>
      renderTable(
        ['tenant', 'route', 'component', 'count', 'traces', 'last seen', 'last message', 'example trace'],
        e.groups.map((g) => [g.tenantId, g.route, g.component, g.count, g.traceCount, g.lastSeen, g.lastMessage, g.exampleTraceIds[0]]),
      ),
  }),
  violations: define({
    summary: 'budget violations by tenant, route and component',
    usage: 'stitch violations [--since 1h] [--tenant <id>]',
    example: 'stitch violations --tenant 11111111-1111-4111-8111-111111111111',
    request: (_args, flags) => ({ path: '/api/violations', query: windowQuery(flags) }),
    schema: ViolationsResponseSchema,
    render: (v) =>
      renderTable(
        ['tenant', 'route', 'component', 'name', 'count', 'p95', 'budget', 'example trace'],
        v.groups.map((g) => [g.tenantId, g.route, g.component, g.name, g.count, g.p95Ms, g.budgetMs, g.exampleTraceIds[0]]),
      ),
  }),
  logs: define({
    summary: 'logs by tenant, service, instance and time; --follow tails live',
    usage: 'stitch logs --tenant <id> [--trace <id>] [--service s] [--instance i] [--follow]',
    example: 'stitch logs --tenant 11111111-1111-4111-8111-111111111111 --follow',
    request: (_args, flags) => ({
      path: '/api/logs',
      query: { ...windowQuery(flags), trace: str(flags.trace), service: str(flags.service), instance: str(flags.instance) },
    }),
    schema: LogsResponseSchema,
    render: (l) => l.logs.map(renderLogLine).join('\n') + (l.truncated ? '\n… more lines matched: narrow the window or raise --limit\n' : '\n'),
  }),
  status: define({
    summary: 'ingest rates, store size, retention, dropped and rejected counts',
    usage: 'stitch status',
    example: 'stitch status --json',
    request: () => ({ path: '/api/status', query: {} }),
    schema: StatusResponseSchema,
    render: (s) =>
      renderTable(
        ['what', 'value'],
        [
          ['up since', s.startedAt],
          ['spans accepted', s.ingest.acceptedSpans],
          ['logs accepted', s.ingest.acceptedLogs],
          ['spans/s (last minute)', s.ingest.recentSpansPerSecond],
          ['logs/s (last minute)', s.ingest.recentLogsPerSecond],
          ['spans/s (since start)', s.ingest.spansPerSecond],
          ['rejected records', s.ingest.rejectedRecords],
          ['throttled requests (429/503)', s.ingest.throttledRequests],
          ['undecodable requests', s.ingest.undecodableRequests],
          ['queue', `${s.ingest.queueDepth} / ${s.ingest.queueCapacity}`],
          ['store', s.store.path],
          ['store MiB (file + wal)', (s.store.fileBytes + s.store.walBytes) / 1048576],
          ['spans stored', s.store.spans],
          ['logs stored', s.store.logs],
          ['oldest span', s.store.oldestSpanTime],
          ['retention', `${s.retention.maxAgeHours} h / ${s.retention.maxSizeMb} MiB`],
          ['retention last run', s.retention.lastRunAt],
          ['retention deleted spans/logs', `${s.retention.deletedSpans} / ${s.retention.deletedLogs}`],
          ['forward to', s.forward.url],
          ['forwarded / dropped / failed', `${s.forward.forwarded} / ${s.forward.dropped} / ${s.forward.failed}`],
        ],
      ),
  }),
  audit: define({
    summary: 'who read what (admin token)',
    usage: 'stitch audit [--limit 200]',
    example: 'stitch audit --limit 50',
    request: (_args, flags) => ({ path: '/api/audit', query: { limit: str(flags.limit), tenant: str(flags.tenant) } }),
    schema: AuditResponseSchema,
    render: (a) =>
      renderTable(
        ['time', 'token', 'scope', 'tenant', 'status', 'query'],
        a.entries.map((e) => [e.time, e.tokenId, e.scope, e.tenantId, e.status, e.query]),
      ),
  }),
};

export { LogLineSchema };
