import { z } from 'zod';

/**
 * The keys redacted by default, wherever they appear (log fields, nested objects, span
 * attributes, headers). Matched case-insensitively and ignoring `-` and `_`, so `apiKey`,
 * `API_KEY` and `x-api-key` are all caught by their entry here.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'api_key',
  'apikey',
  'x-api-key',
  'private_key',
  'client_secret',
  'session',
  'credentials',
]);

const PatternSource = z.string().min(1).refine(
  (source) => {
    try {
      new RegExp(source, 'g');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid JavaScript regular expression' },
);

/**
 * What is redacted (section `redaction` of the Stitch config), in log lines and span
 * attributes alike. Every field has a default.
 */
export const RedactionOptionsSchema = z.object({
  /** Replaces the default key list when given. */
  keys: z.array(z.string().min(1)).default([...DEFAULT_REDACT_KEYS]),
  /** Added to `keys` (the usual way to extend the defaults). */
  extraKeys: z.array(z.string().min(1)).default([]),
  /** Extra value patterns (regular expression sources); every match is replaced. */
  patterns: z.array(PatternSource).default([]),
  /** Objects nested deeper than this are replaced whole, never written unexamined. */
  maxDepth: z.number().int().min(1).max(64).default(10),
  /** Strings longer than this are cut (then scanned), so a huge payload cannot stall a log call. */
  maxStringLength: z.number().int().min(64).default(32_768),
  /** Values examined per call; the rest of an enormous object is replaced, never written unexamined. */
  maxNodes: z.number().int().min(16).default(10_000),
});
export type RedactionOptions = z.infer<typeof RedactionOptionsSchema>;
export type RedactionOptionsInput = z.input<typeof RedactionOptionsSchema>;
