//! What a hostile agency editor (or a slip of the province's staff) must
//! not be able to make planpress do, run on the real binary and real files:
//! theme links out of the site, CSV formulas, slow or hanging bodies,
//! outside images, faked page ids and classes, giant cells and amounts,
//! builds over folders that are not outputs, unusable publish targets.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use site::{copy_dir, edit, planpress, read, repo, stderr, text};

/// A copy of the demo site in a fresh temp folder (`<tmp>/site`).
fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&repo().join("content"), &site.join("content"));
    (dir, site)
}

fn run(args: &[&str], root: &Path) -> Output {
    let mut all = args.to_vec();
    all.extend(["--root", root.to_str().unwrap()]);
    planpress(&all, &[])
}

/// Runs `planpress <args>` under coreutils' `timeout`, killed if it has
/// not finished within `limit`: a guard against a hang, not a measure of
/// speed (the old code took minutes here, the fixed one a second or two
/// even unoptimised).
fn run_or_hang(args: &[&str], root: &Path, limit: Duration) -> Output {
    let o = Command::new("timeout")
        .args(["-s", "KILL", &limit.as_secs().to_string()])
        .arg(env!("CARGO_BIN_EXE_planpress"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    assert!(
        o.status.code().is_some() && o.status.code() != Some(137),
        "planpress {args:?} still running after {limit:?}: it hangs"
    );
    o
}

/// Puts `text` at the end of the body of `content/2019/<stem>.md`.
fn append_body(site: &Path, stem: &str, text: &str) {
    let p = site.join(format!("content/2019/{stem}.md"));
    let mut body = read(&p);
    body.push_str("\n\n");
    body.push_str(text);
    body.push('\n');
    std::fs::write(p, body).unwrap();
}

/// Line (1-based) of the first line of `content/2019/<stem>.md` holding
/// `needle`.
fn line_of(site: &Path, stem: &str, needle: &str) -> usize {
    read(&site.join(format!("content/2019/{stem}.md")))
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

fn json_diags(o: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

#[test]
fn theme_links_out_of_the_site_are_e001_and_nothing_is_copied() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret");
    std::fs::create_dir_all(secret.join("static")).unwrap();
    std::fs::create_dir_all(secret.join("templates")).unwrap();
    std::fs::write(secret.join("static/id_rsa"), "PRIVATE KEY").unwrap();
    std::fs::write(secret.join("id_rsa"), "PRIVATE KEY").unwrap();
    std::fs::write(secret.join("strings.json"), "{}").unwrap();
    // (what links, where to) for each way a theme reaches out.
    let cases: [(&str, std::path::PathBuf); 5] = [
        ("themes/default/static", secret.join("static")),
        ("themes/default", secret.clone()),
        ("themes/default/templates", secret.join("templates")),
        ("themes/default/strings.json", secret.join("strings.json")),
        ("themes/default/static/id_rsa", secret.join("id_rsa")),
    ];
    for (link, to) in cases {
        let (_tmp, site) = demo();
        let at = site.join(link);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&to, &at).unwrap();
        let o = run(&["build"], &site);
        assert_eq!(o.status.code(), Some(1), "{link}: {}", text(&o));
        let err = stderr(&o);
        assert!(err.contains("E001") && err.contains(link), "{link}: {err}");
        assert!(!err.contains("PRIVATE KEY"), "{link}: quoted: {err}");
        assert!(!site.join("output").exists(), "{link}: output written");
        let o = run(&["check", "--format", "json"], &site);
        assert_eq!(o.status.code(), Some(1), "{link}: {}", text(&o));
        assert!(
            json_diags(&o)
                .iter()
                .any(|d| d["code"] == "E001" && d["file"] == link),
            "{link}: {}",
            text(&o)
        );
    }
    // A link that stays inside the site is followed as before.
    let (_tmp, site) = demo();
    std::fs::create_dir_all(site.join("assets")).unwrap();
    std::fs::write(site.join("assets/logo.svg"), "<svg/>").unwrap();
    std::fs::create_dir_all(site.join("themes/default/static")).unwrap();
    std::os::unix::fs::symlink(
        site.join("assets/logo.svg"),
        site.join("themes/default/static/logo.svg"),
    )
    .unwrap();
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(read(&site.join("output/static/logo.svg")), "<svg/>");
}

#[test]
fn csv_text_cells_cannot_start_a_formula() {
    let (_tmp, site) = demo();
    // `=HYPERLINK("http://evil.example")`, escaped for a YAML "…" string.
    let formula = "=HYPERLINK(\\\"http://evil.example\\\")";
    edit(
        &site,
        "content/2019/so-tttt.md",
        "name: \"Xây dựng Nền tảng tích hợp",
        &format!("name: \"{formula} Xây dựng Nền tảng tích hợp"),
    );
    edit(
        &site,
        "content/2019/so-tttt.md",
        "task: \"Vận hành, duy trì",
        "task: \"@SUM(1+1) Vận hành, duy trì",
    );
    edit(
        &site,
        "content/agencies.yaml",
        "name: Sở Thông tin và Truyền thông",
        "name: \"+cmd|' /C calc'!A0\"",
    );
    edit(
        &site,
        "content/2019/so-tttt.md",
        "note: \"Các thủ tục lĩnh vực",
        "note: \"-2+3 Các thủ tục lĩnh vực",
    );
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", text(&o));
    let data = site.join("output/2019/data");
    let mut seen = 0;
    for name in ["projects.csv", "spending.csv", "indicators.csv"] {
        let bytes = std::fs::read(data.join(name)).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[3..]);
        for rec in r.records() {
            for field in rec.unwrap().iter() {
                let risky = field.starts_with(['=', '+', '@', '\t', '\r'])
                    || (field.starts_with('-') && field.parse::<f64>().is_err());
                assert!(!risky, "{name}: {field:?} would run in a spreadsheet");
                if field.starts_with("'=HYPERLINK")
                    || field.starts_with("'@SUM")
                    || field.starts_with("'+cmd")
                    || field.starts_with("'-2+3")
                {
                    seen += 1;
                }
            }
        }
    }
    // The formula itself is kept (behind the quote), in every file it is in.
    assert!(seen >= 4, "neutralised cells found: {seen}");
}

#[test]
fn a_hundred_thousand_equal_headings_build_and_get_unique_ids() {
    let (_tmp, site) = demo();
    append_body(&site, "so-tttt", &"### a\n\n".repeat(100_000));
    let o = run_or_hang(&["build"], &site, Duration::from_secs(120));
    assert!(o.status.success(), "{}", text(&o));
    let page = read(&site.join("output/2019/so-tttt/index.html"));
    assert!(page.contains("<h3 id=\"a\">"), "first id");
    assert!(page.contains("<h3 id=\"a-100000\">"), "last id");
    assert!(!page.contains("id=\"a-100001\""), "one id per heading");
}

#[test]
fn deep_nesting_is_e005_on_its_line_at_check() {
    for (what, deep) in [
        ("quotes", ">".repeat(100 * 1024)),
        ("divs", "<div>".repeat(20 * 1024)),
    ] {
        let (_tmp, site) = demo();
        append_body(&site, "so-tttt", &format!("Đoạn cuối.\n\n{deep}x"));
        let line = line_of(&site, "so-tttt", &deep[..50]);
        let o = run_or_hang(
            &["check", "--format", "json"],
            &site,
            Duration::from_secs(60),
        );
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o));
        let diags = json_diags(&o);
        let found = diags
            .iter()
            .find(|d| d["code"] == "E005")
            .unwrap_or_else(|| panic!("{what}: no E005 in {diags:?}"));
        assert_eq!(found["file"], "content/2019/so-tttt.md", "{what}");
        assert_eq!(found["line"], line, "{what}");
        assert!(
            found["message"].as_str().unwrap().contains("lồng nhau"),
            "{what}: {found}"
        );
        let o = run_or_hang(&["build"], &site, Duration::from_secs(60));
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o));
    }
}

