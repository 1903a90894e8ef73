import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCollectorConfig } from '../config/collector-config.js';
import { startCollector, type Collector } from './create-collector.js';

/** The server log's lines, parsed, as the collector writes them. */
class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

let dir: string;
let c: Collector;
const out = new LogLines();
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stitch-errlog-'));
  c = await startCollector(resolveCollectorConfig({ port: 0, data: join(dir, 'store.duckdb') }), { logDestination: out });
});
afterAll(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the server log', () => {
  it('logs a 500 once, at error, with the envelope’s ids, the route and the error, never the credentials', async () => {
    const token = c.tokens.create({ scopes: ['admin'], tenantId: null }).token;
    // A store that cannot answer: every question's query throws inside the handler.
    await c.store.close();
    const res = await fetch(`${c.url}/api/traces?service=secret-service-name`, {
      headers: { authorization: `Bearer ${token}`, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(res.status).toBe(500);
    const envelope = (await res.json()) as { error: { code: string; requestId: string; traceId: string } };
    expect(envelope.error.code).toBe('STITCH_ERR_EDGE_INTERNAL');

    const errors = out.lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    const line = errors[0]!;
    expect(line).toMatchObject({
      msg: 'unhandled error answered 500',
      errorId: { requestId: envelope.error.requestId, traceId: '0af7651916cd43dd8448eb211c80319c' },
      method: 'GET',
      route: '/api/traces',
    });
    const err = line.err as { message: string; stack: string; type: string };
    expect(err.message.length).toBeGreaterThan(0);
    expect(err.stack).toContain(err.message);
    const text = JSON.stringify(out.lines);
    expect(text).not.toContain(token);
    expect(text.toLowerCase()).not.toContain('authorization');
  });

  it('logs nothing below warn by default, so a healthy collector is quiet', () => {
    expect(out.lines.every((l) => Number(l.level) >= 40)).toBe(true);
  });
});
