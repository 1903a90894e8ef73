import { context } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import { recordError } from './record-error.js';

/**
 * Runs `fn(arg)` in `ctx` and ends `span` when `fn` returns, or when its promise settles; a throw
 * or rejection is recorded on the span (exception event, status ERROR) and rethrown unchanged.
 * The argument is passed through rather than closed over: this runs once per span.
 */
export function runInSpan<A, T>(span: Span, ctx: Context, fn: (arg: A) => T, arg: A): T {
  let result: T;
  try {
    result = context.with(ctx, fn, undefined, arg);
  } catch (error) {
    recordError(span, error);
    span.end();
    throw error;
  }
  if (!isPromiseLike(result)) {
    span.end();
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      recordError(span, error);
      span.end();
      throw error;
    },
  ) as T;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
