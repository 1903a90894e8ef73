import type { ClientCallConfig } from './client-call.js';
import { HttpOutOptionsSchema } from './http-out-options.js';
import type { HttpOutOptionsInput } from './http-out-options.js';
import { patchNodeHttp } from './node-http-patch.js';
import { createTrustedDestinations } from './trusted-destinations.js';
import { subscribeUndici } from './undici-channels.js';
import { parseOptions } from '../../core/options/parse-options.js';

/** Undoes installHttpOut(). Calling it twice, or after a later install replaced it, does nothing. */
export type UninstallHttpOut = () => void;

let current: { readonly uninstall: () => void } | undefined;

/**
 * Makes every outbound `fetch`/undici and `node:http`/`https` request made inside a traced
 * context a CLIENT span (`HTTP <method>`) that carries exactly one `traceparent` (that span's
 * id, the parent's flags) and the `tracestate`, plus W3C `baggage` with the tenant and actor
 * only to trusted destinations. The host's requests are otherwise unchanged: same headers,
 * same errors, same timing of events.
 *
 * One installation is in force at a time; installing again replaces the previous one.
 *
 * Alongside OpenTelemetry's own HTTP instrumentations, one span per call (issue 13): a request
 * that already has a `traceparent` is left to whoever set it (only the trusted baggage is
 * added), so `@opentelemetry/instrumentation-http` (either order) and
 * `@opentelemetry/instrumentation-undici` enabled before this call trace it alone; their span
 * gets the external-call budget mark from Stitch's pipeline (InstrumentedClientSpanProcessor).
 * instrumentation-undici enabled after this call is noticed when its span starts, within the
 * same request: Stitch withdraws its own call for it and steps aside (undici-channels.ts). Any
 * other injector that adds a second `traceparent` to fetch makes Stitch stop injecting there,
 * with a diag warning; pass `fetch: false` to leave fetch to it from the start.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` when `options` do not satisfy HttpOutOptionsSchema.
 * @example
 *   const uninstall = installHttpOut({ trustedDestinations: ['https://billing.internal'] });
 *   await fetch('https://billing.internal/invoices'); // traceparent + baggage: tenant.id=…
 *   uninstall();
 */
export function installHttpOut(options: HttpOutOptionsInput = {}): UninstallHttpOut {
  const config = parseOptions(HttpOutOptionsSchema, options, 'httpOut');
  current?.uninstall();
  current = undefined;
  if (!config.enabled) return () => {};

  const callConfig: ClientCallConfig = {
    isTrusted: createTrustedDestinations(config.trustedDestinations),
    baggageKeys: config.baggageKeys,
  };
  const undo: (() => void)[] = [];
  if (config.fetch) undo.push(subscribeUndici(callConfig));
  if (config.nodeHttp) undo.push(patchNodeHttp(callConfig));

  let done = false;
  const installation = {
    uninstall(): void {
      if (done) return;
      done = true;
      for (const fn of undo.reverse()) fn();
      if (current === installation) current = undefined;
    },
  };
  current = installation;
  return () => installation.uninstall();
}
