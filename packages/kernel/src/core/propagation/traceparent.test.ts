import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

const TID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PID = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads a version-00 header into its four fields', () => {
    expect(parseTraceparent(`00-${TID}-${PID}-01`)).toEqual({ ok: true, traceparent: { version: 0, traceId: TID, parentId: PID, traceFlags: 1 } });
  });

  it('ignores any amount of surrounding spaces and tabs', () => {
    expect(parseTraceparent(` \t 00-${TID}-${PID}-00\t `).ok).toBe(true);
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '  ', 'missing'],
    ['two header lines', [`00-${TID}-${PID}-01`, `00-${TID}-${PID}-01`], 'multiple_headers'],
    ['two headers joined by Node', `00-${TID}-${PID}-01, 00-${TID}-${PID}-01`, 'multiple_headers'],
    ['uppercase hex', `00-${TID.toUpperCase()}-${PID}-01`, 'uppercase_hex'],
    ['version ff', `ff-${TID}-${PID}-01`, 'version_ff'],
    ['extra field after version 00', `00-${TID}-${PID}-01-extra`, 'version_00_extra_fields'],
    ['trailing dot after version 00', `00-${TID}-${PID}-01.`, 'version_00_extra_fields'],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${PID}-01`, 'trace_id_all_zero'],
    ['all-zero parent id', `00-${TID}-${'0'.repeat(16)}-01`, 'parent_id_all_zero'],
    ['short trace id', `00-${TID.slice(1)}-${PID}-01`, 'malformed'],
    ['non-hex flags', `00-${TID}-${PID}-0g`, 'malformed'],
    ['future version glued to garbage', `cc-${TID}-${PID}-01.next`, 'malformed'],
  ] as const)('rejects %s', (_name, header, reason) => {
    expect(parseTraceparent(header)).toEqual({ ok: false, reason });
  });

  it('parses a future version by its first four fields and keeps only the sampled flag', () => {
    expect(parseTraceparent(`cc-${TID}-${PID}-03-what-the-future-will-be-like`)).toEqual({
      ok: true,
      traceparent: { version: 0xcc, traceId: TID, parentId: PID, traceFlags: 1 },
    });
    expect(parseTraceparent(`01-${TID}-${PID}-00`).ok).toBe(true);
  });

  it('takes a single-element array as one header', () => {
    expect(parseTraceparent([`00-${TID}-${PID}-01`]).ok).toBe(true);
  });
});

describe('formatTraceparent', () => {
  it('writes version 00 with two-digit flags', () => {
    expect(formatTraceparent({ traceId: TID, spanId: PID, traceFlags: 1 })).toBe(`00-${TID}-${PID}-01`);
    expect(formatTraceparent({ traceId: TID, spanId: PID, traceFlags: 0 })).toBe(`00-${TID}-${PID}-00`);
  });

  it('clears flags the spec does not define, so the header stays valid', () => {
    expect(formatTraceparent({ traceId: TID, spanId: PID, traceFlags: 0xff })).toBe(`00-${TID}-${PID}-03`);
    expect(parseTraceparent(formatTraceparent({ traceId: TID, spanId: PID, traceFlags: 0x10 })).ok).toBe(true);
  });
});
