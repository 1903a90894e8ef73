import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StitchError } from '@stitch/contract';
import { loadCollectorConfig } from './collector-config.js';

describe('loadCollectorConfig', () => {
  it('defaults to 127.0.0.1:4318 and is frozen', () => {
    const config = loadCollectorConfig({}, {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4318, data: 'stitch.duckdb' });
    expect(Object.isFrozen(config.retention)).toBe(true);
  });

  it('layers the YAML collector section < STITCH_* env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stitch-config-'));
    try {
      const file = join(dir, 'stitch.yaml');
      writeFileSync(file, 'collector:\n  port: 5000\n  host: 0.0.0.0\n  retention:\n    maxAgeHours: 12\n');
      const config = loadCollectorConfig({ config: file, host: '127.0.0.2' }, { STITCH_PORT: '6000', STITCH_DATA: '/tmp/x.duckdb' });
      expect(config).toMatchObject({ host: '127.0.0.2', port: 6000, data: '/tmp/x.duckdb', retention: { maxAgeHours: 12, maxSizeMb: 2048 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with STITCH_ERR_CONFIG_INVALID naming the bad key', () => {
    const attempt = (): unknown => loadCollectorConfig({}, { STITCH_PORT: 'eighty' });
    expect(attempt).toThrow(StitchError);
    expect(attempt).toThrow(/port/);
  });
});
