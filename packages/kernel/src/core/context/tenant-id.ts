import { TENANT_ID_MAX_LENGTH, TENANT_ID_PATTERN } from '@stitch/contract';
import { StitchError } from '../errors/stitch-error.js';

// The first character outside the rule's set, to say where a refused id goes wrong.
const OUTSIDE_THE_SET = /[^A-Za-z0-9._:-]/;

/**
 * The tenant id `withContext()` and `runInNewContext()` were given, checked where it enters a
 * context against `TenantIdSchema` (the rule `runInContext()` applies to a carried context):
 * an opaque string of 1–128 letters, digits and `. _ : -`, starting with a letter or digit. A
 * UUID, a slug (`acme`), a provider's `org_…` id all pass, as written.
 *
 * Why bounded, and this charset: the tenant goes as written into the SQL comment of every
 * query, the baggage of outgoing calls, every span and log line, and the collector's
 * `--tenant` filter. A raw header value (a CR LF, a `*\/`, 10 kB) must never get there; these
 * characters need no escaping anywhere, and a leading letter or digit is never read as a flag.
 *
 * @throws StitchError `STITCH_ERR_TENANT_INVALID` (400) saying what is wrong, without echoing
 *   the value unless it is short and plain.
 * @example
 *   checkTenantId('acme'); // 'acme'
 *   checkTenantId('acme\r\nx: 1'); // throws STITCH_ERR_TENANT_INVALID: character 5 is U+000D
 */
export function checkTenantId(tenantId: unknown): string {
  // TenantIdSchema's rule, without a zod parse: this runs on every request's withContext.
  if (typeof tenantId === 'string' && tenantId.length <= TENANT_ID_MAX_LENGTH && TENANT_ID_PATTERN.test(tenantId)) return tenantId;
  throw new StitchError('STITCH_ERR_TENANT_INVALID', { detail: whyNot(tenantId) });
}

// Describes the value rather than quoting it: a hostile or oversized one must not land in the
// log line that reports it.
function whyNot(value: unknown): string {
  if (typeof value !== 'string') return `got ${value === null ? 'null' : typeof value}, not a string`;
  if (value.length === 0) return 'got an empty string';
  if (value.length > TENANT_ID_MAX_LENGTH) return `got ${value.length} characters, more than ${TENANT_ID_MAX_LENGTH}`;
  const bad = value.search(OUTSIDE_THE_SET);
  if (bad >= 0) {
    const codePoint = value.codePointAt(bad) ?? 0;
    return `character ${bad + 1} of ${value.length} is U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  // Only allowed characters, so safe to show: it starts with one of . _ : -
  return `'${value}' starts with '${value[0]}'`;
}
