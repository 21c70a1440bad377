//! Chasing submissions: `planpress status`, `planpress remind` (files, and
//! `--send` to a real Exim started by the test on 127.0.0.1), and the quieter
//! `check` (grouped W102, paths, `--quiet`), on a copy of the demo site with
//! one agency in each state:
//!
//! | agency | state |
//! |---|---|
//! | ubnd-ly-son | missing, and no e-mail address |
//! | ubnd-duc-pho (added) | missing |
//! | so-tttt | invalid: an E030 put in |
//! | hoi-lhpn | draft |
//! | so-y-te | late (6 days) |
//! | the others | on time |
//!
//! `PLANPRESS_NOW` fixes the clock: 2018-07-31 17:30 UTC is already
//! 1 August 00:30 in Quảng Ngãi, one day past the deadline of 31/07/2018.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/servers.rs"]
mod servers;
#[path = "support/site.rs"]
mod site;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use site::{demo_site, edit, ok, planpress, stderr, stdout, text};

/// One day late in Vietnam, still 31 July in UTC.
const NOW: &str = "2018-07-31T17:30:00Z";

const BROKEN_LEVELS: &str = "levels: { trung-uong: 400, tinh: 400 }";

/// The demo site with one agency in each state, and `smtp` aimed at
/// 127.0.0.1:`port`.
fn fixture(dir: &Path, port: u16) -> PathBuf {
    let root = demo_site(
        dir,
        "vi",
        "  local: { kind: dir, path: /tmp/unused, keep: 5 }\n",
    );
    // One cycle, 2019, with an agency in each state: the demo's later
    // cycles would become the newest one that `status` and `remind` pick.
    for later in ["2020", "2026"] {
        std::fs::remove_dir_all(root.join("content").join(later)).unwrap();
    }
    let site_yaml = root.join("content/site.yaml");
    let mut s = std::fs::read_to_string(&site_yaml).unwrap();
    s.push_str(&format!(
        "smtp: {{ host: 127.0.0.1, port: {port}, from: \"Sở Thông tin và Truyền thông <stttt@example.gov.vn>\", starttls: false }}\n"
    ));
    std::fs::write(&site_yaml, s).unwrap();
    edit(
        &root,
        "content/agencies.yaml",
        "  email: ubndlyson@example.gov.vn\n",
        "",
    );
    let agencies = root.join("content/agencies.yaml");
    let mut a = std::fs::read_to_string(&agencies).unwrap();
    a.push_str(
        "- code: ubnd-duc-pho\n  name: UBND thị xã Đức Phổ\n  group: huyen\n  \
         email: ubndducpho@example.gov.vn\n  phone: \"0255.3859123\"\n",
    );
    std::fs::write(&agencies, a).unwrap();
    edit(
        &root,
        "content/2019/so-tttt.md",
        "levels: { trung-uong: 400, tinh: 460 }",
        BROKEN_LEVELS,
    );
    root
}

fn run(root: &Path, args: &[&str], now: &str) -> Output {
    let mut all = args.to_vec();
    all.extend(["--root", root.to_str().unwrap()]);
    planpress(&all, &[("PLANPRESS_NOW", now)])
}

fn status_json(root: &Path, now: &str) -> Vec<Value> {
    let o = ok(run(root, &["status", "2019", "--format", "json"], now));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array().unwrap().clone()
}

fn row<'a>(rows: &'a [Value], code: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row {code}"))
}

