//! What a clerk typed → what they read: the real binary's `check` on the
//! minimal valid site with one slip made, in Vietnamese and in English.
//!
//! Each case asserts the code, line and column of the diagnostic and the key
//! words of its message and hint. A case whose hint proposes a value is then
//! fixed by writing exactly that value where the slip was, and the
//! diagnostic must be gone: a hint that leads into a second mistake fails.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use site::copy_dir;

const BIN: &str = env!("CARGO_BIN_EXE_planpress");
const PLAN: &str = "content/2019/so-tttt.md";

/// Replaces the only occurrence of `from` in `text`.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line as u64, col as u64)
}

/// The valid site in a temporary folder, in `lang`, with one more agency
/// (named as clerks write it) that is not expected to file a plan.
fn site(lang: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/valid"),
        dir.path(),
    );
    let site_yaml = dir.path().join("content/site.yaml");
    let text = fs::read_to_string(&site_yaml).unwrap();
    fs::write(
        &site_yaml,
        replace_once(&text, "language: vi", &format!("language: {lang}")),
    )
    .unwrap();
    let agencies = dir.path().join("content/agencies.yaml");
    let mut text = fs::read_to_string(&agencies).unwrap();
    text.push_str(
        "- code: ubnd-an-lao\n  name: UBND huyện An Lão\n  group: huyen\n  expected: false\n",
    );
    fs::write(&agencies, text).unwrap();
    dir
}

