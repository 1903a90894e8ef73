import { asRule, ruleTester } from '../../test/rule-tester.js';
import { noIdGeneration } from './no-id-generation.js';

ruleTester.run('no-id-generation', asRule(noIdGeneration), {
  valid: [
    // Ids read from the context, never made.
    "import { currentContext } from '@stitch/kernel'; const { traceId, requestId } = currentContext();",
    // randomBytes for a key or salt is not an id.
    "import { randomBytes } from 'node:crypto'; const salt = randomBytes(16);",
    // A local function that happens to be called randomUUID is not crypto's.
    'function randomUUID() { return "fixed"; } randomUUID();',
    // A local object named crypto shadows the global.
    'const crypto = { randomUUID: () => "x" }; crypto.randomUUID();',
    // Type-only imports of an id package make nothing at run time.
    "import type { UUIDTypes } from 'uuid'; let id: UUIDTypes;",
    // Strings that merely start like a traceparent but are not built from ids.
    "const version = '00-draft';",
    // A const naming an object of its own, not crypto.
    'const ids = { randomUUID: () => "x" }; const i = ids; i.randomUUID();',
    // Other crypto functions; a type-only re-export.
    "export type * from 'node:crypto';",
    "import { createHash } from 'node:crypto'; createHash('sha256');",
  ],
  invalid: [
    { code: "import { randomUUID } from 'node:crypto'; const id = randomUUID();", errors: [{ messageId: 'randomId', data: { name: 'randomUUID' } }] },
    // Alias: the rule follows the binding, not the name.
    { code: "import { randomUUID as makeId } from 'crypto'; export const next = () => makeId();", errors: [{ messageId: 'randomId' }] },
    // Wrapper function handing out the generator itself.
    { code: "import { randomUUID } from 'crypto'; export const ids = { next: randomUUID };", errors: [{ messageId: 'randomId' }] },
    { code: "import crypto from 'node:crypto'; const id = crypto.randomUUID();", errors: [{ messageId: 'randomId' }] },
    { code: "import * as c from 'node:crypto'; const traceId = c.randomBytes(16).toString('hex');", errors: [{ messageId: 'randomId', data: { name: 'randomBytes' } }] },
    { code: "const { randomUUID: r } = require('node:crypto'); r();", errors: [{ messageId: 'randomId' }] },
    { code: "const id = require('crypto').randomUUID();", errors: [{ messageId: 'randomId' }] },
    { code: "import c = require('node:crypto'); export const id = c.randomUUID();", errors: [{ messageId: 'randomId' }] },
    // Dynamic import.
    { code: "const id = (await import('node:crypto')).randomUUID();", errors: [{ messageId: 'randomId' }] },
    // Web Crypto globals.
    { code: 'const id = crypto.randomUUID();', errors: [{ messageId: 'randomId' }] },
    { code: 'const id = globalThis.crypto.randomUUID();', errors: [{ messageId: 'randomId' }] },
    { code: 'const { randomUUID } = crypto;', errors: [{ messageId: 'randomId' }] },
    // Another name for the global.
    { code: 'const cr = crypto; export const id = cr.randomUUID();', errors: [{ messageId: 'randomId' }] },
    { code: 'const cr = globalThis.crypto; const { randomUUID } = cr;', errors: [{ messageId: 'randomId' }] },
    // Re-export: a domain module handing out the generator, by name, locally or with everything.
    { code: "export { randomUUID } from 'node:crypto';", errors: [{ messageId: 'randomId' }] },
    { code: "export { randomUUID as newId } from 'crypto';", errors: [{ messageId: 'randomId' }] },
    { code: "import { randomUUID } from 'node:crypto'; export { randomUUID };", errors: [{ messageId: 'randomId' }] },
    { code: "export * from 'node:crypto';", errors: [{ messageId: 'randomId' }] },
    { code: "export * as c from 'crypto';", errors: [{ messageId: 'randomId' }] },
    // Id packages in every form.
    { code: "import { v4 } from 'uuid'; v4();", errors: [{ messageId: 'idPackage', data: { source: 'uuid' } }] },
    { code: "import { v4 as uuid } from 'uuid/dist/esm';", errors: [{ messageId: 'idPackage' }] },
    { code: "const { nanoid } = require('nanoid');", errors: [{ messageId: 'idPackage', data: { source: 'nanoid' } }] },
    { code: "const { ulid } = await import('ulid');", errors: [{ messageId: 'idPackage' }] },
    { code: 'const m = await import(`uuid`);', errors: [{ messageId: 'idPackage' }] },
    { code: "export * from 'uuid';", errors: [{ messageId: 'idPackage' }] },
    { code: "export { v4 } from 'uuid';", errors: [{ messageId: 'idPackage' }] },
    { code: "import { id } from 'my-ids';", options: [{ idPackages: ['my-ids'] }], errors: [{ messageId: 'idPackage', data: { source: 'my-ids' } }] },
    // Hand-built traceparent: template literal, concatenation, join, hard-coded.
    { code: 'headers.traceparent = `00-${traceId}-${spanId}-01`;', errors: [{ messageId: 'handBuiltTraceparent' }] },
    { code: "const header = '00-' + traceId + '-' + spanId + '-01';", errors: [{ messageId: 'handBuiltTraceparent' }] },
    { code: "const header = ['00', traceId, spanId, '01'].join('-');", errors: [{ messageId: 'handBuiltTraceparent' }] },
    { code: "fetch(url, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });", errors: [{ messageId: 'handBuiltTraceparent' }] },
  ],
});
