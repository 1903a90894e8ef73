import { asRule, ruleTester } from '../../test/rule-tester.js';
import { noDirectDbDriver } from './no-direct-db-driver.js';

ruleTester.run('no-direct-db-driver', asRule(noDirectDbDriver), {
  valid: [
    // The kernel's wrapper: statements get the comment, span and budget.
    "import type { Database } from '@stitch/kernel/db'; export async function list(db: Database) { return db.query('SELECT 1', [], { name: 'orders.list' }); }",
    // A type import is allowed by default…
    "import type { PoolConfig } from 'pg'; export const config: PoolConfig = { max: 5 };",
    // …and `.query()` on something that is not a driver handle is not a raw query.
    'const search = { query: (q: string) => q }; search.query("x");',
    'export function find(repo: { query(sql: string): unknown }) { return repo.query("SELECT 1"); }',
    // A package whose name merely starts like a driver's.
    "import { parse } from 'pg-connection-string-parser-x';",
    // A tagged template that is not a driver handle.
    'const html = (s: TemplateStringsArray) => s.join(""); html`<p>`;',
  ],
  invalid: [
    { code: "import pg from 'pg'; const pool = new pg.Pool();", errors: [{ messageId: 'driverImport', data: { source: 'pg' } }] },
    { code: "import { PGlite } from '@electric-sql/pglite';", errors: [{ messageId: 'driverImport', data: { source: '@electric-sql/pglite' } }] },
    { code: "import mysql from 'mysql2/promise';", errors: [{ messageId: 'driverImport', data: { source: 'mysql2/promise' } }] },
    { code: "const { Pool } = require('pg');", errors: [{ messageId: 'driverImport' }] },
    { code: "const { PGlite } = await import('@electric-sql/pglite');", errors: [{ messageId: 'driverImport' }] },
    // A template literal as the specifier, and the handle it yields.
    {
      code: "const { Pool } = await import(`pg`); const pool = new Pool(); export const rows = await pool.query('SELECT 1');",
      errors: [{ messageId: 'driverImport' }, { messageId: 'rawQuery' }],
    },
    { code: "export { Pool } from 'pg';", errors: [{ messageId: 'driverImport' }] },
    { code: "import type { Pool } from 'pg';", options: [{ allowTypeImports: false }], errors: [{ messageId: 'driverImport' }] },
    // Raw .query() on a pool built from an aliased import: both the import and the call.
    {
      code: "import { Pool as P } from 'pg'; const pool = new P(); export const list = () => pool.query('SELECT * FROM orders');",
      errors: [{ messageId: 'driverImport' }, { messageId: 'rawQuery', data: { method: 'query' } }],
    },
    // Another name for the pool, and `import = require`.
    {
      code: "import pg = require('pg'); const pool = new pg.Pool(); const handle = pool; export const list = () => handle.query('SELECT 1');",
      errors: [{ messageId: 'driverImport' }, { messageId: 'rawQuery', data: { method: 'query' } }],
    },
    // A client checked out of the pool bypasses the wrapper too.
    {
      code: "import pg from 'pg'; const pool = new pg.Pool(); const client = await pool.connect(); await client.query('SELECT 1');",
      errors: [{ messageId: 'driverImport' }, { messageId: 'rawQuery' }],
    },
    // Type-only import allowed, but the handle it types is still a raw driver.
    { code: "import type { Pool } from 'pg'; export function list(pool: Pool) { return pool.query('SELECT 1'); }", errors: [{ messageId: 'rawQuery' }] },
    { code: "import type pg from 'pg'; export async function list(client: pg.PoolClient) { await client.query('SELECT 1'); }", errors: [{ messageId: 'rawQuery' }] },
    // A wrapper class holding the driver.
    {
      code: "import type { PGlite } from '@electric-sql/pglite'; export class Repo { constructor(private readonly db: PGlite) {} all() { return this.db.exec('SELECT 1'); } }",
      errors: [{ messageId: 'rawQuery', data: { method: 'exec' } }],
    },
    // postgres.js: the handle is the query function, as a tagged template.
    {
      code: "import postgres from 'postgres'; const sql = postgres(); export const list = () => sql`SELECT * FROM orders`;",
      errors: [{ messageId: 'driverImport', data: { source: 'postgres' } }, { messageId: 'rawQuery', data: { method: 'sql`…`' } }],
    },
    { code: "import { custom } from 'my-driver';", options: [{ drivers: ['my-driver'] }], errors: [{ messageId: 'driverImport', data: { source: 'my-driver' } }] },
  ],
});
