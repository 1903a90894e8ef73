import { join } from 'node:path';
import { asRule, ruleTester } from '../../test/rule-tester.js';
import { noTracingInDomain } from './no-tracing-in-domain.js';

ruleTester.run('no-tracing-in-domain', asRule(noTracingInDomain), {
  valid: [
    // The domain may read its context and raise coded errors: that is not tracing.
    "import { currentContext, StitchError } from '@stitch/kernel';",
    "import { z } from 'zod';",
    // Allowed by folder: the infrastructure layer may trace.
    // (RuleTester lints with the process's working directory as cwd.)
    { code: "import { trace } from '@opentelemetry/api';", filename: join(process.cwd(), 'src/infra/tracing.ts'), options: [{ allowFolders: ['src/infra'] }] },
    { code: "import { trace } from '@opentelemetry/api';", filename: join(process.cwd(), 'src/infra/otel/setup.ts'), options: [{ allowFolders: ['./src/infra/'] }] },
  ],
  invalid: [
    { code: "import { trace } from '@opentelemetry/api';", errors: [{ messageId: 'tracingModule', data: { source: '@opentelemetry/api' } }] },
    // Type-only: a domain type that names a Span knows about tracing.
    { code: "import type { Span } from '@opentelemetry/api';", errors: [{ messageId: 'tracingModule' }] },
    { code: "import { W3CTraceContextPropagator } from '@opentelemetry/core';", errors: [{ messageId: 'tracingModule', data: { source: '@opentelemetry/core' } }] },
    { code: "const api = await import('@opentelemetry/api');", errors: [{ messageId: 'tracingModule' }] },
    { code: 'const api = await import(`@opentelemetry/api`);', errors: [{ messageId: 'tracingModule' }] },
    { code: "import otel = require('@opentelemetry/api');", errors: [{ messageId: 'tracingModule' }] },
    { code: "const { context } = require('@opentelemetry/api');", errors: [{ messageId: 'tracingModule' }] },
    { code: "export { trace } from '@opentelemetry/api';", errors: [{ messageId: 'tracingModule' }] },
    { code: "import { stitchSpanProcessors } from '@stitch/kernel/otel';", errors: [{ messageId: 'tracingModule', data: { source: '@stitch/kernel/otel' } }] },
    { code: "import { withSpan as span, currentContext } from '@stitch/kernel';", errors: [{ messageId: 'kernelTracingExport', data: { name: 'withSpan' } }] },
    { code: "import * as kernel from '@stitch/kernel'; kernel.recordError(span, e);", errors: [{ messageId: 'kernelTracingExport', data: { name: 'recordError' } }] },
    { code: "const { withSpan } = await import('@stitch/kernel');", errors: [{ messageId: 'kernelTracingExport', data: { name: 'withSpan' } }] },
    { code: "export { withSpan } from '@stitch/kernel';", errors: [{ messageId: 'kernelTracingExport' }] },
    // The names that moved to subpaths when the root was made small are still tracing there.
    { code: "import { stitchPropagator } from '@stitch/kernel/propagation';", errors: [{ messageId: 'kernelTracingExport', data: { name: 'stitchPropagator' } }] },
    { code: "import { samplingStats } from '@stitch/kernel/stats';", errors: [{ messageId: 'kernelTracingExport', data: { name: 'samplingStats' } }] },
    // Outside the allowed folder, the same import is reported.
    { code: "import { trace } from '@opentelemetry/api';", filename: join(process.cwd(), 'src/infrastructure-notes/order.ts'), options: [{ allowFolders: ['src/infra'] }], errors: [{ messageId: 'tracingModule' }] },
  ],
});
