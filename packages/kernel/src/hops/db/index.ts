// `@stitch/kernel/db`: what every database handle shares. The drivers are their own subpaths
// (`/db/pg`, `/db/pglite`), so this one never loads a driver.
export type { Queryable, QueryResultRows } from './queryable.js';
export type { Database, Transaction } from './database.js';
export { DbOptionsSchema } from './db-options.js';
export type { DbOptions, DbOptionsInput } from './db-options.js';
export { formatSqlComment, appendSqlComment } from './sql-comment.js';
export type { SqlCommentTags } from './sql-comment.js';
