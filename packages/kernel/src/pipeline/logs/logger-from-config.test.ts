import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../setup/config/load-config.js';
import { setStrictMode } from '../../setup/config/strict-mode.js';
import { createLoggerFromConfig } from './logger-from-config.js';

// These tests write lines outside any context on purpose: they check what production does
// (write, mark, count). Strict mode's throw is tested in config/strict-mode.test.ts.
beforeAll(() => setStrictMode(false));
afterAll(() => setStrictMode(undefined));

describe('createLoggerFromConfig', () => {
  it('applies the configured redaction keys and leaves OTLP export off by default', async () => {
    const config = loadConfig({ env: { STITCH_REDACT_EXTRA_KEYS: 'ssn', STITCH_LOG_LEVEL: 'debug', OTEL_SERVICE_NAME: 'svc' } });
    const logging = createLoggerFromConfig(config);
    expect(logging.otlp).toBeUndefined();
    expect(logging.redactor.isSecretKey('SSN')).toBe(true);
    expect(logging.logger.level).toBe('debug');
    await logging.shutdown();
  });

  it('sends lines to the configured OTLP endpoint when logs.otlp.exporter is otlp, and never when disabled', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests += 1;
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`;
    try {
      const on = createLoggerFromConfig(loadConfig({ env: { OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: endpoint } }));
      expect(on.otlp).toBeDefined();
      on.logger.info('hello');
      await on.shutdown();
      expect(on.otlp?.stats().exported).toBe(1);
      const off = createLoggerFromConfig(loadConfig({ env: { OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: endpoint, STITCH_ENABLED: 'false' } }));
      expect(off.otlp).toBeUndefined();
      expect(requests).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
