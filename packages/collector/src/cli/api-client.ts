import { ErrorEnvelopeSchema } from '@stitch/contract';

export interface ClientOptions {
  url: string;
  token: string | undefined;
}

/** A failed API call, carrying the server's error code when it sent the envelope. */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Shows a spinner on stderr while `work` runs longer than 300 ms, only when stderr is a
 * terminal, so piped `--json` output and CI logs stay clean.
 */
export async function withProgress<T>(label: string, work: Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work;
  let frame = 0;
  let shown = false;
  const timer = setInterval(() => {
    shown = true;
    process.stderr.write(`\r${SPINNER[frame++ % SPINNER.length]} ${label}…`);
  }, 300);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    if (shown) process.stderr.write('\r\x1b[K');
  }
}

function headers(options: ClientOptions): Record<string, string> {
  if (!options.token) throw new ApiCallError('no token: pass --token or set STITCH_TOKEN (create one with `stitch token create`)', 401, null);
  return { authorization: `Bearer ${options.token}`, accept: 'application/json' };
}

function failure(status: number, text: string): ApiCallError {
  try {
    const env = ErrorEnvelopeSchema.parse(JSON.parse(text));
    return new ApiCallError(`${env.error.code}: ${env.error.message}`, status, env.error.code);
  } catch {
    return new ApiCallError(`HTTP ${status}: ${text.slice(0, 200)}`, status, null);
  }
}

/**
 * One GET over node:http(s), the whole body as text. Not fetch(): in Node 20 the first fetch
 * loads undici, ~80 ms of a ~230 ms `stitch <question>` (bench/cli-startup.bench.ts).
 */
async function getText(url: URL, requestHeaders: Record<string, string>): Promise<{ status: number; text: string }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol ${url.protocol}`);
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: requestHeaders }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** GETs one API endpoint and returns its parsed JSON, or throws ApiCallError. */
export async function apiGet(options: ClientOptions, path: string, query: Record<string, string | undefined> = {}): Promise<unknown> {
  const url = new URL(path, options.url);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  const requestHeaders = headers(options);
  let res: { status: number; text: string };
  try {
    res = await withProgress(`asking ${url.host}`, getText(url, requestHeaders));
  } catch (err) {
    throw new ApiCallError(`cannot reach ${options.url}: ${(err as Error).message}`, 0, null);
  }
  if (res.status < 200 || res.status > 299) throw failure(res.status, res.text);
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw new ApiCallError(`${options.url} answered ${res.status} with a body that is not JSON (is it a Stitch collector?)`, res.status, null);
  }
}

/** Opens a follow stream and calls `onLine` for each NDJSON line until the server closes it. */
export async function apiStream(
  options: ClientOptions,
  path: string,
  query: Record<string, string | undefined>,
  onLine: (value: unknown) => void,
  signal?: AbortSignal,
): Promise<void> {
  const url = new URL(path, options.url);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  let res: Response;
  try {
    res = await fetch(url, { headers: headers(options), signal });
  } catch (err) {
    if (signal?.aborted) return;
    throw new ApiCallError(`cannot reach ${options.url}: ${(err as Error).message}`, 0, null);
  }
  if (!res.ok || !res.body) throw failure(res.status, await res.text());
  let buffered = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() !== '') onLine(JSON.parse(line));
      }
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
}
