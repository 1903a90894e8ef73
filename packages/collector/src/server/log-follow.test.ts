import { LogLineSchema, LogStreamNoticeSchema } from '@stitch/contract';
import { describe, expect, it } from 'vitest';
import { logsRequest, postOtlpJson } from '../internal/otlp-json-builder.js';
import { startTestCollector } from '../internal/test-collector.js';

const TENANT = '5e5e5e5e-0000-4000-8000-00000000005e';

describe('log follow streams', () => {
  it('deliver at most max_tail_rate lines a second and report the rest as dropped', async () => {
    const c = await startTestCollector({ limits: { maxTailLinesPerSecond: 2 } });
    const controller = new AbortController();
    try {
      const res = await fetch(`${c.url}/api/logs?follow=true`, { headers: { authorization: `Bearer ${c.token('logs:read', TENANT)}` }, signal: controller.signal });
      expect(res.status).toBe(200);
      const burst = Array.from({ length: 10 }, (_, i) => ({ timeMillis: Date.now(), body: `burst ${i}`, attributes: { tenant_id: TENANT } }));
      await postOtlpJson(c.url, 'logs', logsRequest('svc', burst));
      // A line in a later second makes the stream report what the previous one dropped.
      await new Promise((r) => setTimeout(r, 1100));
      await postOtlpJson(c.url, 'logs', logsRequest('svc', [{ timeMillis: Date.now(), body: 'after', attributes: { tenant_id: TENANT } }]));
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('after')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as unknown);
      const bodies = lines.flatMap((l) => (LogLineSchema.safeParse(l).success ? [LogLineSchema.parse(l).body] : []));
      const notices = lines.flatMap((l) => (LogStreamNoticeSchema.safeParse(l).success ? [LogStreamNoticeSchema.parse(l)] : []));
      expect(bodies).toEqual(['burst 0', 'burst 1', 'after']);
      expect(notices).toEqual([{ notice: 'dropped', dropped: 8, limit: 'max_tail_rate' }]);
    } finally {
      controller.abort();
      await c.stop();
    }
  });
});
