import { z } from 'zod';
import { IsoTimeSchema } from './common.js';

export const TOKEN_SCOPES = ['traces:read', 'logs:read', 'admin'] as const;
export const TokenScopeSchema = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScopeSchema>;

/** `POST /api/tokens` (admin) and `stitch token create`: the token is shown once, stored hashed. */
export const TokenCreatedSchema = z.object({
  id: z.string(),
  token: z.string(),
  scope: TokenScopeSchema,
  /** null: platform-wide (all tenants). */
  tenantId: z.string().nullable(),
  createdAt: IsoTimeSchema,
});

export const AuditEntrySchema = z.object({
  time: IsoTimeSchema,
  tokenId: z.string().nullable(),
  scope: z.string().nullable(),
  tenantId: z.string().nullable(),
  route: z.string(),
  query: z.string(),
  status: z.number().int(),
  requestId: z.string(),
});

/** `GET /api/audit` (admin): who read what, newest first. */
export const AuditResponseSchema = z.object({ entries: z.array(AuditEntrySchema) });

export type TokenCreated = z.infer<typeof TokenCreatedSchema>;
export type AuditResponse = z.infer<typeof AuditResponseSchema>;
