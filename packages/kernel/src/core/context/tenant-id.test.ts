import { afterAll, describe, expect, it } from 'vitest';
import { StitchError } from '../errors/stitch-error.js';
import { startStitch } from '../../setup/start-stitch.js';
import { currentContext, runInContext, runInNewContext, withContext } from './context-store.js';
import { checkTenantId } from './tenant-id.js';

const stitch = startStitch({ serviceName: 'tenant-id-test', spanProcessors: [], env: {} });
afterAll(() => stitch.shutdown());

const UUID = '7f1e2d3c-4b5a-4968-8776-655443322110';

/** The coded error `fn` throws, or undefined. */
function errorOf(fn: () => unknown): StitchError | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof StitchError) return error;
    throw error;
  }
  return undefined;
}

/** The error withContext() gives for `tenantId` inside a request, and whether its function ran. */
function refusal(tenantId: unknown): { error: StitchError | undefined; ran: boolean } {
  let ran = false;
  const error = runInNewContext({ name: 'request' }, () => errorOf(() => withContext({ tenantId: tenantId as string }, () => (ran = true))));
  return { error, ran };
}

// What auth might hand over from a header or a token claim; each would go as written into SQL
// comments, baggage headers and log lines.
const HOSTILE = [
  `initech*/; DROP TABLE orders; --`,
  `initech\r\nx-injected: 1`,
  `initech\n{"level":60,"msg":"forged"}`,
  `initech,tenant.id=globex`,
  ` initech`,
  `initech `,
  `initech\u0000`,
  `initech/../../etc/passwd`,
  `<script>alert(1)</script>`,
  `initech%0d%0a`,
  `аinitech`, // the first letter is Cyrillic
  `initech\u202Egnp.exe`, // a right-to-left override
  `tenant'); DELETE FROM audit; --`,
];

describe('tenant ids (opaque, bounded, checked where the tenant enters a context)', () => {
  it('takes a UUID, a slug, a provider id and a number as a string, as written', () => {
    for (const tenantId of [UUID, UUID.toUpperCase(), 'acme', 'org_2NfXa9q1', 'tenant-42', 'eu-west:acme.prod', '42', 'a'.repeat(128)]) {
      const seen = runInNewContext({ name: 'request' }, () => withContext({ tenantId }, () => currentContext().tenantId));
      expect(seen).toBe(tenantId);
      expect(runInNewContext({ name: 'job', tenantId }, () => currentContext().tenantId)).toBe(tenantId);
    }
  });

  it('a context carried across a boundary follows the same rule (runInContext)', () => {
    const carried = runInNewContext({ name: 'request', tenantId: 'acme' }, () => currentContext());
    expect(runInContext(carried, () => currentContext().tenantId)).toBe('acme');
    expect(errorOf(() => runInContext({ ...carried, tenantId: 'acme\r\n' }, () => undefined))?.code).toBe('STITCH_ERR_CONTEXT_INVALID');
  });

  it('refuses a too long id with STITCH_ERR_TENANT_INVALID (400), saying how long, and runs nothing', () => {
    const { error, ran } = refusal('a'.repeat(129));
    expect(error?.code).toBe('STITCH_ERR_TENANT_INVALID');
    expect(error?.status).toBe(400);
    expect(error?.message).toContain('got 129 characters, more than 128');
    expect(ran).toBe(false);
    let inNew = false;
    expect(errorOf(() => runInNewContext({ name: 'job', tenantId: 'x'.repeat(10_000) }, () => (inNew = true)))?.code).toBe('STITCH_ERR_TENANT_INVALID');
    expect(inNew).toBe(false);
  });

  it('refuses a character outside the charset by its position and code point', () => {
    expect(refusal('acme corp').error?.message).toContain('character 5 of 9 is U+0020');
    expect(refusal('acme/eu').error?.message).toContain('character 5 of 7 is U+002F');
  });

  it('refuses an empty id, a leading separator (never read as a CLI flag) and a non-string smuggled past the types', () => {
    expect(refusal('').error?.message).toContain('got an empty string');
    expect(refusal('-acme').error?.message).toContain("'-acme' starts with '-'");
    expect(refusal('.acme').error?.code).toBe('STITCH_ERR_TENANT_INVALID');
    expect(refusal(42).error?.message).toContain('got number, not a string');
    expect(refusal(null).error?.message).toContain('got null');
  });

  it('refuses hostile strings without echoing them into the message', () => {
    for (const value of HOSTILE) {
      const { error, ran } = refusal(value);
      expect(error?.code, JSON.stringify(value)).toBe('STITCH_ERR_TENANT_INVALID');
      expect(error?.message).not.toContain(value);
      expect(ran).toBe(false);
    }
  });

  it('leaves the context as it was when it refuses, and does not check changes without a tenant', () => {
    runInNewContext({ name: 'request', tenantId: 'acme' }, () => {
      errorOf(() => withContext({ tenantId: 'acme\r\n' }, () => undefined));
      expect(currentContext().tenantId).toBe('acme');
      withContext({ routeId: '/orders/:id' }, () => expect(currentContext()).toMatchObject({ tenantId: 'acme', routeId: '/orders/:id' }));
    });
    expect(checkTenantId('acme')).toBe('acme');
  });
});
