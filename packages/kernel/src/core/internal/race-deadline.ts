/**
 * Waits for `work` or `timeoutMillis`, whichever comes first, and says which. The timer is
 * unref'd and cleared, so a shutdown bounded by it never holds the process open. `work`'s
 * rejection counts as done: callers bound best-effort flushes that must never reject.
 *
 * @example
 *   if ((await raceDeadline(provider.shutdown(), 5_000)) === 'timeout') countWhatWasLeft();
 */
export async function raceDeadline(work: Promise<unknown>, timeoutMillis: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMillis);
    timer.unref();
  });
  const done = work.then(
    () => 'done' as const,
    () => 'done' as const,
  );
  try {
    return await Promise.race([done, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
