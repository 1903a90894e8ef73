import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuestionsResponseSchema } from '@stitch/contract';
import { runCli } from '../../cli/run-cli.js';
import { startTestCollector, type TestCollector } from '../../internal/test-collector.js';
import { QUESTIONS } from './index.js';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => {
  await c.stop();
});

describe('the question registry', () => {
  it('declares each question once, with a unique name and route, and a usage that starts with its command', () => {
    expect(new Set(QUESTIONS.map((q) => q.name)).size).toBe(QUESTIONS.length);
    expect(new Set(QUESTIONS.map((q) => q.route)).size).toBe(QUESTIONS.length);
    for (const q of QUESTIONS) if (q.cli) expect(q.cli.usage.startsWith(`stitch ${q.name}`)).toBe(true);
  });

  it('is what GET /api/questions lists, with each seed question, its command and its UI page', async () => {
    const res = await c.get('/api/questions', c.token('traces:read'));
    expect(res.status).toBe(200);
    const { questions } = QuestionsResponseSchema.parse(await res.json());
    expect(questions.map((q) => q.name)).toEqual(QUESTIONS.map((q) => q.name));
    const slow = questions.find((q) => q.name === 'slow')!;
    expect(slow).toMatchObject({ asks: 'Why is tenant X slow?', route: '/api/slow', command: 'stitch slow --tenant <id> [--since 1h]' });
    expect(slow.ui?.path).toMatch(/^#\//);
  });

  it('gives every command-line question a CLI command whose help exits 0 with its usage', async () => {
    for (const q of QUESTIONS.filter((q) => q.cli)) {
      let out = '';
      const code = await runCli([q.name, '--help'], { stdout: (t) => (out += t), stderr: () => undefined, env: {} });
      expect(code).toBe(0);
      expect(out).toContain(q.cli!.usage);
    }
  });

  it('refuses a malformed parameter on any question with a 400 that names the field', async () => {
    const res = await c.get('/api/queries/top?limit=-3', c.token('traces:read'));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('limit');
  });
});