/// The E030 that `check` reports in so-tttt, as (line, column, message).
fn broken_diagnostic(root: &Path) -> (u64, u64, String) {
    let o = run(root, &["check", "--format", "json"], NOW);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E030" && d["file"] == "content/2019/so-tttt.md")
        .unwrap_or_else(|| panic!("no E030 in {v}"))
        .clone();
    (
        d["line"].as_u64().unwrap(),
        d["column"].as_u64().unwrap(),
        d["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn status_rows_have_the_contract_keys_and_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path(), 25);
    let rows = status_json(&root, NOW);
    // Keys in the contract's order, as written (serde_json's map sorts).
    let o = ok(run(&root, &["status", "--format", "json"], NOW));
    let raw = stdout(&o);
    let keys: Vec<&str> = raw
        .lines()
        .filter_map(|l| l.strip_prefix("    \"")?.split_once("\":").map(|(k, _)| k))
        .collect();
    assert_eq!(keys.len(), 18 * 10);
    for keys in keys.chunks(10) {
        assert_eq!(
            keys,
            [
                "code",
                "name",
                "group",
                "email",
                "phone",
                "submission",
                "submitted",
                "days_late",
                "errors",
                "last_change"
            ]
        );
    }
    for r in &rows {
        assert_eq!(r.as_object().unwrap().len(), 10);
    }
    // Every expected agency once: the demo's 17 and the one added.
    assert_eq!(rows.len(), 18);
    let states: Vec<&str> = rows
        .iter()
        .map(|r| r["submission"].as_str().unwrap())
        .collect();
    // The ones to call first.
    assert_eq!(
        &states[..5],
        ["missing", "missing", "invalid", "draft", "late"]
    );
    assert!(states[5..].iter().all(|s| *s == "on-time"), "{states:?}");

    let ly_son = row(&rows, "ubnd-ly-son");
    assert_eq!(ly_son["email"], Value::Null);
    assert_eq!(ly_son["submitted"], Value::Null);
    assert_eq!(ly_son["days_late"], 1);
    assert_eq!(ly_son["last_change"], Value::Null);
    let duc_pho = row(&rows, "ubnd-duc-pho");
    assert_eq!(duc_pho["phone"], "0255.3859123");
    assert_eq!(duc_pho["group"], "huyen");
    assert_eq!(row(&rows, "hoi-lhpn")["submission"], "draft");
    assert_eq!(row(&rows, "hoi-lhpn")["days_late"], 1);
    let tttt = row(&rows, "so-tttt");
    assert_eq!(tttt["submission"], "invalid");
    assert_eq!(tttt["errors"], 1);
    assert_eq!(tttt["submitted"], "2018-07-25");
    assert_eq!(tttt["days_late"], 0);
    let yte = row(&rows, "so-y-te");
    assert_eq!(yte["submission"], "late");
    assert_eq!(yte["submitted"], "2018-08-06");
    assert_eq!(yte["days_late"], 6);
    let vp = row(&rows, "van-phong-ubnd");
    assert_eq!(vp["submission"], "on-time");
    assert_eq!(vp["days_late"], 0);
    assert_eq!(vp["errors"], 0);
}

#[test]
fn days_late_follow_the_calendar_in_vietnam() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path(), 25);
    // 23:59:59 on 31 July in Quảng Ngãi: not late yet.
    let rows = status_json(&root, "2018-07-31T16:59:59Z");
    assert_eq!(row(&rows, "ubnd-ly-son")["days_late"], 0);
    // A second later it is 1 August there.
    let rows = status_json(&root, "2018-07-31T17:00:00Z");
    assert_eq!(row(&rows, "ubnd-ly-son")["days_late"], 1);
    // The same moment written with the province's own offset.
    let rows = status_json(&root, "2018-08-10T08:00:00+07:00");
    assert_eq!(row(&rows, "ubnd-ly-son")["days_late"], 10);
}

