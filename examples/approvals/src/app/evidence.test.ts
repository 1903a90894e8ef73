import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('npm run evidence', () => {
  it('prints blocks [A]–[E] of one real approval, each with its source and the same trace id, and certifies', { timeout: 180_000 }, async () => {
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=source', join(here, 'evidence.ts')], {
      encoding: 'utf8',
      timeout: 170_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NODE_ENV: 'development' },
    });
    const out = run.stdout;
    const traceId = /\[A\][^\n]*\n {2}source: [^\n]*x-trace-id\n {2}HTTP 200 {2}x-trace-id: ([0-9a-f]{32})/.exec(out)?.[1];
    expect(traceId).toBeDefined();
    const block = (label: string) => {
      const start = out.indexOf(`\n[${label}]`);
      const end = out.indexOf('\n[', start + 2);
      return out.slice(start, end < 0 ? undefined : end);
    };
    expect(block('B')).toMatch(new RegExp(`"action":"expense\\.approve".*"trace_id":"${traceId}"`));
    expect(block('C')).toMatch(new RegExp(`"type":"expense\\.approved".*"trace_id":"${traceId}"`));
    expect(block('C')).toMatch(new RegExp(`webhook deliveries:\\n {2}\\{"id":"msg_[^\\n]*"trace_id":"${traceId}"`));
    expect(block('D')).toMatch(new RegExp(`UPDATE approvals\\.expenses [^\\n]*/\\*[^\\n]*traceparent='00-${traceId}-[0-9a-f]{16}-0[01]'\\*/`));
    expect(block('E')).toMatch(/"perf_violation":true/);
    expect(block('E')).toMatch(/"component":"route","perf_violation":true,"name":"\/expenses\/summary"/);
    expect(out).toContain('CERTIFIED (EVI044)');
  });
});
