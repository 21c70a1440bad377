//! `planpress new plan --xlsx` and `planpress import`, run as the binary on
//! real files: workbooks written by the command and by an agency's own
//! spreadsheet, Word files, and sources that are broken or hostile.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use rust_xlsxwriter::Workbook;
use serde_json::Value;
use site::{bin, copy_dir, repo, text};

fn demo(dir: &Path) -> PathBuf {
    let root = dir.join("site");
    copy_dir(&repo().join("content"), &root.join("content"));
    root
}

fn run(root: &Path, args: &[&str]) -> Output {
    bin().args(args).arg("--root").arg(root).output().unwrap()
}

/// The demo's cycles: 2019, 2020 and 2026 (after the 2025 reform, with its
/// own catalog and agencies).
fn years(root: &Path) -> Vec<i32> {
    let mut out: Vec<i32> = std::fs::read_dir(root.join("content"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str()?.parse().ok())
        .collect();
    out.sort_unstable();
    assert!(out.len() >= 3, "the demo has its cycles");
    out
}

fn plans(root: &Path, year: i32) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root.join(format!("content/{year}")))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && !n.starts_with('_'))
        .map(|n| n.trim_end_matches(".md").to_string())
        .collect();
    out.sort();
    out
}

/// Errors `check` reports in `file`.
fn check_errors(root: &Path, file: &str) -> Vec<String> {
    let out = run(root, &["check", "--format", "json"]);
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    all.iter()
        .filter(|d| d["file"] == file && d["severity"] == "error")
        .map(|d| format!("{} {}", d["code"], d["message"]))
        .collect()
}

#[test]
fn every_demo_plan_goes_through_its_workbook_and_back() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    for year in years(&root) {
        let y = year.to_string();
        for agency in plans(&root, year) {
            let md = root.join(format!("content/{year}/{agency}.md"));
            let xlsx = root.join(format!("{agency}-{year}.xlsx"));
            let out = run(&root, &["new", "plan", &agency, "--xlsx", "--year", &y]);
            assert!(out.status.success(), "{agency} {year}: {}", text(&out));
            assert!(xlsx.is_file());
            std::fs::remove_file(&md).unwrap();
            // The year comes from the workbook itself.
            let out = run(&root, &["import", xlsx.to_str().unwrap()]);
            assert!(out.status.success(), "{agency} {year}: {}", text(&out));
            let first = std::fs::read_to_string(&md).unwrap();
            assert!(first.contains(&format!("agency: {agency}")));
            assert!(first.contains("status: draft"), "an import is a draft");
            assert_eq!(
                check_errors(&root, &format!("content/{year}/{agency}.md")),
                Vec::<String>::new(),
                "{agency} {year}"
            );
            // Again from the imported plan: the same file, byte for byte.
            std::fs::remove_file(&xlsx).unwrap();
            let out = run(&root, &["new", "plan", &agency, "--xlsx", "--year", &y]);
            assert!(out.status.success(), "{}", text(&out));
            let out = run(&root, &["import", xlsx.to_str().unwrap(), "--force"]);
            assert!(out.status.success(), "{agency} {year}: {}", text(&out));
            assert_eq!(
                std::fs::read_to_string(&md).unwrap(),
                first,
                "{agency} {year}"
            );
            std::fs::remove_file(&xlsx).unwrap();
        }
    }
    let so_tttt = std::fs::read_to_string(root.join("content/2019/so-tttt.md")).unwrap();
    assert!(so_tttt.contains("total: 735.5"), "exact amounts survive");
}

