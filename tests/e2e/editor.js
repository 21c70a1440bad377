// `planpress editor` in a real browser: the scenario of the issue, and
// axe-core on every editor page at desktop and phone sizes.
//
// usage: node tests/e2e/editor.js URL SITE_ROOT [SHOT_DIR]
// An editor (`an`, so-tttt, password mat-khau-cua-an) fills an empty plan
// from nothing to submitted; a reviewer (`duyet`, tham-dinh-2019-ok)
// returns it with a comment; the editor sees it, fixes and resubmits; the
// reviewer approves. Prints one JSON object; exits 1 on a failure, 2 when a
// tool is missing.
"use strict";

const path = require("path");
const { execFileSync } = require("child_process");
const { tool, launch, VIEWPORTS } = require("../a11y/common.js");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function main() {
  const [base, root, shots] = process.argv.slice(2);
  if (!base || !root) throw new Error("usage: node editor.js URL SITE_ROOT [SHOT_DIR]");
  const { default: AxeBuilder } = tool("@axe-core/playwright");
  const axe = tool("axe-core");
  const browser = await launch();
  const seen = { axe: [], steps: [] };
  const git = (...a) => execFileSync("git", ["-C", root, ...a], { encoding: "utf8" });
  try {
    const axeCheck = async (page, name, viewport) => {
      const r = await new AxeBuilder({ page, axeSource: axe.source }).withTags(TAGS).analyze();
      seen.axe.push({ page: name, viewport, violations: r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`) });
      check(r.violations.length === 0, `axe on ${name} (${viewport}): ${JSON.stringify(seen.axe[seen.axe.length - 1].violations)}`);
      if (shots) await page.screenshot({ path: path.join(shots, `${name}-${viewport}.png`), fullPage: false });
    };
    const login = async (page, login, password) => {
      await page.goto(base + "login");
      await page.getByLabel(/Tên đăng nhập/).fill(login);
      await page.getByLabel(/^Mật khẩu/).fill(password);
      await page.getByRole("button", { name: "Đăng nhập" }).click();
      await page.waitForURL(base);
    };

    // 1. axe on every page, desktop and phone, as the editor and the reviewer.
    for (const [viewport, device] of Object.entries(VIEWPORTS)) {
      const ctx = await browser.newContext({ ...device, locale: "vi-VN", bypassCSP: true });
      const page = await ctx.newPage();
      await page.goto(base + "login");
      await axeCheck(page, "login", viewport);
      await login(page, "an", "mat-khau-cua-an");
      await axeCheck(page, "home", viewport);
      await page.goto(base + "password");
      await axeCheck(page, "password", viewport);
      await page.goto(base + "plans/2019/so-tttt");
      await axeCheck(page, "plan", viewport);
      await page.goto(base + "plans/2019/so-y-te");
      await ctx.close();
      const rctx = await browser.newContext({ ...device, locale: "vi-VN", bypassCSP: true });
      const rpage = await rctx.newPage();
      await login(rpage, "duyet", "tham-dinh-2019-ok");
      await rpage.goto(base + "review/2019");
      await axeCheck(rpage, "review", viewport);
      if (viewport === "desktop") {
        // #18: the reminders button downloads the zip of `planpress remind`.
        const [dl] = await Promise.all([
          rpage.waitForEvent("download"),
          rpage.getByRole("link", { name: /Tải thư nhắc/ }).click(),
        ]);
        check(dl.suggestedFilename() === "nhac-nop-ke-hoach-2019.zip", `download: ${dl.suggestedFilename()}`);
        const bytes = require("fs").readFileSync(await dl.path());
        check(bytes.slice(0, 2).toString() === "PK" && bytes.includes(Buffer.from("reminders.csv")), "a zip with reminders.csv");
        seen.steps.push("reminders downloaded");
      }
      await rpage.goto(base + "plans/2019/so-tttt");
      await axeCheck(rpage, "plan-review", viewport);
      await rctx.close();
    }

    // 2. The scenario.
    const ctx = await browser.newContext({ ...VIEWPORTS.desktop, locale: "vi-VN" });
    const page = await ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await login(page, "an", "mat-khau-cua-an");
    await page.goto(base + "plans/2019/so-tttt");
    await page.getByLabel("Họ và tên").fill("Nguyễn Văn An");
    await page.getByLabel("Điện thoại").fill("0255.3822222");
    // Two projects; the second becomes priority 1.
    for (const [name, id, total] of [["Trung tâm dữ liệu", "trung-tam-du-lieu", "127,5"], ["Một cửa điện tử", "mot-cua", "1.200.000"]]) {
      await page.getByRole("button", { name: "Thêm dự án, nhiệm vụ" }).click();
      const p = page.locator('[data-row="projects"]').last();
      await p.getByLabel("Tên dự án, nhiệm vụ").fill(name);
      await p.getByLabel(/^Mã/).fill(id);
      await p.getByLabel("Hạng mục").selectOption("nguoi-dan");
      await p.getByLabel("Tổng kinh phí").fill(total);
      await p.getByLabel("Đã thực hiện").fill("0");
      await p.getByLabel("Cần thực hiện trong năm").fill(total);
      await p.getByLabel("Quyết định phê duyệt").fill("Quyết định số 1/QĐ-UBND");
      for (const split of ["levels", "kinds"]) {
        const fs = p.locator(`fieldset[data-split="${split}"]`);
        await fs.getByRole("button", { name: "Thêm nguồn" }).click();
        await fs.getByLabel("Nguồn").last().selectOption(split === "levels" ? "tinh" : "dau-tu");
        await fs.getByLabel("Số tiền").last().fill(split === "levels" && total === "1.200.000" ? "1.000.000" : total);
      }
    }
    // The meaning of 1.200.000 is shown with the unit.
    const meaning = await page.locator('[data-row="projects"]').last().locator(".amount-field .meaning").first().textContent();
    check(meaning.includes("1.200.000 triệu đồng") && meaning.includes("1.200 tỷ đồng"), `meaning: ${meaning}`);
    // The split that does not add up is flagged before saving.
    const sumText = await page.locator('[data-row="projects"]').last().locator('fieldset[data-split="levels"] .split-sum').textContent();
    check(/thiếu 200\.000/.test(sumText), `split sum: ${sumText}`);
    await page.waitForSelector('#summary li:has-text("E032")', { timeout: 10000 });
    seen.steps.push("split flagged by the live check");
    // Reorder: "Một cửa" moves up to priority 1.
    await page.locator('[data-row="projects"]').last().getByRole("button", { name: /Ưu tiên hơn/ }).click();
    const first = await page.locator('[data-row="projects"]').first().getByLabel("Tên dự án, nhiệm vụ").inputValue();
    check(first === "Một cửa điện tử", `after reorder the first is ${first}`);
    await page.getByRole("button", { name: "Lưu bản nháp" }).click();
    await page.waitForSelector('#message:has-text("Đã lưu bản nháp")');
    let author = git("log", "-1", "--format=%an");
    check(author.trim() === "Nguyễn Văn An", `author: ${author}`);
    // Fix the split, submit.
    const mc = page.locator('[data-row="projects"]').first();
    const lv = mc.locator('fieldset[data-split="levels"]');
    await lv.getByRole("button", { name: "Thêm nguồn" }).click();
    await lv.getByLabel("Nguồn").last().selectOption("huyen");
    await lv.getByLabel("Số tiền").last().fill("200.000");
    check(/khớp/.test(await lv.locator(".split-sum").textContent()), "split now adds up");
    await page.getByRole("button", { name: "Nộp kế hoạch" }).click();
    await page.waitForSelector('#plan-status:has-text("đã nộp")', { timeout: 15000 });
    seen.steps.push("submitted");
    const file = require("fs").readFileSync(path.join(root, "content/2019/so-tttt.md"), "utf8");
    check(/status: submitted/.test(file) && /planned: 1200000/.test(file) && /127\.5/.test(file), "file written");
    check(/priority: 1[\s\S]*mot-cua|id: mot-cua[\s\S]*priority: 1/.test(file), "reordered priority saved");

    // Reviewer returns with a comment.
    const rctx = await browser.newContext({ ...VIEWPORTS.desktop, locale: "vi-VN" });
    const r = await rctx.newPage();
    await login(r, "duyet", "tham-dinh-2019-ok");
    await r.goto(base + "plans/2019/so-tttt");
    await r.getByLabel(/Lý do trả lại/).fill("Bổ sung địa điểm triển khai.");
    await r.getByRole("button", { name: "Trả lại để sửa" }).click();
    await r.waitForSelector('#plan-status:has-text("bản nháp")');
    // The editor sees it, fixes, resubmits.
    await page.reload();
    check(await page.locator(".notice").textContent().then((t) => t.includes("Bổ sung địa điểm")), "comment shown");
    await page.locator('[data-row="projects"]').first().getByLabel("Địa điểm").fill("Quảng Ngãi");
    await page.getByRole("button", { name: "Nộp kế hoạch" }).click();
    await page.waitForSelector('#plan-status:has-text("đã nộp")', { timeout: 15000 });
    await r.reload();
    await r.getByRole("button", { name: "Duyệt" }).click();
    await r.waitForSelector('#plan-status:has-text("đã duyệt")');
    seen.steps.push("approved");
    check(errors.length === 0, `console errors: ${errors.join("; ")}`);
    seen.log = git("log", "--format=%an: %s", "-6");
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(seen, null, 1) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
