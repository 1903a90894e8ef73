import { useState } from 'preact/hooks';
import { WINDOWS } from './common.js';
import { TenantInput } from './tenant-input.js';
import { navigate } from '../router.js';

/** Extra text fields a ranked question's page may take besides tenant and window (`grep`). */
export interface ExtraField {
  key: string;
  label: string;
  placeholder: string;
}

/**
 * The form above a ranked answer: tenant, window and the page's own fields. It lives in the URL,
 * so an answer can be shared and reloaded; keys it does not own (a kind tab) are kept.
 */
export function QuestionFilters({ page, query, extra = [] }: { page: string; query: URLSearchParams; extra?: ExtraField[] }) {
  const [form, setForm] = useState<Record<string, string>>(() => {
    const f: Record<string, string> = { tenant: query.get('tenant') ?? '', since: query.get('since') ?? '1h' };
    for (const e of extra) f[e.key] = query.get(e.key) ?? '';
    return f;
  });
  const set = (key: string, value: string): void => setForm({ ...form, [key]: value });
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        const next = new URLSearchParams(query);
        for (const [k, v] of Object.entries(form)) {
          if (v.trim() === '') next.delete(k);
          else next.set(k, v.trim());
        }
        navigate(page, next.toString());
      }}
    >
      <TenantInput value={form.tenant ?? ''} placeholder="all tenants" onInput={(v) => set('tenant', v)} />
      <label>
        Since
        <select name="since" value={form.since} onChange={(e) => set('since', e.currentTarget.value)}>
          {[...new Set([...WINDOWS, form.since ?? '1h'])].map((w) => (
            <option value={w}>{w}</option>
          ))}
        </select>
      </label>
      {extra.map((e) => (
        <label>
          {e.label}
          <input name={e.key} value={form[e.key]} placeholder={e.placeholder} size={24} onInput={(ev) => set(e.key, ev.currentTarget.value)} />
        </label>
      ))}
      <button type="submit">Show</button>
    </form>
  );
}

/** The API query for a ranked question: the page's window, tenant and the given keys of the URL. */
export function apiQuery(query: URLSearchParams, keys: readonly string[] = []): string {
  const q = new URLSearchParams({ since: query.get('since') ?? '1h' });
  for (const key of ['until', 'tenant', ...keys]) {
    const v = query.get(key);
    if (v) q.set(key, v);
  }
  return q.toString();
}
