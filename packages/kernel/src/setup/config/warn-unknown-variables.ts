import type { WarnLogger } from '../../pipeline/budgets/budget-processor.js';
import { unknownStitchVariables } from './load-config.js';
import type { StitchConfig } from './stitch-config.js';

const UNKNOWN = 'unknown STITCH_* environment variable, ignored (docs/configuration.md lists the known ones)';
const UNKNOWN_WITH_NEAREST = 'unknown STITCH_* environment variable, ignored; did_you_mean names the known one';

// One warning per loaded config: createStitch hands its config to startStitch, which must not repeat it.
const warned = new WeakSet<StitchConfig>();

/**
 * Warns once, at start, about each `STITCH_*` variable the config's environment set that nothing
 * reads, naming the known variable it is likely a typo of (issue 13): `STITCH_LOG_LEVLE=debug`
 * would otherwise leave the default level in force without a word. Start-up goes on: an unknown
 * name is not a bad value.
 *
 * @example
 *   warnUnknownVariables(config, logger);
 *   // {"variable":"STITCH_LOG_LEVLE","did_you_mean":"STITCH_LOG_LEVEL","msg":"unknown STITCH_* environment variable, ignored; did_you_mean names the known one"}
 */
export function warnUnknownVariables(config: StitchConfig, logger: WarnLogger): void {
  if (warned.has(config)) return;
  warned.add(config);
  for (const unknown of unknownStitchVariables(config)) {
    logger.warn(
      { variable: unknown.name, ...(unknown.nearest !== undefined && { did_you_mean: unknown.nearest }) },
      unknown.nearest === undefined ? UNKNOWN : UNKNOWN_WITH_NEAREST,
    );
  }
}
