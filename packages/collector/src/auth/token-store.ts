import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { TokenNameSchema, TokenScopeSchema, type TokenCreated, type TokenScope, type TokenSummary } from '@stitch/contract';
import { StitchError } from '@stitch/contract';

/** A token as the collector knows it: never the secret, only its SHA-256. */
export interface TokenRecord {
  id: string;
  /** Hex SHA-256 of the token. A plain hash suffices: tokens are 256 random bits, not passwords. */
  hash: string;
  name: string | null;
  /** At least one; `admin` implies all. */
  scopes: TokenScope[];
  /** null: platform-wide. */
  tenantId: string | null;
  createdAt: string;
  /** null: never expires. */
  expiresAt: string | null;
}

/** What `create` needs; `ttlMillis` absent: no expiry. */
export interface TokenRequest {
  scopes: readonly TokenScope[];
  tenantId: string | null;
  name?: string;
  ttlMillis?: number;
}

/** Why a presented token was refused, or the record it matched. */
export type TokenCheck = { ok: true; record: TokenRecord } | { ok: false; reason: 'unknown' } | { ok: false; reason: 'expired'; expiresAt: string };

// Version 1 files (before lifecycles) hold one `scope` per token and no name or expiry; they are
// read as they are and rewritten as version 2 on the next create or revoke.
const StoredTokenSchema = z
  .object({
    id: z.string().min(1),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    name: TokenNameSchema.nullable().optional(),
    scope: TokenScopeSchema.optional(),
    scopes: z.array(TokenScopeSchema).min(1).optional(),
    tenantId: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.iso.datetime().nullable().optional(),
  })
  .refine((t) => t.scope !== undefined || t.scopes !== undefined, 'a token needs scope or scopes');
const TokenFileSchema = z.object({ version: z.union([z.literal(1), z.literal(2)]), tokens: z.array(StoredTokenSchema) });

interface TokenFile {
  version: 2;
  tokens: TokenRecord[];
}

const PREFIX = 'stitch_';
/** Ten years: longer is "never", which is what omitting --ttl says. */
export const MAX_TOKEN_TTL_MILLIS = 3650 * 86_400_000;

const TTL_UNIT_MILLIS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses an expiry as `stitch token create --ttl` and `POST /api/tokens` take it: a whole number
 * of minutes, hours or days (`90m`, `12h`, `30d`), at most 3650 days. Null when malformed.
 *
 * @example parseTtl('30d') // 2_592_000_000
 */
