//! Round trips over every plan of the demo: the workbook `new plan --xlsx`
//! writes, and a Word file in the letter's layout made here, both read
//! back into the same plan.

#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::path::Path;

use rust_decimal::Decimal;

use super::source::Source;
use super::understand::{Names, Reader, Reading};
use super::{names_of, template};
use crate::diag::Lang;
use crate::model::{Plan, SectionKey, Site};
use crate::plan_doc::{PlanDoc, Sections, SplitDoc, letter_heading, sections_of_body};

fn demo() -> Site {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::load::load(root).unwrap().site
}

fn plans(site: &Site) -> Vec<&Plan> {
    let plans: Vec<&Plan> = site.cycles.iter().flat_map(|c| c.plans.iter()).collect();
    assert!(plans.len() >= 12, "the demo has its plans");
    plans
}

/// The plan as import gives it: a draft, nothing else changed.
fn expected(plan: &Plan) -> (PlanDoc, Sections) {
    let mut doc = PlanDoc::from_plan(plan);
    doc.status = "draft".into();
    (doc, sections_of_body(&plan.body.text))
}

fn read(source: &Source, names: &Names) -> Reading {
    Reader::new(names, Lang::Vi).read(source, "test")
}

fn agency_name(site: &Site, code: &str, year: i32) -> String {
    site.agency(code)
        .map(|a| a.name_in(year).to_string())
        .unwrap_or_default()
}

#[test]
fn every_demo_plan_comes_back_from_its_workbook() {
    let site = demo();
    for plan in plans(&site) {
        // Each cycle reads with its own catalog and agencies.
        let names = names_of(&site, Some(plan.year.value));
        let (doc, sections) = expected(plan);
        let name = agency_name(&site, &doc.agency, doc.year);
        let bytes = template::workbook(&template::TemplateInput {
            agency: &doc.agency,
            agency_name: &name,
            year: doc.year,
            names: &names,
            doc: Some(&doc),
            sections: Some(&sections),
        })
        .unwrap();
        let source = super::xlsx::read(&bytes, Lang::Vi).unwrap();
        let mut got = read(&source, &names);
        assert!(
            got.problems.is_empty(),
            "{}: {:?}",
            doc.agency,
            got.problems
        );
        assert_eq!(
            got.agency.as_ref().map(|a| a.0.as_str()),
            Some(doc.agency.as_str())
        );
        assert_eq!(got.year.as_ref().map(|y| y.0), Some(doc.year));
        got.doc.agency = doc.agency.clone();
        got.doc.year = doc.year;
        assert_eq!(got.doc, doc, "{}", doc.agency);
        assert_eq!(got.sections, sections, "{}", doc.agency);
    }
}

#[test]
fn a_blank_workbook_reads_as_an_empty_draft() {
    let site = demo();
    let names = names_of(&site, Some(2019));
    let bytes = template::workbook(&template::TemplateInput {
        agency: "so-tttt",
        agency_name: "Sở Thông tin và Truyền thông",
        year: 2019,
        names: &names,
        doc: None,
        sections: None,
    })
    .unwrap();
    let source = super::xlsx::read(&bytes, Lang::Vi).unwrap();
    let got = read(&source, &names);
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    assert!(got.doc.spending.is_empty() && got.doc.projects.is_empty());
    // The catalog's indicators are listed, to be filled in.
    assert_eq!(got.doc.indicators.len(), names.indicators.len());
}

// ---- Word files in the letter's layout ---------------------------------

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn para(style: Option<&str>, text: &str) -> String {
    let ppr = style.map_or_else(String::new, |s| {
        format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>")
    });
    let runs: Vec<String> = text
        .split('\n')
        .map(|l| format!("<w:t xml:space=\"preserve\">{}</w:t>", esc(l)))
        .collect();
    format!("<w:p>{ppr}<w:r>{}</w:r></w:p>", runs.join("<w:br/>"))
}

/// A cell: text, columns spanned, and `Some(true)` to start a vertical
/// merge, `Some(false)` to continue one.
struct C<'a>(&'a str, usize, Option<bool>);

