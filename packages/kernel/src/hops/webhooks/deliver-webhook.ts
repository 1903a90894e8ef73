import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkDestination } from './destination-guard.js';
import type { DestinationOptions, ForbiddenCategory } from './destination-guard.js';

/** How one attempt went. A failure is a value: the dispatcher decides retry, dead-letter or disable. */
export type AttemptResult =
  | { readonly ok: true; readonly statusCode: number; readonly latencyMillis: number }
  | {
      readonly ok: false;
      readonly statusCode: number | undefined;
      readonly latencyMillis: number;
      /** `http_status`, `redirect`, `gone`, `timeout`, `connection`, `forbidden_destination`, `dns_failed`, `invalid_url`. */
      readonly errorClass: string;
      readonly detail: string;
      /** `false`: retrying cannot help (410, refused destination). */
      readonly retryable: boolean;
      readonly category?: ForbiddenCategory;
    };

export interface AttemptRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMillis: number;
  readonly destination?: DestinationOptions;
}

// What is read of a response body: enough to free the socket, never a large download.
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one signed webhook. The destination is resolved and checked first, and the connection
 * goes to exactly that checked address (a `lookup` that answers it, so the socket never asks DNS
 * again); TLS still verifies the certificate against the URL's host name. Redirects are not
 * followed: a 3xx is a failed attempt. The whole exchange is cut at `timeoutMillis`.
 */
export async function attemptDelivery(req: AttemptRequest): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return { ok: false, statusCode: undefined, latencyMillis: 0, errorClass: 'invalid_url', detail: 'not a URL', retryable: false };
  }
  const check = await checkDestination(url, req.destination);
  if (!check.ok) {
    if (check.reason === 'forbidden_address') {
      return {
        ok: false,
        statusCode: undefined,
        latencyMillis: elapsed(),
        errorClass: 'forbidden_destination',
        detail: `${check.address} is ${check.category}`,
        retryable: false,
        category: check.category,
      };
    }
    // A name that does not resolve today may tomorrow; a bad scheme never will.
    return { ok: false, statusCode: undefined, latencyMillis: elapsed(), errorClass: check.reason, detail: check.detail, retryable: check.reason === 'dns_failed' };
  }

  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all === true) {
      (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: check.address, family: check.family }]);
    } else {
      callback(null, check.address, check.family);
    }
  };
  const options: RequestOptions = {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(req.body), ...req.headers },
    lookup: pinned,
    agent: false,
    signal: AbortSignal.timeout(req.timeoutMillis),
  };

  try {
    const response = await new Promise<{ statusCode: number }>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const outgoing = send(url, options, (incoming: IncomingMessage) => {
        drain(incoming).then(() => resolve({ statusCode: incoming.statusCode ?? 0 }), reject);
      });
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
    const latencyMillis = elapsed();
    const { statusCode } = response;
    if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode, latencyMillis };
    if (statusCode === 410) return { ok: false, statusCode, latencyMillis, errorClass: 'gone', detail: '410 Gone', retryable: false };
    if (statusCode >= 300 && statusCode < 400) return { ok: false, statusCode, latencyMillis, errorClass: 'redirect', detail: `${statusCode} not followed`, retryable: true };
    return { ok: false, statusCode, latencyMillis, errorClass: 'http_status', detail: `HTTP ${statusCode}`, retryable: true };
  } catch (error) {
    const latencyMillis = elapsed();
    const name = (error as { name?: string }).name;
    if (name === 'AbortError' || name === 'TimeoutError') {
      return { ok: false, statusCode: undefined, latencyMillis, errorClass: 'timeout', detail: `no complete answer within ${req.timeoutMillis} ms`, retryable: true };
    }
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      statusCode: undefined,
      latencyMillis,
      errorClass: 'connection',
      detail: typeof code === 'string' ? code : error instanceof Error ? error.message : String(error),
      retryable: true,
    };
  }
}

async function drain(incoming: IncomingMessage): Promise<void> {
  let bytes = 0;
  for await (const chunk of incoming) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_RESPONSE_BYTES) {
      incoming.destroy();
      return;
    }
  }
}
