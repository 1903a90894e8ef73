import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../src/internal/test-collector.js';
import { HOUSEKEEPING_TRACE, INVOICE_REQUEST_ID, INVOICE_RUN_ID, INVOICE_TRACE, OTHER_TENANTS, seedQuestions, SLOW_TENANT, WORKER_TRACE } from './helpers/seed-questions.js';
import { JOB_RUN_ID, seedTwoTenants, TENANT_A, TENANT_B, TRACE_A, TRACE_B, TRACE_JOB } from './helpers/seed-two-tenants.js';

/**
 * The web UI in a real headless Chromium against a real collector: the prebuilt bundle served
 * by `stitch serve` under /ui/, data seeded over OTLP, tokens created as `stitch token create`
 * does. `npm ci` builds the UI (`prepare`); when ui-dist is missing, or older than a source it
 * is built from, the suite builds it (so a local run never tests yesterday's bundle).
 */
const uiDist = fileURLToPath(new URL('../ui-dist', import.meta.url));
const screenshots = fileURLToPath(new URL('../../../test-results/ui', import.meta.url));

/** What the bundle is built from: the pages, the view models and the contract it validates against. */
const UI_SOURCES = ['../ui', '../src/ui-model', '../../contract/src'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

function newestMillis(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

async function ensureUiBuilt(): Promise<void> {
  const index = `${uiDist}/index.html`;
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...UI_SOURCES.map(newestMillis))) return;
  const { build } = await import('vite');
  await build({ configFile: fileURLToPath(new URL('../ui/vite.config.ts', import.meta.url)), logLevel: 'error' });
}

