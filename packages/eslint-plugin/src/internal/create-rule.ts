import { ESLintUtils } from '@typescript-eslint/utils';

/** Where each rule's page lives: `docs/rules/<name>.md` beside the package's sources. */
export const RULE_DOCS_BASE = 'https://github.com/stitch-observability/stitch/blob/main/packages/eslint-plugin/docs/rules/';

/**
 * typescript-eslint's rule factory: typed AST nodes, options merged with `meta.defaultOptions`,
 * and the docs URL every report links to.
 */
export const createRule = ESLintUtils.RuleCreator((name) => `${RULE_DOCS_BASE}${name}.md`);
