import type { SlowResponse } from '@stitch/contract';
import type { Row, Store } from '../store/store.js';
import { sqlFor, tableFor, TABLES, topValuesByKeySql, type EngineSql } from './engine-sql.js';
import { COMPONENT_SQL, isoFromNanos, num, strList, strOrNull, type QueryScope } from './query-scope.js';

/** Entry spans of a request: the server span that carries the route template. */
const ROUTE_SPANS = `kind = 2 AND route IS NOT NULL`;

/**
 * What slow ranks: requests by route, and job attempts by job name (the kernel's `job <name>`
 * consumer span; the `enqueue <name>` producer span is part of its request). The "the
 * route (or job …) where X is slow": a tenant whose invoices render slowly has no slow route.
 */
const JOB_SPANS = `kind = 5 AND job_name IS NOT NULL`;
/** An event consumer's run over one delivery: the kernel's `process_event` span, named by its consumer. */
const CONSUMER_SPANS = `kind = 5 AND consumer IS NOT NULL AND job_name IS NULL`;
const ENTRY_SPANS = `((${ROUTE_SPANS}) OR (${JOB_SPANS}) OR (${CONSUMER_SPANS}))`;
const ENTRY_SQL = `CASE WHEN kind = 2 THEN route WHEN job_name IS NOT NULL THEN 'job ' || job_name ELSE 'consumer ' || consumer END`;
const ENTRY_KIND_SQL = `CASE WHEN kind = 2 THEN 'http' WHEN job_name IS NOT NULL THEN 'job' ELSE 'consumer' END`;
/**
 * Whether a span is the asked tenant's (`$tenant` is never NULL here). ClickHouse has `IS NOT
 * DISTINCT FROM` outside JOIN ON only from 25.10; a NULL tenant is "not the tenant's" on both.
 */
const MINE_SQL: EngineSql = { duckdb: 'tenant_id IS NOT DISTINCT FROM $tenant', clickhouse: 'ifNull(tenant_id = $tenant, false)' };

type EntryKind = 'http' | 'job' | 'consumer';

/** Within this factor of the others' p95, a route over budget for them is slow for everyone, not for this tenant. */
const PLATFORM_WIDE_RATIO = 1.5;

/** Routes, from the top of the ranking, whose culprit step is looked for. */
const STEP_ROUTES = 3;
/**
 * Requests per route and side (the tenant's, the others') whose children are compared: the
 * latest ones. Joining every request's children over a 25 h window of the 1M-span bench store
 * took ~200 ms (on top of the ~80 ms of the rest); 500 a side keeps it near 80 ms, and per-request
 * means from 500 requests are steady enough to name the step.
 */
const STEP_SAMPLE = 500;

/**
 * How far before its request a child span may start and still count as its step: another
 * service's or SDK's clock may run behind. Reading more children only costs the scan; the join
 * keeps those of the sampled requests alone.
 */
const CHILD_CLOCK_SKEW_NANOS = 60_000_000_000n;

type SlowStep = NonNullable<SlowResponse['routes'][number]['step']>;
type SlowTraceChild = NonNullable<SlowResponse['slowestTraces'][number]['dominantChild']>;

/** An entry slow ranks, by what its spans carry: the route, the job's name or the consumer's. */
interface Entry {
  kind: EntryKind;
  name: string;
}

/**
 * The entry spans of `entries`, filtered on the columns (route, job_name, consumer), not on
 * ENTRY_SQL: the CASE per scanned span cost more than the join. list_contains, not IN: a short
 * IN list is only an optional (zone-map) filter in DuckDB, and the scan handed every route span
 * on (193k of the bench store's 1M, against 33k filtered).
 */
