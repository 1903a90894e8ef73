import { asRule, ruleTester } from '../../test/rule-tester.js';
import { noContextFieldsInLog } from './no-context-fields-in-log.js';

ruleTester.run('no-context-fields-in-log', asRule(noContextFieldsInLog), {
  valid: [
    "logger.info({ orderId, count }, 'orders listed');",
    // Ids of other things are fine.
    "logger.info({ invoice_id: id, job_id: jobId }, 'sent');",
    // Not a logger call.
    "audit.record({ tenantId, action: 'x' });",
    "const fields = { traceId }; send(fields);",
    "const fields = { orderId }; logger.info(fields, 'x');",
    "function note(fields: object) { logger.info(fields, 'noted'); } note({ orderId });",
    "const ctx = currentContext(); audit.record(ctx);",
  ],
  invalid: [
    {
      code: "logger.info({ traceId: ctx.traceId, orderId }, 'order created');",
      errors: [{ messageId: 'contextField', data: { field: 'traceId' }, suggestions: [{ messageId: 'removeField', output: "logger.info({ orderId }, 'order created');" }] }],
    },
    {
      code: "log.warn({ orderId, tenant_id: tenant }, 'late');",
      errors: [{ messageId: 'contextField', data: { field: 'tenant_id' }, suggestions: [{ messageId: 'removeField', output: "log.warn({ orderId }, 'late');" }] }],
    },
    {
      code: "logger.error({ 'trace_id': t }, 'x');",
      errors: [{ messageId: 'contextField', suggestions: [{ messageId: 'removeField', output: "logger.error({}, 'x');" }] }],
    },
    // Child bindings last for every line of the child: worse.
    {
      code: "const log = logger.child({ component: 'db', requestId });",
      errors: [{ messageId: 'contextField', data: { field: 'requestId' }, suggestions: [{ messageId: 'removeField', output: "const log = logger.child({ component: 'db' });" }] }],
    },
    { code: "logger.info({ ...currentContext(), orderId }, 'x');", errors: [{ messageId: 'contextSpread', data: { reader: 'currentContext' } }] },
    { code: "logger.info(tryCurrentContext(), 'x');", errors: [{ messageId: 'contextSpread', data: { reader: 'tryCurrentContext' } }] },
    // Through a const: the field is reported where it is written, once, with no removal (the object may serve elsewhere).
    {
      code: "const fields = { traceId, orderId }; logger.info(fields, 'a'); logger.warn(fields, 'b');",
      errors: [{ messageId: 'contextField', data: { field: 'traceId' }, suggestions: [] }],
    },
    { code: "const ctx = currentContext(); logger.info(ctx, 'x');", errors: [{ messageId: 'contextSpread', data: { reader: 'currentContext' } }] },
    { code: "const ctx = currentContext(); logger.info({ ...ctx, orderId }, 'x');", errors: [{ messageId: 'contextSpread', data: { reader: 'currentContext' } }] },
    // A wrapper function: the fields are written where it is called.
    {
      code: "function note(fields: object) { logger.info(fields, 'noted'); } note({ orderId, requestId });",
      errors: [{ messageId: 'contextField', data: { field: 'requestId' }, suggestions: [] }],
    },
    // The level method under another name.
    {
      code: "const { info } = logger; info({ tenantId, orderId }, 'x');",
      errors: [{ messageId: 'contextField', data: { field: 'tenantId' }, suggestions: [{ messageId: 'removeField', output: "const { info } = logger; info({ orderId }, 'x');" }] }],
    },
    {
      code: "logger.info({ traceparent: header }, 'x');",
      errors: [{ messageId: 'contextField', data: { field: 'traceparent' }, suggestions: [{ messageId: 'removeField', output: "logger.info({}, 'x');" }] }],
    },
    {
      code: "logger.info({ orderId, account: a }, 'x');",
      options: [{ fields: ['account'] }],
      errors: [{ messageId: 'contextField', data: { field: 'account' }, suggestions: [{ messageId: 'removeField', output: "logger.info({ orderId }, 'x');" }] }],
    },
  ],
});
