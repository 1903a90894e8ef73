/**
 * What a span may say about a statement: its operation and main table (for the span name, per
 * OpenTelemetry's database conventions: `{db.operation.name} {db.collection.name}`), and its
 * text with literal values replaced by `?`, so a value a caller inlined instead of passing as a
 * parameter never reaches a span.
 */

export interface StatementSummary {
  /** `SELECT`, `INSERT`, … or `undefined` when the statement does not start with a keyword. */
  readonly operation: string | undefined;
  /** The first table named after FROM / INTO / UPDATE / TABLE, unquoted, when there is one. */
  readonly table: string | undefined;
  /** `OPERATION table`, or the operation alone (see statementSummaryText). */
  readonly text: string | undefined;
  /** The statement with its literal values replaced by `?` (see sanitizeStatement), made once. */
  readonly sanitized: string;
}

const LEADING = /^\s*(?:\/\*[\s\S]*?\*\/\s*|--[^\n]*\n\s*)*([A-Za-z]+)/;
// `IF [NOT] EXISTS` and `ONLY` come before the table's name: without them `CREATE TABLE IF NOT
// EXISTS items` was summarized `CREATE IF`.
const TABLE = /\b(?:FROM|INTO|UPDATE|JOIN|TABLE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))?)/i;
const summaries = new Map<string, StatementSummary>();
const MAX_CACHED = 1000;

/**
 * Operation, table, summary and sanitized text of `sql`; cached per text, since services repeat
 * a bounded set of statements (every query span needs all four: one lookup, no regex, no string
 * built per query).
 */
export function summarizeStatement(sql: string): StatementSummary {
  const cached = summaries.get(sql);
  if (cached !== undefined) return cached;
  const operation = LEADING.exec(sql)?.[1]?.toUpperCase();
  const rawTable = operation === 'UPDATE' ? /^\s*UPDATE\s+((?:"[^"]+"|[\w$.]+))/i.exec(sql)?.[1] : TABLE.exec(sql)?.[1];
  const table = rawTable?.replaceAll('"', '');
  const text = operation === undefined ? undefined : table === undefined ? operation : `${operation} ${table}`;
  const summary: StatementSummary = { operation, table, text, sanitized: sanitizeStatement(sql) };
  if (summaries.size < MAX_CACHED) summaries.set(sql, summary);
  return summary;
}

/**
 * `db.query.summary`: `OPERATION table` (`SELECT orders`), or the operation alone; `undefined`
 * when the statement does not start with a keyword. Low-cardinality by construction, as the
 * convention asks, whatever name the caller gave the query.
 */
export function statementSummaryText(sql: string): string | undefined {
  return summarizeStatement(sql).text;
}

/** The span name of a statement: the caller's name, else `OPERATION table`, else `query`. */
export function querySpanName(sql: string, queryName: string | undefined): string {
  return queryName ?? statementSummaryText(sql) ?? 'query';
}

// String literals (with '' escapes, E'' and dollar-quoted bodies) and numbers that are not part
// of an identifier or a $n placeholder.
const LITERALS = /(?:[Ee]?'(?:[^']|'')*')|(?:\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$)|(?<![\w$.])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g;

/** `sql` with every literal value replaced by `?`; `$1` placeholders are kept. */
export function sanitizeStatement(sql: string): string {
  return sql.replace(LITERALS, '?');
}
