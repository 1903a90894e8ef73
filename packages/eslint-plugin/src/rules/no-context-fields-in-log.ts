import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../internal/create-rule.js';
import { asLoggerCall, DEFAULT_LOGGER_NAMES, LOG_LEVELS, loggerNamesSchema } from '../internal/logger-calls.js';
import { constInitOf, resolveVariable, staticString } from '../internal/module-sources.js';
import { withoutTypes, wrapperFollower } from '../internal/wrapper-functions.js';

/** The fields the kernel fills from the context on every line, in both spellings people write. */
export const CONTEXT_FIELDS: readonly string[] = [
  'trace_id', 'span_id', 'request_id', 'tenant_id', 'route_id', 'actor_id',
  'traceId', 'spanId', 'requestId', 'tenantId', 'routeId', 'actorId',
  'trace.id', 'span.id', 'tenant.id', 'traceparent',
];
/** Calls whose result is the context: spreading it into a line copies every id by hand. */
const CONTEXT_READERS = new Set(['currentContext', 'tryCurrentContext', 'deriveContext']);
const METHODS = new Set([...LOG_LEVELS, 'child']);

type Options = [{ fields?: string[]; loggerNames?: string }];
type MessageIds = 'contextField' | 'contextSpread' | 'removeField';

export const noContextFieldsInLog = createRule<Options, MessageIds>({
  name: 'no-context-fields-in-log',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Disallow passing trace, span, request or tenant ids to a logger by hand: the kernel fills them from the context, and hand-written ones drift',
    },
    schema: [
      {
        type: 'object',
        properties: {
          fields: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Field names the kernel owns.' },
          loggerNames: loggerNamesSchema,
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ fields: [...CONTEXT_FIELDS], loggerNames: DEFAULT_LOGGER_NAMES }],
    messages: {
      contextField: '`{{field}}` is filled from the context on every line; a hand-written one is ignored inside a context and wrong outside it.',
      contextSpread: 'Spreading `{{reader}}()` copies the context’s ids by hand; the kernel already writes them on every line.',
      removeField: 'Remove `{{field}}`.',
    },
  },
  defaultOptions: [{ fields: [...CONTEXT_FIELDS], loggerNames: DEFAULT_LOGGER_NAMES }],
  create(context, [options]) {
    const fields = new Set(options.fields ?? CONTEXT_FIELDS);
    const loggerNames = new RegExp(options.loggerNames ?? DEFAULT_LOGGER_NAMES);

    function removal(object: TSESTree.ObjectExpression, property: TSESTree.Property): TSESLint.ReportFixFunction {
      return (fixer) => {
        const index = object.properties.indexOf(property);
        const next = object.properties[index + 1];
        if (next !== undefined) return fixer.removeRange([property.range[0], next.range[0]]);
        const previous = object.properties[index - 1];
        if (previous !== undefined) return fixer.removeRange([previous.range[1], property.range[1]]);
        return fixer.replaceText(object, '{}');
      };
    }

    /** What a `const` name holds, when the rule can see it: `const fields = { traceId }`. */
    function constValue(node: TSESTree.Node): TSESTree.Expression | undefined {
      if (node.type !== AST_NODE_TYPES.Identifier) return undefined;
      const variable = resolveVariable(context, node);
      return variable === undefined ? undefined : constInitOf(variable);
    }

    /** `currentContext()`, or a `const` holding it: the reader's name. */
    function contextReader(node: TSESTree.Node): string | undefined {
      const value = node.type === AST_NODE_TYPES.CallExpression ? node : constValue(node);
      if (value?.type === AST_NODE_TYPES.CallExpression && value.callee.type === AST_NODE_TYPES.Identifier && CONTEXT_READERS.has(value.callee.name)) return value.callee.name;
      return undefined;
    }

    /** Objects reached through a `const`, checked once however many lines log them. */
    const checkedConsts = new Set<TSESTree.ObjectExpression>();

    /**
     * Reports the context fields in `object`. The removal is suggested only for an object written
     * in the logger call: a `const`, or a wrapper's argument, may serve for more than the line.
     */
    function check(object: TSESTree.ObjectExpression, suggest = true): void {
      for (const property of object.properties) {
        if (property.type === AST_NODE_TYPES.SpreadElement) {
          const reader = contextReader(property.argument);
          if (reader !== undefined) context.report({ node: property, messageId: 'contextSpread', data: { reader } });
          continue;
        }
        const key = property.computed ? staticString(property.key) : property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : staticString(property.key);
        if (key === undefined || !fields.has(key)) continue;
        context.report({
          node: property,
          messageId: 'contextField',
          data: { field: key },
          suggest: suggest ? [{ messageId: 'removeField', data: { field: key }, fix: removal(object, property) }] : [],
        });
      }
    }

    // Functions that pass a parameter on as a logger's fields: their callers write them. No
    // removal there: the wrapper may do more with the object than log it (an audit entry).
    const wrappers = wrapperFollower(context, (argument) => {
      const bare = withoutTypes(argument);
      if (bare.type === AST_NODE_TYPES.ObjectExpression) check(bare, false);
    });

    return {
      'Program:exit'() {
        wrappers.drain();
      },
      CallExpression(node) {
        if (asLoggerCall(node, loggerNames, METHODS, context) === undefined) return;
        const first = node.arguments[0];
        if (first === undefined) return;
        if (first.type === AST_NODE_TYPES.ObjectExpression) {
          check(first);
          return;
        }
        wrappers.note(first);
        // const fields = { traceId }; logger.info(fields, 'x') — and const ctx = currentContext().
        const value = constValue(first);
        if (value?.type === AST_NODE_TYPES.ObjectExpression && !checkedConsts.has(value)) {
          checkedConsts.add(value);
          check(value, false);
        }
        if (first.type === AST_NODE_TYPES.Identifier) {
          const reader = contextReader(first);
          if (reader !== undefined) context.report({ node: first, messageId: 'contextSpread', data: { reader } });
        }
      },
      // logger.info(currentContext()) — the context object as the fields argument.
      'CallExpression > CallExpression.arguments:first-child'(node: TSESTree.CallExpression) {
        const outer = node.parent as TSESTree.CallExpression;
        if (asLoggerCall(outer, loggerNames, METHODS, context) === undefined) return;
        if (node.callee.type === AST_NODE_TYPES.Identifier && CONTEXT_READERS.has(node.callee.name)) {
          context.report({ node, messageId: 'contextSpread', data: { reader: node.callee.name } });
        }
      },
    };
  },
});
