import { describe, expect, it } from 'vitest';
import { querySpanName, statementSummaryText } from './statement-summary.js';

describe('statementSummaryText (db.query.summary)', () => {
  it.each([
    ['SELECT id FROM items WHERE tenant_id = $1', 'SELECT items'],
    ['INSERT INTO app."Orders" (id) VALUES ($1)', 'INSERT app.Orders'],
    ['UPDATE items SET n = n + 1', 'UPDATE items'],
    ['DELETE FROM ONLY items WHERE id = $1', 'DELETE items'],
    ['CREATE TABLE IF NOT EXISTS app.items (id int)', 'CREATE app.items'],
    ['DROP TABLE IF EXISTS items', 'DROP items'],
    ['/* stitch */ SELECT 1', 'SELECT'],
    ['BEGIN', 'BEGIN'],
  ])('%s → %s', (sql, summary) => {
    expect(statementSummaryText(sql)).toBe(summary);
  });

  it('is undefined when the statement does not start with a keyword, and the span is then named `query`', () => {
    expect(statementSummaryText('   ')).toBeUndefined();
    expect(querySpanName('(SELECT 1)', undefined)).toBe('query');
    expect(querySpanName('SELECT 1', 'items.count')).toBe('items.count');
  });
});
