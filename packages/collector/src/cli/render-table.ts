/**
 * Plain-text tables for the terminal: aligned columns, long cells cut with an ellipsis, numbers
 * right-aligned. Kept tiny on purpose; `--json` is the format for scripts.
 */
export type Cell = string | number | boolean | null | undefined;

const MAX_CELL = 64;

function show(value: Cell): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(1);
  const s = String(value).replace(/\s+/g, ' ');
  return s.length > MAX_CELL ? s.slice(0, MAX_CELL - 1) + '…' : s;
}

export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) return '(no rows)\n';
  const text = rows.map((r) => r.map(show));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...text.map(line)].join('\n') + '\n';
}
