import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateIngest, pinBatchTenant, type IngestAuthMode } from '../auth/ingest-access.js';
import type { TokenStore } from '../auth/token-store.js';
import { StitchError } from '@stitch/contract';
import type { Forwarder } from '../forward/forwarder.js';
import { decodeOtlpInSlices, encodeExportResponse, type Encoding, type Signal } from '../otlp/decode.js';
import type { LimitCounts, RecordLimits } from '../otlp/record-limits.js';
import type { IngestStats } from '../store/ingest-stats.js';
import type { WriteQueue } from '../store/write-queue.js';
import { errorCodeOf, sendError } from './error-envelope.js';
import { IngestAdmission } from './ingest-admission.js';

const gunzipAsync = promisify(gunzip);

export interface OtlpRoutesOptions {
  queue: WriteQueue;
  stats: IngestStats;
  forwarder: Forwarder | null;
  maxBodyBytes: number;
  maxInflightRequests: number;
  retryAfterSeconds: number;
  /** A body not fully read this long after the request arrived is answered 408 (see config). */
  bodyTimeoutMillis: number;
  /** The write queue's capacity: when it is already full, requests are refused before reading. */
  maxQueueRecords: number;
  recordLimits: RecordLimits;
  /** Declared body bytes all in-flight requests may hold together (see ingest-admission.ts). */
  maxInflightBytes: number;
  /** In-flight requests one sender (address) may hold. */
  maxInflightPerSender: number;
  /** Ingest tokens (`ingestAuth`); without `tokens`, or `off`, none is looked at. */
  tokens?: TokenStore;
  ingestAuth?: IngestAuthMode;
  /** Admission shared with the OTLP/gRPC receiver, so both count against the same limits. */
  admission?: IngestAdmission;
}

function encodingOf(contentType: string | undefined): Encoding | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

/**
 * OTLP/HTTP receiver: `POST /v1/traces` and `/v1/logs`, per the OTLP specification's
 * "OTLP/HTTP Response" section: 200 (with partial_success when records were rejected), 400
 * when undecodable, 413 over the size limit, 415 for other media types, 429 with Retry-After
 * when the write queue or the in-flight slots are full (decided before the body is read), 408
 * when the body does not finish arriving within bodyTimeoutMillis, and 503 with Retry-After when the store failed to write.
 *
 * The 200 is sent only after the batch's transaction committed (see Store), so anything
 * acknowledged survives a kill -9.
 */
