/**
 * OpenTelemetry's stability opt-in, `OTEL_SEMCONV_STABILITY_OPT_IN` (a comma-separated list, as
 * the instrumentations read it): with `database/dup` or `messaging/dup` the kernel also writes
 * that namespace's deprecated names (`LegacyAttr`: `db.system`, `db.query.name`,
 * `messaging.system`) beside the current ones, for dashboards and alerts still keyed on them
 * while they migrate. Otherwise only the current names: the kernel has no "old only" mode to keep.
 *
 * Read per call, parsed again only when the variable's text changed, so a service (or a test)
 * that sets it after import is seen; the cost per span is one env read and one Set lookup.
 *
 * @example
 *   // OTEL_SEMCONV_STABILITY_OPT_IN=http,database/dup
 *   writesDeprecated('database'); // true
 *   writesDeprecated('messaging'); // false
 */
export type SemconvNamespace = 'database' | 'messaging';

let parsedText: string | undefined;
let parsed = new Set<string>();

export function writesDeprecated(namespace: SemconvNamespace): boolean {
  const text = process.env.OTEL_SEMCONV_STABILITY_OPT_IN ?? '';
  if (text !== parsedText) {
    parsedText = text;
    parsed = new Set(text.split(',').map((entry) => entry.trim().toLowerCase()));
  }
  return parsed.has(`${namespace}/dup`);
}
