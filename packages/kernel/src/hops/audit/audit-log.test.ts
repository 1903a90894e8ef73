import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext, withContext } from '../../core/context/context-store.js';
import { createPgliteDatabase } from '../db/pglite/pglite-database.js';
import type { Database } from '../db/database.js';
import { startStitch } from '../../setup/start-stitch.js';
import { withoutStrictMode } from '../../setup/config/strict-mode.js';
import { createAuditLog } from './audit-log.js';
import type { AuditLog } from './audit-log.js';

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';
const ACTOR = '33333333-3333-4333-8333-333333333333';
let db: Database;
let audit: AuditLog;

beforeAll(async () => {
  startStitch({ serviceName: 'audit-test', enabled: false });
  db = createPgliteDatabase(new PGlite());
  audit = createAuditLog({ db, schema: 'audit_test' });
  await audit.migrate();
  await audit.migrate();
});

afterAll(() => db.close());

function asTenant<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
  return runInNewContext({ name: 'request', tenantId, actorId: ACTOR }, fn);
}

describe('createAuditLog', () => {
  it('records tenant, actor, trace id and request id from the context, and reads them back', async () => {
    const { stored, ctx } = await asTenant(TENANT_A, async () => ({
      stored: await audit.record({ action: 'role.grant', target: 'user:42', details: { role: 'admin' } }),
      ctx: currentContext(),
    }));
    expect(stored).toMatchObject({
      tenantId: TENANT_A,
      actorId: ACTOR,
      action: 'role.grant',
      target: 'user:42',
      details: { role: 'admin' },
      traceId: ctx.traceId,
      requestId: ctx.requestId,
    });
    const listed = await asTenant(TENANT_A, () => audit.list({ traceId: ctx.traceId }));
    expect(listed).toEqual([stored]);
  });

  it("writes inside the caller's transaction: a rollback leaves no audit row", async () => {
    await asTenant(TENANT_A, async () => {
      await expect(
        db.transaction(async (tx) => {
          await audit.record({ action: 'doomed', target: 'x' }, { tx });
          throw new Error('business failure');
        }),
      ).rejects.toThrow('business failure');
      expect(await audit.list({ action: 'doomed' })).toEqual([]);
    });
  });

  it("never returns one tenant's rows to another tenant, whatever the filter says", async () => {
    await asTenant(TENANT_B, () => audit.record({ action: 'b.only', target: 'y' }));
    const seenByA = await asTenant(TENANT_A, () => audit.list({ limit: 1000 }));
    expect(seenByA.length).toBeGreaterThan(0);
    expect(seenByA.every((row) => row.tenantId === TENANT_A)).toBe(true);
    await expect(asTenant(TENANT_A, () => audit.list({ tenantId: TENANT_B }))).rejects.toMatchObject({
      code: 'STITCH_ERR_AUDIT_TENANT_MISMATCH',
    });
    // After a tenant switch inside one request, reads follow the new tenant.
    const afterSwitch = await asTenant(TENANT_A, () => withContext({ tenantId: TENANT_B }, () => audit.list()));
    expect(afterSwitch.map((row) => row.action)).toEqual(['b.only']);
  });

  it('refuses an invalid entry or a missing tenant with a coded error and writes nothing', async () => {
    await expect(asTenant(TENANT_A, () => audit.record({ action: '', target: 'x' }))).rejects.toMatchObject({
      code: 'STITCH_ERR_AUDIT_ENTRY_INVALID',
    });
    await expect(runInNewContext({ name: 'no tenant' }, () => audit.record({ action: 'a', target: 'x' }))).rejects.toMatchObject({
      code: 'STITCH_ERR_TENANT_REQUIRED',
    });
    await expect(audit.record({ action: 'a', target: 'x' })).rejects.toMatchObject({ code: 'STITCH_ERR_CONTEXT_MISSING' });
    const { rows } = await withoutStrictMode(() => db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_test.audit_events WHERE action IN ('', 'a')"));
    expect(rows[0]?.n).toBe(0);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => createAuditLog({ db, schema: 'x"; DROP TABLE y; --' })).toThrow(
      expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID' }) as Error,
    );
  });
});
