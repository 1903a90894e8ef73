import { resolve } from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { StitchError } from '@stitch/contract';

/**
 * `chdb:///var/lib/stitch/clickhouse`: ClickHouse embedded in the `stitch serve` process (the
 * npm package `chdb`), its data in that directory. It tries Stitch's ClickHouse engine (the
 * exporter's tables, the same SQL, the same client) without a ClickHouse server; the tests' run
 * of the answers end-to-end test uses it. chdb is optional (about 550 MB installed): it is
 * loaded only when a `chdb:` store is asked for.
 *
 * The data directory of a `chdb:` store URL, absolute: `chdb:///abs/dir`, or `chdb:dir` relative
 * to the working directory.
 *
 * @example chdbDirectory('chdb:///var/lib/stitch/clickhouse') // '/var/lib/stitch/clickhouse'
 */
export function chdbDirectory(store: string): string {
  const path = store.replace(/^chdb:(\/\/(?=\/))?/, '');
  if (path === '') throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: `store ${store}: name chdb's data directory, as in chdb:///var/lib/stitch/clickhouse` });
  return resolve(path);
}

/** An `@clickhouse/client` client on chdb's engine, in this process, with its data in `directory`. */
export async function openChdbClient(directory: string): Promise<ClickHouseClient> {
  const { createChdbConnection } = await import('chdb/connection').catch((err: unknown) => {
    throw new StitchError(
      'STITCH_ERR_CONFIG_INVALID',
      { detail: `store chdb:${directory} needs the optional package chdb (embedded ClickHouse, about 550 MB): npm install chdb, or use a clickhouse:// server (${(err as Error).message})` },
      { cause: err },
    );
  });
  // chdb declares the Connection of @clickhouse/client-common 1.22, the client bundles its own
  // copy of 1.23's: the same interface (chdb's README pairs them), two declarations of it.
  const connection = createChdbConnection({ path: directory }) as unknown as ClickHouseClientConfigOptions['connection'];
  return createClient({ connection });
}
