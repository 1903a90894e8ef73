import { z } from 'zod';
import { parseOptions } from '../../core/options/parse-options.js';
import { IDENTIFIER, IDENTIFIER_RULE, quoteIdentifier } from './sql-identifier.js';

/** A Postgres schema name the kernel interpolates into DDL: plain lower-case identifiers only. */
export const SqlSchemaNameSchema = z.string().regex(IDENTIFIER, { message: IDENTIFIER_RULE }).default('stitch');

/** The options every SQL store of the hops shares (audit log, outbox, checkpoints, run records): its schema. */
export const SqlStoreOptionsSchema = z.object({
  /** Schema of the store's tables, created by `migrate()`. Default `stitch`. */
  schema: SqlSchemaNameSchema,
});

export interface SqlStoreSettings {
  /** The schema name as given (prepared statement names carry it). */
  readonly schemaName: string;
  /** The same, double-quoted for SQL text. */
  readonly schema: string;
}

/**
 * A SQL store's options through `parseOptions`, after the caller took its handles (the
 * database) out: one `STITCH_ERR_CONFIG_INVALID` naming `section.schema` or an unknown key with
 * the nearest valid one.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option.
 * @example
 *   const { db, ...settings } = options;
 *   const { schema } = parseSqlStoreOptions(settings, 'outbox');
 *   const table = `${schema}.outbox_events`;
 */
export function parseSqlStoreOptions(settings: unknown, section: string): SqlStoreSettings {
  const { schema } = parseOptions(SqlStoreOptionsSchema, settings, section);
  return { schemaName: schema, schema: quoteIdentifier(schema, `${section}.schema`) };
}
