import { asRule, ruleTester } from '../../test/rule-tester.js';
import { noStringBuiltLog } from './no-string-built-log.js';

ruleTester.run('no-string-built-log', asRule(noStringBuiltLog), {
  valid: [
    "logger.info({ orderId }, 'order created');",
    "log.warn('cache cold');",
    // A template literal without expressions is a constant.
    'logger.info(`ready`);',
    // A template literal in a field is a value, not the message.
    "logger.info({ path: `/orders/${id}` }, 'request');",
    // Not a logger: the receiver's name decides.
    'metrics.info(`x ${y}`);',
    'const text = `order ${id}`;',
    // A percent sign with nothing to interpolate is just text.
    "logger.info('100% done');",
    // A wrapper called with a constant, and a built string that goes in a field.
    "const say = (m: string) => logger.info(m); say('ready');",
    "const label = `order ${id}`; logger.info({ label }, 'done');",
    // A const holding a constant; values joined with no text of their own.
    "const msg = 'ready'; logger.info(msg);",
    'logger.info(parts.join(" "));',
    // A method of something that is not a logger, under another name.
    'const info = metrics.info; info(`x ${y}`);',
    // Custom logger names.
    { code: 'audit.info(`x ${y}`);', options: [{ loggerNames: '^logger$' }] },
  ],
  invalid: [
    {
      code: 'logger.info(`order ${orderId} created`);',
      errors: [{ messageId: 'templateMessage', suggestions: [{ messageId: 'suggestFields', output: "logger.info({ orderId }, 'order {orderId} created');" }] }],
    },
    // Merged into the fields object already there; a member becomes its last name.
    {
      code: 'stitch.logger.warn({ attempt }, `job ${job.name} failed`);',
      errors: [{ messageId: 'templateMessage', suggestions: [{ messageId: 'suggestFields', output: "stitch.logger.warn({ attempt, name: job.name }, 'job {name} failed');" }] }],
    },
    {
      code: 'this.logger.error({}, `lost ${count} rows`);',
      errors: [{ messageId: 'templateMessage', suggestions: [{ messageId: 'suggestFields', output: "this.logger.error({ count }, 'lost {count} rows');" }] }],
    },
    // Not a plain value: reported, no suggestion (no safe field name).
    { code: 'req.log.info(`took ${Date.now() - start} ms`);', errors: [{ messageId: 'templateMessage', suggestions: [] }] },
    // A child logger is a logger too.
    {
      code: "logger.child({ component: 'db' }).debug(`rows ${n}`);",
      errors: [{ messageId: 'templateMessage', suggestions: [{ messageId: 'suggestFields', output: "logger.child({ component: 'db' }).debug({ n }, 'rows {n}');" }] }],
    },
    { code: "log.info('user ' + userId + ' signed in');", errors: [{ messageId: 'concatenatedMessage' }] },
    { code: "logger.info({ userId }, 'signed in as ' + role);", errors: [{ messageId: 'concatenatedMessage' }] },
    { code: "logger.info('signed in '.concat(role));", errors: [{ messageId: 'concatenatedMessage' }] },
    // pino's printf interpolation builds the string too.
    { code: "logger.info('user %s signed in', userId);", errors: [{ messageId: 'printfMessage', data: { token: '%s' } }] },
    { code: "logger.info({ a }, 'took %d ms', ms);", errors: [{ messageId: 'printfMessage', data: { token: '%d' } }] },
    // A variable holding the fields, then the message.
    { code: 'logger.info(fields, `x ${y}`);', errors: [{ messageId: 'templateMessage', suggestions: [] }] },
    // Either branch of a conditional message.
    { code: "logger.warn({ id }, disabled ? 'endpoint disabled' : `delivery ${id} is dead`);", errors: [{ messageId: 'templateMessage' }] },
    { code: "logger.warn(reason ?? 'lost ' + n);", errors: [{ messageId: 'concatenatedMessage' }] },
    // Through a const, under a type assertion, String.raw, join.
    { code: 'const msg = `order ${id} created`; logger.info(msg);', errors: [{ messageId: 'templateMessage' }] },
    { code: 'logger.info(`x ${y}` as string);', errors: [{ messageId: 'templateMessage' }] },
    { code: "logger.info(('a' + y) satisfies string);", errors: [{ messageId: 'concatenatedMessage' }] },
    { code: 'logger.info(String.raw`x ${y}`);', errors: [{ messageId: 'templateMessage' }] },
    { code: "logger.info(['user', id, 'signed in'].join(' '));", errors: [{ messageId: 'concatenatedMessage' }] },
    // The level method under another name.
    {
      code: 'const info = logger.info.bind(logger); info(`x ${y}`);',
      errors: [{ messageId: 'templateMessage', suggestions: [{ messageId: 'suggestFields', output: "const info = logger.info.bind(logger); info({ y }, 'x {y}');" }] }],
    },
    { code: "const { warn } = stitch.logger; warn('lost ' + n);", errors: [{ messageId: 'concatenatedMessage' }] },
    // Wrapper functions: the message is written where the wrapper is called, even before it is declared.
    { code: 'const say = (m: string) => logger.info(m); say(`x ${y}`);', errors: [{ messageId: 'templateMessage' }] },
    {
      code: "fail({ id }, 'lost ' + n); function fail(fields: object, message: string) { logger.error(fields, message); }",
      errors: [{ messageId: 'concatenatedMessage' }],
    },
    // A wrapper of a wrapper.
    {
      code: 'function note(m: string) { log.info(m); } function noteOrder(m: string) { note(m); } noteOrder(`order ${id}`);',
      errors: [{ messageId: 'templateMessage' }],
    },
    { code: 'logger?.info(`x ${y}`);', errors: [{ messageId: 'templateMessage', suggestions: [{ messageId: 'suggestFields', output: "logger?.info({ y }, 'x {y}');" }] }] },
  ],
});
