import { z } from 'zod';
import { parseOptions } from '../../core/options/parse-options.js';

/**
 * Options of the SQL wrapper (section `db` of the Stitch config). Every field has a default.
 *
 * `namedStatements` decides what happens to pg's named prepared statements (`{ name }`). The
 * server parses a named statement once per connection and then only executes it; pg refuses to
 * reuse a name with a different text. A per-request comment (trace id, request id) would make
 * every text different, so:
 * - `'static-comment'` (default): named statements get a comment with only the keys that never
 *   change (`application`), so they stay prepared and reused. `pg_stat_activity` shows that
 *   text; the span (and the statement's name) still lead back to the request.
 * - `'per-request-comment'`: named statements are sent unnamed with the full comment, so every
 *   execution is parsed and planned again. `bench/db-query.bench.ts` measures the difference.
 */
// The query budget is not here: it is `tracing.budgets.queryMillis` (and `overrides.query` per
// query name), applied by budgets/ to every span the wrapper marks as a query.
export const DbOptionsSchema = z.object({
  /** The sqlcommenter `application` key; usually the service name. */
  application: z.string().min(1).max(120).optional(),
  /** `false` sends statements exactly as written (spans and budgets still apply). */
  comment: z.boolean().default(true),
  namedStatements: z.enum(['static-comment', 'per-request-comment']).default('static-comment'),
});

/** The db options after validation and defaults. */
export type DbOptions = z.infer<typeof DbOptionsSchema>;
/** The db options as a user writes them (every field optional). */
export type DbOptionsInput = z.input<typeof DbOptionsSchema>;

/**
 * Validates and freezes db options.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad field.
 */
export function parseDbOptions(input: DbOptionsInput): DbOptions {
  return parseOptions(DbOptionsSchema, input, 'db');
}
