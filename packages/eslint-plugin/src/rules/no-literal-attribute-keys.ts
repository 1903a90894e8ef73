import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../internal/create-rule.js';
import { staticString } from '../internal/module-sources.js';

/** Span methods whose first argument is one attribute key. */
const KEY_METHODS = new Set(['setAttribute']);
/** Span methods that take an attributes object: as the first argument, or (`addEvent`) the second. */
const OBJECT_ARGUMENT: Readonly<Record<string, number>> = { setAttributes: 0, addEvent: 1 };

/** Types that mark an object as span attributes (`const a: Attributes = { … }`, `function f(): Attributes`). */
const ATTRIBUTE_TYPES = ['Attributes'];

type Options = [{ table?: string; attributeTypes?: string[] }];
type MessageIds = 'literalKey' | 'builtKey';

/**
 * Reports attribute keys spelt in place where spans are written: `setAttribute('x', …)`,
 * `setAttributes({ x: … })`, `addEvent(name, { x: … })` and any `attributes: { x: … }` (span
 * options, links). A key comes from the attribute table (`{ [SpanAttr.tenantId]: … }`), so
 * the name the kernel writes and the one the collector reads are the same constant.
 */
export const noLiteralAttributeKeys = createRule<Options, MessageIds>({
  name: 'no-literal-attribute-keys',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow span attribute keys spelt as string literals: every attribute name comes from the attribute table, so writer and reader cannot drift apart',
    },
    schema: [
      {
        type: 'object',
        properties: {
          table: { type: 'string', description: 'What to point to in the message (the table to take names from).' },
          attributeTypes: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Type names that mark an object as attributes.' },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ table: 'SpanAttr (@stitch/contract)', attributeTypes: ATTRIBUTE_TYPES }],
    messages: {
      literalKey: 'Attribute key `{{key}}` is spelt in place: take it from {{table}}, where every attribute name is defined once.',
      builtKey: 'Attribute key built from a string in place: take it from {{table}}, where every attribute name is defined once.',
    },
  },
  defaultOptions: [{ table: 'SpanAttr (@stitch/contract)', attributeTypes: ATTRIBUTE_TYPES }],
  create(context, [options]) {
    const table = options.table ?? 'SpanAttr (@stitch/contract)';
    const attributeTypes = new Set(options.attributeTypes ?? ATTRIBUTE_TYPES);

    function isAttributesType(annotation: TSESTree.TSTypeAnnotation | undefined): boolean {
      const type = annotation?.typeAnnotation;
      if (type?.type !== AST_NODE_TYPES.TSTypeReference) return false;
      const name = type.typeName.type === AST_NODE_TYPES.TSQualifiedName ? type.typeName.right : type.typeName;
      return name.type === AST_NODE_TYPES.Identifier && attributeTypes.has(name.name);
    }

    /** Whether `identifier` names a variable or parameter declared with an attributes type. */
    function isAttributesVariable(identifier: TSESTree.Identifier): boolean {
      let scope: TSESLint.Scope.Scope | null = context.sourceCode.getScope(identifier);
      while (scope !== null) {
        const variable = scope.set.get(identifier.name);
        if (variable !== undefined) {
          return variable.defs.some((def) => def.name.type === AST_NODE_TYPES.Identifier && isAttributesType(def.name.typeAnnotation));
        }
        scope = scope.upper;
      }
      return false;
    }

    /** What sits where attributes go: an object, a function returning one, a helper given one. */
    function checkAttributesValue(node: TSESTree.Node): void {
      if (node.type === AST_NODE_TYPES.ObjectExpression) checkObject(node);
      else if (node.type === AST_NODE_TYPES.ArrowFunctionExpression || node.type === AST_NODE_TYPES.FunctionExpression) checkReturns(node);
      else if (node.type === AST_NODE_TYPES.TSAsExpression || node.type === AST_NODE_TYPES.TSSatisfiesExpression) checkAttributesValue(node.expression);
      else if (node.type === AST_NODE_TYPES.CallExpression) {
        for (const argument of node.arguments) if (argument.type === AST_NODE_TYPES.ObjectExpression) checkObject(argument);
      }
    }

    function checkReturns(fn: TSESTree.FunctionLike): void {
      if (fn.body === null || fn.body === undefined) return;
      if (fn.body.type !== AST_NODE_TYPES.BlockStatement) {
        checkAttributesValue(fn.body);
        return;
      }
      // The function's own return statements, not those of functions nested in it.
      const visit = (node: TSESTree.Node): void => {
        if (node.type === AST_NODE_TYPES.ReturnStatement) {
          if (node.argument !== null) checkAttributesValue(node.argument);
          return;
        }
        if (node.type === AST_NODE_TYPES.FunctionDeclaration || node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.ArrowFunctionExpression) return;
        for (const key of context.sourceCode.visitorKeys[node.type] ?? []) {
          const child = (node as unknown as Record<string, TSESTree.Node | TSESTree.Node[] | null | undefined>)[key];
          if (Array.isArray(child)) child.forEach(visit);
          else if (child !== null && child !== undefined && typeof child === 'object' && 'type' in child) visit(child);
        }
      };
      visit(fn.body);
    }

    /** The string a key expression spells by hand, `true` for one built from a literal part, else undefined. */
    function spelt(node: TSESTree.Node): string | true | undefined {
      const literal = staticString(node);
      if (literal !== undefined) return literal;
      if (node.type === AST_NODE_TYPES.TemplateLiteral) return node.quasis.some((q) => q.value.cooked !== '') ? true : undefined;
      if (node.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+') {
        return spelt(node.left) !== undefined || spelt(node.right) !== undefined ? true : undefined;
      }
      if (node.type === AST_NODE_TYPES.Identifier) return constString(node);
      return undefined;
    }

    // `const key = 'x'; span.setAttribute(key, v)`: the literal, one line up.
    function constString(identifier: TSESTree.Identifier): string | undefined {
      let scope: TSESLint.Scope.Scope | null = context.sourceCode.getScope(identifier);
      while (scope !== null) {
        const variable = scope.set.get(identifier.name);
        if (variable !== undefined) {
          const [def] = variable.defs;
          if (variable.defs.length !== 1 || def?.node.type !== AST_NODE_TYPES.VariableDeclarator) return undefined;
          const declaration = def.node.parent as TSESTree.VariableDeclaration;
          return declaration.kind === 'const' ? staticString(def.node.init) : undefined;
        }
        scope = scope.upper;
      }
      return undefined;
    }

    function report(node: TSESTree.Node, key: string | true): void {
      if (key === true) context.report({ node, messageId: 'builtKey', data: { table } });
      else context.report({ node, messageId: 'literalKey', data: { key, table } });
    }

    // An object can be reached twice (`attributes: (): Attributes => ({ … })`): one report per key.
    const checked = new WeakSet<TSESTree.ObjectExpression>();

    function checkObject(object: TSESTree.ObjectExpression): void {
      if (checked.has(object)) return;
      checked.add(object);
      for (const property of object.properties) {
        if (property.type !== AST_NODE_TYPES.Property) continue; // a spread brings keys made elsewhere
        if (!property.computed) {
          // `{ x: 1 }`, `{ 'x': 1 }` and the shorthand `{ x }` all spell the key.
          const key = property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : staticString(property.key);
          if (key !== undefined) report(property.key, key);
          continue;
        }
        const key = spelt(property.key);
        if (key !== undefined) report(property.key, key);
      }
    }

    /** The function a callee names, when it is declared in this file (`function step(…)`, `const step = (…) => …`). */
    function localFunction(callee: TSESTree.Expression): TSESTree.FunctionLike | undefined {
      if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
      let scope: TSESLint.Scope.Scope | null = context.sourceCode.getScope(callee);
      while (scope !== null) {
        const variable = scope.set.get(callee.name);
        if (variable !== undefined) {
          const node = variable.defs[0]?.node;
          if (node?.type === AST_NODE_TYPES.FunctionDeclaration) return node;
          if (node?.type === AST_NODE_TYPES.VariableDeclarator && (node.init?.type === AST_NODE_TYPES.ArrowFunctionExpression || node.init?.type === AST_NODE_TYPES.FunctionExpression)) return node.init;
          return undefined;
        }
        scope = scope.upper;
      }
      return undefined;
    }

    // `step('actions', ctx, fn, { 'action.kind': kind })` where `step`'s parameter is typed as attributes.
    function checkLocalCall(node: TSESTree.CallExpression): void {
      const fn = localFunction(node.callee);
      if (fn === undefined) return;
      fn.params.forEach((param, index) => {
        const target = param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param;
        const argument = node.arguments[index];
        if (target.type === AST_NODE_TYPES.Identifier && isAttributesType(target.typeAnnotation) && argument?.type === AST_NODE_TYPES.ObjectExpression) checkObject(argument);
      });
    }

    // `Object.defineProperties(view, { attributes: { value, enumerable } })`: a descriptor, not attributes.
    function isPropertyDescriptorMap(object: TSESTree.ObjectExpression): boolean {
      const call = object.parent;
      if (call?.type !== AST_NODE_TYPES.CallExpression || call.arguments[1] !== object) return false;
      const callee = call.callee;
      return (
        callee.type === AST_NODE_TYPES.MemberExpression &&
        callee.object.type === AST_NODE_TYPES.Identifier &&
        callee.object.name === 'Object' &&
        callee.property.type === AST_NODE_TYPES.Identifier &&
        (callee.property.name === 'defineProperties' || callee.property.name === 'create')
      );
    }

    function methodName(callee: TSESTree.Expression): string | undefined {
      const target = callee.type === AST_NODE_TYPES.ChainExpression ? callee.expression : callee;
      if (target.type !== AST_NODE_TYPES.MemberExpression) return undefined;
      if (!target.computed && target.property.type === AST_NODE_TYPES.Identifier) return target.property.name;
      return target.computed ? staticString(target.property) : undefined;
    }

    return {
      CallExpression(node) {
        checkLocalCall(node);
        const method = methodName(node.callee);
        if (method === undefined) return;
        if (KEY_METHODS.has(method)) {
          const first = node.arguments[0];
          const key = first === undefined || first.type === AST_NODE_TYPES.SpreadElement ? undefined : spelt(first);
          if (first !== undefined && key !== undefined) report(first, key);
          return;
        }
        const index = OBJECT_ARGUMENT[method];
        const argument = index === undefined ? undefined : node.arguments[index];
        if (argument?.type === AST_NODE_TYPES.ObjectExpression) checkObject(argument);
      },
      // Span options and links: `startSpan(name, { attributes: { … } })`, `{ context, attributes: { … } }`,
      // and a hop's `attributes: (envelope) => ({ … })`.
      Property(node) {
        if (node.computed || node.parent.type !== AST_NODE_TYPES.ObjectExpression || isPropertyDescriptorMap(node.parent)) return;
        const name = node.key.type === AST_NODE_TYPES.Identifier ? node.key.name : staticString(node.key);
        if (name === 'attributes') checkAttributesValue(node.value);
      },
      // `const attributes: Attributes = { … }`
      VariableDeclarator(node) {
        if (node.init !== null && node.id.type === AST_NODE_TYPES.Identifier && isAttributesType(node.id.typeAnnotation)) checkAttributesValue(node.init);
      },
      // `function batchAttributes(…): Attributes { return { … } }`
      'FunctionDeclaration, FunctionExpression, ArrowFunctionExpression'(node: TSESTree.FunctionLike) {
        if (isAttributesType(node.returnType)) checkReturns(node);
      },
      // `attributes['http.request.method_original'] = method` on an object typed as attributes.
      AssignmentExpression(node) {
        const left = node.left;
        if (left.type !== AST_NODE_TYPES.MemberExpression || left.object.type !== AST_NODE_TYPES.Identifier || !isAttributesVariable(left.object)) return;
        const key = left.computed ? spelt(left.property) : left.property.type === AST_NODE_TYPES.Identifier ? left.property.name : undefined;
        if (key !== undefined) report(left.property, key);
      },
    };
  },
});
