// Accessibility of every page in a real browser: axe-core (WCAG 2.0, 2.1
// and 2.2 at A and AA, and axe's best practices) plus what axe cannot see:
// the skip link, visible and unobscured focus for every focusable element,
// reflow at 320 px, captions and header scopes of tables, text alternatives
// of charts, the portal's meta tags, the print button and print stylesheet,
// and search.
//
//   node tests/a11y/axe.js --base http://127.0.0.1:PORT/prefix/ [--keyboard all|first] PAGE...
//
// PAGE is a path under --base ("", "2019/", "404.html"). Prints one JSON
// object on stdout; exits 0 when it could run, whatever it found (the Rust
// test decides), 2 when a tool is missing.
"use strict";

const { VIEWPORTS, tool, launch, args, fail } = require("./common");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
/** Stop tabbing after this many stops on one page. */
const MAX_TAB_STOPS = 400;

async function main() {
  const opts = args(process.argv.slice(2));
  const base = opts.base;
  if (!base || opts._.length === 0) fail("usage: node axe.js --base URL [--keyboard all|first] PAGE...");
  const pages = opts._.map((p) => (p === "." ? "" : p));
  const keyboardAll = opts.keyboard !== "first";
  const { default: AxeBuilder } = tool("@axe-core/playwright");
  // The newest engine pinned in .ci/package.json, not the one
  // @axe-core/playwright bundles.
  const axe = tool("axe-core");

  const browser = await launch();
  const started = Date.now();
  let runs;
  try {
    // The two viewports in parallel, each in its own browser context.
    const perViewport = await Promise.all(
      Object.entries(VIEWPORTS).map(([viewport, device]) => checkViewport(browser, viewport, device, base, pages, keyboardAll, AxeBuilder, axe.source)),
    );
    runs = perViewport.flat();
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ tags: TAGS, seconds: (Date.now() - started) / 1000, runs }, null, 1) + "\n");
}

async function checkViewport(browser, viewport, device, base, pages, keyboardAll, AxeBuilder, axeSource) {
  const context = await browser.newContext({ ...device, locale: "vi-VN", reducedMotion: "reduce" });
  // Record window.print() instead of opening a dialog.
  await context.addInitScript(() => {
    window.__printed = 0;
    window.print = () => { window.__printed += 1; };
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  const seenKinds = new Set();
  const runs = [];
  const analyze = async () => {
    // Sections far from the screen are not rendered (content-visibility:
    // auto), and axe cannot judge what is not rendered (contrast, overflow,
    // target sizes). Render everything while axe looks: it then sees the
    // page as a reader who scrolls through it does.
    const all = await page.addStyleTag({ content: "* { content-visibility: visible !important; }" });
    const results = await new AxeBuilder({ page, axeSource }).withTags(TAGS).analyze();
    await all.evaluate((e) => e.remove());
    return results;
  };
  for (const path of pages) {
    consoleErrors.length = 0;
    const t0 = Date.now();
    const url = new URL(path, base).href;
    const response = await page.goto(url, { waitUntil: "load" });
    const run = { path, viewport, status: response ? response.status() : 0, violations: [], incomplete: [], passes: 0, checks: [] };
    // The keyboard, print and reflow checks see the page as it loads.
    const kind = templateKind(path);
    const walkAll = keyboardAll || !seenKinds.has(kind);
    seenKinds.add(kind);
    run.checks.push(...(await keyboardChecks(page, walkAll)));
    // The print stylesheet is the template's: print media is checked on the
    // first page of each kind, the button on every page.
    run.checks.push(...(await printChecks(page, path, walkAll && viewport === "desktop")));
    run.checks.push(...(await reflowChecks(page, viewport)));
    const results = await analyze();
    run.axeVersion = results.testEngine.version;
    run.violations = summarise(results.violations);
    run.passes = results.passes.length;
    run.incomplete = results.incomplete.map((r) => ({ id: r.id, nodes: r.nodes.length, why: reasons(r.nodes) }));
    run.checks.push(...(await pageChecks(page, path)));
    if (path === "" || path === "index.html") {
      const search = await searchChecks(page);
      run.checks.push(...search.checks);
      if (search.ok) {
        // The page again, with search results on it.
        for (const v of summarise((await analyze()).violations)) run.violations.push({ ...v, state: "search results" });
      }
    }
    run.checks.push({ name: "no console errors", ok: consoleErrors.length === 0, detail: consoleErrors.join(" | ") });
    run.ms = Date.now() - t0;
    runs.push(run);
  }
  await context.close();
  return runs;
}

function templateKind(path) {
  if (path === "" || path === "index.html") return "home";
  if (path.startsWith("agencies/")) return "agency";
  if (path.endsWith("404.html")) return "404";
  return path.split("/").filter(Boolean).length === 1 ? "cycle" : "plan";
}

/** Why axe could not decide, with how many nodes each. */
function reasons(nodes) {
  const why = {};
  for (const n of nodes) {
    for (const c of [...n.any, ...n.all, ...n.none]) why[c.message] = (why[c.message] || 0) + 1;
  }
  return why;
}

function summarise(violations) {
  return violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary })),
    count: v.nodes.length,
  }));
}

