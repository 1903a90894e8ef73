/**
 * retryStorm()'s window against the real Postgres server (127.0.0.1:5432, database `test`, a
 * schema of its own) and a real receiver on port 0: attempts are stamped by the database's
 * clock, to the microsecond, so "until now" must be the database's now, not this process's.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInNewContext } from '../../core/context/context-store.js';
import { startStitch } from '../../setup/start-stitch.js';
import type { StitchHandle } from '../../setup/start-stitch.js';
import type { Queryable } from '../db/queryable.js';
import { createWebhooks } from './webhooks.js';

const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const schema = `stitch_storm_${randomBytes(4).toString('hex')}`;
const TENANT = '33333333-3333-4333-8333-333333333333';
let stitch: StitchHandle;
let pool: pg.Pool;
let db: Queryable;
let server: Server;
let base: string;

beforeAll(async () => {
  stitch = startStitch({ serviceName: 'webhook-storm-test', enabled: false });
  pool = new pg.Pool({ ...CONNECTION, max: 2 });
  db = {
    async query<Row>(sql: string, params?: readonly unknown[]) {
      const result = await pool.query({ text: sql, values: params as unknown[] | undefined });
      return { rows: result.rows as Row[], rowCount: result.rowCount };
    },
  };
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
  await stitch.shutdown();
});

describe('retryStorm() window', () => {
  it('retryStorm() without until counts every attempt recorded so far, even with this process’s clock behind the database’s', async () => {
    const hooks = createWebhooks({ db, schema, allowNetworks: ['127.0.0.1/32'], maxAttempts: 3, baseBackoffMillis: 0, random: () => 0 });
    await hooks.migrate();
    const endpoint = await hooks.addEndpoint({ tenantId: TENANT, url: `${base}/storm` });
    await runInNewContext({ name: 'req', tenantId: TENANT }, () => hooks.send({ endpointId: endpoint.id, eventId: 'evt_storm', eventType: 'x', payload: {} }));
    // An app host a few seconds behind its database, which stamps attempted_at; with a
    // JavaScript `new Date()` as the window's end, that also stood for the same-millisecond cut
    // that dropped the last of a storm's attempts.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() - 5_000);
      const since = new Date(Date.now() - 60_000);
      for (let i = 0; i < 3; i += 1) expect(await hooks.dispatchDue()).toBe(1);
      expect(await hooks.dispatchDue()).toBe(0);
      const [row] = await hooks.retryStorm({ since });
      expect(row).toMatchObject({ endpointId: endpoint.id, attempts: 3, retries: 2, failures: 3, deliveries: 1 });
      // An explicit end is still the end: nothing before the process's (early) now.
      expect(await hooks.retryStorm({ since, until: new Date() })).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