#[test]
fn import_never_replaces_a_plan_without_force_and_dry_run_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    let md = root.join("content/2019/so-tttt.md");
    let before = std::fs::read(&md).unwrap();
    let out = run(
        &root,
        &[
            "new", "plan", "so-tttt", "--xlsx", "--blank", "--year", "2019",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let xlsx = root.join("so-tttt-2019.xlsx");
    let out = run(&root, &["import", xlsx.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(&md).unwrap(), before);
    let out = run(&root, &["import", xlsx.to_str().unwrap(), "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("---\n"));
    assert_eq!(std::fs::read(&md).unwrap(), before);
    // A second workbook is not written over the first.
    let out = run(
        &root,
        &["new", "plan", "so-tttt", "--xlsx", "--year", "2019"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

/// An agency's own workbook: a title, the header a few rows down and one
/// column in, amounts in tỷ đồng typed as Vietnamese text, names for codes.
/// Row 7 does not add up, row 8 has an unknown category, row 9 a word in an
/// amount cell; there is no VI table.
fn own_workbook(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Kinh phí 2018").unwrap();
    ws.write(0, 1, "BẢNG KINH PHÍ ỨNG DỤNG CNTT NĂM 2018")
        .unwrap();
    ws.write(1, 1, "Đơn vị: Sở Y tế").unwrap();
    let head = [
        "STT",
        "Hạng mục đầu tư",
        "Nội dung, nhiệm vụ",
        "Tổng kinh phí (tỷ đồng)",
        "Ngân sách TW/Tỉnh/Huyện/khác",
        "Nguồn vốn đầu tư/sự nghiệp/khác",
        "Ghi chú",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write(3, u16::try_from(c + 1).unwrap(), *h).unwrap();
    }
    let rows = [
        [
            "1",
            "Hạ tầng kỹ thuật và đảm bảo an toàn an ninh thông tin",
            "Mua máy chủ",
            "1,5",
            "Tỉnh: 1,2; Huyện: 0,3",
            "Kinh phí sự nghiệp",
            "",
        ],
        [
            "2",
            "ung dung cntt trong noi bo co quan nha nuoc",
            "Phần mềm quản lý bệnh viện",
            "2.000",
            "Ngân sách tỉnh",
            "Vốn đầu tư",
            "",
        ],
        [
            "3",
            "Đào tạo nhân lực",
            "Tập huấn",
            "0,25",
            "Ngân sách tỉnh",
            "Kinh phí sự nghiệp",
            "",
        ],
        [
            "4",
            "Hạ tầng kỹ thuật và đảm bảo an toàn, an ninh thông tin",
            "Đường truyền",
            "ba trăm",
            "Ngân sách tỉnh",
            "Kinh phí sự nghiệp",
            "",
        ],
        [
            "5",
            "Ứng dụng CNTT phục vụ người dân và doanh nghiệp",
            "Cổng thông tin",
            "0,4",
            "Tỉnh: 0,3",
            "Kinh phí sự nghiệp",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write(
                u32::try_from(r + 4).unwrap(),
                u16::try_from(c + 1).unwrap(),
                *v,
            )
            .unwrap();
        }
    }
    let ws = wb.add_worksheet().set_name("Chỉ tiêu").unwrap();
    for (c, h) in [
        "TT",
        "Tên chỉ tiêu",
        "Chỉ tiêu năm 2018",
        "Ước thực hiện năm 2018",
        "Mục tiêu năm 2019",
    ]
    .iter()
    .enumerate()
    {
        ws.write(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    ws.write(1, 0, 1).unwrap();
    ws.write(
        1,
        1,
        "Tỷ lệ hồ sơ thủ tục hành chính thực hiện qua mạng Internet",
    )
    .unwrap();
    ws.write(1, 2, 30).unwrap();
    ws.write(1, 3, "27,5").unwrap();
    ws.write(1, 4, 50).unwrap();
    wb.save(path).unwrap();
}

#[test]
fn an_agencys_own_workbook_is_read_by_its_headers_and_every_problem_is_placed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    std::fs::remove_file(root.join("content/2019/so-y-te.md")).unwrap();
    let file = tmp.path().join("ke-hoach-so-y-te.xlsx");
    own_workbook(&file);
    let out = bin()
        .args([
            "import",
            file.to_str().unwrap(),
            "--agency",
            "so-y-te",
            "--year",
            "2019",
            "--format",
            "json",
            "--root",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let at = |code: &str, cell: &str| {
        found
            .iter()
            .find(|d| d["code"] == code && d["cell"] == cell)
            .unwrap_or_else(|| panic!("no {code} at {cell} in {found:#?}"))
    };
    // The split of row 9 (0,3 of 0,4 tỷ) does not add up: at its total.
    at("E030", "'Kinh phí 2018'!E9");
    let e020 = at("E020", "'Kinh phí 2018'!C7");
    let msg = e020["message"].as_str().unwrap();
    assert!(
        msg.contains("Đào tạo nhân lực") && msg.contains("Đào tạo nguồn nhân lực CNTT"),
        "{msg}"
    );
    at("E005", "'Kinh phí 2018'!E8");
    // Said once, at the cell: no second finding that only follows from it.
    let at_cell = |cell: &str| found.iter().filter(|d| d["cell"] == cell).count();
    assert_eq!(at_cell("'Kinh phí 2018'!C7"), 1, "{found:#?}");
    assert_eq!(at_cell("'Kinh phí 2018'!C8"), 0, "{found:#?}");
    let e006 = found.iter().find(|d| d["code"] == "E006").unwrap();
    assert!(e006["message"].as_str().unwrap().contains("VI"), "{e006}");
    // Written as a draft all the same, in million dong, exactly.
    let md = std::fs::read_to_string(root.join("content/2019/so-y-te.md")).unwrap();
    assert!(md.contains("status: draft"));
    assert!(md.contains("total: 1500"), "{md}");
    assert!(md.contains("levels: { tinh: 1200, huyen: 300 }"), "{md}");
    assert!(
        md.contains("total: 2000000"),
        "Vietnamese grouping: 2.000 tỷ"
    );
    assert!(md.contains("category: noi-bo"), "names without diacritics");
    assert!(md.contains("actual: 27.5"), "{md}");
    // The same problems for people, in Vietnamese, at their cells.
    let out = bin()
        .args([
            "import",
            file.to_str().unwrap(),
            "--agency",
            "so-y-te",
            "--year",
            "2019",
            "--dry-run",
            "--root",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ke-hoach-so-y-te.xlsx: 'Kinh phí 2018'!E9: E030 lỗi:"),
        "{err}"
    );
    assert!(err.contains("Chạy thử, không ghi gì"), "{err}");
}

fn docx(path: &Path, body: &str) {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let f = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
    zip.start_file("_rels/.rels", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#).unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
}

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

fn tc(text: &str, extra: &str) -> String {
    format!("<w:tc><w:tcPr>{extra}</w:tcPr>{}</w:tc>", p(text))
}

#[test]
fn a_word_plan_with_merged_headers_is_imported_and_its_problems_placed_by_table_row_column() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    std::fs::remove_file(root.join("content/2019/so-noi-vu.md")).unwrap();
    let vm = "<w:vMerge w:val=\"restart\"/>";
    let cont = "<w:vMerge/>";
    let head1: String = [
        tc("TT", vm),
        tc("Tên dự án, nhiệm vụ", vm),
        tc("Hạng mục đầu tư", vm),
        tc("Thời gian thực hiện", vm),
        tc("Đơn vị chủ trì/ phối hợp", vm),
        tc("Kinh phí (tỷ đồng)", "<w:gridSpan w:val=\"3\"/>"),
        tc("Nguồn kinh phí", "<w:gridSpan w:val=\"2\"/>"),
    ]
    .concat();
    let head2: String = [
        tc("", cont),
        tc("", cont),
        tc("", cont),
        tc("", cont),
        tc("", cont),
        tc("Tổng kinh phí", ""),
        tc("Đã thực hiện", ""),
        tc("Cần thực hiện trong năm 2019", ""),
        tc("Ngân sách TW/Tỉnh/Huyện/khác (ghi rõ)", ""),
        tc("Nguồn vốn đầu tư/ Nguồn sự nghiệp/ khác (ghi rõ)", ""),
    ]
    .concat();
    let row = |cells: &[&str]| -> String {
        format!(
            "<w:tr>{}</w:tr>",
            cells.iter().map(|c| tc(c, "")).collect::<String>()
        )
    };
    let body = [
        p("SỞ NỘI VỤ"),
        p("KẾ HOẠCH Ứng dụng công nghệ thông tin năm 2019"),
        p("III. Mục tiêu ứng dụng CNTT năm 2019"),
        p("Số hóa hồ sơ cán bộ, công chức."),
        p("VI. Kinh phí triển khai kế hoạch"),
        format!(
            "<w:tbl><w:tr>{head1}</w:tr><w:tr>{head2}</w:tr>{}{}</w:tbl>",
            row(&[
                "1",
                "Phần mềm quản lý hồ sơ cán bộ",
                "Ứng dụng CNTT trong nội bộ cơ quan nhà nước",
                "2019 - 2020",
                "Sở Nội vụ; Sở Thông tin và Truyền thông",
                "1,2",
                "0",
                "0,5",
                "Ngân sách tỉnh",
                "Vốn đầu tư"
            ]),
            row(&[
                "2",
                "Số hóa hồ sơ",
                "Ứng dụng CNTT trong nội bộ cơ quan nhà nước",
                "2019",
                "Sở Nội vụ",
                "0,3",
                "0",
                "khoảng 0,3",
                "Ngân sách tỉnh",
                "Kinh phí sự nghiệp"
            ]),
        ),
        p("VII. Tổ chức thực hiện"),
        p("Văn phòng Sở chủ trì."),
    ]
    .concat();
    let file = tmp.path().join("so-noi-vu.docx");
    docx(&file, &body);
    let out = bin()
        .args([
            "import",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--root",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let e005 = found.iter().find(|d| d["code"] == "E005").unwrap();
    assert_eq!(
        (
            e005["table"].as_u64(),
            e005["row"].as_u64(),
            e005["column"].as_u64()
        ),
        (Some(1), Some(4), Some(8)),
        "{e005}"
    );
    let md = std::fs::read_to_string(root.join("content/2019/so-noi-vu.md")).unwrap();
    assert!(
        md.contains("agency: so-noi-vu"),
        "agency from the letterhead: {md}"
    );
    assert!(
        md.contains("cost: { total: 1200, spent: 0, planned: 500 }"),
        "{md}"
    );
    assert!(md.contains("partners: [so-tttt]"), "{md}");
    assert!(md.contains("period: { from: 2019, to: 2020 }"), "{md}");
    assert!(md.contains("Số hóa hồ sơ cán bộ, công chức."), "{md}");
}

fn refused(root: &Path, file: &Path, words: &str) {
    let start = Instant::now();
    let out = bin()
        .args([
            "import",
            file.to_str().unwrap(),
            "--agency",
            "so-tttt",
            "--year",
            "2019",
            "--root",
        ])
        .arg(root)
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(10), "refused quickly");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(words), "{err}");
    assert!(err.contains("Không ghi tệp nào"), "{err}");
}

#[test]
fn broken_protected_legacy_and_hostile_files_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    let md = root.join("content/2019/so-tttt.md");
    std::fs::remove_file(&md).unwrap();

    let corrupt = tmp.path().join("hong.xlsx");
    std::fs::write(&corrupt, b"PK\x03\x04 not really a zip").unwrap();
    refused(&root, &corrupt, "bị hỏng");

    // Excel saves a password-protected workbook as an encrypted OLE file.
    let locked = tmp.path().join("mat-khau.xlsx");
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    std::fs::write(&locked, bytes).unwrap();
    refused(&root, &locked, "mật khẩu");

    let legacy = tmp.path().join("ke-hoach.doc");
    std::fs::write(&legacy, b"old").unwrap();
    refused(&root, &legacy, "soffice --headless --convert-to docx");

    let big = tmp.path().join("lon.xlsx");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(50 * 1024 * 1024 + 1).unwrap();
    refused(&root, &big, "50 MB");

    // A zip whose directory says its one entry inflates to 4 GB.
    let bomb = tmp.path().join("bom.xlsx");
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("xl/workbook.xml", opts).unwrap();
        zip.write_all(b"<workbook/>").unwrap();
        let mut bytes = zip.finish().unwrap().into_inner();
        let cd = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        bytes[cd + 24..cd + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        std::fs::write(&bomb, bytes).unwrap();
    }
    refused(&root, &bomb, "quá lớn");

    // One cell at the last address Excel has: a grid of 17 billion cells
    // if it were laid out, refused before anything is allocated.
    let far = tmp.path().join("xa.xlsx");
    let mut wb = Workbook::new();
    wb.add_worksheet().write(1_048_575, 16_383, "x").unwrap();
    wb.save(&far).unwrap();
    refused(&root, &far, "quá nhiều ô");

    assert!(!md.exists(), "nothing was written");
}

/// Rewrites the stored value (`<v>`) of one cell of the first sheet: how a
/// test gets digits into a cell that a writer taking `f64` cannot write.
fn patch_cell(path: &Path, cell: &str, value: &str) {
    const PART: &str = "xl/worksheets/sheet1.xml";
    let bytes = std::fs::read(path).unwrap();
    let mut old = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut new = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..old.len() {
        let mut entry = old.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if name == PART {
            let text = String::from_utf8(data).unwrap();
            let at = text.find(&format!("<c r=\"{cell}\"")).unwrap();
            let v = at + text[at..].find("<v>").unwrap() + 3;
            let end = v + text[v..].find("</v>").unwrap();
            data = format!("{}{value}{}", &text[..v], &text[end..]).into_bytes();
        }
        new.start_file(name, opts).unwrap();
        new.write_all(&data).unwrap();
    }
    std::fs::write(path, new.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn amounts_come_from_the_files_digits_not_through_a_double() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    std::fs::remove_file(root.join("content/2019/so-y-te.md")).unwrap();
    let file = tmp.path().join("so-y-te.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Kinh phí").unwrap();
    let head = [
        "STT",
        "Hạng mục đầu tư",
        "Nội dung, nhiệm vụ",
        "Tổng kinh phí (triệu đồng)",
        "Ngân sách TW/Tỉnh/Huyện/khác",
        "Nguồn vốn đầu tư/sự nghiệp/khác",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    let rows = [
        (
            "Hạ tầng kỹ thuật và đảm bảo an toàn an ninh thông tin",
            "Máy chủ",
        ),
        ("Ứng dụng CNTT trong nội bộ cơ quan nhà nước", "Phần mềm"),
        ("Ứng dụng CNTT phục vụ người dân và doanh nghiệp", "Cổng"),
        ("Đào tạo nguồn nhân lực CNTT", "Tập huấn"),
    ];
    for (r, (cat, what)) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap();
        ws.write(r, 0, r).unwrap();
        ws.write(r, 1, *cat).unwrap();
        ws.write(r, 2, *what).unwrap();
        ws.write(r, 4, "Ngân sách tỉnh").unwrap();
        ws.write(r, 5, "Kinh phí sự nghiệp").unwrap();
    }
    // 19 significant digits: a double keeps 1234567890.1234567.
    ws.write_number(1, 3, 111.0).unwrap();
    // A formula's cached result, as the file stores it: a double would
    // make it 12345678901.234568.
    ws.write_formula(
        2,
        3,
        rust_xlsxwriter::Formula::new("=12345678901+0.234567").set_result("12345678901.234567"),
    )
    .unwrap();
    // A number kept as text, with Vietnamese separators.
    ws.write(3, 3, "1.234,5").unwrap();
    // Excel's form for a number written with an exponent.
    ws.write_number(4, 3, 222.0).unwrap();
    wb.save(&file).unwrap();
    patch_cell(&file, "D2", "1234567890.123456789");
    patch_cell(&file, "D5", "2.5E-2");
    let out = bin()
        .args([
            "import",
            file.to_str().unwrap(),
            "--agency",
            "so-y-te",
            "--year",
            "2019",
            "--root",
        ])
        .arg(&root)
        .output()
        .unwrap();
    let md = std::fs::read_to_string(root.join("content/2019/so-y-te.md"))
        .unwrap_or_else(|_| panic!("written: {}", text(&out)));
    for total in [
        "total: 1234567890.123456789",
        "total: 12345678901.234567",
        "total: 1234.5",
        "total: 0.025",
    ] {
        assert!(md.contains(total), "{total} in {md}");
    }
}