fn git(dir: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args([
            "-c",
            "user.name=Sở TT&TT",
            "-c",
            "user.email=stttt@example.gov.vn",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn last_change_is_the_last_commit_else_the_file_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path(), 25);
    let date = "2018-07-20T10:00:00+07:00";
    git(&root, &["init", "-q"], date);
    git(&root, &["add", "-A"], date);
    git(
        &root,
        &["commit", "-q", "--no-gpg-sign", "-m", "Kỳ 2019"],
        date,
    );
    // A change after the commit: the file's own time says when.
    edit(
        &root,
        "content/2019/hoi-lhpn.md",
        "status: draft",
        "status: draft ",
    );
    let touched = Command::new("touch")
        .args(["-d", "2018-07-30 20:00:00 UTC"])
        .arg(root.join("content/2019/hoi-lhpn.md"))
        .status()
        .unwrap();
    assert!(touched.success());
    let rows = status_json(&root, NOW);
    assert_eq!(row(&rows, "so-y-te")["last_change"], "2018-07-20");
    // 20:00 UTC on 30 July is 31 July in Vietnam.
    assert_eq!(row(&rows, "hoi-lhpn")["last_change"], "2018-07-31");
}

#[test]
fn status_for_people_and_spreadsheets() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path(), 25);
    let o = ok(run(&root, &["status"], NOW));
    let out = stdout(&o);
    assert!(
        out.contains("Năm 2019: 14/18 đã gửi, 1 trễ hạn, 1 bản nháp, 1 có lỗi, 2 chưa gửi."),
        "{out}"
    );
    let lines: Vec<&str> = out.lines().collect();
    // The header, then the two missing agencies first.
    let first = lines.iter().position(|l| l.starts_with("Cơ quan")).unwrap();
    assert!(lines[first + 1].contains("chưa gửi"), "{out}");
    assert!(lines[first + 2].contains("chưa gửi"), "{out}");
    let ly_son = lines.iter().find(|l| l.contains("ubnd-ly-son")).unwrap();
    assert!(ly_son.contains("(chưa có email, điện thoại)"), "{ly_son}");
    assert!(ly_son.contains("1 ngày"), "{ly_son}");

    let o = ok(run(&root, &["status", "--format", "csv"], NOW));
    let csv = stdout(&o);
    let csv = csv.strip_prefix('\u{feff}').unwrap();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "code",
            "name",
            "group",
            "email",
            "phone",
            "submission",
            "submitted",
            "days_late",
            "errors",
            "last_change"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 18);
    let yte = rows.iter().find(|r| &r[0] == "so-y-te").unwrap();
    assert_eq!(&yte[5], "late");
    assert_eq!(&yte[6], "2018-08-06");
    assert_eq!(&yte[7], "6");
    // The summary goes to stderr, away from the data.
    assert!(stderr(&o).contains("14/18 đã gửi"), "{}", text(&o));

    let o = run(&root, &["status"], "31/07/2018");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("PLANPRESS_NOW = `31/07/2018` không phải một thời điểm RFC 3339"),
        "{}",
        text(&o)
    );

    let o = run(&root, &["status", "2031"], NOW);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("Không có kỳ kế hoạch năm 2031") && stderr(&o).contains("2019"),
        "{}",
        text(&o)
    );

    // An English site says it in English.
    edit(&root, "content/site.yaml", "language: vi", "language: en");
    let o = ok(run(&root, &["status"], NOW));
    assert!(
        stdout(&o).contains("2019: 14/18 submitted, 1 late, 1 draft, 1 with errors, 2 missing."),
        "{}",
        text(&o)
    );
    assert!(stdout(&o).contains("1 day"), "{}", text(&o));
    edit(&root, "content/site.yaml", "language: en", "language: vi");

    // Without a deadline nobody can be late: say which file to fix.
    edit(
        &root,
        "content/2019/_plan.md",
        "deadline: 2018-07-31",
        "deadline: 2018-07-32",
    );
    let o = run(&root, &["status"], NOW);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stderr(&o).contains("content/2019/_plan.md có lỗi. Chạy `planpress check`"),
        "{}",
        text(&o)
    );
}

#[test]
fn check_says_who_is_missing_once_and_narrows_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path(), 25);
    let o = run(&root, &["check"], NOW);
    let out = stdout(&o);
    let w102: Vec<&str> = out.lines().filter(|l| l.contains("[W102]")).collect();
    assert_eq!(w102.len(), 1, "{out}");
    assert!(
        w102[0].contains(
            "2 cơ quan chưa gửi kế hoạch năm 2019: UBND huyện Lý Sơn (ubnd-ly-son), UBND thị xã Đức Phổ (ubnd-duc-pho)."
        ),
        "{out}"
    );
    // `build` prints the same single line before it refuses (E030).
    let o = run(&root, &["build"], NOW);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let lines: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.contains("[W102]"))
        .map(String::from)
        .collect();
    assert_eq!(lines, [w102[0]], "{}", text(&o));
    let o = run(&root, &["check", "--verbose"], NOW);
    assert_eq!(
        stdout(&o).lines().filter(|l| l.contains("[W102]")).count(),
        2,
        "{}",
        text(&o)
    );
    // Tools read every W102 of the JSON report.
    let o = run(&root, &["check", "--format", "json"], NOW);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "W102")
        .count();
    assert_eq!(n, 2);

    // One file: its diagnostics only, with the site's rules (E030 needs
    // the catalog's levels).
    let file = root.join("content/2019/so-tttt.md");
    let o = run(
        &root,
        &["check", "--format", "json", file.to_str().unwrap()],
        NOW,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    assert!(
        files.iter().all(|f| *f == "content/2019/so-tttt.md"),
        "{files:?}"
    );
    // A file without errors passes alone.
    let o = run(
        &root,
        &["check", root.join("content/2019/bhxh.md").to_str().unwrap()],
        NOW,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // --quiet: errors only.
    let o = run(&root, &["check", "--quiet", "--format", "json"], NOW);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let severities: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["error"]);

    let o = run(&root, &["check", "/etc/passwd"], NOW);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("không nằm trong site"), "{}", text(&o));
}

