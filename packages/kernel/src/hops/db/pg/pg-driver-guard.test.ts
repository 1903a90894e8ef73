/**
 * Strict mode's guard on the pg driver the wrapper was given, against the real Postgres server
 * (127.0.0.1:5432, database `test`, a schema of its own): a statement sent around the wrapper
 * inside a context raises with the caller's line and never reaches the server; the wrapper's
 * statements and transactions, and anything outside a context or outside strict mode, go through.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInNewContext } from '../../../core/context/context-store.js';
import { setStrictMode } from '../../../setup/config/strict-mode.js';
import { startStitch } from '../../../setup/start-stitch.js';
import type { StitchHandle } from '../../../setup/start-stitch.js';
import type { Database } from '../database.js';
import { createPgDatabase } from './pg-database.js';

const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const THIS_FILE = 'pg-driver-guard.test.ts';
const schema = `stitch_guard_${randomBytes(4).toString('hex')}`;
const table = `${schema}.items`;
const owner = new pg.Client(CONNECTION);
let stitch: StitchHandle;
let pool: pg.Pool;
let db: Database;

beforeAll(async () => {
  stitch = startStitch({ serviceName: 'pg-guard-test', enabled: false });
  await owner.connect();
  await owner.query(`CREATE SCHEMA ${schema}`);
  await owner.query(`CREATE TABLE ${table} (id int)`);
});

beforeEach(() => {
  setStrictMode(true);
  pool = new pg.Pool({ ...CONNECTION, max: 2 });
  db = createPgDatabase(pool, { application: 'pg-guard-test' });
});

afterEach(async () => {
  setStrictMode(undefined);
  await db.close();
  await owner.query(`TRUNCATE ${table}`);
});

afterAll(async () => {
  await owner.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await owner.end();
  await stitch.shutdown();
});

function inRequest<T>(fn: () => Promise<T>): Promise<T> {
  return runInNewContext({ name: 'request', requestId: `req-${randomBytes(6).toString('hex')}`, routeId: '/items' }, fn);
}

async function rowsInTable(): Promise<number[]> {
  const { rows } = await owner.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`);
  return rows.map((row) => row.id);
}

/** The StitchError `promise` rejected with. */
async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string; params: Record<string, unknown> }> {
  return promise.then(
    () => {
      throw new Error('expected STITCH_ERR_STRICT_QUERY_UNCOMMENTED, the statement went through');
    },
    (error: unknown) => error as { code: string; message: string; params: Record<string, unknown> },
  );
}

describe('strict mode on a wrapped pg Pool', () => {
  it('a raw pool.query inside a request rejects with the call site and never reaches the server', async () => {
    const error = await inRequest(() => rejection(pool.query(`INSERT INTO ${table} VALUES (1)`)));
    expect(error.code).toBe('STITCH_ERR_STRICT_QUERY_UNCOMMENTED');
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    expect(error.message).toContain(String(error.params.callSite));
    expect(await rowsInTable()).toEqual([]);
  });

  it('a raw callback-style pool.query gets the error in its callback', async () => {
    const error = await inRequest(
      () => new Promise<Error | undefined>((resolve) => void pool.query(`INSERT INTO ${table} VALUES (1)`, (err: Error | undefined) => resolve(err))),
    );
    expect(error).toMatchObject({ code: 'STITCH_ERR_STRICT_QUERY_UNCOMMENTED' });
    expect(await rowsInTable()).toEqual([]);
  });

  it('statements and transactions through the wrapper go through, committed or rolled back', async () => {
    await inRequest(async () => {
      await db.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
      await db.query(`SELECT id FROM ${table} WHERE id = $1`, [1], { name: 'items.by_id' });
      await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [2]);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} VALUES ($1)`, [3]);
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
    });
    expect(await rowsInTable()).toEqual([1, 2]);
  });

  it('a client the service checks out is guarded until released; the pool reuses it for the wrapper untouched', async () => {
    await inRequest(async () => {
      const client = await pool.connect();
      try {
        const error = await rejection(client.query(`INSERT INTO ${table} VALUES (1)`));
        expect(error.code).toBe('STITCH_ERR_STRICT_QUERY_UNCOMMENTED');
        expect(String(error.params.callSite)).toContain(THIS_FILE);
      } finally {
        client.release();
      }
      // Both connections of the pool, the released one among them, serve the wrapper.
      await Promise.all([db.query(`INSERT INTO ${table} VALUES (2)`), db.transaction((tx) => tx.query(`INSERT INTO ${table} VALUES (3)`))]);
    });
    expect(await rowsInTable()).toEqual([2, 3]);
  });

  it('outside any context a raw statement goes through: no request for a comment to name', async () => {
    await pool.query(`INSERT INTO ${table} VALUES (1)`);
    expect(await rowsInTable()).toEqual([1]);
  });

  it('with strict mode off nothing is raised, and a database made then has no guard until strict mode turns on', async () => {
    await db.close();
    setStrictMode(false);
    pool = new pg.Pool({ ...CONNECTION, max: 2 });
    db = createPgDatabase(pool);
    expect(Object.prototype.hasOwnProperty.call(pool, 'query')).toBe(false);
    await inRequest(() => pool.query(`INSERT INTO ${table} VALUES (1)`));
    expect(await rowsInTable()).toEqual([1]);

    setStrictMode(true);
    const error = await inRequest(() => rejection(pool.query(`INSERT INTO ${table} VALUES (2)`)));
    expect(error.code).toBe('STITCH_ERR_STRICT_QUERY_UNCOMMENTED');
    expect(await rowsInTable()).toEqual([1]);
  });
});

describe('strict mode on a wrapped pg Client', () => {
  it('a raw client.query inside a request rejects; the wrapper and its transactions on the same client go through', async () => {
    const client = new pg.Client(CONNECTION);
    await client.connect();
    const clientDb = createPgDatabase(client);
    try {
      await inRequest(async () => {
        const error = await rejection(client.query(`INSERT INTO ${table} VALUES (1)`));
        expect(error.code).toBe('STITCH_ERR_STRICT_QUERY_UNCOMMENTED');
        expect(String(error.params.callSite)).toContain(THIS_FILE);
        // A Submittable (a cursor, a stream, pg's own Query) has no promise to reject: the call throws.
        expect(() => client.query(new pg.Query(`INSERT INTO ${table} VALUES (1)`))).toThrow(expect.objectContaining({ code: 'STITCH_ERR_STRICT_QUERY_UNCOMMENTED' }) as Error);
        await clientDb.query(`INSERT INTO ${table} VALUES (2)`);
        await clientDb.transaction((tx) => tx.query(`INSERT INTO ${table} VALUES (3)`));
      });
      expect(await rowsInTable()).toEqual([2, 3]);
    } finally {
      await clientDb.close();
    }
  });
});
