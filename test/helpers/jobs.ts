import type { Jobs } from '../../packages/kernel/src/hops/jobs/jobs.js';
import { waitFor } from './pg-queryable.js';

/** The run's origin record once its outcome is final (succeeded or failed), polled. */
export function waitForFinalOutcome(jobs: Pick<Jobs, 'origin'>, runId: string) {
  return waitFor(async () => {
    const origin = await jobs.origin(runId);
    return origin !== undefined && (origin.outcome === 'succeeded' || origin.outcome === 'failed') ? origin : undefined;
  });
}
