/**
 * The request cases of the W3C Trace Context test suite (w3c/trace-context, test/test.py,
 * class TraceContextTest, strict level 2), as data: the headers the harness sends and what it
 * expects the service to send on. Shared by the conformance test and the OpenTelemetry
 * differences test. Not part of the public API.
 */

/** Header lines as the harness sends them: name (any casing) and raw value, in order. */
export type HeaderLines = readonly (readonly [string, string])[];

export interface W3cCase {
  /** `<test.py method> #<n>` for the n-th request of that method. */
  readonly name: string;
  readonly headers: HeaderLines;
  /** The trace id the outgoing traceparent must carry, or `'new'` when it must be a fresh one. */
  readonly traceId: string | 'new';
  /** Members the outgoing tracestate must hold (in this order), or `'none'` when none may survive. */
  readonly tracestate?: readonly (readonly [string, string])[] | 'none';
}

const TID = '12345678901234567890123456789012';
const TP = (flags = '01'): string => `00-${TID}-1234567890123456-${flags}`;
const TP00 = TP('00');

const KEY_SIMPLE = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
const KEY_TENANT = `${KEY_SIMPLE}@a-z0-9_-*/`;
const ALL_VALUE_CHARS = [
  [0x20, 0x2b],
  [0x2d, 0x3c],
  [0x3e, 0x7e],
]
  .flatMap(([from, to]) => Array.from({ length: (to as number) - (from as number) + 1 }, (_, i) => String.fromCharCode((from as number) + i)))
  .join('');

const bars = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, i) => {
    const n = String(from + i).padStart(2, '0');
    return `bar${n}=${n}`;
  }).join(',');

