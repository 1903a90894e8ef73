import { z } from 'zod';

/**
 * OpenTelemetry's stability opt-in, `OTEL_SEMCONV_STABILITY_OPT_IN` (a comma-separated list, as
 * the instrumentations read it): with `database/dup` or `messaging/dup` the kernel also writes
 * that namespace's deprecated names (`LegacyAttr`: `db.system`, `db.query.name`,
 * `messaging.system`) beside the current ones, for dashboards and alerts still keyed on them
 * while they migrate. Otherwise only the current names: the kernel has no "old only" mode to keep.
 *
 * The variable is a row of the config table (`semconv.stabilityOptIn`), read once by the loader;
 * `startStitch` and `stitchSdkOptions` hand the list to the hops here, so the question a query or
 * job span asks is one property read, not an env read per span (about 120 ns on that path).
 * Before any start, only the current names are written.
 *
 * @example
 *   // OTEL_SEMCONV_STABILITY_OPT_IN=http,database/dup, then startStitch()
 *   writesDeprecated('database'); // true
 *   writesDeprecated('messaging'); // false
 */
export type SemconvNamespace = 'database' | 'messaging';

/** Section `semconv` of the Stitch config. */
export const SemconvOptionsSchema = z.object({
  /** OpenTelemetry's list as written (`http`, `database/dup`, …); only `<namespace>/dup` changes what the kernel writes. */
  stabilityOptIn: z.array(z.string()).default([]),
});
export type SemconvOptions = z.infer<typeof SemconvOptionsSchema>;

const duplicated: Record<SemconvNamespace, boolean> = { database: false, messaging: false };

/** Sets what the hops write from the config's list; called at start. Entries are matched trimmed and case-insensitively, as the instrumentations do. */
export function applySemconvOptIn(stabilityOptIn: readonly string[]): void {
  const entries = new Set(stabilityOptIn.map((entry) => entry.trim().toLowerCase()));
  for (const namespace of Object.keys(duplicated) as SemconvNamespace[]) duplicated[namespace] = entries.has(`${namespace}/dup`);
}

export function writesDeprecated(namespace: SemconvNamespace): boolean {
  return duplicated[namespace];
}
