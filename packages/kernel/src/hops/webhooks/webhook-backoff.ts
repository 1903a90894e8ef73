/**
 * The delay before retry `attempt + 1` after attempt `attempt` failed: "full jitter" (AWS
 * Architecture Blog, "Exponential Backoff And Jitter"): uniformly in [0, min(max, base·2^(attempt-1))).
 * Spreading retries over the whole window is what keeps a recovering endpoint from being hit
 * by every delivery that failed during its outage at the same instant.
 *
 * @example
 *   fullJitterBackoffMillis(3, { baseMillis: 1_000, maxMillis: 60_000 }); // somewhere in [0, 4000)
 */
export function fullJitterBackoffMillis(
  attempt: number,
  options: { baseMillis: number; maxMillis: number },
  random: () => number = Math.random,
): number {
  const cap = Math.min(options.maxMillis, options.baseMillis * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}
