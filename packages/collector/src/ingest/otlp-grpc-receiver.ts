import {
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  status as GrpcCode,
  type Metadata,
  type sendUnaryData,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerUnaryCall,
  type ServiceDefinition,
  type StatusObject,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { StitchError } from '@stitch/contract';
import { authenticateIngest, pinBatchTenant, type IngestAuthMode } from '../auth/ingest-access.js';
import type { TokenStore } from '../auth/token-store.js';
import type { Forwarder } from '../forward/forwarder.js';
import { decodeOtlp, encodeExportResponse, type DecodeResult, type Encoding, type Signal } from '../otlp/decode.js';
import type { LimitCounts, RecordLimits } from '../otlp/record-limits.js';
import type { IngestAdmission } from '../server/ingest-admission.js';
import type { IngestStats } from '../store/ingest-stats.js';
import type { WriteQueue } from '../store/write-queue.js';
import { ERROR_CODE_TRAILER, grpcStatusOf } from './grpc-status.js';

export interface OtlpGrpcReceiverOptions {
  host: string;
  /** 0 takes a free port (tests); `port` on the receiver says which. */
  port: number;
  queue: WriteQueue;
  stats: IngestStats;
  forwarder: Forwarder | null;
  /** The same admission as OTLP/HTTP's, so both protocols share the in-flight and per-sender limits. */
  admission: IngestAdmission;
  /** Largest accepted message, after decompression; above it RESOURCE_EXHAUSTED, counted as OTLP/HTTP's 413 (countSizeRefusals). */
  maxMessageBytes: number;
  /** In-flight calls the collector admits at once (OTLP/HTTP's maxInflightRequests). */
  maxInflightRequests: number;
  maxQueueRecords: number;
  retryAfterSeconds: number;
  recordLimits: RecordLimits;
  tokens?: TokenStore;
  ingestAuth?: IngestAuthMode;
  /** What `close()` waits for calls in flight to finish before it cuts them. */
  shutdownGraceMillis: number;
  /** How a message becomes rows; OTLP/HTTP's decoder by default. */
  decode?: (signal: Signal, encoding: Encoding, body: Buffer, limits: RecordLimits) => DecodeResult | Promise<DecodeResult>;
}

export interface OtlpGrpcReceiver {
  /** `host:port` as bound. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

// The services' paths from the OTLP protos (opentelemetry/proto/collector/*/v1/*_service.proto).
// OTLP/HTTP takes no metrics either: MetricsService is left unimplemented (UNIMPLEMENTED).
const SERVICES: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

// Messages stay bytes: the body goes to the same decoder as an OTLP/HTTP protobuf body (and, as
// is, to the forwarder), and the response is the bytes encodeExportResponse makes.
const identity = (value: Buffer): Buffer => value;
function exportService(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

/** The sender a fairness slot is counted against: the peer's address without its port. */
function senderOf(peer: string): string {
  const colon = peer.lastIndexOf(':');
  return colon > 0 ? peer.slice(0, colon) : peer;
}

function metadataValue(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return value === undefined ? undefined : value.toString();
}

/**
 * grpc-js refuses a message over `grpc.max_receive_message_length` itself, with
 * RESOURCE_EXHAUSTED: from its length prefix, before reading it, or as it inflates past the
 * limit. It does so from the call beneath every interceptor (grpc-js 1.14, server-interceptors:
 * BaseServerInterceptingCall calls its own `sendStatus`) and raises no event, so that call's
 * `sendStatus` is the one place the refusal passes: wrapped here, it is counted as OTLP/HTTP
 * counts its 413 and answered as the collector's own refusal (same code, without RetryInfo,
 * with the error-code trailer). Statuses the collector sent carry that trailer and pass as they are.
 */
function countSizeRefusals(call: ServerInterceptingCallInterface, tooLarge: () => StatusObject): void {
  const sendStatus = call.sendStatus.bind(call);
  call.sendStatus = (status: Parameters<ServerInterceptingCallInterface['sendStatus']>[0]) => {
    const own = status.metadata?.get(ERROR_CODE_TRAILER).length ?? 0;
    if (status.code === GrpcCode.RESOURCE_EXHAUSTED && own === 0 && status.details.startsWith('Received message')) return sendStatus(tooLarge());
    sendStatus(status);
  };
}

// The tenant a tenant-bound token forces, handed from the interceptor that checked the token to
// the handler, in the call's metadata; whatever a sender put under this key is removed first.
const PINNED_TENANT_KEY = 'x-stitch-internal-pinned-tenant';

/**
 * OTLP/gRPC receiver (`TraceService/Export`, `LogsService/Export`) beside OTLP/HTTP, on the
 * same ingest path: the ingest token in the `authorization` metadata (as OTLP exporters send
 * `OTEL_EXPORTER_OTLP_HEADERS`) and the queue checked before the message is read, the shared
 * in-flight and per-sender admission (once the message is read: its size is known then), the same
 * decoder and record limits, the tenant a tenant-bound token forces, the write queue whose
 * commit comes before the answer, the same counters, and the forwarder. Refusals are gRPC
 * statuses (grpc-status.ts); a partially rejected batch answers OK with partial_success.
 *
 * @example const grpc = await startOtlpGrpcReceiver({ host: '127.0.0.1', port: 4317, ...ingest })
 */
export async function startOtlpGrpcReceiver(options: OtlpGrpcReceiverOptions): Promise<OtlpGrpcReceiver> {
  const { queue, stats, forwarder, admission, recordLimits, maxQueueRecords, retryAfterSeconds } = options;
  const decode = options.decode ?? decodeOtlp;
  const ingestAuth = options.tokens ? (options.ingestAuth ?? 'off') : 'off';

  // Every refusal counted by status and code, as OTLP/HTTP's (the HTTP status of the same code).
  const refusal = (error: StitchError): StatusObject => {
    const key = `${error.status} ${error.code}`;
    stats.refusedRequests.set(key, (stats.refusedRequests.get(key) ?? 0) + 1);
    return grpcStatusOf(error);
  };
  const refuse = (callback: sendUnaryData<Buffer>, error: StitchError): void => callback(refusal(error));
  const busy = (retryAfter: number) => new StitchError('STITCH_ERR_COLLECTOR_QUEUE_FULL', { retryAfter }, { headers: { 'retry-after': String(retryAfter) } });

  // Decided on the call's metadata, before grpc-js reads a byte of the message (it starts
  // reading once the metadata is passed on), as OTLP/HTTP decides before the body: a sender
  // without a valid token, or arriving while the queue is full, has nothing read.
  const beforeRead: ServerInterceptor = (_method, call) => {
    countSizeRefusals(call, () => refusal(new StitchError('STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE', { limit: options.maxMessageBytes })));
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            metadata.remove(PINNED_TENANT_KEY);
            let denied: StitchError | undefined;
            try {
              const token = ingestAuth === 'off' ? null : authenticateIngest(options.tokens!, ingestAuth, metadataValue(metadata, 'authorization'));
              if (token?.tenantId) metadata.set(PINNED_TENANT_KEY, token.tenantId);
            } catch (err) {
              // Thrown inside grpc-js's callback, anything else would take the process down.
              denied = err instanceof StitchError ? err : new StitchError('STITCH_ERR_EDGE_INTERNAL', {}, { cause: err });
            }
            if (denied === undefined && queue.depth >= maxQueueRecords) {
              stats.throttledRequests += 1;
              denied = busy(retryAfterSeconds);
            }
            if (denied === undefined) return pass(metadata);
            call.sendStatus(refusal(denied));
          },
        }),
    });
  };

  const handle = (signal: Signal) => async (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): Promise<void> => {
    const pinned = metadataValue(call.metadata, PINNED_TENANT_KEY);
    const body = call.request;
    if (queue.depth >= maxQueueRecords) {
      stats.throttledRequests += 1;
      return refuse(callback, busy(retryAfterSeconds));
    }
    const ticket = admission.admit(senderOf(call.getPeer()), body.length);
    if (typeof ticket === 'string') {
      stats.throttledRequests += 1;
      return refuse(callback, busy(retryAfterSeconds));
    }
    try {
      stats.receivedBytes.protobuf += body.length;
      const decoded = await decode(signal, 'protobuf', body, recordLimits);
      if (!decoded.ok) {
        stats.undecodableRequests += 1;
        return refuse(callback, new StitchError('STITCH_ERR_COLLECTOR_UNDECODABLE', { detail: decoded.detail }));
      }
      const { batch } = decoded;
      // Records that claimed another tenant are stored under the token's; the original body,
      // which still claims it, is not forwarded upstream (as OTLP/HTTP).
      const forgedRecords = pinned === undefined ? 0 : pinBatchTenant(batch, pinned);
      const records = batch.spans.length + batch.logs.length;
      const throttle = (error: StitchError) => {
        stats.throttledRequests += 1;
        stats.throttledRecords += records;
        return refuse(callback, error);
      };
      const submitted = queue.submit(batch);
      if (!submitted.ok) return throttle(busy(submitted.retryAfterSeconds));
      const outcome = await submitted.done;
      if (!outcome.ok) {
        const retryAfter = outcome.retryAfterSeconds;
        return throttle(new StitchError('STITCH_ERR_COLLECTOR_STORE_UNAVAILABLE', { retryAfter }, { headers: { 'retry-after': String(retryAfter) } }));
      }
      stats.rejectedRecords += batch.rejected;
      for (const k of Object.keys(stats.limited) as (keyof LimitCounts)[]) stats.limited[k] += batch.limited[k];
      if (forwarder && records > 0 && forgedRecords === 0) forwarder.enqueue(signal, 'protobuf', body);
      const response = encodeExportResponse(signal, 'protobuf', batch.rejected, batch.rejectReasons.join('; '));
      callback(null, Buffer.from(response.body));
    } finally {
      ticket.release();
    }
  };

  const server = new Server({
    interceptors: [beforeRead],
    'grpc.max_receive_message_length': options.maxMessageBytes,
    // grpc-js reads a unary call's whole message before the handler (and admission) sees it: one
    // connection holds at most as many messages as the collector admits at once.
    'grpc.max_concurrent_streams': options.maxInflightRequests,
  });
  for (const signal of Object.keys(SERVICES) as Signal[]) {
    const run = handle(signal);
    const implementation: UntypedServiceImplementation = {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        // An unforeseen failure answers INTERNAL rather than leaving the call hanging.
        run(call, callback).catch((err: unknown) => callback({ code: GrpcCode.INTERNAL, details: `internal error: ${(err as Error).message}` }));
      },
    };
    server.addService(exportService(SERVICES[signal]), implementation);
  }
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });

  let closing: Promise<void> | undefined;
  return {
    address: `${host}:${port}`,
    port,
    close() {
      // tryShutdown lets calls in flight finish (their commit, their answer); past the grace
      // they are cut, so stopping never waits on a client.
      closing ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, options.shutdownGraceMillis);
        server.tryShutdown(() => {
          clearTimeout(cut);
          resolve();
        });
      });
      return closing;
    },
  };
}
