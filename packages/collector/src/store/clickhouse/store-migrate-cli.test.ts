import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import { chdbDirectory, openChdbClient } from './chdb-client.js';
import { STORED_SPAN_COLUMNS } from './store-migration.js';

const dir = mkdtempSync(join(tmpdir(), 'stitch-migrate-cli-'));
const store = `chdb://${join(dir, 'clickhouse')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stitch(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(argv, { stdout: () => undefined, stderr: (t) => (err += t), env: {} });
  return { code, err };
}

/** The columns `otel_traces` has in the store's directory, read after the command closed it. */
async function columns(): Promise<string[]> {
  const client = await openChdbClient(chdbDirectory(store));
  const result = await client.query({ query: `SELECT name FROM system.columns WHERE table = 'otel_traces' AND name LIKE 'Stitch%' ORDER BY name`, format: 'JSONEachRow' });
  const names = (await result.json<{ name: string }>()).map((r) => r.name);
  await client.close();
  return names;
}

describe('stitch store migrate', () => {
  it('migrates the ClickHouse store it is pointed at, and --revert takes the columns away again', async () => {
    expect(await stitch('store', 'migrate', '--store', store)).toMatchObject({ code: 0, err: expect.stringContaining("has Stitch's columns (the tenant, entry, route, query, job, webhook and event fields)") });
    expect(await columns()).toEqual(Object.values(STORED_SPAN_COLUMNS).sort());
    expect(await columns()).toEqual(expect.arrayContaining(['StitchEntryRoute', 'StitchQueryName', 'StitchTenantId']));
    expect(await stitch('store', 'migrate', '--revert', '--store', store)).toMatchObject({ code: 0, err: expect.stringContaining("back on the exporter's schema") });
    expect(await columns()).toEqual([]);
  });

  it('refuses a DuckDB store, which has nothing to migrate, and an unknown subcommand, as usage errors', async () => {
    expect(await stitch('store', 'migrate')).toMatchObject({ code: 2, err: expect.stringContaining('the store is DuckDB') });
    expect(await stitch('store', 'compact')).toMatchObject({ code: 2, err: expect.stringContaining('unknown subcommand compact') });
  });
});