describe('web UI in headless Chromium', () => {
  let c: TestCollector;
  /** A second collector holding one planted fault per seed question (helpers/seed-questions.ts). */
  let q: TestCollector;
  let browser: Browser;

  beforeAll(async () => {
    await ensureUiBuilt();
    c = await startTestCollector();
    await seedTwoTenants(c.url);
    q = await startTestCollector();
    await seedQuestions(q.url);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await c?.stop();
    await q?.stop();
  });

  /** Console errors per page (a CSP violation or a render crash shows up here). */
  const consoleErrors = new WeakMap<Page, string[]>();

  /** A fresh browser context (its own sessionStorage), signed in through the token form on `hash`. */
  async function signIn(token: string, hash = '', collector: TestCollector = c): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 800 } })).newPage();
    const errors: string[] = [];
    consoleErrors.set(page, errors);
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('status of 40')) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(collector.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) external.push(r.url());
    });
    await page.goto(`${collector.url}/ui/${hash}`);
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('header.top');
    expect(external).toEqual([]); // no fonts, CDNs or other network beyond the collector
    return page;
  }

  it('asks for a token first and refuses a wrong one', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${c.url}/ui/`);
    await page.fill('input[name=token]', 'stitch_wrong');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[data-testid=error]')).toContain('STITCH_ERR_COLLECTOR_UNAUTHENTICATED');
    expect(await page.$('header.top')).toBeNull();
    await page.context().close();
  });

  it('lands on the list of questions, each one click from the page that answers it, with the header derived from the same registry', async () => {
    const page = await signIn(c.token('traces:read'));
    await page.waitForSelector('[data-testid=questions] tr[data-question]');
    const asked = await page.$$eval('[data-testid=questions] tr[data-question] strong', (els) => els.map((e) => e.textContent));
    // Every question of the README's table (issue 11), the trace-id ones answered by pasting the id here.
    for (const q of [
      'Why is tenant X slow?',
      'Which query caused the spike?',
      'Which webhook caused the retry storm?',
      'Which request triggered this job?',
      'Which jobs did this request trigger?',
      'Which approval failed and where?',
      'Where did retry loops occur?',
      'Which route blew its budget?',
    ])
      expect(asked).toContain(q);
    expect(asked.some((q) => q?.startsWith('Which tenant experienced this failure?'))).toBe(true);
    const links = await page.$$eval('[data-testid=questions] tr[data-question] a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(expect.arrayContaining(['#/overview', '#/queries', '#/webhooks', '#/jobs', '#/errors', '#/retries', '#/violations']));
    const nav = await page.$$eval('header.top nav a', (as) => as.map((a) => a.getAttribute('href')));
    expect(nav[0]).toBe('#/');
    for (const l of links) if (l !== '#/') expect(nav).toContain(l);
    expect(await page.textContent('[data-testid=questions]')).toContain('stitch slow --tenant <id>');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}/questions.png`, fullPage: true });

    // Pasting a trace id on the landing page opens the trace, with its tenant.
    await page.fill('input[name=traceId]', TRACE_B);
    await page.click('text=Open trace');
    await page.waitForSelector('[data-testid=waterfall]');
    expect(await page.textContent('.trace-header')).toContain(TENANT_B);
    expect(consoleErrors.get(page)).toEqual([]);
    await page.context().close();
  });

  /** Polls for an answer that follows a click: on two busy cores an API answer can take seconds (vitest's default is 1 s). */
  const PATIENT = { timeout: 10_000 } as const;
  /** The text of each row's first cell, for ranking checks. */
  const firstCells = (page: Page, testId: string): Promise<string[]> =>
    page.$$eval(`[data-testid=${testId}] tbody tr`, (rows) => rows.map((r) => r.querySelector('td')?.textContent?.trim() ?? ''));
  const rowTexts = (page: Page, testId: string): Promise<string[]> => page.$$eval(`[data-testid=${testId}] tbody tr`, (rows) => rows.map((r) => r.textContent ?? ''));
  const fromLanding = async (page: Page, question: string): Promise<void> => {
    await page.goto(`${q.url}/ui/#/`);
    await page.click(`[data-testid=questions] tr[data-question=${question}] a`);
  };

  it('why is tenant X slow: two clicks from the landing page, the route where X alone is slow first, platform-wide slowness marked below, the query by name', async () => {
    const page = await signIn(q.token('traces:read'), '', q);
    await page.click('[data-testid=questions] tr[data-question=slow] a');
    await page.click(`[data-testid=tenants] a:text("${SLOW_TENANT}")`);
    await page.waitForSelector('[data-testid=overview-routes] tr.culprit');
    const routes = await page.$$eval('[data-testid=overview-routes] tbody tr', (rows) => rows.map((r) => r.getAttribute('data-route')));
    expect(routes[0]).toBe('GET /reports');
    expect(routes.indexOf('GET /burst')).toBeGreaterThan(0);
    const [culprit] = await rowTexts(page, 'overview-routes');
    expect(culprit).toContain('800 ms'); // its p95
    expect(culprit).toContain('20 ms'); // the other tenants' p95
    expect(culprit).toContain('40×');
    expect(await page.textContent('[data-testid=overview-routes] tr.culprit [data-testid=route-step]')).toContain('reports.by_month'); // the step inside it
    const burst = (await rowTexts(page, 'overview-routes'))[routes.indexOf('GET /burst')];
    expect(burst).toContain('platform-wide');
    expect(await page.textContent('[data-testid=overview-queries]')).toContain('reports.by_month');
    expect(await page.textContent('[data-testid=slowest-traces]')).toContain('reports.by_month');
    await page.screenshot({ path: `${screenshots}/overview-slow-tenant.png`, fullPage: true });
    expect(consoleErrors.get(page)).toEqual([]);
    await page.context().close();
  });

  it("a tenant-bound token's overview is its own tenant's, with no other tenant's figures or ids on the page", async () => {
    const page = await signIn(q.token('traces:read', SLOW_TENANT), '#/overview', q);
    await page.waitForSelector('[data-testid=overview-routes] tbody tr');
    await page.waitForSelector('[data-testid=overview-queries]');
    expect(await page.textContent('h2')).toContain(SLOW_TENANT);
    const reports = (await rowTexts(page, 'overview-routes')).find((r) => r.includes('GET /reports'));
    expect(reports).toContain('800 ms');
    expect(reports).not.toContain('20 ms'); // the others' p95 is an aggregate of their data: not given
    expect(await page.$('[data-testid=error]')).toBeNull();
    const html = await page.content();
    for (const other of OTHER_TENANTS) expect(html).not.toContain(other);
    expect(html).not.toContain('ledger.rollup');
    await page.context().close();
  });

  it('answers the spike, storm, retry, job-origin, failure and budget questions one click from the landing page, culprit first', async () => {
    const page = await signIn(q.token('traces:read'), '', q);
    mkdirSync(screenshots, { recursive: true });

    await fromLanding(page, 'queries');
    await page.waitForSelector('[data-testid=queries] tbody tr');
    const queries = await firstCells(page, 'queries');
    expect(queries[0]).toContain('reports.by_month'); // grew from nothing
    expect(queries.findIndex((t) => t.includes('ledger.rollup'))).toBeGreaterThan(0); // more time, but as much the hour before
    expect((await rowTexts(page, 'queries'))[0]).toContain('+4.00 s'); // 5 × 780 ms for the slow tenant, 10 × 10 ms for the others
    await page.screenshot({ path: `${screenshots}/queries.png` });

    await fromLanding(page, 'webhooks');
    await page.waitForSelector('[data-testid=webhooks] tbody tr');
    expect((await firstCells(page, 'webhooks'))[0]).toBe('wh_storm'); // not the busier healthy wh_busy

    await fromLanding(page, 'retries');
    await page.waitForSelector('[data-testid=retries] tbody tr');
    const loops = await rowTexts(page, 'retries');
    expect(loops[0]).toContain('wh_storm');
    expect(loops.join('\n')).toContain('invoice.render');
    expect(loops.find((l) => l.includes('billing-projector'))).toContain('order.placed');
    expect(loops.at(-1)).toContain('wh_busy'); // busier, but no retries: last
    await page.screenshot({ path: `${screenshots}/retries.png` });
    await page.click('[data-testid=retry-kinds] a:text("jobs")');
    await expect.poll(() => firstCells(page, 'retries'), PATIENT).toEqual(['job']);

    await fromLanding(page, 'job');
    await page.fill('input[name=id]', INVOICE_RUN_ID);
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector('[data-testid=job-origin]');
    const origin = await page.textContent('[data-testid=job-origin]');
    expect(origin).toContain('POST /invoices');
    expect(origin).toContain(INVOICE_REQUEST_ID);
    expect(origin).toContain(SLOW_TENANT);
    expect(await page.$(`[data-testid=job-origin] a[title="${INVOICE_TRACE}"]`)).not.toBeNull();
    // The enqueue span sits in the request's trace; both attempts ran in the worker's, pointing back.
    const runs = await rowTexts(page, 'job-runs');
    expect(runs.map((r) => r.includes("in the request's trace"))).toEqual([true, false, false]);
    expect(runs.map((r) => (r.includes('enqueued') ? 'enqueue' : r.includes('attempt') ? 'attempt' : '?'))).toEqual(['enqueue', 'attempt', 'attempt']);
    expect(runs.slice(1).every((r) => r.includes('attribute and link'))).toBe(true);
    await page.screenshot({ path: `${screenshots}/job-origin.png` });

    await fromLanding(page, 'errors');
    await page.waitForSelector('[data-testid=errors] tbody tr');
    const failure = (await rowTexts(page, 'errors')).find((r) => r.includes('render.pdf'));
    expect(failure).toContain('POST /invoices'); // the entry, though the attempt ran in the worker's trace
    expect(failure).toContain('STITCH_ERR_PDF_RENDER');
    expect(failure).not.toContain('job invoice.render'); // the failing step, not the span it bubbled up to
    await page.fill('input[name=grep]', 'pdf renderer');
    await page.click('form.filters button[type=submit]');
    await expect.poll(() => rowTexts(page, 'errors').then((r) => r.length), PATIENT).toBe(1);
    expect((await rowTexts(page, 'errors'))[0]).toContain(SLOW_TENANT);
    await page.screenshot({ path: `${screenshots}/errors.png` });

    await fromLanding(page, 'violations');
    await page.waitForSelector('[data-testid=violations] tbody tr');
    const [top] = await rowTexts(page, 'violations');
    expect(top).toContain('GET /burst');
    for (const tenant of [SLOW_TENANT, ...OTHER_TENANTS]) expect(top).toContain(tenant); // one row, summed over tenants
    await page.screenshot({ path: `${screenshots}/violations.png` });
    expect(consoleErrors.get(page)).toEqual([]);
    await page.context().close();
  });

  it('searches by span name and by attribute, hides the kernel bookkeeping unless asked, and names roots by the parentless span', async () => {
    const page = await signIn(q.token('traces:read'), '#/search', q);
    await page.waitForSelector('[data-testid=search-results]');
    const ids = (): Promise<(string | null)[]> => page.$$eval('[data-testid=search-results] a[title]', (as) => as.map((a) => a.getAttribute('title')));
    expect(await ids()).not.toContain(HOUSEKEEPING_TRACE);
    const invoice = await page.$$eval(`[data-testid=search-results] tr:has(a[title="${INVOICE_TRACE}"]) td`, (tds) => tds.map((t) => t.textContent));
    expect(invoice.join('|')).toContain('api POST /invoices'); // not the enqueue span that started in the same millisecond

    await page.fill('input[name=name]', 'render.pdf');
    await page.click('form.filters button[type=submit]');
    await expect.poll(ids, PATIENT).toEqual([WORKER_TRACE]);
    await page.fill('input[name=name]', '');
    await page.fill('input[name=attr]', `stitch.run_id=${INVOICE_RUN_ID}`);
    await page.click('form.filters button[type=submit]');
    await expect.poll(() => ids().then((l) => [...l].sort()), PATIENT).toEqual([INVOICE_TRACE, WORKER_TRACE].sort());
    expect(page.url()).toContain('attr=stitch.run_id');

    await page.fill('input[name=attr]', '');
    await page.check('input[name=housekeeping]');
    await page.click('form.filters button[type=submit]');
    await expect.poll(ids, PATIENT).toContain(HOUSEKEEPING_TRACE);
    await page.screenshot({ path: `${screenshots}/search-housekeeping.png` });
    // The trace page names the same root, though the enqueue span started in the same millisecond.
    await page.click(`a[title="${INVOICE_TRACE}"]`);
    await page.waitForSelector('[data-testid=waterfall]');
    expect(await page.textContent('.trace-header h2')).toContain('POST /invoices');
    expect(await page.$$eval('[data-testid=span-row] .span-name', (els) => els.map((e) => e.textContent))).toEqual(['POST /invoices', 'enqueue invoice.render']);
    expect(consoleErrors.get(page)).toEqual([]);
    await page.context().close();
  });

  it('opens a seeded trace from the search and shows its waterfall, span details and logs beside the spans', async () => {
    const page = await signIn(c.token('admin'), '#/search');
    await page.waitForSelector('[data-testid=search-results]');
    const listed = await page.$$eval('[data-testid=search-results] a[title]', (as) => as.map((a) => a.getAttribute('title')));
    expect(listed.sort()).toEqual([TRACE_A, TRACE_JOB, TRACE_B]);

    await page.click(`a[title="${TRACE_A}"]`);
    await page.waitForSelector('[data-testid=waterfall] [data-testid=span-row]');
    const rows = await page.$$eval('[data-testid=span-row] .span-name', (els) => els.map((e) => e.textContent));
    expect(rows).toEqual(['POST /orders', 'auth.verify', 'orders.insert', 'POST billing /charge', 'POST /charge', 'webhook.deliver']);
    const logs = await page.$$eval('[data-testid=log-line] .log-body', (els) => els.map((e) => e.textContent));
    expect(logs).toEqual(['order request accepted', 'query orders.insert over budget: 310 ms > 200 ms', 'webhook delivery failed, retrying']);
    expect(await page.textContent('.trace-header')).toContain('2 over budget');

    await page.click('[data-span-id="a000000000000003"]');
    const details = await page.textContent('[data-testid=span-details]');
    expect(details).toContain('INSERT INTO orders (id, total) VALUES ($1, $2)');
    expect(details).toContain('stitch.query.name');
    await page.click('[data-span-id="a000000000000001"]');
    const root = await page.textContent('[data-testid=span-details]');
    expect(root).toContain('stitch.perf_violation'); // the event
    expect(root).toContain('cccc0000000000000000000000000003'); // the link

    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}/waterfall.png`, fullPage: true });

    // From a span's attribute to the other traces carrying it.
    await page.click('[data-span-id="a000000000000003"]');
    await page.click('[data-testid=span-details] tr:has(th:text-is("stitch.query.name")) a.attr-search');
    await page.waitForSelector('[data-testid=search-results]');
    expect(await page.$$eval('[data-testid=search-results] a[title]', (as) => as.map((a) => a.getAttribute('title')))).toEqual([TRACE_A]);
    expect(await page.inputValue('input[name=attr]')).toBe('stitch.query.name=orders.insert');
    expect(consoleErrors.get(page)).toEqual([]);
    await page.context().close();
  });

  it('filters the search by tenant', async () => {
    const page = await signIn(c.token('traces:read'), '#/search');
    await page.waitForSelector('[data-testid=search-results]');
    await page.fill('input[name=tenant]', TENANT_B);
    await page.click('form.filters button[type=submit]');
    await expect.poll(() => page.$$eval('[data-testid=search-results] a[title]', (as) => as.map((a) => a.getAttribute('title')))).toEqual([TRACE_B]);
    expect(page.url()).toContain(`tenant=${TENANT_B}`);
    await page.fill('input[name=tenant]', '');
    await page.click('form.filters button[type=submit]');
    await expect.poll(() => page.$$('[data-testid=search-results] a[title]').then((l) => l.length)).toBe(3);
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}/search.png` });
    await page.context().close();
  });

  it("a tenant-bound token cannot see another tenant's trace, and nothing of it reaches the page", async () => {
    const page = await signIn(c.token(['traces:read', 'logs:read'], TENANT_A), '#/search');
    await page.waitForSelector('[data-testid=search-results]');
    expect(await page.$$eval('[data-testid=search-results] a[title]', (as) => as.map((a) => a.getAttribute('title')))).toEqual([TRACE_JOB, TRACE_A]);

    await page.goto(`${c.url}/ui/#/trace/${TRACE_B}`);
    await page.waitForSelector('[data-testid=error]');
    expect(await page.textContent('[data-testid=error]')).toContain('STITCH_ERR_COLLECTOR_NOT_FOUND');
    expect(await page.$('[data-testid=waterfall]')).toBeNull();
    const html = await page.content();
    expect(html).not.toContain('ledger');
    expect(html).not.toContain(TENANT_B);

    await page.goto(`${c.url}/ui/#/search?tenant=${TENANT_B}`);
    await page.waitForSelector('[data-testid=error]');
    expect(await page.textContent('[data-testid=error]')).toContain('STITCH_ERR_COLLECTOR_TENANT_FORBIDDEN');
    expect(await page.content()).not.toContain('ledger');
    await page.context().close();
  });

  it('refuses to render an API answer that does not match the contract', async () => {
    const page = await signIn(c.token('traces:read'));
    await page.route('**/api/traces?*', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ traces: [{ traceId: 42 }] }) }));
    await page.goto(`${c.url}/ui/#/search?since=15m`);
    await page.waitForSelector('[data-testid=error]');
    expect(await page.textContent('[data-testid=error]')).toContain('STITCH_UI_SCHEMA_MISMATCH');
    expect(await page.$('[data-testid=search-results]')).toBeNull();
    await page.context().close();
  });

  it('exports a trace as JSON and shows the export again without a collector token', async () => {
    const page = await signIn(c.token('admin'));
    await page.goto(`${c.url}/ui/#/trace/${TRACE_A}`);
    await page.waitForSelector('[data-testid=waterfall]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export JSON')]);
    const saved = readFileSync(await download.path());
    await page.context().close();
    expect(JSON.parse(saved.toString())).toMatchObject({ traceId: TRACE_A });

    const fresh = await (await browser.newContext()).newPage();
    await fresh.goto(`${c.url}/ui/#/open`);
    await fresh.setInputFiles('input[type=file]', { name: download.suggestedFilename(), mimeType: 'application/json', buffer: saved });
    await fresh.waitForSelector('[data-testid=waterfall] [data-testid=span-row]');
    expect(await fresh.$$eval('[data-testid=span-row] .span-name', (els) => els.map((e) => e.textContent))).toContain('orders.insert');
    expect(await fresh.$$eval('[data-testid=log-line] .log-body', (els) => els.length)).toBe(3);
    await fresh.context().close();
  });

  it('shows the tenant overview, retry storms and the service map', async () => {
    const page = await signIn(c.token('traces:read'));
    await page.goto(`${c.url}/ui/#/overview`);
    await page.waitForSelector('[data-testid=tenants] a');
    expect(await page.$$eval('[data-testid=tenants] a', (as) => as.map((a) => a.textContent))).toEqual([TENANT_A, TENANT_B]);
    await page.click(`[data-testid=tenants] a:text("${TENANT_A}")`);
    await page.waitForSelector('[data-testid=overview-routes]');
    expect(page.url()).toContain(`tenant=${TENANT_A}`);
    await page.waitForSelector('[data-testid=overview-routes]');
    const overview = await page.textContent('[data-testid=overview-routes]');
    expect(overview).toContain('POST /orders');
    expect(overview).toContain('500 ms'); // the budget
    expect(overview).not.toContain('GET /ledger/entries');
    expect(await page.$$('[data-testid=overview-timeline] .tl-col')).toHaveLength(60);
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}/overview.png` });

    await page.goto(`${c.url}/ui/#/webhooks`);
    await page.waitForSelector('[data-testid=webhooks]');
    expect(await page.textContent('[data-testid=webhooks]')).toContain('https://hooks.example.test/orders');

    await page.goto(`${c.url}/ui/#/jobs`);
    await page.fill('input[name=id]', JOB_RUN_ID);
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector('[data-testid=job-origin]');
    const origin = await page.textContent('[data-testid=job-origin]');
    expect(origin).toContain('POST /orders');
    expect(origin).toContain('req-orders-1');
    await page.click(`[data-testid=job-origin] a[title="${TRACE_A}"]`);
    await page.waitForSelector('[data-testid=request-jobs]');
    expect(await page.textContent('[data-testid=request-jobs]')).toContain('send-receipt');

    await page.goto(`${c.url}/ui/#/map`);
    await page.waitForSelector('[data-testid=service-map]');
    const map = await page.textContent('[data-testid=service-map]');
    for (const s of ['api', 'billing', 'ledger-svc', 'worker']) expect(map).toContain(s);
    expect(map).toContain('1× p95 180 ms');
    await page.screenshot({ path: `${screenshots}/service-map.png` });
    expect(consoleErrors.get(page)).toEqual([]);
    await page.context().close();
  });
});
