import { QuestionsResponseSchema } from '@stitch/contract';
import { useEffect, useState } from 'preact/hooks';
import { setUnauthenticatedHandler } from './api/client.js';
import { clearToken, readToken } from './api/token.js';
import { useApi } from './api/use-api.js';
import { Empty } from './components/common.js';
import { ErrorsPage } from './pages/errors-page.js';
import { HomePage } from './pages/home-page.js';
import { JobsPage } from './pages/jobs-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { QueriesPage } from './pages/queries-page.js';
import { RetriesPage } from './pages/retries-page.js';
import { SearchPage } from './pages/search-page.js';
import { ServiceMapPage } from './pages/service-map-page.js';
import { TokenPage } from './pages/token-page.js';
import { OpenFilePage, TracePage } from './pages/trace-page.js';
import { ViolationsPage } from './pages/violations-page.js';
import { WebhooksPage } from './pages/webhooks-page.js';
import { isUiPage, navFromQuestions } from '../../src/ui-model/question-nav.js';
import { href, useRoute } from './router.js';

/** The shell: token gate, navigation (derived from the question registry) and the current page. */
export function App() {
  const route = useRoute();
  const [token, setToken] = useState(readToken);
  useEffect(() => setUnauthenticatedHandler(() => setToken(null)), []);
  const [page = 'home', ...rest] = route.path;
  // The static export (a saved trace) needs no collector and so no token.
  const needsToken = !token && page !== 'open';
  const questions = useApi(token ? '/api/questions' : null, QuestionsResponseSchema);
  if (needsToken) return <TokenPage onToken={() => setToken(readToken())} />;
  const key = `${route.path.join('/')}?${route.query.toString()}`;
  // Before the registry has answered (or without a collector, for a saved file) the header has
  // only the pages that need no question.
  const nav = navFromQuestions(questions.status === 'ok' ? questions.data.questions : []);
  const active = page === 'trace' ? 'search' : page;
  return (
    <>
      <header class="top">
        <a class="brand" href={href('')}>
          Stitch
        </a>
        <nav>
          {nav.map((n) => (
            <a class={active === n.page ? 'active' : ''} href={href(n.page === 'home' ? '' : n.page)}>
              {n.label}
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
        {page === 'home' ? <HomePage questions={questions} /> : null}
        {page === 'trace' && rest[0] ? <TracePage key={key} traceId={rest[0]} /> : null}
        {page === 'search' ? <SearchPage key={key} query={route.query} /> : null}
        {page === 'overview' ? <OverviewPage key={key} query={route.query} /> : null}
        {page === 'queries' ? <QueriesPage key={key} query={route.query} /> : null}
        {page === 'retries' ? <RetriesPage key={key} query={route.query} /> : null}
        {page === 'errors' ? <ErrorsPage key={key} query={route.query} /> : null}
        {page === 'violations' ? <ViolationsPage key={key} query={route.query} /> : null}
        {page === 'webhooks' ? <WebhooksPage key={key} query={route.query} /> : null}
        {page === 'jobs' ? <JobsPage key={key} query={route.query} /> : null}
        {page === 'map' ? <ServiceMapPage key={key} query={route.query} /> : null}
        {page === 'open' ? <OpenFilePage /> : null}
        {!isUiPage(page) ? (
          <Empty>
            No page <code>{page}</code> here; the <a href={href('')}>questions</a> list every page.
          </Empty>
        ) : null}
      </main>
    </>
  );
}
