import { describe, expect, it } from 'vitest';
import { resolveCollectorConfig } from '../config/collector-config.js';
import { isClickHouseStore, parseClickHouseUrl } from './open-store.js';

describe('the store setting', () => {
  it('reads a clickhouse:// URL as the client needs it, and names it without its password', () => {
    expect(parseClickHouseUrl('clickhouse://stitch:s%3Dcret@ch.internal:8123/otel')).toEqual({
      url: 'http://ch.internal:8123',
      username: 'stitch',
      password: 's=cret',
      database: 'otel',
      location: 'clickhouse://stitch@ch.internal:8123/otel',
    });
    expect(parseClickHouseUrl('clickhouses://ch.example.com')).toMatchObject({ url: 'https://ch.example.com:8443', username: 'default', database: 'default' });
  });

  it('keeps DuckDB unless a clickhouse:// URL is given, and refuses anything else in the config', () => {
    expect(isClickHouseStore(undefined)).toBe(false);
    expect(isClickHouseStore(resolveCollectorConfig({ store: 'clickhouse://default@localhost:8123/otel' }).store)).toBe(true);
    expect(() => resolveCollectorConfig({ store: 'postgres://localhost/otel' })).toThrow(/clickhouse:\/\/user@host:8123\/database/);
  });
});
