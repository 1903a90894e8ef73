import { Metadata, status as GrpcCode, type StatusObject } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { StitchError } from '@stitch/contract';

// google.rpc.Status with a google.rpc.RetryInfo detail, the shape the OTLP/gRPC specification
// names for throttling ("OTLP/gRPC Throttling"). Four small messages: declared here rather than
// shipping googleapis' protos.
const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});
const RpcStatus = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');
const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** Trailer carrying the collector's error code, as the HTTP receiver's envelope does. */
export const ERROR_CODE_TRAILER = 'stitch-error-code';

/**
 * The gRPC status of a StitchError the ingest path refused with, per the OTLP/gRPC
 * specification: undecodable → INVALID_ARGUMENT (not retryable); a missing, expired or invalid
 * token → UNAUTHENTICATED; a token without the scope → PERMISSION_DENIED; a full queue or no
 * free in-flight slot → RESOURCE_EXHAUSTED *with* RetryInfo (the spec's signal that the client
 * may retry, after that delay); a store that could not write → UNAVAILABLE with RetryInfo;
 * too large → RESOURCE_EXHAUSTED without RetryInfo (retrying the same message cannot succeed).
 *
 * @example callback(grpcStatusOf(new StitchError('STITCH_ERR_COLLECTOR_QUEUE_FULL', { retryAfter: 2 })))
 */
export function grpcStatusOf(error: StitchError): StatusObject {
  const code = grpcCodeOf(error.code);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_TRAILER, error.code);
  const retryAfterSeconds = retryAfterOf(error);
  const details = `${error.code}: ${error.message}`;
  if (retryAfterSeconds !== undefined) {
    const retryInfo = RetryInfo.encode(RetryInfo.fromObject({ retry_delay: { seconds: retryAfterSeconds, nanos: 0 } })).finish();
    const statusProto = RpcStatus.encode(
      RpcStatus.fromObject({ code, message: details, details: [{ type_url: RETRY_INFO_TYPE_URL, value: retryInfo }] }),
    ).finish();
    metadata.set('grpc-status-details-bin', Buffer.from(statusProto));
  }
  return { code, details, metadata };
}

function grpcCodeOf(code: string): GrpcCode {
  switch (code) {
    case 'STITCH_ERR_COLLECTOR_UNDECODABLE':
      return GrpcCode.INVALID_ARGUMENT;
    case 'STITCH_ERR_COLLECTOR_UNAUTHENTICATED':
    case 'STITCH_ERR_COLLECTOR_TOKEN_EXPIRED':
      return GrpcCode.UNAUTHENTICATED;
    case 'STITCH_ERR_COLLECTOR_FORBIDDEN':
    case 'STITCH_ERR_COLLECTOR_TENANT_FORBIDDEN':
      return GrpcCode.PERMISSION_DENIED;
    case 'STITCH_ERR_COLLECTOR_QUEUE_FULL':
    case 'STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE':
      return GrpcCode.RESOURCE_EXHAUSTED;
    case 'STITCH_ERR_COLLECTOR_STORE_UNAVAILABLE':
      return GrpcCode.UNAVAILABLE;
    default:
      return GrpcCode.INTERNAL;
  }
}

function retryAfterOf(error: StitchError): number | undefined {
  if (error.code !== 'STITCH_ERR_COLLECTOR_QUEUE_FULL' && error.code !== 'STITCH_ERR_COLLECTOR_STORE_UNAVAILABLE') return undefined;
  const seconds = Number(error.headers['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Decodes a `grpc-status-details-bin` trailer's RetryInfo delay, in seconds (tests, clients). */
export function retryDelaySecondsOf(statusDetails: Buffer): number | undefined {
  const decoded = RpcStatus.toObject(RpcStatus.decode(statusDetails), { longs: Number }) as { details?: { type_url: string; value: Uint8Array }[] };
  const detail = decoded.details?.find((d) => d.type_url === RETRY_INFO_TYPE_URL);
  if (detail === undefined) return undefined;
  const info = RetryInfo.toObject(RetryInfo.decode(detail.value), { longs: Number }) as { retry_delay?: { seconds?: number } };
  return info.retry_delay?.seconds ?? 0;
}
