import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolveCollectorConfig, runCli, startCollector } from '@stitch/collector';
import type { Collector } from '@stitch/collector';

/** The collector the demo runs in its own process: OTLP in, DuckDB store, API and web UI. */
export interface EmbeddedCollector {
  readonly url: string;
  /** An admin token for the demo's questions and for the web UI. */
  readonly token: string;
  /** Runs a `stitch` CLI command against this collector and prints its answer. */
  ask(argv: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the collector on `port` (4318, OTLP's port), or on any free port when that one is
 * taken — say, by a `stitch serve` of your own.
 */
export async function startEmbeddedCollector(port: number, dataFile: string): Promise<EmbeddedCollector> {
  mkdirSync(dirname(dataFile), { recursive: true });
  let collector: Collector;
  try {
    collector = await startCollector(resolveCollectorConfig({ port, data: dataFile }));
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    collector = await startCollector(resolveCollectorConfig({ port: 0, data: dataFile }));
    process.stderr.write(`demo: port ${port} is taken; the collector listens on ${collector.url} instead\n`);
  }
  const { token } = collector.tokens.create('admin', null);
  return {
    url: collector.url,
    token,
    async ask(argv) {
      process.stdout.write(`\n$ stitch ${argv.join(' ')}\n`);
      await runCli([...argv, '--url', collector.url, '--token', token], {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        env: {},
      });
    },
    close: () => collector.close(),
  };
}
