// Drives the web page in headless Chromium (Debian's, through puppeteer-core): the catalogue lists the style and
// shows its report, the playground plans and then writes a streamed article with scores.
// Usage: node ui-check.mjs BASE_URL STYLE CHROMIUM ; prints one JSON line with what the page showed.
import puppeteer from 'puppeteer-core';

const [base, style, executablePath] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const errors = [];
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(base + '/', { waitUntil: 'networkidle0' });
  const url = page.url();
  await page.waitForSelector(`#styles tr[data-id="${style}"]`, { timeout: 15000 });
  const health = await page.$eval('#health', (e) => e.textContent);
  const row = await page.$eval(`#styles tr[data-id="${style}"]`, (r) => [...r.cells].map((c) => c.textContent));
  await page.click(`#styles tr[data-id="${style}"]`);
  await page.waitForFunction(() => document.querySelector('#detail-report').textContent.length > 0);
  const report = await page.$eval('#detail-report', (e) => e.textContent);

  await page.click('nav a[data-tab="playground"]');
  await page.select('#style', style);
  await page.$eval('#max-tokens', (e) => { e.value = '12'; });
  await page.type('#material', 'Debian 12 was released on 10 June 2023. It ships 64419 packages.');
  await page.click('#plan-button');
  await page.waitForFunction(() => document.querySelectorAll('#plan li').length > 0, { timeout: 30000 });
  const facts = await page.$$eval('#plan li', (lis) => lis.map((li) => li.textContent));
  await page.click('#generate-button');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'done'
    || document.querySelector('#status').className === 'error', { timeout: 60000 });
  const status = await page.$eval('#status', (e) => e.textContent);
  const article = await page.$eval('#output', (e) => e.textContent);
  const scores = await page.$$eval('#scores tr', (rows) => rows.map((r) => r.dataset.score));
  const timings = await page.$eval('#timings', (e) => e.textContent);
  console.log(JSON.stringify({ url, health, row, report, facts, status, article, scores, timings, errors }));
} finally {
  await browser.close();
}
