import { useEffect, useState } from 'preact/hooks';
import { setUnauthenticatedHandler } from './api/client.js';
import { clearToken, readToken } from './api/token.js';
import { JobsPage } from './pages/jobs-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { SearchPage } from './pages/search-page.js';
import { ServiceMapPage } from './pages/service-map-page.js';
import { TokenPage } from './pages/token-page.js';
import { OpenFilePage, TracePage } from './pages/trace-page.js';
import { WebhooksPage } from './pages/webhooks-page.js';
import { href, useRoute } from './router.js';

const NAV = [
  ['search', 'Search'],
  ['overview', 'Tenant overview'],
  ['webhooks', 'Retry storms'],
  ['jobs', 'Job origins'],
  ['map', 'Service map'],
  ['open', 'Open file'],
] as const;

/** The shell: token gate, navigation and the page for the current hash route. */
export function App() {
  const route = useRoute();
  const [token, setToken] = useState(readToken);
  useEffect(() => setUnauthenticatedHandler(() => setToken(null)), []);
  const [page = 'search', ...rest] = route.path;
  // The static export (a saved trace) needs no collector and so no token.
  if (!token && page !== 'open') return <TokenPage onToken={() => setToken(readToken())} />;
  const key = `${route.path.join('/')}?${route.query.toString()}`;
  return (
    <>
      <header class="top">
        <a class="brand" href={href('search')}>
          Stitch
        </a>
        <nav>
          {NAV.map(([path, label]) => (
            <a class={page === path || (path === 'search' && page === 'trace') ? 'active' : ''} href={href(path)}>
              {label}
            </a>
          ))}
        </nav>
        {token ? (
          <button
            class="link signout"
            onClick={() => {
              clearToken();
              setToken(null);
            }}
          >
            Sign out
          </button>
        ) : null}
      </header>
      <main>
        {page === 'trace' && rest[0] ? <TracePage key={key} traceId={rest[0]} /> : null}
        {page === 'search' ? <SearchPage key={key} query={route.query} /> : null}
        {page === 'overview' ? <OverviewPage key={key} query={route.query} /> : null}
        {page === 'webhooks' ? <WebhooksPage key={key} query={route.query} /> : null}
        {page === 'jobs' ? <JobsPage key={key} query={route.query} /> : null}
        {page === 'map' ? <ServiceMapPage key={key} query={route.query} /> : null}
        {page === 'open' ? <OpenFilePage /> : null}
      </main>
    </>
  );
}
