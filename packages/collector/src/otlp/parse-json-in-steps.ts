import { JSONParser } from '@streamparser/json';
import type { Steps } from '../ingest/work-in-slices.js';

/**
 * Bodies from this size on are parsed incrementally. Below it one `JSON.parse` is the fastest
 * and holds the event loop for a few tens of ms at most (about 15–45 ms per MiB measured on the
 * shared 2-core machine); an OTel SDK's batch of 512 spans is a few hundred KB.
 */
export const INCREMENTAL_JSON_BYTES = 1024 * 1024;

/** Bytes fed to the incremental parser between two pause points: about a millisecond's work. */
const CHUNK_BYTES = 16 * 1024;

/**
 * Parses a JSON body, pausing (`yield`) every CHUNK_BYTES when it is large (issue 15). Otherwise
 * a 16 MiB OTLP/JSON body holds the event loop for the 0.1–0.3 s (loaded 2 cores) that its
 * `toString` and `JSON.parse` take. The incremental parser (@streamparser/json) costs about five
 * times JSON.parse's CPU (16 MiB of tiny spans: ~0.5 s against ~0.1 s), and only large bodies
 * pay it. It gives the value JSON.parse would: `__proto__` stays an own key (it defines the
 * property instead of assigning it), the last of duplicated keys wins, numbers are doubles, and
 * trailing non-whitespace is an error. Throws on invalid JSON, like JSON.parse.
 */
export function* parseJsonInSteps(body: Buffer): Steps<unknown> {
  if (body.length < INCREMENTAL_JSON_BYTES) return JSON.parse(body.toString('utf8')) as unknown;
  // `$` alone: only the whole document is emitted, nothing per nested value.
  const parser = new JSONParser({ paths: ['$'] });
  let root: unknown;
  parser.onValue = ({ value, stack }) => {
    if (stack.length === 0) root = value;
  };
  // The parser reports its errors through onError, and by default rethrows them from write().
  for (let at = 0; at < body.length; at += CHUNK_BYTES) {
    parser.write(body.subarray(at, at + CHUNK_BYTES));
    yield;
  }
  // The parser ends itself after the root value; end() on an unfinished one throws.
  if (!parser.isEnded) parser.end();
  if (root === undefined) throw new SyntaxError('Unexpected end of JSON input');
  return root;
}
