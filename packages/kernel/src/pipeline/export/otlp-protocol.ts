import { z } from 'zod';

/**
 * The OTLP encodings the kernel's own exporters speak (OTLP/HTTP), for traces and logs alike.
 * `grpc`, a valid OpenTelemetry value, is refused with what to do instead: the kernel ships no
 * gRPC exporter of its own, and one passed as `exporter` is used as given.
 */
export const OtlpProtocolSchema = z.enum(['http/protobuf', 'http/json'], {
  error: (issue) =>
    issue.input === 'grpc'
      ? 'expected http/protobuf or http/json: for OTLP/gRPC, pass OpenTelemetry\'s gRPC exporter as `exporter` (docs/exporting.md)'
      : 'expected http/protobuf or http/json',
});
