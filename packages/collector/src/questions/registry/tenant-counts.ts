import type { TenantCount } from '@stitch/contract';

/**
 * `tenant×count` pairs for a table cell, most first as the answer lists them, after the number
 * of tenants when there are several. The count leads because the table cuts cells at 64
 * characters: "one tenant or all of them?" stays readable, and so does the first tenant's id.
 * `-` stands for spans that carried no tenant.
 */
export function renderTenantCounts(tenants: readonly TenantCount[], total = tenants.length): string {
  if (tenants.length === 0) return '-';
  const pairs = tenants.map((t) => `${t.tenantId ?? '-'}×${t.count}`).join(', ');
  return total > 1 ? `${total} tenants: ${pairs}` : pairs;
}