export function parseTtl(text: string): number | null {
  const match = /^(\d{1,7})([mhd])$/.exec(text.trim());
  if (!match) return null;
  const millis = Number(match[1]) * TTL_UNIT_MILLIS[match[2]!]!;
  return millis > 0 && millis <= MAX_TOKEN_TTL_MILLIS ? millis : null;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The tokens file that sits beside a data file. */
export function tokenFilePath(dataPath: string): string {
  return `${dataPath}.tokens.json`;
}

/** A token as it may be shown: without its hash. */
export function summarizeToken(record: TokenRecord, lastUsedMillis: number | undefined, nowMillis = Date.now()): TokenSummary {
  return {
    id: record.id,
    name: record.name,
    scopes: [...record.scopes],
    tenantId: record.tenantId,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    expired: record.expiresAt !== null && Date.parse(record.expiresAt) <= nowMillis,
    lastUsedAt: lastUsedMillis === undefined ? null : new Date(lastUsedMillis).toISOString(),
  };
}

/**
 * Tokens live in a small JSON file beside the DuckDB file rather than inside it: DuckDB locks
 * its file to one process, and `stitch token create|list|revoke` must work while `stitch serve`
 * runs. The server re-reads the file when its mtime, size or inode changes (every write is a
 * rename of a fresh file), so a new or revoked token takes effect at the next request.
 */
export class TokenStore {
  private records: TokenRecord[] = [];
  private byHash = new Map<string, TokenRecord>();
  private loadedVersion = '';
  /** In memory only: a use is one Map.set, where a file write per request would not be cheap. */
  private readonly lastUsed = new Map<string, number>();

  constructor(readonly path: string) {}

  private fileVersion(): string {
    try {
      const s = statSync(this.path);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return 'absent';
    }
  }

  /** Throws STITCH_ERR_COLLECTOR_TOKEN_FILE_INVALID rather than guess: a bad file accepts no token. */
  private readFile(): TokenRecord[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StitchError('STITCH_ERR_COLLECTOR_TOKEN_FILE_INVALID', { file: this.path, detail: (err as Error).message });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new StitchError('STITCH_ERR_COLLECTOR_TOKEN_FILE_INVALID', { file: this.path, detail: (err as Error).message });
    }
    const parsed = TokenFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new StitchError('STITCH_ERR_COLLECTOR_TOKEN_FILE_INVALID', {
        file: this.path,
        detail: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid',
      });
    }
    return parsed.data.tokens.map((t) => ({
      id: t.id,
      hash: t.hash,
      name: t.name ?? null,
      scopes: t.scopes ?? [t.scope!],
      tenantId: t.tenantId,
      createdAt: t.createdAt,
      expiresAt: t.expiresAt ?? null,
    }));
  }

  private reloadIfChanged(): void {
    const version = this.fileVersion();
    if (version === this.loadedVersion) return;
    // Forget the old set first: if the new file is bad, nothing is accepted until it is fixed.
    this.records = [];
    this.byHash = new Map();
    this.loadedVersion = '';
    const records = this.readFile();
    this.records = records;
    this.byHash = new Map(records.map((r) => [r.hash, r]));
    this.loadedVersion = version;
  }

  /** Read-modify-write from a fresh read, so a change made by another process is never lost to a stale cache. */
  private write(change: (records: TokenRecord[]) => TokenRecord[]): void {
    const next: TokenFile = { version: 2, tokens: change(this.readFile()) };
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
    this.loadedVersion = '';
  }

  /**
   * Issues a token. The secret is returned once and never stored.
   *
   * @example store.create({ scopes: ['traces:read', 'logs:read'], tenantId: tenantUuid, name: 'ci-bot', ttlMillis: 30 * 86_400_000 })
   */
  create(request: TokenRequest, nowMillis?: number): TokenCreated;
  /** One scope, no name, no expiry: the form before tokens had a lifecycle. */
  create(scope: TokenScope, tenantId: string | null): TokenCreated;
  create(requestOrScope: TokenRequest | TokenScope, second?: number | string | null): TokenCreated {
    const request: TokenRequest = typeof requestOrScope === 'string' ? { scopes: [requestOrScope], tenantId: (second as string | null | undefined) ?? null } : requestOrScope;
    const nowMillis = typeof requestOrScope === 'string' || typeof second !== 'number' ? Date.now() : second;
    const scopes = [...new Set(request.scopes)];
    const invalid = (detail: string): StitchError => new StitchError('STITCH_ERR_COLLECTOR_TOKEN_INVALID', { detail });
    if (scopes.length === 0) throw invalid('a token needs at least one scope');
    if (scopes.includes('admin') && scopes.length > 1) throw invalid('admin implies every scope: pass it alone');
    if (scopes.includes('admin') && request.tenantId !== null) throw invalid('an admin token is platform-wide');
    if (request.name !== undefined && !TokenNameSchema.safeParse(request.name).success) throw invalid(`bad name ${JSON.stringify(request.name)}`);
    const ttl = request.ttlMillis;
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0 && ttl <= MAX_TOKEN_TTL_MILLIS)) throw invalid('the expiry must be between 1 ms and 3650 days');
    const token = PREFIX + randomBytes(32).toString('base64url');
    let record: TokenRecord | undefined;
    this.write((records) => {
      const taken = new Set(records.flatMap((r) => (r.name === null ? [r.id] : [r.id, r.name])));
      // Names and ids share one namespace, so `revoke <id|name>` always means one token.
      if (request.name !== undefined && taken.has(request.name)) throw invalid(`the name ${request.name} is taken`);
      let id = randomUUID().slice(0, 8);
      while (taken.has(id)) id = randomUUID().slice(0, 8);
      record = {
        id,
        hash: hashToken(token),
        name: request.name ?? null,
        scopes,
        tenantId: request.tenantId,
        createdAt: new Date(nowMillis).toISOString(),
        expiresAt: ttl === undefined ? null : new Date(nowMillis + ttl).toISOString(),
      };
      return [...records, record];
    });
    const r = record!;
    return { id: r.id, token, name: r.name, scopes: r.scopes, tenantId: r.tenantId, createdAt: r.createdAt, expiresAt: r.expiresAt };
  }

  /** Every token, expired ones included (marked), oldest first; never a secret or a hash. */
  list(nowMillis = Date.now()): TokenSummary[] {
    this.reloadIfChanged();
    return this.records.map((r) => summarizeToken(r, this.lastUsed.get(r.id), nowMillis));
  }

  /**
   * Removes a token by id or name; it is refused from the next request on (its hash is gone
   * from the file, so no older reader can accept it either). Unknown: STITCH_ERR_COLLECTOR_NOT_FOUND.
   */
  revoke(idOrName: string, nowMillis = Date.now()): TokenSummary {
    let removed: TokenRecord | undefined;
    this.write((records) => {
      removed = records.find((r) => r.id === idOrName) ?? records.find((r) => r.name === idOrName);
      if (!removed) throw new StitchError('STITCH_ERR_COLLECTOR_NOT_FOUND', { what: `token ${idOrName}` });
      return records.filter((r) => r !== removed);
    });
    const summary = summarizeToken(removed!, this.lastUsed.get(removed!.id), nowMillis);
    this.lastUsed.delete(removed!.id);
    return summary;
  }

  /** Checks a presented token: the record, or why not. Compared by hash in constant time. */
  check(token: string, nowMillis = Date.now()): TokenCheck {
    if (!token.startsWith(PREFIX) || token.length > 200) return { ok: false, reason: 'unknown' };
    this.reloadIfChanged();
    const hash = hashToken(token);
    const record = this.byHash.get(hash);
    if (!record || !timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex'))) return { ok: false, reason: 'unknown' };
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= nowMillis) return { ok: false, reason: 'expired', expiresAt: record.expiresAt };
    this.lastUsed.set(record.id, nowMillis);
    return { ok: true, record };
  }

  /** The record for a presented, unexpired token, or null. */
  verify(token: string, nowMillis = Date.now()): TokenRecord | null {
    const result = this.check(token, nowMillis);
    return result.ok ? result.record : null;
  }
}
