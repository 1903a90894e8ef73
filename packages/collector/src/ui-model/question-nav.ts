import type { QuestionEntry } from '@stitch/contract';

/**
 * The web UI's pages (the first segment of a hash route) and the name each has in the header.
 * The registry's `ui.path` of every question must name one of them (a test checks it), so a
 * question never points at a page the app does not have.
 */
export const UI_PAGES = {
  home: 'Questions',
  overview: 'Tenant overview',
  queries: 'Queries',
  retries: 'Retries',
  webhooks: 'Webhooks',
  jobs: 'Job origin',
  errors: 'Errors',
  violations: 'Budgets',
  search: 'Search',
  map: 'Service map',
  trace: 'Trace',
  open: 'Open file',
} as const;

export type UiPage = keyof typeof UI_PAGES;

export function isUiPage(page: string): page is UiPage {
  return Object.hasOwn(UI_PAGES, page);
}

/**
 * The page a registry `ui.path` opens: `#/search?errors=true` → `search`; null when the path is
 * not a hash route of a known page.
 */
export function pageOfUiPath(path: string): UiPage | null {
  const m = /^#\/([^/?]*)/.exec(path);
  const page = m?.[1] === '' ? 'home' : m?.[1];
  return page !== undefined && isUiPage(page) ? page : null;
}

export interface NavItem {
  page: UiPage;
  label: string;
}

/**
 * The header's links, derived from the question registry so that it cannot drift from it: the
 * landing page, then each page some question is answered on, in the registry's order (the seed
 * questions first), then opening a saved file (which needs no collector). A page no question
 * points at is not in the header.
 *
 * @example navFromQuestions(questions).map((n) => n.page) // ['home', 'overview', 'queries', …, 'open']
 */
export function navFromQuestions(questions: readonly Pick<QuestionEntry, 'ui'>[]): NavItem[] {
  const pages: UiPage[] = ['home'];
  for (const q of questions) {
    const page = q.ui ? pageOfUiPath(q.ui.path) : null;
    if (page !== null && !pages.includes(page)) pages.push(page);
  }
  pages.push('open');
  return pages.map((page) => ({ page, label: UI_PAGES[page] }));
}

/** The seed questions (those a user asks) and the other views, each in registry order. */
export function splitQuestions<Q extends Pick<QuestionEntry, 'asks'>>(questions: readonly Q[]): { asked: Q[]; other: Q[] } {
  return { asked: questions.filter((q) => q.asks !== null), other: questions.filter((q) => q.asks === null) };
}
