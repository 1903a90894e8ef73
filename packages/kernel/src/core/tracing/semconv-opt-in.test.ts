import { afterEach, describe, expect, it, vi } from 'vitest';
import { writesDeprecated } from './semconv-opt-in.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('writesDeprecated', () => {
  it('is off without OTEL_SEMCONV_STABILITY_OPT_IN and for a namespace opted into the stable names only', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', '');
    expect(writesDeprecated('database')).toBe(false);
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'database,messaging');
    expect(writesDeprecated('database')).toBe(false);
    expect(writesDeprecated('messaging')).toBe(false);
  });

  it('is on per namespace listed with /dup, as the instrumentations read the list (spaces, case)', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'http/dup, Database/Dup');
    expect(writesDeprecated('database')).toBe(true);
    expect(writesDeprecated('messaging')).toBe(false);
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging/dup');
    expect(writesDeprecated('database')).toBe(false);
    expect(writesDeprecated('messaging')).toBe(true);
  });
});
