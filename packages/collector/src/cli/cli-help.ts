import { readFileSync } from 'node:fs';
import { QUESTIONS } from '../questions/registry/index.js';

/** What `--help` says about one command; the question commands come from the question registry. */
export interface CommandHelp {
  summary: string;
  usage: string;
  example: string;
}

// serve, token and store are not questions (no API call), so they are declared here once.
const LOCAL_COMMANDS: Record<string, CommandHelp> = {
  serve: {
    summary: 'receive OTLP/HTTP and OTLP/gRPC, store it in DuckDB (or ClickHouse: --store), serve the API and the UI',
    usage: 'stitch serve [--host 127.0.0.1] [--port 4318] [--grpc-port 4317|off] [--data stitch.duckdb] [--store clickhouse://user@host:8123/db] [--config stitch.yaml] [--forward-url URL] [--max-body-bytes N]',
    example: 'stitch serve --port 4318 --data ./stitch.duckdb',
  },
  token: {
    summary: 'create, list or revoke API tokens (a new secret is shown once; only its hash is stored)',
    usage:
      'stitch token create --scope traces:read[,logs:read,ingest:write]|admin (--tenant <id> | --all-tenants) [--name ci-bot] [--ttl 30d|12h|90m] [--data stitch.duckdb] [--json]\n' +
      '       stitch token list [--data stitch.duckdb] [--json]\n' +
      '       stitch token revoke <id|name> [--data stitch.duckdb] [--json]',
    example: 'stitch token create --scope traces:read,logs:read --tenant 11111111-1111-4111-8111-111111111111 --name ci-bot --ttl 30d',
  },
  store: {
    summary: 'ClickHouse only: add (or --revert) the tenant, entry route and query name columns, skip indexes and a projection by tenant (docs/past-one-machine.md)',
    usage: 'stitch store migrate [--revert] [--store clickhouse://user@host:8123/db | chdb:///dir] [--config stitch.yaml]',
    example: 'stitch store migrate --store clickhouse://stitch@clickhouse.internal:8123/otel',
  },
};

const COMMON =
  'Questions reach the collector at --url / STITCH_URL (default http://127.0.0.1:4318) with --token / STITCH_TOKEN.\n' +
  'Common flags: --json (the API answer as JSON), --since 1h|ISO, --until ISO, --tenant <id>, --limit N.\n';

/** Every command's help, in the order `stitch --help` lists them. */
export function commandHelp(name: string): CommandHelp | undefined {
  return allCommands().find(([n]) => n === name)?.[1];
}

function allCommands(): [string, CommandHelp][] {
  const questions = QUESTIONS.flatMap((q): [string, CommandHelp][] =>
    q.cli ? [[q.name, { summary: q.summary, usage: q.cli.usage, example: q.cli.example }]] : [],
  );
  return [...Object.entries(LOCAL_COMMANDS), ...questions];
}

/** `stitch --help`: one line per command. */
export function renderOverview(): string {
  const width = Math.max(...allCommands().map(([n]) => n.length));
  return (
    'usage: stitch <command> [options]   (stitch <command> --help for its options and an example)\n\ncommands:\n' +
    allCommands().map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`).join('\n') +
    `\n  ${'help'.padEnd(width)}  this list; stitch help <command> for one command\n\n` +
    COMMON +
    'Global flags: --help/-h, --version/-V.\n'
  );
}

/** `stitch <command> --help`: its summary, usage, options and one example. */
export function renderCommandHelp(name: string): string {
  const c = commandHelp(name);
  if (!c) return renderOverview();
  return `${name}: ${c.summary}\n\nusage: ${c.usage}\n\n${LOCAL_COMMANDS[name] ? '' : COMMON + '\n'}example:\n  ${c.example}\n`;
}

/** The usage line printed after a usage error: the command's when known, else the overview. */
export function usageFor(name: string | undefined): string {
  const c = name === undefined ? undefined : commandHelp(name);
  return c ? `usage: ${c.usage}\n(stitch ${name} --help for more)\n` : renderOverview();
}

/** The collector package's version, read from its package.json (no build step bakes it in). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
