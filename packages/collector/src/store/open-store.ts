import { StitchError } from '@stitch/contract';
import type { Store } from './store.js';

/** Where `stitch serve` keeps what it answers from (config `store`, `--store`, STITCH_STORE). */
export interface StoreLocation {
  /** The DuckDB file, when `store` is unset. */
  data: string;
  /**
   * `clickhouse://user[:password]@host:8123/database` (`clickhouses://` for TLS), `chdb:///dir`
   * (ClickHouse embedded in the process, store/clickhouse/chdb-client.ts), or unset for DuckDB.
   */
  store?: string | undefined;
  memoryLimit?: string;
}

/** The parts of a `clickhouse://` store URL that `@clickhouse/client` takes. */
export interface ClickHouseUrl {
  url: string;
  username: string;
  password: string;
  database: string;
  /** The URL without its password, for `stitch status` and the start-up line. */
  location: string;
}

/**
 * @example parseClickHouseUrl('clickhouse://stitch@ch.internal:8123/otel') // { url: 'http://ch.internal:8123', database: 'otel', … }
 */
export function parseClickHouseUrl(text: string): ClickHouseUrl {
  // The text holds the password: the error names only what is wrong and the form that works.
  const u = URL.canParse(text) ? new URL(text) : undefined;
  if (u === undefined || (u.protocol !== 'clickhouse:' && u.protocol !== 'clickhouses:')) {
    throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: 'store: not a ClickHouse URL; write it as clickhouse://user[:password]@host:8123/database (clickhouses:// over TLS)' });
  }
  const http = `${u.protocol === 'clickhouses:' ? 'https' : 'http'}://${u.hostname}:${u.port || (u.protocol === 'clickhouses:' ? '8443' : '8123')}`;
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'default';
  const username = decodeURIComponent(u.username) || 'default';
  return {
    url: http,
    username,
    password: decodeURIComponent(u.password),
    database,
    location: `${u.protocol}//${username}@${u.host}/${database}`,
  };
}

export function isClickHouseStore(store: string | undefined): store is string {
  return store !== undefined && /^clickhouses?:\/\//.test(store);
}

/**
 * Opens the configured engine. ClickHouse's client (and chdb, for a `chdb:` store) is loaded only
 * when it is asked for, so the DuckDB default (and every CLI command but serve) never loads it.
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  const { store } = location;
  if (store !== undefined && store.startsWith('chdb:')) {
    const [{ chdbDirectory, openChdbClient }, { ClickHouseStore }] = await Promise.all([import('./clickhouse/chdb-client.js'), import('./clickhouse/clickhouse-store.js')]);
    const directory = chdbDirectory(store);
    return ClickHouseStore.open({ client: await openChdbClient(directory), location: `chdb://${directory}` });
  }
  if (!isClickHouseStore(store)) {
    const { DuckDbStore } = await import('./duckdb-store.js');
    return DuckDbStore.open({ path: location.data, memoryLimit: location.memoryLimit });
  }
  const target = parseClickHouseUrl(store);
  const [{ createClient }, { ClickHouseStore }] = await Promise.all([import('@clickhouse/client'), import('./clickhouse/clickhouse-store.js')]);
  const client = createClient({ url: target.url, username: target.username, password: target.password, database: target.database });
  return ClickHouseStore.open({ client, location: target.location });
}
