import { BoundedLabel, OTHER } from './label-guard.js';
import type { FoldCounter } from './label-guard.js';

/** `tenants` of createMetrics: off by default; a named allowlist, or the first `top` tenants seen. */
export type TenantLabelOptions = { readonly allow: readonly string[] } | { readonly top: number };

/**
 * The tenant as a label, only when the operator enables it: every tenant is a series multiplied
 * by every route, so it is off unless asked. `allow` names the tenants worth a series (the
 * largest customers); `top` keeps the first N seen (a bound, not a ranking: a true top-N would
 * need a count per tenant ever seen, which is the unbounded state this avoids). Requests with no
 * tenant are `none`; the rest fold into `other`, counted.
 */
export class TenantLabel {
  private readonly allow: ReadonlySet<string> | undefined;
  private readonly top: BoundedLabel | undefined;

  constructor(options: TenantLabelOptions, private readonly folds: FoldCounter) {
    const metric = 'http_server_request_duration_seconds';
    if ('allow' in options) this.allow = new Set(options.allow);
    else this.top = new BoundedLabel(metric, 'tenant_id', options.top, folds, new Set([OTHER, 'none']));
  }

  value(tenantId: string | undefined): string {
    if (tenantId === undefined || tenantId === '') return 'none';
    if (this.top !== undefined) return this.top.value(tenantId);
    if (this.allow!.has(tenantId)) return tenantId;
    this.folds.add('http_server_request_duration_seconds', 'tenant_id');
    return OTHER;
  }
}
