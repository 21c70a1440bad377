// Looks at a consolidated page the way its readers do, in headless
// Chromium: at 1366x768 and 390x844 (screenshots into OUTDIR, and the
// layout facts below), and printed to PDF on A4 (OUTDIR/print.pdf).
// Prints one JSON object.
// usage: node document.js URL OUTDIR
const path = require('path');
const modules = process.env.CI_NODE_MODULES || path.join(__dirname, '../../.ci/node_modules');
const { chromium } = require(path.join(modules, 'playwright-core'));

async function layout(page) {
  return page.evaluate(() => {
    const scrollsUpDown = [];
    for (const el of document.querySelectorAll('body *')) {
      const s = getComputedStyle(el);
      if (['auto', 'scroll'].includes(s.overflowY) && el.scrollHeight > el.clientHeight + 1) {
        scrollsUpDown.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className);
      }
    }
    let smallest = 100; let smallestText = '';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const n = walker.currentNode;
      if (!n.textContent.trim()) continue;
      const el = n.parentElement;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden' || s.display === 'none') continue;
      if (el.closest('svg, .sr-only, thead')) continue;
      const size = parseFloat(s.fontSize);
      if (size < smallest) { smallest = size; smallestText = n.textContent.trim().slice(0, 40); }
    }
    const total = document.querySelector('#vi tfoot tr.total');
    const pageOverflow = document.documentElement.scrollWidth > window.innerWidth + 1;
    return { scrollsUpDown, smallest, smallestText, pageOverflow,
      totalsRow: total ? { top: total.getBoundingClientRect().top + window.scrollY } : null };
  });
}

(async () => {
  const [url, outdir] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const out = {};
  try {
    for (const [name, w, h] of [['laptop', 1366, 768], ['phone', 390, 844]]) {
      const page = await browser.newPage({ viewport: { width: w, height: h } });
      await page.goto(url);
      const facts = await layout(page);
      // The VI totals row is reached by scrolling the page itself.
      await page.locator('#vi tfoot tr.total').scrollIntoViewIfNeeded();
      facts.totalsVisible = await page.locator('#vi tfoot tr.total').isVisible();
      facts.totalsInViewport = await page.evaluate(() => {
        const r = document.querySelector('#vi tfoot tr.total').getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight;
      });
      await page.screenshot({ path: path.join(outdir, name + '.png'), fullPage: false });
      await page.evaluate(() => document.querySelector('#vi').scrollIntoView());
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(outdir, name + '-vi.png') });
      await page.evaluate(() => document.querySelector('#ii-2').scrollIntoView());
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(outdir, name + '-ii2.png') });
      out[name] = facts;
      await page.close();
    }
    const page = await browser.newPage();
    await page.goto(url);
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: path.join(outdir, 'print.pdf'), preferCSSPageSize: true, printBackground: false });
    out.pdf = path.join(outdir, 'print.pdf');
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