/// What Python's `email` package reads in a message: the RFC 5322 parse
/// the test trusts, independent of the Rust side.
#[derive(Debug)]
struct Parsed {
    subject: String,
    from: String,
    to: Vec<String>,
    envelope_to: Option<String>,
    body: String,
}

fn parse_with_python(messages: &[Vec<u8>], dir: &Path) -> Vec<Parsed> {
    let script = r#"
import email, email.policy, json, sys
out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    defects = list(m.defects) + [d for p in m.walk() for d in p.defects]
    if defects:
        sys.exit(path + ": " + repr(defects))
    for h in ("Subject", "From", "To", "Date", "Message-ID"):
        if m[h] is None:
            sys.exit(path + ": no " + h)
    out.append({
        "subject": str(m["Subject"]),
        "from": m["From"].addresses[0].addr_spec,
        "to": [a.addr_spec for a in m["To"].addresses],
        "envelope_to": m["Envelope-to"] and str(m["Envelope-to"]),
        "charset": m.get_content_charset(),
        "body": m.get_content(),
    })
print(json.dumps(out))
"#;
    let mut paths = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let p = dir.join(format!("m{i}.eml"));
        std::fs::write(&p, m).unwrap();
        paths.push(p);
    }
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&paths)
        .output()
        .expect("python3 (Debian package python3) parses the messages");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["charset"], "utf-8");
            Parsed {
                subject: m["subject"].as_str().unwrap().to_string(),
                from: m["from"].as_str().unwrap().to_string(),
                to: m["to"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect(),
                envelope_to: m["envelope_to"].as_str().map(String::from),
                body: m["body"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn reminders_csv(dir: &Path) -> Vec<csv::StringRecord> {
    let text = std::fs::read_to_string(dir.join("reminders.csv")).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

/// Checks the three reminders as Python reads them, keyed by recipient.
fn check_reminders(parsed: &[Parsed], root: &Path) {
    let (line, col, message) = broken_diagnostic(root);
    let mut to: Vec<&str> = parsed.iter().map(|p| p.to[0].as_str()).collect();
    to.sort_unstable();
    assert_eq!(
        to,
        [
            "hoilhpn@example.gov.vn",
            "stttt@example.gov.vn",
            "ubndducpho@example.gov.vn"
        ]
    );
    for p in parsed {
        assert_eq!(p.to.len(), 1, "{p:?}");
        assert_eq!(p.from, "stttt@example.gov.vn");
        assert!(
            p.body.contains("Công văn số 790/STTTT ngày 16/07/2018"),
            "{p:?}"
        );
        assert!(p.body.contains("là ngày 31/07/2018"), "{p:?}");
        assert!(p.body.contains("Kế hoạch ứng dụng CNTT"), "{p:?}");
        assert!(p.body.contains("Trân trọng"), "{p:?}");
        match p.to[0].as_str() {
            "ubndducpho@example.gov.vn" => {
                assert_eq!(
                    p.subject,
                    "Đề nghị gửi Kế hoạch ứng dụng CNTT năm 2019 - UBND thị xã Đức Phổ"
                );
                assert!(
                    p.body.starts_with("Kính gửi: UBND thị xã Đức Phổ."),
                    "{p:?}"
                );
                assert!(p.body.contains("chưa nhận được"), "{p:?}");
                assert!(p.body.contains("đã quá hạn 1 ngày"), "{p:?}");
            }
            "hoilhpn@example.gov.vn" => {
                assert_eq!(
                    p.subject,
                    "Đề nghị hoàn thiện và gửi Kế hoạch ứng dụng CNTT năm 2019 - Hội Liên hiệp Phụ nữ tỉnh"
                );
                assert!(p.body.contains("vẫn là bản nháp"), "{p:?}");
            }
            _ => {
                assert_eq!(
                    p.subject,
                    "Đề nghị sửa lỗi Kế hoạch ứng dụng CNTT năm 2019 - Sở Thông tin và Truyền thông"
                );
                assert!(
                    p.body.contains("(content/2019/so-tttt.md) còn 1 lỗi"),
                    "{p:?}"
                );
                let item = format!("1. Dòng {line}, cột {col}: {message}");
                assert!(p.body.contains(&item), "{item} not in {p:?}");
            }
        }
    }
}

#[test]
fn remind_writes_one_message_per_agency_to_chase_and_a_mail_merge_csv() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path(), 25);
    let out = root.join("reminders/2019");
    // A reminder left from an earlier run for an agency that has since
    // submitted must not stay to be sent by mistake.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("so-y-te.eml"), "old").unwrap();
    // Other files in the folder are the user's, and stay.
    std::fs::write(out.join("ghi-chu.eml"), "mine").unwrap();
    let o = ok(run(&root, &["remind", "2019"], NOW));
    assert!(
        stdout(&o).contains("4 cơ quan cần nhắc; đã ghi 3 thư (.eml)"),
        "{}",
        text(&o)
    );
    assert!(
        stderr(&o).contains("UBND huyện Lý Sơn (ubnd-ly-son) chưa có email"),
        "{}",
        text(&o)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ghi-chu.eml",
            "hoi-lhpn.eml",
            "reminders.csv",
            "so-tttt.eml",
            "ubnd-duc-pho.eml"
        ]
    );
    let messages: Vec<Vec<u8>> = ["hoi-lhpn", "so-tttt", "ubnd-duc-pho"]
        .iter()
        .map(|c| std::fs::read(out.join(format!("{c}.eml"))).unwrap())
        .collect();
    for m in &messages {
        // RFC 5322: CRLF line ends, header lines within 998 characters.
        let text = String::from_utf8(m.clone()).unwrap();
        assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
        assert!(text.lines().all(|l| l.len() <= 998));
    }
    let parsed = parse_with_python(&messages, dir.path());
    check_reminders(&parsed, &root);

    let rows = reminders_csv(&out);
    let codes: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        codes,
        ["ubnd-ly-son", "ubnd-duc-pho", "so-tttt", "hoi-lhpn"]
    );
    let ly_son = &rows[0];
    assert_eq!(&ly_son[2], "", "no e-mail");
    assert_eq!(&ly_son[4], "missing");
    assert_eq!(&ly_son[9], "", "no .eml");
    assert!(ly_son[8].starts_with("Kính gửi: UBND huyện Lý Sơn."));
    assert!(rows.iter().all(|r| r[10].is_empty()), "nothing sent");
    assert_eq!(&rows[1][9], "ubnd-duc-pho.eml");

    // A malformed address costs that agency its .eml, not the others.
    edit(
        &root,
        "content/agencies.yaml",
        "email: ubndducpho@example.gov.vn",
        "email: ubndducpho(at)example.gov.vn",
    );
    let o = ok(run(&root, &["remind", "2019"], NOW));
    assert!(
        stderr(&o).contains(
            "UBND thị xã Đức Phổ (ubnd-duc-pho): `ubndducpho(at)example.gov.vn` không phải một địa chỉ email"
        ),
        "{}",
        text(&o)
    );
    assert!(stdout(&o).contains("đã ghi 2 thư (.eml)"), "{}", text(&o));
    assert!(!out.join("ubnd-duc-pho.eml").exists());

    // Without a sender in site.yaml, a reminder cannot be written.
    edit(&root, "content/site.yaml", "smtp:", "# smtp:");
    let o = run(&root, &["remind"], NOW);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("smtp: {"), "{}", text(&o));
}

