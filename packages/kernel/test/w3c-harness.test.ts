import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../bin/test-service.js';

/**
 * The W3C's own Trace Context test suite (w3c/trace-context test/test.py, from ../shared/specs),
 * run unchanged by Debian's python3 with aiohttp against the kernel's conformance test service,
 * at Level 2 and strict level 2: every test must pass. The harness listens on a free port
 * (HARNESS_PORT), the service on port 0.
 */
const SUITE = new URL('../../../../shared/specs/w3c-trace-context/test/', import.meta.url);
const PYTHON = '/usr/bin/python3';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function runSuite(serviceUrl: string, harnessPort: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['test.py', `${serviceUrl}/test`], {
      cwd: SUITE,
      env: { ...process.env, STRICT_LEVEL: '2', SPEC_LEVEL: '2', HARNESS_PORT: String(harnessPort), HARNESS_HOST: '127.0.0.1' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the W3C Trace Context test suite (test.py, Level 2, strict)', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ port: 0 });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('passes every test', async () => {
    const { code, output } = await runSuite(service.url, await freePort());
    const ran = /Ran (\d+) tests?/.exec(output);
    expect(ran, output).not.toBeNull();
    expect(Number(ran![1])).toBeGreaterThanOrEqual(41);
    expect(output, output).not.toMatch(/^(FAIL|ERROR):/m);
    expect(code, output).toBe(0);
  }, 120_000);
});
