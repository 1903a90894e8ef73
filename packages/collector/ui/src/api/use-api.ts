import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { ApiError, getJson } from './client.js';

export type ApiState<T> = { status: 'idle' } | { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; error: ApiError };

/**
 * Fetches `path` (null: nothing to ask yet) and re-fetches when it changes; stale answers are
 * dropped. With `refreshMillis` it asks again on that period (live view), keeping the last
 * answer on screen meanwhile instead of flashing "Loading…".
 */
export function useApi<S extends z.ZodType>(path: string | null, schema: S, refreshMillis: number | null = null): ApiState<z.infer<S>> {
  const [state, setState] = useState<ApiState<z.infer<S>>>({ status: path === null ? 'idle' : 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (refreshMillis === null || path === null) return;
    const timer = setInterval(() => setTick((n) => n + 1), refreshMillis);
    return () => clearInterval(timer);
  }, [path, refreshMillis]);
  useEffect(() => {
    if (path === null) {
      setState({ status: 'idle' });
      return;
    }
    const abort = new AbortController();
    // A periodic refresh keeps the last answer on screen; a new question shows Loading….
    setState((prev) => (prev.status === 'ok' && tick > 0 ? prev : { status: 'loading' }));
    getJson(path, schema, undefined, abort.signal).then(
      (data) => {
        if (!abort.signal.aborted) setState({ status: 'ok', data });
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        setState({ status: 'error', error: err instanceof ApiError ? err : new ApiError(0, 'STITCH_UI_ERROR', String(err)) });
      },
    );
    return () => abort.abort();
  }, [path, schema, tick]);
  return state;
}
