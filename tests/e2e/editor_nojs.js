// `planpress editor` in Chromium with JavaScript turned off: what an
// agency on a locked-down browser can do. The editor `binh` (hoi-lhpn,
// password pass-y-te-2019) uploads a Word plan through the plain upload
// form, then adds a project through the plan form's spare row and saves
// it as a draft.
//
// usage: node tests/e2e/editor_nojs.js URL DOCX
// Prints one JSON object; exits 1 on a failure, 2 when a tool is missing.
"use strict";

const { launch, VIEWPORTS } = require("../a11y/common.js");

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function main() {
  const [base, docx] = process.argv.slice(2);
  if (!base || !docx) throw new Error("usage: node editor_nojs.js URL DOCX");
  const browser = await launch();
  const seen = { steps: [] };
  try {
    const ctx = await browser.newContext({ ...VIEWPORTS.desktop, locale: "vi-VN", javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(base + "login");
    await page.getByLabel(/Tên đăng nhập/).fill("binh");
    await page.getByLabel(/^Mật khẩu/).fill("pass-y-te-2019");
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.waitForURL(base);
    await page.goto(base + "plans/2019/hoi-lhpn");
    // The spare rows are there: the script that would remove them is off.
    check(await page.locator(".spare").count() > 0, "spare rows without JavaScript");

    // 1. The Word plan through the plain multipart form.
    await page.setInputFiles("#upload-file", docx);
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "Tải lên và kiểm tra" }).click(),
    ]);
    const result = await page.locator("#upload-result").textContent();
    check(result.includes("Đã nhập tệp và lưu bản nháp"), `upload result: ${result}`);
    seen.steps.push("docx uploaded");

    // 2. A new project typed into the first spare row, saved as a draft.
    const spare = page.locator('[data-row="projects"].spare').first();
    await spare.getByLabel("Tên dự án, nhiệm vụ", { exact: true }).fill("Dự án gõ không cần JavaScript");
    await spare.getByLabel("Tổng kinh phí", { exact: true }).fill("1.200.000");
    await Promise.all([
      page.waitForURL(/\?saved$/),
      page.getByRole("button", { name: "Lưu bản nháp" }).click(),
    ]);
    check(await page.locator("#post-result").textContent().then((t) => t.includes("Đã lưu bản nháp")), "says it was saved");
    const names = await page.locator('[data-row="projects"] [data-field="name"]').evaluateAll((els) => els.map((e) => e.value));
    check(names.includes("Dự án gõ không cần JavaScript"), `project kept: ${JSON.stringify(names)}`);
    const totals = await page.locator('[data-row="projects"] [data-field="cost.total"]').evaluateAll((els) => els.map((e) => e.value));
    check(totals.includes("1.200.000"), `amount kept: ${JSON.stringify(totals)}`);
    check(await page.locator(".field-error").count() > 0, "the check's messages beside the fields");
    seen.steps.push("form saved");
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(seen) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
