import type { CollectorConfig } from '../config/collector-config.js';
import type { IngestStats } from '../store/ingest-stats.js';
import type { Store } from '../store/store.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  latencyMs: number;
  /** Why it failed; absent when ok. */
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  checks: CheckResult[];
}

/** A check that has not answered in this long has failed: a hung store must not hang the probe. */
const CHECK_TIMEOUT_MILLIS = 1_000;

async function timed(name: string, check: () => Promise<string | null> | string | null): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const reason = await Promise.race([
      Promise.resolve().then(check),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MILLIS} ms`), CHECK_TIMEOUT_MILLIS);
      }),
    ]);
    return { name, ok: reason === null, latencyMs: Math.round((performance.now() - started) * 10) / 10, ...(reason === null ? {} : { reason }) };
  } catch (err) {
    return { name, ok: false, latencyMs: Math.round((performance.now() - started) * 10) / 10, reason: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export interface ReadinessSources {
  store: Store;
  stats: IngestStats;
  config: CollectorConfig;
  queueDepth: () => number;
  nowMillis?: () => number;
}

/**
 * `GET /readyz`: can this collector do useful work? The store answers and its last commit did
 * not fail after its last success; the write queue is below 90% of its bound (past that, ingest
 * is about to be refused); retention has run within three of its intervals (after the first).
 */
export async function checkReadiness(sources: ReadinessSources): Promise<Readiness> {
  const { store, stats, config, queueDepth } = sources;
  const now = sources.nowMillis?.() ?? Date.now();
  const checks = await Promise.all([
    timed('store', async () => {
      await store.query('SELECT 1');
      const failedAt = stats.lastWriteFailedMillis;
      if (failedAt !== null && (stats.lastWriteOkMillis === null || stats.lastWriteOkMillis < failedAt)) {
        return `the last commit failed (${new Date(failedAt).toISOString()}) and none has succeeded since`;
      }
      return null;
    }),
    timed('queue', () => {
      const depth = queueDepth();
      return depth >= config.maxQueueRecords * 0.9 ? `write queue at ${depth} of ${config.maxQueueRecords} records` : null;
    }),
    timed('retention', () => {
      const interval = config.retention.checkIntervalSeconds * 1000;
      const since = now - (stats.lastRetentionRunMillis ?? stats.startedAtMillis);
      return since > 3 * interval ? `retention has not completed a pass for ${Math.round(since / 1000)} s (interval ${interval / 1000} s)` : null;
    }),
  ]);
  return { ready: checks.every((c) => c.ok), checks };
}
