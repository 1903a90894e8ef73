import { ErrorEnvelopeSchema } from '@stitch/contract';
import type { z } from 'zod';
import { clearToken, readToken } from './token.js';

/** A failed API call as the pages show it: the collector's error code and message, or ours. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Called when the collector refuses the token (401), so the app can ask for a new one. */
let onUnauthenticated: () => void = () => undefined;
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/**
 * GET an API path with the session's bearer token and validate the answer against its contract
 * schema. A response that does not match is an error, not data: the UI never renders a shape
 * it was not built for.
 *
 * @example const trace = await getJson(`/api/traces/${id}`, TraceResponseSchema)
 */
export async function getJson<S extends z.ZodType>(path: string, schema: S, token: string | null = readToken(), signal?: AbortSignal): Promise<z.infer<S>> {
  if (!token) throw new ApiError(401, 'STITCH_UI_NO_TOKEN', 'Enter a token first.');
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'STITCH_UI_NETWORK', `The collector did not answer (${String(err)}).`);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'STITCH_UI_NOT_JSON', `The collector answered ${res.status} with something that is not JSON.`);
  }
  if (!res.ok) {
    const envelope = ErrorEnvelopeSchema.safeParse(body);
    if (res.status === 401) {
      clearToken();
      onUnauthenticated();
    }
    if (envelope.success) throw new ApiError(res.status, envelope.data.error.code, envelope.data.error.message, envelope.data.error.requestId);
    throw new ApiError(res.status, 'STITCH_UI_HTTP', `The collector answered ${res.status}.`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(res.status, 'STITCH_UI_SCHEMA_MISMATCH', `The answer to ${path.split('?')[0]} does not match the contract${issue ? ` (${issue.path.join('.')}: ${issue.message})` : ''}.`);
  }
  return parsed.data;
}
