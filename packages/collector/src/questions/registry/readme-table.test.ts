import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QUESTIONS } from './index.js';

const readme = readFileSync(new URL('../../../../../README.md', import.meta.url), 'utf8');
const rows = readme.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));

describe("the README's question table", () => {
  it.each(QUESTIONS.filter((q) => q.asks !== undefined).map((q) => [q.asks!, q] as const))('lists "%s" with its command, API route and UI page', (asks, q) => {
    const question = asks.replace(/ \(.*\)$/, '');
    const row = rows.find((r) => r.startsWith(`| ${question} |`));
    expect(row, `no README row for "${question}"`).toBeDefined();
    expect(row).toContain(`\`stitch ${q.name}`);
    expect(row).toContain(`GET /api${q.route}`);
    expect(row).toContain(`\`${q.ui?.path ?? '(no UI page)'}\``);
  });
});
