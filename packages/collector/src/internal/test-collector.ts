import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenScope } from '@stitch/contract';
import { resolveCollectorConfig, type CollectorConfigInput } from '../config/collector-config.js';
import { startCollector, type Collector } from '../server/create-collector.js';

/** A real collector on port 0 with a DuckDB file in a fresh temp dir; `stop()` removes both. */
export interface TestCollector extends Collector {
  dir: string;
  /** A token's secret; one scope or several. */
  token(scope: TokenScope | TokenScope[], tenantId?: string | null): string;
  get(path: string, token: string): Promise<Response>;
  stop(): Promise<void>;
}

export async function startTestCollector(overrides: Partial<CollectorConfigInput> = {}): Promise<TestCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'stitch-collector-'));
  const config = resolveCollectorConfig({ port: 0, data: join(dir, 'store.duckdb'), ...overrides });
  const c = await startCollector(config);
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
