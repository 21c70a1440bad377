// `planpress serve` in a real browser: headless Chromium (Debian's, driven
// by playwright-core from .ci/node_modules) shows a plan while this script
// edits the plan's file as an editor would. The page must reload by itself
// with the new text and keep its scroll position; a broken save must put
// the error page in its place, and the fix must bring the plan back, all
// without touching the browser.
//
// usage: node tests/e2e/serve.js URL SITE_ROOT
// Prints one JSON object of what it saw; exits 1 on the first failure,
// 2 when a tool is missing.
"use strict";

const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const CI = path.join(__dirname, "..", "..", ".ci");
const CHROMIUM = process.env.CHROME_PATH || "/usr/bin/chromium";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** Bounds a failing step; a passing one returns as soon as it sees the change. */
const WAIT = 30000;

function missing(what) {
  process.stderr.write(`${what}: run \`bash scripts/test.sh\` once (it installs chromium and playwright-core)\n`);
  process.exit(2);
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function main() {
  const [base, root] = process.argv.slice(2);
  if (!base || !root) throw new Error("usage: node serve.js URL SITE_ROOT");
  let chromium;
  try {
    ({ chromium } = createRequire(path.join(CI, "package.json"))("playwright-core"));
  } catch (e) {
    missing(`playwright-core is missing (${e.code || e.message})`);
  }
  if (!fs.existsSync(CHROMIUM)) missing(`chromium is missing at ${CHROMIUM}`);

  const file = path.join(root, "content", "2019", "so-tttt.md");
  const original = fs.readFileSync(file, "utf8");
  const seen = {};
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const statuses = [];
    page.on("response", (r) => { if (r.request().isNavigationRequest()) statuses.push(r.status()); });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));

    const response = await page.goto(new URL("2019/so-tttt/", base).href, { waitUntil: "load" });
    check(response.status() === 200, `first load: ${response.status()}`);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    check(height > 3000, `page too short to scroll: ${height}`);
    await page.evaluate(() => { window.scrollTo(0, 1500); window.__sameDocument = true; });
    const before = await page.evaluate(() => window.scrollY);
    seen.scrollBefore = before;

    // 1. A save: the page reloads by itself, with the new text, where it was.
    let loaded = page.waitForEvent("load", { timeout: WAIT });
    const started = Date.now();
    fs.writeFileSync(file, original.replace(
      "Vận hành, duy trì Trung tâm tích hợp dữ liệu tỉnh",
      "Vận hành Trung tâm tích hợp dữ liệu (SỬA TRONG TRÌNH DUYỆT)"));
    await loaded;
    seen.reloadMs = Date.now() - started;
    check(await page.evaluate(() => window.__sameDocument === undefined), "the page did not reload");
    await page.waitForFunction(() => document.body.innerText.includes("SỬA TRONG TRÌNH DUYỆT"), null, { timeout: WAIT });
    await page.waitForTimeout(200); // the script restores on `load` too
    seen.scrollAfter = await page.evaluate(() => window.scrollY);
    check(Math.abs(seen.scrollAfter - before) <= 2, `scroll position lost: ${before} -> ${seen.scrollAfter}`);

    // 2. A broken save: the error page, with the file, line and source.
    loaded = page.waitForEvent("load", { timeout: WAIT });
    fs.writeFileSync(file, original.replace("total: 860", "total: 900"));
    await loaded;
    await page.waitForFunction(() => document.body.innerText.includes("E030"), null, { timeout: WAIT });
    const errorPage = await page.evaluate(() => ({
      title: document.title,
      heading: document.querySelector("h1") && document.querySelector("h1").textContent,
      location: Array.from(document.querySelectorAll(".loc")).map((e) => e.textContent),
      marked: Array.from(document.querySelectorAll("pre.src mark")).map((e) => e.textContent),
    }));
    seen.errorPage = errorPage;
    check(/content\/2019\/so-tttt\.md:\d+:12/.test(errorPage.location.join(" ")), `no location: ${JSON.stringify(errorPage)}`);
    check(errorPage.marked.includes("900"), `no source line: ${JSON.stringify(errorPage)}`);
    check(statuses[statuses.length - 1] === 500, `error page status: ${statuses}`);

    // 3. Another broken save: the error page follows.
    loaded = page.waitForEvent("load", { timeout: WAIT });
    fs.writeFileSync(file, original.replace("total: 860", "total: \"860,5\""));
    await loaded;
    await page.waitForFunction(() => document.body.innerText.includes("E005"), null, { timeout: WAIT });

    // 4. Fixed: the plan comes back by itself.
    loaded = page.waitForEvent("load", { timeout: WAIT });
    fs.writeFileSync(file, original);
    await loaded;
    await page.waitForFunction(() => !document.body.innerText.includes("E005") && !!document.querySelector("main#noi-dung"), null, { timeout: WAIT });
    check(statuses[statuses.length - 1] === 200, `back: ${statuses}`);
    seen.title = await page.title();
    seen.statuses = statuses;
    check(errors.length === 0, `script errors: ${errors.join("; ")}`);
  } finally {
    fs.writeFileSync(file, original);
    await browser.close();
  }
  process.stdout.write(JSON.stringify(seen) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
