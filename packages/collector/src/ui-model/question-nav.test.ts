import { describe, expect, it } from 'vitest';
import { QUESTIONS } from '../questions/registry/index.js';
import { navFromQuestions, pageOfUiPath, splitQuestions } from './question-nav.js';

describe('the UI navigation, derived from the question registry', () => {
  it('every question the registry puts in the UI opens a page the app has', () => {
    const placed = QUESTIONS.filter((q) => q.ui);
    expect(placed.length).toBeGreaterThan(5);
    for (const q of placed) expect({ question: q.name, page: pageOfUiPath(q.ui!.path) }).not.toMatchObject({ page: null });
  });

  it('every seed question (one a user asks) is answered on a page, one click from the landing page', () => {
    const asked = QUESTIONS.filter((q) => q.asks !== undefined);
    expect(asked.map((q) => q.name)).toEqual(expect.arrayContaining(['slow', 'queries', 'webhooks', 'job', 'errors', 'retries', 'violations', 'trace']));
    for (const q of asked) expect({ question: q.name, ui: q.ui?.path ?? null }).not.toMatchObject({ ui: null });
  });

  it('lists the landing page, each page a question is answered on once and in registry order, then the saved-file page', () => {
    const nav = navFromQuestions([
      { ui: { path: '#/overview', label: 'x' } },
      { ui: null },
      { ui: { path: '#/search?errors=true', label: 'y' } },
      { ui: { path: '#/overview?tenant=t', label: 'z' } },
      { ui: { path: '#/', label: 'paste' } },
      { ui: { path: '#/nowhere', label: 'broken' } },
    ]);
    expect(nav.map((n) => n.page)).toEqual(['home', 'overview', 'search', 'open']);
    expect(nav[1]!.label).toBe('Tenant overview');
  });

  it('reads the page of a hash route', () => {
    expect(pageOfUiPath('#/search?errors=true')).toBe('search');
    expect(pageOfUiPath('#/')).toBe('home');
    expect(pageOfUiPath('#/trace/abc')).toBe('trace');
    expect(pageOfUiPath('/ui/search')).toBeNull();
  });

  it('puts the seed questions before the plumbing', () => {
    const { asked, other } = splitQuestions([{ asks: null, n: 1 }, { asks: 'Why?', n: 2 }]);
    expect(asked.map((q) => q.n)).toEqual([2]);
    expect(other.map((q) => q.n)).toEqual([1]);
  });
});
