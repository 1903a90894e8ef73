import { RequestJobsResponseSchema, TraceResponseSchema, type TraceResponse } from '@stitch/contract';
import { useState } from 'preact/hooks';
import { useApi } from '../api/use-api.js';
import { ErrorBox, Loaded } from '../components/common.js';
import { formatDuration, formatTime } from '../../../src/ui-model/format.js';
import { toWaterfall } from '../../../src/ui-model/waterfall.js';
import { ApiError } from '../api/client.js';
import { TraceView } from './trace-view.js';
import { href } from '../router.js';

/** `#/trace/<id>`: one trace from the live collector. */
export function TracePage({ traceId }: { traceId: string }) {
  const state = useApi(`/api/traces/${encodeURIComponent(traceId)}`, TraceResponseSchema);
  return (
    <section>
      <Loaded state={state}>
        {(trace) => (
          <>
            <TraceHeader trace={trace} />
            <TraceView trace={trace} />
            <RequestJobs traceId={trace.traceId} />
          </>
        )}
      </Loaded>
    </section>
  );
}

export function TraceHeader({ trace, exportable = true }: { trace: TraceResponse; exportable?: boolean }) {
  const w = toWaterfall(trace);
  const root = trace.spans[0];
  return (
    <header class="trace-header">
      <h2>
        {root ? root.name : 'Trace'} <span class="mono muted">{trace.traceId}</span>
      </h2>
      <div class="facts">
        <span>
          Duration <strong>{formatDuration(w.totalMs)}</strong>
        </span>
        <span>{root ? `Start ${formatTime(root.startTime)} UTC` : null}</span>
        <span>Services {w.services.join(', ') || '–'}</span>
        <span>
          Tenant <span class="mono">{w.tenants.join(', ') || '–'}</span>
        </span>
        <span class={w.rows.some((r) => r.isError) ? 'bad' : ''}>{plural(w.rows.filter((r) => r.isError).length, 'error')}</span>
        <span class={w.rows.some((r) => r.isViolation) ? 'warn' : ''}>{w.rows.filter((r) => r.isViolation).length} over budget</span>
        {exportable ? (
          <button
            type="button"
            class="link"
            title="Save this trace as JSON; open it later on the Open file page, without a collector"
            onClick={() => downloadJson(`trace-${trace.traceId}.json`, trace)}
          >
            Export JSON
          </button>
        ) : null}
      </div>
    </header>
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function downloadJson(name: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 1)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function RequestJobs({ traceId }: { traceId: string }) {
  const state = useApi(`/api/requests/${traceId}/jobs`, RequestJobsResponseSchema);
  if (state.status !== 'ok' || state.data.jobs.length === 0) return null;
  return (
    <div class="panel" data-testid="request-jobs">
      <h3>Jobs this request triggered</h3>
      <table class="grid">
        <tbody>
          {state.data.jobs.map((j) => (
            <tr>
              <td>{j.jobName ?? '?'}</td>
              <td class="mono">{j.runId ?? j.jobId}</td>
              <td>
                <a href={href(`trace/${j.traceId}`)}>run trace</a>
              </td>
              <td>{formatDuration(j.durationMs)}</td>
              <td class={j.statusCode === 2 ? 'bad' : ''}>{j.statusCode === 2 ? 'failed' : 'ok'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `#/open`: the static export — a trace saved with "Export JSON", validated, shown without a collector. */
export function OpenFilePage() {
  const [trace, setTrace] = useState<TraceResponse | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = async (file: File): Promise<void> => {
    setError(null);
    try {
      const parsed = TraceResponseSchema.safeParse(JSON.parse(await file.text()));
      if (!parsed.success) throw new ApiError(0, 'STITCH_UI_SCHEMA_MISMATCH', `${file.name} is not a Stitch trace export.`);
      setTrace(parsed.data);
    } catch (err) {
      setTrace(null);
      setError(err instanceof ApiError ? err : new ApiError(0, 'STITCH_UI_NOT_JSON', `${file.name} is not JSON.`));
    }
  };
  return (
    <section>
      <p>
        Open a trace saved with <em>Export JSON</em> (or <code>stitch trace &lt;id&gt; --json</code>). It is read in the browser only.{' '}
        <input type="file" accept="application/json,.json" onChange={(e) => e.currentTarget.files?.[0] && void load(e.currentTarget.files[0])} />
      </p>
      {error ? <ErrorBox error={error} /> : null}
      {trace ? (
        <>
          <TraceHeader trace={trace} exportable={false} />
          <TraceView trace={trace} />
        </>
      ) : null}
    </section>
  );
}
