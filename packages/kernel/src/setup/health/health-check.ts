/**
 * One readiness check. `check` resolves when healthy and throws (or resolves with a reason
 * string) when not. An `optional` check that fails degrades readiness (the body says so, the
 * status stays 200) instead of failing it: a service whose exporter drops spans can still serve.
 */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<string | void> | string | void;
  readonly optional?: boolean;
  /** Overrides the health's `timeoutMillis` for this check. */
  readonly timeoutMillis?: number;
}

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  readonly name: string;
  /** `warn`: an optional check that failed. */
  readonly status: CheckStatus;
  readonly latencyMs: number;
  /** Why it failed; absent when it passed. */
  readonly reason?: string;
}

export interface Readiness {
  /** False when any required check failed; an optional failure leaves it true (`degraded`). */
  readonly ready: boolean;
  readonly status: 'ready' | 'degraded' | 'not ready';
  readonly checks: readonly CheckResult[];
}

/** Runs one check under its deadline: a hanging dependency must not hang the probe. */
export async function runCheck(check: HealthCheck, timeoutMillis: number): Promise<CheckResult> {
  const started = performance.now();
  const latencyMs = (): number => Math.round((performance.now() - started) * 10) / 10;
  const limit = check.timeoutMillis ?? timeoutMillis;
  let timer: NodeJS.Timeout | undefined;
  const failed = (reason: string): CheckResult => ({ name: check.name, status: check.optional === true ? 'warn' : 'fail', latencyMs: latencyMs(), reason });
  try {
    const outcome = await Promise.race([
      Promise.resolve().then(() => check.check()),
      new Promise<{ timedOut: true }>((resolve) => {
        timer = setTimeout(() => resolve({ timedOut: true }), limit);
      }),
    ]);
    if (typeof outcome === 'object' && outcome !== null) return failed(`no answer within ${limit} ms`);
    if (typeof outcome === 'string') return failed(outcome);
    return { name: check.name, status: 'pass', latencyMs: latencyMs() };
  } catch (err) {
    return failed(err instanceof Error ? err.message || err.name : String(err));
  } finally {
    clearTimeout(timer);
  }
}
