// `@stitch/kernel/audit`: who did what for which tenant, with the trace id, in the service's database.
export { createAuditLog } from './audit-log.js';
export type { AuditLog, AuditLogOptions, AuditEntryInput, AuditRecord, AuditListQuery } from './audit-log.js';
