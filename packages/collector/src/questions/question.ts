import type { TokenScope } from '@stitch/contract';
import { TenantIdSchema } from '@stitch/contract';
import { z } from 'zod';
import type { TokenRecord } from '../auth/token-store.js';
import type { CollectorConfig } from '../config/collector-config.js';
import type { IngestStats } from '../store/ingest-stats.js';
import type { Store } from '../store/store.js';
import { UsageError } from '../cli/usage-error.js';
import type { QueryScope } from './query-scope.js';

/** The parsed command line a question's CLI part reads: positional arguments and flags. */
export type CliFlags = Record<string, string | boolean | undefined>;

/** What a question is asked with on the server: the store, the caller's token, and its tenancy. */
export interface AskContext {
  store: Store;
  stats: IngestStats;
  config: CollectorConfig;
  queueDepth: () => number;
  token: TokenRecord;
  /** The tenant the answer is confined to: the token's pin, else the requested one, else null (all). */
  tenant(requested: string | undefined): string | null;
  /** The tenant and the time window, `since`/`until` resolved against the configured maximum. */
  scope(params: WindowParams, defaultHours?: number): QueryScope;
}

/**
 * One question Stitch answers, declared once. The API route, the CLI command and its help, the
 * UI's list of questions (`GET /api/questions`) are all derived from these declarations, so a
 * new question is one file in `questions/registry/`.
 */
export interface Question<P extends z.ZodType = z.ZodType, A extends z.ZodType = z.ZodType> {
  /** The CLI command and the question's key. */
  name: string;
  /** The user's question this answers, as the seeds ask it; absent for plumbing (status, audit). */
  asks?: string;
  summary: string;
  /** GET route under /api; `:name` segments are path parameters, the rest of `params` the query. */
  route: string;
  /** Path parameters and query string together; invalid input is a 400 that names the field. */
  params: P;
  /** The token scope required; `any` = any valid token. */
  scope: TokenScope | 'any';
  answer: A;
  /**
   * Answers on the server. Declarations import their SQL module here, when first asked
   * (`(await import('../slow.js')).askSlow(…)`), not at the top: the CLI loads the registry for
   * its commands, help and renderers and never asks, and the ask modules were ~30 ms of CPU of
   * every `stitch` call's start-up (bench/cli-startup.bench.ts).
   */
  ask(ctx: AskContext, params: z.infer<P>): Promise<z.infer<A>>;
  /** With `follow=true` the API streams live answers as NDJSON instead (logs only). */
  follows?: boolean;
  /** The command line; absent for questions only the UI asks. */
  cli?: {
    usage: string;
    /** One runnable example, shown by `stitch <command> --help`. */
    example: string;
    /** The command's own flags beyond the common ones (`--grep <text>`: `{ grep: 'string' }`). */
    flags?: Readonly<Record<string, 'string' | 'boolean'>>;
    /** Positional arguments and flags to `params` (path parameters included, by name). */
    params(args: string[], flags: CliFlags): Record<string, string | undefined>;
    render(answer: z.infer<A>): string;
  };
  /** Where the web UI answers it (a hash route), for the landing page's list. */
  ui?: { path: string; label: string };
}

/** Keeps each declaration's parameter and answer types checked against its own functions. */
export function defineQuestion<P extends z.ZodType, A extends z.ZodType>(q: Question<P, A>): Question {
  return q as unknown as Question;
}

/** The window every time-bound question takes. */
export const WindowParams = z.object({
  since: z.string().max(64).optional(),
  until: z.string().max(64).optional(),
  tenant: TenantIdSchema.optional(),
  limit: z.coerce.number().int().positive().max(10_000).optional(),
});
export type WindowParams = z.infer<typeof WindowParams>;

/** Query-string booleans: `true`/`1` and `false`/`0`. */
export const QueryBoolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export function flag(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag as a query-string value: `--housekeeping` → `true`, absent → left out. */
export function booleanFlag(v: string | boolean | undefined): string | undefined {
  return v === true ? 'true' : undefined;
}

/** The CLI's window flags, with `--limit` checked here so the error is a usage error (exit 2). */
export function windowFlags(flags: CliFlags): Record<string, string | undefined> {
  const limit = flag(flags.limit);
  if (limit !== undefined && !/^[1-9][0-9]*$/.test(limit)) throw new UsageError(`--limit must be a positive whole number, not "${limit}"`);
  return { since: flag(flags.since), until: flag(flags.until), tenant: flag(flags.tenant), limit };
}

/** The first positional argument, or a usage error naming what is missing. */
export function positional(args: string[], what: string): string {
  const v = args[0];
  if (!v) throw new UsageError(`missing ${what}`);
  return v;
}

/** `/jobs/:id/origin` + `{ id: 'x', since: '1h' }` → the path and the remaining query. */
export function requestFor(route: string, params: Record<string, string | undefined>): { path: string; query: Record<string, string | undefined> } {
  const query = { ...params };
  const path = route.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = query[name] ?? '';
    delete query[name];
    return encodeURIComponent(value);
  });
  return { path: `/api${path}`, query };
}