function entrySpansSql(store: Store, entries: readonly Entry[]): { sql: string; params: Record<string, string> } {
  const names = entries.map((e, i) => [`r${i}`, e.name] as const);
  const keysOf = (kind: EntryKind): string[] => names.filter((_, i) => entries[i]!.kind === kind).map(([k]) => `$${k}`);
  const filters: [EntryKind, string, string][] = [
    ['http', ROUTE_SPANS, 'route'],
    ['job', JOB_SPANS, 'job_name'],
    ['consumer', CONSUMER_SPANS, 'consumer'],
  ];
  const sql = filters
    .filter(([kind]) => keysOf(kind).length > 0)
    .map(([kind, spans, column]) =>
      store.dialect === 'duckdb' ? `(${spans} AND list_contains([${keysOf(kind).join(', ')}], ${column}))` : `(${spans} AND ${column} IN (${keysOf(kind).join(', ')}))`,
    )
    .join(' OR ');
  return { sql: `(${sql})`, params: Object.fromEntries(names) };
}

/**
 * Inside each of `routes`, the direct child of the server span (a query, an external call, a
 * `withSpan` step) that accounts for the tenant's excess: its time per request for this tenant
 * beyond its time per request for the others, times the tenant's requests. The tenant's slowest
 * traces alone named the platform-wide burst six times before the culprit route's query (issue
 * 11's end-to-end test): the step has to be found inside the culprit route, against the others.
 * Where no other tenant ran the route, the step with most of the tenant's time.
 *
 * Direct children only: a step and the query inside it would both carry the same excess.
 * `sampleSince`: where the earliest of the routes' samples (the latest STEP_SAMPLE requests a
 * side) starts.
 */
