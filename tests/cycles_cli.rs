//! Plans across years (PLAN-FORMAT §1 v2 fields, §8): per-cycle catalogs,
//! agencies over time, `new cycle`, the prefilled `new plan` and `init`
//! that names no other province, all through the real binary.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::path::Path;

use serde_json::Value;
use site::{bin, copy_dir, repo, text, write};

/// `check --format json` of `root`: the diagnostics and the exit code.
fn check(root: &Path) -> (Vec<Value>, Option<i32>) {
    let out = bin()
        .args(["check", "--format", "json", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
    (v.as_array().unwrap().clone(), out.status.code())
}

fn with_code<'a>(diags: &'a [Value], code: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["code"] == code).collect()
}

const AGENCIES: &str = "\
- code: so-tttt
  name: Sở Thông tin và Truyền thông
  group: so-ban-nganh
  phone: \"0255.3711574\"
  until: 2025
  successor: so-khcn
  former_names:
    - { until: 2018, name: \"Sở Bưu chính, Viễn thông\" }
- code: so-khcn
  name: Sở Khoa học và Công nghệ
  group: so-ban-nganh
  from: 2026
- code: ubnd-son-tinh
  name: UBND huyện Sơn Tịnh
  group: huyen
  until: 2025
- code: xa-tinh-khe
  name: UBND xã Tịnh Khê
  group: xa
  from: 2026
";

const SITE_CATALOG: &str = "\
categories:
  - { id: ha-tang, name: \"Hạ tầng kỹ thuật\" }
levels:
  - { id: tinh, name: \"Ngân sách tỉnh\" }
  - { id: huyen, name: \"Ngân sách huyện\" }
kinds:
  - { id: dau-tu, name: \"Vốn đầu tư\" }
";

const CATALOG_2026: &str = "\
categories:
  - { id: ha-tang-so, name: \"Hạ tầng số\" }
levels:
  - { id: tinh, name: \"Ngân sách tỉnh\" }
  - { id: xa, name: \"Ngân sách xã\" }
kinds:
  - { id: dau-tu, name: \"Vốn đầu tư\" }
";

const BODY: &str = "\
## Đánh giá chung\n\nx\n\n## Mục tiêu\n\nx\n\n## Định hướng\n\nx\n\n\
## Giải pháp\n\nx\n\n## Tổ chức thực hiện\n\nx\n";

fn cycle_md(year: i32) -> String {
    format!(
        "---\nyear: {year}\ntitle: \"Kế hoạch năm {year}\"\ndeadline: {}-07-31\nlegal_bases: []\n---\nGiới thiệu.\n",
        year - 1
    )
}

fn plan(agency: &str, year: i32, category: &str, level: &str) -> String {
    format!(
        "---\nagency: {agency}\nyear: {year}\nstatus: submitted\nsubmitted: {}-07-20\n\
         contact: {{ name: \"A\", phone: \"1\" }}\nprojects:\n  - id: p1\n    name: \"Dự án\"\n\
         \x20   category: {category}\n    priority: 1\n    period: {{ from: {year}, to: {year} }}\n\
         \x20   lead: {agency}\n    cost: {{ total: 100, spent: 0, planned: 100 }}\n\
         \x20   levels: {level}\n    kinds: dau-tu\n    approval: \"QĐ 1\"\n---\n{BODY}",
        year - 1
    )
}

/// A site with a 2019 cycle on the site's catalog and a 2026 cycle with
/// its own, and agencies that come and go between them.
fn fixture(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("site");
    write(
        &root,
        "content/site.yaml",
        "title: T\nprovince: P\nbase_url: https://example.gov.vn/kh\nlanguage: vi\ntheme: default\nmoney_unit: trieu-dong\n",
    );
    write(&root, "content/agencies.yaml", AGENCIES);
    write(&root, "content/catalog.yaml", SITE_CATALOG);
    write(&root, "content/2019/_plan.md", &cycle_md(2019));
    write(&root, "content/2026/_plan.md", &cycle_md(2026));
    write(&root, "content/2026/catalog.yaml", CATALOG_2026);
    write(
        &root,
        "content/2019/ubnd-son-tinh.md",
        &plan("ubnd-son-tinh", 2019, "ha-tang", "huyen"),
    );
    write(
        &root,
        "content/2019/so-tttt.md",
        &plan("so-tttt", 2019, "ha-tang", "tinh"),
    );
    write(
        &root,
        "content/2026/xa-tinh-khe.md",
        &plan("xa-tinh-khe", 2026, "ha-tang-so", "xa"),
    );
    root
}

#[test]
fn each_cycle_checks_against_its_own_catalog_and_registry() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path());
    let (diags, code) = check(&root);
    assert_eq!(code, Some(0), "{diags:#?}");
    // 2019 accepts `huyen` (its plan passes); the expected list of each
    // cycle follows from/until.
    let w102: Vec<(String, String)> = with_code(&diags, "W102")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(w102.len(), 1, "{w102:?}");
    assert_eq!(w102[0].0, "content/2026/_plan.md");
    assert!(w102[0].1.contains("so-khcn"), "{w102:?}");

    // Cycle 2026 rejects `huyen`, and the hint lists the 2026 codes.
    write(
        &root,
        "content/2026/xa-tinh-khe.md",
        &plan("xa-tinh-khe", 2026, "ha-tang-so", "huyen"),
    );
    // A plan of the merged department in 2026 is E010 naming its successor.
    write(
        &root,
        "content/2026/so-tttt.md",
        &plan("so-tttt", 2026, "ha-tang-so", "tinh"),
    );
    // A district as a project's lead after it ended is E037.
    write(
        &root,
        "content/2026/so-khcn.md",
        &plan("so-khcn", 2026, "ha-tang-so", "tinh")
            .replace("lead: so-khcn", "lead: ubnd-son-tinh"),
    );
    let out = bin().args(["check", "--root"]).arg(&root).output().unwrap();
    let human = text(&out);
    let (diags, code) = check(&root);
    assert_eq!(code, Some(1));
    let e020 = with_code(&diags, "E020");
    assert_eq!(e020.len(), 1, "{diags:#?}");
    assert_eq!(e020[0]["file"], "content/2026/xa-tinh-khe.md");
    assert!(
        human.contains("tinh, xa") && !human.contains("tinh, huyen"),
        "the hint lists 2026's levels: {human}"
    );
    let e010 = with_code(&diags, "E010");
    assert_eq!(e010.len(), 1, "{diags:#?}");
    assert_eq!(e010[0]["file"], "content/2026/so-tttt.md");
    assert!(
        human.contains("`so-khcn`") && human.contains("Sở Khoa học và Công nghệ"),
        "{human}"
    );
    let e037 = with_code(&diags, "E037");
    assert_eq!(e037.len(), 1, "{diags:#?}");
    assert!(e037[0]["message"].as_str().unwrap().contains("2025"));
}

#[test]
fn an_unknown_successor_is_e070_with_e010() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path());
    write(
        &root,
        "content/agencies.yaml",
        &AGENCIES.replace("successor: so-khcn", "successor: so-khcm"),
    );
    let (diags, code) = check(&root);
    assert_eq!(code, Some(1));
    let e070 = with_code(&diags, "E070");
    assert!(
        e070.iter().any(|d| d["file"] == "content/agencies.yaml"
            && d["message"].as_str().unwrap().contains("[E010]")
            && d["message"].as_str().unwrap().contains("so-khcm")),
        "{diags:#?}"
    );
}

#[test]
fn pages_and_plan_json_show_the_names_of_the_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path());
    // A rename that kept the code: 2019 was before it.
    write(
        &root,
        "content/agencies.yaml",
        &AGENCIES.replace("until: 2018, name", "until: 2019, name"),
    );
    let out_dir = dir.path().join("out");
    let out = bin()
        .args(["build", "--root"])
        .arg(&root)
        .arg("--output")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let read = |rel: &str| std::fs::read_to_string(out_dir.join(rel)).unwrap();
    let cycle = read("2019/index.html");
    assert!(
        cycle.contains("Sở Bưu chính, Viễn thông"),
        "old name on the 2019 page"
    );
    assert!(!cycle.contains("Sở Thông tin và Truyền thông"));
    let plan = read("2019/so-tttt/index.html");
    assert!(plan.contains("Sở Bưu chính, Viễn thông"));
    let json: Value = serde_json::from_str(&read("2019/data/plan.json")).unwrap();
    let names: Vec<&str> = json["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Sở Bưu chính, Viễn thông"), "{names:?}");
    // Agencies of other years are not listed in 2019 at all.
    assert!(
        !names
            .iter()
            .any(|n| n.contains("Tịnh Khê") || n.contains("Khoa học"))
    );
    // The 2026 workbook's columns come from the 2026 catalog.
    let csv = read("2026/data/projects.csv");
    assert!(
        csv.contains("Ngân sách xã") && !csv.contains("Ngân sách huyện"),
        "{csv}"
    );
    // The merged department's page continues under its successor.
    let successor = read("agencies/so-khcn/index.html");
    assert!(
        successor.contains("2019/so-tttt/"),
        "predecessor's years joined"
    );
    let merged = read("agencies/so-tttt/index.html");
    assert!(
        merged.contains("agencies/so-khcn/"),
        "link to the successor"
    );
}

/// The demo without its later cycles: 2019 alone, as a province has it
/// when it starts its second year.
fn demo_2019(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("site");
    copy_dir(&repo().join("content"), &root.join("content"));
    for entry in std::fs::read_dir(root.join("content")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() && name != "2019" {
            std::fs::remove_dir_all(&p).unwrap();
        }
    }
    root
}

fn dec(v: &Value) -> rust_decimal::Decimal {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn new_cycle_then_prefilled_plans_pass_check_and_carry_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_2019(dir.path());
    let run = |args: &[&str]| {
        let out = bin().args(args).arg("--root").arg(&root).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    run(&["new", "cycle", "2020"]);
    let again = bin()
        .args(["new", "cycle", "2020", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1), "refuses to overwrite");
    let meta = std::fs::read_to_string(root.join("content/2020/_plan.md")).unwrap();
    assert!(meta.contains("year: 2020") && meta.contains("deadline: 2019-07-31"));
    assert!(
        meta.contains("XÁC NHẬN"),
        "moved dates are marked to confirm"
    );
    let agencies = std::fs::read_to_string(root.join("content/agencies.yaml")).unwrap();
    let codes: Vec<String> = agencies
        .lines()
        .filter_map(|l| l.strip_prefix("- code: "))
        .map(|c| c.trim().to_string())
        .collect();
    let mut written = 0;
    for code in &codes {
        let out = bin()
            .args(["new", "plan", code, "--year", "2020", "--root"])
            .arg(&root)
            .output()
            .unwrap();
        if out.status.success() {
            written += 1;
        } else {
            // Only agencies that do not exist in 2020 are refused.
            assert!(
                agencies.contains(&format!("code: {code}")) && text(&out).contains("2026"),
                "{code}: {}",
                text(&out)
            );
        }
    }
    assert!(written >= 17, "{written}");
    let (diags, code) = check(&root);
    let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(code, Some(0));

    // Field by field, through plan.json of a build with drafts.
    let out_dir = dir.path().join("out");
    let out = bin()
        .args(["build", "--drafts", "--root"])
        .arg(&root)
        .arg("--output")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let json = |y: i32| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(out_dir.join(format!("{y}/data/plan.json"))).unwrap(),
        )
        .unwrap()
    };
    let (before, after) = (json(2019), json(2020));
    let mut carried_projects = 0;
    for old in before["agencies"].as_array().unwrap() {
        if old["projects"].as_array().unwrap().is_empty()
            && old["indicators"].as_array().unwrap().is_empty()
        {
            continue;
        }
        let code = old["code"].as_str().unwrap();
        let new = after["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == code)
            .unwrap_or_else(|| panic!("{code} in 2020"));
        assert_eq!(new["status"], "draft", "{code}");
        // II.1: target ← the earlier goal.
        for iv in old["indicators"].as_array().unwrap() {
            let n = new["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == iv["id"])
                .unwrap_or_else(|| panic!("{code}: {}", iv["id"]));
            assert_eq!(n["target"], iv["goal"], "{code} {}", iv["id"]);
            assert!(n["actual"].is_null() && n["goal"].is_null());
        }
        // II.2: one row per earlier project with planned > 0.
        let planned: Vec<&Value> = old["projects"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| dec(&p["cost"]["planned"]) > rust_decimal::Decimal::ZERO)
            .collect();
        let rows = new["spending_items"].as_array().unwrap();
        assert_eq!(rows.len(), planned.len(), "{code}");
        for p in &planned {
            let row = rows
                .iter()
                .find(|r| r["task"] == p["name"])
                .unwrap_or_else(|| panic!("{code}: row of {}", p["id"]));
            assert_eq!(row["category"], p["category"]);
            assert_eq!(dec(&row["total"]), dec(&p["cost"]["planned"]));
            assert_eq!(row["levels"], p["levels"], "{code} {}", p["id"]);
            assert_eq!(row["kinds"], p["kinds"], "{code} {}", p["id"]);
            assert_eq!(
                row["basis"],
                p.get("approval").cloned().unwrap_or(Value::Null)
            );
            // A draft of the next year reports nothing yet.
            assert!(p.get("reported_next_year").is_none(), "{code} {}", p["id"]);
        }
        // Projects running into 2020: same id, spent ← spent + planned.
        for p in old["projects"].as_array().unwrap() {
            let to = p["period"]["to"].as_i64().unwrap();
            let found = new["projects"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == p["id"]);
            if to < 2020 {
                assert!(found.is_none(), "{code} {} ended", p["id"]);
                continue;
            }
            let n = found.unwrap_or_else(|| panic!("{code} {} carried", p["id"]));
            carried_projects += 1;
            assert_eq!(n["name"], p["name"]);
            assert_eq!(n["category"], p["category"]);
            assert_eq!(n["period"], p["period"]);
            assert_eq!(dec(&n["cost"]["total"]), dec(&p["cost"]["total"]));
            assert_eq!(
                dec(&n["cost"]["spent"]),
                dec(&p["cost"]["spent"]) + dec(&p["cost"]["planned"])
            );
            assert_eq!(dec(&n["cost"]["planned"]), rust_decimal::Decimal::ZERO);
            assert_eq!(n["levels"], serde_json::json!({}));
            assert_eq!(n["kinds"], serde_json::json!({}));
            assert_eq!(n["lead"], p["lead"]);
        }
    }
    assert!(carried_projects >= 5, "{carried_projects}");
    let so_tttt = std::fs::read_to_string(root.join("content/2020/so-tttt.md")).unwrap();
    assert!(
        so_tttt.contains("# Mang sang từ kế hoạch năm 2019"),
        "carried projects are marked"
    );

    // --blank opts out.
    std::fs::remove_file(root.join("content/2020/so-y-te.md")).unwrap();
    run(&["new", "plan", "so-y-te", "--year", "2020", "--blank"]);
    let blank = std::fs::read_to_string(root.join("content/2020/so-y-te.md")).unwrap();
    assert!(
        !blank.contains("benh-an-dien-tu"),
        "a blank plan carries nothing"
    );
}

#[test]
fn new_plan_for_a_merged_agency_names_its_successor() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path());
    let out = bin()
        .args(["new", "plan", "so-tttt", "--year", "2026", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("planpress new plan so-khcn --year 2026"));
    assert!(!root.join("content/2026/so-tttt.md").exists());
    // The successor's plan starts from its predecessor's, with what the
    // new catalog cannot take named in the note, and passes check.
    let out = bin()
        .args(["new", "plan", "so-khcn", "--year", "2026", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(root.join("content/2026/so-khcn.md")).unwrap();
    assert!(
        written.contains("content/2019/so-tttt.md")
            || text(&out).contains("content/2019/so-tttt.md")
    );
    assert!(written.contains("Không mang sang được"), "{written}");
    let (diags, _) = check(&root);
    assert!(
        !diags.iter().any(|d| d["severity"] == "error"),
        "{diags:#?}"
    );
}

#[test]
fn the_demo_shows_plan_against_reported_spending() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = bin()
        .args(["build", "--root"])
        .arg(repo())
        .arg("--output")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("2019/data/plan.json")).unwrap(),
    )
    .unwrap();
    let so_tttt = json["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "so-tttt")
        .unwrap();
    let soc = so_tttt["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "soc")
        .unwrap();
    // Planned 2400 for 2019; the 2020 plan reported 2150 spent on it.
    assert_eq!(soc["cost"]["planned"], "2400");
    assert_eq!(soc["reported_next_year"], "2150");
    let page = std::fs::read_to_string(out_dir.join("agencies/so-khcn/index.html")).unwrap();
    assert!(
        page.contains("2.150") && page.contains("2.400"),
        "both figures on the page"
    );
    // The 2026 pages use the 2026 catalog: pillars, `xa`.
    let cycle = std::fs::read_to_string(out_dir.join("2026/index.html")).unwrap();
    assert!(cycle.contains("Hạ tầng số") && cycle.contains("Ngân sách xã"));
    assert!(!cycle.contains("Ngân sách huyện"));
    assert!(cycle.contains("Thuế tỉnh Quảng Ngãi"));
    let y2019 = std::fs::read_to_string(out_dir.join("2019/index.html")).unwrap();
    assert!(y2019.contains("Ngân sách huyện") && y2019.contains("UBND huyện Sơn Tịnh"));
    assert!(y2019.contains("Cục Thuế tỉnh") && !y2019.contains("Thuế tỉnh Quảng Ngãi"));
}

#[test]
fn init_with_flags_names_no_other_province_and_warns_at_each_placeholder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("binh-dinh");
    let out = bin()
        .arg("init")
        .arg(&root)
        .args([
            "--province",
            "Bình Định",
            "--year",
            "2027",
            "--base-url",
            "https://stttt.binhdinh.gov.vn/ke-hoach/",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // Nothing of Quảng Ngãi anywhere in what was written.
    for (rel, bytes) in site::files(&root) {
        let t = String::from_utf8_lossy(&bytes);
        for other in [
            "Quảng Ngãi",
            "quang-ngai",
            "916/QĐ-UBND",
            "790/STTTT",
            "Sơn Tịnh",
        ] {
            assert!(!t.contains(other), "{rel} names {other}");
        }
    }
    let site_yaml = std::fs::read_to_string(root.join("content/site.yaml")).unwrap();
    assert!(site_yaml.contains("province: \"Bình Định\""));
    assert!(site_yaml.contains("base_url: https://stttt.binhdinh.gov.vn/ke-hoach "));
    let meta = std::fs::read_to_string(root.join("content/2027/_plan.md")).unwrap();
    // Section I starts with the letter's national laws.
    assert!(meta.contains("legal_bases:") && meta.contains("  - \"Luật Công nghệ thông tin"));
    let (diags, code) = check(&root);
    assert_eq!(code, Some(0), "warnings only: {diags:#?}");
    let w108 = with_code(&diags, "W108");
    // One warning on each placeholder line, where it is.
    let lines: Vec<u64> = meta
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("«ĐIỀN:"))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    assert!(lines.len() >= 4, "{meta}");
    let mut warned: Vec<u64> = w108
        .iter()
        .filter(|d| d["file"] == "content/2027/_plan.md")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    warned.sort_unstable();
    assert_eq!(warned, lines);
    assert!(
        w108.iter()
            .all(|d| d["message"].as_str().unwrap().contains("«ĐIỀN:"))
    );
    assert!(
        !w108.iter().any(|d| d["file"] == "content/site.yaml"),
        "province and URL were given"
    );
    // Filling a placeholder silences its warning.
    let filled = meta.replacen(
        "«ĐIỀN: quy định của UBND tỉnh về ứng dụng công nghệ thông tin trong cơ quan nhà nước (số, ngày, trích yếu)»",
        "Quyết định số 01/2020/QĐ-UBND của UBND tỉnh",
        1,
    );
    assert_ne!(filled, meta);
    std::fs::write(root.join("content/2027/_plan.md"), filled).unwrap();
    let (after, _) = check(&root);
    assert_eq!(with_code(&after, "W108").len(), w108.len() - 1);
}
