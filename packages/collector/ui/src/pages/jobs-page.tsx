import { JobOriginResponseSchema } from '@stitch/contract';
import { useState } from 'preact/hooks';
import { useApi } from '../api/use-api.js';
import { Empty, Loaded, TraceLink } from '../components/common.js';
import { formatDuration, formatTime } from '../../../src/ui-model/format.js';
import { navigate } from '../router.js';

/** `#/jobs?id=<runId|jobId>`: which request triggered this job, and every run of it. */
export function JobsPage({ query }: { query: URLSearchParams }) {
  const id = query.get('id') ?? '';
  const [form, setForm] = useState(id);
  const state = useApi(id ? `/api/jobs/${encodeURIComponent(id)}/origin` : null, JobOriginResponseSchema);
  return (
    <section>
      <h2>Which request triggered this job?</h2>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (form.trim()) navigate('jobs', `id=${encodeURIComponent(form.trim())}`);
        }}
      >
        <label>
          Job or run id
          <input name="id" value={form} size={40} onInput={(e) => setForm(e.currentTarget.value)} />
        </label>
        <button type="submit">Find origin</button>
      </form>
      {id === '' ? <Empty>Enter a job id or run id (from a log line, a span's stitch.job.id or stitch.run_id).</Empty> : null}
      <Loaded state={state}>
        {(data) => (
          <>
            <h3>Origin</h3>
            {data.origin ? (
              <table class="grid" data-testid="job-origin">
                <tbody>
                  <tr>
                    <th>Request</th>
                    <td>
                      {data.origin.name} <span class="muted">{data.origin.service}</span>
                    </td>
                  </tr>
                  <tr>
                    <th>Trace</th>
                    <td>
                      <TraceLink traceId={data.origin.traceId} />
                    </td>
                  </tr>
                  <tr>
                    <th>Route</th>
                    <td>{data.origin.route ?? '–'}</td>
                  </tr>
                  <tr>
                    <th>Tenant</th>
                    <td class="mono">{data.origin.tenantId ?? '–'}</td>
                  </tr>
                  <tr>
                    <th>Request id</th>
                    <td class="mono">{data.origin.requestId ?? '–'}</td>
                  </tr>
                  <tr>
                    <th>At</th>
                    <td>
                      {formatTime(data.origin.startTime)} UTC, {formatDuration(data.origin.durationMs)}
                    </td>
                  </tr>
                </tbody>
              </table>
            ) : (
              <Empty>
                No originating request{data.parentTraceId ? (
                  <>
                    {' '}
                    received (parent trace <TraceLink traceId={data.parentTraceId} />)
                  </>
                ) : (
                  ': a cron or manual run'
                )}
                .
              </Empty>
            )}
            <h3>Runs ({data.runs.length})</h3>
            <table class="grid" data-testid="job-runs">
              <thead>
                <tr>
                  <th>Start (UTC)</th>
                  <th>Job</th>
                  <th>Span</th>
                  <th>Run</th>
                  <th>Trace</th>
                  <th>Duration</th>
                  <th>Outcome</th>
                  <th>Linked by</th>
                </tr>
              </thead>
              <tbody>
                {data.runs.map((r) => (
                  <tr>
                    <td class="mono">{formatTime(r.startTime)}</td>
                    <td>{r.jobName ?? '?'}</td>
                    <td>{r.role === 'enqueue' ? 'enqueued' : 'attempt'}</td>
                    <td class="mono">{r.runId ?? r.jobId}</td>
                    <td>
                      <TraceLink traceId={r.traceId} />
                    </td>
                    <td>{formatDuration(r.durationMs)}</td>
                    <td class={r.statusCode === 2 ? 'bad' : ''}>{r.statusCode === 2 ? 'failed' : 'ok'}</td>
                    <td>{linkedBy(r.via, r.traceId === data.origin?.traceId)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Loaded>
    </section>
  );
}

/**
 * How a run points back at its request, in words. A span in the request's own trace (the
 * `enqueue` span, or attempts run in that trace) needs no pointer: the trace is the answer.
 */
function linkedBy(via: 'attribute' | 'link' | 'both' | 'none', inOriginTrace: boolean): string {
  if (inOriginTrace) return "in the request's trace";
  return { attribute: 'parent trace attribute', link: 'span link', both: 'attribute and link', none: '–' }[via];
}
