import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { startStitch } from '../start-stitch.js';
import type { StitchHandle } from '../start-stitch.js';
import { COLLECTOR_ENV } from './env-mapping.js';
import { loadConfig, unknownStitchVariables } from './load-config.js';
import { warnUnknownVariables } from './warn-unknown-variables.js';

const here = dirname(fileURLToPath(import.meta.url));

function recorder() {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  return { warnings, logger: { warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }) } };
}

let stitch: StitchHandle | undefined;
afterEach(async () => {
  await stitch?.shutdown();
  stitch = undefined;
});

describe('unknown STITCH_* variables', () => {
  it('are found with the known name they are a likely typo of; known, collector and other variables are not', () => {
    const config = loadConfig({ env: { STITCH_LOG_LEVLE: 'debug', STITCH_BUDGET_QUERY_MS: '100', STITCH_TOKEN: 't', STITCH_CONFIG: '', OTEL_FOO: '1', PATH: '/bin', STITCH_ZZZ: '1' } });
    expect(unknownStitchVariables(config)).toEqual([{ name: 'STITCH_LOG_LEVLE', nearest: 'STITCH_LOG_LEVEL' }, { name: 'STITCH_ZZZ' }]);
    expect(config.logs.level).not.toBe('debug');
  });

  it('are warned about once per loaded config, naming the nearest known variable', () => {
    const config = loadConfig({ env: { STITCH_REDACT_EXTRA_KEY: 'ssn' } });
    const { warnings, logger } = recorder();
    warnUnknownVariables(config, logger);
    warnUnknownVariables(config, logger);
    expect(warnings).toEqual([
      { fields: { variable: 'STITCH_REDACT_EXTRA_KEY', did_you_mean: 'STITCH_REDACT_EXTRA_KEYS' }, message: expect.stringContaining('did_you_mean') as string },
    ]);
  });

  it('startStitch warns at start through its logger and starts anyway', () => {
    const { warnings, logger } = recorder();
    stitch = startStitch({ serviceName: 'typo', exporter: new InMemorySpanExporter(), logger, env: { STITCH_BUDGET_ROUTE_MSS: '100' } });
    expect(stitch.enabled).toBe(true);
    expect(warnings.map((w) => w.fields)).toEqual([{ variable: 'STITCH_BUDGET_ROUTE_MSS', did_you_mean: 'STITCH_BUDGET_ROUTE_MS' }]);
  });

  it("the collector's list is the collector's readers' STITCH_* variables", () => {
    const sources = ['../../../../collector/src/config/collector-config.ts', '../../../../collector/src/cli/run-cli.ts'].map((file) => readFileSync(join(here, file), 'utf8')).join('\n');
    const read = new Set((sources.match(/\benv\.(STITCH_[A-Z0-9_]*[A-Z0-9])\b/g) ?? []).map((match) => match.slice('env.'.length)));
    read.delete('STITCH_CONFIG');
    read.delete('STITCH_LOG_LEVEL');
    expect([...read].sort()).toEqual([...COLLECTOR_ENV].sort());
  });
});