async function askSteps(
  store: Store,
  tenantId: string,
  scope: QueryScope,
  routes: readonly (Entry & { route: string; requests: number })[],
  sampleSince: bigint,
): Promise<Map<string, SlowStep>> {
  const steps = new Map<string, SlowStep>();
  if (routes.length === 0) return steps;
  const entryFilter = entrySpansSql(store, routes);
  // The latest STEP_SAMPLE requests per entry and side (span_id breaks ties, so that every read
  // of an inlined CTE picks the same ones); MATERIALIZED, since sampled and children both read
  // it (ClickHouse: clickhouse-store.ts). Roots are read from `$sampleSince` on, where the
  // earliest side's sample starts, and children from a minute before it, not from the window's
  // start: at 10M spans, the busiest tenant's step scan read the last 2.5 h instead of 25 h
  // (0.87 s → 0.2 s on ClickHouse).
  const mine = sqlFor(store, MINE_SQL);
  const rootsSql = (spans: string): string => `roots AS MATERIALIZED (
       SELECT trace_id, span_id, entry, mine FROM (
         SELECT trace_id, span_id, ${ENTRY_SQL} AS entry, ${mine} AS mine,
           row_number() OVER (PARTITION BY ${ENTRY_SQL}, ${mine} ORDER BY start_ns DESC, span_id) AS k
         FROM ${spans}
         WHERE ${entryFilter.sql} AND start_ns >= $sampleSince AND start_ns < $until
       ) WHERE k <= ${STEP_SAMPLE}
     )`;
  const sql: EngineSql = {
    duckdb: `WITH ${rootsSql(TABLES.spans.duckdb)},
     sampled AS (
       SELECT entry, count(*) FILTER (WHERE mine) AS n_mine, count(*) FILTER (WHERE NOT mine) AS n_others FROM roots GROUP BY entry
     ),
     children AS (
       SELECT r.entry, r.mine, c.name, c.component, c.query_name IS NOT NULL AS named, c.kind, c.duration_ms
       FROM spans c JOIN roots r ON c.trace_id = r.trace_id AND c.parent_span_id = r.span_id
       -- The run and attempt records a job writes are the kernel's bookkeeping, not a step.
       WHERE c.start_ns >= $childrenSince AND NOT c.housekeeping
     )
     SELECT c.entry, c.name, any_value(c.component) AS component, bool_or(c.named) AS named, any_value(c.kind) AS kind,
       sum(c.duration_ms) FILTER (WHERE c.mine) AS mine_ms, coalesce(sum(c.duration_ms) FILTER (WHERE NOT c.mine), 0) AS others_ms,
       any_value(q.n_mine) AS n_mine, any_value(q.n_others) AS n_others
     FROM children c JOIN sampled q USING (entry)
     GROUP BY c.entry, c.name HAVING sum(c.duration_ms) FILTER (WHERE c.mine) > 0`,
    // Every column of a join named (ClickHouse names a bare c.kind "c.kind"); bool_or is max of a Bool.
    clickhouse: `WITH ${rootsSql(TABLES.spans.clickhouse)},
     sampled AS (
       SELECT entry, countIf(mine) AS n_mine, countIf(NOT mine) AS n_others FROM roots GROUP BY entry
     ),
     children AS (
       SELECT r.entry AS entry, r.mine AS mine, c.name AS name, c.component AS component, c.query_name IS NOT NULL AS named,
         c.kind AS kind, c.duration_ms AS duration_ms
       FROM stitch_spans c JOIN roots r ON c.trace_id = r.trace_id AND c.parent_span_id = r.span_id
       WHERE c.start_ns >= $childrenSince AND NOT c.housekeeping
     )
     SELECT c.entry AS entry, c.name AS name, any(c.component) AS component, toBool(max(c.named)) AS named, any(c.kind) AS kind,
       sumIf(c.duration_ms, c.mine) AS mine_ms, sumIf(c.duration_ms, NOT c.mine) AS others_ms,
       any(q.n_mine) AS n_mine, any(q.n_others) AS n_others
     FROM children c JOIN sampled q ON q.entry = c.entry
     GROUP BY c.entry, c.name HAVING sumIf(c.duration_ms, c.mine) > 0`,
  };
  // Both sides' spans: the table in time order, not one tenant's projection.
  const params = { tenant: tenantId, sampleSince, childrenSince: sampleSince - CHILD_CLOCK_SKEW_NANOS, until: scope.untilNanos, ...entryFilter.params };
  const rows = await store.query(sqlFor(store, sql), params, { byTenant: false });
  const requests = new Map(routes.map((r) => [r.route, r.requests]));
  const best = new Map<string, number>();
  for (const r of rows) {
    const route = String(r.entry);
    // Per-request means over the sample, scaled to all of the tenant's requests on the route.
    const mineMs = (num(r.mine_ms) / Math.max(1, num(r.n_mine))) * (requests.get(route) ?? 0);
    const othersPerRequestMs = num(r.n_others) > 0 ? num(r.others_ms) / num(r.n_others) : null;
    const excessMs = othersPerRequestMs !== null ? mineMs - othersPerRequestMs * (requests.get(route) ?? 0) : null;
    const key = excessMs ?? mineMs;
    if (key <= (best.get(route) ?? -Infinity)) continue;
    best.set(route, key);
    steps.set(route, { name: String(r.name ?? ''), component: componentOf(r), tenantMs: mineMs, excessMs });
  }
  return steps;
}

/**
 * COMPONENT_SQL's answer from the few columns the step scan reads: the kernel stamps
 * `stitch.component` on its query, external and job spans, so the rest only names other
 * instrumentations' spans. Reading query_text and the other columns COMPONENT_SQL looks at,
 * for every span the join probes, made the scan ~1.5× slower on the bench store.
 */
function componentOf(r: Row): string {
  if (r.component !== null && r.component !== undefined) return String(r.component);
  if (r.named === true) return 'query';
  return num(r.kind) === 3 ? 'external' : 'internal';
}

