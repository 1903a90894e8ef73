import { ServiceMapResponseSchema } from '@stitch/contract';
import { useApi } from '../api/use-api.js';
import { Empty, Loaded, WINDOWS } from '../components/common.js';
import { formatDuration } from '../../../src/ui-model/format.js';
import { layoutServiceMap } from '../../../src/ui-model/service-map-layout.js';
import { href } from '../router.js';

/** `#/map`: which service calls which, with call counts, errors and p95. */
export function ServiceMapPage({ query }: { query: URLSearchParams }) {
  const since = query.get('since') ?? '1h';
  const tenant = query.get('tenant') ?? '';
  const q = new URLSearchParams({ since });
  if (tenant) q.set('tenant', tenant);
  const state = useApi(`/api/service-map?${q.toString()}`, ServiceMapResponseSchema);
  return (
    <section>
      <nav class="filters">
        Window:{' '}
        {WINDOWS.map((w) => (
          <a class={w === since ? 'active' : ''} href={href('map', new URLSearchParams({ since: w, ...(tenant ? { tenant } : {}) }).toString())}>
            {w}
          </a>
        ))}
      </nav>
      <Loaded state={state}>
        {(data) => {
          if (data.nodes.length === 0) return <Empty>No spans in this window.</Empty>;
          const l = layoutServiceMap(data);
          return (
            <>
              {data.edges.length === 0 ? <p class="muted">No call crossed from one service into another in this window.</p> : null}
              <svg class="service-map" data-testid="service-map" width={l.width} height={l.height} viewBox={`0 0 ${l.width} ${l.height}`}>
              <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                  <path d="M 0 0 L 10 5 L 0 10 z" fill="#667" />
                </marker>
              </defs>
              {l.edges.map((e) => {
                const d = e.backwards
                  ? `M ${e.x1} ${e.y1} C ${e.x1} ${e.y1 + 40}, ${e.x2} ${e.y2 + 40}, ${e.x2} ${e.y2}`
                  : `M ${e.x1} ${e.y1} C ${(e.x1 + e.x2) / 2} ${e.y1}, ${(e.x1 + e.x2) / 2} ${e.y2}, ${e.x2} ${e.y2}`;
                return (
                  <g class={`edge${e.errors ? ' edge-error' : ''}`}>
                    <path d={d} marker-end="url(#arrow)" style={{ strokeWidth: Math.min(6, 1 + Math.log10(e.calls + 1) * 2) }} />
                    <text x={(e.x1 + e.x2) / 2} y={(e.y1 + e.y2) / 2 - 6} text-anchor="middle">
                      {e.calls}× p95 {formatDuration(e.p95Ms)}
                      {e.errors ? ` · ${e.errors} err` : ''}
                    </text>
                  </g>
                );
              })}
              {l.nodes.map((n) => (
                <a href={href('search', new URLSearchParams({ service: n.service, since, ...(tenant ? { tenant } : {}) }).toString())}>
                  <g class={`node${n.errors ? ' node-error' : ''}`}>
                    <rect x={n.x - l.nodeWidth / 2} y={n.y - l.nodeHeight / 2} width={l.nodeWidth} height={l.nodeHeight} rx="5" />
                    <text x={n.x} y={n.y - 3} text-anchor="middle" class="node-name">
                      {n.service}
                    </text>
                    <text x={n.x} y={n.y + 13} text-anchor="middle" class="node-stats">
                      {n.spans} spans{n.errors ? `, ${n.errors} err` : ''}
                    </text>
                  </g>
                </a>
              ))}
              </svg>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
