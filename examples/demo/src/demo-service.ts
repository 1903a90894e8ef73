import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { currentContext, markSecurityRelevant, runInNewContext, StitchError, withContext } from '@stitch/kernel';
import { createAuditLog } from '@stitch/kernel/audit';
import type { Database } from '@stitch/kernel/db';
import { stitchRequestListener } from '@stitch/kernel/edge/node-http';

/** The demo's two tenants and the API keys that resolve to them. */
export const TENANTS = {
  acme: { id: '6f1c1c1e-8a5e-4c43-9d1f-0b7a1a2b3c4d', apiKey: 'demo-key-acme' },
  globex: { id: '9d3b7f52-1e2a-4b6c-8d9e-5f4a3b2c1d0e', apiKey: 'demo-key-globex' },
} as const;

const tenantByKey = new Map<string, string>(Object.values(TENANTS).map((t) => [t.apiKey, t.id]));

export const ROUTES = ['/health', '/orders', '/orders/:id', '/reports/slow'] as const;

/**
 * A tiny multi-tenant orders service. Domain code below never touches a trace id: the edge
 * starts the trace, auth resolves the tenant with `withContext`, and the kernel's wrappers
 * carry both into SQL comments, audit rows and log lines.
 */
export function createDemoService(deps: { readonly db: Database; readonly logger: Logger }): Server {
  const { db, logger } = deps;
  const audit = createAuditLog({ db, schema: 'demo' });
  const log = logger.child({ component: 'orders' });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo');
    if (url.pathname === '/health') return json(res, 200, { ok: true });
    const tenantId = tenantByKey.get(bearer(req) ?? '');
    if (tenantId === undefined) {
      markSecurityRelevant('auth_failure');
      throw new StitchError('STITCH_ERR_EDGE_UNAUTHENTICATED');
    }
    // Auth resolved the tenant: everything from here on carries it.
    return withContext({ tenantId }, () => handle(req, res, url));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { tenantId } = currentContext();
    if (req.method === 'GET' && url.pathname === '/orders') {
      const { rows } = await db.query('SELECT id, item, quantity FROM demo.orders WHERE tenant_id = $1 ORDER BY id', [tenantId], { name: 'orders.list' });
      log.info({ count: rows.length }, 'orders listed');
      return json(res, 200, { orders: rows });
    }
    if (req.method === 'POST' && url.pathname === '/orders') {
      const body = (await readJson(req)) as { item?: unknown; quantity?: unknown };
      if (typeof body.item !== 'string' || typeof body.quantity !== 'number') {
        throw new StitchError('STITCH_ERR_EDGE_BAD_REQUEST', { detail: 'expected {"item": string, "quantity": number}' });
      }
      const order = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: number }>(
          'INSERT INTO demo.orders (tenant_id, item, quantity) VALUES ($1, $2, $3) RETURNING id',
          [tenantId, body.item, body.quantity],
          { name: 'orders.insert' },
        );
        const id = rows[0]?.id;
        await audit.record({ action: 'order.create', target: `order:${String(id)}`, details: { item: body.item } }, { tx });
        return { id, item: body.item, quantity: body.quantity };
      });
      log.info({ orderId: order.id }, 'order created');
      return json(res, 201, order);
    }
    const byId = /^\/orders\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && byId !== null) {
      const { rows } = await db.query('SELECT id, item, quantity FROM demo.orders WHERE tenant_id = $1 AND id = $2', [tenantId, Number(byId[1])], { name: 'orders.get' });
      if (rows.length === 0) {
        // A service's own error codes use the same envelope as the kernel's.
        const { traceId, requestId } = currentContext();
        return json(res, 404, { error: { code: 'DEMO_ORDER_NOT_FOUND', message: `No order ${byId[1]} for this tenant.`, traceId, requestId } });
      }
      return json(res, 200, rows[0]);
    }
    if (req.method === 'GET' && url.pathname === '/reports/slow') {
      // Deliberately over the 200 ms query budget: the demo's perf_violation.
      await db.query('SELECT pg_sleep(0.25)', [], { name: 'reports.slow' });
      return json(res, 200, { report: 'done' });
    }
    throw new StitchError('STITCH_ERR_EDGE_NOT_FOUND', { method: req.method ?? 'GET', path: url.pathname });
  }

  return createServer(stitchRequestListener(route, { routes: ROUTES }));
}

/** Creates the demo's tables (idempotent), as one trace of its own. */
export async function migrateDemo(db: Database): Promise<void> {
  await runInNewContext({ name: 'demo.migrate' }, async () => {
    await db.query('CREATE SCHEMA IF NOT EXISTS demo');
    await db.query('CREATE TABLE IF NOT EXISTS demo.orders (id serial PRIMARY KEY, tenant_id uuid NOT NULL, item text NOT NULL, quantity int NOT NULL)');
    await createAuditLog({ db, schema: 'demo' }).migrate();
  });
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length) : undefined;
}

const MAX_BODY_BYTES = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new StitchError('STITCH_ERR_EDGE_PAYLOAD_TOO_LARGE', { limit: MAX_BODY_BYTES });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new StitchError('STITCH_ERR_EDGE_BAD_REQUEST', { detail: 'the body is not JSON' });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
