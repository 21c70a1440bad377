// Types into the portal's search box in headless Chromium and prints what
// the results list shows, as JSON: {query: [result titles]}.
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
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const input = page.locator('#q');
    await input.waitFor({ state: 'visible' });
    for (const q of queries) {
      await input.fill(q);
      await page.waitForFunction(() => {
        const r = document.querySelector('[data-results]');
        return r && (r.querySelector('li') || r.textContent.trim().length > 0);
      });
      await page.waitForTimeout(300);
      out[q] = await page.locator('[data-results] li a').allTextContents();
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
