//! The CSV downloads: one file per table of the consolidated cycle, made to
//! open in Excel on Windows as they are (BOM, CRLF) and never to run as a
//! formula there.

use rust_decimal::Decimal;

use super::{
    BOM, agency_name, by_priority, category_columns, indicator_name, indicator_unit, kind_columns,
    level_columns, money_unit, opt, period_text, source_headers, unit_text,
};
use crate::consolidate::{CycleReport, split_share};
use crate::diag::Lang;
use crate::model::{Amount, Site};

/// A CSV file: BOM, then RFC 4180 records with CRLF line ends.
fn csv_bytes(header: Vec<String>, rows: Vec<Vec<String>>) -> Vec<u8> {
    // Sized up front: growing a 6 MB buffer by doubling copies it again
    // and again.
    let size: usize = std::iter::once(&header)
        .chain(&rows)
        .map(|r| r.iter().map(|f| f.len() + 3).sum::<usize>() + 2)
        .sum();
    let mut buf = Vec::with_capacity(BOM.len() + size + size / 16);
    buf.extend_from_slice(BOM);
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(buf);
    for record in std::iter::once(header).chain(rows) {
        let record: Vec<_> = record.iter().map(|f| neutralised(f)).collect();
        // Writing into memory cannot fail; stop cleanly if it ever did.
        if w.write_record(record.iter().map(|f| f.as_bytes())).is_err() {
            break;
        }
    }
    w.into_inner().unwrap_or_default()
}

/// A CSV field as a spreadsheet may read it. Excel, LibreOffice and Google
/// Sheets run a field that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return as a formula (`=HYPERLINK(…)` in a project's name), so
/// such text gets a leading `'`, as OWASP advises for CSV injection. A plain
/// number (`-1.5`) is left as it is: it is data, not a formula.
fn neutralised(field: &str) -> std::borrow::Cow<'_, str> {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && Decimal::from_str_exact(field).is_err() {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

fn amount_cell(a: Option<Amount>) -> String {
    a.map(|a| a.to_string()).unwrap_or_default()
}

