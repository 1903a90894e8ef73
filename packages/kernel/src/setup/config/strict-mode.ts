import { fileURLToPath } from 'node:url';
import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { ErrorCode } from '@stitch/contract';
import { StitchError } from '../../core/errors/stitch-error.js';
import { isHousekeeping } from '../../core/tracing/housekeeping.js';

/**
 * Strict mode: the drift production only counts (a log line outside any context, a query whose
 * comment names no request, a job or webhook sent from nowhere, an event without trace headers,
 * a span mixing tenants) is raised as a StitchError where it happens, naming the caller's frame,
 * so it fails the test or the developer's request that introduced it instead of a dashboard
 * weeks later. Off in production: telemetry never breaks the host there (STYLE.md §6).
 *
 * Module-level, like `logStats()`: every hop of the process asks the same question, and most
 * of them (a logger, a database wrapper) are made before or without `createStitch`.
 */

/** Which setting is in force: set by `createStitch` (config `strict`), else read from the env on first use. */
let configured: boolean | undefined;
let fromEnv: boolean | undefined;

const EXEMPT = createContextKey('stitch.strict.exempt');

/** The environments where strict mode is on unless told otherwise. */
const STRICT_NODE_ENVS: ReadonlySet<string> = new Set(['test', 'development']);

/**
 * The env's answer: `STITCH_STRICT=true|false` when set, else on under NODE_ENV `test` or
 * `development`. The one place these variables are read (STYLE.md §12).
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` for a STITCH_STRICT that is not a boolean.
 */
export function readStrictModeEnv(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const explicit = env.STITCH_STRICT?.trim().toLowerCase();
  if (explicit === 'true' || explicit === '1') return true;
  if (explicit === 'false' || explicit === '0') return false;
  if (explicit !== undefined && explicit !== '') {
    throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: `STITCH_STRICT=${env.STITCH_STRICT}: must be true or false` });
  }
  return strictByNodeEnv(env.NODE_ENV);
}

/** Strict mode's default for a NODE_ENV: on under `test` and `development`, off otherwise. */
export function strictByNodeEnv(nodeEnv: string | undefined): boolean {
  return STRICT_NODE_ENVS.has(nodeEnv?.trim() ?? '');
}

/**
 * Turns strict mode on or off for the process; `undefined` goes back to the env's answer.
 * `createStitch` calls it with the loaded config's `strict`.
 *
 * @example
 *   setStrictMode(false); // a test that exercises the counted path on purpose
 */
export function setStrictMode(enabled: boolean | undefined): void {
  configured = enabled;
  if (waitingForStrictMode.size > 0 && isStrictMode()) {
    const installs = [...waitingForStrictMode];
    waitingForStrictMode.clear();
    for (const install of installs) install();
  }
}

const waitingForStrictMode = new Set<() => void>();

/**
 * Runs `install` now when strict mode is on, else when `setStrictMode` first turns it on: for a
 * check that costs a hop something per call (a guard around a driver), so that with strict
 * mode off there is nothing to pay. Answers the function that cancels a pending install.
 *
 * @example
 *   const cancel = whenStrictModeOn(() => guardPgConnection(pool, true));
 */
export function whenStrictModeOn(install: () => void): () => void {
  if (isStrictMode()) {
    install();
    return () => undefined;
  }
  waitingForStrictMode.add(install);
  return () => waitingForStrictMode.delete(install);
}

/** Whether strict mode is on for the process (ignoring `withoutStrictMode` scopes). */
export function isStrictMode(): boolean {
  if (configured !== undefined) return configured;
  fromEnv ??= readEnvOnce();
  return fromEnv;
}

// Read on first use, from a hop (a log call, a query): a bad STITCH_STRICT must not throw there.
// loadConfig (createStitch) refuses it at start-up with STITCH_ERR_CONFIG_INVALID.
function readEnvOnce(): boolean {
  try {
    return readStrictModeEnv();
  } catch {
    return readStrictModeEnv({ NODE_ENV: process.env.NODE_ENV });
  }
}

/**
 * Whether a hop running in `ctx` must raise instead of counting. The kernel's own bookkeeping
 * never is a violation: polls run with tracing suppressed, record writes and readiness reads
 * (`outbox.lag()`) as housekeeping, DDL and exporter warnings in `withoutStrictMode`.
 */
export function strictModeApplies(ctx: Context = context.active()): boolean {
  return isStrictMode() && ctx.getValue(EXEMPT) !== true && !isTracingSuppressed(ctx) && !isHousekeeping(ctx) && contextsPropagate();
}

const PROBE = createContextKey('stitch.strict.probe');

// Without a context manager (Stitch never started in this process) nothing can ever be in a
// context, the kernel's own bookkeeping included: there is no drift to hold the code to. Asked
// only on the way to a violation, so its `context.with` is never on the hot path.
function contextsPropagate(): boolean {
  return context.with(ROOT_CONTEXT.setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
}

/**
 * Runs `fn` (and everything it starts, across awaits) with strict mode's checks off: for code
 * that is outside any context on purpose, such as the kernel's own diagnostics or a test of the
 * counted path. Prefer `runInNewContext()` for start-up work: it gets a trace as well.
 *
 * @example
 *   await withoutStrictMode(() => logger.info('listening'));
 */
export function withoutStrictMode<T>(fn: () => T): T {
  return context.with(context.active().setValue(EXEMPT, true), fn);
}

/**
 * The error a hop throws in strict mode, naming the first frame outside the kernel: the line of
 * the service (or test) that caused it.
 *
 * @example
 *   if (!hasCurrentContext() && strictModeApplies()) throw strictViolation('STITCH_ERR_STRICT_LOG_OUTSIDE_CONTEXT');
 */
export function strictViolation(code: ErrorCode, params: Readonly<Record<string, string | number>> = {}): StitchError {
  return new StitchError(code, { ...params, callSite: callSite(new Error().stack ?? '') });
}

// The kernel's folder (src/ or dist/): its frames are skipped, except its own tests, which are
// the "service" when the kernel tests itself.
const KERNEL_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEST_FILE = /\.test\.[cm]?[jt]s\b/;

/** @internal Exported for its test: the first frame of `stack` that is not the kernel's, a dependency's or Node's. */
export function callSite(stack: string): string {
  const frames = stack.split('\n').slice(1).map((line) => line.trim().replace(/^at /, ''));
  const caller = frames.find((frame) => {
    if (frame.includes('node:') || frame.includes('/node_modules/')) return false;
    const path = frame.includes('file://') ? safePath(frame) : frame;
    return !path.includes(KERNEL_ROOT) || TEST_FILE.test(path);
  });
  return caller ?? 'unknown location';
}

function safePath(frame: string): string {
  return frame.replace(/file:\/\/[^\s)]+/g, (url) => {
    try {
      return fileURLToPath(url.replace(/:\d+:\d+$/, '')) + (url.match(/:\d+:\d+$/)?.[0] ?? '');
    } catch {
      return url;
    }
  });
}
