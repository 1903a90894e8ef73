import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../internal/create-rule.js';
import { asLoggerCall, DEFAULT_LOGGER_NAMES, LOG_LEVELS, loggerNamesSchema } from '../internal/logger-calls.js';
import { constInitOf, propertyName, resolveVariable, staticString } from '../internal/module-sources.js';
import { withoutTypes, wrapperFollower } from '../internal/wrapper-functions.js';

// pino's printf tokens (pino's `%s`, `%d`, `%o`, `%O`, `%j`, `%i`, `%f`).
const PRINTF = /%[sdoOjif]/;

type Options = [{ loggerNames?: string }];
type MessageIds = 'templateMessage' | 'concatenatedMessage' | 'printfMessage' | 'suggestFields';

/**
 * Whether `node` builds a string: a template with expressions (`String.raw` too), `+` with a
 * string in it, `'a'.concat(b)` or `['a', b].join(' ')`.
 */
function buildKind(raw: TSESTree.Node): 'template' | 'concat' | undefined {
  const node = withoutTypes(raw);
  // cond ? `a ${x}` : 'b' — either branch can be the line's message.
  if (node.type === AST_NODE_TYPES.ConditionalExpression) return buildKind(node.consequent) ?? buildKind(node.alternate);
  if (node.type === AST_NODE_TYPES.LogicalExpression) return buildKind(node.left) ?? buildKind(node.right);
  if (node.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length > 0) return 'template';
  if (node.type === AST_NODE_TYPES.TaggedTemplateExpression && node.quasi.expressions.length > 0) return 'template';
  if (node.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+' && (hasString(node.left) || hasString(node.right))) return 'concat';
  // 'a'.concat(b)
  if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && propertyName(node.callee) === 'concat' && staticString(node.callee.object) !== undefined) return 'concat';
  // ['user', id, 'signed in'].join(' ')
  if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && propertyName(node.callee) === 'join' && node.callee.object.type === AST_NODE_TYPES.ArrayExpression) {
    const elements = node.callee.object.elements;
    if (elements.some((e) => e !== null && staticString(e) !== undefined) && elements.some((e) => e !== null && staticString(e) === undefined)) return 'concat';
  }
  return undefined;
}

function hasString(node: TSESTree.Node): boolean {
  if (staticString(node) !== undefined || node.type === AST_NODE_TYPES.TemplateLiteral) return true;
  return node.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+' && (hasString(node.left) || hasString(node.right));
}

/** The field name an interpolated value gets: `id` → `id`, `order.id` → `id`; others have none. */
function fieldName(node: TSESTree.Node): string | undefined {
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.MemberExpression && !node.computed && (node.object.type === AST_NODE_TYPES.Identifier || node.object.type === AST_NODE_TYPES.MemberExpression || node.object.type === AST_NODE_TYPES.ThisExpression)) {
    return propertyName(node);
  }
  return undefined;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