/// `projects.csv`: the VI annex of every published plan, one row per
/// project, in agency order then priority.
pub(crate) fn projects_csv(site: &Site, report: &CycleReport<'_>) -> Vec<u8> {
    let year = report.year;
    let levels = level_columns(site, report);
    let kinds = kind_columns(site, report);
    let (level_heads, kind_heads) = source_headers(&levels, &kinds);
    let mut header: Vec<String> = [
        "Mã cơ quan",
        "Cơ quan",
        "TT",
        "Mã dự án",
        "Tên dự án, nhiệm vụ",
        "Mã hạng mục",
        "Hạng mục",
        "Mục tiêu, quy mô",
        "Thời gian thực hiện",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Đã triển khai",
    ]
    .map(String::from)
    .to_vec();
    // Amount headers carry their unit, so a CSV read on its own says what
    // its numbers are.
    let u = money_unit(site).label(Lang::Vi);
    header.push(format!("Cần triển khai năm {year}"));
    header.push(format!("Tổng kinh phí ({u})"));
    header.push(format!("Đã thực hiện ({u})"));
    header.push(format!("Cần thực hiện trong năm {year} ({u})"));
    header.extend(level_heads.iter().map(|h| format!("{h} ({u})")));
    header.extend(kind_heads.iter().map(|h| format!("{h} ({u})")));
    header.extend(
        [
            "Chủ đầu tư",
            "Quyết định phê duyệt",
            "Sự cần thiết phải đầu tư",
            "Tiêu chuẩn kỹ thuật, công nghệ áp dụng",
            "Địa điểm",
            "Ghi chú",
        ]
        .map(String::from),
    );
    let categories = category_columns(site, report);
    let category_name = |id: &str| {
        categories
            .iter()
            .find(|(k, _)| k == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let mut rows = Vec::new();
    for (agency, plan) in report.plans() {
        for p in by_priority(plan) {
            let mut row = vec![
                agency.code.value.clone(),
                agency.name_in(report.year).to_string(),
                p.priority.value.to_string(),
                p.id.value.clone(),
                p.name.clone(),
                p.category.value.clone(),
                category_name(&p.category.value),
                opt(&p.objective),
                period_text(&p.period),
                agency_name(site, report.year, &p.lead.value),
                p.partners
                    .iter()
                    .map(|c| agency_name(site, report.year, &c.value))
                    .collect::<Vec<_>>()
                    .join("; "),
                opt(&p.done),
                opt(&p.todo),
                p.cost.total.value.to_string(),
                p.cost.spent.value.to_string(),
                p.cost.planned.value.to_string(),
            ];
            row.extend(
                levels
                    .iter()
                    .map(|(id, _)| amount_cell(split_share(&p.levels.value, id))),
            );
            row.extend(
                kinds
                    .iter()
                    .map(|(id, _)| amount_cell(split_share(&p.kinds.value, id))),
            );
            row.extend([
                opt(&p.investor),
                opt(&p.approval),
                opt(&p.necessity),
                opt(&p.standards),
                opt(&p.location),
                opt(&p.note),
            ]);
            rows.push(row);
        }
    }
    csv_bytes(header, rows)
}

/// `spending.csv`: every II.2 row (prior-year spending) of every published
/// plan, in agency order then as written.
pub(crate) fn spending_csv(site: &Site, report: &CycleReport<'_>) -> Vec<u8> {
    let levels = level_columns(site, report);
    let kinds = kind_columns(site, report);
    let (level_heads, kind_heads) = source_headers(&levels, &kinds);
    let categories = category_columns(site, report);
    let mut header: Vec<String> = [
        "Mã cơ quan",
        "Cơ quan",
        "Mã hạng mục",
        "Hạng mục đầu tư",
        "Nội dung/Nhiệm vụ",
    ]
    .map(String::from)
    .to_vec();
    let u = money_unit(site).label(Lang::Vi);
    header.push(format!("Tổng kinh phí ({u})"));
    header.extend(level_heads.iter().map(|h| format!("{h} ({u})")));
    header.extend(kind_heads.iter().map(|h| format!("{h} ({u})")));
    header.push("Ghi chú (căn cứ Quyết định phê duyệt)".into());
    let mut rows = Vec::new();
    for (agency, plan) in report.plans() {
        for r in &plan.spending {
            let mut row = vec![
                agency.code.value.clone(),
                agency.name_in(report.year).to_string(),
                r.category.value.clone(),
                categories
                    .iter()
                    .find(|(k, _)| *k == r.category.value)
                    .map_or_else(|| r.category.value.clone(), |(_, n)| n.clone()),
                r.task.clone(),
                r.total.value.to_string(),
            ];
            row.extend(
                levels
                    .iter()
                    .map(|(id, _)| amount_cell(split_share(&r.levels.value, id))),
            );
            row.extend(
                kinds
                    .iter()
                    .map(|(id, _)| amount_cell(split_share(&r.kinds.value, id))),
            );
            row.push(opt(&r.basis));
            rows.push(row);
        }
    }
    csv_bytes(header, rows)
}

/// `indicators.csv`: every II.1 indicator value of every published plan.
/// `Đơn vị` is written as a reader knows it: `%`, `số lượng`, or empty for text.
pub(crate) fn indicators_csv(site: &Site, report: &CycleReport<'_>) -> Vec<u8> {
    let year = report.year;
    let prior = year - 1;
    let header = vec![
        "Mã cơ quan".to_string(),
        "Cơ quan".into(),
        "Mã chỉ tiêu".into(),
        "Chỉ tiêu".into(),
        "Đơn vị".into(),
        format!("Chỉ tiêu năm {prior}"),
        format!("Ước thực hiện năm {prior}"),
        format!("Mục tiêu năm {year}"),
        "Nội dung".into(),
        "Ghi chú".into(),
    ];
    let num = |v: &Option<crate::model::Spanned<Decimal>>| {
        v.as_ref().map(|v| v.value.to_string()).unwrap_or_default()
    };
    let mut rows = Vec::new();
    for (agency, plan) in report.plans() {
        for iv in &plan.indicators {
            rows.push(vec![
                agency.code.value.clone(),
                agency.name_in(report.year).to_string(),
                iv.id.value.clone(),
                indicator_name(site, report.year, iv),
                unit_text(indicator_unit(site, report.year, iv)).to_string(),
                num(&iv.target),
                num(&iv.actual),
                num(&iv.goal),
                opt(&iv.value),
                opt(&iv.note),
            ]);
        }
    }
    csv_bytes(header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_read_as_formulas_are_quoted() {
        for (cell, out) in [
            ("=1+1", "'=1+1"),
            ("+84 255", "'+84 255"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-1.5", "-1.5"),
            ("1500", "1500"),
            ("Hạ tầng = 5", "Hạ tầng = 5"),
            ("", ""),
        ] {
            assert_eq!(neutralised(cell), out, "{cell:?}");
        }
    }
}
