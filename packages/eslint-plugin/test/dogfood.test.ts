import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const DRIFT = ["import { randomUUID } from 'node:crypto';", 'export const id = randomUUID();', 'declare const logger: { info(m: string): void };', 'logger.info(`order ${id}`);', ''].join('\n');

async function ruleIdsAt(filePath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const [result] = await eslint.lintText(DRIFT, { filePath });
  return [...new Set((result?.messages ?? []).map((m) => m.ruleId ?? m.message))].filter((id) => id.startsWith('stitch/')).sort();
}

describe("the repository's own eslint.config.js", () => {
  it('sets every trap in the example service’s domain code', async () => {
    expect(await ruleIdsAt('examples/approvals/src/domain/orders-drift.ts')).toEqual(['stitch/no-id-generation', 'stitch/no-string-built-log']);
  });

  it('holds the kernel to the logging rules only: ids, drivers and tracing belong there', async () => {
    expect(await ruleIdsAt('packages/kernel/src/core/context/drift.ts')).toEqual(['stitch/no-string-built-log']);
  });
});
