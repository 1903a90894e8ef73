import { QueriesTopResponseSchema } from '@stitch/contract';
import { useApi } from '../api/use-api.js';
import { Empty, Loaded, TraceLinks } from '../components/common.js';
import { apiQuery, QuestionFilters } from '../components/question-filters.js';
import { formatDuration, formatDurationChange, formatTime } from '../../../src/ui-model/format.js';

/**
 * `#/queries?tenant=&since=`: which query caused the spike — queries ranked as `stitch queries
 * --top` ranks them, by how much their time grew over the window of the same length before.
 */
export function QueriesPage({ query }: { query: URLSearchParams }) {
  const state = useApi(`/api/queries/top?${apiQuery(query)}`, QueriesTopResponseSchema);
  return (
    <section>
      <h2>Which query caused the spike?</h2>
      <QuestionFilters page="queries" query={query} />
      <Loaded state={state}>
        {(data) =>
          data.queries.length === 0 ? (
            <Empty>No database queries between {formatTime(data.window.since)} and {formatTime(data.window.until)} UTC.</Empty>
          ) : (
            <>
              <p class="muted">
                {formatTime(data.window.since)} – {formatTime(data.window.until)} UTC against {formatTime(data.baseline.since)} – {formatTime(data.baseline.until)} UTC
                before it
              </p>
              <table class="grid" data-testid="queries">
                <thead>
                  <tr>
                    <th>Query</th>
                    <th class="num">Growth</th>
                    <th class="num">Total</th>
                    <th class="num">Before</th>
                    <th class="num">Count (before)</th>
                    <th class="num">p95 (before)</th>
                    <th class="num">Max</th>
                    <th>Tenants</th>
                    <th>Example traces</th>
                  </tr>
                </thead>
                <tbody>
                  {data.queries.map((r) => (
                    <tr>
                      <td>
                        {r.queryName ? <strong>{r.queryName}</strong> : null}
                        {r.statement ? <div class="mono small muted statement">{r.statement}</div> : null}
                      </td>
                      <td class={`num ${r.growthMs > 0 ? 'warn' : ''}`}>
                        {formatDurationChange(r.growthMs)}
                      </td>
                      <td class="num">{formatDuration(r.totalMs)}</td>
                      <td class="num muted">{r.baselineCount === 0 ? '–' : formatDuration(r.baselineTotalMs)}</td>
                      <td class="num">
                        {r.count} <span class="muted">({r.baselineCount})</span>
                      </td>
                      <td class="num">
                        {formatDuration(r.p95Ms)} <span class="muted">({r.baselineP95Ms === null ? '–' : formatDuration(r.baselineP95Ms)})</span>
                      </td>
                      <td class="num">{formatDuration(r.maxMs)}</td>
                      <td class="mono tenant wrap">
                        {r.tenants.slice(0, 3).join(', ')}
                        {r.tenantCount > 3 ? <span class="muted"> +{r.tenantCount - 3} more</span> : ''}
                      </td>
                      <td>
                        <TraceLinks ids={r.exampleTraceIds} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )
        }
      </Loaded>
    </section>
  );
}
