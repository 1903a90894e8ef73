import { describe, expect, it } from 'vitest';
import { createIngestStats, recentIngestRate, sampleIngestRate } from './ingest-stats.js';

describe('recentIngestRate', () => {
  it('reports the rate over about the last minute, not since start', () => {
    const stats = createIngestStats();
    const t0 = stats.startedAtMillis;
    stats.acceptedSpans = 1_000_000;
    for (let s = 0; s <= 120; s += 5) sampleIngestRate(stats, t0 + s * 1000);
    stats.acceptedSpans += 6_000;
    const rate = recentIngestRate(stats, t0 + 125_000);
    expect(rate.spans).toBeCloseTo(6_000 / 65, 1);
  });
});
