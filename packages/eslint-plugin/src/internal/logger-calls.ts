import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { constInitOf, propertyName } from './module-sources.js';

/** pino's (and most loggers') level methods. */
export const LOG_LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/**
 * What a logger is called in service code: `log`, `logger`, `stitch.logger`, `req.log`,
 * `this.auditLogger`, `jobLog`. Overridable per rule (`loggerNames`).
 */
export const DEFAULT_LOGGER_NAMES = '^(?:log|logger|.*Logger|.*Log)$';

export const loggerNamesSchema = {
  type: 'string',
  description: 'Regular expression a receiver’s name must match to count as a logger (the last name of `a.b.logger`).',
} as const;

/** The name a receiver goes by: `logger`, `this.logger` → `logger`, `logger.child({…})` → `logger`. */
function receiverName(node: TSESTree.Node): string | undefined {
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.MemberExpression) return propertyName(node);
  if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && propertyName(node.callee) === 'child') {
    return receiverName(node.callee.object);
  }
  if (node.type === AST_NODE_TYPES.TSNonNullExpression || node.type === AST_NODE_TYPES.TSAsExpression) return receiverName(node.expression);
  return undefined;
}

/** Whether `node` is a receiver named like a logger; `console` never is (`no-console` has its own rule). */
function isLogger(node: TSESTree.Node, loggerNames: RegExp): boolean {
  const name = receiverName(node);
  return name !== undefined && name !== 'console' && loggerNames.test(name);
}

export interface LoggerCall {
  readonly call: TSESTree.CallExpression;
  readonly method: string;
}

/** `logger.info`, or `logger.info.bind(logger)`: the level method of a logger, as a value. */
function loggerMethodOf(node: TSESTree.Node, loggerNames: RegExp, methods: ReadonlySet<string>): string | undefined {
  if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && propertyName(node.callee) === 'bind') {
    return loggerMethodOf(node.callee.object, loggerNames, methods);
  }
  if (node.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const method = propertyName(node);
  if (method === undefined || !methods.has(method)) return undefined;
  return isLogger(node.object, loggerNames) ? method : undefined;
}

/**
 * The level method a plain name stands for: `const info = logger.info.bind(logger)` or
 * `const { warn } = logger` make `info(…)` and `warn(…)` logger calls.
 */
function aliasedLoggerMethod(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, callee: TSESTree.Identifier, loggerNames: RegExp, methods: ReadonlySet<string>): string | undefined {
  // A walk up the scopes by name (map lookups), not resolveVariable's scan of references: this
  // runs for every plain call in the file.
  const variable = ASTUtils.findVariable(context.sourceCode.getScope(callee), callee.name);
  if (variable === null || variable.defs.length === 0) return undefined;
  const init = constInitOf(variable);
  if (init !== undefined) return loggerMethodOf(init, loggerNames, methods);
  const def = variable.defs.length === 1 ? variable.defs[0] : undefined;
  if (def?.type !== 'Variable' || def.parent.kind !== 'const' || def.node.id.type !== AST_NODE_TYPES.ObjectPattern || def.node.init === null) return undefined;
  if (!isLogger(def.node.init, loggerNames)) return undefined;
  for (const property of def.node.id.properties) {
    if (property.type !== AST_NODE_TYPES.Property || property.key.type !== AST_NODE_TYPES.Identifier) continue;
    const value = property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value;
    if (value.type === AST_NODE_TYPES.Identifier && value.name === callee.name && methods.has(property.key.name)) return property.key.name;
  }
  return undefined;
}

/**
 * `call` as a logger call: a level method (or `child`) on something named like a logger, or,
 * given the rule's `context`, a `const` that names such a method (`const info = logger.info`).
 * `console` is never one here: `no-console` has its own rule.
 */
export function asLoggerCall(
  call: TSESTree.CallExpression,
  loggerNames: RegExp,
  methods: ReadonlySet<string> = LOG_LEVELS,
  context?: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
): LoggerCall | undefined {
  const callee = call.callee.type === AST_NODE_TYPES.ChainExpression ? call.callee.expression : call.callee;
  if (callee.type === AST_NODE_TYPES.Identifier && context !== undefined) {
    const method = aliasedLoggerMethod(context, callee, loggerNames, methods);
    return method === undefined ? undefined : { call, method };
  }
  const method = loggerMethodOf(callee, loggerNames, methods);
  return method === undefined ? undefined : { call, method };
}
