/**
 * The query wrapper against the real Postgres server (127.0.0.1:5432, database `test`): the
 * comment is where an operator looks (pg_stat_activity, the server log), hostile values cannot
 * escape it, and named prepared statements stay prepared.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext, startStitch, withContext } from '@stitch/kernel';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { TenantIdSchema } from '@stitch/contract';
import { hostileStrings } from '../packages/kernel/src/hops/db/internal/hostile-strings.js';

const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const TENANT = '3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f';
const schema = `stitch_db_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ ...CONNECTION, max: 3 });
const observer = new pg.Client(CONNECTION);
const db = createPgDatabase(pool, { application: 'db-pg-test' });

beforeAll(async () => {
  startStitch({ serviceName: 'db-pg-test', enabled: false });
  await observer.connect();
  await observer.query(`CREATE SCHEMA ${schema}`);
  await observer.query(`CREATE TABLE ${schema}.canary (id int)`);
  await observer.query(`INSERT INTO ${schema}.canary VALUES (1)`);
});

afterAll(async () => {
  await observer.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await observer.end();
  await db.close();
});

function inRequest<T>(routeId: string, fn: () => Promise<T>): Promise<T> {
  return runInNewContext({ name: 'request', requestId: `req-${randomBytes(6).toString('hex')}`, routeId }, () =>
    withContext({ tenantId: TENANT }, fn),
  );
}

describe('the pg wrapper on the Postgres server', () => {
  it('shows a running slow query with the request trace id in pg_stat_activity', async () => {
    const marker = `marker_${randomBytes(4).toString('hex')}`;
    await inRequest('/reports/:id', async () => {
      const { traceId, requestId } = currentContext();
      const running = db.query(`SELECT pg_sleep(0.6), '${marker}' AS marker`);
      let seen: string | undefined;
      for (let attempt = 0; attempt < 50 && seen === undefined; attempt += 1) {
        const { rows } = await observer.query<{ query: string }>(
          "SELECT query FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
          [`%${marker}%`],
        );
        seen = rows[0]?.query;
        if (seen === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await running;
      expect(seen).toContain(`traceparent='00-${traceId}-`);
      expect(seen).toContain(`request_id='${requestId}'`);
      expect(seen).toContain(`tenant_id='${TENANT}'`);
      expect(seen).toContain("route='%2Freports%2F%3Aid'");
    });
  });

  it("finds the comment with the trace id in the server's own log when log_min_duration_statement applies", async () => {
    // log_min_duration_statement is superuser-settable per session; we connect as postgres.
    const client = new pg.Client(CONNECTION);
    await client.connect();
    try {
      await client.query('SET log_min_duration_statement = 0');
      const logFile = await serverLogFile(client);
      const before = await fileSize(client, logFile);
      const marker = `logmark_${randomBytes(4).toString('hex')}`;
      const traceId = await inRequest('/log', async () => {
        await createPgDatabase(client, { application: 'db-pg-test' }).query(`SELECT '${marker}' AS marker`);
        return currentContext().traceId;
      });
      let line: string | undefined;
      for (let attempt = 0; attempt < 50 && line === undefined; attempt += 1) {
        const size = await fileSize(observer, logFile);
        const { rows } = await observer.query<{ text: string }>('SELECT pg_read_file($1, $2, $3) AS text', [logFile, before, size - before]);
        line = rows[0]?.text.split('\n').find((l) => l.includes(marker));
        if (line === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(line).toMatch(/duration: [\d.]+ ms/);
      expect(line).toContain(`traceparent='00-${traceId}-`);
    } finally {
      await client.end();
    }
  });

  it('keeps 200 hostile route values, and the tenant ids withContext accepts of them, inside the comment: every statement runs as written', async () => {
    const values = hostileStrings(200, 7);
    for (const value of values) {
      // withContext refuses a tenant id outside TenantIdSchema (docs/concepts.md): those never reach a comment.
      const tenantId = TenantIdSchema.safeParse(value).success ? value : 'acme';
      const { rows } = await runInNewContext({ name: 'request', routeId: value.slice(0, 120) }, () =>
        withContext({ tenantId }, () => db.query<{ n: number }>('SELECT $1::int AS n', [42])),
      );
      expect(rows).toEqual([{ n: 42 }]);
    }
    const injection = `*/; DROP TABLE ${schema}.canary; --`;
    await runInNewContext({ name: 'request', routeId: injection }, () => db.query('SELECT 1'));
    const { rows } = await observer.query(`SELECT id FROM ${schema}.canary`);
    expect(rows).toEqual([{ id: 1 }]);
  });

  it('keeps a named prepared statement prepared once per connection and reused across requests', async () => {
    const client = new pg.Client(CONNECTION);
    await client.connect();
    try {
      const single = createPgDatabase(client, { application: 'db-pg-test' });
      for (const route of ['/a', '/b', '/c']) {
        const { rows } = await inRequest(route, () => single.query<{ n: number }>('SELECT $1::int + 1 AS n', [1], { name: 'plus.one' }));
        expect(rows).toEqual([{ n: 2 }]);
      }
      const { rows } = await client.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements');
      expect(rows).toEqual([{ name: 'plus.one', statement: "SELECT $1::int + 1 AS n /*application='db-pg-test',db_driver='pg'*/" }]);
    } finally {
      await client.end();
    }
  });

  it("sends a named statement unnamed with the request's comment when namedStatements is per-request-comment", async () => {
    const client = new pg.Client(CONNECTION);
    await client.connect();
    try {
      const perRequest = createPgDatabase(client, { application: 'db-pg-test', namedStatements: 'per-request-comment' });
      await inRequest('/a', () => perRequest.query('SELECT $1::int AS n', [1], { name: 'n.one' }));
      const { rows } = await client.query('SELECT name FROM pg_prepared_statements');
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('rolls back a failed transaction on its own pooled connection and returns that connection', () =>
    runInNewContext({ name: 'transactions' }, async () => {
      await db.query(`CREATE TABLE ${schema}.items (id int)`);
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${schema}.items VALUES (1)`);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await db.transaction((tx) => tx.query(`INSERT INTO ${schema}.items VALUES (2)`));
      const { rows } = await db.query(`SELECT id FROM ${schema}.items`);
      expect(rows).toEqual([{ id: 2 }]);
      expect(pool.idleCount).toBe(pool.totalCount);
    }));
});

// With logging_collector on, pg_current_logfile() names the file; Debian's pg_ctlcluster
// (this machine and CI) sends stderr to /var/log/postgresql/postgresql-<major>-<cluster>.log.
async function serverLogFile(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ file: string | null; major: string; dir: string }>(
    "SELECT pg_current_logfile() AS file, split_part(current_setting('server_version'), '.', 1) AS major, current_setting('data_directory') AS dir",
  );
  const row = rows[0];
  if (row?.file != null) return row.file.startsWith('/') ? row.file : `${row.dir}/${row.file}`;
  return `/var/log/postgresql/postgresql-${row?.major ?? ''}-main.log`;
}

async function fileSize(client: pg.Client, file: string): Promise<number> {
  const { rows } = await client.query<{ size: string }>('SELECT size FROM pg_stat_file($1)', [file]);
  return Number(rows[0]?.size ?? 0);
}
