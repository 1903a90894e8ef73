import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../internal/create-rule.js';
import { combineListeners, matchesModule, moduleBindingOf, moduleUseListeners, propertyName, requiredSource, resolveVariable } from '../internal/module-sources.js';

/** Database drivers a service might reach for instead of the kernel's wrapper. */
export const DEFAULT_DRIVERS = ['pg', 'pg-pool', 'pg-native', '@electric-sql/pglite', 'mysql2', 'mysql', 'postgres', '@neondatabase/serverless'] as const;
/** What runs a statement on a driver's pool, client or connection. */
const STATEMENT_METHODS = new Set(['query', 'exec', 'execute', 'sql', 'unsafe']);
/** What hands out a client from a pool: its statements bypass the wrapper too. */
const CHECKOUT_METHODS = new Set(['connect', 'getConnection']);

type Options = [{ drivers?: string[]; allowTypeImports?: boolean }];
type MessageIds = 'driverImport' | 'rawQuery';

export const noDirectDbDriver = createRule<Options, MessageIds>({
  name: 'no-direct-db-driver',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow database drivers (pg, PGlite, mysql2…) and raw `.query()` on their clients outside the kernel’s db wrapper, which adds the trace comment, span and query budget',
    },
    schema: [
      {
        type: 'object',
        properties: {
          drivers: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Driver modules; subpaths match too.' },
          allowTypeImports: { type: 'boolean', description: 'Allow `import type` from a driver (a parameter typed `Pool`); its `.query()` calls are still reported.' },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ drivers: [...DEFAULT_DRIVERS], allowTypeImports: true }],
    messages: {
      driverImport: '`{{source}}` used directly: its statements reach the database without the Stitch comment, span or query budget. Take the kernel’s `Database` (createPgDatabase / createPgliteDatabase) as a dependency instead.',
      rawQuery: '`.{{method}}()` on a raw driver client: the statement reaches the database without the Stitch comment, span or query budget. Call `db.query()` on the kernel’s `Database`.',
    },
  },
  defaultOptions: [{ drivers: [...DEFAULT_DRIVERS], allowTypeImports: true }],
  create(context, [options]) {
    const drivers = options.drivers ?? [...DEFAULT_DRIVERS];
    const allowTypeImports = options.allowTypeImports ?? true;
    /** Variables holding a driver's pool, client or connection. */
    const driverValues = new Set<TSESLint.Scope.Variable>();
    const candidates: { node: TSESTree.CallExpression; object: TSESTree.Identifier | TSESTree.MemberExpression; method: string }[] = [];
    const tagged: { node: TSESTree.TaggedTemplateExpression; tag: TSESTree.Identifier | TSESTree.MemberExpression }[] = [];
    /** `this.pool` members typed or built as a driver: tracked by name within the class body. */
    const driverMembers = new Set<string>();

    function isDriverBinding(node: TSESTree.Node): boolean {
      if (node.type === AST_NODE_TYPES.Identifier) {
        const variable = resolveVariable(context, node);
        const binding = variable === undefined ? undefined : moduleBindingOf(variable);
        return binding !== undefined && matchesModule(binding.source, drivers);
      }
      if (node.type === AST_NODE_TYPES.MemberExpression) return isDriverBinding(node.object); // pg.Pool
      const source = requiredSource(node as TSESTree.Expression);
      return source !== undefined && matchesModule(source, drivers);
    }

    function isDriverValue(node: TSESTree.Node): boolean {
      if (node.type === AST_NODE_TYPES.Identifier) {
        const variable = resolveVariable(context, node);
        return variable !== undefined && driverValues.has(variable);
      }
      if (node.type === AST_NODE_TYPES.MemberExpression && node.object.type === AST_NODE_TYPES.ThisExpression) return driverMembers.has(propertyName(node) ?? '');
      return false;
    }

    /** `new Pool()`, `createPool()`, `await pool.connect()`: an expression that yields a driver handle. */
    function yieldsDriver(init: TSESTree.Expression): boolean {
      const inner = init.type === AST_NODE_TYPES.AwaitExpression ? init.argument : init;
      // const p2 = pool: another name for a handle already known.
      if (inner.type === AST_NODE_TYPES.Identifier) return isDriverValue(inner);
      if (inner.type === AST_NODE_TYPES.NewExpression) return isDriverBinding(inner.callee);
      if (inner.type === AST_NODE_TYPES.CallExpression) {
        if (inner.callee.type === AST_NODE_TYPES.MemberExpression && CHECKOUT_METHODS.has(propertyName(inner.callee) ?? '')) return isDriverValue(inner.callee.object);
        return isDriverBinding(inner.callee);
      }
      return false;
    }

    function isDriverType(annotation: TSESTree.TypeNode | undefined): boolean {
      if (annotation === undefined) return false;
      if (annotation.type === AST_NODE_TYPES.TSTypeReference) {
        const name = annotation.typeName;
        const head = name.type === AST_NODE_TYPES.TSQualifiedName ? name.left : name;
        return head.type === AST_NODE_TYPES.Identifier && isDriverBinding(head);
      }
      if (annotation.type === AST_NODE_TYPES.TSUnionType) return annotation.types.some(isDriverType);
      return false;
    }

    function markIdentifier(id: TSESTree.Identifier): void {
      for (const variable of context.sourceCode.getDeclaredVariables(id.parent as TSESTree.Node)) {
        if (variable.name === id.name) driverValues.add(variable);
      }
    }

    return combineListeners(
      moduleUseListeners(context, (use) => {
        if (!matchesModule(use.source, drivers) || (use.typeOnly && allowTypeImports)) return;
        context.report({ node: use.node, messageId: 'driverImport', data: { source: use.source } });
      }),
      {
        VariableDeclarator(node) {
          if (node.id.type !== AST_NODE_TYPES.Identifier) return;
          if ((node.init !== null && yieldsDriver(node.init)) || isDriverType(node.id.typeAnnotation?.typeAnnotation)) markIdentifier(node.id);
        },
        // function list(pool: Pool) { … } — the wrapper's bypass most often arrives as a parameter.
        ':function'(node: TSESTree.FunctionLike) {
          for (const param of node.params) {
            const id = param.type === AST_NODE_TYPES.TSParameterProperty ? param.parameter : param;
            if (id.type === AST_NODE_TYPES.Identifier && isDriverType(id.typeAnnotation?.typeAnnotation)) {
              for (const variable of context.sourceCode.getDeclaredVariables(node)) if (variable.name === id.name) driverValues.add(variable);
              if (param.type === AST_NODE_TYPES.TSParameterProperty) driverMembers.add(id.name);
            }
          }
        },
        PropertyDefinition(node) {
          if (node.key.type !== AST_NODE_TYPES.Identifier) return;
          if ((node.value !== null && yieldsDriver(node.value)) || isDriverType(node.typeAnnotation?.typeAnnotation)) driverMembers.add(node.key.name);
        },
        CallExpression(node) {
          const callee = node.callee;
          if (callee.type !== AST_NODE_TYPES.MemberExpression) return;
          const method = propertyName(callee);
          if (method === undefined || !STATEMENT_METHODS.has(method)) return;
          if (callee.object.type === AST_NODE_TYPES.Identifier || callee.object.type === AST_NODE_TYPES.MemberExpression) candidates.push({ node, object: callee.object, method });
        },
        // postgres.js: the handle is itself the query function, called as a tagged template.
        TaggedTemplateExpression(node) {
          if (node.tag.type === AST_NODE_TYPES.Identifier || node.tag.type === AST_NODE_TYPES.MemberExpression) tagged.push({ node, tag: node.tag });
        },
        // Decided at the end: a pool declared below the function that uses it is still a pool.
        'Program:exit'() {
          for (const { node, object, method } of candidates) {
            if (isDriverValue(object)) context.report({ node, messageId: 'rawQuery', data: { method } });
          }
          for (const { node, tag } of tagged) {
            if (isDriverValue(tag)) context.report({ node, messageId: 'rawQuery', data: { method: 'sql`…`' } });
          }
        },
      },
    );
  },
});
