import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../internal/create-rule.js';
import { constAliasOf, propertyName, resolveVariable } from '../internal/module-sources.js';

const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);

type Options = [{ allow?: string[] }];
type MessageIds = 'console';

export const noConsole = createRule<Options, MessageIds>({
  name: 'no-console',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow console.* in service code: its lines carry no trace, tenant or request id, skip redaction and never reach the collector',
    },
    schema: [{ type: 'object', properties: { allow: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'console methods that stay allowed (e.g. `table` in a script).' } }, additionalProperties: false }],
    defaultOptions: [{ allow: [] }],
    messages: {
      console: '`console.{{method}}` writes a line without trace_id, tenant_id or redaction. Use the Stitch logger (`stitch.logger`, or a child of it).',
    },
  },
  defaultOptions: [{ allow: [] }],
  create(context, [options]) {
    const allow = new Set(options.allow ?? []);

    /** `console` the global, `globalThis.console`, or a `const` naming either: not a local variable called `console`. */
    function isConsole(node: TSESTree.Node, depth = 0): boolean {
      if (node.type === AST_NODE_TYPES.Identifier) {
        const variable = resolveVariable(context, node);
        if (variable === undefined) return node.name === 'console';
        // const out = console; out.log(…)
        const alias = depth < 8 ? constAliasOf(variable) : undefined;
        return alias !== undefined && isConsole(alias, depth + 1);
      }
      return node.type === AST_NODE_TYPES.MemberExpression && propertyName(node) === 'console' && node.object.type === AST_NODE_TYPES.Identifier && GLOBAL_OBJECTS.has(node.object.name);
    }

    return {
      // console.log(…), const print = console.log, console['warn']
      MemberExpression(node) {
        if (!isConsole(node.object)) return;
        const method = propertyName(node) ?? '[computed]';
        if (!allow.has(method)) context.report({ node, messageId: 'console', data: { method } });
      },
      // const { log } = console
      VariableDeclarator(node) {
        if (node.init === null || !isConsole(node.init) || node.id.type !== AST_NODE_TYPES.ObjectPattern) return;
        for (const property of node.id.properties) {
          const method = property.type === AST_NODE_TYPES.Property && property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : '…';
          if (!allow.has(method)) context.report({ node: property, messageId: 'console', data: { method } });
        }
      },
    };
  },
});