/** For each trace, its longest span below the route span: the query, call or job to look at first. */
async function askDominantChildren(store: Store, tenantId: string, traceIds: readonly string[]): Promise<Map<string, SlowTraceChild>> {
  const dominant = new Map<string, SlowTraceChild>();
  if (traceIds.length === 0) return dominant;
  const ids = traceIds.map((id, i) => [`t${i}`, id] as const);
  // list_contains, not IN: DuckDB takes a short IN list as an optional filter (zone maps only) and
  // reads every projected column, query_text among them, for each of the tenant's spans before
  // filtering; list_contains filters in the scan. ~400 → ~60 ms on the 1M-span bench store.
  const keys = ids.map(([k]) => `$${k}`).join(', ');
  const sql: EngineSql = {
    duckdb: `SELECT trace_id, arg_max(name, duration_ms) AS name, arg_max(${COMPONENT_SQL}, duration_ms) AS component,
        max(duration_ms) AS duration_ms
     FROM spans
     WHERE tenant_id = $tenant AND list_contains([${keys}], trace_id)
       AND parent_span_id IS NOT NULL AND NOT (${ROUTE_SPANS})
     GROUP BY trace_id`,
    // Aliased apart and renamed outside: an alias reaches the other aggregates (engine-sql.ts).
    clickhouse: `SELECT trace_id, top_name AS name, top_component AS component, longest_ms AS duration_ms FROM (
     SELECT trace_id, argMax(name, duration_ms) AS top_name, argMax(${COMPONENT_SQL}, duration_ms) AS top_component,
        max(duration_ms) AS longest_ms
     FROM stitch_spans
     WHERE tenant_id = $tenant AND trace_id IN (${keys})
       AND parent_span_id IS NOT NULL AND NOT (${ROUTE_SPANS})
     GROUP BY trace_id)`,
  };
  const children = await store.query(sqlFor(store, sql), { tenant: tenantId, ...Object.fromEntries(ids) });
  for (const c of children) {
    dominant.set(String(c.trace_id), { name: String(c.name ?? ''), component: String(c.component ?? 'internal'), durationMs: num(c.duration_ms) });
  }
  return dominant;
}

const WINDOW = `start_ns >= $since AND start_ns < $until`;

/** Where the latest STEP_SAMPLE spans of a group start (its first, if fewer): the step scan's sample. */
const SAMPLE_SINCE_SQL: EngineSql = {
  duckdb: `list_min(max(start_ns, ${STEP_SAMPLE}))`,
  clickhouse: `-arrayMax(groupArraySorted(${STEP_SAMPLE})(-start_ns))`,
};

/** One of the tenant's entries over the window. */
interface TenantEntry extends Entry {
  entry: string;
  service: string | null;
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  budgetMs: number | null;
  totalMs: number;
  violations: number;
  exampleTraceIds: string[];
  sampleSince: bigint;
}

/** The other tenants on the same entry. */
interface OthersOnEntry {
  /** Null where none of their spans on the entry has a duration. */
  p95Ms: number | null;
  sampleSince: bigint;
}

interface RankedEntry {
  mine: TenantEntry;
  others: OthersOnEntry | null;
  /** The share of the tenant's time beyond the others' p95; null where no other tenant ran the entry. */
  excessMs: number | null;
}

/** Ranked as askSlow says, at most 50. */
const RANKED = 50;

/**
 * The tenant's entries and the others' p95 on each entry: two reads side by side, not one
 * statement with both sides, so that the tenant's read goes through its rows only (ClickHouse:
 * the projection by tenant) and the others' through the table. As one statement on 10M spans,
 * ClickHouse read both sides one way, 0.53–0.66 s; apart, 0.11 s and 0.1 s.
 */
