import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { TokenCreated, TokenScope } from '@stitch/contract';

/** A token as the collector knows it: never the secret, only its SHA-256. */
export interface TokenRecord {
  id: string;
  /** Hex SHA-256 of the token. A plain hash suffices: tokens are 256 random bits, not passwords. */
  hash: string;
  scope: TokenScope;
  /** null: platform-wide. */
  tenantId: string | null;
  createdAt: string;
}

interface TokenFile {
  version: 1;
  tokens: TokenRecord[];
}

const PREFIX = 'stitch_';

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The tokens file that sits beside a data file. */
export function tokenFilePath(dataPath: string): string {
  return `${dataPath}.tokens.json`;
}

/**
 * Tokens live in a small JSON file beside the DuckDB file rather than inside it: DuckDB locks
 * its file to one process, and `stitch token create` must work while `stitch serve` runs. The
 * server re-reads the file when its mtime changes, so a new token works at once.
 */
export class TokenStore {
  private records: TokenRecord[] = [];
  private byHash = new Map<string, TokenRecord>();
  private loadedMtimeMs = -1;

  constructor(readonly path: string) {}

  private reloadIfChanged(): void {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
    } catch {
      mtimeMs = 0;
    }
    if (mtimeMs === this.loadedMtimeMs) return;
    this.loadedMtimeMs = mtimeMs;
    if (mtimeMs === 0) {
      this.records = [];
    } else {
      const file = JSON.parse(readFileSync(this.path, 'utf8')) as TokenFile;
      this.records = Array.isArray(file.tokens) ? file.tokens : [];
    }
    this.byHash = new Map(this.records.map((r) => [r.hash, r]));
  }

  /**
   * Issues a token. The secret is returned once and never stored.
   *
   * @example new TokenStore(tokenFilePath('stitch.duckdb')).create('traces:read', tenantUuid)
   */
  create(scope: TokenScope, tenantId: string | null): TokenCreated {
    this.reloadIfChanged();
    const token = PREFIX + randomBytes(32).toString('base64url');
    const record: TokenRecord = {
      id: randomUUID().slice(0, 8),
      hash: hashToken(token),
      scope,
      tenantId,
      createdAt: new Date().toISOString(),
    };
    const next: TokenFile = { version: 1, tokens: [...this.records, record] };
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
    this.loadedMtimeMs = -1;
    return { id: record.id, token, scope, tenantId, createdAt: record.createdAt };
  }

  /** The record for a presented token, or null. Compared by hash in constant time. */
  verify(token: string): TokenRecord | null {
    if (!token.startsWith(PREFIX) || token.length > 200) return null;
    this.reloadIfChanged();
    const hash = hashToken(token);
    const record = this.byHash.get(hash);
    if (!record) return null;
    return timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex')) ? record : null;
  }
}
