/**
 * The forwarder's waits between attempts. Small enough to keep here: the workspace has no retry
 * library, and these two functions are all the policy there is.
 */

/**
 * The wait before attempt `attempt + 1`: `initial × 2^(attempt-1)`, capped at `max`, then
 * jittered into [½, 1½) of itself (OpenTelemetry's randomization factor 0.5) so senders that
 * failed together do not retry together. `random` in [0, 1); 0.5 gives the exact doubling.
 *
 * @example retryDelayMillis(3, 1000, 30_000, 0.5) // 4000
 */
export function retryDelayMillis(attempt: number, initialMillis: number, maxMillis: number, random: number): number {
  const base = Math.min(maxMillis, initialMillis * 2 ** Math.max(0, attempt - 1));
  return Math.min(maxMillis, Math.round(base * (0.5 + random)));
}

/**
 * A `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as milliseconds from
 * `nowMillis`, never negative; null when absent or unreadable (the caller then backs off on its
 * own). The caller caps it: an upstream must not park the forwarder for an hour.
 *
 * @example retryAfterMillis('7', Date.now()) // 7000
 */
export function retryAfterMillis(header: string | null, nowMillis: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP-date names its day and month; without letters, Date.parse('-5') would read a year.
  const at = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMillis);
}
