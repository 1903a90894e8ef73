import {
  QueriesTopResponseSchema,
  SlowResponseSchema,
  TenantOverviewResponseSchema,
  TenantsResponseSchema,
  type SlowResponse,
  type TenantOverviewResponse,
} from '@stitch/contract';
import { useState } from 'preact/hooks';
import { useApi } from '../api/use-api.js';
import { Empty, ErrorBox, Loaded, TraceLink, TraceLinks, WINDOWS } from '../components/common.js';
import { TenantInput } from '../components/tenant-input.js';
import { formatDuration, formatDurationChange, formatTime } from '../../../src/ui-model/format.js';
import { budgetStatus, percentileScaleMs, timelineBars } from '../../../src/ui-model/overview-model.js';
import { compareRoutes, formatRatio } from '../../../src/ui-model/tenant-comparison.js';
import { href, navigate } from '../router.js';

/**
 * `#/overview?tenant=&since=`: why a tenant is slow — its routes ranked by its excess over the
 * other tenants (platform-wide slowness marked, below), the slowest requests with the step that
 * took the time, its queries by name, and requests and violations over time. Without a tenant:
 * every tenant, each one click from its own overview.
 */
export function OverviewPage({ query }: { query: URLSearchParams }) {
  const tenant = query.get('tenant') ?? '';
  const since = query.get('since') ?? '1h';
  const [form, setForm] = useState({ tenant, since });
  const q = new URLSearchParams({ since, buckets: '60' });
  if (tenant) q.set('tenant', tenant);
  const state = useApi(`/api/overview?${q.toString()}`, TenantOverviewResponseSchema);
  return (
    <section>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const next = new URLSearchParams({ since: form.since });
          if (form.tenant.trim()) next.set('tenant', form.tenant.trim());
          navigate('overview', next.toString());
        }}
      >
        <TenantInput value={form.tenant} placeholder="all tenants (platform token)" onInput={(v) => setForm({ ...form, tenant: v })} />
        <label>
          Since
          <select name="since" value={form.since} onChange={(e) => setForm({ ...form, since: e.currentTarget.value })}>
            {WINDOWS.map((w) => (
              <option value={w}>{w}</option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      <Loaded state={state}>{(data) => <Overview data={data} since={since} />}</Loaded>
      {tenant === '' ? <TenantTable since={since} /> : null}
    </section>
  );
}

function Overview({ data, since }: { data: TenantOverviewResponse; since: string }) {
  const scale = percentileScaleMs(data.routes);
  const t = timelineBars(data.timeline);
  const x = (ms: number): string => `${Math.min(100, (ms * 100) / scale)}%`;
  const traces = (route: string, extra = ''): string =>
    href('search', new URLSearchParams({ ...(data.tenantId ? { tenant: data.tenantId } : {}), route, since: '24h' }).toString() + extra);
  const forTenant = (path: string, extra: Record<string, string> = {}): string | null =>
    data.tenantId === null ? null : `${path}?${new URLSearchParams({ tenant: data.tenantId, since, ...extra }).toString()}`;
  // The tenant's view is compared with the other tenants by the slow question itself, so the
  // page ranks routes exactly as `stitch slow --tenant` does.
  const slow = useApi(forTenant('/api/slow'), SlowResponseSchema);
  const rows = compareRoutes(data.routes, slow.status === 'ok' ? slow.data.routes : null);
  const compared = slow.status === 'ok' && slow.data.routes.some((r) => r.otherTenantsP95Ms !== null);
  return (
    <>
      <h2>
        {data.tenantId ? (
          <>
            Why is tenant <span class="mono">{data.tenantId}</span> slow?
          </>
        ) : (
          'All tenants'
        )}{' '}
        <span class="muted small">
          {formatTime(data.window.since)} – {formatTime(data.window.until)} UTC
        </span>
      </h2>
      <h3>
        {data.tenantId ? 'Routes by this tenant\'s excess over the other tenants' : 'Routes by p95'}
        {data.tenantId && slow.status === 'ok' && !compared ? <span class="muted small"> (no other tenant on these routes, or a tenant-bound token: no comparison)</span> : null}
      </h3>
      {slow.status === 'error' ? <ErrorBox error={slow.error} /> : null}
      {rows.length === 0 ? (
        <Empty>No requests in this window.</Empty>
      ) : (
        <table class="grid" data-testid="overview-routes">
          <thead>
            <tr>
              <th>Route</th>
              <th>Service</th>
              <th class="num">Requests</th>
              <th class="num">Errors</th>
              <th class="num">p50</th>
              <th class="num">p95</th>
              {data.tenantId ? (
                <>
                  <th class="num">Others p95</th>
                  <th class="num">× others</th>
                  <th class="num">Excess</th>
                  <th>Where the time goes</th>
                </>
              ) : null}
              <th class="num">p99</th>
              <th class="num">Budget</th>
              <th class="num">Violations</th>
              <th class="pbar-head">
                p50 · p95 · p99 <span class="muted">| budget</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const status = budgetStatus(r);
              return (
                <tr class={r.culprit ? 'culprit' : ''} data-route={r.route}>
                  <td>
                    <a href={traces(r.route)}>{r.route}</a>
                    {r.platformWide ? (
                      <span class="badge-platform" title="Over budget for the other tenants too, and this tenant is within 1.5× of them">
                        {' '}
                        platform-wide
                      </span>
                    ) : null}
                  </td>
                  <td>{r.service ?? ''}</td>
                  <td class="num">{r.count}</td>
                  <td class={`num ${r.errors ? 'bad' : ''}`}>{r.errors || ''}</td>
                  <td class="num">{formatDuration(r.p50Ms)}</td>
                  <td class={`num status-${status}`}>{formatDuration(r.p95Ms)}</td>
                  {data.tenantId ? (
                    <>
                      <td class="num">{r.otherTenantsP95Ms === null ? '–' : formatDuration(r.otherTenantsP95Ms)}</td>
                      <td class={`num ${(r.otherTenantsRatio ?? 0) >= 2 && !r.platformWide ? 'bad' : ''}`}>{formatRatio(r.otherTenantsRatio)}</td>
                      <td class="num">{r.excessMs === null ? '–' : formatDuration(r.excessMs)}</td>
                      <td class="wrap step-cell" data-testid="route-step">
                        {r.step ? (
                          <>
                            <strong>{r.step.name}</strong> <span class="muted small">{r.step.component}</span>{' '}
                            <span class="small" title={`the tenant's time in this step: ${formatDuration(r.step.tenantMs)}`}>
                              {r.step.excessMs === null
                                ? formatDuration(r.step.tenantMs)
                                : r.step.excessMs > 0
                                  ? `${formatDuration(r.step.excessMs)} over the others`
                                  : `${formatDuration(r.step.tenantMs)}, as for the others`}
                            </span>{' '}
                          </>
                        ) : null}
                        <TraceLinks ids={r.exampleTraceIds} />
                      </td>
                    </>
                  ) : null}
                  <td class="num">{formatDuration(r.p99Ms)}</td>
                  <td class="num">{r.budgetMs === null ? '–' : formatDuration(r.budgetMs)}</td>
                  <td class={`num ${r.violations ? 'warn' : ''}`}>
                    {r.violations ? <a href={traces(r.route, '&violations=true')}>{r.violations}</a> : ''}
                  </td>
                  <td class="pbar">
                    <div class="pbar-in">
                      <span class="p p99" style={{ width: x(r.p99Ms) }} />
                      <span class={`p p95 status-${status}`} style={{ width: x(r.p95Ms) }} />
                      <span class="p50" style={{ left: x(r.p50Ms) }} title={`p50 ${formatDuration(r.p50Ms)}`} />
                      {r.budgetMs !== null ? <span class="budget" style={{ left: x(r.budgetMs) }} title={`budget ${formatDuration(r.budgetMs)}`} /> : null}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {slow.status === 'ok' && slow.data.slowestTraces.length > 0 ? <SlowestTraces traces={slow.data.slowestTraces} /> : null}
      <TopQueries path={forTenant('/api/queries/top', { limit: '10' }) ?? `/api/queries/top?${new URLSearchParams({ since, limit: '10' }).toString()}`} />
      <h3>
        Requests and budget violations over time <span class="muted small">({t.totalViolations} violations, {Math.round(data.bucketMillis / 1000)} s per bar)</span>
      </h3>
      <div class="timeline" data-testid="overview-timeline">
        {t.bars.map((b) => (
          <div class="tl-col" title={`${formatTime(b.start)} UTC: ${b.requests} requests, ${b.errors} errors, ${b.violations} violations`}>
            <span class="tl-req" style={{ height: `${b.requestsPct}%` }} />
            <span class="tl-viol" style={{ height: `${b.violationsPct}%` }} />
          </div>
        ))}
      </div>
      <div class="tl-axis">
        <span>{formatTime(data.window.since)}</span>
        <span>{formatTime(data.window.until)} UTC</span>
      </div>
      <div class="legend">
        <span class="sw req" /> requests (max {t.maxRequests}) <span class="sw viol" /> violations (max {t.maxViolations})
      </div>
    </>
  );
}

/** The slowest requests and, inside each, the child that took the longest: the query, step or call to open. */
function SlowestTraces({ traces }: { traces: SlowResponse['slowestTraces'] }) {
  return (
    <>
      <h3>Slowest requests, and what inside them took the time</h3>
      <table class="grid" data-testid="slowest-traces">
        <thead>
          <tr>
            <th>Trace</th>
            <th>Route</th>
            <th class="num">Duration</th>
            <th>Longest step inside</th>
            <th>Component</th>
            <th class="num">Step</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <tr>
              <td>
                <TraceLink traceId={t.traceId} />
              </td>
              <td>{t.route ?? t.name}</td>
              <td class="num">{formatDuration(t.durationMs)}</td>
              <td>{t.dominantChild?.name ?? ''}</td>
              <td>{t.dominantChild?.component ?? ''}</td>
              <td class="num">{t.dominantChild ? formatDuration(t.dominantChild.durationMs) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * The tenant's queries, named as the kernel names them (`stitch.query.name`), ranked as `stitch
 * queries --top` ranks them: by the growth of their time over the window before.
 */
function TopQueries({ path }: { path: string }) {
  const state = useApi(path, QueriesTopResponseSchema);
  return (
    <>
      <h3>Queries, by growth over the window before</h3>
      <Loaded state={state}>
        {(data) =>
          data.queries.length === 0 ? (
            <Empty>No queries in this window.</Empty>
          ) : (
            <table class="grid" data-testid="overview-queries">
              <thead>
                <tr>
                  <th>Query</th>
                  <th class="num">Growth</th>
                  <th class="num">Total</th>
                  <th class="num">Before</th>
                  <th class="num">Count</th>
                  <th class="num">p95</th>
                  <th>Example traces</th>
                </tr>
              </thead>
              <tbody>
                {data.queries.map((q) => (
                  <tr>
                    <td>{q.queryName ? <strong>{q.queryName}</strong> : <span class="mono small statement">{q.statement}</span>}</td>
                    <td class={`num ${q.growthMs > 0 ? 'warn' : ''}`}>
                      {formatDurationChange(q.growthMs)}
                    </td>
                    <td class="num">{formatDuration(q.totalMs)}</td>
                    <td class="num muted">{q.baselineCount === 0 ? '–' : formatDuration(q.baselineTotalMs)}</td>
                    <td class="num">{q.count}</td>
                    <td class="num">{formatDuration(q.p95Ms)}</td>
                    <td>
                      <TraceLinks ids={q.exampleTraceIds} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </>
  );
}

/** Without a tenant: every tenant seen in the window, each linking to its own overview. */
function TenantTable({ since }: { since: string }) {
  const state = useApi(`/api/tenants?since=${encodeURIComponent(since)}`, TenantsResponseSchema);
  return (
    <>
      <h3>Tenants</h3>
      <Loaded state={state}>
        {(data) => (
          <table class="grid" data-testid="tenants">
            <thead>
              <tr>
                <th>Tenant</th>
                <th class="num">Traces</th>
                <th class="num">Spans</th>
                <th class="num">Errors</th>
                <th class="num">Violations</th>
                <th>Last seen (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {data.tenants.map((t) => (
                <tr>
                  <td class="mono">
                    <a href={href('overview', new URLSearchParams({ tenant: t.tenantId, since }).toString())}>{t.tenantId}</a>
                  </td>
                  <td class="num">{t.traces}</td>
                  <td class="num">{t.spans}</td>
                  <td class={`num ${t.errors ? 'bad' : ''}`}>{t.errors || ''}</td>
                  <td class={`num ${t.violations ? 'warn' : ''}`}>{t.violations || ''}</td>
                  <td class="mono">{formatTime(t.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </>
  );
}
