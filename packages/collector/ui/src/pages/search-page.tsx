import { TraceSearchResponseSchema } from '@stitch/contract';
import { useState } from 'preact/hooks';
import { useApi } from '../api/use-api.js';
import { Empty, Loaded, TraceLink, WINDOWS } from '../components/common.js';
import { OpenTraceForm } from '../components/open-trace-form.js';
import { TenantInput } from '../components/tenant-input.js';
import { formatDuration, formatTime } from '../../../src/ui-model/format.js';
import { parseSearchFilter, toSearchQuery, type SearchFilter } from '../../../src/ui-model/search-filter.js';
import { navigate } from '../router.js';

/** Trace search: the form lives in the URL, so a search can be shared and reloaded. */
export function SearchPage({ query }: { query: URLSearchParams }) {
  const applied = parseSearchFilter(query.toString());
  const [form, setForm] = useState<SearchFilter>(applied);
  const [live, setLive] = useState(query.get('live') === '1');
  const state = useApi(`/api/traces?${toSearchQuery(applied)}`, TraceSearchResponseSchema, live ? 5000 : null);
  const set = <K extends keyof SearchFilter>(key: K, value: SearchFilter[K]): void => setForm({ ...form, [key]: value });
  const text = (key: 'service' | 'route' | 'name' | 'attr' | 'minDurationMs' | 'until', label: string, placeholder: string, size = 14) => (
    <label>
      {label}
      <input name={key} value={form[key]} placeholder={placeholder} size={size} onInput={(e) => set(key, e.currentTarget.value)} />
    </label>
  );
  return (
    <section>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('search', `${toSearchQuery(form)}${live ? '&live=1' : ''}`);
        }}
      >
        <TenantInput value={form.tenant} placeholder="any" onInput={(v) => set('tenant', v)} />
        {text('service', 'Service', 'any')}
        {text('route', 'Route', 'GET /orders/:id', 18)}
        {text('name', 'Span name', 'text in any span name', 16)}
        {text('attr', 'Attribute', 'key=value', 22)}
        {text('minDurationMs', 'Min ms', '0', 6)}
        <label>
          Since
          <select name="since" value={form.since} onChange={(e) => set('since', e.currentTarget.value)}>
            {[...new Set([...WINDOWS, form.since])].map((w) => (
              <option value={w}>{w}</option>
            ))}
          </select>
        </label>
        {text('until', 'Until', 'now', 10)}
        <label class="check">
          <input type="checkbox" name="errors" checked={form.errors} onChange={(e) => set('errors', e.currentTarget.checked)} /> errors
        </label>
        <label class="check">
          <input type="checkbox" name="violations" checked={form.violations} onChange={(e) => set('violations', e.currentTarget.checked)} /> violations
        </label>
        <label class="check" title="The kernel's own bookkeeping (outbox relay, webhook dispatcher, run records), hidden by default">
          <input type="checkbox" name="housekeeping" checked={form.housekeeping} onChange={(e) => set('housekeeping', e.currentTarget.checked)} /> housekeeping
        </label>
        <button type="submit">Search</button>
        <label class="check" title="Ask again every 5 s">
          <input type="checkbox" name="live" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} /> live
        </label>
      </form>
      <OpenTraceForm size={34} placeholder="32 hex digits" button="Open" />
      <Loaded state={state}>
        {(data) => {
          const max = Math.max(1, ...data.traces.map((t) => t.durationMs));
          return data.traces.length === 0 ? (
            <Empty>No trace matches between {formatTime(data.window.since)} and {formatTime(data.window.until)} UTC.</Empty>
          ) : (
            <>
              <p class="muted">
                {data.traces.length}
                {data.truncated ? '+' : ''} traces, {formatTime(data.window.since)} – {formatTime(data.window.until)} UTC, newest first
              </p>
              <table class="grid" data-testid="search-results">
                <thead>
                  <tr>
                    <th>Start (UTC)</th>
                    <th>Trace</th>
                    <th>Tenant</th>
                    <th>Root</th>
                    <th>Route</th>
                    <th>Services</th>
                    <th class="num">Spans</th>
                    <th class="num">Err</th>
                    <th class="num">Viol</th>
                    <th>Duration</th>
                  </tr>
                </thead>
                <tbody>
                  {data.traces.map((t) => (
                    <tr class={t.errorCount > 0 ? 'row-error' : ''}>
                      <td class="mono">{formatTime(t.startTime)}</td>
                      <td>
                        <TraceLink traceId={t.traceId} />
                      </td>
                      <td class="mono tenant">{t.tenantId ?? '–'}</td>
                      <td>
                        <span class="muted">{t.rootService ?? '?'}</span> {t.rootName}
                      </td>
                      <td>{t.route ?? ''}</td>
                      <td>{t.services.join(', ')}</td>
                      <td class="num">{t.spanCount}</td>
                      <td class={`num ${t.errorCount > 0 ? 'bad' : ''}`}>{t.errorCount || ''}</td>
                      <td class={`num ${t.violationCount > 0 ? 'warn' : ''}`}>{t.violationCount || ''}</td>
                      <td class="duration-cell">
                        <span class="mini-bar" style={{ width: `${(t.durationMs * 100) / max}%` }} />
                        <span>{formatDuration(t.durationMs)}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
