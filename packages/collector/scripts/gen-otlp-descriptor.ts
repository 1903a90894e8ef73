/**
 * Compiles the vendored OTLP .proto files (proto/, from opentelemetry-proto; see proto/SOURCE)
 * into a protobufjs JSON descriptor, so the collector never parses .proto text at startup and
 * ships without the protobufjs parser path. Re-run after updating proto/:
 * `npm run gen-otlp -w packages/collector`.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(packageRoot, 'proto', target);
root.loadSync(['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto']);
root.resolveAll();
const out = join(packageRoot, 'src', 'otlp', 'otlp-descriptor.json');
writeFileSync(out, JSON.stringify(root.toJSON({ keepComments: false })) + '\n');
console.log(`wrote ${out}`);
