/** Per job name: what this process enqueued and how its attempts went. */
export interface JobNameCounts {
  readonly enqueued: number;
  /** Attempts started here (a worker); started − (succeeded + retrying + failed) are running. */
  readonly started: number;
  readonly succeeded: number;
  /** Attempts that failed with attempts left: the engine runs the job again. */
  readonly retrying: number;
  /** Attempts that failed on the last attempt: the run failed. */
  readonly failed: number;
}

/** `jobs.stats()`: the counts by job name, for `createMetrics({ jobs })` and dashboards. */
export interface JobStats {
  readonly byName: Readonly<Record<string, JobNameCounts>>;
}

/**
 * Job names are code's, but a name built from data (`report.${tenant}`) must not grow this map
 * without end: past this many names, further ones count under `other`.
 */
const MAX_NAMES = 1_000;

type Mutable = { -readonly [K in keyof JobNameCounts]: number };

/** The counters `createJobs` keeps as it enqueues and runs attempts (one object per Jobs). */
export class JobCounts {
  private readonly byName = new Map<string, Mutable>();

  count(name: string, what: keyof JobNameCounts): void {
    let counts = this.byName.get(name);
    if (counts === undefined) {
      const key = this.byName.size < MAX_NAMES ? name : 'other';
      counts = this.byName.get(key);
      if (counts === undefined) {
        counts = { enqueued: 0, started: 0, succeeded: 0, retrying: 0, failed: 0 };
        this.byName.set(key, counts);
      }
    }
    counts[what] += 1;
  }

  stats(): JobStats {
    return { byName: Object.fromEntries([...this.byName].map(([name, counts]) => [name, { ...counts }])) };
  }
}
