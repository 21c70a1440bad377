//! `planpress init` and `planpress new plan`: what they write passes
//! `check`; the CI files and the pre-commit hook they bring work.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::path::Path;
use std::process::{Command, Output};

use site::{bin, read, repo};

fn init(dir: &Path, extra: &[&str]) -> Output {
    bin().arg("init").arg(dir).args(extra).output().unwrap()
}

fn new_plan(root: &Path, args: &[&str]) -> Output {
    bin()
        .args(["new", "plan"])
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

/// `check --format json`: (code, file) of every diagnostic, and the exit code.
fn check(root: &Path) -> (Vec<(String, String)>, Option<i32>) {
    let out = bin()
        .args(["check", "--format", "json", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (diags, out.status.code())
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn init_makes_a_site_that_passes_check() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("ke-hoach");
    let text = ok(&init(&site, &["--year", "2019"]));
    assert!(
        text.contains("Kiểm tra: 0 lỗi, 20 cảnh báo (W102, W108)."),
        "{text}"
    );
    let (diags, code) = check(&site);
    assert_eq!(code, Some(0));
    // Only W102, the agencies that have no plan yet, and W108, the
    // province's details to fill in (no province was given).
    let count = |code: &str| diags.iter().filter(|(c, _)| c == code).count();
    assert!(
        diags
            .iter()
            .all(|(c, f)| (c == "W102" && f == "content/2019/_plan.md") || c == "W108"),
        "{diags:?}"
    );
    assert_eq!((count("W102"), count("W108")), (11, 9), "{diags:?}");
    // The seed's catalog: nine indicators, with their providers.
    let catalog = read(&site.join("content/catalog.yaml"));
    assert_eq!(catalog.matches("\n  - id: ").count(), 9);
    for p in ["provider: cuc-thue", "provider: so-khdt", "provider: bhxh"] {
        assert!(catalog.contains(p), "{p}");
    }
    let cycle = read(&site.join("content/2019/_plan.md"));
    assert!(
        cycle.contains("# guidance:"),
        "no province's letter is assumed"
    );
    assert!(cycle.contains("deadline: 2018-07-31"));
    assert_eq!(
        cycle.matches("\n  - \"").count(),
        9,
        "the seed's 5 national legal bases and 4 placeholders for the province's"
    );
    // The CI files are those of ci-templates/.
    for (written, template) in [
        (
            ".github/workflows/planpress.yml",
            "ci-templates/github-workflow.yml",
        ),
        (".gitlab-ci.yml", "ci-templates/gitlab-ci.yml"),
        ("scripts/pre-commit", "ci-templates/pre-commit"),
    ] {
        assert_eq!(read(&site.join(written)), read(&repo().join(template)));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(site.join("scripts/pre-commit"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "the hook is executable");
    }
    // It builds, too.
    ok(&bin()
        .arg("build")
        .arg("--root")
        .arg(&site)
        .output()
        .unwrap());
    assert!(site.join("output/2019/index.html").is_file());
}

#[test]
fn init_in_english_with_another_province_and_year() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let text = ok(&init(
        &site,
        &[
            "--year",
            "2021",
            "--province",
            "Bình \"Định\"",
            "--language",
            "en",
        ],
    ));
    assert!(text.contains("Created a new site"), "{text}");
    let (diags, code) = check(&site);
    assert_eq!(code, Some(0), "{diags:?}");
    let yaml = read(&site.join("content/site.yaml"));
    assert!(yaml.contains("province: \"Bình \\\"Định\\\"\""));
    assert!(yaml.contains("language: en"));
    let cycle = read(&site.join("content/2021/_plan.md"));
    assert!(cycle.contains("deadline: 2020-07-31"));
    assert!(
        cycle.contains("# guidance:"),
        "no guidance letter is known for 2021"
    );
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
    let out = init(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("không trống")
    );
    assert!(!tmp.path().join("content").exists());
    // An empty folder is fine.
    let empty = tempfile::tempdir().unwrap();
    ok(&init(empty.path(), &["--year", "2019"]));
}

fn fresh_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    ok(&init(tmp.path(), &["--year", "2019"]));
    tmp
}

#[test]
fn a_new_plan_passes_check_with_only_the_contact_warning() {
    let site = fresh_site();
    let root = site.path();
    let text = ok(&new_plan(root, &["so-tttt"]));
    assert!(text.contains("Đã tạo content/2019/so-tttt.md"), "{text}");
    assert!(
        text.contains("Kiểm tra: 0 lỗi, 1 cảnh báo (W105)."),
        "{text}"
    );
    let (diags, code) = check(root);
    assert_eq!(code, Some(0));
    let mine: Vec<&String> = diags
        .iter()
        .filter(|(_, f)| f == "content/2019/so-tttt.md")
        .map(|(c, _)| c)
        .collect();
    assert_eq!(mine, ["W105"]);
    // so-tttt no longer misses a plan.
    assert_eq!(diags.iter().filter(|(c, _)| c == "W102").count(), 10);
    let plan = read(&root.join("content/2019/so-tttt.md"));
    assert!(plan.contains("status: draft"));
    for section in [
        "## II.3. Đánh giá chung",
        "## III. Mục tiêu",
        "## IV. Định hướng",
        "## V. Giải pháp",
        "## VII. Tổ chức thực hiện",
    ] {
        assert!(plan.contains(section), "{section}");
    }
    // The indicators it may report, not those of the tax department.
    assert!(plan.contains("  - id: tthc-truc-tuyen\n"));
    assert!(!plan.contains("  - id: thue-khai-qua-mang\n"));
    // Every field of the contract is there, written or in a commented example.
    for field in [
        "agency:",
        "year:",
        "status:",
        "submitted:",
        "contact:",
        "legal_bases:",
        "indicators:",
        "target:",
        "actual:",
        "goal:",
        "value:",
        "note:",
        "spending:",
        "category:",
        "task:",
        "total:",
        "levels:",
        "kinds:",
        "basis:",
        "projects:",
        "id:",
        "name:",
        "priority:",
        "objective:",
        "period:",
        "lead:",
        "partners:",
        "done:",
        "todo:",
        "cost:",
        "investor:",
        "approval:",
        "necessity:",
        "standards:",
        "location:",
    ] {
        assert!(plan.contains(field), "{field}");
    }
}

/// Removes the `# ` that comments out the example rows, as an editor does.
fn uncomment_examples(plan: &str) -> String {
    plan.lines()
        .map(|l| {
            let trimmed = l.trim_start();
            let indent = l.len() - trimmed.len();
            let body = trimmed.strip_prefix("# ");
            match body {
                Some(b) if indent == 2 && (b.starts_with("- ") || b.starts_with("  ")) => {
                    format!("  {b}")
                }
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn the_commented_examples_are_valid_once_uncommented() {
    let site = fresh_site();
    let root = site.path();
    ok(&new_plan(root, &["so-tttt"]));
    let p = root.join("content/2019/so-tttt.md");
    let plan = uncomment_examples(&read(&p))
        .replace("status: draft ", "status: submitted ")
        .replace("submitted:      ", "submitted: 2018-07-25")
        .replace(
            "  name:                     # Họ và tên",
            "  name: \"Bùi Thị Phương Dung\"",
        );
    std::fs::write(&p, &plan).unwrap();
    assert!(plan.contains("\n  - category: ha-tang"), "{plan}");
    assert!(plan.contains("\n  - id: mot-cua-dien-tu"));
    let (diags, code) = check(root);
    // The body still holds only the scaffold's guidance: in a submitted
    // plan that is W107, once per section. The front matter's examples
    // must give nothing.
    let (blank, mine): (Vec<_>, Vec<_>) = diags
        .iter()
        .filter(|(_, f)| f == "content/2019/so-tttt.md")
        .partition(|(c, _)| c == "W107");
    assert_eq!(code, Some(0), "{mine:?}");
    assert!(mine.is_empty(), "{mine:?}");
    assert_eq!(blank.len(), 5, "{blank:?}");
    // The example is on the built page.
    ok(&bin().arg("build").arg("--root").arg(root).output().unwrap());
    let page = read(&root.join("output/2019/so-tttt/index.html"));
    assert!(page.contains("Nâng cấp Hệ thống thông tin một cửa điện tử"));
    // The guidance in HTML comments is not.
    assert!(!page.contains("Phạm vi, mức độ phát triển"));
}

#[test]
fn new_plan_refuses_what_it_cannot_do() {
    let site = fresh_site();
    let root = site.path();
    // A near miss gets a suggestion.
    let out = new_plan(root, &["so-ttt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Không có cơ quan mã `so-ttt`")
            && err.contains("Có phải ý bạn là `so-tttt` (Sở Thông tin và Truyền thông)?"),
        "{err}"
    );
    // An existing file is never overwritten.
    ok(&new_plan(root, &["so-tttt"]));
    let p = root.join("content/2019/so-tttt.md");
    std::fs::write(&p, "edited").unwrap();
    let out = new_plan(root, &["so-tttt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("không ghi đè")
    );
    assert_eq!(read(&p), "edited");
    // A cycle that does not exist.
    let out = new_plan(root, &["bhxh", "--year", "2031"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("Chưa có kỳ kế hoạch 2031")
    );
    // Not a site at all.
    let out = new_plan(&root.join("nowhere"), &["bhxh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn new_plan_defaults_to_the_newest_cycle() {
    let site = fresh_site();
    let root = site.path();
    let cycle = read(&root.join("content/2019/_plan.md"))
        .replace("year: 2019", "year: 2020")
        .replace("deadline: 2018-07-31", "deadline: 2019-07-31");
    std::fs::create_dir_all(root.join("content/2020")).unwrap();
    std::fs::write(root.join("content/2020/_plan.md"), cycle).unwrap();
    let text = ok(&new_plan(root, &["cuc-thue"]));
    assert!(text.contains("content/2020/cuc-thue.md"), "{text}");
    let plan = read(&root.join("content/2020/cuc-thue.md"));
    assert!(plan.contains("year: 2020"));
    assert!(
        plan.contains("  - id: thue-khai-qua-mang\n"),
        "the tax department reports its indicators"
    );
    ok(&new_plan(root, &["cuc-thue", "--year", "2019"]));
    let (diags, code) = check(root);
    assert_eq!(code, Some(0), "{diags:?}");
}

// ---- the pre-commit hook -------------------------------------------------------

fn git(dir: &Path, args: &[&str]) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_planpress")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PATH", path)
        .args([
            "-c",
            "user.name=Bùi Thị Phương Dung",
            "-c",
            "user.email=d@example.gov.vn",
        ])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_pre_commit_hook_checks_what_is_staged() {
    let site = fresh_site();
    let root = site.path();
    assert!(
        git(root, &["-c", "init.defaultBranch=main", "init", "-q"])
            .status
            .success()
    );
    assert!(
        git(root, &["config", "core.hooksPath", "scripts"])
            .status
            .success()
    );
    assert!(git(root, &["add", "-A"]).status.success());
    let first = git(root, &["commit", "-q", "-m", "Khởi tạo"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );

    // A broken plan is refused.
    ok(&new_plan(root, &["so-tttt"]));
    let p = root.join("content/2019/so-tttt.md");
    let good = read(&p);
    std::fs::write(&p, good.replace("status: draft", "status: sent")).unwrap();
    assert!(git(root, &["add", "-A"]).status.success());
    let out = git(root, &["commit", "-q", "-m", "Kế hoạch Sở TT&TT"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E005") && err.contains("content/2019/so-tttt.md"),
        "{err}"
    );
    assert!(err.contains("pre-commit: kế hoạch còn lỗi"), "{err}");

    // A fix left unstaged does not let it through: the staged file is checked.
    std::fs::write(&p, &good).unwrap();
    assert!(
        !git(root, &["commit", "-q", "-m", "Kế hoạch Sở TT&TT"])
            .status
            .success()
    );

    // Staged, it goes.
    assert!(git(root, &["add", "-A"]).status.success());
    let out = git(root, &["commit", "-q", "-m", "Kế hoạch Sở TT&TT"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Commits that touch no content are not checked at all.
    std::fs::write(root.join("NOTES.md"), "ghi chú").unwrap();
    assert!(git(root, &["add", "-A"]).status.success());
    assert!(
        git(root, &["commit", "-q", "-m", "Ghi chú"])
            .status
            .success()
    );
}
