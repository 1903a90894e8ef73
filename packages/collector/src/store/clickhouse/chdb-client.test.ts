import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveCollectorConfig } from '../../config/collector-config.js';
import { chdbDirectory } from './chdb-client.js';

describe('a chdb: store (ClickHouse embedded in stitch serve)', () => {
  afterEach(() => {
    vi.doUnmock('chdb/connection');
    vi.resetModules();
  });

  it('is accepted by the config and keeps its data in the directory it names, absolute or relative', () => {
    expect(resolveCollectorConfig({ store: 'chdb:///var/lib/stitch/clickhouse' }).store).toBe('chdb:///var/lib/stitch/clickhouse');
    expect(chdbDirectory('chdb:///var/lib/stitch/clickhouse')).toBe('/var/lib/stitch/clickhouse');
    expect(chdbDirectory('chdb:clickhouse-data')).toBe(resolve('clickhouse-data'));
  });

  it('without a directory is refused with the config error, naming the form to use', () => {
    expect(() => chdbDirectory('chdb:')).toThrow(/chdb:\/\/\/var\/lib\/stitch\/clickhouse/);
  });

  it('without the optional chdb package installed is refused with the config error, saying what to install', async () => {
    vi.doMock('chdb/connection', () => {
      throw new Error("Cannot find package 'chdb'");
    });
    const { openChdbClient } = await import('./chdb-client.js');
    const refused = await openChdbClient('/tmp/nowhere').catch((err: unknown) => err);
    // A fresh module graph (resetModules) has its own StitchError class: compared by name and code.
    expect(refused).toMatchObject({ name: 'StitchError', code: 'STITCH_ERR_CONFIG_INVALID', message: expect.stringMatching(/needs the optional package chdb .*npm install chdb/) });
  });
});
