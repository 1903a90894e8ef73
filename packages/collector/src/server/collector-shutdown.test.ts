import { describe, expect, it } from 'vitest';
import { startTestCollector } from '../internal/test-collector.js';

describe('stopping the collector', () => {
  it('does not wait on a client: an open follow stream is cut after shutdownGraceMillis', async () => {
    const c = await startTestCollector({ shutdownGraceMillis: 50 });
    const res = await fetch(`${c.url}/api/logs?follow=true`, { headers: { authorization: `Bearer ${c.token('admin')}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    // The stream is open and the client neither reads on nor hangs up; stop() still returns.
    await c.stop();
    // The server cut the connection: the reader ends (or errors) instead of waiting for lines.
    const ended = await reader.read().then(
      (r) => r.done,
      () => true,
    );
    expect(ended).toBe(true);
  });
});
