import { ErrorsResponseSchema } from '@stitch/contract';
import { useApi } from '../api/use-api.js';
import { Empty, Loaded, SeenCells, TenantCounts } from '../components/common.js';
import { apiQuery, QuestionFilters } from '../components/question-filters.js';
import { formatTime } from '../../../src/ui-model/format.js';

/**
 * `#/errors?grep=&tenant=&since=`: which approval failed and where, and which tenant saw a
 * failure — failures grouped as `stitch errors` groups them, `grep` on message, type and code.
 */
export function ErrorsPage({ query }: { query: URLSearchParams }) {
  const state = useApi(`/api/errors?${apiQuery(query, ['grep'])}`, ErrorsResponseSchema);
  return (
    <section>
      <h2>Which approval failed and where? Which tenant experienced this failure?</h2>
      <QuestionFilters page="errors" query={query} extra={[{ key: 'grep', label: 'Message or code', placeholder: 'text in the message, type or code' }]} />
      <Loaded state={state}>
        {(data) =>
          data.groups.length === 0 ? (
            <Empty>No failures between {formatTime(data.window.since)} and {formatTime(data.window.until)} UTC.</Empty>
          ) : (
            <table class="grid" data-testid="errors">
              <thead>
                <tr>
                  <th>Entry</th>
                  <th>Failing step</th>
                  <th>Error</th>
                  <th>Message</th>
                  <th>Tenants (count)</th>
                  <th class="num">Count</th>
                  <th class="num">Traces</th>
                  <th>Last seen (UTC)</th>
                  <th>Example traces</th>
                </tr>
              </thead>
              <tbody>
                {data.groups.map((g) => (
                  <tr>
                    <td>
                      {g.entryKind ? <span class="muted">{g.entryKind} </span> : null}
                      {g.entry ?? '–'}
                    </td>
                    <td>
                      <strong>{g.step}</strong>
                      {g.component || g.service ? <span class="muted small"> {[g.component, g.service].filter(Boolean).join(' · ')}</span> : null}
                    </td>
                    <td class="mono small">{g.errorType ?? ''}</td>
                    <td class="wrap small">{g.message ?? ''}</td>
                    <td class="mono tenant wrap">
                      <TenantCounts tenants={g.tenants} total={g.tenantCount} />
                    </td>
                    <td class="num bad">{g.count}</td>
                    <td class="num">{g.traceCount}</td>
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