#[test]
fn a_site_can_word_the_reminder_its_own_way() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(dir.path(), 25);
    let t = root.join("themes/default/templates");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("remind.txt"),
        "Subject: Nhắc {{ agency.code }} ({{ submission }})\n\nHạn {{ deadline }}; trễ {{ days_late }} ngày.\n",
    )
    .unwrap();
    let o = ok(run(&root, &["remind"], NOW));
    let out = root.join("reminders/2019");
    let parsed = parse_with_python(
        &[std::fs::read(out.join("ubnd-duc-pho.eml")).unwrap()],
        dir.path(),
    );
    assert_eq!(
        parsed[0].subject,
        "Nhắc ubnd-duc-pho (missing)",
        "{}",
        text(&o)
    );
    assert_eq!(parsed[0].body.trim_end(), "Hạn 31/07/2018; trễ 1 ngày.");
}

#[test]
fn remind_send_delivers_exactly_the_reminders_to_a_local_exim() {
    if !servers::Exim::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exim = servers::Exim::start(dir.path());
    let root = fixture(dir.path(), exim.port);
    let o = run(&root, &["remind", "--send"], NOW);
    assert!(o.status.success(), "{}\n{}", text(&o), exim.log());
    assert!(
        stdout(&o).contains("Đã gửi 3/3 thư qua 127.0.0.1."),
        "{}",
        text(&o)
    );
    let delivered = exim.wait_for(3);
    // Give a stray fourth message time to show up before counting.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let delivered_again = exim.wait_for(0);
    assert_eq!(delivered.len(), 3, "{}", exim.log());
    assert_eq!(delivered_again.len(), 3, "{}", exim.log());
    let parsed = parse_with_python(&delivered, dir.path());
    check_reminders(&parsed, &root);
    for p in &parsed {
        assert_eq!(p.envelope_to.as_deref(), Some(p.to[0].as_str()));
    }
    // What was delivered is what was written, apart from the headers the
    // server adds on top.
    for code in ["hoi-lhpn", "so-tttt", "ubnd-duc-pho"] {
        let eml = std::fs::read(root.join(format!("reminders/2019/{code}.eml"))).unwrap();
        let eml = String::from_utf8(eml).unwrap();
        let hit = delivered
            .iter()
            .map(|m| String::from_utf8_lossy(m).replace("\r\n", "\n"))
            .filter(|m| m.ends_with(&eml.replace("\r\n", "\n")))
            .count();
        assert_eq!(hit, 1, "{code}.eml delivered once, byte for byte");
    }
    let rows = reminders_csv(&root.join("reminders/2019"));
    for r in &rows {
        if &r[0] == "ubnd-ly-son" {
            assert_eq!(&r[10], "", "no address, not sent");
        } else {
            assert!(r[10].ends_with("+07:00"), "{} sent: {:?}", &r[0], &r[10]);
        }
    }
}