export const W3C_TRACE_CONTEXT_CASES: readonly W3cCase[] = [
  { name: 'test_both_traceparent_and_tracestate_missing #1', headers: [], traceId: 'new' },
  { name: 'test_traceparent_included_tracestate_missing #1', headers: [['traceparent', TP()]], traceId: TID },
  { name: 'test_traceparent_duplicated #1', headers: [['traceparent', `00-${TID.slice(0, 31)}1-1234567890123456-01`], ['traceparent', TP()]], traceId: 'new' },
  { name: 'test_traceparent_header_name #1', headers: [['trace-parent', TP()]], traceId: 'new' },
  { name: 'test_traceparent_header_name #2', headers: [['trace.parent', TP()]], traceId: 'new' },
  { name: 'test_traceparent_header_name_valid_casing #1', headers: [['TraceParent', TP()]], traceId: TID },
  { name: 'test_traceparent_header_name_valid_casing #2', headers: [['TrAcEpArEnT', TP()]], traceId: TID },
  { name: 'test_traceparent_header_name_valid_casing #3', headers: [['TRACEPARENT', TP()]], traceId: TID },
  { name: 'test_traceparent_version_0x00 #1', headers: [['traceparent', `${TP()}.`]], traceId: 'new' },
  { name: 'test_traceparent_version_0x00 #2', headers: [['traceparent', `${TP()}-what-the-future-will-be-like`]], traceId: 'new' },
  { name: 'test_traceparent_version_0xcc #1', headers: [['traceparent', `cc-${TID}-1234567890123456-01`]], traceId: TID },
  { name: 'test_traceparent_version_0xcc #2', headers: [['traceparent', `cc-${TID}-1234567890123456-01-what-the-future-will-be-like`]], traceId: TID },
  { name: 'test_traceparent_version_0xcc #3', headers: [['traceparent', `cc-${TID}-1234567890123456-01.what-the-future-will-be-like`]], traceId: 'new' },
  { name: 'test_traceparent_version_0xff #1', headers: [['traceparent', `ff-${TID}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_version_illegal_characters #1', headers: [['traceparent', `.0-${TID}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_version_illegal_characters #2', headers: [['traceparent', `0.-${TID}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_version_too_long #1', headers: [['traceparent', `000-${TID}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_version_too_long #2', headers: [['traceparent', `0000-${TID}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_version_too_short #1', headers: [['traceparent', `0-${TID}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_trace_id_all_zero #1', headers: [['traceparent', `00-${'0'.repeat(32)}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_trace_id_illegal_characters #1', headers: [['traceparent', `00-.${TID.slice(1)}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_trace_id_illegal_characters #2', headers: [['traceparent', `00-${TID.slice(0, 31)}.-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_trace_id_too_long #1', headers: [['traceparent', `00-${TID}3-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_trace_id_too_short #1', headers: [['traceparent', `00-${TID.slice(0, 31)}-1234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_parent_id_all_zero #1', headers: [['traceparent', `00-${TID}-0000000000000000-01`]], traceId: 'new' },
  { name: 'test_traceparent_parent_id_illegal_characters #1', headers: [['traceparent', `00-${TID}-.234567890123456-01`]], traceId: 'new' },
  { name: 'test_traceparent_parent_id_illegal_characters #2', headers: [['traceparent', `00-${TID}-123456789012345.-01`]], traceId: 'new' },
  { name: 'test_traceparent_parent_id_too_long #1', headers: [['traceparent', `00-${TID}-12345678901234567-01`]], traceId: 'new' },
  { name: 'test_traceparent_parent_id_too_short #1', headers: [['traceparent', `00-${TID}-123456789012345-01`]], traceId: 'new' },
  { name: 'test_traceparent_trace_flags_illegal_characters #1', headers: [['traceparent', `00-${TID}-1234567890123456-.0`]], traceId: 'new' },
  { name: 'test_traceparent_trace_flags_illegal_characters #2', headers: [['traceparent', `00-${TID}-1234567890123456-0.`]], traceId: 'new' },
  { name: 'test_traceparent_trace_flags_too_long #1', headers: [['traceparent', `00-${TID}-1234567890123456-001`]], traceId: 'new' },
  { name: 'test_traceparent_trace_flags_too_short #1', headers: [['traceparent', `00-${TID}-1234567890123456-1`]], traceId: 'new' },
  { name: 'test_traceparent_ows_handling #1', headers: [['traceparent', ` ${TP()}`]], traceId: TID },
  { name: 'test_traceparent_ows_handling #2', headers: [['traceparent', `\t${TP()}`]], traceId: TID },
  { name: 'test_traceparent_ows_handling #3', headers: [['traceparent', `${TP()} `]], traceId: TID },
  { name: 'test_traceparent_ows_handling #4', headers: [['traceparent', `${TP()}\t`]], traceId: TID },
  { name: 'test_traceparent_ows_handling #5', headers: [['traceparent', `\t ${TP()} \t`]], traceId: TID },
  { name: 'test_tracestate_included_traceparent_missing #1', headers: [['tracestate', 'foo=1']], traceId: 'new', tracestate: 'none' },
  { name: 'test_tracestate_included_traceparent_missing #2', headers: [['tracestate', 'foo=1,bar=2']], traceId: 'new', tracestate: 'none' },
  { name: 'test_tracestate_included_traceparent_included #1', headers: [['traceparent', TP00], ['tracestate', 'foo=1,bar=2']], traceId: TID, tracestate: [['foo', '1'], ['bar', '2']] },
  { name: 'test_tracestate_header_name #1', headers: [['traceparent', TP00], ['trace-state', 'foo=1']], traceId: TID, tracestate: 'none' },
  { name: 'test_tracestate_header_name #2', headers: [['traceparent', TP00], ['trace.state', 'foo=1']], traceId: TID, tracestate: 'none' },
  { name: 'test_tracestate_header_name_valid_casing #1', headers: [['traceparent', TP00], ['TraceState', 'foo=1']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_header_name_valid_casing #2', headers: [['traceparent', TP00], ['TrAcEsTaTe', 'foo=1']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_header_name_valid_casing #3', headers: [['traceparent', TP00], ['TRACESTATE', 'foo=1']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_empty_header #1', headers: [['traceparent', TP00], ['tracestate', '']], traceId: TID, tracestate: 'none' },
  { name: 'test_tracestate_empty_header #2', headers: [['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', '']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_empty_header #3', headers: [['traceparent', TP00], ['tracestate', ''], ['tracestate', 'foo=1']], traceId: TID, tracestate: [['foo', '1']] },
  {
    name: 'test_tracestate_multiple_headers_different_keys #1',
    headers: [['traceparent', TP00], ['tracestate', 'foo=1,bar=2'], ['tracestate', 'rojo=1,congo=2'], ['tracestate', 'baz=3']],
    traceId: TID,
    tracestate: [['foo', '1'], ['bar', '2'], ['rojo', '1'], ['congo', '2'], ['baz', '3']],
  },
  { name: 'test_tracestate_duplicated_keys #1', headers: [['traceparent', TP00], ['tracestate', 'foo=1,foo=1']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_duplicated_keys #2', headers: [['traceparent', TP00], ['tracestate', 'foo=1,foo=2']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_duplicated_keys #3', headers: [['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', 'foo=1']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_duplicated_keys #4', headers: [['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', 'foo=2']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_all_allowed_characters #1', headers: [['traceparent', TP00], ['tracestate', `${KEY_SIMPLE}=${ALL_VALUE_CHARS}`]], traceId: TID, tracestate: [[KEY_SIMPLE, ALL_VALUE_CHARS]] },
  { name: 'test_tracestate_all_allowed_characters #2', headers: [['traceparent', TP00], ['tracestate', `${KEY_TENANT}=${ALL_VALUE_CHARS}`]], traceId: TID, tracestate: [[KEY_TENANT, ALL_VALUE_CHARS]] },
  { name: 'test_tracestate_ows_handling #1', headers: [['traceparent', TP00], ['tracestate', 'foo=1 \t , \t bar=2, \t baz=3']], traceId: TID, tracestate: [['foo', '1'], ['bar', '2'], ['baz', '3']] },
  { name: 'test_tracestate_ows_handling #2', headers: [['traceparent', TP00], ['tracestate', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3']], traceId: TID, tracestate: [['foo', '1'], ['bar', '2'], ['baz', '3']] },
  { name: 'test_tracestate_ows_handling #3', headers: [['traceparent', TP00], ['tracestate', ' foo=1']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_ows_handling #4', headers: [['traceparent', TP00], ['tracestate', '\tfoo=1']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_ows_handling #5', headers: [['traceparent', TP00], ['tracestate', 'foo=1 ']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_ows_handling #6', headers: [['traceparent', TP00], ['tracestate', 'foo=1\t']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_ows_handling #7', headers: [['traceparent', TP00], ['tracestate', '\t foo=1 \t']], traceId: TID, tracestate: [['foo', '1']] },
  { name: 'test_tracestate_key_illegal_characters #1', headers: [['traceparent', TP00], ['tracestate', 'foo =1']], traceId: TID, tracestate: 'none' },
  { name: 'test_tracestate_key_illegal_characters #2', headers: [['traceparent', TP00], ['tracestate', 'FOO=1']], traceId: TID, tracestate: 'none' },
  { name: 'test_tracestate_key_illegal_characters #3', headers: [['traceparent', TP00], ['tracestate', 'foo.bar=1']], traceId: TID, tracestate: 'none' },
  { name: 'test_tracestate_key_illegal_vendor_format #1', headers: [['traceparent', TP00], ['tracestate', 'foo@=1,bar=2']], traceId: TID, tracestate: [['foo@', '1'], ['bar', '2']] },
  { name: 'test_tracestate_key_illegal_vendor_format #2', headers: [['traceparent', TP00], ['tracestate', '@foo=1,bar=2']], traceId: TID, tracestate: 'none' },
  { name: 'test_tracestate_key_illegal_vendor_format #3', headers: [['traceparent', TP00], ['tracestate', 'foo@@bar=1,bar=2']], traceId: TID, tracestate: [['foo@@bar', '1'], ['bar', '2']] },
  { name: 'test_tracestate_key_illegal_vendor_format #4', headers: [['traceparent', TP00], ['tracestate', 'foo@bar@baz=1,bar=2']], traceId: TID, tracestate: [['foo@bar@baz', '1'], ['bar', '2']] },
  {
    name: 'test_tracestate_member_count_limit #1',
    headers: [['traceparent', TP00], ['tracestate', bars(1, 10)], ['tracestate', bars(11, 20)], ['tracestate', bars(21, 30)], ['tracestate', bars(31, 32)]],
    traceId: TID,
    tracestate: Array.from({ length: 32 }, (_, i) => {
      const n = String(i + 1).padStart(2, '0');
      return [`bar${n}`, n] as const;
    }),
  },
  {
    name: 'test_tracestate_member_count_limit #2',
    headers: [['traceparent', TP00], ['tracestate', bars(1, 10)], ['tracestate', bars(11, 20)], ['tracestate', bars(21, 30)], ['tracestate', bars(31, 33)]],
    traceId: TID,
    tracestate: 'none',
  },
  { name: 'test_tracestate_key_length_limit #1', headers: [['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', `${'z'.repeat(256)}=1`]], traceId: TID, tracestate: [['foo', '1'], ['z'.repeat(256), '1']] },
  { name: 'test_tracestate_key_length_limit #2', headers: [['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', `${'z'.repeat(257)}=1`]], traceId: TID, tracestate: 'none' },
  {
    name: 'test_tracestate_key_length_limit #3',
    headers: [['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`]],
    traceId: TID,
    tracestate: [['foo', '1'], [`${'t'.repeat(241)}@${'v'.repeat(14)}`, '1']],
  },
  { name: 'test_tracestate_key_length_limit #4', headers: [['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', `${'t'.repeat(242)}@v=1`]], traceId: TID, tracestate: [['foo', '1'], [`${'t'.repeat(242)}@v`, '1']] },
  { name: 'test_tracestate_key_length_limit #5', headers: [['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', `t@${'v'.repeat(15)}=1`]], traceId: TID, tracestate: [['foo', '1'], [`t@${'v'.repeat(15)}`, '1']] },
  { name: 'test_tracestate_value_illegal_characters #1', headers: [['traceparent', TP00], ['tracestate', 'foo=bar=baz']], traceId: TID, tracestate: 'none' },
  { name: 'test_tracestate_value_illegal_characters #2', headers: [['traceparent', TP00], ['tracestate', 'foo=,bar=3']], traceId: TID, tracestate: 'none' },
];

/**
 * A header carrier the way Node's `IncomingMessage.headers` builds it: names lower-cased,
 * repeated `traceparent`/`tracestate` lines joined with `, ` (RFC 9110 §5.3), values trimmed
 * of surrounding whitespace by the HTTP parser.
 */
export function nodeStyleHeaders(lines: HeaderLines): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
    headers[key] = key in headers ? `${headers[key]}, ${trimmed}` : trimmed;
  }
  return headers;
}
