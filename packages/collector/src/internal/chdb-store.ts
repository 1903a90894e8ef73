import { openChdbClient } from '../store/clickhouse/chdb-client.js';
import { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';

/**
 * A ClickHouse store on chdb, the ClickHouse engine embedded in Node (a dev dependency only):
 * the tests' real ClickHouse, through the same `@clickhouse/client` the server uses
 * (openChdbClient, as a `chdb:` store opens it). chdb runs one engine per process, so each test
 * file has its own and every store opened here starts from empty tables.
 */
export async function openChdbStore(): Promise<ClickHouseStore> {
  const store = await ClickHouseStore.open({ client: await openChdbClient(':memory:'), location: 'chdb::memory:' });
  await store.truncate();
  return store;
}
