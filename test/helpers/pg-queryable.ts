import pg from 'pg';
import type { Queryable } from '../../packages/kernel/src/hops/db/queryable.js';

export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS = { host: '127.0.0.1', port: 6379 } as const;

/** A pg Pool (or client) as a Queryable, until the db/ driver is the one tests use. */
export function asQueryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[], options?: { name?: string }) {
      const result = await client.query({ text: sql, values: params as unknown[] | undefined, ...(options?.name !== undefined && { name: options.name }) });
      return { rows: result.rows as Row[], rowCount: result.rowCount };
    },
  };
}

export function newPool(max = 4): pg.Pool {
  return new pg.Pool({ connectionString: POSTGRES_URL, max });
}

/** A schema or queue name unique to this run: parallel suites and reruns never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMillis`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMillis = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: nothing after ${timeoutMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