export function registerOtlpRoutes(app: FastifyInstance, options: OtlpRoutesOptions): void {
  const { queue, stats, forwarder, maxBodyBytes, maxInflightRequests, maxInflightBytes, maxInflightPerSender, retryAfterSeconds, bodyTimeoutMillis, maxQueueRecords, recordLimits } =
    options;
  const admission = options.admission ?? new IngestAdmission({ maxRequests: maxInflightRequests, maxBytes: maxInflightBytes, maxPerSender: maxInflightPerSender });
  // Body-read deadlines, cleared once the body has been parsed (preValidation runs after it).
  const bodyTimers = new WeakMap<FastifyRequest, NodeJS.Timeout>();
  // The tenant a tenant-bound ingest token pins its request's records to.
  const pinnedTenant = new WeakMap<FastifyRequest, string>();
  const ingestAuth = options.tokens ? (options.ingestAuth ?? 'off') : 'off';
  // Requests whose handler is running; the ticket is put here when the response closed first.
  const handling = new WeakMap<FastifyRequest, { release(): void } | null>();

  const refuseBusy = (request: FastifyRequest, reply: FastifyReply) => {
    stats.throttledRequests += 1;
    return sendError(
      request,
      reply,
      new StitchError('STITCH_ERR_COLLECTOR_QUEUE_FULL', { retryAfter: retryAfterSeconds }, { headers: { 'retry-after': String(retryAfterSeconds) } }),
    );
  };

  // Encapsulated so the raw-buffer parsers apply only to these two routes, not the JSON API.
  void app.register(async (otlp) => {
    otlp.removeAllContentTypeParsers();
    otlp.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));

    // Admission is decided here, before a byte of the body is read or decoded, so a flood of
    // large requests cannot pile up in memory or CPU.
    otlp.addHook('onRequest', async (request, reply) => {
      // First: an unauthenticated sender takes no slot and has nothing read (401/403, enveloped).
      if (ingestAuth !== 'off') {
        try {
          const token = authenticateIngest(options.tokens!, ingestAuth, request.headers.authorization);
          if (token?.tenantId) pinnedTenant.set(request, token.tenantId);
        } catch (err) {
          if (err instanceof StitchError) return sendError(request, reply, err);
          throw err;
        }
      }
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBodyBytes) {
        return sendError(request, reply, new StitchError('STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE', { limit: maxBodyBytes }));
      }
      if (queue.depth >= maxQueueRecords) return refuseBusy(request, reply);
      const ticket = admission.admit(request.ip, Number.isFinite(declared) && declared >= 0 ? declared : maxBodyBytes);
      if (typeof ticket === 'string') return refuseBusy(request, reply);
      // The response's 'close' fires exactly once however the request ends: sent, client
      // aborted, socket timed out or errored. onResponse alone missed aborted uploads (issue 15),
      // which wedged ingest into 429 for good.
      reply.raw.once('close', () => {
        // A sender gone while its body is still being decoded: the place is given back when
        // the handler is done with the body, so the in-flight bytes stay what memory holds.
        if (handling.has(request)) handling.set(request, ticket);
        else ticket.release();
        const timer = bodyTimers.get(request);
        if (timer) clearTimeout(timer);
      });
      const timer = setTimeout(() => {
        if (reply.sent) return;
        // Connection: close, then the socket is ended: the rest of a trickled body is not awaited.
        reply.raw.once('finish', () => request.raw.socket?.destroySoon());
        void sendError(
          request,
          reply.header('connection', 'close'),
          new StitchError('STITCH_ERR_COLLECTOR_BODY_TIMEOUT', { limit: bodyTimeoutMillis }),
        );
      }, bodyTimeoutMillis);
      timer.unref();
      bodyTimers.set(request, timer);
    });
    // Every refusal is counted by status and code, however it was decided (admission, decode,
    // queue, store, body timeout, or fastify's own limits through the error handler).
    otlp.addHook('onResponse', async (_request, reply) => {
      if (reply.statusCode < 400) return;
      const key = `${reply.statusCode} ${errorCodeOf(reply) ?? 'unknown'}`;
      stats.refusedRequests.set(key, (stats.refusedRequests.get(key) ?? 0) + 1);
    });
    otlp.addHook('preValidation', async (request) => {
      const timer = bodyTimers.get(request);
      if (timer) clearTimeout(timer);
    });

    const handle = (signal: Signal) => async (request: FastifyRequest, reply: FastifyReply) => {
      handling.set(request, null);
      try {
        return await handleBody(signal, request, reply);
      } finally {
        handling.get(request)?.release();
        handling.delete(request);
      }
    };

    const handleBody = async (signal: Signal, request: FastifyRequest, reply: FastifyReply) => {
      const encoding = encodingOf(request.headers['content-type']);
      if (encoding === null) {
        return sendError(
          request,
          reply,
          new StitchError('STITCH_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE', { contentType: String(request.headers['content-type'] ?? '(none)') }),
        );
      }
      let body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      stats.receivedBytes[encoding] += body.length;
      const contentEncoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (contentEncoding === 'gzip') {
        try {
          // maxOutputLength stops a gzip bomb before it is inflated into memory.
          body = await gunzipAsync(body, { maxOutputLength: maxBodyBytes });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
            return sendError(request, reply, new StitchError('STITCH_ERR_COLLECTOR_PAYLOAD_TOO_LARGE', { limit: maxBodyBytes }));
          }
          stats.undecodableRequests += 1;
          return sendError(request, reply, new StitchError('STITCH_ERR_COLLECTOR_UNDECODABLE', { detail: 'invalid gzip stream' }));
        }
      } else if (contentEncoding !== 'identity') {
        stats.undecodableRequests += 1;
        return sendError(
          request,
          reply,
          new StitchError('STITCH_ERR_COLLECTOR_UNDECODABLE', { detail: `unsupported content-encoding ${contentEncoding}` }),
        );
      }
      // In slices (decode.ts): a 250k-span body takes seconds of CPU, during which the API and
      // smaller uploads are still served.
      const decoded = await decodeOtlpInSlices(signal, encoding, body, recordLimits);
      if (!decoded.ok) {
        stats.undecodableRequests += 1;
        return sendError(request, reply, new StitchError('STITCH_ERR_COLLECTOR_UNDECODABLE', { detail: decoded.detail }));
      }
      const { batch } = decoded;
      const pinned = pinnedTenant.get(request);
      // Records that claimed another tenant are stored under the token's; their original body,
      // which still claims it, is not forwarded upstream.
      const forgedRecords = pinned === undefined ? 0 : pinBatchTenant(batch, pinned);
      const records = batch.spans.length + batch.logs.length;
      // Both refusals ask the client to retry later: counted alike, answered with Retry-After.
      const throttle = (code: 'STITCH_ERR_COLLECTOR_QUEUE_FULL' | 'STITCH_ERR_COLLECTOR_STORE_UNAVAILABLE', retryAfter: number) => {
        stats.throttledRequests += 1;
        stats.throttledRecords += records;
        return sendError(request, reply, new StitchError(code, { retryAfter }, { headers: { 'retry-after': String(retryAfter) } }));
      };
      const submitted = queue.submit(batch);
      if (!submitted.ok) return throttle('STITCH_ERR_COLLECTOR_QUEUE_FULL', submitted.retryAfterSeconds);
      const outcome = await submitted.done;
      if (!outcome.ok) return throttle('STITCH_ERR_COLLECTOR_STORE_UNAVAILABLE', outcome.retryAfterSeconds);
      stats.rejectedRecords += batch.rejected;
      for (const k of Object.keys(stats.limited) as (keyof LimitCounts)[]) stats.limited[k] += batch.limited[k];
      if (forwarder && records > 0 && forgedRecords === 0) forwarder.enqueue(signal, encoding, body);
      const response = encodeExportResponse(signal, encoding, batch.rejected, batch.rejectReasons.join('; '));
      return reply.code(200).type(response.contentType).send(response.body);
    };

    otlp.post('/v1/traces', handle('traces'));
    otlp.post('/v1/logs', handle('logs'));
  });
}
