import protobuf from 'protobufjs';
import { SLICE_RECORDS, type Steps } from '../ingest/work-in-slices.js';

/**
 * The shape shared by ExportTraceServiceRequest and ExportLogsServiceRequest: a repeated
 * resource container (field 1) holding a resource (1) and repeated scope containers (2), each
 * holding a scope (1) and the repeated records (2): spans or log records.
 */
export interface RequestShape {
  resourcesField: string;
  scopesField: string;
  recordsField: string;
  resource: protobuf.Type;
  scope: protobuf.Type;
  record: protobuf.Type;
}

const LEN = 2;

function lengthDelimited(reader: protobuf.Reader): number {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw new RangeError(`index out of range: ${end} > ${reader.len}`);
  return end;
}

/** The records of a scope: an OTLP/JSON array, or the protobuf walk's LazyRecords; anything else none. */
export function recordsOf(value: unknown): Iterable<unknown> {
  return Array.isArray(value) || value instanceof LazyRecords ? value : [];
}

/** A record that failed to decode: the body is undecodable, not a payload the normalizer misread. */
export class UndecodableRecord extends Error {}

/**
 * The records of one scope, decoded one by one as they are iterated: the walk below only notes
 * where each lies in the body. The normalizer turns each into a row and drops it, so the decoded
 * messages of a 250k-span body (~130 MB) never exist at once, only the rows.
 */
export class LazyRecords implements Iterable<unknown> {
  private readonly at: number[] = [];
  constructor(
    private readonly type: protobuf.Type,
    private readonly body: Uint8Array,
  ) {}

  add(start: number, end: number): void {
    this.at.push(start, end);
  }

  get length(): number {
    return this.at.length / 2;
  }

  *[Symbol.iterator](): Iterator<unknown> {
    const reader = protobuf.Reader.create(this.body);
    for (let i = 0; i < this.at.length; i += 2) {
      reader.pos = this.at[i]!;
      let record: unknown;
      try {
        record = this.type.decode(reader, this.at[i + 1]! - this.at[i]!);
      } catch (err) {
        throw new UndecodableRecord((err as Error).message);
      }
      yield record;
    }
  }
}

/**
 * Walks a request the way `Type.decode` decodes it, pausing every SLICE_RECORDS records:
 * protobufjs decodes a whole message in one call (≈350 ms for 250k spans). The resource and
 * scope are protobufjs messages as `Type.decode` gives them, the records a LazyRecords (the
 * normalizers read both as they read a decoded message); the containers are plain objects with
 * the same field names. Unknown fields are skipped, as protobuf requires.
 */
export function* decodeRequestSteps(shape: RequestShape, body: Uint8Array): Steps<Record<string, unknown>> {
  const reader = protobuf.Reader.create(body);
  const resources: Record<string, unknown>[] = [];
  let seen = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== LEN) {
      reader.skipType(tag & 7);
      continue;
    }
    const resourceEnd = lengthDelimited(reader);
    const container: Record<string, unknown> = { [shape.scopesField]: [] };
    resources.push(container);
    while (reader.pos < resourceEnd) {
      const rtag = reader.uint32();
      const field = rtag >>> 3;
      if (field === 1 && (rtag & 7) === LEN) {
        container.resource = shape.resource.decode(reader, reader.uint32());
      } else if (field === 2 && (rtag & 7) === LEN) {
        const scopeEnd = lengthDelimited(reader);
        const records = new LazyRecords(shape.record, body);
        const scope: Record<string, unknown> = { [shape.recordsField]: records };
        (container[shape.scopesField] as unknown[]).push(scope);
        while (reader.pos < scopeEnd) {
          const stag = reader.uint32();
          const sfield = stag >>> 3;
          if (sfield === 1 && (stag & 7) === LEN) scope.scope = shape.scope.decode(reader, reader.uint32());
          else if (sfield === 2 && (stag & 7) === LEN) {
            const end = lengthDelimited(reader);
            records.add(reader.pos, end);
            reader.pos = end;
            if (++seen % (SLICE_RECORDS * 16) === 0) yield;
          } else reader.skipType(stag & 7);
        }
        if (reader.pos !== scopeEnd) throw new RangeError('a scope message overran its length');
      } else reader.skipType(rtag & 7);
    }
    if (reader.pos !== resourceEnd) throw new RangeError('a resource message overran its length');
  }
  return { [shape.resourcesField]: resources };
}
