import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { source: string; types: string; default: string }>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** The engines a user installs only when they use them: the optional peers (not `@opentelemetry/api`). */
const optionalEngines = Object.entries(manifest.peerDependenciesMeta ?? {})
  .filter(([, meta]) => meta.optional === true)
  .map(([name]) => name);

/** Value imports (not `import type`) of a TypeScript file, as written. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(?!type\b)[^;]*?\sfrom\s+'([^']+)'/gms)) found.push(match[2]!);
  for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(match[1]!);
  return found;
}

/** Every package a module pulls in at load time, following relative imports. */
function packagesLoadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of valueImports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  };
  visit(entry);
  return packages;
}

/** The public subpaths, in the order a request travels (core, hops and their adapters, pipeline, setup). */
const SUBPATHS = [
  '.',
  './propagation',
  './edge',
  './edge/node-http',
  './edge/express',
  './edge/fastify',
  './http-out',
  './db',
  './db/pg',
  './db/pglite',
  './audit',
  './outbox',
  './events',
  './events/nats',
  './events/rabbitmq',
  './webhooks',
  './jobs',
  './jobs/bullmq',
  './jobs/pg-boss',
  './batches',
  './redaction',
  './logs',
  './metrics',
  './metrics/otel',
  './config',
  './otel',
  './stats',
  './health',
];

/** The root's runtime names: the context API, setup, spans and errors (its types are checked by tsc). */
const ROOT_VALUES = [
  'TraceContextSchema',
  'StitchError',
  'bindCallbacks',
  'bindEmitter',
  'createStitch',
  'currentContext',
  'deriveContext',
  'isStitchError',
  'isStrictMode',
  'markSecurityRelevant',
  'recordError',
  'requireTenantId',
  'runInContext',
  'runInNewContext',
  'setStrictMode',
  'startStitch',
  'tryCurrentContext',
  'withContext',
  'withSpan',
  'withoutStrictMode',
];

describe('the kernel package exports map', () => {
  it('has exactly the public subpaths, in request order', () => {
    expect(Object.keys(manifest.exports)).toEqual(SUBPATHS);
  });

  it("keeps the exporters' internals private: the config names an exporter, or the caller passes its own", () => {
    expect(Object.values(manifest.exports).filter((target) => target.source.includes('/pipeline/export/'))).toEqual([]);
  });

  it('keeps the root small: the context API, setup, spans and errors', async () => {
    const entry = (await import(join(root, manifest.exports['.']!.source))) as Record<string, unknown>;
    expect(Object.keys(entry).sort()).toEqual([...ROOT_VALUES].sort());
  });

  it('exports no name twice: each one has one subpath', async () => {
    const owner = new Map<string, string>();
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const module = (await import(join(root, target.source))) as Record<string, unknown>;
      for (const name of Object.keys(module)) {
        expect(owner.get(name), `${name} in ${subpath} and ${owner.get(name)}`).toBeUndefined();
        owner.set(name, subpath);
      }
    }
  });

  it('names, for every subpath, a source file that exists and the dist files the build writes for it', () => {
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      expect(existsSync(join(root, target.source)), `${subpath} → ${target.source}`).toBe(true);
      const built = target.source.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
      expect(target.default, subpath).toBe(`${built}.js`);
      expect(target.types, subpath).toBe(`${built}.d.ts`);
    }
  });

  it('keeps optional engines out of the root entry: importing @stitch/kernel never loads a framework, driver or broker client', () => {
    const loaded = packagesLoadedBy(join(root, manifest.exports['.']!.source));
    // The walk sees what the root really needs (so an absence below means something).
    expect(loaded).toContain('@opentelemetry/api');
    expect(loaded).toContain('pino');
    expect(optionalEngines.length).toBeGreaterThan(0);
    for (const engine of optionalEngines) expect(loaded.has(engine), `root entry loads ${engine}`).toBe(false);
  });

  it('loads each optional engine only from its own subpath', () => {
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === '.') continue;
      const loaded = packagesLoadedBy(join(root, target.source));
      const engines = optionalEngines.filter((engine) => loaded.has(engine));
      expect(engines.length, `${subpath} loads ${engines.join(', ')}`).toBeLessThanOrEqual(1);
    }
  });
});