fn cell(c: &C<'_>) -> String {
    let mut pr = String::new();
    if c.1 > 1 {
        pr.push_str(&format!("<w:gridSpan w:val=\"{}\"/>", c.1));
    }
    match c.2 {
        Some(true) => pr.push_str("<w:vMerge w:val=\"restart\"/>"),
        Some(false) => pr.push_str("<w:vMerge/>"),
        None => {}
    }
    let paras: String = c.0.split('\n').map(|l| para(None, l)).collect();
    format!("<w:tc><w:tcPr>{pr}</w:tcPr>{paras}</w:tc>")
}

fn table(rows: &[Vec<C<'_>>]) -> String {
    let rows: String = rows
        .iter()
        .map(|r| format!("<w:tr>{}</w:tr>", r.iter().map(cell).collect::<String>()))
        .collect();
    format!("<w:tbl>{rows}</w:tbl>")
}

/// An amount in tỷ đồng, written the Vietnamese way.
fn ty(v: Decimal) -> String {
    crate::model::money::format_grouped((v / Decimal::from(1000)).normalize(), Lang::Vi)
}

fn split_text(split: &SplitDoc, whole: Option<Decimal>, list: &[(String, String)]) -> String {
    let name = |id: &str| {
        list.iter()
            .find(|(i, _)| i == id)
            .map(|(_, n)| n.clone())
            .unwrap()
    };
    match split.0.as_slice() {
        [(id, v)] if Some(*v) == whole => name(id),
        parts => parts
            .iter()
            .map(|(id, v)| format!("{}: {}", name(id), ty(*v)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// A Word plan in the letter's layout: headings I–VII, the II.2 table with
/// its group rows and two header rows, the VI annex with merged headers,
/// amounts in tỷ đồng with Vietnamese numbers, agencies by name.
fn word_plan(site: &Site, names: &Names, doc: &PlanDoc, sections: &Sections) -> Vec<u8> {
    let year = doc.year;
    let prior = year - 1;
    let name_of = |list: &[(String, String)], id: &str| {
        list.iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let mut body = String::new();
    body.push_str(&para(
        None,
        &agency_name(site, &doc.agency, doc.year).to_uppercase(),
    ));
    body.push_str(&para(
        Some("Title"),
        &format!("KẾ HOẠCH Ứng dụng công nghệ thông tin năm {year}"),
    ));
    body.push_str(&para(Some("Heading1"), "I. Căn cứ lập Kế hoạch"));
    for b in &doc.legal_bases {
        body.push_str(&para(None, &format!("- {b};")));
    }
    body.push_str(&para(Some("Heading1"), "II. Hiện trạng ứng dụng CNTT"));
    body.push_str(&para(
        Some("Heading2"),
        &format!("1. Đánh giá tổng quan ước thực hiện các chỉ tiêu theo kế hoạch {prior}"),
    ));
    let mut rows = vec![vec![
        C("TT", 1, None),
        C("Tên chỉ tiêu", 1, None),
        C("Mã", 1, None),
        C("Đơn vị tính", 1, None),
        C("Chỉ tiêu năm trước", 1, None),
        C("Ước thực hiện", 1, None),
        C("Mục tiêu năm kế hoạch", 1, None),
        C("Tình hình (chỉ tiêu mô tả)", 1, None),
        C("Ghi chú", 1, None),
    ]];
    let texts: Vec<Vec<String>> = doc
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let known = names.indicators.iter().find(|(id, _, _)| *id == ind.id);
            let num = |v: Option<Decimal>| {
                v.map(|v| crate::model::money::format_grouped(v, Lang::Vi))
                    .unwrap_or_default()
            };
            vec![
                (i + 1).to_string(),
                known.map_or_else(|| ind.name.clone().unwrap_or_default(), |k| k.1.clone()),
                ind.id.clone(),
                ind.unit.clone().unwrap_or_default(),
                num(ind.target),
                num(ind.actual),
                num(ind.goal),
                ind.value.clone().unwrap_or_default(),
                ind.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    for t in &texts {
        rows.push(t.iter().map(|s| C(s, 1, None)).collect());
    }
    body.push_str(&table(&rows));

    body.push_str(&para(
        Some("Heading2"),
        &format!("2. Kinh phí đã và đang thực hiện Kế hoạch đầu tư ứng dụng CNTT năm {prior}"),
    ));
    body.push_str(&para(None, "Đơn vị tính: tỷ đồng"));
    let head = format!("Ước kinh phí thực hiện năm {prior}");
    let mut rows = vec![
        vec![
            C("TT", 1, Some(true)),
            C("Nội dung/Nhiệm vụ", 1, Some(true)),
            C(&head, 4, None),
        ],
        vec![
            C("", 1, Some(false)),
            C("", 1, Some(false)),
            C("Tổng kinh phí", 1, None),
            C("Ngân sách TW/Tỉnh/Huyện/khác cấp", 1, None),
            C("Nguồn vốn đầu tư/nguồn sự nghiệp/khác", 1, None),
            C("Ghi chú (căn cứ Quyết định phê duyệt, ...)", 1, None),
        ],
    ];
    let mut texts: Vec<Vec<String>> = Vec::new();
    let mut last: Option<&str> = None;
    let mut group = 0;
    for s in &doc.spending {
        if last != Some(s.category.as_str()) {
            group += 1;
            let roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"][(group - 1) % 8];
            texts.push(vec![
                roman.into(),
                name_of(&names.categories, &s.category).to_uppercase(),
            ]);
            last = Some(&s.category);
        }
        texts.push(vec![
            String::new(),
            s.task.clone(),
            s.total.map(ty).unwrap_or_default(),
            split_text(&s.levels, s.total, &names.levels),
            split_text(&s.kinds, s.total, &names.kinds),
            s.basis.clone().unwrap_or_default(),
        ]);
    }
    for t in &texts {
        let mut row: Vec<C<'_>> = t.iter().map(|s| C(s, 1, None)).collect();
        if row.len() == 2 {
            row.push(C("", 4, None));
        }
        rows.push(row);
    }
    body.push_str(&table(&rows));

    for key in SectionKey::ALL {
        let style = if key == SectionKey::DanhGia {
            "Heading2"
        } else {
            "Heading1"
        };
        if key == SectionKey::ToChuc {
            body.push_str(&para(Some("Heading1"), "VI. Kinh phí triển khai kế hoạch"));
            body.push_str(&para(None, "Đơn vị tính: tỷ đồng"));
            body.push_str(&projects_table(doc, names, year));
        }
        body.push_str(&para(Some(style), &letter_heading(key, year)));
        if let Some(text) = sections.get(key.id()) {
            for block in text.split("\n\n") {
                match block.strip_prefix("### ") {
                    Some(h) => body.push_str(&para(Some("Heading3"), h)),
                    None => body.push_str(&para(None, block)),
                }
            }
        }
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}</w:body></w:document>"
    );
    docx_bytes(&xml)
}

fn projects_table(doc: &PlanDoc, names: &Names, year: i32) -> String {
    let todo = format!("Cần triển khai năm {year}");
    let planned = format!("Cần thực hiện trong năm {year}");
    let v = Some(true);
    let mut rows = vec![
        vec![
            C("TT", 1, v),
            C("Mã", 1, v),
            C("Tên dự án, nhiệm vụ", 1, v),
            C("Hạng mục đầu tư", 1, v),
            C("Mục tiêu, Quy mô", 1, v),
            C("Thời gian thực hiện", 1, v),
            C("Đơn vị chủ trì/ phối hợp", 1, v),
            C("Nội dung /hạng mục công việc", 2, None),
            C("Kinh phí", 3, None),
            C("Nguồn kinh phí", 2, None),
            C("Chủ đầu tư", 1, v),
            C("Quyết định phê duyệt", 1, v),
            C("Sự cần thiết", 1, v),
            C("Tiêu chuẩn kỹ thuật, công nghệ áp dụng", 1, v),
            C("Địa điểm", 1, v),
            C("Ghi chú", 1, v),
        ],
        {
            let c = Some(false);
            let mut r: Vec<C<'_>> = (0..7).map(|_| C("", 1, c)).collect();
            r.extend([
                C("Đã triển khai", 1, None),
                C(&todo, 1, None),
                C("Tổng kinh phí", 1, None),
                C("Đã thực hiện", 1, None),
                C(&planned, 1, None),
                C("Ngân sách TW/Tỉnh/Huyện/khác (ghi rõ)", 1, None),
                C("Nguồn vốn đầu tư/ Nguồn sự nghiệp/ khác (ghi rõ)", 1, None),
            ]);
            r.extend((0..6).map(|_| C("", 1, c)));
            r
        },
    ];
    let name_of = |list: &[(String, String)], id: &str| {
        list.iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let mut projects: Vec<_> = doc.projects.iter().collect();
    projects.sort_by_key(|p| p.priority);
    let texts: Vec<Vec<String>> = projects
        .iter()
        .map(|p| {
            let period = p.period.as_ref().unwrap();
            let (from, to) = (period.from.unwrap(), period.to.unwrap());
            let mut agencies = vec![name_of(&names.agencies, &p.lead)];
            agencies.extend(p.partners.iter().map(|a| name_of(&names.agencies, a)));
            let o = |s: &Option<String>| s.clone().unwrap_or_default();
            vec![
                p.priority.unwrap().to_string(),
                p.id.clone(),
                p.name.clone(),
                name_of(&names.categories, &p.category),
                o(&p.objective),
                if from == to {
                    from.to_string()
                } else {
                    format!("{from} - {to}")
                },
                agencies.join("; "),
                o(&p.done),
                o(&p.todo),
                p.cost.total.map(ty).unwrap_or_default(),
                p.cost.spent.map(ty).unwrap_or_default(),
                p.cost.planned.map(ty).unwrap_or_default(),
                split_text(&p.levels, p.cost.planned, &names.levels),
                split_text(&p.kinds, p.cost.planned, &names.kinds),
                o(&p.investor),
                o(&p.approval),
                o(&p.necessity),
                o(&p.standards),
                o(&p.location),
                o(&p.note),
            ]
        })
        .collect();
    for t in &texts {
        rows.push(t.iter().map(|s| C(s, 1, None)).collect());
    }
    table(&rows)
}

pub(super) fn docx_bytes(document_xml: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        )
        .unwrap();
        zip.start_file("_rels/.rels", opts).unwrap();
        zip.write_all(
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        )
        .unwrap();
        zip.start_file("word/document.xml", opts).unwrap();
        zip.write_all(document_xml.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn every_demo_plan_comes_back_from_a_word_file_in_the_letters_layout() {
    let site = demo();
    for plan in plans(&site) {
        // Each cycle reads with its own catalog and agencies.
        let names = names_of(&site, Some(plan.year.value));
        let (mut doc, sections) = expected(plan);
        let bytes = word_plan(&site, &names, &doc, &sections);
        let source = super::docx::read(&bytes).unwrap();
        let mut got = read(&source, &names);
        assert!(
            got.problems.is_empty(),
            "{}: {:?}",
            doc.agency,
            got.problems
        );
        assert_eq!(
            super::agency_in_text(&source, &names).as_deref(),
            Some(doc.agency.as_str())
        );
        assert_eq!(super::year_in_text(&source), Some(doc.year));
        got.doc.agency = doc.agency.clone();
        got.doc.year = doc.year;
        // A Word plan carries no contact or date block.
        doc.contact = None;
        doc.submitted = None;
        assert_eq!(got.doc, doc, "{}", doc.agency);
        let mut want = sections.clone();
        want.remove(crate::plan_doc::INTRO);
        for (k, v) in &want {
            let g = got.sections.get(k).map_or("", String::as_str);
            let at = g.chars().zip(v.chars()).take_while(|(a, b)| a == b).count();
            let near: String = v.chars().skip(at.saturating_sub(30)).take(60).collect();
            let got_near: String = g.chars().skip(at.saturating_sub(30)).take(60).collect();
            assert_eq!(
                g, v,
                "{} {k} differs near {near:?}, got {got_near:?}",
                doc.agency
            );
        }
        assert_eq!(got.sections, want, "{}", doc.agency);
    }
}