#[test]
fn a_refused_connection_is_a_clear_error_and_nothing_is_marked_sent() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let port = servers::free_port();
    let root = fixture(dir.path(), port);
    let o = run(&root, &["remind", "--send"], NOW);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "Không kết nối được máy chủ gửi thư 127.0.0.1:{port}"
        )),
        "{err}"
    );
    assert!(err.contains("Chưa gửi thư nào"), "{err}");
    assert!(err.contains("`smtp:` trong content/site.yaml"), "{err}");
    let rows = reminders_csv(&root.join("reminders/2019"));
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().all(|r| r[10].is_empty()),
        "nothing marked as sent"
    );
}

#[test]
fn a_refused_recipient_is_reported_and_the_others_still_go() {
    if !servers::Exim::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exim = servers::Exim::start_refusing(dir.path(), &["hoilhpn@example.gov.vn"]);
    let root = fixture(dir.path(), exim.port);
    let o = run(&root, &["remind", "--send"], NOW);
    assert_eq!(o.status.code(), Some(1), "{}\n{}", text(&o), exim.log());
    assert!(
        stdout(&o).contains("Đã gửi 2/3 thư qua 127.0.0.1."),
        "{}",
        text(&o)
    );
    assert!(
        stderr(&o).contains(
            "Không gửi được thư cho Hội Liên hiệp Phụ nữ tỉnh (hoi-lhpn) <hoilhpn@example.gov.vn>"
        ),
        "{}",
        text(&o)
    );
    let delivered = exim.wait_for(2);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(exim.wait_for(0).len(), 2, "{}", exim.log());
    let mut to: Vec<String> = parse_with_python(&delivered, dir.path())
        .into_iter()
        .map(|p| p.to[0].clone())
        .collect();
    to.sort();
    assert_eq!(to, ["stttt@example.gov.vn", "ubndducpho@example.gov.vn"]);
    let rows = reminders_csv(&root.join("reminders/2019"));
    let sent: Vec<(&str, bool)> = rows.iter().map(|r| (&r[0], !r[10].is_empty())).collect();
    assert_eq!(
        sent,
        [
            ("ubnd-ly-son", false),
            ("ubnd-duc-pho", true),
            ("so-tttt", true),
            ("hoi-lhpn", false)
        ]
    );
}
