// goldthread's staff pages in real headless Chromium: axe (WCAG 2.0/2.1/2.2 A and
// AA) must find nothing; the keyboard must reach a visible skip link; pages must
// have a language and a title and reflow at 320 CSS px.
// Needs GOLDTHREAD_BIN (the built binary); starts the demo on a free port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const BIN = process.env.GOLDTHREAD_BIN;
const PASSWORD = 'clacks-demo-2026';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const STAFF_PAGES = [
  '/', '/thread', '/outcomes', '/outcomes/LO1', '/outcomes/NPF-ECO', '/outcomes/LO1/edit', '/outcomes/LO1/raci', '/outcomes/new',
  '/portfolios', '/portfolios/WB', '/services', '/services/PE-WASTE', '/services/PE-WASTE/edit', '/plans', '/plans/LOIP',
  '/people', '/people/member@demo.example', '/dashboard', '/dashboard?period=2024/25', '/indicators', '/indicators/CHN08A', '/indicators?tier=service&status=red', '/exceptions', '/report', '/engagement', '/engagement/consultations/BUDGET-2025', '/engagement/consultations/new', '/engagement/consultations/TULLIBODY-PILOT/responses/new', '/outcomes/LO1/status', '/matrix', '/matrix/PE-WASTE/LO1', '/one-fund', '/gaps', '/audit', '/import',
  '/reviews', '/reviews/new', '/reviews/cycle', '/reviews/REV-2026-01', '/reviews/REV-2026-02', '/reviews/REV-2026-03',
  '/reviews/REV-2026-03/step/scope', '/reviews/REV-2026-03/step/specification', '/reviews/REV-2026-03/step/appraisal',
  '/reviews/REV-2026-03/step/plan', '/reviews/REV-2026-03/step/assessment', '/reviews/REV-2026-03/step/approval',
  '/reviews/REV-2026-03/options/new', '/reviews/REV-2026-03/options/B', '/reviews/REV-2026-03/options/C/delete',
  '/mixed-economy', '/commissioning',
  '/risks', '/risks?flag=above-appetite', '/risks?basis=residual&likelihood=3&impact=3', '/risks/DR05', '/risks/OR07', '/risks/new', '/risks/DR05/edit', '/risks/appetite',
  '/services/CS-COMMHUB', '/outcomes/LO4', '/self-assessment', '/self-assessment/2025-26',
  '/benefits', '/benefits?portfolio=CS&status=realised', '/benefits/RS2018-PE', '/benefits/REV01-SAVING', '/benefits/REV02-RECYCLING',
  '/benefits/new', '/benefits/REV01-SAVING/edit', '/benefits/REV01-SAVING/profile', '/savings', '/finance/gap', '/finance/gap?from=2026/27',
  '/actions', '/actions?overdue=yes&plan=BV18', '/action-plans/BV18', '/actions/BV18-A-iv-b', '/actions/BV18-D-iv',
  '/actions/new', '/actions/new?plan=BV18', '/actions/BV18-A-iv-b/edit', '/actions/BV18-A-iv-b/progress', '/services/CS-PROC', '/outcomes/LO4',
  '/programmes', '/programmes?stage=implementation&rag=red', '/programmes/MCB-2014', '/programmes/TTC-2026',
  '/initiatives/TTC-REV', '/initiatives/MCB-02', '/initiatives/new', '/initiatives/TTC-REV/edit',
  '/programmes/new', '/programmes/TTC-2026/edit', '/programmes/TTC-2026/workstreams/new', '/programmes/TTC-2026/workstreams/WAVE1/edit',
  '/action-plans/new', '/action-plans/BV18/edit', '/action-plans/BV18/recommendations/new', '/action-plans/BV18/recommendations/1/edit',
  '/org', '/org/states/current', '/org/states/immediate', '/org/states/transition', '/org/states/future',
  '/org/compare?from=current&to=immediate', '/org/compare?from=immediate&to=future', '/org/workforce', '/org/workforce?state=immediate',
  '/org/grades', '/org/grades/new', '/org/grades/HOS/edit', '/org/posts/new?state=immediate', '/org/states/immediate/posts/HOS-CS/edit', '/org/on-cost', '/org/states/current/details',
];

