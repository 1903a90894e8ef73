import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api/client.js';
import type { ApiState } from '../api/use-api.js';
import { formatTime, shortId } from '../../../src/ui-model/format.js';
import { href } from '../router.js';

export function ErrorBox({ error }: { error: ApiError }) {
  return (
    <div class="error" role="alert" data-testid="error">
      <strong>{error.status === 404 ? 'Not found' : error.status === 403 ? 'Forbidden' : 'Error'}</strong>{' '}
      <code>{error.code}</code> {error.message}
      {error.requestId ? <span class="muted"> (request {error.requestId})</span> : null}
    </div>
  );
}

/** Renders the loading and error states of a fetch, and `children(data)` once it arrived. */
export function Loaded<T>({ state, children }: { state: ApiState<T>; children: (data: T) => ComponentChildren }) {
  if (state.status === 'idle') return null;
  if (state.status === 'loading') return <p class="muted">Loading…</p>;
  if (state.status === 'error') return <ErrorBox error={state.error} />;
  return <>{children(state.data)}</>;
}

export function TraceLink({ traceId, full = false }: { traceId: string; full?: boolean }) {
  return (
    <a class="mono" href={href(`trace/${traceId}`)} title={traceId}>
      {full ? traceId : shortId(traceId)}
    </a>
  );
}

/** A ranked row's example traces: the first three, short ids, each opening its trace. */
export function TraceLinks({ ids }: { ids: readonly string[] }) {
  return (
    <>
      {ids.slice(0, 3).map((id) => (
        <>
          <TraceLink traceId={id} />{' '}
        </>
      ))}
    </>
  );
}

/**
 * The last two cells of a grouped answer's row: when it was last seen (UTC; the first time in
 * the tooltip when known) and up to three traces that show it.
 */
export function SeenCells({ last, first, traceIds }: { last: string; first?: string; traceIds: readonly string[] }) {
  return (
    <>
      <td class="mono small" title={first === undefined ? undefined : `first ${formatTime(first)} UTC`}>
        {formatTime(last)}
      </td>
      <td>
        <TraceLinks ids={traceIds} />
      </td>
    </>
  );
}

/** Failed attempts with their share of all attempts: `3 (25%)`, marked bad when any failed. */
export function FailuresCell({ failures, ratio }: { failures: number; ratio: number }) {
  return (
    <td class={`num ${failures ? 'bad' : ''}`}>
      {failures} <span class="muted small">({Math.round(ratio * 100)}%)</span>
    </td>
  );
}

/** A row's tenant breakdown: `t1 (12), t2 (3) +4 more`, each opening that tenant's overview. */
export function TenantCounts({ tenants, total }: { tenants: readonly { tenantId: string | null; count: number }[]; total: number }) {
  // Three fit a table cell; the rest are a count (the tenant's own overview has the detail).
  const shown = tenants.slice(0, 3);
  return (
    <>
      {shown.map((t, i) => (
        <>
          {i > 0 ? ', ' : ''}
          {t.tenantId ? <a href={href('overview', `tenant=${encodeURIComponent(t.tenantId)}`)}>{t.tenantId}</a> : '–'} ({t.count})
        </>
      ))}
      {total > shown.length ? <span class="muted"> +{total - shown.length} more</span> : null}
    </>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="muted empty">{children}</p>;
}

/** The window picker every question page shares (`since` as the API reads it). */
export const WINDOWS = ['15m', '1h', '6h', '24h', '7d'] as const;
