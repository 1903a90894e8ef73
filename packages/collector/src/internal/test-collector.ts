import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenScope } from '@stitch/contract';
import { resolveCollectorConfig, type CollectorConfigInput } from '../config/collector-config.js';
import { startCollector, type Collector } from '../server/create-collector.js';
import type { SqlDialect, Store } from '../store/store.js';

/** A real collector on port 0 with a DuckDB file (or ClickHouse, see testStore) in a fresh temp dir; `stop()` removes both. */
export interface TestCollector extends Collector {
  dir: string;
  /** A token's secret; one scope or several. */
  token(scope: TokenScope | TokenScope[], tenantId?: string | null): string;
  get(path: string, token: string): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The engine this run's test collectors use, known before any starts: a case that cannot hold
 * on one engine is registered only on the other (`if (testStoreDialect() === 'duckdb') describe(…)`),
 * never skipped.
 */
export function testStoreDialect(): SqlDialect {
  return process.env.STITCH_TEST_STORE === 'clickhouse' ? 'clickhouse' : 'duckdb';
}

/**
 * `STITCH_TEST_STORE=clickhouse` runs a test file's collector on ClickHouse (chdb, embedded in
 * the test process) instead of DuckDB: the same fixtures and the same expected answers on both
 * engines (issue 19). Loaded only when asked: chdb is a dev dependency of 550 MB.
 */
async function testStore(): Promise<Store | undefined> {
  if (testStoreDialect() !== 'clickhouse') return undefined;
  const { openChdbStore } = await import('./chdb-store.js');
  return openChdbStore();
}

export async function startTestCollector(overrides: Partial<CollectorConfigInput> = {}): Promise<TestCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'stitch-collector-'));
  const config = resolveCollectorConfig({ port: 0, data: join(dir, 'store.duckdb'), ...overrides });
  const c = await startCollector(config, { store: await testStore() });
  return Object.assign(c, {
    dir,
    token: (scope: TokenScope | TokenScope[], tenantId: string | null = null) =>
      c.tokens.create({ scopes: Array.isArray(scope) ? scope : [scope], tenantId }).token,
    get: (path: string, token: string) => fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${token}` } }),
    async stop() {
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
