import { QueriesTopResponseSchema } from '@stitch/contract';
import { useApi } from '../api/use-api.js';
import { Empty, Loaded, TraceLinks } from '../components/common.js';
import { apiQuery, QuestionFilters } from '../components/question-filters.js';
import { formatDuration, formatTime } from '../../../src/ui-model/format.js';

/** `#/queries?tenant=&since=`: which query caused the spike, ranked as `stitch queries --top` ranks it. */
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
            <table class="grid" data-testid="queries">
              <thead>
                <tr>
                  <th>Query</th>
                  <th class="num">Count</th>
                  <th class="num">Total</th>
                  <th class="num">p95</th>
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
                    <td class="num">{r.count}</td>
                    <td class="num">{formatDuration(r.totalMs)}</td>
                    <td class="num">{formatDuration(r.p95Ms)}</td>
                    <td class="num">{formatDuration(r.maxMs)}</td>
                    <td class="mono tenant">
                      {r.tenants.join(', ')}
                      {r.tenantCount > r.tenants.length ? ` +${r.tenantCount - r.tenants.length}` : ''}
                    </td>
                    <td>
                      <TraceLinks ids={r.exampleTraceIds} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
