import { asRule, ruleTester } from '../../test/rule-tester.js';
import { noLiteralAttributeKeys } from './no-literal-attribute-keys.js';

const literal = (key: string) => ({ messageId: 'literalKey' as const, data: { key, table: 'SpanAttr (@stitch/contract)' } });
const built = { messageId: 'builtKey' as const };

ruleTester.run('no-literal-attribute-keys', asRule(noLiteralAttributeKeys), {
  valid: [
    'span.setAttribute(SpanAttr.tenantId, tenantId);',
    'span?.setAttribute(SpanAttr.queryName, name);',
    'span.setAttributes({ [SpanAttr.jobName]: name, [SpanAttr.jobAttempt]: attempt });',
    // Keys made elsewhere (the table, a helper) arrive through a spread or a variable.
    'span.setAttributes({ ...attributes, [SpanAttr.tenantId]: tenantId });',
    'span.setAttributes(batchAttributes(name, count));',
    'let key = pick(); span.setAttribute(key, value);',
    'function set(key: string) { span.setAttribute(key, 1); }',
    "tracer.startSpan('orders.list', { attributes: { [SpanAttr.component]: 'query' } });",
    "const links = [{ context: parent, attributes: { [SpanAttr.edgeUntrusted]: true } }];",
    // Span names, event names and values are strings too; only keys are names from the table.
    "span.addEvent('stitch.perf_violation', { [SpanAttr.budgetMillis]: 100 });",
    "span.setAttribute(SpanAttr.component, 'query');",
    // Not attributes: a destructuring pattern, a type, an unrelated method.
    'const { attributes: { foo } } = span;',
    'interface Options { attributes: { foo: string } }',
    "map.set('db.operation.name', 1);",
    "headers.setHeader('x-trace-id', id);",
    // Objects that are not attributes: untyped, another type, an assignment to another object.
    "const options = { 'x.y': 1 }; const row: Row = { 'db.name': 1 };",
    "function headersOf(): Headers { return { 'content-type': 'json' }; }",
    "const seen: Record<string, number> = {}; seen['db.operation.name'] = 1;",
    "const attributes: Attributes = {}; attributes[SpanAttr.tenantId] = tenantId;",
    // A nested function's return is not the attributes function's.
    "function make(): Attributes { const f = () => ({ 'x.y': 1 }); return { ...f() }; }",
    // A property descriptor map that happens to describe a span's `attributes` field.
    'Object.defineProperties(view, { attributes: { value: attributes, enumerable: true } });',
    'Object.create(span, { attributes: { value: redacted } });',
    // A helper whose parameter is not attributes.
    "function send(name: string, body: Body) {} send('x', { 'content-type': 'json' });",
  ],
  invalid: [
    { code: "span.setAttribute('db.operation.name', operation);", errors: [literal('db.operation.name')] },
    { code: 'span?.setAttribute(`db.collection.name`, table);', errors: [literal('db.collection.name')] },
    { code: "trace.getActiveSpan()?.setAttribute('server.address', host);", errors: [literal('server.address')] },
    { code: "span['setAttribute']('stitch.job.outcome', outcome);", errors: [literal('stitch.job.outcome')] },
    // A const one line up is the same literal.
    { code: "const KEY = 'checkpoint.offset'; span.setAttribute(KEY, offset);", errors: [literal('checkpoint.offset')] },
    // Built keys: a template with a literal part, a concatenation.
    { code: 'span.setAttribute(`stitch.${name}`, value);', errors: [built] },
    { code: "span.setAttribute('stitch.' + name, value);", errors: [built] },
    {
      code: "span.setAttributes({ 'stitch.batch.succeeded': ok, failed, [`stitch.batch.failed`]: failed, ['x' + y]: 1 });",
      errors: [literal('stitch.batch.succeeded'), literal('failed'), literal('stitch.batch.failed'), built],
    },
    { code: "tracer.startSpan('publish', { kind, attributes: { 'messaging.operation.type': 'send' } });", errors: [literal('messaging.operation.type')] },
    { code: "withSpan('job', { root: true, attributes: { ...base, 'tenant.id': tenantId } }, fn);", errors: [literal('tenant.id')] },
    { code: "const links = [{ context: parent, 'attributes': { untrusted: true } }];", errors: [literal('untrusted')] },
    { code: "span.addEvent('retry', { 'retry.attempt': n });", errors: [literal('retry.attempt')] },
    // Not a descriptor map: the object is the first argument, or the call is not Object's.
    { code: "define({ attributes: { 'x.y': 1 } });", errors: [literal('x.y')] },
    // Where hops build attributes: a typed object, a typed function's return, a hop's attributes function, a helper given one.
    {
      code: "const attributes: Attributes = { 'http.request.method': m, [SpanAttr.component]: 'external' }; attributes['http.request.method_original'] = raw;",
      errors: [literal('http.request.method'), literal('http.request.method_original')],
    },
    { code: "function attrs(request: R, attributes: Attributes) { attributes.tenant = request.tenant; }", errors: [literal('tenant')] },
    { code: "function batchAttributes(name: string): Attributes { if (!name) return {}; return { 'stitch.batch.name': name }; }", errors: [literal('stitch.batch.name')] },
    { code: "const f = (): api.Attributes => ({ 'stitch.batch.size': 1 });", errors: [literal('stitch.batch.size')] },
    { code: "const action = { kind: 'webhook', attributes: (envelope) => ({ 'server.address': hostOf(envelope) }) };", errors: [literal('server.address')] },
    { code: "const action = { attributes: function () { return { 'slack.channel': channel }; } };", errors: [literal('slack.channel')] },
    { code: "const action = { attributes: (): Attributes => ({ 'slack.channel': channel }) };", errors: [literal('slack.channel')] },
    { code: "tracer.startSpan('webhook.deliver', { attributes: addEntryAttributes({ 'server.address': host, [SpanAttr.tenantId]: t }) });", errors: [literal('server.address')] },
    { code: "tracer.startSpan('x', { attributes: { 'a.b': 1 } as Attributes });", errors: [literal('a.b')] },
    // A helper of the same file whose parameter is typed as attributes.
    {
      code: "async function step(name: string, fn: F, attributes?: Attributes) {} step('action', run, { 'action.kind': kind, ...extra });",
      errors: [literal('action.kind')],
    },
    { code: "const step = (name: string, attributes: Attributes = {}) => name; step('x', { 'a.b': 1 });", errors: [literal('a.b')] },
    {
      code: "const a: SpanAttributes = { 'x.y': 1 };",
      options: [{ attributeTypes: ['SpanAttributes'] }],
      errors: [literal('x.y')],
    },
    {
      code: "span.setAttribute('x.y', 1);",
      options: [{ table: 'the table in src/attrs.ts' }],
      errors: [{ messageId: 'literalKey', data: { key: 'x.y', table: 'the table in src/attrs.ts' } }],
    },
  ],
});
