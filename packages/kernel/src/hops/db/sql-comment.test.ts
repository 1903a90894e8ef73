import { describe, expect, it } from 'vitest';
import { appendSqlComment, createSqlCommenter, encodeSqlCommentValue, formatSqlComment, hasSqlComment } from './sql-comment.js';
import type { SqlCommentTags } from './sql-comment.js';
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

// The sqlcommenter spec's serialisation, case by case. Where Stitch departs from the spec it is
// on purpose and in the stricter direction (sql-comment.ts): `'` and `*` are percent-encoded
// (`%27`, `%2A`) instead of left to `\'` and a bare `*`; every parser decodes both the same way.
describe('sqlcommenter serialisation vectors', () => {
  const TRACEPARENT = '00-5bd66ef5095369c7b0d1f8f4bd33716a-c532cb4098ac3dd2-01';
  const cases: { name: string; tags: SqlCommentTags; comment: string }[] = [
    {
      // The spec's own example (its `action='%2Fparam*d'` has `*` bare; here it is `%2A`).
      name: 'the spec example: action, controller, framework, traceparent, tracestate',
      tags: {
        tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
        traceparent: TRACEPARENT,
        framework: 'spring',
        controller: 'index',
        action: '/param*d',
      },
      comment: `/*action='%2Fparam%2Ad',controller='index',framework='spring',traceparent='${TRACEPARENT}',tracestate='congo%3Dt61rcWkgMzE%2Crojo%3D00f067aa0ba902b7'*/`,
    },
    {
      name: 'every key, sorted by key whatever the order given',
      tags: {
        tracestate: 'a=1',
        traceparent: TRACEPARENT,
        tenant_id: 't1',
        route: '/r',
        request_id: 'req-1',
        framework: 'fastify',
        db_driver: 'pg',
        controller: 'orders',
        application: 'billing',
        action: 'show',
      },
      comment: `/*action='show',application='billing',controller='orders',db_driver='pg',framework='fastify',request_id='req-1',route='%2Fr',tenant_id='t1',traceparent='${TRACEPARENT}',tracestate='a%3D1'*/`,
    },
    {
      // The spec's Node.js (Express) and Django examples: framework is `name:version`, its colon encoded.
      name: 'an Express request: framework and route',
      tags: { framework: 'express:4.18.2', route: '/users/:id', db_driver: 'pg' },
      comment: "/*db_driver='pg',framework='express%3A4.18.2',route='%2Fusers%2F%3Aid'*/",
    },
    { name: 'the spec sample: django framework, regex route', tags: { controller: 'index', framework: 'django:2.2.1', route: '^polls/$' }, comment: "/*controller='index',framework='django%3A2.2.1',route='%5Epolls%2F%24'*/" },
    { name: "a quote is escaped (percent-encoded)", tags: { application: "Dev's app" }, comment: "/*application='Dev%27s%20app'*/" },
    { name: '= and & and , are encoded', tags: { route: 'a=b&c,d' }, comment: "/*route='a%3Db%26c%2Cd'*/" },
    { name: 'unicode is UTF-8 percent-encoded', tags: { tenant_id: 'café-東京' }, comment: "/*tenant_id='caf%C3%A9-%E6%9D%B1%E4%BA%AC'*/" },
    { name: 'the spec’s value examples', tags: { action: 'DROP TABLE FOO', route: '/param first', request_id: '1234' }, comment: "/*action='DROP%20TABLE%20FOO',request_id='1234',route='%2Fparam%20first'*/" },
    { name: 'an npm scope and slash in db_driver', tags: { db_driver: '@electric-sql/pglite' }, comment: "/*db_driver='%40electric-sql%2Fpglite'*/" },
    { name: 'unknown (empty) values are left out', tags: { action: '', controller: 'c', framework: '' }, comment: "/*controller='c'*/" },
  ];
  for (const { name, tags, comment } of cases) {
    it(name, () => {
      expect(formatSqlComment(tags)).toBe(comment);
      // Each value decodes back to what was given: the encoding loses nothing.
      for (const [key, value] of Object.entries(tags)) {
        if (value === '' || value === undefined) continue;
        const encoded = new RegExp(`(?:^/\\*|,)${key}='([^']*)'`).exec(comment)?.[1];
        expect(decodeURIComponent(encoded ?? '')).toBe(value);
      }
    });
  }

  const appendCases: { name: string; sql: string; expected: string }[] = [
    { name: 'a statement without a comment gets one', sql: 'SELECT * FROM FOO', expected: "SELECT * FROM FOO /*route='x'*/" },
    { name: 'before a final semicolon', sql: 'SELECT 1;', expected: "SELECT 1 /*route='x'*/;" },
    { name: 'an existing block comment is left alone', sql: 'SELECT 1 /*traceparent=\'…\'*/', expected: "SELECT 1 /*traceparent='…'*/" },
    { name: 'an existing line comment is left alone', sql: 'SELECT 1 -- note', expected: 'SELECT 1 -- note' },
    { name: 'empty SQL is untouched', sql: '', expected: '' },
    { name: 'whitespace-only SQL is untouched', sql: ' \n\t', expected: ' \n\t' },
  ];
  for (const { name, sql, expected } of appendCases) {
    it(`appendSqlComment: ${name}`, () => {
      expect(appendSqlComment(sql, "/*route='x'*/")).toBe(expected);
    });
  }
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

describe('createSqlCommenter', () => {
  it('writes what appendSqlComment(formatSqlComment()) writes, for every statement shape, key and hostile value', () => {
    const statements = ['SELECT 1', 'SELECT 1;', 'SELECT 1 ;  \n', '  UPDATE t SET a = 1  ', 'SELECT 1 -- done', 'SELECT /* hint */ 1', '', '   ', ';'];
    const values = [undefined, '', 'req-12345678', '/orders/:id', ...hostileStrings(200, 7)];
    const statics = [{}, { application: 'billing api', db_driver: 'pg' }, { application: "*/'x" }];
    for (const staticTags of statics) {
      const comment = createSqlCommenter(staticTags);
      for (const sql of statements) {
        for (let i = 0; i < values.length; i += 1) {
          const tags = {
            action: values[(i + 5) % values.length],
            controller: values[(i + 6) % values.length],
            framework: i % 3 === 0 ? 'express:5.1.0' : values[(i + 7) % values.length],
            request_id: values[i],
            route: values[(i + 1) % values.length],
            tenant_id: values[(i + 2) % values.length],
            traceparent: i % 2 === 0 ? '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' : values[(i + 3) % values.length],
            tracestate: values[(i + 4) % values.length],
          };
          expect(comment(sql, tags)).toBe(appendSqlComment(sql, formatSqlComment({ ...staticTags, ...tags })));
        }
      }
    }
  });
});