/** Structure that axe does not judge: meta tags, tables, charts. */
async function pageChecks(page, path) {
  return page.evaluate((path) => {
    const checks = [];
    const add = (name, ok, detail = "") => checks.push({ name, ok: !!ok, detail: ok ? "" : String(detail) });
    const meta = (sel) => { const el = document.querySelector(sel); return el ? (el.getAttribute("content") || el.getAttribute("href") || "").trim() : ""; };
    const lang = document.documentElement.getAttribute("lang") || "";
    add("html lang", /^[a-z]{2}(-[A-Za-z]{2})?$/.test(lang), `lang="${lang}"`);
    add("title", document.title.trim().length > 0, "empty <title>");
    add("meta description", meta('meta[name="description"]').length >= 20, `description "${meta('meta[name="description"]')}"`);
    const canonical = meta('link[rel="canonical"]');
    if (path.endsWith("404.html")) {
      // Not a page of its own: not indexed, no canonical URL.
      add("404 page not indexed", /noindex/.test(meta('meta[name="robots"]')) && !canonical, `robots "${meta('meta[name="robots"]')}", canonical "${canonical}"`);
    } else {
      add("canonical url", /^https:\/\/[^/]+\/.*\/$|^https:\/\/[^/]+\/$/.test(canonical), `canonical "${canonical}"`);
      for (const p of ["og:type", "og:title", "og:description", "og:url", "og:site_name", "og:locale"]) {
        add(`open graph ${p}`, meta(`meta[property="${p}"]`).length > 0, `missing ${p}`);
      }
      add("og:url is the canonical url", meta('meta[property="og:url"]') === canonical, `${meta('meta[property="og:url"]')} vs ${canonical}`);
    }
    add("one h1", document.querySelectorAll("h1").length === 1, `${document.querySelectorAll("h1").length} h1`);
    add("one main", document.querySelectorAll("main").length === 1, "");

    // Tables: every data table of the theme has a caption (a table an
    // agency writes in Markdown has no syntax for one), and every header
    // cell of every table a scope.
    const tables = [...document.querySelectorAll("table")];
    const dataTables = tables.filter((t) => !t.closest(".prose"));
    const noCaption = dataTables.filter((t) => !t.caption || !t.caption.textContent.trim());
    add("tables have captions", noCaption.length === 0, `${noCaption.length} of ${dataTables.length} without caption`);
    const noScope = [...document.querySelectorAll("th")].filter((th) => !["row", "col", "rowgroup", "colgroup"].includes(th.getAttribute("scope")));
    add("header cells have scope", noScope.length === 0, noScope.slice(0, 3).map((th) => th.outerHTML.slice(0, 80)).join(" | "));
    // A table with a grand total says it in its caption, so a screen reader
    // user hears the total before the rows.
    const missingTotal = tables.filter((t) => {
      const total = t.querySelector("tfoot tr.total td.num, tr.total td.num");
      return total && total.textContent.trim() && !(t.caption && t.caption.textContent.includes(total.textContent.trim()));
    });
    add("captions summarise totals", missingTotal.length === 0, missingTotal.map((t) => (t.caption ? t.caption.textContent : "(no caption)").slice(0, 120)).join(" | "));

    // Charts: an accessible name and description, and a data table beside.
    const svgs = [...document.querySelectorAll("main svg")].filter((s) => s.getAttribute("aria-hidden") !== "true");
    const badCharts = svgs.filter((s) => {
      if (s.getAttribute("role") !== "img") return true;
      const ids = (s.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
      const text = ids.map((id) => (document.getElementById(id) || { textContent: "" }).textContent.trim()).join(" ");
      const figure = s.closest("figure");
      return !text || !figure || !figure.querySelector("table caption");
    });
    add("charts have text alternatives and data tables", badCharts.length === 0, `${badCharts.length} of ${svgs.length}`);

    // The skip link is the first thing in the body and points at main.
    const first = document.querySelector("body a, body button, body input");
    const main = document.querySelector("main");
    const target = first && first.getAttribute("href") && first.getAttribute("href").startsWith("#") ? document.getElementById(first.getAttribute("href").slice(1)) : null;
    add("skip link first, to main", target && main && (target === main || main.contains(target)), first ? first.outerHTML.slice(0, 100) : "no link");
    // Everything a link points to inside the page exists.
    const broken = [...document.querySelectorAll('a[href^="#"]')].filter((a) => a.getAttribute("href").length > 1 && !document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1))));
    add("in-page links resolve", broken.length === 0, broken.map((a) => a.getAttribute("href")).join(" "));
    return checks;
  }, path);
}

