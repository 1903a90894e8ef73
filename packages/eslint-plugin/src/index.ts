import type { TSESLint } from '@typescript-eslint/utils';
import { layoutConfig } from './configs.js';
import type { StitchLayout } from './configs.js';
import { noConsole } from './rules/no-console.js';
import { noContextFieldsInLog } from './rules/no-context-fields-in-log.js';
import { noDirectDbDriver } from './rules/no-direct-db-driver.js';
import { noIdGeneration } from './rules/no-id-generation.js';
import { noLiteralAttributeKeys } from './rules/no-literal-attribute-keys.js';
import { noStringBuiltLog } from './rules/no-string-built-log.js';
import { noTracingInDomain } from './rules/no-tracing-in-domain.js';

export const rules = {
  'no-id-generation': noIdGeneration,
  'no-direct-db-driver': noDirectDbDriver,
  'no-string-built-log': noStringBuiltLog,
  'no-console': noConsole,
  'no-context-fields-in-log': noContextFieldsInLog,
  'no-tracing-in-domain': noTracingInDomain,
  'no-literal-attribute-keys': noLiteralAttributeKeys,
} satisfies Record<string, TSESLint.RuleModule<string, readonly unknown[]>>;

interface StitchPlugin extends TSESLint.FlatConfig.Plugin {
  readonly rules: typeof rules;
  readonly configs: { readonly recommended: TSESLint.FlatConfig.ConfigArray };
  /**
   * The recommended rules for your own folders.
   *
   * @example
   *   // eslint.config.js
   *   import stitch from '@stitch/eslint-plugin';
   *   export default [...stitch.layout({ domain: ['src/orders/**', 'src/billing/**'], service: ['src/**'] })];
   */
  layout(layout: StitchLayout): TSESLint.FlatConfig.ConfigArray;
}

const plugin: StitchPlugin = {
  meta: { name: '@stitch/eslint-plugin', version: '0.1.0' },
  rules,
  configs: { recommended: [] },
  layout: (layout) => layoutConfig(plugin, layout),
};
// `recommended` names the plugin object itself, so it is filled in once the object exists.
(plugin.configs as { recommended: TSESLint.FlatConfig.ConfigArray }).recommended = layoutConfig(plugin);

export default plugin;
export { DEFAULT_LAYOUT } from './configs.js';
export type { StitchLayout } from './configs.js';
