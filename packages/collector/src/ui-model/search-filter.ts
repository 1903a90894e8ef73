/** The trace search form's state, as it travels in the page URL and in the API query. */
export interface SearchFilter {
  tenant: string;
  service: string;
  route: string;
  /** Text in any span's name. */
  name: string;
  /** `key=value`: any span's attribute. */
  attr: string;
  /** Text as typed; sent only when it is a non-negative number. */
  minDurationMs: string;
  errors: boolean;
  violations: boolean;
  /** Also the kernel's own bookkeeping traces (relay and dispatcher work, run records), hidden by default. */
  housekeeping: boolean;
  /** `15m`, `1h`, `24h`… or an ISO time: the API's `since`. */
  since: string;
  until: string;
}

export const EMPTY_FILTER: SearchFilter = {
  tenant: '',
  service: '',
  route: '',
  name: '',
  attr: '',
  minDurationMs: '',
  errors: false,
  violations: false,
  housekeeping: false,
  since: '1h',
  until: '',
};

/**
 * The query string for `GET /api/traces` (and the page URL): only the filters that are set,
 * trimmed, so an empty form asks for everything in the default window.
 *
 * @example toSearchQuery({ ...EMPTY_FILTER, errors: true }) // 'since=1h&errors=true'
 */
export function toSearchQuery(filter: SearchFilter): string {
  const q = new URLSearchParams();
  const put = (key: string, value: string): void => {
    const v = value.trim();
    if (v !== '') q.set(key, v);
  };
  put('tenant', filter.tenant);
  put('service', filter.service);
  put('route', filter.route);
  put('name', filter.name);
  put('attr', filter.attr);
  const min = Number(filter.minDurationMs.trim());
  if (filter.minDurationMs.trim() !== '' && Number.isFinite(min) && min >= 0) q.set('minDurationMs', String(min));
  if (filter.errors) q.set('errors', 'true');
  if (filter.violations) q.set('violations', 'true');
  if (filter.housekeeping) q.set('housekeeping', 'true');
  put('since', filter.since);
  put('until', filter.until);
  return q.toString();
}

/** Reads a filter back from a query string (the page URL); unknown keys are ignored. */
export function parseSearchFilter(query: string): SearchFilter {
  const q = new URLSearchParams(query);
  const flag = (key: string): boolean => q.get(key) === 'true' || q.get(key) === '1';
  return {
    tenant: q.get('tenant') ?? '',
    service: q.get('service') ?? '',
    route: q.get('route') ?? '',
    name: q.get('name') ?? '',
    attr: q.get('attr') ?? '',
    minDurationMs: q.get('minDurationMs') ?? '',
    errors: flag('errors'),
    violations: flag('violations'),
    housekeeping: flag('housekeeping'),
    since: q.get('since') ?? EMPTY_FILTER.since,
    until: q.get('until') ?? '',
  };
}
