import { ViolationsResponseSchema } from '@stitch/contract';
import { useApi } from '../api/use-api.js';
import { Empty, Loaded, SeenCells, TenantCounts } from '../components/common.js';
import { apiQuery, QuestionFilters } from '../components/question-filters.js';
import { formatDuration, formatTime } from '../../../src/ui-model/format.js';

/** `#/violations?tenant=&since=`: which route blew its budget, grouped as `stitch violations` groups it. */
export function ViolationsPage({ query }: { query: URLSearchParams }) {
  const state = useApi(`/api/violations?${apiQuery(query)}`, ViolationsResponseSchema);
  return (
    <section>
      <h2>Which route blew its budget?</h2>
      <QuestionFilters page="violations" query={query} />
      <Loaded state={state}>
        {(data) =>
          data.groups.length === 0 ? (
            <Empty>No budget violations between {formatTime(data.window.since)} and {formatTime(data.window.until)} UTC.</Empty>
          ) : (
            <table class="grid" data-testid="violations">
              <thead>
                <tr>
                  <th>Over budget</th>
                  <th>Kind</th>
                  <th>Under route</th>
                  <th class="num">Violations</th>
                  <th class="num">Traces</th>
                  <th class="num">p95</th>
                  <th class="num">Budget</th>
                  <th>Tenants (violations)</th>
                  <th>Last seen (UTC)</th>
                  <th>Slowest traces</th>
                </tr>
              </thead>
              <tbody>
                {data.groups.map((g) => (
                  <tr>
                    <td>
                      <strong>{g.name}</strong> {g.service ? <span class="muted small">{g.service}</span> : null}
                    </td>
                    <td>{g.component ?? ''}</td>
                    <td>{g.route ?? '–'}</td>
                    <td class="num warn">{g.count}</td>
                    <td class="num">{g.traceCount}</td>
                    <td class="num">{formatDuration(g.p95Ms)}</td>
                    <td class="num">{g.budgetMs === null ? '–' : formatDuration(g.budgetMs)}</td>
                    <td class="mono tenant wrap">
                      <TenantCounts tenants={g.tenants} total={g.tenantCount} />
                    </td>
                    <SeenCells last={g.lastSeen} traceIds={g.exampleTraceIds} />
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
