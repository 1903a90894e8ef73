import { Linter } from 'eslint';
import type { Linter as LinterTypes } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import stitch from './index.js';

const DRIFT = [
  "import { randomUUID } from 'node:crypto';",
  "import { trace } from '@opentelemetry/api';",
  'export const id = randomUUID();',
  'logger.info(`order ${id}`);',
  "console.log('x');",
].join('\n');

function ruleIds(config: LinterTypes.Config[], filename: string): string[] {
  const linter = new Linter({ configType: 'flat' });
  const parser: LinterTypes.Config = { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as LinterTypes.Parser } };
  return [...new Set(linter.verify(DRIFT, [parser, ...config], filename).map((m) => m.ruleId ?? m.message))].sort();
}

describe('the recommended config', () => {
  const recommended = stitch.configs.recommended as LinterTypes.Config[];

  it('sets every trap in domain folders', () => {
    expect(ruleIds(recommended, 'src/domain/orders.ts')).toEqual(['stitch/no-console', 'stitch/no-id-generation', 'stitch/no-string-built-log', 'stitch/no-tracing-in-domain']);
  });

  it('checks only logging in the rest of the service, and nothing in tests', () => {
    expect(ruleIds(recommended, 'src/http/server.ts')).toEqual(['stitch/no-console', 'stitch/no-string-built-log']);
    expect(ruleIds(recommended, 'src/domain/orders.test.ts')).toEqual([]);
  });

  it('follows a layout of your own folders', () => {
    const layout = stitch.layout({ domain: ['app/billing/**'], service: ['app/**'] }) as LinterTypes.Config[];
    expect(ruleIds(layout, 'app/billing/invoice.ts')).toContain('stitch/no-id-generation');
    expect(ruleIds(layout, 'src/domain/orders.ts')).toEqual([]);
  });

  it('documents every rule it registers, in docs/rules/<name>.md', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const [name, rule] of Object.entries(stitch.rules)) {
      const page = await readFile(new URL(`../docs/rules/${name}.md`, import.meta.url), 'utf8');
      expect(page, name).toContain(`# stitch/${name}`);
      expect(rule.meta.docs?.url, name).toMatch(new RegExp(`docs/rules/${name}\\.md$`));
    }
  });
});
