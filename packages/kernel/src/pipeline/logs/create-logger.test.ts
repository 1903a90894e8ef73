import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInNewContext, setSpanAndScope, withContext } from '../../core/context/context-store.js';
import { setStrictMode } from '../../setup/config/strict-mode.js';
import { createRedactor } from '../redaction/redactor.js';
import { createLogger } from './create-logger.js';
import { logStats } from './log-stats.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const ACTOR = '33333333-3333-4333-8333-333333333333';
const SECRET = 'hunter2-very-secret';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

/** A logger writing into an array of parsed lines, as a collector would read them. */
function capture(options: Partial<Parameters<typeof createLogger>[0]> = {}) {
  const raw: string[] = [];
  const logger = createLogger({ service: 'billing', nodeId: 'node-1', level: 'trace', destination: { write: (line: string) => void raw.push(line) }, ...options });
  const lines = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, raw, lines };
}

// These tests write lines outside any context on purpose: they check what production does
// (write, mark, count). Strict mode's throw is tested in config/strict-mode.test.ts.
beforeAll(() => setStrictMode(false));
afterAll(() => setStrictMode(undefined));

describe('createLogger', () => {
  it('writes every mandatory field from the context in force', () => {
    const { logger, lines } = capture();
    runInNewContext({ name: 'job', requestId: 'req-12345678', tenantId: TENANT, routeId: 'GET /invoices/:id' }, () => {
      withContext({ actorId: ACTOR }, () => logger.info({ rows: 3 }, 'invoices loaded'));
    });
    const [line] = lines();
    expect(line).toMatchObject({
      level: 'info',
      service: 'billing',
      component: 'app',
      node_id: 'node-1',
      tenant_id: TENANT,
      route_id: 'GET /invoices/:id',
      request_id: 'req-12345678',
      actor_id: ACTOR,
      rows: 3,
      msg: 'invoices loaded',
    });
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof line?.time).toBe('number');
    expect(line?.context_missing).toBeUndefined();
  });

  it('writes context values JSON must escape (a quote, a backslash, a newline, NUL, a lone surrogate) as valid JSON, unchanged', () => {
    const { logger, lines } = capture();
    // A scope made directly: the fragment must stay valid JSON whatever a scope holds, even
    // values the public entry points would refuse.
    const tenantId = 'acme"},"tenant_id":"other\\\n\uD800';
    const routeId = 'GET /a"b';
    const requestId = 'req\u0000-12345678';
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0 });
    context.with(setSpanAndScope(ROOT_CONTEXT, span, { requestId, tenantId, routeId, actorId: 'a\\b', baggage: {} }), () => logger.info('hello'));
    const [line] = lines();
    expect(line).toMatchObject({ tenant_id: tenantId, route_id: routeId, request_id: requestId, actor_id: 'a\\b', trace_id: '0af7651916cd43dd8448eb211c80319c', msg: 'hello' });
  });

  it('names the component per child logger, once per line', () => {
    const { logger, raw, lines } = capture();
    const db = logger.child({ component: 'db' });
    const sql = db.child({ query: 'list' });
    runInNewContext({ name: 'req', tenantId: TENANT }, () => {
      db.info('a');
      sql.warn('b');
      logger.info('c');
    });
    expect(lines().map((l) => [l.component, l.level])).toEqual([['db', 'info'], ['db', 'warn'], ['app', 'info']]);
    expect(lines()[1]?.query).toBe('list');
    expect(raw[0]?.match(/"component"/g)).toHaveLength(1);
  });

  it('writes and counts a line outside any context, marked context_missing', () => {
    const { logger, lines } = capture();
    const before = logStats().contextMissing;
    logger.warn('boot');
    expect(lines()[0]).toMatchObject({ msg: 'boot', context_missing: true, service: 'billing', component: 'app' });
    expect(lines()[0]?.trace_id).toBeUndefined();
    expect(logStats().contextMissing).toBe(before + 1);
  });

  it('keeps the context ids when a caller passes its own', () => {
    const { logger, lines } = capture();
    runInNewContext({ name: 'req', tenantId: TENANT }, () => {
      logger.info({ tenant_id: '22222222-2222-4222-8222-222222222222', trace_id: 'f'.repeat(32) }, 'spoof');
    });
    expect(lines()[0]?.tenant_id).toBe(TENANT);
    expect(lines()[0]?.trace_id).not.toBe('f'.repeat(32));
  });

  it('writes err as type, message and stack, with secrets in them redacted', () => {
    const { logger, lines } = capture();
    runInNewContext({ name: 'req', tenantId: TENANT }, () => {
      logger.error(new TypeError(`upstream refused Bearer ${SECRET}`));
      logger.error({ err: new Error(`password=${SECRET}`) }, 'wrapped');
    });
    const [first, second] = lines();
    expect(first?.err).toMatchObject({ type: 'TypeError', message: 'upstream refused Bearer [REDACTED]' });
    expect(String((first?.err as { stack: string }).stack)).toContain('TypeError: upstream refused Bearer [REDACTED]');
    expect(first?.msg).toBe('upstream refused Bearer [REDACTED]');
    expect(second?.msg).toBe('wrapped');
    expect(JSON.stringify(lines())).not.toContain(SECRET);
  });

  it('redacts keys, values, messages, format arguments and child bindings before writing', () => {
    const { logger, raw } = capture({ redactor: createRedactor({ extraKeys: ['ssn'] }) });
    const child = logger.child({ component: 'auth', credentials: { password: SECRET } });
    runInNewContext({ name: 'req' }, () => {
      child.info({ user: { Password: SECRET, ssn: '123-45-6789' }, headers: { authorization: `Bearer ${SECRET}` } }, `login with token=${SECRET}`);
      child.info('sent %s to %o', `Bearer ${SECRET}`, { apiKey: SECRET });
    });
    expect(raw.join('\n')).not.toContain(SECRET);
    expect(raw.join('\n')).not.toContain('123-45-6789');
    expect(raw[0]).toContain('login with token=[REDACTED]');
  });

  it('never throws from a log call, even with hostile arguments', () => {
    const { logger, lines } = capture();
    const hostile = {
      get boom(): string {
        throw new Error('getter');
      },
    };
    Object.defineProperty(hostile, 'boom', { enumerable: true });
    const cyclic: Record<string, unknown> = { token: SECRET };
    cyclic.self = cyclic;
    expect(() => {
      logger.info(hostile, 'hostile');
      logger.info({ cyclic }, 'cyclic');
      logger.info({ big: 'y'.repeat(1_000_000) }, 'big');
    }).not.toThrow();
    const written = lines();
    expect(written[0]?.boom).toBe('[Unreadable]');
    expect(JSON.stringify(written)).not.toContain(SECRET);
    expect(String(written[2]?.big).length).toBeLessThan(40_000);
  });

  it('replaces a log call that throws inside pino with a notice line, and counts it', () => {
    const { logger, lines } = capture();
    const before = logStats().failedCalls;
    const trap = Object.defineProperty({}, 'msg', {
      enumerable: true,
      get() {
        throw new Error(`trap ${SECRET}`);
      },
    });
    expect(() => logger.info(trap)).not.toThrow();
    expect(logStats().failedCalls).toBe(before + 1);
    expect(lines().at(-1)).toMatchObject({ log_error: 'Error', msg: 'a log call failed inside the logger and was dropped' });
    expect(JSON.stringify(lines())).not.toContain(SECRET);
  });

  it('carries the span id of the active span, also of a child span started by any OpenTelemetry tracer', async () => {
    const provider = new BasicTracerProvider();
    trace.setGlobalTracerProvider(provider);
    try {
      const { logger, lines } = capture();
      await runInNewContext({ name: 'req', tenantId: TENANT }, async () => {
        logger.info('root');
        await trace.getTracer('other').startActiveSpan('child', async (span) => {
          await Promise.resolve();
          logger.info('child');
          span.end();
        });
        logger.info('root again');
      });
      const [root, child, again] = lines();
      expect(child?.trace_id).toBe(root?.trace_id);
      expect(child?.span_id).not.toBe(root?.span_id);
      expect(again?.span_id).toBe(root?.span_id);
      expect(child?.tenant_id).toBe(TENANT);
    } finally {
      trace.disable();
      await provider.shutdown();
    }
  });

  it('honours the level, writing nothing below it', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.info('hidden');
    logger.error('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });
});
