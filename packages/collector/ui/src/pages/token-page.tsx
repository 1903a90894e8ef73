import { StatusResponseSchema } from '@stitch/contract';
import { useState } from 'preact/hooks';
import { ApiError, getJson } from '../api/client.js';
import { saveToken } from '../api/token.js';
import { ErrorBox } from '../components/common.js';

/** Asks for a collector token (`stitch token create …`) and checks it before keeping it. */
export function TokenPage({ onToken }: { onToken: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await getJson('/api/status', StatusResponseSchema, value.trim());
      saveToken(value);
      onToken();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'STITCH_UI_ERROR', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="token-page">
      <h1>Stitch</h1>
      <p>
        Enter a collector token. Create one with <code>stitch token create --scope traces:read --tenant &lt;id&gt;</code> (or{' '}
        <code>--all-tenants</code>); add <code>logs:read</code> or use an <code>admin</code> token to see log lines.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Token{' '}
          <input
            name="token"
            type="password"
            autoComplete="off"
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            size={48}
            autoFocus
          />
        </label>{' '}
        <button type="submit" disabled={busy || value.trim() === ''}>
          Sign in
        </button>
      </form>
      <p class="muted">Kept in this tab's session storage only; sent as a bearer token to this collector's API.</p>
      {error ? <ErrorBox error={error} /> : null}
    </main>
  );
}
