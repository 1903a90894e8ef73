import { WebhookRetriesResponseSchema } from '@stitch/contract';
import { useApi } from '../api/use-api.js';
import { Empty, FailuresCell, Loaded, SeenCells, WINDOWS } from '../components/common.js';
import { formatTime } from '../../../src/ui-model/format.js';
import { href } from '../router.js';

/** `#/webhooks`: which webhook caused the retry storm — endpoints ranked by retries, then failure ratio, as `stitch webhooks --retries` ranks them. */
export function WebhooksPage({ query }: { query: URLSearchParams }) {
  const since = query.get('since') ?? '1h';
  const tenant = query.get('tenant') ?? '';
  const q = new URLSearchParams({ since });
  if (tenant) q.set('tenant', tenant);
  const state = useApi(`/api/webhooks/retries?${q.toString()}`, WebhookRetriesResponseSchema);
  return (
    <section>
      <h2>Which webhook caused the retry storm?</h2>
      <nav class="filters">
        Window:{' '}
        {WINDOWS.map((w) => (
          <a class={w === since ? 'active' : ''} href={href('webhooks', new URLSearchParams({ since: w, ...(tenant ? { tenant } : {}) }).toString())}>
            {w}
          </a>
        ))}
      </nav>
      <Loaded state={state}>
        {(data) =>
          data.endpoints.length === 0 ? (
            <Empty>No webhook deliveries between {formatTime(data.window.since)} and {formatTime(data.window.until)} UTC.</Empty>
          ) : (
            <table class="grid" data-testid="webhooks">
              <thead>
                <tr>
                  <th>Endpoint</th>
                  <th class="num">Attempts</th>
                  <th class="num">Failures</th>
                  <th class="num">Retries</th>
                  <th class="num">Max attempt</th>
                  <th>HTTP statuses</th>
                  <th>Tenants</th>
                  <th>Last attempt (UTC)</th>
                  <th>Example traces</th>
                </tr>
              </thead>
              <tbody>
                {data.endpoints.map((e) => (
                  <tr>
                    <td class="mono">{e.endpoint}</td>
                    <td class="num">{e.attempts}</td>
                    <FailuresCell failures={e.failures} ratio={e.failureRatio} />
                    <td class={`num ${e.retries ? 'warn' : ''}`}>{e.retries}</td>
                    <td class="num">{e.maxAttempt}</td>
                    <td class="mono">{e.statusCodes.join(', ')}</td>
                    <td class="mono tenant wrap">{e.tenants.join(', ')}</td>
                    <SeenCells last={e.lastAttemptTime} first={e.firstAttemptTime} traceIds={e.exampleTraceIds} />
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
