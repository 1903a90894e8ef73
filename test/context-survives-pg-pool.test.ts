import pg from 'pg';
import type { PoolClient } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { bindCallbacks, runInNewContext, startStitch, tryCurrentContext } from '@stitch/kernel';

// Needs the real Postgres of this machine (127.0.0.1:5432, trust auth, database `test`).
const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 2 };
const stitch = startStitch({ serviceName: 'pg-pool-context-test', tracing: { export: { exporter: 'none' } } });
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await stitch.shutdown();
});

function newPool(bound: boolean): pg.Pool {
  const pool = new pg.Pool(CONNECTION);
  pools.push(pool);
  if (!bound) return pool;
  bindCallbacks(pool, ['query', 'connect']);
  pool.on('connect', (client) => bindCallbacks(client, ['query']));
  return pool;
}

const CONTEXTS = 20;
const tenantOf = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

interface Observation {
  readonly i: number;
  readonly expected: string | undefined;
  readonly afterAwait: string | undefined;
  readonly queryCallback: string | undefined;
  readonly connectCallback: string | undefined;
  readonly clientQueryCallback: string | undefined;
  readonly row: number;
}

/** 20 contexts use a pool of 2 at once: 18 of them queue for a connection another one releases. */
function queryFromTwentyContexts(pool: pg.Pool): Promise<Observation[]> {
  const traceId = (): string | undefined => tryCurrentContext()?.traceId;
  return Promise.all(
    Array.from({ length: CONTEXTS }, (_, i) =>
      runInNewContext({ name: `request-${i}`, tenantId: tenantOf(i) }, async (): Promise<Observation> => {
        const expected = traceId();
        const result = await pool.query<{ i: number }>('SELECT pg_sleep(0.005), $1::int AS i', [i]);
        const afterAwait = traceId();
        const queryCallback = await new Promise<string | undefined>((resolve, reject) =>
          pool.query('SELECT pg_sleep(0.005)', (error) => (error ? reject(error) : resolve(traceId()))),
        );
        const [connectCallback, clientQueryCallback] = await new Promise<[string | undefined, string | undefined]>((resolve, reject) =>
          pool.connect((error, client?: PoolClient, release?: () => void) => {
            if (error || client === undefined || release === undefined) return reject(error ?? new Error('no client'));
            const inConnect = traceId();
            client.query('SELECT pg_sleep(0.002)', (queryError) => {
              const inQuery = traceId();
              release();
              if (queryError) reject(queryError);
              else resolve([inConnect, inQuery]);
            });
          }),
        );
        return { i, expected, afterAwait, queryCallback, connectCallback, clientQueryCallback, row: result.rows[0]?.i ?? -1 };
      }),
    ),
  );
}

describe('context survives a pg.Pool (max 2) with 20 concurrent contexts', () => {
  it('resumes every awaited query in its own context, even unbound', async () => {
    const observations = await queryFromTwentyContexts(newPool(false));
    expect(new Set(observations.map((o) => o.expected)).size).toBe(CONTEXTS);
    for (const o of observations) {
      expect(o.row).toBe(o.i);
      expect(o.afterAwait, `await of context ${o.i}`).toBe(o.expected);
    }
  });

  it('runs unbound callbacks of queued queries in a foreign context: the known failure bindCallbacks() fixes', async () => {
    const observations = await queryFromTwentyContexts(newPool(false));
    const foreign = observations.filter((o) => o.queryCallback !== o.expected || o.connectCallback !== o.expected || o.clientQueryCallback !== o.expected);
    expect(foreign.length).toBeGreaterThan(0);
  });

  it('runs every query, connect and client-query callback in its own request context once bound', async () => {
    const observations = await queryFromTwentyContexts(newPool(true));
    expect(new Set(observations.map((o) => o.expected)).size).toBe(CONTEXTS);
    for (const o of observations) {
      expect(o.row).toBe(o.i);
      expect(o.afterAwait, `await of context ${o.i}`).toBe(o.expected);
      expect(o.queryCallback, `query callback of context ${o.i}`).toBe(o.expected);
      expect(o.connectCallback, `connect callback of context ${o.i}`).toBe(o.expected);
      expect(o.clientQueryCallback, `client query callback of context ${o.i}`).toBe(o.expected);
    }
  });
});
