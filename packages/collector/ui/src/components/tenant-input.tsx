import { TenantsResponseSchema } from '@stitch/contract';
import { useApi } from '../api/use-api.js';

/** A tenant text field that suggests the tenants seen in the last day (only its own for a tenant token). */
export function TenantInput({ value, onInput, placeholder }: { value: string; onInput: (v: string) => void; placeholder: string }) {
  const state = useApi('/api/tenants?since=24h', TenantsResponseSchema);
  return (
    <label>
      Tenant
      <input name="tenant" list="stitch-tenants" value={value} size={36} placeholder={placeholder} onInput={(e) => onInput(e.currentTarget.value)} />
      <datalist id="stitch-tenants">
        {state.status === 'ok' ? state.data.tenants.map((t) => <option value={t.tenantId}>{`${t.traces} traces`}</option>) : null}
      </datalist>
    </label>
  );
}
