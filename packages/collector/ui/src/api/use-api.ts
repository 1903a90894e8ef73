import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { ApiError, getJson } from './client.js';

export type ApiState<T> = { status: 'idle' } | { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; error: ApiError };

/** Fetches `path` (null: nothing to ask yet) and re-fetches when it changes; stale answers are dropped. */
export function useApi<S extends z.ZodType>(path: string | null, schema: S): ApiState<z.infer<S>> {
  const [state, setState] = useState<ApiState<z.infer<S>>>({ status: path === null ? 'idle' : 'loading' });
  useEffect(() => {
    if (path === null) {
      setState({ status: 'idle' });
      return;
    }
    const abort = new AbortController();
    setState({ status: 'loading' });
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
  }, [path, schema]);
  return state;
}
