import { RuleTester } from 'eslint';
import type { Rule } from 'eslint';
import type { TSESLint } from '@typescript-eslint/utils';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';

// ESLint's RuleTester runs its cases through whatever describe/it it is given: these are
// vitest's, so each valid and invalid case is a test of its own in the report.
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

/** A RuleTester that parses TypeScript as the plugin's users write it (ESM, type imports). */
export const ruleTester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2024, sourceType: 'module' },
});

/** typescript-eslint's rule type, as ESLint's RuleTester takes it. */
export function asRule(rule: TSESLint.RuleModule<string, readonly unknown[]>): Rule.RuleModule {
  return rule as unknown as Rule.RuleModule;
}
