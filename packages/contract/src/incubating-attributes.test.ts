import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as copied from './incubating-attributes.js';

describe('the incubating conventions the contract copies', () => {
  it('match @opentelemetry/semantic-conventions/incubating, name for name', () => {
    const names = Object.keys(copied) as (keyof typeof copied)[];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect({ name, value: copied[name] }).toEqual({ name, value: (incubating as Record<string, unknown>)[name] });
  });
});