let server, dir, base, browser;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

before(async () => {
  assert.ok(BIN, 'set GOLDTHREAD_BIN to the goldthread binary');
  dir = mkdtempSync(join(tmpdir(), 'goldthread-browser-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['--db', `sqlite://${join(dir, 'demo.db')}`, 'demo', '--addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, GOLDTHREAD_LOG: 'warn' } });
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(base + '/healthz')).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(width = 1280, email = 'admin@demo.example') {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(base + '/login');
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  return { context, page };
}

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

test('the sign-in page has no axe violations, with and without an error', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/login');
  assert.deepEqual(await axe(page), []);
  await page.fill('#f-email', 'nobody@demo.example');
  await page.fill('#f-password', 'wrong password');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.error-summary'), /not right/);
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('every staff page has no axe violations, a language and a title', async () => {
  const { context, page } = await signIn();
  for (const path of STAFF_PAGES) {
    const res = await page.goto(base + path);
    assert.equal(res.status(), 200, path);
    assert.equal(await page.getAttribute('html', 'lang'), 'en-GB', path);
    assert.match(await page.title(), /goldthread$/, path);
    assert.equal(await page.locator('h1').count(), 1, `${path} has one h1`);
    assert.deepEqual(await axe(page), [], path);
  }
  await context.close();
});

test("the national operator's pages have no axe violations", async () => {
  const { context, page } = await signIn(1280, 'operator@demo.example');
  assert.equal(new URL(page.url()).pathname, '/operator');
  for (const path of ['/operator', '/operator/tenants/new']) {
    const res = await page.goto(base + path);
    assert.equal(res.status(), 200, path);
    assert.deepEqual(await axe(page), [], path);
  }
  await context.close();
});

test('a form with errors shows them beside the fields and passes axe', async () => {
  const { context, page } = await signIn();
  await page.goto(base + '/outcomes/new');
  await page.fill('#f-code', 'bad code');
  await page.click('form[action="/outcomes"] button[type=submit]');
  assert.match(await page.title(), /^Error:/);
  assert.ok(await page.locator('#f-title-error').isVisible());
  assert.ok(await page.locator('#f-code-error').isVisible());
  assert.equal(await page.getAttribute('#f-title', 'aria-describedby'), 'f-title-error');
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('an action form and a progress note with problems show them beside the fields and pass axe', async () => {
  const { context, page } = await signIn();
  await page.goto(base + '/actions/new?plan=BV18');
  await page.fill('#f-code', 'BV18-Z');
  await page.selectOption('#f-status', 'complete');
  await page.fill('#f-percent_complete', '50');
  await page.click('form[action="/actions"] button[type=submit]');
  assert.match(await page.title(), /^Error:/);
  for (const id of ['#f-recommendation-error', '#f-title-error', '#f-percent_complete-error']) {
    assert.ok(await page.locator(id).isVisible(), id);
  }
  assert.deepEqual(await axe(page), []);
  await page.goto(base + '/actions/BV18-D-i/progress');
  await page.fill('#f-by', '');
  await page.click('form[action="/actions/BV18-D-i/progress"] button[type=submit]');
  assert.match(await page.title(), /^Error:/);
  assert.ok(await page.locator('#f-text-error').isVisible());
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('entering a value with a problem shows it beside the field and passes axe', async () => {
  const { context, page } = await signIn();
  await page.goto(base + '/indicators/CHN08A');
  await page.fill('#f-value', 'lots');
  await page.click('form[action="/indicators/CHN08A/measurements"] button[value=submit]');
  assert.match(await page.title(), /^Error:/);
  assert.ok(await page.locator('#f-value-error').isVisible());
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('a benefit form and a profile line with problems show them beside the fields and pass axe', async () => {
  const { context, page } = await signIn();
  await page.goto(base + '/benefits/new');
  await page.fill('#f-code', 'BEN-NEW');
  await page.selectOption('#f-kind', 'non-financial');
  await page.click('form[action="/benefits"] button[type=submit]');
  assert.match(await page.title(), /^Error:/);
  assert.ok(await page.locator('#f-title-error').isVisible());
  assert.ok(await page.locator('#f-measure-error').isVisible());
  assert.deepEqual(await axe(page), []);
  await page.goto(base + '/benefits/REV01-SAVING/profile');
  await page.fill('#f-planned_1', 'ten');
  await page.click('form[action="/benefits/REV01-SAVING/profile"] button[type=submit]');
  assert.match(await page.title(), /^Error:/);
  assert.ok(await page.locator('#f-planned_1-error').isVisible());
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('the keyboard reaches a visible skip link first, and it moves focus to the content', async () => {
  const { context, page } = await signIn();
  await page.goto(base + '/matrix');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({ text: document.activeElement.textContent, href: document.activeElement.getAttribute('href') }));
  assert.deepEqual(focused, { text: 'Skip to main content', href: '#main' });
  const box = await page.locator('.skip-link').boundingBox();
  assert.ok(box && box.x >= 0 && box.width > 0, 'skip link is visible when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  // Every link and control can be reached by Tab, and focus is visible on each.
  await page.goto(base + '/services/PE-WASTE');
  const controls = await page.locator('a[href], button, input:not([type=hidden]), select, textarea, [tabindex="0"]').count();
  const seen = new Set();
  for (let i = 0; i < controls + 5; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      return { key: el.outerHTML.slice(0, 120), visible: s.outlineStyle !== 'none' || s.boxShadow !== 'none' || s.backgroundColor !== 'rgba(0, 0, 0, 0)' };
    });
    assert.ok(info.visible, `no visible focus on ${info.key}`);
    seen.add(info.key);
  }
  assert.ok(seen.size >= controls - 1, `Tab reached ${seen.size} of ${controls} controls`);
  await context.close();
});

test('pages reflow at 320 CSS px without horizontal scrolling of the page', async () => {
  const { context, page } = await signIn(320);
  for (const path of ['/', '/thread', '/outcomes/LO1', '/services/PE-WASTE', '/matrix', '/one-fund', '/services/PE-WASTE/edit', '/reviews', '/reviews/REV-2026-02', '/mixed-economy', '/commissioning', '/risks', '/risks/DR05', '/benefits', '/benefits/RS2018-PE', '/savings', '/finance/gap', '/actions', '/action-plans/BV18', '/actions/BV18-A-iv-b', '/exceptions']) {
    await page.goto(base + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 320px`);
  }
  await context.close();
});

const PUBLIC_PAGES = [
  '/p/clackmannanshire', '/p/clackmannanshire/outcomes', '/p/clackmannanshire/outcomes/LO1', '/p/clackmannanshire/outcomes/LO3',
  '/p/clackmannanshire/indicators/CHN08A', '/p/clackmannanshire/localities', '/p/clackmannanshire/localities/ALLOA',
  '/p/clackmannanshire/you-said-we-did', '/p/clackmannanshire/performance-report', '/p/clackmannanshire/data',
];

test('every public page has no axe violations without signing in, and reflows at 320 px', async () => {
  for (const width of [1280, 320]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const outside = [];
    page.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()); });
    for (const path of PUBLIC_PAGES) {
      const res = await page.goto(base + path);
      assert.equal(res.status(), 200, path);
      assert.equal(new URL(page.url()).pathname, path, `${path} needs no sign-in`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en-GB', path);
      assert.match(await page.title(), /Clackmannanshire Council/, path);
      assert.equal(await page.locator('h1').count(), 1, `${path} has one h1`);
      if (width === 1280) assert.deepEqual(await axe(page), [], path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at ${width}px`);
    }
    assert.deepEqual(outside, [], 'public pages make no third-party requests');
    await context.close();
  }
});

test('public pages work without JavaScript and name every status in words', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(base + '/p/clackmannanshire/outcomes');
  const tags = await page.locator('table .tag, table [class^="status-"]').allTextContents();
  assert.ok(tags.length > 0);
  for (const t of tags) assert.match(t.trim(), /^(green|amber|red|no-target|missing|overdue|no-data)$/);
  await page.goto(base + '/p/clackmannanshire/indicators/CHN08A');
  assert.ok(await page.locator('figure.chart svg title').count() > 0, 'the chart has a text alternative');
  assert.ok(await page.locator('table').count() > 0, 'the chart has its data table');
  await context.close();
});

test('the One Report has no axe violations and reflows at 320 px', async () => {
  for (const width of [1280, 320]) {
    const { context, page } = await signIn(width);
    const res = await page.goto(base + '/report/view?period=2025%2F26&outcome=LO3');
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'en-GB');
    assert.match(await page.title(), /performance report, 2025\/26$/);
    assert.equal(await page.locator('h1').count(), 1);
    if (width === 1280) assert.deepEqual(await axe(page), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the report scrolls sideways by ${overflow}px at ${width}px`);
    await context.close();
  }
});

test('the One Report prints to a tagged A4 PDF with a title and language', () => {
  const pdf = join(dir, 'report.pdf');
  execFileSync(BIN, ['--db', `sqlite://${join(dir, 'demo.db')}`, 'report', '--tenant', 'clackmannanshire', '--period', '2025/26', '--outcome', 'LO3', '--format', 'pdf', '--out', pdf], { env: { ...process.env, GOLDTHREAD_LOG: 'warn' } });
  const info = execFileSync('pdfinfo', [pdf]).toString();
  assert.match(info, /^Tagged:\s+yes$/m);
  assert.match(info, /^Title:\s+Clackmannanshire Council: performance report, 2025\/26$/m);
  assert.match(info, /^Page size:.*\(A4\)$/m);
  assert.ok(Number(info.match(/^Pages:\s+(\d+)$/m)[1]) >= 2);
  const text = execFileSync('pdftotext', ['-f', '1', '-l', '3', pdf, '-']).toString();
  assert.match(text, /Executive summary/);
  assert.match(text, /LO3: Women and girls/);
});

test('a review is signed off with two keys in the browser and the mixed economy changes', async () => {
  const changes = async (page) => {
    await page.goto(base + '/mixed-economy');
    return page.locator('table:has(caption:text("Changes the reviews under way would make")) tbody tr').count();
  };
  // The Outcome Leader turns the first key.
  let { context, page } = await signIn(1280, 'director.place@demo.example');
  const before = await changes(page);
  assert.ok(before >= 1, 'the waste review is projected while it awaits approval');
  await page.goto(base + '/reviews/REV-2026-02');
  await page.click('button:text("Sign off as Outcome Leader")');
  assert.match(await page.textContent('.notice'), /needs its second signature/);
  assert.equal(await page.locator('button:text("Sign off as Outcome Leader")').count(), 0, 'nobody signs twice');
  assert.deepEqual(await axe(page), []);
  await context.close();
  // Sending back needs a reason, shown beside the field.
  ({ context, page } = await signIn(1280, 'commissioning@demo.example'));
  await page.goto(base + '/reviews/REV-2026-03');
  await page.click('button:text("Send back a step")');
  assert.match(await page.textContent('.error-summary'), /Reason/);
  assert.match(await page.textContent('#reason-send-back-error'), /say why/);
  assert.match(await page.title(), /^Error:/);
  assert.deepEqual(await axe(page), []);
  await context.close();
  // The Service Manager turns the second: approved, and the service changes.
  ({ context, page } = await signIn(1280, 'service.manager@demo.example'));
  await page.goto(base + '/reviews/REV-2026-02');
  await page.click('button:text("Sign off as Service Manager")');
  assert.match(await page.textContent('.notice'), /Approved/);
  assert.equal(await changes(page), before - 1, 'no longer projected: it is now');
  await page.goto(base + '/services/PE-WASTE');
  assert.match(await page.textContent('main'), /joint-commissioning|Joint commissioning/);
  await context.close();
});