/**
 * Keyboard: the first Tab reaches the skip link, visible; Enter moves focus
 * to main; then every Tab stop shows a focus indicator of at least 2 px that
 * nothing covers (WCAG 2.4.7, 2.4.11).
 */
async function keyboardChecks(page, walkAll) {
  const checks = [];
  await page.evaluate(() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur(); });
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(focusInfo);
  checks.push({ name: "first tab stop is the visible skip link", ok: skip.isSkip && skip.visible && skip.indicator, detail: JSON.stringify(skip) });
  await page.keyboard.press("Enter");
  const afterSkip = await page.evaluate(() => { const a = document.activeElement; const m = document.querySelector("main"); return !!(a && m && (a === m || m.contains(a))); });
  checks.push({ name: "skip link moves focus to main", ok: afterSkip, detail: "focus not in main after Enter" });

  const bad = [];
  let stops = 0;
  const seen = new Set();
  const limit = walkAll ? MAX_TAB_STOPS : 25;
  for (; stops < limit; stops++) {
    await page.keyboard.press("Tab");
    const f = await page.evaluate(focusInfo);
    if (!f.tag || f.tag === "BODY") break;
    if (seen.has(f.key)) break; // wrapped around
    seen.add(f.key);
    if (!f.visible || !f.indicator || f.obscured) bad.push(f);
  }
  checks.push({ name: "every tab stop has a visible, unobscured focus indicator", ok: bad.length === 0, detail: `${bad.length} of ${stops}: ${JSON.stringify(bad.slice(0, 3))}` });
  if (walkAll) {
    // Tabbing reached the end of the page: no keyboard trap, no endless widget.
    checks.push({ name: "tabbing reaches the end of the page", ok: stops < limit, detail: `still going after ${stops} tab stops` });
  }
  return checks;
}

// Runs in the page.
function focusInfo() {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: el ? el.tagName : "" };
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const vw = document.documentElement.clientWidth;
  const vh = window.innerHeight;
  const visible = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < vh && r.left < vw && cs.visibility !== "hidden";
  const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2;
  const shadow = cs.boxShadow && cs.boxShadow !== "none";
  // The element is not hidden behind something else (a sticky table
  // header, a banner): the centre of each of its boxes (one per line of a
  // wrapped link) inside the viewport hits the element itself.
  let hit = null;
  let obscured = false;
  if (visible) {
    for (const b of el.getClientRects()) {
      if (b.width < 1 || b.height < 1 || b.bottom <= 0 || b.top >= vh || b.right <= 0 || b.left >= vw) continue;
      const x = (Math.max(b.left, 0) + Math.min(b.right, vw)) / 2;
      const y = (Math.max(b.top, 0) + Math.min(b.bottom, vh)) / 2;
      hit = document.elementFromPoint(x, y);
      if (!(hit && (hit === el || el.contains(hit)))) { obscured = true; break; }
    }
  }
  const href = el.getAttribute("href") || "";
  return {
    tag: el.tagName,
    key: `${el.tagName}|${href}|${el.id}|${Math.round(r.top + window.scrollY)}|${Math.round(r.left + window.scrollX)}|${el.textContent.slice(0, 30)}`,
    text: (el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 40),
    isSkip: el.tagName === "A" && href.startsWith("#") && el === document.querySelector("body a"),
    visible,
    indicator: outline || shadow,
    obscured,
    by: obscured && hit ? hit.tagName + "." + hit.className : undefined,
  };
}

