/**
 * The tenants' webhook endpoints, as one small HTTP server: each tenant's path checks the
 * Standard Webhooks signature with that endpoint's secret and answers 200, except globex's,
 * which answers 500 to everything (the retry storm). Received deliveries are kept for the
 * evidence (their `traceparent`).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@stitch/kernel/webhooks';

export interface ReceivedWebhook {
  readonly path: string;
  readonly traceparent: string | undefined;
  readonly verified: boolean;
  readonly status: number;
}

export interface WebhookReceiver {
  readonly baseUrl: string;
  readonly received: ReceivedWebhook[];
  /** The secret of the endpoint behind `path`, once the service has registered it. */
  setSecret(path: string, secret: string): void;
  close(): Promise<void>;
}

export const STORM_PATH = '/hooks/globex';

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const secrets = new Map<string, string>();
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const secret = secrets.get(path);
      const verified = secret !== undefined && verifyWebhook({ headers: req.headers, body: Buffer.concat(chunks), secret }).ok;
      const status = path === STORM_PATH ? 500 : verified ? 200 : 401;
      const traceparent = req.headers.traceparent;
      received.push({ path, traceparent: typeof traceparent === 'string' ? traceparent : undefined, verified, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    setSecret: (path, secret) => secrets.set(path, secret),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
