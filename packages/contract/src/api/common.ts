import { z } from 'zod';

/**
 * Building blocks shared by the collector's API responses. Times travel twice: as ISO-8601 for
 * people and as Unix nanoseconds in a decimal string (OTLP's precision; a JSON number would
 * lose it past 2^53).
 */
export const IsoTimeSchema = z.string();
export const UnixNanoSchema = z.string().regex(/^\d+$/);
export const AttributesSchema = z.record(z.string(), z.unknown());

/** The time range a question covered, after defaults and limits were applied. */
export const WindowSchema = z.object({ since: IsoTimeSchema, until: IsoTimeSchema });
export type ApiWindow = z.infer<typeof WindowSchema>;

/** `{ error: { code, message, traceId, requestId } }`, as every Stitch HTTP error answers. */
export const ErrorEnvelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), traceId: z.string(), requestId: z.string() }),
});
