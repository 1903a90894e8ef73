import { LegacyAttr, SpanAttr } from '@stitch/contract';
import { describe, expect, it } from 'vitest';
import { attributeCondition } from './span-attribute-filter.js';

describe('attributeCondition', () => {
  it('reads the query-name column for the current name and for the one older kernels wrote (issue 13)', () => {
    const current = attributeCondition({ key: SpanAttr.queryName, value: 'orders.by_id' }, 'a');
    const older = attributeCondition({ key: LegacyAttr.queryName, value: 'orders.by_id' }, 'a');
    expect(current.sql).toBe('CAST(query_name AS VARCHAR) = $aValue');
    expect(older).toEqual(current);
  });

  it('reads any other key from the JSON of the attributes, the key as a parameter', () => {
    expect(attributeCondition({ key: SpanAttr.messagingSystem, value: 'bullmq' }, 'a')).toEqual({
      sql: 'json_extract_string(attributes, $aPath) = $aValue',
      params: { aPath: '$."messaging.system.name"', aValue: 'bullmq' },
    });
  });
});