/// `check --format json`: (code, line, column, message) of each diagnostic.
fn check(root: &Path) -> Vec<(String, u64, u64, String)> {
    let out = Command::new(BIN)
        .args(["check", "--format", "json", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The value a hint proposes: the last `…` of the message.
fn proposed(message: &str) -> Option<&str> {
    let end = message.rfind('`')?;
    let start = message[..end].rfind('`')?;
    Some(&message[start + 1..end])
}

/// What the test does with the hint once the diagnostic is found.
enum Fix {
    /// Write the value the hint proposes in place of this part of `typed`.
    Proposed(&'static str),
    /// Write this text in place of this part of `typed` (the hint says so
    /// in words: "type a plain space", "delete it").
    Text(&'static str, &'static str),
    /// Nothing to apply literally.
    None,
}

struct Case {
    /// Text of the valid plan that the clerk changed (unique in it).
    valid: &'static str,
    /// What they wrote instead.
    typed: &'static str,
    code: &'static str,
    /// Where in `typed` the diagnostic points.
    at: &'static str,
    vi: &'static [&'static str],
    en: &'static [&'static str],
    fix: Fix,
}

const CASES: &[Case] = &[
    Case {
        valid: "  - category: nhan-luc\n    task",
        typed: "  - category: đào tạo\n    task",
        code: "E005",
        at: "đào tạo",
        vi: &["Đào tạo nguồn nhân lực CNTT", "`nhan-luc`"],
        en: &["Đào tạo nguồn nhân lực CNTT", "`nhan-luc`"],
        fix: Fix::Proposed("đào tạo"),
    },
    Case {
        valid: "  - category: nhan-luc\n    task",
        typed: "  - category: dao-tao\n    task",
        code: "E020",
        at: "dao-tao",
        vi: &["Có phải ý bạn là `nhan-luc`"],
        en: &["Did you mean `nhan-luc`"],
        fix: Fix::Proposed("dao-tao"),
    },
    Case {
        valid: "    lead: so-tttt\n    partners",
        typed: "    lead: UBND huyện An Lão\n    partners",
        code: "E005",
        at: "UBND",
        vi: &["“UBND huyện An Lão” có mã `ubnd-an-lao`"],
        en: &["“UBND huyện An Lão” has the code `ubnd-an-lao`"],
        fix: Fix::Proposed("UBND huyện An Lão"),
    },
    Case {
        valid: "    lead: so-tttt\n    partners",
        typed: "    lead: ubnd-huyen-an-lao\n    partners",
        code: "E037",
        at: "ubnd-huyen",
        vi: &["`ubnd-an-lao`"],
        en: &["`ubnd-an-lao`"],
        fix: Fix::Proposed("ubnd-huyen-an-lao"),
    },
    Case {
        valid: "    total: 350\n",
        typed: "    total: 1.200.000\n",
        code: "E005",
        at: "1.200.000",
        vi: &["triệu đồng", "1.200 tỷ đồng", "1.200.000 đồng", "`1.2`"],
        en: &["million VND", "1,200 billion VND", "`1.2`"],
        fix: Fix::Proposed("1.200.000"),
    },
    Case {
        valid: "    goal: 50\n",
        typed: "    goal: 50%\n",
        code: "E005",
        at: "50%",
        vi: &["Bỏ dấu %", "`50`"],
        en: &["Drop the % sign", "`50`"],
        fix: Fix::Proposed("50%"),
    },
    Case {
        valid: "status: submitted",
        typed: "status: đã gửi",
        code: "E005",
        at: "đã gửi",
        vi: &["`submitted`"],
        en: &["`submitted`"],
        fix: Fix::Proposed("đã gửi"),
    },
    Case {
        valid: "levels: { tinh: 300, huyen: 50 }",
        typed: "levels: { tinh: 300, huyen: 127,5 }",
        code: "E005",
        at: "127,5",
        vi: &["dấu phẩy thập phân", "`127.5`"],
        en: &["decimal comma", "`127.5`"],
        fix: Fix::Proposed("127,5"),
    },
    Case {
        valid: "    objective: \"Một",
        typed: "    objective:\u{a0}\"Một",
        code: "E003",
        at: "\u{a0}",
        vi: &["Dấu cách đặc biệt", "U+00A0", "dấu cách thường"],
        en: &["special space", "U+00A0", "plain space"],
        fix: Fix::Text("\u{a0}", " "),
    },
    Case {
        valid: "    name: \"Nâng cấp Hệ thống thông tin một cửa điện tử\"",
        typed: "    name: “Nâng cấp: Hệ thống thông tin một cửa điện tử”",
        code: "E003",
        at: "“",
        vi: &["Ngoặc kép kiểu Word", "ngoặc kép thẳng"],
        en: &["Word-style quotes", "straight quotes"],
        fix: Fix::None,
    },
    Case {
        valid: "year: 2019\nstatus",
        typed: "year: 2019\n\u{feff}status",
        code: "E003",
        at: "\u{feff}",
        vi: &["BOM", "Xóa"],
        en: &["byte-order mark", "Delete"],
        fix: Fix::Text("\u{feff}", ""),
    },
    Case {
        valid: "    task: \"Nâng cấp mạng LAN",
        typed: "\ttask: \"Nâng cấp mạng LAN",
        code: "E003",
        at: "\t",
        vi: &["Tab", "dấu cách"],
        en: &["tab", "spaces"],
        fix: Fix::Text("\t", "    "),
    },
    Case {
        valid: "agency: so-tttt",
        typed: "agency:so-tttt",
        code: "E003",
        at: "so-tttt",
        vi: &["Thiếu dấu cách sau `agency:`"],
        en: &["No space after `agency:`"],
        fix: Fix::Text(":", ": "),
    },
    Case {
        valid: "## III. Mục tiêu ứng dụng CNTT năm 2019",
        typed: "### III. Mục tiêu ứng dụng CNTT năm 2019",
        code: "E040",
        at: "###",
        vi: &["Mục tiêu", "`## Mục tiêu`", "hai dấu #"],
        en: &["Mục tiêu", "`## Mục tiêu`", "two #"],
        fix: Fix::Proposed("### III. Mục tiêu ứng dụng CNTT năm 2019"),
    },
    Case {
        valid: "## V. Giải pháp thực hiện",
        typed: "**V. GIẢI PHÁP**",
        code: "E040",
        at: "**V",
        vi: &["`## Giải pháp`", "không in đậm"],
        en: &["`## Giải pháp`", "no bold"],
        fix: Fix::Proposed("**V. GIẢI PHÁP**"),
    },
    Case {
        valid: "submitted: 2018-07-25",
        typed: "submitted: 2099-07-25",
        code: "E005",
        at: "2099",
        vi: &["25/07/2099", "tương lai"],
        en: &["25/07/2099", "future"],
        fix: Fix::Proposed("2099-07-25"),
    },
];

#[test]
fn what_a_clerk_typed_is_what_they_read_in_both_languages() {
    for (lang, vi) in [("vi", true), ("en", false)] {
        for case in CASES {
            let dir = site(lang);
            let path = dir.path().join(PLAN);
            let text = replace_once(&fs::read_to_string(&path).unwrap(), case.valid, case.typed);
            fs::write(&path, &text).unwrap();
            let start = text.find(case.typed).unwrap();
            let (line, col) = line_col(&text, start + case.typed.find(case.at).unwrap());
            let diags = check(dir.path());
            let found = diags
                .iter()
                .find(|(c, l, k, _)| c == case.code && *l == line && *k == col)
                .unwrap_or_else(|| {
                    panic!(
                        "[{lang}] {} at {line}:{col} for {:?}; got {diags:#?}",
                        case.code, case.typed
                    )
                });
            let message = &found.3;
            for word in if vi { case.vi } else { case.en } {
                assert!(
                    message.contains(word),
                    "[{lang}] `{word}` not in {message:?}"
                );
            }
            // No code printed twice, no parser English in Vietnamese.
            assert!(!message.contains("[E0"), "{message}");
            if vi {
                for english in ["mapping values", "while scanning", "did not find"] {
                    assert!(!message.contains(english), "{message}");
                }
            }
            let (part, fixed) = match &case.fix {
                Fix::Proposed(part) => (*part, proposed(message).unwrap().to_string()),
                Fix::Text(part, to) => (*part, (*to).to_string()),
                Fix::None => continue,
            };
            let applied = replace_once(case.typed, part, &fixed);
            fs::write(&path, replace_once(&text, case.typed, &applied)).unwrap();
            let after = check(dir.path());
            assert!(
                !after
                    .iter()
                    .any(|(c, l, _, _)| c == case.code && *l == line),
                "[{lang}] writing `{fixed}` as the hint says left {}: {after:#?}",
                case.code
            );
        }
    }
}

#[test]
fn a_syntax_error_hides_nothing_else() {
    let dir = site("vi");
    let path = dir.path().join(PLAN);
    let text = fs::read_to_string(&path).unwrap();
    // An unclosed bracket in one project, a percent sign in an indicator and
    // a grouped amount in another project: one round shows all three.
    let text = replace_once(
        &text,
        "partners: [van-phong-ubnd]",
        "partners: [van-phong-ubnd",
    );
    let text = replace_once(&text, "    goal: 50\n", "    goal: 50%\n");
    let text = replace_once(
        &text,
        "cost: { total: 320, spent: 0, planned: 320 }",
        "cost: { total: 320, spent: 0, planned: 1.320.000 }",
    );
    fs::write(&path, &text).unwrap();
    let diags = check(dir.path());
    let codes: Vec<(&str, u64)> = diags.iter().map(|(c, l, _, _)| (c.as_str(), *l)).collect();
    let line_of = |needle: &str| line_col(&text, text.find(needle).unwrap()).0;
    // The unclosed bracket is pointed at, not the next line where the
    // parser noticed it.
    let (l, c) = line_col(&text, text.find("[van-phong-ubnd\n").unwrap());
    assert!(
        diags.iter().any(|d| d.0 == "E003" && (d.1, d.2) == (l, c)),
        "{diags:#?}"
    );
    assert!(
        codes.contains(&("E005", line_of("goal: 50%"))),
        "{diags:#?}"
    );
    assert!(
        codes.contains(&("E005", line_of("planned: 1.320.000"))),
        "{diags:#?}"
    );
    // The broken project is left out: nothing is said about the projects
    // count or fields the clerk did write.
    assert!(
        !codes.iter().any(|(c, _)| *c == "E035" || *c == "E006"),
        "{diags:#?}"
    );
    let e003 = diags.iter().find(|d| d.0 == "E003").unwrap();
    assert!(
        e003.3.starts_with("Lỗi cú pháp YAML: Dấu mở `[`"),
        "{e003:?}"
    );
}

#[test]
fn a_bad_amount_gives_no_follow_on_priority_error() {
    let dir = site("vi");
    let path = dir.path().join(PLAN);
    let text = fs::read_to_string(&path).unwrap();
    let text = replace_once(
        &text,
        "cost: { total: 2000, spent: 500, planned: 1500 }",
        "cost: { total: 2000, spent: 500, planned: 1.500,5 }",
    );
    fs::write(&path, &text).unwrap();
    let diags = check(dir.path());
    let e005: Vec<_> = diags.iter().filter(|d| d.0 == "E005").collect();
    // One slip, one message: the number is read as the hint proposes
    // (1500.5), not reported again as the invalid `1.500.5`.
    assert_eq!(e005.len(), 1, "{diags:#?}");
    assert!(e005[0].3.contains("`1.500,5`"), "{diags:#?}");
    assert!(!diags.iter().any(|d| d.0 == "E035"), "{diags:#?}");
}

#[test]
fn check_run_inside_content_says_to_go_one_folder_up() {
    let dir = site("vi");
    let out = Command::new(BIN)
        .arg("check")
        .current_dir(dir.path().join("content"))
        .output()
        .unwrap();
    // The report goes to stdout, as every `check` report does.
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("Thiếu tệp content/site.yaml"), "{report}");
    assert!(
        report.contains("ngay trong thư mục content/") && report.contains("`cd ..`"),
        "{report}"
    );
    // From the right folder, the same site checks clean.
    let out = Command::new(BIN)
        .arg("check")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_submitted_plan_with_only_guidance_in_a_section_is_warned() {
    for (lang, words) in [("vi", "chưa có nội dung"), ("en", "has no text")] {
        let dir = site(lang);
        let path = dir.path().join(PLAN);
        let text = fs::read_to_string(&path).unwrap();
        let text = replace_once(
            &text,
            "Phát triển hạ tầng kỹ thuật và các hệ thống dùng chung.",
            "<!-- Định hướng nội dung: hạ tầng, ứng dụng, nhân lực. -->\n\n### 1. Hạ tầng\n",
        );
        fs::write(&path, &text).unwrap();
        let line = line_col(&text, text.find("## IV.").unwrap()).0;
        let diags = check(dir.path());
        let w = diags
            .iter()
            .find(|d| d.0 == "W107")
            .unwrap_or_else(|| panic!("{diags:#?}"));
        assert_eq!((w.1, w.2), (line, 1));
        assert!(w.3.contains(words), "{w:?}");
        // A draft is still being written: no warning.
        fs::write(
            &path,
            replace_once(&text, "status: submitted", "status: draft"),
        )
        .unwrap();
        assert!(!check(dir.path()).iter().any(|d| d.0 == "W107"));
    }
}

#[test]
fn a_build_with_the_placeholder_address_says_so() {
    let dir = site("vi");
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["build", "--root"])
        .arg(dir.path())
        .arg("--output")
        .arg(out_dir.path().join("site"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("`base_url` vẫn là địa chỉ mẫu"), "{stderr}");
    // A real address: no warning.
    let yaml = dir.path().join("content/site.yaml");
    let text = fs::read_to_string(&yaml).unwrap();
    fs::write(
        &yaml,
        replace_once(
            &text,
            "https://example.gov.vn",
            "https://cntt.thunghiem.gov.vn",
        ),
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["build", "--root"])
        .arg(dir.path())
        .arg("--output")
        .arg(out_dir.path().join("site2"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("base_url"), "{stderr}");
}

#[test]
fn the_command_line_speaks_vietnamese() {
    let run = |args: &[&str]| Command::new(BIN).args(args).output().unwrap();
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    for english in ["Usage:", "Commands:", "Options:", "Print help"] {
        assert!(!text.contains(english), "{english}: {text}");
    }
    assert!(
        text.contains("Cách dùng") && text.contains("Lệnh"),
        "{text}"
    );
    let typo = run(&["chek"]);
    assert_eq!(typo.status.code(), Some(2));
    let err = String::from_utf8_lossy(&typo.stderr);
    assert!(
        err.contains("Không có lệnh `chek`") && err.contains("`check`"),
        "{err}"
    );
    assert!(!err.contains("error:") && !err.contains("tip:"), "{err}");
    let missing = run(&["check", "--root", "/no/such/folder"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("không tìm thấy thư mục /no/such/folder"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}
