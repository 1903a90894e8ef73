import type { LogLine, TraceResponse, TraceSpan } from '@stitch/contract';
import { useMemo, useState } from 'preact/hooks';
import { formatDuration, formatTime, formatValue, severityName, spanKindName } from '../../../src/ui-model/format.js';
import { axisTicks, offsetFromOrigin, toWaterfall, visibleRows, type Waterfall } from '../../../src/ui-model/waterfall.js';
import { TraceLink } from '../components/common.js';
import { href } from '../router.js';

/** The waterfall with each span's log lines beside it, and the selected span's details. */
export function TraceView({ trace }: { trace: TraceResponse }) {
  const waterfall = useMemo(() => toWaterfall(trace), [trace]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<string | null>(trace.spans[0]?.spanId ?? null);
  const [showLogs, setShowLogs] = useState(true);
  const rows = visibleRows(waterfall.rows, collapsed);
  const span = trace.spans.find((s) => s.spanId === selected) ?? null;
  const toggle = (id: string): void => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };
  const ticks = axisTicks(waterfall.totalMs, 5);
  return (
    <div class="trace-layout">
      <div class="waterfall" data-testid="waterfall">
        <div class="wf-head">
          <div class="wf-name">
            Span{' '}
            <span class="muted" title={trace.logs.length === 0 ? 'Log lines are shown to tokens with the logs:read (or admin) scope.' : undefined}>
              ({trace.spans.length}, {trace.logs.length} log lines)
            </span>{' '}
            <label class="check">
              <input type="checkbox" checked={showLogs} onChange={(e) => setShowLogs(e.currentTarget.checked)} /> logs
            </label>
          </div>
          <div class="wf-axis">
            {ticks.map((t) => (
              <span class="tick" style={{ left: `${t.pct}%` }}>
                {formatDuration(t.ms)}
              </span>
            ))}
          </div>
        </div>
        {rows.map((row) => (
          <>
            <div
              class={`wf-row${row.span.spanId === selected ? ' selected' : ''}${row.isError ? ' error-row' : ''}`}
              data-testid="span-row"
              data-span-id={row.span.spanId}
              onClick={() => setSelected(row.span.spanId)}
            >
              <div class="wf-name" style={{ paddingLeft: `${row.depth * 14 + 4}px` }}>
                {row.hasChildren ? (
                  <button
                    class="fold"
                    aria-label={collapsed.has(row.span.spanId) ? 'expand' : 'collapse'}
                    onClick={(e) => {
                      e.stopPropagation();
                      toggle(row.span.spanId);
                    }}
                  >
                    {collapsed.has(row.span.spanId) ? '▸' : '▾'}
                  </button>
                ) : (
                  <span class="fold" />
                )}
                <span class="svc" style={{ borderColor: serviceColor(row.span.service) }}>
                  {row.span.service ?? '?'}
                </span>{' '}
                <span class="span-name">{row.span.name}</span>
                {row.isError ? <span class="badge bad">error</span> : null}
                {row.isViolation ? <span class="badge warn">over budget</span> : null}
              </div>
              <div class="wf-track">
                <div
                  class={`bar${row.isError ? ' bar-error' : ''}${row.isViolation ? ' bar-violation' : ''}`}
                  style={{ left: `${row.leftPct}%`, width: `${row.widthPct}%`, backgroundColor: serviceColor(row.span.service) }}
                />
                <span class="bar-label" style={{ left: `${row.leftPct + row.widthPct}%` }}>
                  {formatDuration(row.span.durationMs)}
                </span>
                {row.logs.map((l) => (
                  <span class={`log-dot sev-${severityClass(l.severityNumber)}`} style={{ left: `${pct(waterfall, l.timeUnixNano)}%` }} title={l.body} />
                ))}
              </div>
            </div>
            {showLogs
              ? row.logs.map((l) => (
                  <div class="wf-log" data-testid="log-line" style={{ paddingLeft: `${row.depth * 14 + 22}px` }}>
                    <LogText log={l} waterfall={waterfall} />
                  </div>
                ))
              : null}
          </>
        ))}
        {waterfall.orphanLogs.length > 0 ? (
          <div class="orphans">
            <h3>Log lines without a span in this trace</h3>
            {waterfall.orphanLogs.map((l) => (
              <div class="wf-log" data-testid="log-line">
                <LogText log={l} waterfall={waterfall} />
              </div>
            ))}
          </div>
        ) : null}
      </div>
      <aside class="details" data-testid="span-details">
        {span ? <SpanDetails span={span} waterfall={waterfall} /> : <p class="muted">Select a span.</p>}
      </aside>
    </div>
  );
}

