import { z } from 'zod';
import { IsoTimeSchema } from './common.js';

/** `ingest:write`: may send OTLP when the collector's `ingestAuth` asks for a token. */
export const TOKEN_SCOPES = ['traces:read', 'logs:read', 'ingest:write', 'admin'] as const;
export const TokenScopeSchema = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScopeSchema>;

/** A token's label, unique among the tokens of one collector: `stitch token revoke ci-bot`. */
export const TokenNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64, starting with a letter or digit)');

/** `POST /api/tokens` (admin) and `stitch token create`: the token is shown once, stored hashed. */
export const TokenCreatedSchema = z.object({
  id: z.string(),
  token: z.string(),
  name: z.string().nullable(),
  /** `admin` implies every other scope. */
  scopes: z.array(TokenScopeSchema).min(1),
  /** null: platform-wide (all tenants). */
  tenantId: z.string().nullable(),
  createdAt: IsoTimeSchema,
  /** null: never expires. */
  expiresAt: IsoTimeSchema.nullable(),
});

/** One token as `stitch token list` and `GET /api/tokens` show it: never the secret nor its hash. */
export const TokenSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  scopes: z.array(TokenScopeSchema).min(1),
  tenantId: z.string().nullable(),
  createdAt: IsoTimeSchema,
  expiresAt: IsoTimeSchema.nullable(),
  expired: z.boolean(),
  /** Last accepted use since the collector started; null when unknown (the CLI reads the file only). */
  lastUsedAt: IsoTimeSchema.nullable(),
});

/** `GET /api/tokens` (platform-wide admin) and `stitch token list`: oldest first. */
export const TokenListResponseSchema = z.object({ tokens: z.array(TokenSummarySchema) });

/** `DELETE /api/tokens/:id` (platform-wide admin) and `stitch token revoke`: the token removed. */
export const TokenRevokedSchema = z.object({ revoked: TokenSummarySchema });

export const AuditEntrySchema = z.object({
  time: IsoTimeSchema,
  tokenId: z.string().nullable(),
  /** The token's scopes, comma-separated. */
  scope: z.string().nullable(),
  tenantId: z.string().nullable(),
  route: z.string(),
  query: z.string(),
  status: z.number().int(),
  requestId: z.string(),
  /** Requests the row stands for: 1, or more for a summary of refusals past a client's rate (the latest one's route and request id). */
  count: z.number().int().positive(),
});

/** `GET /api/audit` (admin): who read what, newest first. */
export const AuditResponseSchema = z.object({ entries: z.array(AuditEntrySchema) });

export type TokenCreated = z.infer<typeof TokenCreatedSchema>;
export type TokenSummary = z.infer<typeof TokenSummarySchema>;
export type TokenListResponse = z.infer<typeof TokenListResponseSchema>;
export type TokenRevoked = z.infer<typeof TokenRevokedSchema>;
export type AuditResponse = z.infer<typeof AuditResponseSchema>;
