import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { resolveVariable } from './module-sources.js';

type RuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/**
 * A function that passes one of its parameters on to a logger (`const say = (m) =>
 * logger.info(m)`, `function note(fields) { log.info(fields, 'x') }`): what reaches the logger
 * is written where the function is called.
 */
export interface WrapperParameter {
  readonly wrapper: TSESLint.Scope.Variable;
  readonly index: number;
}

/** `x as T`, `x satisfies T`, `x!`: the expression under the type. */
export function withoutTypes(node: TSESTree.Node): TSESTree.Node {
  if (node.type === AST_NODE_TYPES.TSAsExpression || node.type === AST_NODE_TYPES.TSSatisfiesExpression || node.type === AST_NODE_TYPES.TSNonNullExpression) {
    return withoutTypes(node.expression);
  }
  return node;
}

/**
 * When `argument` is a parameter of a function declared by name (`function f(m)`, `const f =
 * (m) => …`), that function's variable and the parameter's position.
 */
export function wrapperParameterOf(context: RuleContext, argument: TSESTree.Node): WrapperParameter | undefined {
  const bare = withoutTypes(argument);
  if (bare.type !== AST_NODE_TYPES.Identifier) return undefined;
  const def = resolveVariable(context, bare)?.defs[0];
  if (def?.type !== 'Parameter') return undefined;
  const fn = def.node;
  const index = fn.params.findIndex((p) => p === def.name || (p.type === AST_NODE_TYPES.AssignmentPattern && p.left === def.name));
  if (index < 0) return undefined;
  let holder: { node: TSESTree.Node; name: string } | undefined;
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration && fn.id !== null) holder = { node: fn, name: fn.id.name };
  else if (fn.parent?.type === AST_NODE_TYPES.VariableDeclarator && fn.parent.init === fn && fn.parent.id.type === AST_NODE_TYPES.Identifier) holder = { node: fn.parent, name: fn.parent.id.name };
  if (holder === undefined) return undefined;
  const name = holder.name;
  const wrapper = context.sourceCode.getDeclaredVariables(holder.node).find((v) => v.name === name);
  return wrapper === undefined ? undefined : { wrapper, index };
}

/**
 * Follows wrappers to the arguments their callers write, wrappers of wrappers included: call
 * `note` for each parameter that reaches a logger, then `drain` at `Program:exit` (a caller may
 * come before its wrapper). `check` sees each caller's argument at that position; an argument
 * that is itself a parameter makes its own function a wrapper too.
 */
export function wrapperFollower(context: RuleContext, check: (argument: TSESTree.Node) => void) {
  const found = new Map<TSESLint.Scope.Variable, Set<number>>();
  const note = (argument: TSESTree.Node): void => {
    const parameter = wrapperParameterOf(context, argument);
    if (parameter === undefined) return;
    const positions = found.get(parameter.wrapper) ?? new Set<number>();
    positions.add(parameter.index);
    found.set(parameter.wrapper, positions);
  };
  const drain = (): void => {
    const checked = new Map<TSESLint.Scope.Variable, Set<number>>();
    let more = true;
    while (more) {
      more = false;
      for (const [wrapper, positions] of [...found]) {
        for (const index of [...positions]) {
          const done = checked.get(wrapper) ?? new Set<number>();
          if (done.has(index)) continue;
          done.add(index);
          checked.set(wrapper, done);
          more = true;
          for (const reference of wrapper.references) {
            const call = reference.identifier.parent;
            if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== reference.identifier) continue;
            const argument = call.arguments[index];
            if (argument === undefined) continue;
            check(argument);
            note(argument);
          }
        }
      }
    }
  };
  return { note, drain };
}
