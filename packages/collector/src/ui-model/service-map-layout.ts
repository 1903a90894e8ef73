import type { ServiceMapResponse } from '@stitch/contract';

export interface PlacedService {
  service: string;
  spans: number;
  errors: number;
  /** Column (0: services nothing calls) and the box's centre in SVG units. */
  column: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
  p95Ms: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** A call back to the same or an earlier column (a cycle): drawn as a curve. */
  backwards: boolean;
}

export interface ServiceMapLayout {
  width: number;
  height: number;
  nodeWidth: number;
  nodeHeight: number;
  nodes: PlacedService[];
  edges: PlacedEdge[];
}

const NODE_W = 150;
const NODE_H = 44;
const COL_GAP = 140;
const ROW_GAP = 26;
const PAD = 20;

/**
 * Places services in columns by call depth (callers left of callees) for an SVG service map.
 * The column of a service is the longest chain of callers leading to it, capped by the number
 * of services so a cycle (a → b → a) cannot loop.
 *
 * @example layoutServiceMap(map).nodes.find((n) => n.service === 'api')?.column // 0
 */
export function layoutServiceMap(map: ServiceMapResponse): ServiceMapLayout {
  const names = new Set(map.nodes.map((n) => n.service));
  for (const e of map.edges) {
    names.add(e.from);
    names.add(e.to);
  }
  const services = [...names].sort();
  const column = new Map(services.map((s) => [s, 0]));
  for (let pass = 0; pass < services.length; pass++) {
    let changed = false;
    for (const e of map.edges) {
      if (e.from === e.to) continue;
      const want = Math.min(column.get(e.from)! + 1, services.length - 1);
      if (want > column.get(e.to)!) {
        column.set(e.to, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const stats = new Map(map.nodes.map((n) => [n.service, n]));
  const rowsInColumn = new Map<number, number>();
  const nodes: PlacedService[] = services.map((service) => {
    const col = column.get(service)!;
    const row = rowsInColumn.get(col) ?? 0;
    rowsInColumn.set(col, row + 1);
    return {
      service,
      spans: stats.get(service)?.spans ?? 0,
      errors: stats.get(service)?.errors ?? 0,
      column: col,
      x: PAD + col * (NODE_W + COL_GAP) + NODE_W / 2,
      y: PAD + row * (NODE_H + ROW_GAP) + NODE_H / 2,
    };
  });
  const at = new Map(nodes.map((n) => [n.service, n]));
  const edges: PlacedEdge[] = map.edges.map((e) => {
    const a = at.get(e.from)!;
    const b = at.get(e.to)!;
    const backwards = b.column <= a.column;
    return {
      ...e,
      x1: a.x + (backwards ? 0 : NODE_W / 2),
      y1: a.y + (backwards ? NODE_H / 2 : 0),
      x2: b.x - (backwards ? 0 : NODE_W / 2),
      y2: b.y + (backwards ? NODE_H / 2 : 0),
      backwards,
    };
  });
  const columns = Math.max(1, ...nodes.map((n) => n.column + 1));
  const rows = Math.max(1, ...rowsInColumn.values());
  return {
    width: PAD * 2 + columns * NODE_W + (columns - 1) * COL_GAP,
    height: PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP + NODE_H / 2,
    nodeWidth: NODE_W,
    nodeHeight: NODE_H,
    nodes,
    edges,
  };
}
