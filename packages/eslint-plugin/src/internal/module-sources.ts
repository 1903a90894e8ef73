import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

/** How a module is reached: every form an alias or a wrapper could use to hide it. */
export type ModuleUseKind = 'import' | 'require' | 'dynamic-import' | 're-export' | 'import-equals';

export interface ModuleUse {
  /** The module specifier as written, `node:` prefix removed (`node:crypto` → `crypto`). */
  readonly source: string;
  readonly kind: ModuleUseKind;
  /** `import type …` / `export type … from`: gone at run time. */
  readonly typeOnly: boolean;
  /** The node to report: the declaration, the `require()` or the `import()` call. */
  readonly node: TSESTree.Node;
}

/** `node:crypto` and `crypto` are the same module. */
export function normalizeSource(source: string): string {
  return source.startsWith('node:') ? source.slice('node:'.length) : source;
}

/** Whether `source` is `pattern` or one of its subpaths; `@scope/*` matches every package of a scope. */
export function matchesModule(source: string, patterns: readonly string[]): boolean {
  const normalized = normalizeSource(source);
  return patterns.some((raw) => {
    const pattern = normalizeSource(raw);
    if (pattern.endsWith('/*')) return normalized.startsWith(pattern.slice(0, -1));
    return normalized === pattern || normalized.startsWith(`${pattern}/`);
  });
}

/** The string a specifier node holds: a literal, or a template literal without expressions. */
export function staticString(node: TSESTree.Node | null | undefined): string | undefined {
  if (node === null || node === undefined) return undefined;
  if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') return node.value;
  if (node.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** Whether `require` at `node` is the global one (not a local function of that name). */
function isGlobalRequire(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, node: TSESTree.Identifier): boolean {
  let scope: TSESLint.Scope.Scope | null = context.sourceCode.getScope(node);
  while (scope !== null) {
    const variable = scope.set.get(node.name);
    if (variable !== undefined) return variable.defs.length === 0;
    scope = scope.upper;
  }
  return true;
}

/**
 * Listeners that call `onUse` for every way a file reaches a module: static imports (value or
 * type), `require()`, `import()` (with a literal or a static template literal), re-exports and
 * `import x = require()`.
 */
export function moduleUseListeners(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
  onUse: (use: ModuleUse) => void,
): TSESLint.RuleListener {
  const emit = (raw: string | undefined, kind: ModuleUseKind, typeOnly: boolean, node: TSESTree.Node): void => {
    if (raw !== undefined) onUse({ source: normalizeSource(raw), kind, typeOnly, node });
  };
  return {
    ImportDeclaration(node) {
      const allTypes = node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.type === AST_NODE_TYPES.ImportSpecifier && s.importKind === 'type'));
      emit(node.source.value, 'import', allTypes, node);
    },
    ExportNamedDeclaration(node) {
      if (node.source !== null) emit(node.source.value, 're-export', node.exportKind === 'type', node);
    },
    ExportAllDeclaration(node) {
      emit(node.source.value, 're-export', node.exportKind === 'type', node);
    },
    ImportExpression(node) {
      emit(staticString(node.source), 'dynamic-import', false, node);
    },
    CallExpression(node) {
      if (node.callee.type === AST_NODE_TYPES.Identifier && node.callee.name === 'require' && node.arguments.length === 1 && isGlobalRequire(context, node.callee)) {
        emit(staticString(node.arguments[0]), 'require', false, node);
      }
    },
    TSImportEqualsDeclaration(node) {
      if (node.moduleReference.type === AST_NODE_TYPES.TSExternalModuleReference) {
        emit(staticString(node.moduleReference.expression), 'import-equals', node.importKind === 'type', node);
      }
    },
  };
}

/**
 * The module a local name was bound from, with the name it was imported as: `import { v4 as
 * uuid } from 'uuid'` binds `uuid` to (`uuid`, `v4`); `import * as c from 'node:crypto'` and
 * `import c from 'crypto'` bind `c` to (`crypto`, `*`); `const { randomUUID: r } =
 * require('crypto')` binds `r` to (`crypto`, `randomUUID`).
 */
export interface ModuleBinding {
  readonly source: string;
  /** The exported name, or `*` for the namespace or default object. */
  readonly imported: string;
  readonly typeOnly: boolean;
}

