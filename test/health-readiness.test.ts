/**
 * Readiness against the real Postgres, Redis and NATS on this machine: each check passes while
 * its server answers, fails (503, with the reason) when its connection is cut, and passes again
 * with a fresh connection. Liveness stays up throughout: a dependency down is not a dead process.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { connect } from 'nats';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createHealth, databaseCheck, exporterCheck, healthRoutes, natsCheck, outboxLagCheck, redisCheck } from '@stitch/kernel/health';
import type { Readiness } from '@stitch/kernel/health';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function statusOf(r: Readiness, name: string): string | undefined {
  return r.checks.find((c) => c.name === name)?.status;
}

describe('readiness on real servers', () => {
  it('fails when the Postgres pool, the NATS connection or the Redis client is cut, and recovers with fresh ones', async () => {
    let pool = new pg.Pool({ ...PG, max: 2 });
    let nats = await connect({ servers: '127.0.0.1:4222' });
    let redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 0, lazyConnect: true });
    await redis.connect();
    // The checks read the current connection, as a service that reconnects would hand them.
    const health = createHealth({
      timeoutMillis: 2000,
      checks: [
        { name: 'database', check: () => databaseCheck(pool).check() },
        { name: 'bus', check: () => natsCheck(nats).check() },
        { name: 'jobs', check: () => redisCheck(redis).check() },
      ],
    });
    const url = await listen(createServer(health.handler));
    try {
      let res = await fetch(`${url}/readyz`);
      let body = (await res.json()) as Readiness;
      expect(res.status).toBe(200);
      expect(body.checks.map((c) => [c.name, c.status])).toEqual([['database', 'pass'], ['bus', 'pass'], ['jobs', 'pass']]);
      expect(body.checks.every((c) => typeof c.latencyMs === 'number')).toBe(true);

      await pool.end();
      await nats.close();
      redis.disconnect();
      res = await fetch(`${url}/readyz`);
      body = (await res.json()) as Readiness;
      expect(res.status).toBe(503);
      expect(body.status).toBe('not ready');
      expect(body.checks.map((c) => [c.name, c.status])).toEqual([['database', 'fail'], ['bus', 'fail'], ['jobs', 'fail']]);
      expect(body.checks.find((c) => c.name === 'database')?.reason).toMatch(/pool/i);
      expect(body.checks.find((c) => c.name === 'bus')?.reason).toBe('the NATS connection is closed');
      expect(body.checks.every((c) => c.reason !== undefined && c.reason.length > 0)).toBe(true);
      expect((await fetch(`${url}/livez`)).status).toBe(200);

      pool = new pg.Pool({ ...PG, max: 2 });
      nats = await connect({ servers: '127.0.0.1:4222' });
      redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 0 });
      res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Readiness).status).toBe('ready');
    } finally {
      health.close();
      await pool.end().catch(() => undefined);
      await nats.close().catch(() => undefined);
      redis.disconnect();
    }
  }, 30_000);

  it('fails a Postgres that does not listen (a closed port) with the driver’s reason', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const pool = new pg.Pool({ ...PG, port: closed, connectionTimeoutMillis: 1000 });
    const health = createHealth({ checks: [databaseCheck(pool)] });
    try {
      const r = await health.check();
      expect(r.ready).toBe(false);
      expect(r.checks[0]?.reason).toMatch(/ECONNREFUSED/);
    } finally {
      health.close();
      await pool.end();
    }
  });
});

describe('readiness checks', () => {
  it('times out a hanging check and fails it; an optional failing check degrades (200) instead', async () => {
    const health = createHealth({ timeoutMillis: 100 });
    health.register({ name: 'ok', check: () => undefined });
    health.register({ name: 'licence', optional: true, check: () => 'licence server unreachable' });
    let r = await health.check();
    expect([r.ready, r.status, statusOf(r, 'licence')]).toEqual([true, 'degraded', 'warn']);
    const url = await listen(createServer(health.handler));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    health.register({ name: 'hangs', check: () => new Promise(() => {}) });
    r = await health.check();
    expect([r.ready, statusOf(r, 'hangs')]).toEqual([false, 'fail']);
    expect(r.checks.find((c) => c.name === 'hangs')?.reason).toBe('no answer within 100 ms');
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    health.close();
  });

  it('fails the outbox check past its lag threshold, and degrades on an exporter that dropped since the last probe', async () => {
    let age = 1_000;
    const dropped = { export: { droppedQueueFull: 0, droppedExportFailed: 0 }, logExport: { droppedQueueFull: 0, failed: 0 } };
    const health = createHealth({
      checks: [outboxLagCheck({ lag: async () => ({ unsentCount: 3, oldestUnsentAgeMillis: age }) }, { maxAgeMillis: 30_000 }), exporterCheck({ stats: () => dropped })],
    });
    expect((await health.check()).status).toBe('ready');
    age = 45_000;
    dropped.export.droppedQueueFull = 7;
    const r = await health.check();
    expect(r.ready).toBe(false);
    expect(r.checks.map((c) => [c.name, c.status])).toEqual([['outbox', 'fail'], ['exporter', 'warn']]);
    expect(r.checks[0]?.reason).toBe('oldest of 3 unsent events is 45000 ms old (limit 30000 ms)');
    expect(r.checks[1]?.reason).toBe('7 spans or log records dropped since the last probe');
    age = 0;
    expect((await health.check()).status).toBe('ready');
    health.close();
  });

  it('answers /livez and /readyz the same from node:http, Express and Fastify', async () => {
    const health = createHealth({ checks: [{ name: 'down', check: () => 'it is down' }] });
    const app = express();
    app.get(['/livez', '/readyz'], health.handler);
    const fastify = Fastify();
    await fastify.register(healthRoutes(health));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const bases = [await listen(createServer(health.handler)), await listen(createServer(app)), `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`];
    for (const base of bases) {
      const live = await fetch(`${base}/livez`);
      expect(live.status, base).toBe(200);
      expect(((await live.json()) as { status: string }).status).toBe('live');
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status, base).toBe(503);
      expect(ready.headers.get('content-type')).toContain('application/json');
      expect(((await ready.json()) as Readiness).checks).toEqual([{ name: 'down', status: 'fail', latencyMs: expect.any(Number), reason: 'it is down' }]);
    }
    await fastify.close();
    health.close();
  });

  it('refuses a check registered twice or without a check() with STITCH_ERR_CONFIG_INVALID', () => {
    const health = createHealth();
    health.register({ name: 'db', check: () => undefined });
    expect(() => health.register({ name: 'db', check: () => undefined })).toThrow(expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID' }));
    expect(() => health.register({ name: 'x' } as never)).toThrow(expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID' }));
    expect(() => createHealth({ timeoutMillis: -1 })).toThrow(expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID' }));
    health.close();
  });
});
