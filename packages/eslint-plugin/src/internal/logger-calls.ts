import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import { propertyName } from './module-sources.js';

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

export interface LoggerCall {
  readonly call: TSESTree.CallExpression;
  readonly method: string;
}

/**
 * `call` as a logger call: a level method (or `child`) on something named like a logger.
 * `console` is never one here: `no-console` has its own rule.
 */
export function asLoggerCall(call: TSESTree.CallExpression, loggerNames: RegExp, methods: ReadonlySet<string> = LOG_LEVELS): LoggerCall | undefined {
  const callee = call.callee.type === AST_NODE_TYPES.ChainExpression ? call.callee.expression : call.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const method = propertyName(callee);
  if (method === undefined || !methods.has(method)) return undefined;
  const name = receiverName(callee.object);
  if (name === undefined || name === 'console' || !loggerNames.test(name)) return undefined;
  return { call, method };
}