export const noStringBuiltLog = createRule<Options, MessageIds>({
  name: 'no-string-built-log',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Disallow log messages built from strings (template literals, concatenation, printf tokens): values go in fields, the message stays constant',
    },
    schema: [{ type: 'object', properties: { loggerNames: loggerNamesSchema }, additionalProperties: false }],
    defaultOptions: [{ loggerNames: DEFAULT_LOGGER_NAMES }],
    messages: {
      templateMessage: 'A template literal as the log message: the values vanish into text no query can filter on. Pass them as fields and keep the message constant.',
      concatenatedMessage: 'A concatenated log message: the values vanish into text no query can filter on. Pass them as fields and keep the message constant.',
      printfMessage: 'A printf-style log message (`{{token}}`): pino splices the value into the text. Pass it as a field and keep the message constant.',
      suggestFields: 'Move {{fields}} into the fields object and keep a constant message.',
    },
  },
  defaultOptions: [{ loggerNames: DEFAULT_LOGGER_NAMES }],
  create(context, [options]) {
    const loggerNames = new RegExp(options.loggerNames ?? DEFAULT_LOGGER_NAMES);
    const source = context.sourceCode;

    /** The fix: `{ a, b }, 'job {a} failed after {b} attempts'`, merged into an object literal before the message when there is one. */
    function suggestion(call: TSESTree.CallExpression, message: TSESTree.TemplateLiteral): TSESLint.SuggestionReportDescriptor<MessageIds>[] {
      const names = message.expressions.map(fieldName);
      if (names.some((name) => name === undefined)) return [];
      const fields = new Map<string, string>();
      for (const [i, expression] of message.expressions.entries()) {
        const name = names[i] as string;
        const text = source.getText(expression);
        if (fields.has(name) && fields.get(name) !== text) return []; // two values, one name: no safe rewrite
        fields.set(name, text);
      }
      const constant = message.quasis.map((q, i) => (q.value.cooked ?? '') + (i < names.length ? `{${names[i] as string}}` : '')).join('');
      const properties = [...fields].map(([name, text]) => (name === text ? name : `${name}: ${text}`));
      const index = call.arguments.indexOf(message);
      const before = index > 0 ? call.arguments[index - 1] : undefined;
      if (index > 0 && before?.type !== AST_NODE_TYPES.ObjectExpression) return [];
      return [
        {
          messageId: 'suggestFields',
          data: { fields: [...fields.keys()].join(', ') },
          fix(fixer) {
            const quoted = quote(constant);
            if (before === undefined) return fixer.replaceText(message, `{ ${properties.join(', ')} }, ${quoted}`);
            const object = before as TSESTree.ObjectExpression;
            const last = object.properties.at(-1);
            const insert = last === undefined ? fixer.replaceText(object, `{ ${properties.join(', ')} }`) : fixer.insertTextAfter(last, `, ${properties.join(', ')}`);
            return [insert, fixer.replaceText(message, quoted)];
          },
        },
      ];
    }

    /** `buildKind`, looking through one `const`: `const msg = \`x ${y}\`; logger.info(msg)`. */
    function builtKind(node: TSESTree.Node): 'template' | 'concat' | undefined {
      const kind = buildKind(node);
      const bare = withoutTypes(node);
      if (kind !== undefined || bare.type !== AST_NODE_TYPES.Identifier) return kind;
      const variable = resolveVariable(context, bare);
      const init = variable === undefined ? undefined : constInitOf(variable);
      return init === undefined ? undefined : buildKind(init);
    }

    // Functions that pass a parameter on as the message: their callers write it.
    const wrappers = wrapperFollower(context, (argument) => {
      const kind = builtKind(argument);
      if (kind !== undefined) context.report({ node: argument, messageId: kind === 'template' ? 'templateMessage' : 'concatenatedMessage' });
    });

    return {
      // The wrappers' callers, once every wrapper is known.
      'Program:exit'() {
        wrappers.drain();
      },
      CallExpression(node) {
        if (asLoggerCall(node, loggerNames, LOG_LEVELS, context) === undefined) return;
        const [first, second] = node.arguments;
        if (first === undefined) return;
        // pino: (message, ...args) or (fields, message, ...args).
        const fieldsFirst = first.type === AST_NODE_TYPES.ObjectExpression || (builtKind(first) === undefined && staticString(first) === undefined && second !== undefined);
        const message = fieldsFirst ? second : first;
        if (message === undefined) return;
        wrappers.note(message);
        const kind = builtKind(message);
        if (kind === 'template' && message.type === AST_NODE_TYPES.TemplateLiteral) {
          context.report({ node: message, messageId: 'templateMessage', suggest: suggestion(node, message) });
          return;
        }
        if (kind !== undefined) {
          context.report({ node: message, messageId: kind === 'template' ? 'templateMessage' : 'concatenatedMessage' });
          return;
        }
        const text = staticString(message);
        const token = text?.match(PRINTF)?.[0];
        if (token !== undefined && node.arguments.indexOf(message) < node.arguments.length - 1) {
          context.report({ node: message, messageId: 'printfMessage', data: { token } });
        }
      },
    };
  },
});
