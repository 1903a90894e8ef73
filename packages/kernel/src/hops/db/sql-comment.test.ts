import { describe, expect, it } from 'vitest';
import { appendSqlComment, encodeSqlCommentValue, formatSqlComment, hasSqlComment } from './sql-comment.js';
import { hostileStrings } from './internal/hostile-strings.js';

// encodeURIComponent cannot encode a lone surrogate: the comment carries U+FFFD in its place.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// What a comment may contain at all: key='value' pairs of unreserved characters and escapes.
const SAFE_COMMENT = /^\/\*[a-z_]+='[A-Za-z0-9\-_.~%]*'(,[a-z_]+='[A-Za-z0-9\-_.~%]*')*\*\/$/;

describe('formatSqlComment', () => {
  it('sorts keys, URL-encodes and single-quotes values, and joins pairs with commas', () => {
    expect(
      formatSqlComment({
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        route: '/orders/:id',
        application: 'billing api',
        tenant_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      }),
    ).toBe(
      "/*application='billing%20api',route='%2Forders%2F%3Aid',tenant_id='7c9e6679-7425-40de-944b-e07fc1f90ae7',traceparent='00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'*/",
    );
  });

  it('writes only the keys present, and nothing at all when none is', () => {
    expect(formatSqlComment({ request_id: 'req-1' })).toBe("/*request_id='req-1'*/");
    expect(formatSqlComment({ route: '' })).toBe('');
    expect(formatSqlComment({})).toBe('');
  });

  it('percent-encodes quotes, stars, slashes, backslashes, newlines and NUL so no value can end the comment', () => {
    expect(encodeSqlCommentValue("*/'; DROP TABLE t; --\\\n\0")).toBe('%2A%2F%27%3B%20DROP%20TABLE%20t%3B%20--%5C%0A%00');
  });

  it('never throws on a lone surrogate: it is written as U+FFFD', () => {
    expect(encodeSqlCommentValue('a\uD800b')).toBe('a%EF%BF%BDb');
  });

  it('keeps every one of 2000 hostile values inside one well-formed comment that decodes back to it', () => {
    for (const value of hostileStrings(2000, 1)) {
      const comment = formatSqlComment({ route: value, tenant_id: value, request_id: 'r' });
      expect(comment).toMatch(SAFE_COMMENT);
      const route = /route='([^']*)'/.exec(comment)?.[1] ?? '';
      expect(decodeURIComponent(route)).toBe(value.replace(LONE_SURROGATE, '\uFFFD'));
    }
  });
});

describe('appendSqlComment', () => {
  const comment = "/*route='x'*/";

  it('appends after the statement, before a final semicolon', () => {
    expect(appendSqlComment('SELECT 1', comment)).toBe("SELECT 1 /*route='x'*/");
    expect(appendSqlComment('SELECT 1 ;  \n', comment)).toBe("SELECT 1 /*route='x'*/;");
  });

  it('leaves empty or whitespace-only SQL untouched: no comment without a statement', () => {
    for (const sql of ['', ' ', '\n\t  ']) expect(appendSqlComment(sql, comment)).toBe(sql);
  });

  it('leaves a statement that already carries a comment as it is', () => {
    expect(appendSqlComment('SELECT 1 /* mine */', comment)).toBe('SELECT 1 /* mine */');
    expect(appendSqlComment('SELECT 1 -- mine', comment)).toBe('SELECT 1 -- mine');
    expect(hasSqlComment('SELECT 1')).toBe(false);
  });

  it('leaves the statement untouched when there is nothing to say', () => {
    expect(appendSqlComment('SELECT 1;', '')).toBe('SELECT 1;');
  });
});