async function askRanking(store: Store, tenantId: string, scope: QueryScope): Promise<RankedEntry[]> {
  const params = { tenant: tenantId, since: scope.sinceNanos, until: scope.untilNanos };
  const sampleSince = sqlFor(store, SAMPLE_SINCE_SQL);
  const mineSql: EngineSql = {
    duckdb: `SELECT ${ENTRY_SQL} AS entry, any_value(${ENTRY_KIND_SQL}) AS entry_kind, any_value(coalesce(job_name, consumer, route)) AS entry_name,
        any_value(service) AS service, count(*) AS n,
        quantile_cont(duration_ms, 0.5) AS p50, quantile_cont(duration_ms, 0.95) AS p95,
        quantile_cont(duration_ms, 0.99) AS p99, max(budget_ms) AS budget, sum(duration_ms) AS total_ms,
        count(*) FILTER (WHERE perf_violation) AS violations, max_by(trace_id, duration_ms, 3) AS examples, ${sampleSince} AS sample_since
      FROM spans WHERE tenant_id = $tenant AND ${ENTRY_SPANS} AND ${WINDOW}
      GROUP BY entry`,
    clickhouse: `SELECT ${ENTRY_SQL} AS entry, any(${ENTRY_KIND_SQL}) AS entry_kind, any(coalesce(job_name, consumer, route)) AS entry_name,
        any(service) AS service, count(*) AS n,
        quantileExactInclusive(0.5)(duration_ms) AS p50, quantileExactInclusive(0.95)(duration_ms) AS p95,
        quantileExactInclusive(0.99)(duration_ms) AS p99, max(budget_ms) AS budget, sum(duration_ms) AS total_ms,
        countIf(perf_violation) AS violations, ${topValuesByKeySql('trace_id', 'duration_ms', 3)} AS examples, ${sampleSince} AS sample_since
      FROM stitch_spans WHERE tenant_id = $tenant AND ${ENTRY_SPANS} AND ${WINDOW}
      GROUP BY entry`,
  };
  // Every entry's, not only the tenant's: a filter on the tenant's entries would have to wait
  // for its read, and cost more in the scan than it saved (10M spans: 120 ms against 103).
  const othersSql = `SELECT ${ENTRY_SQL} AS entry, ${store.dialect === 'duckdb' ? 'quantile_cont(duration_ms, 0.95)' : 'quantileExactInclusive(0.95)(duration_ms)'} AS p95,
      ${sampleSince} AS sample_since
    FROM ${tableFor(store, 'spans')} WHERE NOT ${sqlFor(store, MINE_SQL)} AND ${ENTRY_SPANS} AND ${WINDOW}
    GROUP BY entry`;
  const [mineRows, othersRows] = await Promise.all([
    store.query(sqlFor(store, mineSql), params, { byTenant: true }),
    store.query(othersSql, params, { byTenant: false }),
  ]);
  const mine: TenantEntry[] = mineRows.map((r) => ({
    entry: String(r.entry),
    kind: r.entry_kind as EntryKind,
    name: String(r.entry_name),
    service: strOrNull(r.service),
    count: num(r.n),
    p50Ms: num(r.p50),
    p95Ms: num(r.p95),
    p99Ms: num(r.p99),
    budgetMs: r.budget === null || r.budget === undefined ? null : num(r.budget),
    totalMs: num(r.total_ms),
    violations: num(r.violations),
    exampleTraceIds: [...new Set(strList(r.examples))],
    sampleSince: BigInt(String(r.sample_since)),
  }));
  const others = new Map<string, OthersOnEntry>(
    othersRows.map((r) => [String(r.entry), { p95Ms: r.p95 === null || r.p95 === undefined ? null : num(r.p95), sampleSince: BigInt(String(r.sample_since)) }]),
  );
  const ranked = mine.map((m) => {
    const o = others.get(m.entry) ?? null;
    const othersP95 = o?.p95Ms ?? null;
    return { mine: m, others: o, excessMs: othersP95 === null || m.p95Ms <= 0 ? null : Math.max(0, 1 - othersP95 / m.p95Ms) * m.totalMs };
  });
  // Excess first (none last), then p95; the entry breaks ties, so both engines list them alike.
  ranked.sort((a, b) => (b.excessMs ?? -Infinity) - (a.excessMs ?? -Infinity) || b.mine.p95Ms - a.mine.p95Ms || (a.mine.entry < b.mine.entry ? -1 : 1));
  return ranked.slice(0, RANKED);
}

