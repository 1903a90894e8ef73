import { TenantOverviewResponseSchema, TenantsResponseSchema, type TenantOverviewResponse } from '@stitch/contract';
import { useState } from 'preact/hooks';
import { useApi } from '../api/use-api.js';
import { Empty, Loaded, WINDOWS } from '../components/common.js';
import { TenantInput } from '../components/tenant-input.js';
import { formatDuration, formatTime } from '../../../src/ui-model/format.js';
import { budgetStatus, percentileScaleMs, timelineBars } from '../../../src/ui-model/overview-model.js';
import { href, navigate } from '../router.js';

/** `#/overview?tenant=&since=`: p50/p95/p99 per route against budget, and violations over time. */
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
      <Loaded state={state}>{(data) => <Overview data={data} />}</Loaded>
      {tenant === '' ? <TenantTable since={since} /> : null}
    </section>
  );
}

function Overview({ data }: { data: TenantOverviewResponse }) {
  const scale = percentileScaleMs(data.routes);
  const t = timelineBars(data.timeline);
  const x = (ms: number): string => `${Math.min(100, (ms * 100) / scale)}%`;
  const traces = (route: string, extra = ''): string =>
    href('search', new URLSearchParams({ ...(data.tenantId ? { tenant: data.tenantId } : {}), route, since: '24h' }).toString() + extra);
  return (
    <>
      <h2>
        {data.tenantId ? (
          <>
            Tenant <span class="mono">{data.tenantId}</span>
          </>
        ) : (
          'All tenants'
        )}{' '}
        <span class="muted small">
          {formatTime(data.window.since)} – {formatTime(data.window.until)} UTC
        </span>
      </h2>
      <h3>Routes by p95</h3>
      {data.routes.length === 0 ? (
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
              <th class="num">p99</th>
              <th class="num">Budget</th>
              <th class="num">Violations</th>
              <th class="pbar-head">
                p50 · p95 · p99 <span class="muted">| budget</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.routes.map((r) => {
              const status = budgetStatus(r);
              return (
                <tr>
                  <td>
                    <a href={traces(r.route)}>{r.route}</a>
                  </td>
                  <td>{r.service ?? ''}</td>
                  <td class="num">{r.count}</td>
                  <td class={`num ${r.errors ? 'bad' : ''}`}>{r.errors || ''}</td>
                  <td class="num">{formatDuration(r.p50Ms)}</td>
                  <td class={`num status-${status}`}>{formatDuration(r.p95Ms)}</td>
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
