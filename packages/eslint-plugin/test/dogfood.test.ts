import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const DRIFT = ["import { randomUUID } from 'node:crypto';", 'export const id = randomUUID();', 'declare const logger: { info(m: string): void };', 'logger.info(`order ${id}`);', ''].join('\n');

async function ruleIdsAt(filePath: string, code = DRIFT): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const [result] = await eslint.lintText(code, { filePath });
  return [...new Set((result?.messages ?? []).map((m) => m.ruleId ?? m.message))].filter((id) => id.startsWith('stitch/')).sort();
}

/** One of each drift the recommended config catches. */
const EVERY_DRIFT = [
  "import { randomUUID } from 'node:crypto';",
  "import pg from 'pg';",
  "import { trace } from '@opentelemetry/api';",
  'export const pool = new pg.Pool();',
  'export const tracer = trace.getTracer("x");',
  'declare const logger: { info(f: object, m?: string): void };',
  'const id = randomUUID();',
  'logger.info({ traceId: id }, `order ${id}`);',
  "console.log('x');",
  '',
].join('\n');

describe("the repository's own eslint.config.js", () => {
  it('sets every trap in the example service’s domain code', async () => {
    expect(await ruleIdsAt('examples/approvals/src/domain/orders-drift.ts', EVERY_DRIFT)).toEqual([
      'stitch/no-console',
      'stitch/no-context-fields-in-log',
      'stitch/no-direct-db-driver',
      'stitch/no-id-generation',
      'stitch/no-string-built-log',
      'stitch/no-tracing-in-domain',
    ]);
  });

  it('holds the rest of the example service to the logging rules', async () => {
    expect(await ruleIdsAt('examples/approvals/src/app/orders-drift.ts', EVERY_DRIFT)).toEqual(['stitch/no-console', 'stitch/no-context-fields-in-log', 'stitch/no-string-built-log']);
  });

  it('holds the kernel to the logging rules only: ids, drivers and tracing belong there', async () => {
    expect(await ruleIdsAt('packages/kernel/src/core/context/drift.ts')).toEqual(['stitch/no-string-built-log']);
  });

  it('keeps attribute keys spelt in place out of the kernel’s hops, and only there', async () => {
    const spans = ["declare const span: { setAttribute(k: string, v: number): void };", "span.setAttribute('db.operation.name', 1);", ''].join('\n');
    expect(await ruleIdsAt('packages/kernel/src/hops/db/drift.ts', spans)).toEqual(['stitch/no-literal-attribute-keys']);
    expect(await ruleIdsAt('packages/kernel/src/hops/db/drift.test.ts', spans)).toEqual([]);
    expect(await ruleIdsAt('packages/kernel/src/pipeline/export/drift.ts', spans)).toEqual([]);
  });
});
