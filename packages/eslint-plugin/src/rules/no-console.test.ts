import { asRule, ruleTester } from '../../test/rule-tester.js';
import { noConsole } from './no-console.js';

ruleTester.run('no-console', asRule(noConsole), {
  valid: [
    "logger.info('ready');",
    // A local variable named console is not the global.
    'const console = { log: (x: string) => x }; console.log("x");',
    'function f(console: { warn(x: string): void }) { console.warn("x"); }',
    { code: 'console.table(rows);', options: [{ allow: ['table'] }] },
    // A const that names something else.
    'const out = { log: (x: string) => x }; out.log("x");',
  ],
  invalid: [
    { code: "console.log('order created', id);", errors: [{ messageId: 'console', data: { method: 'log' } }] },
    { code: "console['error'](err);", errors: [{ messageId: 'console', data: { method: 'error' } }] },
    { code: 'globalThis.console.warn("x");', errors: [{ messageId: 'console', data: { method: 'warn' } }] },
    // A wrapper that hides the call.
    { code: 'const print = console.info; print("x");', errors: [{ messageId: 'console', data: { method: 'info' } }] },
    { code: 'const { debug } = console;', errors: [{ messageId: 'console', data: { method: 'debug' } }] },
    // Another name for the global, once or twice removed.
    { code: "const out = console; out.log('x');", errors: [{ messageId: 'console', data: { method: 'log' } }] },
    { code: "const c = globalThis.console; const d = c; d.error('x');", errors: [{ messageId: 'console', data: { method: 'error' } }] },
  ],
});