function LogText({ log, waterfall }: { log: LogLine; waterfall: Waterfall }) {
  return (
    <>
      <span class="mono muted">+{formatDuration(offsetFromOrigin(waterfall, log.timeUnixNano))}</span>{' '}
      <span class={`sev sev-${severityClass(log.severityNumber)}`}>{severityName(log.severityNumber, log.severityText)}</span>{' '}
      <span class="log-body">{log.body}</span>
    </>
  );
}

function SpanDetails({ span, waterfall }: { span: TraceSpan; waterfall: Waterfall }) {
  return (
    <div>
      <h2 class="span-title">{span.name}</h2>
      <dl class="kv">
        <dt>Service</dt>
        <dd>{span.service ?? '–'}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(span.durationMs)}</dd>
        <dt>Start</dt>
        <dd class="mono">
          {formatTime(span.startTime)} (+{formatDuration(offsetFromOrigin(waterfall, span.startUnixNano))})
        </dd>
        <dt>Kind</dt>
        <dd>{spanKindName(span.kind)}</dd>
        <dt>Status</dt>
        <dd class={span.statusCode === 2 ? 'bad' : ''}>
          {['unset', 'ok', 'error'][span.statusCode] ?? span.statusCode}
          {span.statusMessage ? `: ${span.statusMessage}` : ''}
        </dd>
        <dt>Tenant</dt>
        <dd class="mono">{span.tenantId ?? '–'}</dd>
        <dt>Span id</dt>
        <dd class="mono">{span.spanId}</dd>
        {span.parentSpanId ? (
          <>
            <dt>Parent</dt>
            <dd class="mono">{span.parentSpanId}</dd>
          </>
        ) : null}
      </dl>
      <h3>Attributes</h3>
      <AttrTable attrs={span.attributes} searchable />
      <p class="small">
        <a href={href('search', new URLSearchParams({ name: span.name, since: '24h' }).toString())} data-testid="search-span-name">
          Other traces with a span named like this →
        </a>
      </p>
      <h3>Events ({span.events.length})</h3>
      {span.events.map((e) => (
        <div class="event">
          <span class="mono muted">+{formatDuration(offsetFromOrigin(waterfall, e.timeUnixNano))}</span> <strong>{e.name}</strong>
          <AttrTable attrs={e.attributes} />
        </div>
      ))}
      <h3>Links ({span.links.length})</h3>
      {span.links.map((l) => (
        <div class="event">
          trace <TraceLink traceId={l.traceId} full /> span <span class="mono">{l.spanId}</span>
          <AttrTable attrs={l.attributes} />
        </div>
      ))}
      <h3>Resource</h3>
      <AttrTable attrs={span.resource} />
      {typeof span.attributes['stitch.job.id'] === 'string' || typeof span.attributes['stitch.run_id'] === 'string' ? (
        <p>
          <a href={href('jobs', `id=${encodeURIComponent(String(span.attributes['stitch.run_id'] ?? span.attributes['stitch.job.id']))}`)}>Job origin →</a>
        </p>
      ) : null}
    </div>
  );
}

/**
 * A span's attributes; `searchable` links each plain value to the traces whose spans carry it
 * (`#/search?attr=key=value`), the way into "which other requests did this".
 */
function AttrTable({ attrs, searchable = false }: { attrs: Record<string, unknown>; searchable?: boolean }) {
  const entries = Object.entries(attrs).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p class="muted small">none</p>;
  return (
    <table class="attrs">
      <tbody>
        {entries.map(([k, v]) => (
          <tr>
            <th>{k}</th>
            <td class="mono">
              {formatValue(v)}
              {searchable && isSearchable(v) ? (
                <>
                  {' '}
                  <a class="attr-search" title="Traces with this value, last 24 h" href={href('search', new URLSearchParams({ attr: `${k}=${String(v)}`, since: '24h' }).toString())}>
                    search
                  </a>
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A value the attribute search can match as text: a short string, a number or a boolean. */
function isSearchable(v: unknown): v is string | number | boolean {
  return (typeof v === 'string' && v.length > 0 && v.length <= 200) || typeof v === 'number' || typeof v === 'boolean';
}

function pct(w: Waterfall, unixNano: string): number {
  return w.totalMs > 0 ? Math.min(100, Math.max(0, (offsetFromOrigin(w, unixNano) * 100) / w.totalMs)) : 0;
}

function severityClass(n: number): string {
  return n >= 17 ? 'error' : n >= 13 ? 'warn' : 'info';
}

const PALETTE = ['#3b7dd8', '#2e9e6a', '#b5651d', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#d4a017'];

/** A stable colour per service name, so a service keeps its colour across traces. */
export function serviceColor(service: string | null): string {
  let h = 0;
  for (const ch of service ?? '') h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
