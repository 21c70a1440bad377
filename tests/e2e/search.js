// Types into the portal's search box in headless Chromium and prints what
// the results list shows, and how many bytes of the search index each query
// fetched, as JSON: {results: {query: [result titles]}, bytes: {query: n}}.
// usage: node search.js URL QUERY...
const path = require('path');
const { chromium } = require(path.join(__dirname, '../../.ci/node_modules/playwright-core'));

(async () => {
  const [url, ...queries] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const out = {};
  const bytes = {};
  try {
    const page = await browser.newPage();
    let fetched = 0;
    page.on('response', async (r) => {
      if (!/\/search\//.test(new URL(r.url()).pathname)) return;
      try { fetched += (await r.body()).length; } catch (e) { /* aborted */ }
    });
    await page.goto(url);
    const input = page.locator('#q');
    await input.waitFor({ state: 'visible' });
    for (const q of queries) {
      // A fresh page per query: its own downloads, nothing cached.
      await page.reload();
      await input.waitFor({ state: 'visible' });
      fetched = 0;
      await input.fill(q);
      await page.waitForFunction(() => {
        const r = document.querySelector('[data-results]');
        return r && (r.querySelector('li') || r.textContent.trim().length > 0);
      });
      await page.waitForTimeout(300);
      out[q] = await page.locator('[data-results] li a').allTextContents();
      bytes[q] = fetched;
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ results: out, bytes: bytes }));
})().catch((e) => { console.error(e); process.exit(1); });
