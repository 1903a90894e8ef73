import { createClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';

/**
 * A ClickHouse store on chdb, the ClickHouse engine embedded in Node (a dev dependency only):
 * the tests' real ClickHouse, through the same `@clickhouse/client` the server uses
 * (`createClient({ connection })`). chdb runs one engine per process, so each test file has its
 * own and every store opened here starts from empty tables.
 */
export async function openChdbStore(): Promise<ClickHouseStore> {
  // chdb declares the Connection of @clickhouse/client-common 1.22, the client bundles its own
  // copy of 1.23's: the same interface (chdb's README pairs them), two declarations of it.
  const connection = createChdbConnection({ path: ':memory:' }) as unknown as ClickHouseClientConfigOptions['connection'];
  const client = createClient({ connection });
  const store = await ClickHouseStore.open({ client, location: 'chdb::memory:' });
  await store.truncate();
  return store;
}
