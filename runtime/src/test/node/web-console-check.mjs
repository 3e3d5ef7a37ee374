// Drives the console page of bundle penwright-web (/web/) in headless Chromium (Debian's, through puppeteer-core):
// the catalogue shows an active and a rejected pack with its reason and the active pack's report; the playground
// plans, then streams styled text with scores; an API error is displayed; the reports tab shows a benchmark report.
// Screenshots (PNG) of each tab go to OUT_DIR, taken in a 1,400 × 1,000 window; the page's width beside the window's is
// recorded where a report is shown (a report wider than the window overflows it).
// Usage: node web-console-check.mjs BASE_URL ACTIVE_STYLE REJECTED_STYLE CHROMIUM OUT_DIR
// Prints one JSON line with what the page showed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const [base, active, rejected, executablePath, out] = process.argv.slice(2);

/** The page's scrolling width and the window's: [scrollWidth, innerWidth]. */
const pageWidth = (page) => page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
const profile = mkdtempSync(join(tmpdir(), 'penwright-chromium-'));
const browser = await puppeteer.launch({ executablePath, headless: true, userDataDir: profile,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'] });
const errors = [];
const seen = {};
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  page.on('pageerror', (e) => errors.push(String(e)));
  // The deliberate error below (a 404 from /v1/generate) is logged by Chromium too; anything else counts.
  page.on('console', (m) => {
    if (m.type() === 'error' && !(m.location().url || '').includes('/v1/generate')) errors.push(m.text());
  });
  page.on('requestfailed', (r) => { if (!r.url().includes('/v1/generate')) errors.push('failed ' + r.url()); });

  await page.goto(base + '/web', { waitUntil: 'networkidle0' });
  seen.url = page.url();
  await page.waitForSelector(`#styles tr[data-id="${active}"]`, { timeout: 15000 });
  await page.waitForSelector(`#styles tr[data-id="${rejected}"]`, { timeout: 15000 });
  const cells = (id) => page.$eval(`#styles tr[data-id="${id}"]`, (r) => [...r.cells].map((c) => c.textContent));
  seen.activeRow = await cells(active);
  seen.rejectedRow = await cells(rejected);
  seen.health = await page.$eval('#health', (e) => e.textContent);
  await page.click(`#styles tr[data-id="${active}"]`);
  await page.waitForFunction(() => !document.querySelector('#detail-report').textContent.includes('loading'));
  seen.report = await page.$eval('#detail-report', (e) => e.textContent);
  seen.detail = await page.$eval('#detail-facts', (e) => e.textContent);
  seen.catalogueWidth = await pageWidth(page);
  await page.screenshot({ path: join(out, 'catalogue.png') });

  await page.click('nav button[data-tab="playground"]');
  await page.select('#style', active);
  await page.$eval('#max-tokens', (e) => { e.value = '16'; });
  await page.type('#brief', 'A short note on the Debian release');
  await page.type('#facts', 'Debian 12 was released on 10 June 2023.\nIt ships 64419 packages.');
  await page.type('#source', 'Debian 12, code name bookworm, came out in June 2023 after two years of work.');
  await page.click('#plan-button');
  await page.waitForFunction(() => document.querySelectorAll('#plan li').length > 0
    || document.querySelector('#status').textContent === 'error', { timeout: 30000 });
  seen.facts = await page.$$eval('#plan li', (lis) => lis.map((li) => li.textContent));
  // Counts how often the article grows while it is written: more than once means it was streamed.
  await page.evaluate(() => {
    window.growth = 0;
    new MutationObserver(() => { window.growth += 1; })
      .observe(document.querySelector('#output'), { childList: true, characterData: true, subtree: true });
  });
  await page.click('#generate-button');
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#status').textContent),
    { timeout: 45000 });
  seen.status = await page.$eval('#status', (e) => e.textContent);
  seen.problem = await page.$eval('#problem', (e) => (e.hidden ? '' : e.textContent));
  seen.article = await page.$eval('#output', (e) => e.textContent);
  seen.growth = await page.evaluate(() => window.growth);
  seen.scores = await page.$$eval('#scores tr', (rows) => rows.map((r) => r.dataset.score));
  seen.timings = await page.$eval('#timings', (e) => e.textContent);
  await page.screenshot({ path: join(out, 'playground.png'), fullPage: true });

  // An API error is shown with its status and code: a style the server does not know.
  await page.$eval('#style', (s) => { s.append(new Option('no-such-style', 'no-such-style')); s.value = 'no-such-style'; });
  await page.click('#generate-button');
  await page.waitForFunction(() => !document.querySelector('#problem').hidden, { timeout: 30000 });
  seen.errorStatus = await page.$eval('#problem', (e) => e.dataset.status);
  seen.errorCode = await page.$eval('#problem', (e) => e.dataset.code);
  seen.errorText = await page.$eval('#problem', (e) => e.textContent);
  await page.screenshot({ path: join(out, 'playground-error.png') });

  await page.click('nav button[data-tab="reports"]');
  await page.waitForSelector('#report-list a[data-kind="html"]', { timeout: 15000 });
  seen.reportFiles = await page.$$eval('#report-list a', (as) => as.map((a) => a.dataset.path));
  await page.click('#report-list a[data-kind="png"]');
  await page.waitForFunction(() => {
    const img = document.querySelector('#report-view img');
    return img && img.complete && img.naturalWidth > 0;
  }, { timeout: 15000 });
  seen.chartWidth = await page.$eval('#report-view img', (img) => img.naturalWidth);
  await page.click('#report-list a[data-kind="html"]');
  await page.waitForSelector('#report-view iframe');
  const frame = await (await page.$('#report-view iframe')).contentFrame();
  await frame.waitForSelector('h1', { timeout: 15000 });
  seen.reportHeading = await frame.$eval('h1', (h) => h.textContent);
  seen.reportsWidth = await pageWidth(page);
  await page.screenshot({ path: join(out, 'reports.png') });
  seen.errors = errors;
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
