/** The retry settings both sides of the jobs use: short backoff, so a demo's retries happen within seconds. */
export const JOB_DEFAULTS = { attempts: 3, backoffMillis: 100 } as const;
