/**
 * The smallest surface every database hop needs: run one parameterised statement. Both
 * drivers of `hops/db/` (pg and PGlite) and their transaction handles satisfy it, and it is what
 * `audit`, `outbox`, `webhooks` and the job adapters accept, so they write inside the
 * caller's transaction when given one.
 */
export interface QueryResultRows<Row> {
  readonly rows: Row[];
  /** Rows affected or returned; `null` when the driver does not say. */
  readonly rowCount: number | null;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: { readonly name?: string },
  ): Promise<QueryResultRows<Row>>;
}
