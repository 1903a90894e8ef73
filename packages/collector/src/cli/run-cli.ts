import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StitchError, TokenNameSchema, TokenScopeSchema, TenantIdSchema, LogLineSchema, LogStreamNoticeSchema, type TokenScope } from '@stitch/contract';
import { parseTtl, TokenStore, tokenFilePath } from '../auth/token-store.js';
import { renderTable } from './render-table.js';
import { apiGet, apiStream, ApiCallError, type ClientOptions } from './api-client.js';
import { commandHelp, packageVersion, renderCommandHelp, renderOverview, usageFor } from './cli-help.js';
import { flag, requestFor, type CliFlags } from '../questions/question.js';
import { QUESTIONS, questionNamed } from '../questions/registry/index.js';
import { renderLogLine } from '../questions/registry/logs.js';
import { UsageError } from './usage-error.js';
import type { Store } from '../store/store.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Resolves when `stitch serve` should stop (SIGINT/SIGTERM in the real binary). */
  stopSignal?: Promise<void>;
  /** Ends a `logs --follow` stream (tests; the binary just exits on Ctrl-C). */
  abortSignal?: AbortSignal;
}

// Flags every question takes, and those of serve and token; each question's own flags
// (`--grep`, `--follow`, `--top`…) come from its registry entry, so the parser and the help agree.
const COMMON_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  tenant: { type: 'string' },
  limit: { type: 'string' },
  scope: { type: 'string' },
  ttl: { type: 'string' },
  name: { type: 'string' },
  'all-tenants': { type: 'boolean' },
  revert: { type: 'boolean' },
  data: { type: 'string' },
  store: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'grpc-port': { type: 'string' },
  config: { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'forward-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const OPTIONS: ParseArgsConfig['options'] = {
  ...Object.fromEntries(QUESTIONS.flatMap((q) => Object.entries(q.cli?.flags ?? {}).map(([name, type]) => [name, { type }]))),
  ...COMMON_OPTIONS,
};