/** The binding `variable` was declared by, when it came from a module. */
export function moduleBindingOf(variable: TSESLint.Scope.Variable): ModuleBinding | undefined {
  for (const def of variable.defs) {
    if (def.type === 'ImportBinding') {
      const spec = def.node;
      // import pg = require('pg'): the declaration is its own binding, with no ImportDeclaration around it.
      if (spec.type === AST_NODE_TYPES.TSImportEqualsDeclaration) {
        const value = spec.moduleReference.type === AST_NODE_TYPES.TSExternalModuleReference ? staticString(spec.moduleReference.expression) : undefined;
        if (value !== undefined) return { source: normalizeSource(value), imported: '*', typeOnly: spec.importKind === 'type' };
        continue;
      }
      const parent = def.parent;
      if (parent === null || parent.type !== AST_NODE_TYPES.ImportDeclaration) continue;
      const source = normalizeSource(parent.source.value);
      const typeOnly = parent.importKind === 'type';
      if (spec.type === AST_NODE_TYPES.ImportSpecifier) {
        const imported = spec.imported.type === AST_NODE_TYPES.Identifier ? spec.imported.name : String(spec.imported.value);
        return { source, imported, typeOnly: typeOnly || spec.importKind === 'type' };
      }
      if (spec.type === AST_NODE_TYPES.ImportNamespaceSpecifier || spec.type === AST_NODE_TYPES.ImportDefaultSpecifier) return { source, imported: '*', typeOnly };
    }
    if (def.type === 'Variable' && def.node.init !== null) {
      const source = requiredSource(def.node.init);
      if (source === undefined) continue;
      if (def.node.id.type === AST_NODE_TYPES.Identifier) return { source, imported: '*', typeOnly: false };
      if (def.node.id.type === AST_NODE_TYPES.ObjectPattern) {
        for (const property of def.node.id.properties) {
          if (property.type !== AST_NODE_TYPES.Property || property.key.type !== AST_NODE_TYPES.Identifier) continue;
          const value = property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value;
          if (value.type === AST_NODE_TYPES.Identifier && value.name === variable.name) return { source, imported: property.key.name, typeOnly: false };
        }
      }
    }
  }
  return undefined;
}

/** `require('x')`, `await import('x')` or `import('x')` as an initialiser: the module `x`. */
export function requiredSource(init: TSESTree.Expression): string | undefined {
  const inner = init.type === AST_NODE_TYPES.AwaitExpression ? init.argument : init;
  if (inner.type === AST_NODE_TYPES.ImportExpression) {
    const value = staticString(inner.source);
    return value === undefined ? undefined : normalizeSource(value);
  }
  if (inner.type === AST_NODE_TYPES.CallExpression && inner.callee.type === AST_NODE_TYPES.Identifier && inner.callee.name === 'require') {
    const value = staticString(inner.arguments[0]);
    return value === undefined ? undefined : normalizeSource(value);
  }
  return undefined;
}

/** The variable `node` refers to, looked up from its own scope outwards; `undefined` for an unresolved global. */
export function resolveVariable(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, node: TSESTree.Identifier): TSESLint.Scope.Variable | undefined {
  let scope: TSESLint.Scope.Scope | null = context.sourceCode.getScope(node);
  while (scope !== null) {
    const reference = scope.references.find((r) => r.identifier === node);
    if (reference !== undefined) return reference.resolved ?? undefined;
    const variable = scope.set.get(node.name);
    if (variable !== undefined && variable.defs.length > 0) return variable;
    scope = scope.upper;
  }
  return undefined;
}

/** The name of a non-computed member's property (`a.b` → `b`, `a['b']` → `b`). */
export function propertyName(node: TSESTree.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) return node.property.name;
  return staticString(node.property);
}

/** Listener objects merged so that two listeners on one selector both run (a spread would keep the last). */
export function combineListeners(...all: TSESLint.RuleListener[]): TSESLint.RuleListener {
  const merged: Record<string, ((node: never) => void)[]> = {};
  for (const listeners of all) {
    for (const [selector, listener] of Object.entries(listeners)) {
      if (listener !== undefined) (merged[selector] ??= []).push(listener as (node: never) => void);
    }
  }
  return Object.fromEntries(Object.entries(merged).map(([selector, fns]) => [selector, (node: never) => fns.forEach((fn) => fn(node))])) as TSESLint.RuleListener;
}

/** The initialiser of a `const name = …` (not a destructuring), for rules that look through one name. */
export function constInitOf(variable: TSESLint.Scope.Variable): TSESTree.Expression | undefined {
  const def = variable.defs.length === 1 ? variable.defs[0] : undefined;
  if (def?.type !== 'Variable' || def.parent.kind !== 'const' || def.node.id.type !== AST_NODE_TYPES.Identifier) return undefined;
  return def.node.init ?? undefined;
}

/**
 * What a `const` stands for when it is only another name for something: `const c = crypto`
 * → `crypto`, `const out = globalThis.console` → `globalThis.console`. `let` and `var` can be
 * reassigned, so they stand for nothing.
 */
export function constAliasOf(variable: TSESLint.Scope.Variable): TSESTree.Identifier | TSESTree.MemberExpression | undefined {
  const init = constInitOf(variable);
  return init?.type === AST_NODE_TYPES.Identifier || init?.type === AST_NODE_TYPES.MemberExpression ? init : undefined;
}
