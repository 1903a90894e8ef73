import { relative, sep } from 'node:path';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../internal/create-rule.js';
import { combineListeners, matchesModule, moduleBindingOf, moduleUseListeners, propertyName, resolveVariable } from '../internal/module-sources.js';

/** Tracing APIs: OpenTelemetry's, and the kernel's subpaths that are tracing machinery. */
export const DEFAULT_TRACING_MODULES = ['@opentelemetry/*', '@stitch/kernel/otel', '@stitch/kernel/internal/*', '@stitch/kernel/export/*'] as const;
/** Exports of `@stitch/kernel` (its root and its subpaths: `/propagation`, `/stats`, `/redaction`…) that are tracing, not the domain's business. */
export const DEFAULT_KERNEL_TRACING_EXPORTS = [
  'withSpan', 'recordError', 'startStitch', 'createStitch', 'stitchPropagator', 'extractTraceContext',
  'formatTraceparent', 'parseTraceparent', 'parseTracestate', 'Tracestate', 'injectBaggage', 'extractBaggage',
  'samplingStats', 'exportStats', 'budgetStats', 'RedactingSpanProcessor', 'RedactingSpanExporter',
] as const;
const KERNEL = '@stitch/kernel';
/** The kernel's root or one of its subpaths: the names above moved to subpaths when the root was made small. */
const isKernel = (source: string | undefined): boolean => source === KERNEL || (source?.startsWith(`${KERNEL}/`) ?? false);

type Options = [{ modules?: string[]; kernelExports?: string[]; allowFolders?: string[] }];
type MessageIds = 'tracingModule' | 'kernelTracingExport';

/** `file` relative to `cwd`, with `/` separators, for folder prefixes that read the same on every OS. */
function projectPath(file: string, cwd: string): string {
  return relative(cwd, file).split(sep).join('/');
}

export const noTracingInDomain = createRule<Options, MessageIds>({
  name: 'no-tracing-in-domain',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow tracing APIs (@opentelemetry/*, the kernel’s tracing exports) in domain modules: the domain layer must not know tracing exists (ADR-012)',
    },
    schema: [
      {
        type: 'object',
        properties: {
          modules: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Tracing modules; `@scope/*` matches a scope, subpaths match too.' },
          kernelExports: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Names imported from `@stitch/kernel` that count as tracing.' },
          allowFolders: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Folders (relative to the working directory, e.g. `src/infra`) whose files may use tracing: the application and infrastructure layers.' },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ modules: [...DEFAULT_TRACING_MODULES], kernelExports: [...DEFAULT_KERNEL_TRACING_EXPORTS], allowFolders: [] }],
    messages: {
      tracingModule: '`{{source}}` is a tracing API, and domain code must not know tracing exists (ADR-012). The kernel traces every hop it wraps; move this to the application or infrastructure layer.',
      kernelTracingExport: '`{{name}}` is tracing machinery, and domain code must not know tracing exists (ADR-012). Do this in the application or infrastructure layer.',
    },
  },
  defaultOptions: [{ modules: [...DEFAULT_TRACING_MODULES], kernelExports: [...DEFAULT_KERNEL_TRACING_EXPORTS], allowFolders: [] }],
  create(context, [options]) {
    const file = projectPath(context.filename, context.cwd);
    const allowed = (options.allowFolders ?? []).some((folder) => {
      const prefix = folder.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
      return file === prefix || file.startsWith(`${prefix}/`);
    });
    if (allowed) return {};
    const modules = options.modules ?? [...DEFAULT_TRACING_MODULES];
    const kernelExports = new Set(options.kernelExports ?? DEFAULT_KERNEL_TRACING_EXPORTS);

    return combineListeners(
      moduleUseListeners(context, (use) => {
        // Type-only too: a domain type that names a Span knows about tracing.
        if (matchesModule(use.source, modules)) {
          context.report({ node: use.node, messageId: 'tracingModule', data: { source: use.source } });
          return;
        }
        if (!isKernel(use.source)) return;
        const specifiers: (TSESTree.ImportClause | TSESTree.ExportSpecifier)[] =
          use.node.type === AST_NODE_TYPES.ImportDeclaration || use.node.type === AST_NODE_TYPES.ExportNamedDeclaration ? use.node.specifiers : [];
        for (const spec of specifiers) {
          const imported =
            spec.type === AST_NODE_TYPES.ImportSpecifier
              ? spec.imported
              : spec.type === AST_NODE_TYPES.ExportSpecifier
                ? spec.local
                : undefined;
          const name = imported === undefined ? undefined : imported.type === AST_NODE_TYPES.Identifier ? imported.name : String(imported.value);
          if (name !== undefined && kernelExports.has(name)) context.report({ node: spec, messageId: 'kernelTracingExport', data: { name } });
        }
      }),
      {
        // import * as kernel from '@stitch/kernel'; kernel.withSpan(…) — and the same via `await import()`.
        MemberExpression(node) {
          if (node.object.type !== AST_NODE_TYPES.Identifier) return;
          const name = propertyName(node);
          if (name === undefined || !kernelExports.has(name)) return;
          const variable = resolveVariable(context, node.object);
          const binding = variable === undefined ? undefined : moduleBindingOf(variable);
          if (isKernel(binding?.source) && binding?.imported === '*') context.report({ node, messageId: 'kernelTracingExport', data: { name } });
        },
        // const { withSpan } = await import('@stitch/kernel')
        VariableDeclarator(node) {
          if (node.id.type !== AST_NODE_TYPES.ObjectPattern) return;
          for (const variable of context.sourceCode.getDeclaredVariables(node)) {
            const binding = moduleBindingOf(variable);
            if (binding !== undefined && isKernel(binding.source) && kernelExports.has(binding.imported)) {
              context.report({ node: variable.identifiers[0] ?? node, messageId: 'kernelTracingExport', data: { name: binding.imported } });
            }
          }
        },
      },
    );
  },
});