/** The print button calls the browser's print, and print media hides the portal's chrome. */
async function printChecks(page, path, media) {
  const checks = [];
  if (path.endsWith("404.html")) return checks;
  const button = page.locator("[data-print]");
  const count = await button.count();
  checks.push({ name: "print button", ok: count === 1 && (await button.first().isVisible()), detail: `${count} print buttons` });
  if (count >= 1) {
    await button.first().click();
    const printed = await page.evaluate(() => window.__printed);
    checks.push({ name: "print button prints", ok: printed === 1, detail: `window.print called ${printed} times` });
  }
  if (!media) return checks;
  // Print media at the width of A4 portrait inside the theme's @page
  // margins (210 - 35 mm = 661 CSS px); the wide tables print on landscape
  // pages (297 - 27 mm = 1020 px). Anything wider and the browser shrinks
  // the whole page to fit.
  const size = page.viewportSize();
  await page.setViewportSize({ width: 661, height: size.height });
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => {
    const shown = (sel) => [...document.querySelectorAll(sel)].some((e) => e.checkVisibility());
    const wide = [...document.querySelectorAll("body *")]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.right > (e.closest(".print-landscape") ? 1020 : 661) + 1;
      })
      .slice(0, 5)
      .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`);
    return {
      masthead: !shown(".masthead"), footer: !shown(".site-footer"), buttons: !shown("[data-print]"), skip: !shown(".skip"),
      main: shown("main"), background: getComputedStyle(document.body).backgroundColor, wide,
    };
  });
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize(size);
  checks.push({
    name: "print stylesheet applies",
    ok: printed.masthead && printed.footer && printed.buttons && printed.skip && printed.main && printed.background === "rgb(255, 255, 255)",
    detail: JSON.stringify(printed),
  });
  checks.push({ name: "printed content fits A4", ok: printed.wide.length === 0, detail: printed.wide.join(", ") });
  return checks;
}

/**
 * WCAG 1.4.10: no horizontal scrolling of the page at 320 CSS px, the
 * narrowest phone (wide tables scroll in their own box). What fits 320 px
 * fits the phone viewport too.
 */
async function reflowChecks(page, viewport) {
  if (viewport !== "phone") return [];
  const checks = [];
  const size = page.viewportSize();
  for (const width of [320]) {
    await page.setViewportSize({ width, height: size.height });
    const over = await page.evaluate(() => {
      const vw = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll("body *")].filter((e) => {
        if (e.closest(".table-scroll")) return false;
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.right > vw + 1 || r.left < -1) && getComputedStyle(e).position !== "absolute";
      });
      return { scroll: document.documentElement.scrollWidth - vw, wide: wide.slice(0, 3).map((e) => e.tagName + "." + e.className) };
    });
    checks.push({ name: `no horizontal scrolling at ${width}px`, ok: over.scroll <= 0 && over.wide.length === 0, detail: JSON.stringify(over) });
  }
  await page.setViewportSize(size);
  return checks;
}

/** Decree 42/2022: the portal's search works, without diacritics too. */
async function searchChecks(page) {
  const input = page.locator("input[type=search]");
  if ((await input.count()) === 0) return { ok: false, checks: [{ name: "search box", ok: false, detail: "no search input" }] };
  await input.fill("ha tang");
  const first = page.locator("[data-results] a").first();
  try {
    await first.waitFor({ timeout: 5000 });
  } catch {
    return { ok: false, checks: [{ name: "search finds 'ha tang'", ok: false, detail: "no results" }] };
  }
  const text = await page.locator("[data-results]").innerText();
  return { ok: true, checks: [{ name: "search finds 'ha tang'", ok: /hạ tầng/i.test(text), detail: text.slice(0, 200) }] };
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
