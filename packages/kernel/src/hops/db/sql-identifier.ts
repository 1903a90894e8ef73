import { StitchError } from '../../core/errors/stitch-error.js';

// Lower-case, unquoted-safe Postgres identifiers only (NAMEDATALEN 64 → 63 bytes): the schema
// name is configuration, interpolated into DDL, so anything else is refused rather than quoted.
export const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
export const IDENTIFIER_RULE = 'use lower-case letters, digits and _ (at most 63)';

/**
 * `name` as a double-quoted Postgres identifier, after checking it is a plain one.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` for anything but `[a-z_][a-z0-9_]*` (≤ 63).
 * @example
 *   const table = `${quoteIdentifier(schema)}.audit_events`;
 */
export function quoteIdentifier(name: string, field = 'schema'): string {
  if (!IDENTIFIER.test(name)) {
    throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: `${field} "${name}": ${IDENTIFIER_RULE}` });
  }
  return `"${name}"`;
}