#[test]
fn pages_load_no_picture_from_another_site() {
    let (_tmp, site) = demo();
    append_body(
        &site,
        "so-tttt",
        "![Sơ đồ](https://elsewhere.example/a.png) ![b](//elsewhere.example/b.png)\n\n\
         <img src=\"https://elsewhere.example/c.png\" alt=\"c\"> <img src=\"/\\elsewhere.example/d.png\">\n\n\
         <img src=\" //elsewhere.example/e.png\"> <img src=\"data:image/png;base64,AAAA\">\n\n\
         ![local](../../static/og.png)",
    );
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", text(&o));
    let page = read(&site.join("output/2019/so-tttt/index.html"));
    assert!(!page.contains("elsewhere.example/a.png\" alt"), "{page}");
    for bad in [
        "src=\"https:",
        "src=\"//",
        "src=\"/\\",
        "src=\" //",
        "src=\"data:",
    ] {
        assert!(!page.contains(bad), "{bad} survived");
    }
    // A Markdown picture from elsewhere becomes a link to it.
    assert!(
        page.contains("href=\"https://elsewhere.example/a.png\"") && page.contains(">Sơ đồ</a>"),
        "no link"
    );
    assert!(page.contains("src=\"../../static/og.png\""), "local image");
    // And the theme says so to the browser.
    assert!(page.contains("http-equiv=\"Content-Security-Policy\""));
    assert!(page.contains("default-src 'self'") && page.contains("img-src 'self'"));
}

