//! The consolidated plan as a document: the Word file `build` and
//! `planpress export docx` write (read back with python-docx, converted to
//! PDF with LibreOffice), the data package (checked with `frictionless`),
//! and the `_plan.md` fields behind them (`document:`, W106).
//!
//! The tools are Debian's `libreoffice-writer-nogui`, `python3-docx` and
//! `poppler-utils`, and PyPI's `frictionless`; without them plain
//! `cargo test` skips those tests and says so (tests/support/tools.rs), and
//! `bash scripts/test.sh` installs them and fails if one is still missing.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;
#[path = "support/tools.rs"]
mod tools;

use std::path::Path;
use std::process::Command;

use site::{copy_dir, edit, planpress, repo, stdout, text};

/// Whether python-docx, which [`read_docx`] runs, is here; else the test
/// skips (or fails under `PLANPRESS_TEST_ALL=1`).
fn require_python_docx() -> bool {
    tools::require(
        "python3-docx",
        tools::runs(Command::new("/usr/bin/python3").args(["-c", "import docx"])),
        "apt-get install python3-docx",
    )
}

/// A copy of the demo in a temp folder, built; returns (dir, output).
fn built_demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&repo().join("content"), &root.join("content"));
    let out = dir.path().join("out");
    let o = planpress(
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    (dir, out)
}

fn plan_json(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("2019/data/plan.json")).unwrap()).unwrap()
}

/// `43820.5` → `43.820,5`, as the document writes amounts.
fn vi(amount: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        grouped
    } else {
        format!("{grouped},{frac}")
    }
}

const READ_DOCX: &str = r#"
import docx, json, sys
d = docx.Document(sys.argv[1])
tables = []
for t in d.tables:
    rows = []
    for r in t.rows:
        cells = []
        for c in r.cells:
            cells.append(c.text)
        rows.append(cells)
    tables.append(rows)
print(json.dumps({
    "paragraphs": [p.text for p in d.paragraphs],
    "tables": tables,
    "sections": [{"landscape": s.page_width > s.page_height, "width": s.page_width, "height": s.page_height} for s in d.sections],
    "font": (d.styles.element.xpath("//w:rPrDefault//w:rFonts/@w:ascii") or [d.styles["Normal"].font.name])[0],
    "size": (d.styles.element.xpath("//w:rPrDefault//w:sz/@w:val") or [None])[0],
}))
"#;

