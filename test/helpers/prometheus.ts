import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** One series of a PromQL instant query's answer. */
export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

/** A real Debian `prometheus` scraping its targets, on a free loopback port with its own storage. */
export interface RealPrometheus {
  readonly url: string;
  query(promql: string): Promise<PromSeries[]>;
  stop(): void;
}


/** Polls `probe` until it gives a value (undefined or a throw: not yet), or fails after the timeout. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMillis = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One scrape job: `target` (host:port) at `/metrics`, with a bearer token read from `credentialsFile`. */
export interface ScrapeJob {
  readonly job: string;
  readonly target: string;
  readonly credentialsFile?: string;
}

/**
 * Starts Prometheus in `dir` with a 1 s scrape of `target` as job `job` (or of every job in
 * `scrapes`, one config), evaluating `ruleFile` (and `ruleFiles`); `credentialsFile` holds a
 * bearer token for the scrape. Resolves once it is ready.
 */
export async function startPrometheus(
  options: { dir: string; ruleFile?: string; ruleFiles?: readonly string[] } & (ScrapeJob | { scrapes: readonly ScrapeJob[] }),
): Promise<RealPrometheus> {
  const { dir } = options;
  const scrapes: readonly ScrapeJob[] = 'scrapes' in options ? options.scrapes : [options];
  const ruleFiles = [...(options.ruleFile === undefined ? [] : [options.ruleFile]), ...(options.ruleFiles ?? [])];
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${ruleFiles.map((f) => `'${f}'`).join(', ')}]`,
      'scrape_configs:',
      ...scrapes.flatMap(({ job, target, credentialsFile }) => [
        `  - job_name: ${job}`,
        '    metrics_path: /metrics',
        ...(credentialsFile ? [`    authorization: { credentials_file: '${credentialsFile}' }`] : []),
        `    static_configs: [{ targets: ['${target}'] }]`,
      ]),
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const prometheus: RealPrometheus = {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { status: string; data: { result: PromSeries[] } };
      if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    stop: () => void child.kill('SIGTERM'),
  };
  try {
    await eventually('prometheus to be ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined));
  } catch (error) {
    prometheus.stop();
    throw error;
  }
  return prometheus;
}