#[test]
fn raw_html_cannot_take_the_pages_ids_or_classes() {
    let (_tmp, site) = demo();
    append_body(
        &site,
        "so-tttt",
        "<div class=\"draft-banner\" id=\"noi-dung\">BẢN NHÁP GIẢ</div>\n\n\
         <a id=\"top\" class=\"skip\" href=\"#noi-dung\">x</a> <sup id=\"tim-kiem\" class=\"x\">1</sup>\n\n\
         Chú thích[^1].\n\n[^1]: Nguồn số liệu.",
    );
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", text(&o));
    let page = read(&site.join("output/2019/so-tttt/index.html"));
    for id in ["noi-dung", "top", "tim-kiem"] {
        let n = page.matches(&format!("id=\"{id}\"")).count();
        assert!(n <= 1, "id {id} {n} times: the body took the page's own");
        assert!(page.contains(&format!("id=\"u-{id}\"")), "u-{id}");
    }
    assert!(
        !page.contains("class=\"draft-banner\""),
        "fake draft banner"
    );
    assert!(
        !page.contains("class=\"skip\" href=\"#noi-dung\">x"),
        "fake skip"
    );
    assert!(!page.contains("class=\"x\""));
    // Footnotes still work, under their own prefix.
    assert!(page.contains("href=\"#fn-1\""), "footnote link");
    assert!(page.contains("id=\"fn-1\""), "footnote target");
    assert!(page.contains("class=\"footnote-definition\""));
}

#[test]
fn a_field_over_excels_cell_limit_does_not_break_the_workbook() {
    use calamine::{Reader, Xlsx};
    let (_tmp, site) = demo();
    let long = "Dài ".repeat(10_000); // 40,000 characters
    edit(
        &site,
        "content/2019/so-tttt.md",
        "name: \"Xây dựng Nền tảng tích hợp",
        &format!("name: \"{long}Xây dựng Nền tảng tích hợp"),
    );
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", text(&o));
    let mut wb: Xlsx<_> =
        calamine::open_workbook(site.join("output/2019/data/ke-hoach-2019.xlsx")).unwrap();
    let sheets = wb.sheet_names().clone();
    let mut longest = 0;
    for s in sheets {
        let range = wb.worksheet_range(&s).unwrap();
        for cell in range.used_cells() {
            if let calamine::Data::String(t) = cell.2 {
                longest = longest.max(t.chars().count());
            }
        }
    }
    assert_eq!(longest, 32_767, "the long name, cut to the limit");
    // The CSV keeps it whole.
    assert!(read(&site.join("output/2019/data/projects.csv")).contains(&long));
}

