import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../internal/create-rule.js';
import { combineListeners, constAliasOf, matchesModule, moduleBindingOf, moduleUseListeners, propertyName, requiredSource, resolveVariable, staticString } from '../internal/module-sources.js';

/** Packages whose only job is making ids. */
export const DEFAULT_ID_PACKAGES = ['uuid', 'nanoid', 'ulid', 'ulidx', 'cuid', '@paralleldrive/cuid2', 'short-uuid', 'hyperid', 'ksuid'] as const;

const CRYPTO_MODULES = ['crypto'];
/** What makes an id out of `crypto`. `randomBytes` only as `randomBytes(n).toString(…)`, the id idiom: keys and salts are not ids. */
const UUID_FUNCTIONS = new Set(['randomUUID']);
const BYTES_FUNCTIONS = new Set(['randomBytes', 'getRandomValues']);
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

type Options = [{ idPackages?: string[] }];
type MessageIds = 'randomId' | 'idPackage' | 'handBuiltTraceparent';

export const noIdGeneration = createRule<Options, MessageIds>({
  name: 'no-id-generation',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow generating trace, span or request ids (randomUUID, randomBytes, uuid packages, hand-built traceparent strings) outside the kernel',
    },
    schema: [
      {
        type: 'object',
        properties: {
          idPackages: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Modules that only make ids; `@scope/*` matches a whole scope.' },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ idPackages: [...DEFAULT_ID_PACKAGES] }],
    messages: {
      randomId: '`{{name}}` makes an id here. Trace, span and request ids come from the kernel: read them with currentContext(); an entity id belongs to the database (gen_random_uuid()) or to one module outside the domain.',
      idPackage: '`{{source}}` makes ids. Trace, span and request ids come from the kernel (currentContext()); domain code never makes its own.',
      handBuiltTraceparent: 'A hand-built traceparent drifts from the W3C format and from the trace in force. The kernel injects traceparent into every hop it wraps (HTTP out, jobs, events, webhooks).',
    },
  },
  defaultOptions: [{ idPackages: [...DEFAULT_ID_PACKAGES] }],
  create(context, [options]) {
    const idPackages = options.idPackages ?? [...DEFAULT_ID_PACKAGES];

    /** Whether `object` (the `X` of `X.randomUUID`) is the crypto module or Web Crypto. */
    function isCryptoObject(object: TSESTree.Node, depth = 0): boolean {
      if (object.type === AST_NODE_TYPES.Identifier) {
        const variable = resolveVariable(context, object);
        if (variable === undefined) return object.name === 'crypto'; // Web Crypto global
        const binding = moduleBindingOf(variable);
        if (binding !== undefined) return matchesModule(binding.source, CRYPTO_MODULES) && (binding.imported === '*' || binding.imported === 'webcrypto' || binding.imported === 'default');
        // const cr = crypto; cr.randomUUID()
        const alias = depth < 8 ? constAliasOf(variable) : undefined;
        return alias !== undefined && isCryptoObject(alias, depth + 1);
      }
      if (object.type === AST_NODE_TYPES.MemberExpression) {
        // globalThis.crypto, require('node:crypto').webcrypto
        const name = propertyName(object);
        if (name === 'crypto' && object.object.type === AST_NODE_TYPES.Identifier && GLOBAL_OBJECTS.has(object.object.name)) return true;
        if (name === 'webcrypto') return isCryptoObject(object.object, depth + 1);
        return false;
      }
      // (await import('node:crypto')).randomUUID(), require('crypto').randomUUID()
      if (object.type === AST_NODE_TYPES.AwaitExpression || object.type === AST_NODE_TYPES.ImportExpression || object.type === AST_NODE_TYPES.CallExpression) {
        const source = requiredSource(object as TSESTree.Expression);
        return source !== undefined && matchesModule(source, CRYPTO_MODULES);
      }
      return false;
    }

    /** A use of a bytes function is an id when its result is turned into text on the spot. */
    function isIdUseOfBytes(reference: TSESTree.Node): boolean {
      const call = reference.parent;
      if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== reference) return true; // passed around: a wrapper
      const member = call.parent;
      return member?.type === AST_NODE_TYPES.MemberExpression && member.object === call && propertyName(member) === 'toString';
    }

    function checkGenerator(node: TSESTree.Node, name: string): void {
      if (UUID_FUNCTIONS.has(name) || (BYTES_FUNCTIONS.has(name) && isIdUseOfBytes(node))) {
        context.report({ node, messageId: 'randomId', data: { name } });
      }
    }

    function leftmostString(node: TSESTree.Node): string | undefined {
      if (node.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+') return leftmostString(node.left);
      return staticString(node);
    }

    return combineListeners(
      moduleUseListeners(context, (use) => {
        if (!use.typeOnly && matchesModule(use.source, idPackages)) context.report({ node: use.node, messageId: 'idPackage', data: { source: use.source } });
        // export * from 'node:crypto' (or `* as c`): the generators go out with everything else.
        if (use.kind === 're-export' && matchesModule(use.source, CRYPTO_MODULES) && use.node.type === AST_NODE_TYPES.ExportAllDeclaration && !use.typeOnly) {
          context.report({ node: use.node, messageId: 'randomId', data: { name: 'randomUUID' } });
        }
        // export { randomUUID } from 'node:crypto': a domain module handing out the generator.
        if (use.kind === 're-export' && matchesModule(use.source, CRYPTO_MODULES) && use.node.type === AST_NODE_TYPES.ExportNamedDeclaration) {
          for (const spec of use.node.specifiers) {
            const local = spec.local.type === AST_NODE_TYPES.Identifier ? spec.local.name : String(spec.local.value);
            if (UUID_FUNCTIONS.has(local) || BYTES_FUNCTIONS.has(local)) context.report({ node: spec, messageId: 'randomId', data: { name: local } });
          }
        }
      }),
      {

        // Named imports and destructured requires, under any alias: report each use.
        'Program:exit'() {
          const visit = (scope: ReturnType<typeof context.sourceCode.getScope>): void => {
            for (const variable of scope.variables) {
              const binding = moduleBindingOf(variable);
              if (binding === undefined || binding.typeOnly || !matchesModule(binding.source, CRYPTO_MODULES) || binding.imported === '*') continue;
              for (const reference of variable.references) {
                if (reference.init === true) continue;
                checkGenerator(reference.identifier, binding.imported);
              }
            }
            for (const child of scope.childScopes) visit(child);
          };
          visit(context.sourceCode.getScope(context.sourceCode.ast));
        },

        MemberExpression(node) {
          const name = propertyName(node);
          if (name === undefined || !(UUID_FUNCTIONS.has(name) || BYTES_FUNCTIONS.has(name))) return;
          if (isCryptoObject(node.object)) checkGenerator(node, name);
        },

        // const { randomUUID } = crypto (the Web Crypto global)
        VariableDeclarator(node) {
          if (node.id.type !== AST_NODE_TYPES.ObjectPattern || node.init === null || node.init.type !== AST_NODE_TYPES.Identifier) return;
          if (!isCryptoObject(node.init)) return;
          for (const property of node.id.properties) {
            if (property.type === AST_NODE_TYPES.Property && property.key.type === AST_NODE_TYPES.Identifier && UUID_FUNCTIONS.has(property.key.name)) {
              context.report({ node: property, messageId: 'randomId', data: { name: property.key.name } });
            }
          }
        },

        TemplateLiteral(node) {
          const head = node.quasis[0]?.value.cooked ?? '';
          if (head.startsWith('00-') && node.expressions.length >= 2) context.report({ node, messageId: 'handBuiltTraceparent' });
        },

        BinaryExpression(node) {
          if (node.operator !== '+' || (node.parent.type === AST_NODE_TYPES.BinaryExpression && node.parent.operator === '+')) return;
          if (leftmostString(node)?.startsWith('00-') === true) context.report({ node, messageId: 'handBuiltTraceparent' });
        },

        Literal(node) {
          if (typeof node.value === 'string' && TRACEPARENT.test(node.value)) context.report({ node, messageId: 'handBuiltTraceparent' });
        },

        // ['00', traceId, spanId, '01'].join('-')
        'CallExpression > MemberExpression.callee[property.name="join"] > ArrayExpression.object'(node: TSESTree.ArrayExpression) {
          const first = node.elements[0];
          const separator = (node.parent.parent as TSESTree.CallExpression).arguments[0];
          if (first !== null && first !== undefined && staticString(first) === '00' && staticString(separator) === '-' && node.elements.length === 4) {
            context.report({ node: node.parent.parent as TSESTree.Node, messageId: 'handBuiltTraceparent' });
          }
        },
      },
    );
  },
});
