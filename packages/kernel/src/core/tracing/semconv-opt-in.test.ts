import { afterEach, describe, expect, it } from 'vitest';
import { applySemconvOptIn, writesDeprecated } from './semconv-opt-in.js';

afterEach(() => applySemconvOptIn([]));

describe('writesDeprecated', () => {
  it('is off before any start, with an empty list, and for a namespace opted into the stable names only', () => {
    expect(writesDeprecated('database')).toBe(false);
    applySemconvOptIn(['database', 'messaging']);
    expect(writesDeprecated('database')).toBe(false);
    expect(writesDeprecated('messaging')).toBe(false);
  });

  it('is on per namespace listed with /dup, as the instrumentations read the list (spaces, case)', () => {
    applySemconvOptIn(['http/dup', ' Database/Dup']);
    expect(writesDeprecated('database')).toBe(true);
    expect(writesDeprecated('messaging')).toBe(false);
    applySemconvOptIn(['messaging/dup']);
    expect(writesDeprecated('database')).toBe(false);
    expect(writesDeprecated('messaging')).toBe(true);
  });
});
