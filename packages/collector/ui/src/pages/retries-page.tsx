import { RETRY_KINDS, RetriesResponseSchema, type RetryLoop } from '@stitch/contract';
import { useApi } from '../api/use-api.js';
import { Empty, FailuresCell, Loaded, SeenCells, TenantCounts } from '../components/common.js';
import { apiQuery, QuestionFilters } from '../components/question-filters.js';
import { formatTime } from '../../../src/ui-model/format.js';
import { href } from '../router.js';

const KIND_LABELS: Record<RetryLoop['kind'], string> = { webhook: 'webhook endpoint', job: 'job', consumer: 'event consumer' };

/** The tenants that retried, by retries; for a loop that never retried, who made the attempts. */
function retryShare(loop: RetryLoop): { tenantId: string | null; count: number }[] {
  if (loop.retries === 0) return loop.tenants.map((t) => ({ tenantId: t.tenantId, count: t.attempts }));
  return loop.tenants.filter((t) => t.retries > 0).map((t) => ({ tenantId: t.tenantId, count: t.retries }));
}

/**
 * `#/retries?kind=&tenant=&since=`: where retry loops occurred — webhook endpoints, jobs and event
 * consumers in one list, ranked by retries then failure ratio as `stitch retries` ranks them.
 * The kind tabs narrow the list on the page; the ranking stays the collector's.
 */
export function RetriesPage({ query }: { query: URLSearchParams }) {
  const kind = query.get('kind') ?? '';
  const state = useApi(`/api/retries?${apiQuery(query)}`, RetriesResponseSchema);
  const tab = (k: string, label: string) => {
    const next = new URLSearchParams(query);
    if (k) next.set('kind', k);
    else next.delete('kind');
    return (
      <a class={kind === k ? 'active' : ''} href={href('retries', next.toString())}>
        {label}
      </a>
    );
  };
  return (
    <section>
      <h2>Where did retry loops occur?</h2>
      <QuestionFilters page="retries" query={query} />
      <nav class="filters tabs" data-testid="retry-kinds">
        {tab('', 'all')}
        {RETRY_KINDS.map((k) => tab(k, `${KIND_LABELS[k]}s`))}
      </nav>
      <Loaded state={state}>
        {(data) => {
          const loops = data.loops.filter((l) => kind === '' || l.kind === kind);
          return loops.length === 0 ? (
            <Empty>No retries between {formatTime(data.window.since)} and {formatTime(data.window.until)} UTC.</Empty>
          ) : (
            <table class="grid" data-testid="retries">
              <thead>
                <tr>
                  <th>Kind</th>
                  <th>Name</th>
                  <th class="num">Retries</th>
                  <th class="num">Attempts</th>
                  <th class="num">Failures</th>
                  <th class="num">Max attempt</th>
                  <th>Tenants (retries; attempts if none)</th>
                  <th>Last error</th>
                  <th>Last attempt (UTC)</th>
                  <th>Example traces</th>
                </tr>
              </thead>
              <tbody>
                {loops.map((l) => (
                  <tr>
                    <td>{KIND_LABELS[l.kind]}</td>
                    <td class="mono">
                      {l.name}
                      {l.eventType ? <span class="muted"> on {l.eventType}</span> : null}
                    </td>
                    <td class={`num ${l.retries ? 'warn' : ''}`}>{l.retries}</td>
                    <td class="num">{l.attempts}</td>
                    <FailuresCell failures={l.failures} ratio={l.failureRatio} />
                    <td class="num">{l.maxAttempt}</td>
                    <td class="mono tenant wrap">
                      <TenantCounts tenants={retryShare(l)} total={retryShare(l).length} />
                    </td>
                    <td class="bad small wrap">{l.lastError ?? ''}</td>
                    <SeenCells last={l.lastTime} first={l.firstTime} traceIds={l.exampleTraceIds} />
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </section>
  );
}
