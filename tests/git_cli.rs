//! Git as part of the product: page history (`planpress build`) and
//! `planpress diff`, on real repositories made here with the `git` command:
//! commits by different authors at different dates, a rename, a tag.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use site::{bin, read, write};

/// `git` with no user or system configuration in the way.
fn git_cmd(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    c
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Commits everything as `author` at `date` (author and committer date).
fn commit(dir: &Path, author: &str, date: &str, message: &str) {
    git(dir, &["add", "-A"]);
    let email = format!("{}@example.gov.vn", author.len());
    let out = git_cmd(dir)
        .args(["-c", &format!("user.name={author}")])
        .args(["-c", &format!("user.email={email}")])
        .args([
            "commit",
            "-q",
            "--no-gpg-sign",
            "--date",
            date,
            "-m",
            message,
        ])
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An annotated tag made by `who` at `date`.
fn tag(dir: &Path, name: &str, who: &str, date: &str) {
    let out = git_cmd(dir)
        .args([
            "-c",
            &format!("user.name={who}"),
            "-c",
            "user.email=t@example.gov.vn",
        ])
        .args(["tag", "-a", name, "-m", "Phê duyệt"])
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const SITE: &str = "title: Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi
province: Quảng Ngãi
base_url: https://example.gov.vn/ke-hoach-cntt
money_unit: trieu-dong
approved_tag: \"approved-{year}\"
";

fn agencies(youth: &str) -> String {
    format!(
        "- {{ code: so-tttt, name: Sở Thông tin và Truyền thông, group: so-ban-nganh }}
- {{ code: so-y-te, name: Sở Y tế, group: so-ban-nganh }}
- {{ code: {youth}, name: Tỉnh Đoàn Quảng Ngãi, group: hoi-doan-the }}
"
    )
}

const CATALOG: &str = "categories:
  - { id: ha-tang, name: \"Hạ tầng kỹ thuật và đảm bảo an toàn, an ninh thông tin\" }
  - { id: nguoi-dan, name: \"Ứng dụng CNTT phục vụ người dân và doanh nghiệp\" }
levels:
  - { id: trung-uong, name: \"Ngân sách trung ương\" }
  - { id: tinh, name: \"Ngân sách tỉnh\" }
kinds:
  - { id: dau-tu, name: \"Vốn đầu tư\" }
  - { id: su-nghiep, name: \"Kinh phí sự nghiệp\" }
indicators:
  - { id: tthc-truc-tuyen, name: \"Tỷ lệ hồ sơ thủ tục hành chính thực hiện qua mạng Internet\", unit: percent }
";

const CYCLE: &str = "---
year: 2019
title: Kế hoạch ứng dụng CNTT năm 2019
deadline: 2018-07-31
legal_bases: [\"Quyết định số 916/QĐ-UBND ngày 26/5/2016 của UBND tỉnh\"]
---
Giới thiệu.
";

/// A plan of `code` with `projects` as (id, planned, levels) and an
/// indicator goal.
fn plan(code: &str, goal: u32, projects: &[(&str, &str, &str)]) -> String {
    let mut s = format!(
        "---
agency: {code}
year: 2019
status: submitted
submitted: 2018-07-20
contact: {{ name: \"Bùi Thị Phương Dung\", phone: \"0553.711574\" }}
indicators:
  - {{ id: tthc-truc-tuyen, target: 30, actual: 32, goal: {goal} }}
projects:
"
    );
    for (i, (id, planned, levels)) in projects.iter().enumerate() {
        s.push_str(&format!(
            "  - id: {id}
    name: \"Dự án {id}\"
    category: nguoi-dan
    priority: {}
    period: {{ from: 2019, to: 2019 }}
    lead: {code}
    cost: {{ total: {planned}, spent: 0, planned: {planned} }}
    levels: {levels}
    kinds: dau-tu
    approval: \"Quyết định số 916/QĐ-UBND\"
",
            i + 1
        ));
    }
    s.push_str(
        "---
## II.3. Đánh giá chung

Hạ tầng kỹ thuật được củng cố; hệ thống quản lý văn bản và điều hành vận hành ổn định.
Hạn chế: chưa có cán bộ chuyên trách; kinh phí còn hạn chế.

## III. Mục tiêu

Tăng tỷ lệ hồ sơ thủ tục hành chính thực hiện qua mạng.

## IV. Định hướng

Phát triển hạ tầng, ứng dụng nội bộ, phục vụ người dân và doanh nghiệp.

## V. Giải pháp

Bố trí kinh phí; đào tạo nguồn nhân lực.

## VII. Tổ chức thực hiện

Văn phòng chủ trì triển khai Kế hoạch.
",
    );
    s
}

/// A repository with four commits and a tag:
/// 1. 10/07/2018, Nguyễn Văn An: the site, so-tttt (1000 + 500) and tinh-doan (200);
/// 2. 20/07/2018, Trần Thị Bình: so-tttt's `lgsp` 1000 → 1300.5, levels split;
/// 3. 25/07/2018, Lê Văn Cường: tinh-doan renamed doan-tn (file and code);
///    tagged approved-2019 on 01/08/2018;
/// 4. 05/08/2018, Nguyễn Văn An: so-tttt drops `wifi` (500), goal 60 → 70;
///    so-y-te's plan added.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["-c", "init.defaultBranch=main", "init", "-q"]);
    write(root, "content/site.yaml", SITE);
    write(root, "content/agencies.yaml", &agencies("tinh-doan"));
    write(root, "content/catalog.yaml", CATALOG);
    write(root, "content/2019/_plan.md", CYCLE);
    write(
        root,
        "content/2019/so-tttt.md",
        &plan(
            "so-tttt",
            60,
            &[("lgsp", "1000", "tinh"), ("wifi", "500", "tinh")],
        ),
    );
    write(
        root,
        "content/2019/tinh-doan.md",
        &plan("tinh-doan", 50, &[("doan-vien", "200", "tinh")]),
    );
    commit(
        root,
        "Nguyễn Văn An",
        "2018-07-10T09:00:00+07:00",
        "Khởi tạo kế hoạch 2019",
    );
    write(
        root,
        "content/2019/so-tttt.md",
        &plan(
            "so-tttt",
            60,
            &[
                ("lgsp", "1300.5", "{ trung-uong: 300.5, tinh: 1000 }"),
                ("wifi", "500", "tinh"),
            ],
        ),
    );
    commit(
        root,
        "Trần Thị Bình",
        "2018-07-20T14:30:00+07:00",
        "Tăng kinh phí LGSP theo góp ý của Sở Tài chính",
    );
    git(
        root,
        &["mv", "content/2019/tinh-doan.md", "content/2019/doan-tn.md"],
    );
    write(root, "content/agencies.yaml", &agencies("doan-tn"));
    write(
        root,
        "content/2019/doan-tn.md",
        &plan("doan-tn", 50, &[("doan-vien", "200", "tinh")]),
    );
    commit(
        root,
        "Lê Văn Cường",
        "2018-07-25T08:00:00+07:00",
        "Đổi mã Tỉnh Đoàn thành doan-tn",
    );
    tag(
        root,
        "approved-2019",
        "Phạm Thị Duyên",
        "2018-08-01T10:00:00+07:00",
    );
    write(
        root,
        "content/2019/so-tttt.md",
        &plan(
            "so-tttt",
            70,
            &[("lgsp", "1300.5", "{ trung-uong: 300.5, tinh: 1000 }")],
        ),
    );
    write(
        root,
        "content/2019/so-y-te.md",
        &plan("so-y-te", 40, &[("his", "800", "tinh")]),
    );
    commit(
        root,
        "Nguyễn Văn An",
        "2018-08-05T16:00:00+07:00",
        "Bỏ dự án wifi; thêm kế hoạch Sở Y tế",
    );
    dir
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn build(root: &Path) -> PathBuf {
    let out = root.join("output");
    run(bin().arg("build").arg("--root").arg(root));
    out
}

/// The rows of the history table, cell texts without tags.
fn history_rows(page: &str) -> Vec<Vec<String>> {
    let start = page.find("id=\"cap-history\"").expect("no history table");
    let body = &page[start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("</t")
                .filter_map(|cell| {
                    let open = cell.rfind("<t")?;
                    let cell = &cell[open..];
                    let text = &cell[cell.find('>')? + 1..];
                    Some(strip_tags(text).trim().to_string())
                })
                .collect()
        })
        .collect()
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn plan_pages_show_the_history_of_their_file() {
    let site = repo();
    let out = build(site.path());
    let page = read(&out.join("2019/so-tttt/index.html"));
    assert!(
        page.contains("Cập nhật lần cuối: <time datetime=\"2018-08-05\">05/08/2018</time>"),
        "{page}"
    );
    let rows = history_rows(&page);
    assert_eq!(
        rows,
        vec![
            vec![
                "05/08/2018",
                "Nguyễn Văn An",
                "Bỏ dự án wifi; thêm kế hoạch Sở Y tế",
                "1.300,5",
                "\u{2212}500"
            ],
            vec![
                "20/07/2018",
                "Trần Thị Bình",
                "Tăng kinh phí LGSP theo góp ý của Sở Tài chính",
                "1.800,5",
                "+300,5"
            ],
            vec![
                "10/07/2018",
                "Nguyễn Văn An",
                "Khởi tạo kế hoạch 2019 (tạo kế hoạch)",
                "1.500",
                "+1.500"
            ],
        ]
    );
    // In words too, for every reader.
    assert!(page.contains("Kế hoạch được tạo ngày 10/07/2018 với kinh phí 1.500 triệu đồng; qua 2 lần sửa sau đó, nay là 1.300,5 triệu đồng."));
    assert!(page.contains("<summary>Lịch sử thay đổi (3 lần)</summary>"));
    // Since the approved version: wifi (500) went.
    assert!(
        page.contains("So với bản được phê duyệt (thẻ approved-2019, 01/08/2018): kinh phí kế hoạch giảm 500 triệu đồng, từ 1.800,5 thành 1.300,5."),
        "{page}"
    );
    // Authors' e-mail addresses never reach the public pages.
    assert!(!page.contains("@example.gov.vn\""), "no author e-mail");
    assert!(!page.contains("13@example.gov.vn"));
}

#[test]
fn a_theme_changes_the_words_of_the_history_block() {
    let site = repo();
    let root = site.path();
    // Only the keys it changes: the rest stay the built-in theme's.
    write(
        root,
        "themes/default/strings.json",
        r#"{"vi": {"history": {"summary": "Các lần sửa: {count}", "created": "bản đầu"},
                   "moves": {"down": "bớt {amount} {unit}"}}}"#,
    );
    let out = build(root);
    let page = read(&out.join("2019/so-tttt/index.html"));
    assert!(page.contains("<summary>Các lần sửa: 3</summary>"), "{page}");
    assert!(page.contains("Khởi tạo kế hoạch 2019 <span class=\"muted\">(bản đầu)</span>"));
    assert!(page.contains("kinh phí kế hoạch bớt 500 triệu đồng, từ 1.800,5 thành 1.300,5."));
    assert!(page.contains("Cập nhật lần cuối: "), "unchanged keys stay");
}

#[test]
fn history_follows_a_rename() {
    let site = repo();
    let out = build(site.path());
    let page = read(&out.join("2019/doan-tn/index.html"));
    let rows = history_rows(&page);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][0], "25/07/2018");
    assert_eq!(rows[0][1], "Lê Văn Cường");
    assert_eq!(
        rows[0][2],
        "Đổi mã Tỉnh Đoàn thành doan-tn (đổi tên từ content/2019/tinh-doan.md)"
    );
    assert_eq!(rows[0][4], "0");
    assert_eq!(rows[1][0], "10/07/2018");
    assert!(rows[1][2].ends_with("(tạo kế hoạch)"));
    assert!(page.contains("Cập nhật lần cuối: <time datetime=\"2018-07-25\">25/07/2018</time>"));
}

#[test]
fn a_plan_added_after_approval_and_uncommitted_changes_are_said_so() {
    let site = repo();
    let root = site.path();
    // An edit not yet committed.
    let p = root.join("content/2019/doan-tn.md");
    std::fs::write(&p, read(&p).replace("goal: 50", "goal: 55")).unwrap();
    let out = build(root);
    let yte = read(&out.join("2019/so-y-te/index.html"));
    assert!(yte.contains(
        "Kế hoạch này chưa có trong bản được phê duyệt (thẻ approved-2019, 01/08/2018)."
    ));
    let doan = read(&out.join("2019/doan-tn/index.html"));
    assert!(
        doan.contains("(có thay đổi chưa được lưu vào git)"),
        "{doan}"
    );
    assert!(doan.contains(
        "So với bản được phê duyệt (thẻ approved-2019, 01/08/2018): kinh phí kế hoạch không thay đổi (200 triệu đồng)."
    ));
}

#[test]
fn the_consolidated_page_can_show_changes_since_the_approved_version() {
    let site = repo();
    let root = site.path();
    // The default cycle.html does not include the partial yet: a site
    // override that does shows what it renders.
    write(
        root,
        "themes/default/templates/cycle.html",
        "{% extends \"base.html\" %}{% block content %}{% include \"partials/approved-changes.html\" %}{% endblock %}",
    );
    let out = build(root);
    let page = read(&out.join("2019/index.html"));
    assert!(
        page.contains("Kể từ bản được phê duyệt (thẻ approved-2019, 01/08/2018), kinh phí kế hoạch của 2 cơ quan đã thay đổi; tổng toàn tỉnh tăng 300 triệu đồng, từ 2.000,5 thành 2.300,5."),
        "{page}"
    );
    let table = &page[page.find("cap-since-approved\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let rows: Vec<String> = table
        .split("<tr>")
        .skip(2)
        .map(|r| {
            strip_tags(r)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(rows[0], "Sở Y tế chưa có 800 +800");
    assert_eq!(
        rows[1],
        "Sở Thông tin và Truyền thông 1.800,5 1.300,5 \u{2212}500"
    );
    assert!(page.contains("<a href=\"so-y-te/\">Sở Y tế</a>"));
}

#[test]
fn outside_a_repository_pages_have_no_history() {
    let site = repo();
    let copy = tempfile::tempdir().unwrap();
    for rel in [
        "content/site.yaml",
        "content/agencies.yaml",
        "content/catalog.yaml",
        "content/2019/_plan.md",
        "content/2019/so-tttt.md",
    ] {
        write(copy.path(), rel, &read(&site.path().join(rel)));
    }
    let out = build(copy.path());
    let page = read(&out.join("2019/so-tttt/index.html"));
    assert!(!page.contains("lich-su"));
    assert!(!page.contains("Cập nhật lần cuối"));
}

fn diff(root: &Path, args: &[&str]) -> Output {
    bin()
        .arg("diff")
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

#[test]
fn diff_between_two_commits_for_people() {
    let site = repo();
    let out = diff(site.path(), &["approved-2019", "HEAD"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("So sánh approved-2019 ("), "{text}");
    assert!(text.contains("Đơn vị tính: triệu đồng"));
    assert!(text.contains("== Kỳ kế hoạch 2019 =="));
    assert!(text.contains("\nSở Thông tin và Truyền thông (so-tttt)\n"));
    assert!(
        text.contains("  \u{2212} Dự án wifi — Dự án wifi (bỏ): Tổng kinh phí 500; Cần thực hiện trong năm 500; Ngân sách tỉnh 500; Vốn đầu tư 500\n"),
        "{text}"
    );
    assert!(text.contains("  ~ Chỉ tiêu tthc-truc-tuyen — Tỷ lệ hồ sơ thủ tục hành chính thực hiện qua mạng Internet: Mục tiêu năm: 60 → 70 (+10)\n"), "{text}");
    assert!(text.contains("  Kinh phí kế hoạch: 1.800,5 → 1.300,5 (\u{2212}500)\n"));
    assert!(text.contains("\nSở Y tế (so-y-te) — kế hoạch mới\n"));
    assert!(
        text.contains("  Tình hình gửi: chưa gửi → gửi đúng hạn\n"),
        "{text}"
    );
    assert!(text.contains("Tổng hợp toàn tỉnh 2019 (không tính bản nháp, như trang tổng hợp)"));
    let totals = &text[text.find("Tổng hợp toàn tỉnh 2019").unwrap()..];
    let line = |label: &str| {
        totals
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in {text}"))
            .split_whitespace()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
    };
    // Every total, the unchanged ones too.
    assert_eq!(line("Kinh phí kế hoạch  "), ["+300", "2.300,5", "2.000,5"]);
    assert_eq!(line("Kinh phí năm trước (II.2)"), ["0", "0", "0"]);
    assert_eq!(line("Số dự án, nhiệm vụ"), ["0", "3", "3"]);
    assert_eq!(
        line("Kế hoạch — Ngân sách trung ương"),
        ["0", "300,5", "300,5"]
    );
}

#[test]
fn diff_follows_level_changes_and_renames() {
    let site = repo();
    let out = diff(site.path(), &["HEAD~3", "HEAD~1"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  ~ Dự án lgsp — Dự án lgsp\n"), "{text}");
    assert!(
        text.contains("\n      Ngân sách trung ương         0    300,5      +300,5\n"),
        "{text}"
    );
    assert!(text.contains("\n      Tổng kinh phí            1.000  1.300,5      +300,5\n"));
    // An unchanged level is not listed.
    assert!(!text.contains("      Ngân sách tỉnh  "));
    // The agency code changed: the old plan is gone, a new one came.
    assert!(text.contains("(tinh-doan) — kế hoạch đã bị xóa"));
    assert!(text.contains("(doan-tn) — kế hoạch mới"));
}

#[test]
fn diff_as_json() {
    let site = repo();
    let out = diff(site.path(), &["HEAD~1", "HEAD", "--format", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["money_unit"], "trieu-dong");
    assert_eq!(v["before"]["rev"], "HEAD~1");
    assert_eq!(v["before"]["date"], "2018-07-25");
    assert_eq!(v["after"]["work_tree"], false);
    assert_eq!(v["changed"], true);
    let cycle = &v["cycles"][0];
    assert_eq!(cycle["year"], 2019);
    let ag = cycle["agencies"].as_array().unwrap();
    let codes: Vec<&str> = ag.iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["so-tttt", "so-y-te"]);
    let wifi = &ag[0]["projects"][0];
    assert_eq!(wifi["id"], "wifi");
    assert_eq!(wifi["change"], "removed");
    let planned = wifi["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "cost.planned")
        .unwrap();
    assert_eq!(planned["before"], "500");
    assert_eq!(planned["after"], serde_json::Value::Null);
    assert_eq!(planned["delta"], "-500");
    let goal = &ag[0]["indicators"][0]["fields"][0];
    assert_eq!(
        (
            goal["key"].as_str(),
            goal["before"].as_str(),
            goal["after"].as_str()
        ),
        (Some("goal"), Some("60"), Some("70"))
    );
    assert_eq!(ag[1]["change"], "added");
    let totals = cycle["totals"].as_array().unwrap();
    let total = |k: &str| totals.iter().find(|f| f["key"] == k).unwrap();
    assert_eq!(total("planned")["before"], "2000.5");
    assert_eq!(total("planned")["after"], "2300.5");
    assert_eq!(total("planned")["delta"], "300");
    assert_eq!(total("by_level.trung-uong")["changed"], false);
    assert_eq!(total("agencies.missing")["delta"], "-1");
}

#[test]
fn diff_defaults_to_head_against_the_work_tree() {
    let site = repo();
    let root = site.path();
    let none = diff(root, &[]);
    assert!(none.status.success());
    let text = String::from_utf8(none.stdout).unwrap();
    assert!(text.starts_with("So sánh HEAD ("));
    assert!(text.contains("→ thư mục làm việc"));
    assert!(text.contains("Không có thay đổi nào về số liệu."));
    // An edit not committed yet is what the work tree has.
    let p = root.join("content/2019/so-y-te.md");
    std::fs::write(
        &p,
        read(&p)
            .replace("planned: 800", "planned: 750")
            .replace("total: 800", "total: 750"),
    )
    .unwrap();
    let out = diff(root, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["after"]["work_tree"], true);
    let f = &v["cycles"][0]["agencies"][0]["projects"][0]["fields"];
    assert!(
        f.as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "cost.planned" && f["delta"] == "-50"),
        "{f}"
    );
}

#[test]
fn diff_reports_bad_revisions_and_missing_repositories() {
    let site = repo();
    let out = diff(site.path(), &["no-such-rev"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Không tìm thấy phiên bản `no-such-rev`"),
        "{err}"
    );
    let bare = tempfile::tempdir().unwrap();
    for (rel, text) in [
        ("content/site.yaml", SITE),
        ("content/agencies.yaml", &agencies("tinh-doan")[..]),
        ("content/catalog.yaml", CATALOG),
    ] {
        write(bare.path(), rel, text);
    }
    let out = diff(bare.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("không nằm trong một kho git")
    );
    // A repository with no commit yet.
    git(
        bare.path(),
        &["-c", "init.defaultBranch=main", "init", "-q"],
    );
    let out = diff(bare.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("Kho git chưa có commit nào"), "{err}");
    // Build still works there, without history.
    write(bare.path(), "content/2019/_plan.md", CYCLE);
    let out = build(bare.path());
    assert!(out.join("2019/index.html").is_file());
}

#[test]
fn a_site_in_a_subfolder_of_the_repository() {
    let repo_dir = repo();
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path();
    git(root, &["-c", "init.defaultBranch=main", "init", "-q"]);
    let site = root.join("sites/quang-ngai");
    for rel in [
        "content/site.yaml",
        "content/agencies.yaml",
        "content/catalog.yaml",
        "content/2019/_plan.md",
        "content/2019/so-tttt.md",
    ] {
        write(&site, rel, &read(&repo_dir.path().join(rel)));
    }
    commit(
        root,
        "Hoàng Văn Em",
        "2019-01-02T08:00:00+07:00",
        "Site trong thư mục con",
    );
    let out = build(&site);
    let page = read(&out.join("2019/so-tttt/index.html"));
    assert!(page.contains("Cập nhật lần cuối: <time datetime=\"2019-01-02\">02/01/2019</time>"));
    let d = diff(&site, &["HEAD"]);
    assert!(d.status.success(), "{}", String::from_utf8_lossy(&d.stderr));
}

#[test]
fn a_shallow_clone_says_its_history_is_incomplete() {
    let site = repo();
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", site.path().display());
    for depth in ["1", "2"] {
        let dest = clones.path().join(depth);
        git(
            clones.path(),
            &[
                "clone",
                "-q",
                "--depth",
                depth,
                &url,
                dest.to_str().unwrap(),
            ],
        );
        let out = build(&dest);
        let page = read(&out.join("2019/so-tttt/index.html"));
        assert!(
            page.contains("Lịch sử có thể chưa đầy đủ: kho git là bản sao nông (shallow clone)."),
            "{page}"
        );
        if depth == "1" {
            // The one commit there is did not necessarily make the file.
            assert!(!page.contains("Cập nhật lần cuối"));
            assert!(!page.contains("tạo kế hoạch"));
        } else {
            let rows = history_rows(&page);
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(rows[0][0], "05/08/2018");
            assert_eq!(rows[0][4], "\u{2212}500");
        }
    }
}

#[test]
fn merges_credit_the_branch_commits_and_resolved_conflicts() {
    let site = repo();
    let root = site.path();
    // A branch edits doan-tn; main meanwhile edits so-tttt; merged with a
    // merge commit.
    git(root, &["switch", "-q", "-c", "doan"]);
    let p = root.join("content/2019/doan-tn.md");
    std::fs::write(
        &p,
        read(&p)
            .replace("planned: 200", "planned: 250")
            .replace("total: 200", "total: 250"),
    )
    .unwrap();
    commit(
        root,
        "Võ Thị Giang",
        "2018-08-10T09:00:00+07:00",
        "Tỉnh Đoàn: tăng kinh phí quản lý đoàn viên",
    );
    git(root, &["switch", "-q", "main"]);
    let q = root.join("content/2019/so-tttt.md");
    std::fs::write(&q, read(&q).replace("goal: 70", "goal: 75")).unwrap();
    commit(
        root,
        "Nguyễn Văn An",
        "2018-08-11T09:00:00+07:00",
        "Sở TT&TT: mục tiêu 75%",
    );
    let out = git_cmd(root)
        .args([
            "-c",
            "user.name=Người Hợp Nhất",
            "-c",
            "user.email=m@example.gov.vn",
        ])
        .args([
            "merge",
            "-q",
            "--no-ff",
            "--no-gpg-sign",
            "-m",
            "Hợp nhất nhánh doan",
            "doan",
        ])
        .env("GIT_AUTHOR_DATE", "2018-08-12T09:00:00+07:00")
        .env("GIT_COMMITTER_DATE", "2018-08-12T09:00:00+07:00")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A second branch and main both change the same line of so-y-te; the
    // merge resolves the conflict with a third value.
    git(root, &["switch", "-q", "-c", "yte"]);
    let y = root.join("content/2019/so-y-te.md");
    let base = read(&y);
    std::fs::write(&y, base.replace("goal: 40", "goal: 45")).unwrap();
    commit(
        root,
        "Đặng Văn Hải",
        "2018-08-13T09:00:00+07:00",
        "Sở Y tế: 45%",
    );
    git(root, &["switch", "-q", "main"]);
    std::fs::write(&y, base.replace("goal: 40", "goal: 42")).unwrap();
    commit(
        root,
        "Đặng Văn Hải",
        "2018-08-14T09:00:00+07:00",
        "Sở Y tế: 42%",
    );
    let conflict = git_cmd(root)
        .args([
            "-c",
            "user.name=Người Hợp Nhất",
            "-c",
            "user.email=m@example.gov.vn",
        ])
        .args(["merge", "-q", "--no-gpg-sign", "yte"])
        .output()
        .unwrap();
    assert!(!conflict.status.success(), "expected a conflict");
    std::fs::write(
        &y,
        base.replace("goal: 40", "goal: 44")
            .replace("planned: 800", "planned: 900")
            .replace("total: 800", "total: 900"),
    )
    .unwrap();
    commit(
        root,
        "Người Hợp Nhất",
        "2018-08-15T09:00:00+07:00",
        "Hợp nhất yte: thống nhất 44%",
    );

    let out = build(root);
    let doan = history_rows(&read(&out.join("2019/doan-tn/index.html")));
    assert_eq!(
        doan[0][..3],
        [
            "10/08/2018",
            "Võ Thị Giang",
            "Tỉnh Đoàn: tăng kinh phí quản lý đoàn viên"
        ]
    );
    assert_eq!(doan[0][4], "+50");
    assert!(doan.iter().all(|r| r[1] != "Người Hợp Nhất"), "{doan:?}");
    let tttt = history_rows(&read(&out.join("2019/so-tttt/index.html")));
    assert_eq!(tttt[0][..2], ["11/08/2018", "Nguyễn Văn An"]);
    assert_eq!(tttt[0][4], "0");
    assert_eq!(tttt.len(), 4);
    let yte = history_rows(&read(&out.join("2019/so-y-te/index.html")));
    let who: Vec<(&str, &str)> = yte.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(
        who,
        [
            ("15/08/2018", "Người Hợp Nhất"),
            ("14/08/2018", "Đặng Văn Hải"),
            ("13/08/2018", "Đặng Văn Hải"),
            ("05/08/2018", "Nguyễn Văn An"),
        ]
    );
    // The resolution's move is against main's side (the first parent).
    assert_eq!(yte[0][4], "+100");
}

#[test]
fn a_bad_approved_tag_pattern_is_reported_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "content/site.yaml",
        &SITE.replace("approved-{year}", "approved {year}~"),
    );
    write(root, "content/agencies.yaml", &agencies("tinh-doan"));
    write(root, "content/catalog.yaml", CATALOG);
    let out = bin()
        .args(["check", "--format", "json", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v.as_array().unwrap()[0];
    assert_eq!(d["code"], "E070");
    assert_eq!(d["file"], "content/site.yaml");
    assert_eq!(d["line"], 5);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("[E005] `approved_tag`"),
        "{d}"
    );
}