#[test]
fn amounts_beyond_ten_to_the_fifteenth_are_e005() {
    for amount in ["79228162514264337593543950335", "1000000000000001"] {
        let (_tmp, site) = demo();
        edit(
            &site,
            "content/2019/so-tttt.md",
            "cost: { total: 6500, spent: 0, planned: 3000 }\n    levels: { trung-uong: 1500, tinh: 1500 }\n    kinds: { dau-tu: 3000 }",
            &format!(
                "cost: {{ total: {amount}, spent: 0, planned: {amount} }}\n    levels: {{ tinh: {amount} }}\n    kinds: {{ dau-tu: {amount} }}"
            ),
        );
        let line = line_of(&site, "so-tttt", &format!("total: {amount}"));
        let o = run(&["check", "--format", "json"], &site);
        assert_eq!(o.status.code(), Some(1), "{amount}: {}", text(&o));
        let e005: Vec<_> = json_diags(&o)
            .into_iter()
            .filter(|d| d["code"] == "E005" && d["line"] == line)
            .collect();
        assert!(e005.len() >= 2, "{amount}: {}", text(&o));
        assert!(
            e005[0]["message"].as_str().unwrap().contains("10^15"),
            "{e005:?}"
        );
        let o = run(&["build"], &site);
        assert_eq!(o.status.code(), Some(1), "{amount}: {}", text(&o));
    }
    // 10^15 itself is still an amount.
    let (_tmp, site) = demo();
    edit(
        &site,
        "content/2019/so-tttt.md",
        "total: 1250\n",
        "total: 1000000000000000\n",
    );
    let o = run(&["check", "--format", "json"], &site);
    assert!(
        !json_diags(&o)
            .iter()
            .any(|d| d["code"] == "E005" && d["file"] == "content/2019/so-tttt.md"),
        "{}",
        text(&o)
    );
}

#[test]
fn build_never_replaces_the_site_or_a_folder_it_did_not_write() {
    let (tmp, site) = demo();
    let snapshot = |p: &Path| site::files(p);
    let plans = snapshot(&site.join("content"));
    std::fs::create_dir_all(site.join("themes/default/templates")).unwrap();
    for (out, label) in [
        (site.join("content"), "content"),
        (site.join("content/2019"), "content/2019"),
        (site.join("themes"), "themes"),
        (site.clone(), "root"),
        (tmp.path().to_path_buf(), "parent"),
        (site.join("content/.."), "root, spelled another way"),
    ] {
        for force in [false, true] {
            let mut args = vec!["build", "--output", out.to_str().unwrap()];
            if force {
                args.push("--force");
            }
            let o = run(&args, &site);
            assert_eq!(o.status.code(), Some(2), "{label} {force}: {}", text(&o));
            assert!(stderr(&o).contains("--force"), "{label}: {}", text(&o));
            assert_eq!(snapshot(&site.join("content")), plans, "{label} {force}");
        }
    }
    // A folder of other files: refused, untouched; replaced with --force.
    let other = tmp.path().join("tai-lieu");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("bao-cao.docx"), "quan trọng").unwrap();
    let o = run(&["build", "--output", other.to_str().unwrap()], &site);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("--force"), "{}", text(&o));
    assert_eq!(read(&other.join("bao-cao.docx")), "quan trọng");
    let o = run(
        &["build", "--output", other.to_str().unwrap(), "--force"],
        &site,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!other.join("bao-cao.docx").exists());
    assert!(other.join(".planpress-output").is_file());
    // An earlier output, new or empty folders: built into as before.
    for out in [other.clone(), tmp.path().join("moi"), site.join("output")] {
        let o = run(&["build", "--output", out.to_str().unwrap()], &site);
        assert!(o.status.success(), "{}: {}", out.display(), text(&o));
        let o = run(&["build", "--output", out.to_str().unwrap()], &site);
        assert!(o.status.success(), "{}: {}", out.display(), text(&o));
    }
    let empty = tmp.path().join("trong");
    std::fs::create_dir_all(&empty).unwrap();
    let o = run(&["build", "--output", empty.to_str().unwrap()], &site);
    assert!(o.status.success(), "{}", text(&o));
    // A file in the way: refused, kept.
    let file = tmp.path().join("tep.txt");
    std::fs::write(&file, "x").unwrap();
    let o = run(&["build", "--output", file.to_str().unwrap()], &site);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(read(&file), "x");
}

