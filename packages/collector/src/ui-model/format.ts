/** Display formats shared by the UI's pages: dense, fixed units, no locale surprises. */

/** `0.42 ms`, `12.3 ms`, `640 ms`, `1.52 s`, `2m 05s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${(Math.round(ms * 10) / 10).toString()} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${seconds.toString().padStart(2, '0')}s`;
}

/** A change in time: `+3.90 s`, `−12 ms`, `0 ms` (a growth column reads at a glance). */
export function formatDurationChange(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  return `${ms > 0 ? '+' : '−'}${formatDuration(Math.abs(ms))}`;
}

/** `2026-11-22 02:14:05.123` in UTC: the same text in every browser and in the CLI. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** The first 8 hex digits: enough to tell traces apart on one screen. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** OTLP span kinds by number. */
export function spanKindName(kind: number): string {
  return ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'][kind] ?? `kind ${kind}`;
}

/** OTLP severity number to its short text (TRACE…FATAL). */
export function severityName(severityNumber: number, severityText: string | null): string {
  if (severityText) return severityText.toUpperCase();
  if (severityNumber >= 21) return 'FATAL';
  if (severityNumber >= 17) return 'ERROR';
  if (severityNumber >= 13) return 'WARN';
  if (severityNumber >= 9) return 'INFO';
  if (severityNumber >= 5) return 'DEBUG';
  return severityNumber > 0 ? 'TRACE' : '–';
}

/** Attribute values as text: strings as they are, everything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}