/**
 * `stitch slow --tenant <id>`: the tenant's routes ranked by its excess over the other tenants
 * on the same route, and its slowest traces with the child span that dominated each.
 *
 * Ranking by raw p95 put the culprit 3rd in issue 11: a burst that hits every tenant outranks
 * the route where this tenant alone is 40× slower. The key is `excessMs`: the share of the
 * tenant's time on the route that is beyond the others' p95, `(1 - othersP95 / p95) × total`,
 * so a route ranks by how much of this tenant's time its excess costs. A route slow for
 * everyone is marked `platformWide` and has little excess, so it sorts below.
 *
 * The other-tenant comparison is an aggregate over other tenants' data, so its figures (the
 * others' p95, the ratio, the excess) are shown only to platform-wide tokens (`showOthers`). A
 * tenant-bound token gets null there but the same ranking and the same `platformWide` marks:
 * ranked by raw p95, its own engineers were shown the burst that hit everyone first (issue 11's
 * end-to-end test). The order and the marks tell which of its routes are slow for it alone,
 * not how fast any other tenant is.
 */
export async function askSlow(store: Store, tenantId: string, scope: QueryScope, showOthers: boolean): Promise<SlowResponse> {
  const params = { tenant: tenantId, since: scope.sinceNanos, until: scope.untilNanos };
  const slowestSql = `
    SELECT trace_id, span_id, route, name, start_ns, duration_ms FROM ${tableFor(store, 'spans')}
    WHERE tenant_id = $tenant AND ${ROUTE_SPANS} AND ${WINDOW}
    ORDER BY duration_ms DESC LIMIT 10`;
  // Two chains side by side: the ranking and its steps; the slowest traces and their dominant children.
  const [{ routes, steps }, [slowest, dominant]] = await Promise.all([
    askRanking(store, tenantId, scope).then(async (routes) => {
      const stepRoutes = routes.slice(0, STEP_ROUTES);
      const sampleSince = stepRoutes.flatMap((r) => [r.mine.sampleSince, r.others?.sampleSince ?? r.mine.sampleSince]).reduce((a, b) => (b < a ? b : a), scope.untilNanos);
      const steps = await askSteps(
        store,
        tenantId,
        scope,
        stepRoutes.map((r) => ({ route: r.mine.entry, kind: r.mine.kind, name: r.mine.name, requests: r.mine.count })),
        sampleSince,
      );
      return { routes, steps };
    }),
    store.query(slowestSql, params).then(async (slowest) => [slowest, await askDominantChildren(store, tenantId, slowest.map((r) => String(r.trace_id)))] as const),
  ]);

  return {
    tenantId,
    window: scope.window,
    routes: routes.map(({ mine: m, others, excessMs }) => {
      const othersP95 = others?.p95Ms ?? null;
      const ratio = othersP95 === null || othersP95 <= 0 ? null : m.p95Ms / othersP95;
      const step = steps.get(m.entry) ?? null;
      return {
        route: m.entry,
        entryKind: m.kind,
        service: m.service,
        count: m.count,
        p50Ms: m.p50Ms,
        p95Ms: m.p95Ms,
        p99Ms: m.p99Ms,
        budgetMs: m.budgetMs,
        otherTenantsP95Ms: showOthers ? othersP95 : null,
        otherTenantsRatio: showOthers ? ratio : null,
        excessMs: showOthers ? excessMs : null,
        platformWide: othersP95 !== null && m.budgetMs !== null && othersP95 > m.budgetMs && ratio !== null && ratio < PLATFORM_WIDE_RATIO,
        violations: m.violations,
        step: step && !showOthers ? { ...step, excessMs: null } : step,
        exampleTraceIds: m.exampleTraceIds,
      };
    }),
    slowestTraces: slowest.map((r) => ({
      traceId: String(r.trace_id),
      route: strOrNull(r.route),
      name: String(r.name ?? ''),
      startTime: isoFromNanos(r.start_ns as string),
      durationMs: num(r.duration_ms),
      dominantChild: dominant.get(String(r.trace_id)) ?? null,
    })),
  };
}
