import { useState } from 'preact/hooks';
import { navigate } from '../router.js';

/**
 * "Open a trace by its id": a pasted id (any case, blanks around it) opens `#/trace/<id>`.
 * The landing page and the search page both offer it.
 */
export function OpenTraceForm({ size, placeholder, button }: { size: number; placeholder: string; button: string }) {
  const [traceId, setTraceId] = useState('');
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        if (traceId.trim()) navigate(`trace/${traceId.trim().toLowerCase()}`);
      }}
    >
      <label>
        Trace id
        <input name="traceId" value={traceId} size={size} placeholder={placeholder} onInput={(e) => setTraceId(e.currentTarget.value)} />
      </label>
      <button type="submit">{button}</button>
    </form>
  );
}
