import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolveCollectorConfig, runCli, startCollector } from '@stitch/collector';
import type { Collector } from '@stitch/collector';

/** The collector `npm start` runs in its own process: OTLP in, DuckDB store, API and web UI. */
export interface EmbeddedCollector {
  readonly url: string;
  /** An admin token for the questions and for the web UI. */
  readonly token: string;
  /** Runs a `stitch` CLI command against this collector, prints its answer and returns it. */
  ask(argv: readonly string[], options?: { readonly quiet?: boolean }): Promise<string>;
  /** Resolves once everything received so far is written to the store. */
  settle(): Promise<void>;
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
    process.stderr.write(`approvals: port ${port} is taken; the collector listens on ${collector.url} instead\n`);
  }
  const { token } = collector.tokens.create('admin', null);
  return {
    url: collector.url,
    token,
    async ask(argv, askOptions = {}) {
      const print = askOptions.quiet !== true;
      if (print) process.stdout.write(`\n$ stitch ${argv.map(shellWord).join(' ')}\n`);
      let out = '';
      await runCli([...argv, '--url', collector.url, '--token', token], {
        stdout: (text) => {
          out += text;
          if (print) process.stdout.write(text);
        },
        stderr: (text) => process.stderr.write(text),
        env: {},
      });
      return out;
    },
    settle: () => collector.queue.idle(),
    close: () => collector.close(),
  };
}

/** One argument as a shell reads it back: printed commands are run as printed (`--grep 'no receipt'`). */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
