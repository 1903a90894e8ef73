import type { TSESLint } from '@typescript-eslint/utils';

/**
 * Where a service keeps what. Domain files get every trap (no ids, no drivers, no tracing, no
 * hand-made log lines); the rest of the service only the logging ones. Globs are ESLint's
 * (minimatch, relative to the config file).
 */
export interface StitchLayout {
  /** The domain layer: pure, knows nothing about tracing. */
  readonly domain?: readonly string[];
  /** All service code, domain included: structured logs, no console. */
  readonly service?: readonly string[];
  /** Never linted by these rules: tests, benchmarks, scripts. */
  readonly ignores?: readonly string[];
}

export const DEFAULT_LAYOUT = {
  domain: ['**/src/domain/**', '**/src/**/domain/**'],
  service: ['**/src/**'],
  ignores: ['**/*.test.*', '**/*.spec.*', '**/test/**', '**/tests/**', '**/bench/**', '**/scripts/**'],
} as const satisfies Required<StitchLayout>;

const LOG_RULES = {
  'stitch/no-string-built-log': 'error',
  'stitch/no-context-fields-in-log': 'error',
  'stitch/no-console': 'error',
} as const satisfies TSESLint.FlatConfig.Rules;

const DOMAIN_RULES = {
  'stitch/no-id-generation': 'error',
  'stitch/no-direct-db-driver': 'error',
  'stitch/no-tracing-in-domain': 'error',
} as const satisfies TSESLint.FlatConfig.Rules;

/** The flat config entries for `layout`, registering `plugin` under the `stitch/` prefix. */
export function layoutConfig(plugin: TSESLint.FlatConfig.Plugin, layout: StitchLayout = {}): TSESLint.FlatConfig.ConfigArray {
  const domain = [...(layout.domain ?? DEFAULT_LAYOUT.domain)];
  const service = [...(layout.service ?? DEFAULT_LAYOUT.service)];
  const ignores = [...(layout.ignores ?? DEFAULT_LAYOUT.ignores)];
  return [
    { name: 'stitch/plugin', plugins: { stitch: plugin } },
    { name: 'stitch/service', files: service, ignores, rules: LOG_RULES },
    { name: 'stitch/domain', files: domain, ignores, rules: DOMAIN_RULES },
  ];
}