async function serve(flags: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  // Loaded here, not at the top: fastify, DuckDB and the YAML parser cost ~190 ms of start-up
  // that --help, --version and every question (a plain HTTP call) do not need.
  const [{ loadCollectorConfig }, { startCollector }] = await Promise.all([
    import('../config/collector-config.js'),
    import('../server/create-collector.js'),
  ]);
  const config = loadCollectorConfig(
    {
      config: typeof flags.config === 'string' ? flags.config : undefined,
      host: typeof flags.host === 'string' ? flags.host : undefined,
      port: typeof flags.port === 'string' ? Number(flags.port) : undefined,
      grpcPort: typeof flags['grpc-port'] === 'string' ? (flags['grpc-port'] === 'off' ? 'off' : Number(flags['grpc-port'])) : undefined,
      data: typeof flags.data === 'string' ? flags.data : undefined,
      store: typeof flags.store === 'string' ? flags.store : undefined,
      maxBodyBytes: typeof flags['max-body-bytes'] === 'string' ? Number(flags['max-body-bytes']) : undefined,
      ...(typeof flags['forward-url'] === 'string' ? { forward: { url: flags['forward-url'] } } : {}),
    },
    io.env,
  );
  let collector;
  try {
    collector = await startCollector(config);
  } catch (err) {
    // The usual causes: the port is taken, or another process holds the DuckDB file's lock.
    io.stderr(`stitch serve: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  const grpc = collector.grpcAddress === null ? '' : `, OTLP/gRPC on ${collector.grpcAddress}`;
  const ui = collector.uiUrl === null ? '' : `; web UI on ${collector.uiUrl}`;
  io.stderr(`stitch: receiving OTLP/HTTP on ${collector.url}/v1/traces and /v1/logs${grpc}; API on ${collector.url}/api${ui}; store ${collector.store.dialect === 'duckdb' ? resolve(config.data) : collector.store.path}\n`);
  await (io.stopSignal ?? new Promise<void>(() => undefined));
  await collector.close();
  return 0;
}

/** `stitch store migrate [--revert]`: store/clickhouse/store-migration.ts on the configured ClickHouse store. */
async function storeMigrate(args: readonly string[], flags: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  if (args[0] !== 'migrate' || args.length > 1) {
    io.stderr(`stitch store: ${args[0] === undefined ? 'missing subcommand' : `unknown subcommand ${args.join(' ')}`}\n${usageFor('store')}`);
    return 2;
  }
  const { loadCollectorConfig } = await import('../config/collector-config.js');
  const config = loadCollectorConfig({ config: typeof flags.config === 'string' ? flags.config : undefined, store: typeof flags.store === 'string' ? flags.store : undefined }, io.env);
  if (config.store === undefined) {
    io.stderr(`stitch store migrate: the store is DuckDB, which has nothing to migrate: pass --store clickhouse://… (or STITCH_STORE, or the config's store)\n${usageFor('store')}`);
    return 2;
  }
  const [{ openStore }, { migrateStore, revertStoreMigration }] = await Promise.all([import('../store/open-store.js'), import('../store/clickhouse/store-migration.js')]);
  let store: Store | undefined;
  let location: string;
  try {
    store = await openStore({ data: resolve(config.data), store: config.store });
    location = store.path;
    await (flags.revert === true ? revertStoreMigration(store) : migrateStore(store));
  } catch (err) {
    // The usual causes: the server is unreachable, or the user may not ALTER the table.
    io.stderr(`stitch store migrate: cannot migrate: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
  io.stderr(`stitch store migrate: ${location} ${flags.revert === true ? 'is back on the exporter\'s schema' : 'has Stitch\'s columns (the tenant, entry, route, query, job, webhook and event fields), skip indexes on the tenant, entry route and query name, and the projection by tenant'}\n`);
  return 0;
}

function tokenStoreFor(flags: Record<string, string | boolean | undefined>, io: CliIo): TokenStore {
  const data = typeof flags.data === 'string' ? flags.data : (io.env.STITCH_DATA ?? 'stitch.duckdb');
  // The tokens file beside the store; a running `stitch serve` sees every change at its next request.
  return new TokenStore(tokenFilePath(resolve(data)));
}

function tokenCreate(flags: Record<string, string | boolean | undefined>, io: CliIo): number {
  const usage = (reason: string): number => {
    io.stderr(`stitch token create: ${reason}
${usageFor('token')}`);
    return 2;
  };
  const scopes: TokenScope[] = [];
  for (const part of (typeof flags.scope === 'string' ? flags.scope : '').split(',')) {
    const scope = TokenScopeSchema.safeParse(part.trim());
    if (!scope.success) return usage('--scope takes traces:read, logs:read, ingest:write or admin, comma-separated (traces:read,logs:read)');
    scopes.push(scope.data);
  }
  const all = flags['all-tenants'] === true;
  const tenant = typeof flags.tenant === 'string' ? flags.tenant : undefined;
  if (all === (tenant !== undefined)) return usage('pass exactly one of --tenant <id> or --all-tenants');
  if (tenant !== undefined && !TenantIdSchema.safeParse(tenant).success) return usage('--tenant takes a tenant id as the service sets it: 1–128 letters, digits and . _ : -, starting with a letter or digit');
  if (scopes.includes('admin') && !all) return usage('an admin token is platform-wide: use --all-tenants');
  if (scopes.includes('admin') && scopes.length > 1) return usage('admin implies every scope: pass --scope admin alone');
  const ttlMillis = typeof flags.ttl === 'string' ? parseTtl(flags.ttl) : undefined;
  if (ttlMillis === null) return usage('--ttl takes minutes, hours or days: 90m, 12h, 30d (at most 3650d)');
  const name = typeof flags.name === 'string' ? flags.name : undefined;
  if (name !== undefined && !TokenNameSchema.safeParse(name).success) return usage('--name takes letters, digits, . _ - (at most 64)');
  const created = tokenStoreFor(flags, io).create({
    scopes,
    tenantId: tenant ?? null,
    ...(name !== undefined ? { name } : {}),
    ...(ttlMillis !== undefined ? { ttlMillis } : {}),
  });
  if (flags.json === true) io.stdout(JSON.stringify(created) + '\n');
  else {
    io.stdout(`${created.token}\n`);
    const label = created.name === null ? created.id : `${created.id} (${created.name})`;
    const expiry = created.expiresAt === null ? 'no expiry' : `expires ${created.expiresAt}`;
    io.stderr(`token ${label}: scopes ${created.scopes.join(',')}, ${created.tenantId ? `tenant ${created.tenantId}` : 'all tenants'}, ${expiry}. It is shown once; only its hash is stored.\n`);
  }
  return 0;
}

function tokenList(flags: Record<string, string | boolean | undefined>, io: CliIo): number {
  const tokens = tokenStoreFor(flags, io).list();
  if (flags.json === true) {
    io.stdout(JSON.stringify({ tokens }, null, 2) + '\n');
    return 0;
  }
  io.stdout(
    renderTable(
      ['id', 'name', 'scopes', 'tenant', 'created', 'expires'],
      tokens.map((t) => [t.id, t.name ?? '-', t.scopes.join(','), t.tenantId ?? 'all tenants', t.createdAt, t.expiresAt === null ? 'never' : `${t.expiresAt}${t.expired ? ' (expired)' : ''}`]),
    ),
  );
  return 0;
}

function tokenRevoke(args: string[], flags: Record<string, string | boolean | undefined>, io: CliIo): number {
  if (args.length !== 1) {
    io.stderr(`stitch token revoke: ${args.length === 0 ? 'missing <id|name>' : 'revokes one token at a time'}\n${usageFor('token')}`);
    return 2;
  }
  const revoked = tokenStoreFor(flags, io).revoke(args[0]!);
  if (flags.json === true) io.stdout(JSON.stringify({ revoked }) + '\n');
  else io.stderr(`token ${revoked.id}${revoked.name === null ? '' : ` (${revoked.name})`} revoked: it is refused from now on.\n`);
  return 0;
}

/**
 * The `stitch` command line. Returns the exit code: 0 ok, 1 the server refused or failed,
 * 2 bad usage. Kept apart from bin/ so tests run it in-process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
    // parseArgs keeps the last of a repeated flag; `--scope a --scope b` would silently lose a.
    const seen = new Set<string>();
    // OPTIONS is built from the registry, so parseArgs cannot type its tokens: read them plainly.
    for (const token of parsed.tokens as readonly { kind: string; name?: string }[]) {
      if (token.kind !== 'option' || token.name === undefined) continue;
      if (seen.has(token.name)) {
        const hint = token.name === 'scope' ? ' (several scopes: --scope traces:read,logs:read)' : '';
        throw new Error(`Option '--${token.name}' is given more than once: pass it once${hint}`);
      }
      seen.add(token.name);
    }
  } catch (err) {
    // node's message runs on with advice about `--`; the first sentence is the reason.
    const reason = (err as Error).message.split('. ')[0]!.replace(/\.$/, '');
    const named = argv.find((a) => commandHelp(a) !== undefined);
    io.stderr(`stitch${named ? ` ${named}` : ''}: ${reason}\n${usageFor(named)}`);
    return 2;
  }
  const { positionals } = parsed;
  const flags = parsed.values as CliFlags;
  const [command, ...args] = positionals;
  if (flags.version) {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (command === 'help') {
    const topic = args[0];
    if (topic !== undefined && !commandHelp(topic)) {
      io.stderr(`stitch help: unknown command ${topic}\n${renderOverview()}`);
      return 2;
    }
    io.stdout(topic ? renderCommandHelp(topic) : renderOverview());
    return 0;
  }
  if (!command) {
    if (flags.help) {
      io.stdout(renderOverview());
      return 0;
    }
    io.stderr(`stitch: missing command\n${renderOverview()}`);
    return 2;
  }
  if (!commandHelp(command)) {
    io.stderr(`stitch: unknown command ${command}\n${renderOverview()}`);
    return 2;
  }
  if (flags.help) {
    io.stdout(renderCommandHelp(command));
    return 0;
  }
  try {
    if (command === 'serve') return await serve(flags, io);
    if (command === 'store') return await storeMigrate(args, flags, io);
    if (command === 'token') {
      const [sub, ...rest] = args;
      if (sub === 'create') return tokenCreate(flags, io);
      if (sub === 'list') return tokenList(flags, io);
      if (sub === 'revoke') return tokenRevoke(rest, flags, io);
      io.stderr(`stitch token: ${sub === undefined ? 'missing subcommand' : `unknown subcommand ${sub}`}\n${usageFor('token')}`);
      return 2;
    }
    const question = questionNamed(command);
    if (!question?.cli) throw new Error(`${command} is in the help but not a question`);
    const client: ClientOptions = {
      url: flag(flags.url) ?? io.env.STITCH_URL ?? 'http://127.0.0.1:4318',
      token: flag(flags.token) ?? io.env.STITCH_TOKEN,
    };
    const { path, query } = requestFor(question.route, question.cli.params(args, flags));
    if (question.follows && flags.follow) {
      await apiStream(client, path, { ...query, follow: 'true' }, (value) => {
        if (flags.json) return io.stdout(JSON.stringify(value) + '\n');
        const line = LogLineSchema.safeParse(value);
        if (line.success) return io.stdout(renderLogLine(line.data) + '\n');
        const notice = LogStreamNoticeSchema.safeParse(value);
        if (notice.success && notice.data.notice === 'dropped') io.stderr(`… ${notice.data.dropped} lines dropped (limit ${notice.data.limit})\n`);
      }, io.abortSignal);
      return 0;
    }
    const answer = question.answer.parse(await apiGet(client, path, query));
    io.stdout(flags.json ? JSON.stringify(answer, null, 2) + '\n' : question.cli.render(answer));
    return 0;
  } catch (err) {
    // Whether a question needs --tenant depends on the token (a tenant-bound one names it), which
    // only the server knows: its answer is a usage error here, for any question that needs one.
    if (err instanceof ApiCallError && err.code === 'STITCH_ERR_COLLECTOR_TENANT_REQUIRED') {
      io.stderr(`stitch ${command}: missing --tenant <id> (needed unless the token is bound to a tenant)\n${usageFor(command)}`);
      return 2;
    }
    if (err instanceof ApiCallError || err instanceof StitchError) {
      io.stderr(`stitch ${command}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof UsageError) {
      io.stderr(`stitch ${command}: ${err.message}\n${usageFor(command)}`);
      return 2;
    }
    throw err;
  }
}