#[test]
fn dir_targets_of_root_empty_or_a_file_are_refused_before_anything_is_made() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("la-tep");
    std::fs::write(&file, "x").unwrap();
    let cases = [
        ("\"/\"", "`/`"),
        ("\"\"", "trống"),
        ("\".\"", "thư mục site"),
        (&format!("\"{}\"", file.display()), "là một tệp"),
        (&format!("\"{}/con\"", file.display()), "là một tệp"),
    ];
    for (path, says) in cases {
        let site = site::demo_site(
            tmp.path(),
            "vi",
            &format!("  local: {{ kind: dir, path: {path}, keep: 3 }}\n"),
        );
        let before = site::files(&site);
        for cmd in [
            &["publish"][..],
            &["publish", "--dry-run"],
            &["releases"],
            &["rollback"],
        ] {
            let o = run(cmd, &site);
            assert_eq!(o.status.code(), Some(1), "{path} {cmd:?}: {}", text(&o));
            assert!(stderr(&o).contains(says), "{path} {cmd:?}: {}", text(&o));
        }
        assert_eq!(site::files(&site), before, "{path}: something was made");
        assert_eq!(read(&file), "x");
        assert!(!Path::new("/releases").exists() && !Path::new("/current").exists());
        std::fs::remove_dir_all(&site).unwrap();
    }
}

/// An ssh target's `path` that would put releases at the server's root, in
/// a home folder or outside the folder it names: `check` says so at its
/// line, and `publish`, `releases` and `rollback` stop before ssh is even
/// started (a stand-in ssh command records any call).
#[test]
fn ssh_targets_of_root_home_dotdot_or_relative_paths_are_refused_before_connecting() {
    let tmp = tempfile::tempdir().unwrap();
    let calls = tmp.path().join("ssh-calls");
    let fake_ssh = tmp.path().join("fake-ssh");
    std::fs::write(
        &fake_ssh,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexit 255\n",
            calls.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&fake_ssh, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let cases = [
        ("\"/\"", "thư mục gốc `/`"),
        ("\"/home/deploy\"", "thư mục nhà của tài khoản `deploy`"),
        ("/root", "ngay dưới gốc"),
        ("\"/srv/ke-hoach/../..\"", "`..`"),
        ("ke-hoach-cntt", "không phải đường dẫn tuyệt đối"),
        ("\"~/ke-hoach\"", "không phải đường dẫn tuyệt đối"),
        ("/etc/nginx", "thư mục của hệ thống"),
    ];
    for (path, says) in cases {
        let site = site::demo_site(
            tmp.path(),
            "vi",
            &format!(
                "  portal: {{ kind: ssh, host: 127.0.0.1, port: 2, user: deploy, path: {path}, keep: 3 }}\n"
            ),
        );
        // `check` reads site.yaml: an error at the path, with the fix.
        let o = run(&["check"], &site);
        assert_eq!(o.status.code(), Some(1), "{path}: {}", text(&o));
        let err = text(&o);
        assert!(
            err.contains("site.yaml:8:") && err.contains("E005") && err.contains(says),
            "{path}: {err}"
        );
        assert!(err.contains("/srv/ke-hoach-cntt"), "{path}: {err}");
        for cmd in [&["publish"][..], &["releases"], &["rollback"]] {
            let mut all = cmd.to_vec();
            all.extend(["--root", site.to_str().unwrap()]);
            let o = planpress(&all, &[("PLANPRESS_SSH", fake_ssh.to_str().unwrap())]);
            assert_eq!(o.status.code(), Some(1), "{path} {cmd:?}: {}", text(&o));
            assert!(text(&o).contains(says), "{path} {cmd:?}: {}", text(&o));
        }
        assert!(!calls.exists(), "{path}: ssh was started: {}", read(&calls));
        std::fs::remove_dir_all(&site).unwrap();
    }
}