/// Callers check [`require_python_docx`] first.
fn read_docx(path: &Path) -> serde_json::Value {
    let o = Command::new("/usr/bin/python3")
        .args(["-c", READ_DOCX, path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn last_row(table: &serde_json::Value) -> Vec<String> {
    table
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_demo_docx_has_sections_i_to_vii_and_tables_with_the_plans_totals() {
    if !require_python_docx() {
        return;
    }
    let (_dir, out) = built_demo();
    let docx = out.join("2019/data/ke-hoach-2019.docx");
    let d = read_docx(&docx);
    let paragraphs: Vec<&str> = d["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let all = paragraphs.join("\n");
    for heading in [
        "I. CĂN CỨ LẬP KẾ HOẠCH",
        "II. HIỆN TRẠNG ỨNG DỤNG CNTT",
        "1. Đánh giá tổng quan ước thực hiện các chỉ tiêu theo kế hoạch 2018",
        "2. Kinh phí đã và đang thực hiện Kế hoạch đầu tư ứng dụng CNTT năm 2018",
        "3. Đánh giá chung; khó khăn, hạn chế và đề xuất giải pháp",
        "III. MỤC TIÊU ỨNG DỤNG CNTT NĂM 2019",
        "IV. ĐỊNH HƯỚNG NỘI DUNG",
        "V. GIẢI PHÁP THỰC HIỆN",
        "VI. KINH PHÍ TRIỂN KHAI KẾ HOẠCH",
        "VII. TỔ CHỨC THỰC HIỆN",
    ] {
        assert!(
            paragraphs.iter().any(|p| p.starts_with(heading)),
            "no heading {heading:?} in\n{all}"
        );
    }
    // In the seed's order.
    let at = |h: &str| paragraphs.iter().position(|p| p.starts_with(h)).unwrap();
    assert!(
        at("I. CĂN CỨ") < at("II. HIỆN TRẠNG")
            && at("V. GIẢI PHÁP") < at("VI. KINH PHÍ")
            && at("VI. KINH PHÍ") < at("VII. TỔ CHỨC")
    );
    assert_eq!(d["font"], "Times New Roman");
    // 13 pt body text (half-points), as Decree 30/2020 asks (13–14).
    assert_eq!(d["size"], "26");
    // Portrait text, landscape II.2, portrait, landscape annex, portrait end.
    let landscape: Vec<bool> = d["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["landscape"].as_bool().unwrap())
        .collect();
    assert_eq!(landscape, [false, true, false, true, false]);
    // A4.
    let s0 = &d["sections"][0];
    assert_eq!(
        (
            s0["width"].as_i64().unwrap() / 3600,
            s0["height"].as_i64().unwrap() / 3600
        ),
        (2100, 2970)
    );

    let json = plan_json(&out);
    let tables = d["tables"].as_array().unwrap();
    // The heading block, II.1, II.2, the annex, the signature block.
    assert_eq!(tables.len(), 5, "{tables:?}");
    let heading: String = tables[0][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    for line in [
        "UBND TỈNH QUẢNG NGÃI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 123/KH-UBND",
        "Quảng Ngãi, ngày 20 tháng 12 năm 2018",
    ] {
        assert!(
            heading.contains(line),
            "heading block lacks {line:?}: {heading}"
        );
    }
    // II.2: the seed's header with the levels and kinds under their own
    // group, and the grand total of plan.json.
    let spending = &tables[2];
    let head: Vec<String> = spending[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert!(
        head.contains(&"Theo cấp ngân sách".to_string())
            && head.contains(&"Theo nguồn vốn".to_string()),
        "{head:?}"
    );
    let names: Vec<String> = spending[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    for n in [
        "Ngân sách trung ương",
        "Ngân sách tỉnh",
        "Ngân sách huyện",
        "Vốn đầu tư",
        "Kinh phí sự nghiệp",
    ] {
        assert!(names.contains(&n.to_string()), "{names:?}");
    }
    let total = last_row(spending);
    assert_eq!(total[0], "Tổng cộng");
    assert!(
        total.contains(&vi(json["totals"]["spending"].as_str().unwrap())),
        "{total:?} vs {}",
        json["totals"]["spending"]
    );
    // VI: the seed's columns, and totals equal to plan.json's.
    let annex = &tables[3];
    let head: Vec<String> = annex[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    for h in [
        "TT",
        "Tên dự án, nhiệm vụ",
        "Mục tiêu, quy mô",
        "Thời gian thực hiện",
        "Đơn vị chủ trì/ phối hợp",
        "Nội dung/hạng mục công việc",
        "Kinh phí",
        "Ghi chú",
    ] {
        assert!(
            head.contains(&h.to_string()),
            "annex header lacks {h:?}: {head:?}"
        );
    }
    let total = last_row(annex);
    assert_eq!(total[0], "Tổng cộng");
    let t = &json["totals"];
    for key in ["total", "spent", "planned"] {
        assert!(
            total.contains(&vi(t[key].as_str().unwrap())),
            "annex total lacks {key} {}: {total:?}",
            t[key]
        );
    }
    for (id, amount) in t["by_level"]
        .as_object()
        .unwrap()
        .iter()
        .chain(t["by_kind"].as_object().unwrap())
    {
        assert!(
            total.contains(&vi(amount.as_str().unwrap())),
            "annex total lacks {id} {amount}: {total:?}"
        );
    }
    let projects: usize = json["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["projects"].as_array().map_or(0, Vec::len))
        .sum();
    let numbered = annex
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r[0].as_str().unwrap().parse::<usize>().is_ok())
        .count();
    assert_eq!(numbered, projects);
    // Signature block and Nơi nhận.
    let end: String = tables[4][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    for line in [
        "Nơi nhận:",
        "Bộ Thông tin và Truyền thông (b/c)",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Trần Ngọc Căng",
    ] {
        assert!(end.contains(line), "signature block lacks {line:?}: {end}");
    }
}

#[test]
fn the_demo_docx_prints_through_libreoffice_with_its_heading_and_totals() {
    if !tools::require(
        "LibreOffice (soffice)",
        tools::runs(Command::new("soffice").arg("--version")),
        "apt-get install libreoffice-writer-nogui",
    ) || !tools::require(
        "pdftotext",
        tools::runs(Command::new("pdftotext").arg("-v")),
        "apt-get install poppler-utils",
    ) {
        return;
    }
    let (dir, out) = built_demo();
    let pdf_dir = dir.path().join("pdf");
    // A private profile: a second LibreOffice of the user would otherwise
    // take the conversion over, or lock it.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("lo-profile").display()
    );
    let o = Command::new("soffice")
        .args([
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            pdf_dir.to_str().unwrap(),
        ])
        .arg(out.join("2019/data/ke-hoach-2019.docx"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = pdf_dir.join("ke-hoach-2019.pdf");
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((12..=40).contains(&pages), "{pages} pages");
    let txt = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let txt = String::from_utf8_lossy(&txt.stdout).to_string();
    for s in [
        "UBND TỈNH QUẢNG NGÃI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 123/KH-UBND",
        "KẾ HOẠCH",
        "Tổng cộng",
        "Nơi nhận:",
    ] {
        assert!(txt.contains(s), "the PDF lacks {s:?}");
    }
    let json = plan_json(&out);
    let planned = vi(json["totals"]["planned"].as_str().unwrap());
    assert!(
        txt.contains(&planned),
        "the PDF lacks the planned total {planned}"
    );
    // Page numbers in the footer: the last page's number is printed.
    let last = Command::new("pdftotext")
        .args(["-f", &pages.to_string(), "-l", &pages.to_string()])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let last = String::from_utf8_lossy(&last.stdout).to_string();
    assert!(
        last.lines().any(|l| l.trim() == pages.to_string()),
        "no page number {pages} on the last page:\n{last}"
    );
}

#[test]
fn export_docx_writes_the_cycle_and_one_agency_and_refuses_an_unknown_year() {
    if !require_python_docx() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&repo().join("content"), &root.join("content"));
    let r = root.to_str().unwrap();
    let file = dir.path().join("kh.docx");
    let o = planpress(
        &[
            "export",
            "docx",
            "2019",
            "--root",
            r,
            "--output",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(stdout(&o).contains("kh.docx"));
    let d = read_docx(&file);
    assert_eq!(d["tables"].as_array().unwrap().len(), 5);

    let one = dir.path().join("so-tttt.docx");
    let o = planpress(
        &[
            "export",
            "docx",
            "--agency",
            "so-tttt",
            "--root",
            r,
            "--output",
            one.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let d = read_docx(&one);
    let all: String = d["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("Sở Thông tin và Truyền thông"), "{all}");
    assert!(all.contains("VII. TỔ CHỨC THỰC HIỆN"));

    let o = planpress(
        &[
            "export",
            "docx",
            "2030",
            "--root",
            r,
            "--output",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("Không có kỳ kế hoạch 2030"),
        "{}",
        text(&o)
    );
    let o = planpress(
        &[
            "export",
            "docx",
            "--agency",
            "khong-co",
            "--root",
            r,
            "--output",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // The earlier file is still whole: a refused export writes nothing.
    assert_eq!(read_docx(&file)["tables"].as_array().unwrap().len(), 5);
}

#[test]
fn the_data_package_passes_frictionless_and_a_broken_copy_fails() {
    if !tools::require(
        "frictionless",
        tools::runs(Command::new("frictionless").arg("--version")),
        "pip install frictionless==5.21.0",
    ) {
        return;
    }
    let (_dir, out) = built_demo();
    let data = out.join("2019/data");
    let pkg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("datapackage.json")).unwrap()).unwrap();
    let resources = pkg["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 3);
    let projects = &resources[0]["schema"];
    assert_eq!(
        projects["primaryKey"],
        serde_json::json!(["Mã cơ quan", "Mã dự án"])
    );
    let cat = projects["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Mã hạng mục")
        .unwrap();
    assert_eq!(
        cat["constraints"]["enum"],
        serde_json::json!(["ha-tang", "noi-bo", "nguoi-dan", "nhan-luc"])
    );
    let amount = projects["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Tổng kinh phí (triệu đồng)")
        .unwrap();
    assert_eq!(
        (amount["type"].as_str(), amount["unit"].as_str()),
        (Some("number"), Some("triệu đồng"))
    );

    let validate = |dir: &Path| {
        Command::new("frictionless")
            .args(["validate", "datapackage.json"])
            .current_dir(dir)
            .output()
            .unwrap()
    };
    let o = validate(&data);
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    // A category code outside the catalog, and an amount that is not a number.
    let broken = out.join("broken");
    copy_dir(&data, &broken);
    let csv = std::fs::read_to_string(broken.join("projects.csv")).unwrap();
    let csv = csv.replacen(",ha-tang,", ",ha-tang-moi,", 1);
    std::fs::write(broken.join("projects.csv"), csv).unwrap();
    let o = validate(&broken);
    assert!(!o.status.success(), "a code outside the enum passed");
    let report = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        report.contains("constraint-error") || report.contains("constraint"),
        "{report}"
    );
}

#[test]
fn csv_headers_name_units_and_percent_is_written_as_a_sign() {
    let (_dir, out) = built_demo();
    let head = |f: &str| {
        let text = std::fs::read_to_string(out.join("2019/data").join(f)).unwrap();
        text.trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert!(head("projects.csv").contains("Tổng kinh phí (triệu đồng)"));
    assert!(head("projects.csv").contains("Cần thực hiện trong năm 2019 (triệu đồng)"));
    assert!(head("spending.csv").contains("Ngân sách tỉnh (triệu đồng)"));
    let ind = std::fs::read_to_string(out.join("2019/data/indicators.csv")).unwrap();
    assert!(ind.contains(",%,") && !ind.contains(",percent,"));
}

#[test]
fn a_missing_section_of_plan_md_is_w106_and_shows_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&repo().join("content"), &root.join("content"));
    edit(
        &root,
        "content/2019/_plan.md",
        "## Giải pháp thực hiện",
        "## Phụ lục riêng",
    );
    let r = root.to_str().unwrap();
    let o = planpress(&["check", "--root", r, "--format", "json"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let diags: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let w106: Vec<&serde_json::Value> = diags
        .as_array()
        .unwrap()
        .iter()
        // The demo's 2020 and 2026 cycles have their own W106; this is 2019's.
        .filter(|d| d["code"] == "W106" && d["file"] == "content/2019/_plan.md")
        .collect();
    assert_eq!(w106.len(), 1, "{diags:#}");
    assert_eq!(w106[0]["file"], "content/2019/_plan.md");
    assert!(
        w106[0]["message"]
            .as_str()
            .unwrap()
            .contains("V. Giải pháp"),
        "{}",
        w106[0]
    );
    // Pointed at the next section that is there, VII.
    let line = w106[0]["line"].as_u64().unwrap() as usize;
    let src = std::fs::read_to_string(root.join("content/2019/_plan.md")).unwrap();
    assert!(
        src.lines()
            .nth(line - 1)
            .unwrap()
            .contains("Tổ chức thực hiện"),
        "line {line}"
    );
    let out = dir.path().join("out");
    let o = planpress(
        &["build", "--root", r, "--output", out.to_str().unwrap()],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(out.join("2019/index.html")).unwrap();
    let v = &page[page.find("id=\"h-v\"").unwrap()..page.find("id=\"h-vi\"").unwrap()];
    assert!(v.contains("chưa được Sở soạn"), "{v}");
}

#[test]
fn a_bad_document_field_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&repo().join("content"), &root.join("content"));
    edit(
        &root,
        "content/2019/_plan.md",
        "  place: \"Quảng Ngãi\"",
        "  plce: \"Quảng Ngãi\"",
    );
    let o = planpress(
        &[
            "check",
            "--root",
            root.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let diags: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = diags
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == "content/2019/_plan.md")
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // Errors of _plan.md are E070 with the E00x detail in the message.
    assert!(codes.contains(&"E070"), "{diags:#}");
    let text = diags.to_string();
    assert!(
        text.contains("[E004]") && text.contains("`plce`") && text.contains("`place`"),
        "{diags:#}"
    );
}

#[test]
fn the_consolidated_page_has_sections_i_to_vii_and_the_heading_block() {
    let (_dir, out) = built_demo();
    let page = std::fs::read_to_string(out.join("2019/index.html")).unwrap();
    let ids = [
        "id=\"h-i\"",
        "id=\"h-ii\"",
        "id=\"ii-3\"",
        "id=\"h-iii\"",
        "id=\"h-iv\"",
        "id=\"h-v\"",
        "id=\"h-vi\"",
        "id=\"h-vii\"",
    ];
    let at: Vec<usize> = ids
        .iter()
        .map(|i| page.find(i).unwrap_or_else(|| panic!("no {i}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "sections out of order");
    for s in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 123/KH-UBND",
        "Quảng Ngãi, ngày 20 tháng 12 năm 2018",
        "Nơi nhận",
        "Trần Ngọc Căng",
        "Cơ quan chủ quản",
    ] {
        assert!(page.contains(s), "the page lacks {s:?}");
    }
    // The submission table: the demo is a province's cycle, so every
    // agency has its row on the consolidated page (no 0 for one that sent
    // nothing, days late for a late one) and a total row equal to
    // plan.json. The groups' own pages list the same agencies.
    let status = &page[page.find("id=\"cap-status\"").unwrap()..page.find("</table>").unwrap()];
    assert!(status.contains("chưa gửi"), "missing agencies must say so");
    assert!(status.contains(" ngày</td>"), "no days late");
    let groups: String = ["van-phong", "so-ban-nganh", "hoi-doan-the", "huyen"]
        .iter()
        .map(|g| {
            std::fs::read_to_string(out.join(format!("2019/tinh-hinh/{g}/index.html"))).unwrap()
        })
        .collect();
    assert!(groups.contains("chưa gửi"), "missing agencies must say so");
    assert!(groups.contains(" ngày</td>"), "no days late");
    let json = plan_json(&out);
    assert!(
        status.contains(&format!(
            "<td class=\"num\" data-label=\"Cần thực hiện trong năm 2019\">{}</td>",
            vi(json["totals"]["planned"].as_str().unwrap())
        )),
        "{status}"
    );
}

#[test]
fn workbook_totals_are_formulas_whose_cached_values_equal_plan_json() {
    use calamine::{Data, Reader, Xlsx};
    let (_dir, out) = built_demo();
    let json = plan_json(&out);
    let t = &json["totals"];
    let mut wb: Xlsx<_> =
        calamine::open_workbook(out.join("2019/data/ke-hoach-2019.xlsx")).unwrap();
    let names = wb.sheet_names().to_vec();
    let num = |s: &serde_json::Value| -> f64 { s.as_str().unwrap().parse().unwrap() };
    for (sheet, keys) in [
        (&names[0], vec!["total", "spent", "planned"]),
        (&names[1], vec!["spending"]),
    ] {
        let values = wb.worksheet_range(sheet).unwrap();
        let formulas = wb.worksheet_formula(sheet).unwrap();
        let (r, _) = values
            .cells()
            .find(|(_, _, c)| matches!(c, Data::String(s) if s == "Tổng cộng"))
            .map(|(r, c, _)| (r, c))
            .expect("a Tổng cộng row");
        let row: Vec<&Data> = values.rows().nth(r).unwrap().iter().collect();
        for key in keys {
            let want = num(&t[key]);
            let col = row
                .iter()
                .position(|c| matches!(c, Data::Float(f) if (*f - want).abs() < 1e-9))
                .unwrap_or_else(|| panic!("{sheet}: no cached {key} {want} in {row:?}"));
            // The same cell holds a formula adding up the subtotal rows.
            let (r0, c0) = values.start().unwrap();
            let at = (
                u32::try_from(r).unwrap() + r0,
                u32::try_from(col).unwrap() + c0,
            );
            let f = formulas.get_value(at).cloned().unwrap_or_default();
            assert!(
                f.contains('+') || f.starts_with("SUM"),
                "{sheet}: {key} total is not a formula: {f:?}"
            );
        }
        // Every subtotal row is a SUM over its rows.
        let sums = formulas
            .cells()
            .filter(|(_, _, f)| f.starts_with("SUM("))
            .count();
        assert!(sums >= 4, "{sheet}: {sums} SUM formulas");
    }
    // Numbering runs 1..n over the whole annex, as on the page.
    let values = wb.worksheet_range(&names[0]).unwrap();
    let numbers: Vec<f64> = values
        .rows()
        .filter_map(|r| match r.first() {
            Some(Data::Float(f)) => Some(*f),
            _ => None,
        })
        .collect();
    let projects: usize = json["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["projects"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        numbers,
        (1..=projects).map(|n| n as f64).collect::<Vec<_>>()
    );
}
