import { TENANTS } from './demo-service.js';

/** A few requests per tenant, in the order a reader can follow in the output. */
export async function driveTraffic(baseUrl: string): Promise<void> {
  for (const tenant of [TENANTS.acme, TENANTS.globex]) {
    const headers = { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' };
    await call(baseUrl, '/orders', { method: 'POST', headers, body: JSON.stringify({ item: 'anvil', quantity: 2 }) });
    await call(baseUrl, '/orders', { headers });
  }
  await call(baseUrl, '/reports/slow', { headers: { authorization: `Bearer ${TENANTS.acme.apiKey}` } });
  await call(baseUrl, '/orders/999', { headers: { authorization: `Bearer ${TENANTS.globex.apiKey}` } });
  await call(baseUrl, '/orders', { headers: { authorization: 'Bearer not-a-key' } });
}

async function call(baseUrl: string, path: string, init: RequestInit): Promise<void> {
  const response = await fetch(`${baseUrl}${path}`, init);
  const body = await response.text();
  process.stdout.write(`\n→ ${init.method ?? 'GET'} ${path}  ${response.status}  x-trace-id: ${response.headers.get('x-trace-id') ?? '-'}\n  ${body}\n`);
}
