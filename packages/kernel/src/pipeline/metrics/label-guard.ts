/** The value every label takes past its declared bound. */
export const OTHER = 'other';

/** Counts folds per (metric, label), read by `stitch_metrics_label_folds_total`. */
export class FoldCounter {
  readonly counts = new Map<string, number>();

  add(metric: string, label: string): void {
    const key = `${metric}\u0000${label}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  *entries(): Iterable<{ metric: string; label: string; count: number }> {
    for (const [key, count] of this.counts) {
      const [metric = '', label = ''] = key.split('\u0000');
      yield { metric, label, count };
    }
  }
}

/**
 * One label's bound: the first `bound` distinct values keep their own series, every later one
 * folds into `other` and the fold is counted (metric and label named). A value that arrives
 * once and never again still holds its slot: a series, once created, lives as long as the
 * process in Prometheus's model, so a slot given back would not free a series anyway.
 *
 * @example
 *   const route = new BoundedLabel('http_server_request_duration_seconds', 'http_route', 200, folds);
 *   route.value('/orders/:id') // '/orders/:id', or 'other' past 200 templates
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    readonly metric: string,
    readonly label: string,
    readonly bound: number,
    private readonly folds: FoldCounter,
    /** Values that never fold and take no slot (`other` itself, `unmatched`, fixed sets). */
    private readonly always: ReadonlySet<string> = new Set([OTHER]),
  ) {}

  value(raw: string): string {
    if (this.always.has(raw) || this.seen.has(raw)) return raw;
    if (this.seen.size < this.bound) {
      this.seen.add(raw);
      return raw;
    }
    this.folds.add(this.metric, this.label);
    return OTHER;
  }
}

/** A label whose values are a fixed set: anything else is `other` (and counted). */
export class EnumLabel {
  constructor(
    readonly metric: string,
    readonly label: string,
    private readonly values: ReadonlySet<string>,
    private readonly folds: FoldCounter,
  ) {}

  get bound(): number {
    return this.values.size + 1;
  }

  value(raw: string): string {
    if (this.values.has(raw)) return raw;
    this.folds.add(this.metric, this.label);
    return OTHER;
  }
}
