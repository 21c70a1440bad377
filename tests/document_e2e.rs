//! The consolidated page in a real browser: headless Chromium (driven by
//! tests/e2e/document.js) opens the built demo, served over HTTP on
//! 127.0.0.1, at 1366x768 and 390x844 and prints it to PDF on A4; the PDF
//! is read with poppler's `pdftotext` and `pdfinfo`.
//!
//! Needs Debian's chromium and poppler-utils and the pinned
//! playwright-core: without them plain `cargo test` skips the test and says
//! so (see tests/support/tools.rs); `bash scripts/test.sh` installs them and
//! fails if one is still missing.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/static_http.rs"]
mod static_http;
#[path = "support/tools.rs"]
mod tools;

use std::path::Path;
use std::process::Command;

fn pdf_pages(pdf: &Path) -> Vec<(String, bool)> {
    let info = Command::new("pdfinfo")
        .args(["-f", "1", "-l", "999"])
        .arg(pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let landscape: Vec<bool> = info
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains(" size:"))
        .map(|l| {
            let dims: Vec<f64> = l
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            dims.len() >= 3 && dims[1] > dims[2]
        })
        .collect();
    landscape
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let n = (i + 1).to_string();
            let t = Command::new("pdftotext")
                .args(["-layout", "-f", &n, "-l", &n])
                .arg(pdf)
                .arg("-")
                .output()
                .unwrap();
            (String::from_utf8_lossy(&t.stdout).to_string(), *l)
        })
        .collect()
}

#[test]
fn the_consolidated_page_reads_on_a_laptop_and_a_phone_and_prints_as_the_document() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let modules = tools::node_modules();
    if !tools::require(
        "node, chromium and playwright-core",
        tools::browser_available(),
        tools::BROWSER_HINT,
    ) || !tools::require(
        "pdftotext and pdfinfo",
        tools::find("pdftotext").is_some() && tools::find("pdfinfo").is_some(),
        "apt-get install poppler-utils",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    // With drafts: the preview an editor prints, marked on every page.
    let built = Command::new(env!("CARGO_BIN_EXE_planpress"))
        .args([
            "build",
            "--drafts",
            "--root",
            root.to_str().unwrap(),
            "--output",
        ])
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let port = static_http::serve(site);
    let shots = dir.path().join("shots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = Command::new("node")
        .arg(root.join("tests/e2e/document.js"))
        // The demo is a province's cycle: its consolidated page carries
        // the whole annex and prints as the document (PLAN-FORMAT §7).
        .arg(format!("http://127.0.0.1:{port}/2019/"))
        .arg(&shots)
        .env("CI_NODE_MODULES", &modules)
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let facts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for size in ["laptop", "phone"] {
        let f = &facts[size];
        assert_eq!(
            f["scrollsUpDown"],
            serde_json::json!([]),
            "{size}: an element scrolls up and down on its own: {f}"
        );
        assert_eq!(
            f["pageOverflow"], false,
            "{size}: the page scrolls sideways: {f}"
        );
        assert_eq!(
            f["totalsInViewport"], true,
            "{size}: the VI totals row is not reached by scrolling the page: {f}"
        );
    }
    let smallest = facts["phone"]["smallest"].as_f64().unwrap();
    assert!(
        smallest >= 12.0,
        "text of {smallest}px on the phone: {}",
        facts["phone"]["smallestText"]
    );

    let pages = pdf_pages(Path::new(facts["pdf"].as_str().unwrap()));
    assert!(pages.len() >= 10, "{} pages", pages.len());
    for (i, (text, _)) in pages.iter().enumerate() {
        let n = i + 1;
        // The page number at the foot of every page.
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        assert_eq!(last.trim(), n.to_string(), "page {n} ends with {last:?}");
        assert!(
            !text.contains("Cập nhật lần cuối"),
            "page {n} prints a web-only line"
        );
        assert!(
            text.contains("BẢN NHÁP"),
            "page {n} of a drafts preview is not marked as a draft"
        );
    }
    let all: String = pages.iter().map(|(t, _)| t.as_str()).collect();
    for s in [
        "UBND TỈNH QUẢNG NGÃI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 123/KH-UBND",
        "KẾ HOẠCH",
        "Nơi nhận",
        "VII. Tổ chức thực hiện",
    ] {
        assert!(all.contains(s), "the printed plan lacks {s:?}");
    }
    for s in ["Tình hình gửi kế hoạch", "Biểu đồ", "Tải dữ liệu"] {
        assert!(
            !all.contains(s),
            "the printed plan shows the web-only {s:?}"
        );
    }
    // The annex: landscape pages from its heading to VII, at most eight,
    // each with the table's header repeated.
    let start = pages
        .iter()
        .position(|(t, _)| t.contains("Phụ lục danh mục các dự án, nhiệm vụ 2019"))
        .unwrap();
    let end = pages
        .iter()
        .position(|(t, _)| t.contains("VII. Tổ chức thực hiện"))
        .unwrap();
    let annex = &pages[start..end];
    assert!(
        !annex.is_empty() && annex.len() <= 8,
        "the annex takes {} pages",
        annex.len()
    );
    for (i, (text, landscape)) in annex.iter().enumerate() {
        assert!(*landscape, "annex page {} is portrait", start + i + 1);
        assert!(
            text.contains("Tên dự án, nhiệm vụ") && text.contains("Theo cấp ngân sách"),
            "annex page {} has no header",
            start + i + 1
        );
    }
    // II.2's header is repeated too.
    let ii2: Vec<&(String, bool)> = pages
        .iter()
        .filter(|(t, l)| *l && t.contains("Nội dung/Nhiệm vụ"))
        .collect();
    assert!(
        ii2.len() >= 2,
        "II.2 is expected over several pages with its header: {}",
        ii2.len()
    );
}
