import { ErrorsResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { renderTable } from '../../cli/render-table.js';
import { UsageError } from '../../cli/usage-error.js';
import { booleanFlag, defineQuestion, QueryBoolean, windowFlags, WindowParams } from '../question.js';
import { renderTenantCounts } from './tenant-counts.js';

/** The longest `grep` text: longer than any message worth searching for, short enough to bound the scan's work. */
const MAX_GREP_CHARS = 200;

export const ErrorsParams = WindowParams.extend({
  /** Case-insensitive text that the message, the error type or the code contains; matched literally. */
  grep: z.string().min(1).max(MAX_GREP_CHARS).optional(),
  /** Also the kernel's bookkeeping spans (`stitch.housekeeping`); left out by default, as in search. */
  housekeeping: QueryBoolean.optional(),
});

/** `--grep` as the API takes it; a usage error (exit 2) for an empty or overlong text. */
function grepFlag(value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError('--grep needs the text to look for in the message, type or code');
  if (value.length > MAX_GREP_CHARS) throw new UsageError(`--grep is at most ${MAX_GREP_CHARS} characters`);
  return value;
}

export const errorsQuestion = defineQuestion({
  name: 'errors',
  asks: 'Which approval failed and where?',
  summary: 'which approval failed and where, and for whom: failures by entry, failing step and error code, tenants in the row; --grep a message or code',
  route: '/errors',
  params: ErrorsParams,
  scope: 'traces:read',
  answer: ErrorsResponseSchema,
  ask: async (ctx, params) =>
    (await import('../errors.js')).askErrors(ctx.store, ctx.scope(params), { limit: params.limit ?? 50, grep: params.grep, includeHousekeeping: params.housekeeping }),
  cli: {
    usage: 'stitch errors [--grep <text>] [--since 1h] [--until <time>] [--tenant <id>] [--limit 50] [--housekeeping]',
    example: 'stitch errors --grep "approval" --since 2h',
    flags: { grep: 'string', housekeeping: 'boolean' },
    params: (_args, flags) => ({ ...windowFlags(flags), grep: grepFlag(flags.grep), housekeeping: booleanFlag(flags.housekeeping) }),
    render: (e) =>
      renderTable(
        ['entry', 'failing step', 'error', 'message', 'count', 'traces', 'tenants', 'last seen', 'example trace'],
        e.groups.map((g) => [
          g.entry === null ? null : `${g.entryKind ?? '?'} ${g.entry}`,
          g.step,
          // As text, so a column of unknown types stays left-aligned like the words around it.
          g.errorType ?? '-',
          g.message,
          g.count,
          g.traceCount,
          renderTenantCounts(g.tenants, g.tenantCount),
          g.lastSeen,
          g.exampleTraceIds[0],
        ]),
      ),
  },
  ui: { path: '#/errors', label: 'Errors (grep a message or code)' },
});
