//! The workbook of `planpress new plan AGENCY --xlsx`: the letter's tables
//! as sheets with Vietnamese headers, lists of names for every code, sum
//! checks that turn red, protected headers and instructions. `import`
//! reads it back by the words of its headers, like any other workbook.

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    ConditionalFormatFormula, DataValidation, Format, FormatAlign, FormatBorder, Formula,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use super::source::{column_name, sheet_ref};
use super::understand::Names;
use crate::model::{MoneyUnit, SectionKey};
use crate::plan_doc::{PlanDoc, Sections, SplitDoc};

/// Empty rows left under the filled ones of each table.
const SPARE_ROWS: u32 = 30;

/// Everything the workbook shows.
pub(crate) struct TemplateInput<'a> {
    pub(crate) agency: &'a str,
    pub(crate) agency_name: &'a str,
    pub(crate) year: i32,
    pub(crate) names: &'a Names,
    /// The plan to prefill, or none for a blank workbook.
    pub(crate) doc: Option<&'a PlanDoc>,
    pub(crate) sections: Option<&'a Sections>,
}

struct Styles {
    header: Format,
    title: Format,
    cell: Format,
    amount: Format,
    check: Format,
    red: Format,
    note: Format,
}

fn styles() -> Styles {
    let border = FormatBorder::Thin;
    Styles {
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(0x00DD_EBF7)
            .set_border(border)
            .set_locked(),
        title: Format::new().set_bold().set_font_size(13).set_locked(),
        cell: Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(border)
            .set_unlocked(),
        amount: Format::new()
            .set_num_format("#,##0.####")
            .set_align(FormatAlign::Top)
            .set_border(border)
            .set_unlocked(),
        check: Format::new()
            .set_align(FormatAlign::Center)
            .set_border(border)
            .set_background_color(0x00F2_F2F2)
            .set_locked(),
        red: Format::new()
            .set_font_color(0x009C_0006)
            .set_background_color(0x00FF_C7CE),
        note: Format::new().set_text_wrap().set_italic().set_locked(),
    }
}

/// Writes an amount as a number cell when the number reads back exactly
/// (up to 15 digits, Excel's precision), else as text, which `import` reads
/// exactly too. The `f64` is only the writer's way of taking a number: it
/// is used when its shortest form is the amount's own digits, which is
/// what lands in the sheet's `<v>` and what `import` reads back (never the
/// double itself); no arithmetic is done on it.
fn amount(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<Decimal>,
    st: &Styles,
) -> Result<(), XlsxError> {
    let Some(v) = v else {
        ws.write_blank(row, col, &st.amount)?;
        return Ok(());
    };
    let text = v.normalize().to_string();
    match text.parse::<f64>() {
        Ok(f) if format!("{f}") == text => ws.write_number_with_format(row, col, f, &st.amount)?,
        _ => ws.write_string_with_format(row, col, &text, &st.amount)?,
    };
    Ok(())
}

fn check_formula(f: String) -> Formula {
    Formula::new(f)
}

/// Check formulas store an empty result: Excel computes them on opening,
/// but LibreOffice shows the stored results of an .xlsx until a cell they
/// depend on changes, and a stored 0 would read as a finding.
fn empty_results(ws: &mut Worksheet) {
    ws.set_formula_result_default("");
}

fn text(ws: &mut Worksheet, row: u32, col: u16, v: &str, st: &Styles) -> Result<(), XlsxError> {
    if v.is_empty() {
        ws.write_blank(row, col, &st.cell)?;
    } else {
        ws.write_string_with_format(row, col, v, &st.cell)?;
    }
    Ok(())
}

fn protect(ws: &mut Worksheet) {
    let opts = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        ..ProtectionOptions::default()
    };
    ws.protect_with_options(&opts);
}

fn name_of(list: &[(String, String)], id: &str) -> String {
    list.iter()
        .find(|(i, _)| i == id)
        .map_or_else(|| id.to_string(), |(_, n)| n.clone())
}

fn unit_label(unit: Option<MoneyUnit>) -> &'static str {
    unit.unwrap_or(MoneyUnit::TrieuDong)
        .label(crate::diag::Lang::Vi)
}

/// A list validation from a column of the `Danh mục` sheet.
fn list(col: u16, n: usize, what: &str) -> Result<DataValidation, XlsxError> {
    let c = column_name(u32::from(col));
    let last = n.max(1) + 1;
    DataValidation::new()
        .allow_list_formula(Formula::new(format!("='Danh mục'!${c}$2:${c}${last}")))
        .set_error_title("Chọn trong danh sách")?
        .set_error_message(format!(
            "Chọn {what} trong danh sách thả xuống (sheet Danh mục)."
        ))
}

fn split_amount(split: &SplitDoc, id: &str) -> Option<Decimal> {
    split.0.iter().find(|(k, _)| k == id).map(|(_, v)| *v)
}

/// The workbook's bytes.
pub(crate) fn workbook(input: &TemplateInput<'_>) -> Result<Vec<u8>, XlsxError> {
    let st = styles();
    let names = input.names;
    let year = input.year;
    let prior = year - 1;
    let unit = unit_label(names.money_unit);
    let empty = PlanDoc::default();
    let doc = input.doc.unwrap_or(&empty);
    let mut wb = Workbook::new();

    // ---- Hướng dẫn
    {
        let ws = wb.add_worksheet().set_name("Hướng dẫn")?;
        ws.set_column_width(0, 110)?;
        let lines = [
            format!(
                "KẾ HOẠCH ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM {year} — {}",
                input.agency_name
            ),
            String::new(),
            "Cách điền:".into(),
            "1. Sheet \"Thông tin chung\": người liên hệ, ngày gửi (ngày/tháng/năm), căn cứ riêng của đơn vị.".into(),
            format!("2. Sheet \"II.1\": chỉ tiêu năm {prior}, ước thực hiện năm {prior}, mục tiêu năm {year}. Tỷ lệ ghi số từ 0 đến 100."),
            format!("3. Sheet \"II.2\": kinh phí đã và đang thực hiện năm {prior}, mỗi nhiệm vụ một dòng."),
            format!("4. Sheet \"VI\": danh mục dự án, nhiệm vụ năm {year}, theo thứ tự ưu tiên (cột TT: 1 là cấp thiết nhất)."),
            "5. Sheet \"Nội dung\": các mục II.3, III, IV, V, VII; mỗi mục viết trong một ô (Alt+Enter để xuống dòng).".into(),
            format!("Số tiền tính bằng {unit}. Gõ số như thường lệ (1.234,5); không gõ chữ vào ô số tiền."),
            "Hạng mục đầu tư và đơn vị chủ trì: chọn trong danh sách thả xuống. Đơn vị phối hợp: tên các cơ quan, cách nhau bằng dấu chấm phẩy (;).".into(),
            "Mã dự án: chữ thường không dấu, số và gạch ngang (ví dụ mot-cua-dien-tu); để trống thì mã được tạo từ tên dự án.".into(),
            "Cột \"Kiểm tra\" chuyển đỏ khi các khoản theo cấp ngân sách hoặc theo nguồn vốn cộng lại không bằng tổng.".into(),
            "Không sửa các dòng tiêu đề (đã khóa). Thêm dòng trong vùng trống bên dưới mỗi bảng.".into(),
            String::new(),
            "Khi xong, gửi tệp cho Sở Thông tin và Truyền thông, hoặc tự nhập: planpress import TỆP.xlsx".into(),
        ];
        for (i, l) in lines.iter().enumerate() {
            let r = u32::try_from(i).unwrap_or(0);
            if i == 0 {
                ws.write_string_with_format(r, 0, l, &st.title)?;
            } else {
                ws.write_string_with_format(r, 0, l, &st.note)?;
            }
        }
        protect(ws);
    }

    // ---- Thông tin chung
    {
        let ws = wb.add_worksheet().set_name("Thông tin chung")?;
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 90)?;
        ws.write_string_with_format(0, 0, "Thông tin", &st.header)?;
        ws.write_string_with_format(0, 1, "Nội dung", &st.header)?;
        let contact = doc.contact.clone().unwrap_or_default();
        let submitted = doc.submitted.as_deref().map(|d| {
            let p: Vec<&str> = d.split('-').collect();
            match p.as_slice() {
                [y, m, dd] => format!("{dd}/{m}/{y}"),
                _ => d.to_string(),
            }
        });
        let mut rows: Vec<(String, String)> = vec![
            ("Mã cơ quan".into(), input.agency.to_string()),
            ("Tên cơ quan".into(), input.agency_name.to_string()),
            ("Năm kế hoạch".into(), year.to_string()),
            (
                "Ngày gửi (ngày/tháng/năm)".into(),
                submitted.unwrap_or_default(),
            ),
            ("Người liên hệ".into(), contact.name.unwrap_or_default()),
            ("Điện thoại".into(), contact.phone.unwrap_or_default()),
            ("Thư điện tử".into(), contact.email.unwrap_or_default()),
        ];
        for b in &doc.legal_bases {
            rows.push(("Căn cứ".into(), b.clone()));
        }
        for _ in 0..5 {
            rows.push(("Căn cứ".into(), String::new()));
        }
        for (i, (label, value)) in rows.iter().enumerate() {
            let r = u32::try_from(i + 1).unwrap_or(0);
            ws.write_string_with_format(r, 0, label, &st.header)?;
            if label == "Năm kế hoạch" {
                ws.write_number_with_format(r, 1, f64::from(year), &st.check)?;
            } else if i < 2 {
                ws.write_string_with_format(r, 1, value, &st.check)?;
            } else {
                text(ws, r, 1, value, &st)?;
            }
        }
        protect(ws);
    }

    // ---- II.1
    {
        let ws = wb.add_worksheet().set_name("II.1")?;
        ws.write_string_with_format(
            0,
            0,
            format!(
                "II.1. Đánh giá tổng quan ước thực hiện các chỉ tiêu theo kế hoạch năm {prior}"
            ),
            &st.title,
        )?;
        let heads = [
            ("TT", 5),
            ("Tên chỉ tiêu", 50),
            ("Mã", 18),
            ("Đơn vị tính", 12),
            (&*format!("Chỉ tiêu năm {prior}"), 14),
            (&*format!("Ước thực hiện năm {prior}"), 14),
            (&*format!("Mục tiêu năm {year}"), 14),
            ("Nội dung (chỉ tiêu mô tả)", 50),
            ("Ghi chú", 30),
        ];
        for (c, (h, w)) in heads.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(0);
            ws.write_string_with_format(1, c, *h, &st.header)?;
            ws.set_column_width(c, *w)?;
        }
        ws.set_row_height(1, 45)?;
        // The catalog's indicators for this agency, then its own.
        let mut rows: Vec<crate::plan_doc::IndicatorDoc> = doc.indicators.clone();
        if input.doc.is_none() {
            for (id, _, _) in &names.indicators {
                rows.push(crate::plan_doc::IndicatorDoc {
                    id: id.clone(),
                    ..Default::default()
                });
            }
        }
        let n = u32::try_from(rows.len()).unwrap_or(0);
        for r in 0..n + SPARE_ROWS {
            let row = r + 2;
            let ind = rows.get(r as usize);
            let known = ind.and_then(|i| names.indicators.iter().find(|(id, _, _)| *id == i.id));
            let (name, unit) = match (ind, known) {
                (_, Some((_, name, unit))) => (name.clone(), unit.clone()),
                (Some(i), None) => (
                    i.name.clone().unwrap_or_default(),
                    i.unit.clone().unwrap_or_default(),
                ),
                _ => (String::new(), String::new()),
            };
            let unit = match unit.as_str() {
                "percent" => "%".to_string(),
                "count" => "số lượng".to_string(),
                "text" => "mô tả".to_string(),
                u => u.to_string(),
            };
            if ind.is_some() {
                ws.write_number_with_format(row, 0, f64::from(r + 1), &st.cell)?;
            } else {
                ws.write_blank(row, 0, &st.cell)?;
            }
            text(ws, row, 1, &name, &st)?;
            text(ws, row, 2, ind.map_or("", |i| i.id.as_str()), &st)?;
            text(ws, row, 3, &unit, &st)?;
            amount(ws, row, 4, ind.and_then(|i| i.target), &st)?;
            amount(ws, row, 5, ind.and_then(|i| i.actual), &st)?;
            amount(ws, row, 6, ind.and_then(|i| i.goal), &st)?;
            text(
                ws,
                row,
                7,
                ind.and_then(|i| i.value.as_deref()).unwrap_or(""),
                &st,
            )?;
            text(
                ws,
                row,
                8,
                ind.and_then(|i| i.note.as_deref()).unwrap_or(""),
                &st,
            )?;
        }
        ws.set_freeze_panes(2, 2)?;
        protect(ws);
    }

    let levels = &names.levels;
    let kinds = &names.kinds;
    let nl = u16::try_from(levels.len()).unwrap_or(0);
    let nk = u16::try_from(kinds.len()).unwrap_or(0);

    // ---- II.2
    {
        let ws = wb.add_worksheet().set_name("II.2")?;
        empty_results(ws);
        ws.write_string_with_format(
            0,
            0,
            format!(
                "II.2. Kinh phí đã và đang thực hiện Kế hoạch năm {prior} (đơn vị tính: {unit})"
            ),
            &st.title,
        )?;
        let total_col: u16 = 3;
        let lv0 = total_col + 1;
        let kd0 = lv0 + nl;
        let chk = kd0 + nk;
        let basis = chk + 2;
        for (c, h, w) in [
            (0u16, "TT", 5.0),
            (1, "Hạng mục đầu tư", 30.0),
            (2, "Nội dung/Nhiệm vụ", 50.0),
            (total_col, "Tổng kinh phí", 14.0),
        ] {
            ws.merge_range(1, c, 2, c, h, &st.header)?;
            ws.set_column_width(c, w)?;
        }
        group(ws, lv0, nl, "Theo cấp ngân sách", levels, &st)?;
        group(ws, kd0, nk, "Theo nguồn vốn", kinds, &st)?;
        ws.merge_range(1, chk, 1, chk + 1, "Kiểm tra", &st.header)?;
        ws.write_string_with_format(2, chk, "Cộng theo cấp", &st.header)?;
        ws.write_string_with_format(2, chk + 1, "Cộng theo nguồn", &st.header)?;
        ws.set_column_width(chk, 12)?;
        ws.set_column_width(chk + 1, 12)?;
        ws.merge_range(
            1,
            basis,
            2,
            basis,
            "Ghi chú (căn cứ Quyết định phê duyệt)",
            &st.header,
        )?;
        ws.set_column_width(basis, 40)?;
        ws.set_row_height(1, 30)?;
        ws.set_row_height(2, 45)?;
        let n = u32::try_from(doc.spending.len()).unwrap_or(0);
        let last = 3 + n + SPARE_ROWS - 1;
        for r in 0..n + SPARE_ROWS {
            let row = r + 3;
            let s = doc.spending.get(r as usize);
            if s.is_some() {
                ws.write_number_with_format(row, 0, f64::from(r + 1), &st.cell)?;
            } else {
                ws.write_blank(row, 0, &st.cell)?;
            }
            text(
                ws,
                row,
                1,
                &s.map(|s| name_of(&names.categories, &s.category))
                    .unwrap_or_default(),
                &st,
            )?;
            text(ws, row, 2, s.map_or("", |s| s.task.as_str()), &st)?;
            amount(ws, row, total_col, s.and_then(|s| s.total), &st)?;
            for (i, (id, _)) in levels.iter().enumerate() {
                let c = lv0 + u16::try_from(i).unwrap_or(0);
                amount(ws, row, c, s.and_then(|s| split_amount(&s.levels, id)), &st)?;
            }
            for (i, (id, _)) in kinds.iter().enumerate() {
                let c = kd0 + u16::try_from(i).unwrap_or(0);
                amount(ws, row, c, s.and_then(|s| split_amount(&s.kinds, id)), &st)?;
            }
            let r1 = row + 1;
            let t = format!("{}{r1}", column_name(u32::from(total_col)));
            let range = |a: u16, n: u16| {
                format!(
                    "{}{r1}:{}{r1}",
                    column_name(u32::from(a)),
                    column_name(u32::from(a + n.max(1) - 1))
                )
            };
            ws.write_formula_with_format(
                row,
                chk,
                check_formula(format!(
                    "=IF(COUNT({t},{})=0,\"\",IF(SUM({})={t},\"Khớp\",\"Lệch\"))",
                    range(lv0, nl),
                    range(lv0, nl)
                )),
                &st.check,
            )?;
            ws.write_formula_with_format(
                row,
                chk + 1,
                check_formula(format!(
                    "=IF(COUNT({t},{})=0,\"\",IF(SUM({})={t},\"Khớp\",\"Lệch\"))",
                    range(kd0, nk),
                    range(kd0, nk)
                )),
                &st.check,
            )?;
            text(
                ws,
                row,
                basis,
                s.and_then(|s| s.basis.as_deref()).unwrap_or(""),
                &st,
            )?;
        }
        red_when_off(ws, 3, last, chk, chk + 1, &st)?;
        ws.add_data_validation(
            3,
            1,
            last,
            1,
            &list(0, names.categories.len(), "hạng mục đầu tư")?,
        )?;
        ws.set_freeze_panes(3, 3)?;
        protect(ws);
    }

    // ---- VI
    {
        let ws = wb.add_worksheet().set_name("VI")?;
        empty_results(ws);
        ws.write_string_with_format(
            0,
            0,
            format!("VI. Phụ lục danh mục các dự án, nhiệm vụ năm {year} (đơn vị tính: {unit})"),
            &st.title,
        )?;
        let single = [
            (0u16, "TT (thứ tự ưu tiên)".to_string(), 8.0),
            (1, "Mã dự án".into(), 16.0),
            (2, "Tên dự án, nhiệm vụ".into(), 40.0),
            (3, "Hạng mục đầu tư".into(), 26.0),
            (4, "Mục tiêu, quy mô".into(), 36.0),
            (5, "Thời gian thực hiện".into(), 12.0),
            (6, "Đơn vị chủ trì".into(), 26.0),
            (7, "Đơn vị phối hợp".into(), 30.0),
        ];
        for (c, h, w) in &single {
            ws.merge_range(1, *c, 2, *c, h, &st.header)?;
            ws.set_column_width(*c, *w)?;
        }
        ws.merge_range(1, 8, 1, 9, "Nội dung/hạng mục công việc", &st.header)?;
        ws.write_string_with_format(2, 8, "Đã triển khai", &st.header)?;
        ws.write_string_with_format(2, 9, format!("Cần triển khai năm {year}"), &st.header)?;
        ws.set_column_width(8, 36)?;
        ws.set_column_width(9, 36)?;
        ws.merge_range(1, 10, 1, 12, "Kinh phí", &st.header)?;
        ws.write_string_with_format(2, 10, "Tổng kinh phí", &st.header)?;
        ws.write_string_with_format(2, 11, "Đã thực hiện", &st.header)?;
        ws.write_string_with_format(2, 12, format!("Cần thực hiện trong năm {year}"), &st.header)?;
        for c in 10..=12 {
            ws.set_column_width(c, 14)?;
        }
        let lv0: u16 = 13;
        let kd0 = lv0 + nl;
        let chk = kd0 + nk;
        group(ws, lv0, nl, "Theo cấp ngân sách", levels, &st)?;
        group(ws, kd0, nk, "Theo nguồn vốn", kinds, &st)?;
        ws.merge_range(1, chk, 1, chk + 2, "Kiểm tra", &st.header)?;
        ws.write_string_with_format(2, chk, "Đã + cần ≤ tổng", &st.header)?;
        ws.write_string_with_format(2, chk + 1, "Cộng theo cấp", &st.header)?;
        ws.write_string_with_format(2, chk + 2, "Cộng theo nguồn", &st.header)?;
        let extra0 = chk + 3;
        let extras = [
            "Chủ đầu tư",
            "Quyết định phê duyệt",
            "Sự cần thiết phải đầu tư",
            "Tiêu chuẩn kỹ thuật, công nghệ áp dụng",
            "Địa điểm",
            "Ghi chú",
        ];
        for (i, h) in extras.iter().enumerate() {
            let c = extra0 + u16::try_from(i).unwrap_or(0);
            ws.merge_range(1, c, 2, c, h, &st.header)?;
            ws.set_column_width(c, 30)?;
        }
        ws.set_row_height(1, 30)?;
        ws.set_row_height(2, 45)?;
        let mut projects: Vec<&crate::plan_doc::ProjectDoc> = doc.projects.iter().collect();
        projects.sort_by_key(|p| p.priority.unwrap_or(i64::MAX));
        let n = u32::try_from(projects.len()).unwrap_or(0);
        let last = 3 + n + SPARE_ROWS - 1;
        for r in 0..n + SPARE_ROWS {
            let row = r + 3;
            let p = projects.get(r as usize).copied();
            match p.and_then(|p| p.priority) {
                Some(pr) => {
                    ws.write_number_with_format(row, 0, pr as f64, &st.cell)?;
                }
                None => {
                    ws.write_blank(row, 0, &st.cell)?;
                }
            }
            text(ws, row, 1, p.map_or("", |p| p.id.as_str()), &st)?;
            text(ws, row, 2, p.map_or("", |p| p.name.as_str()), &st)?;
            text(
                ws,
                row,
                3,
                &p.map(|p| name_of(&names.categories, &p.category))
                    .unwrap_or_default(),
                &st,
            )?;
            text(
                ws,
                row,
                4,
                p.and_then(|p| p.objective.as_deref()).unwrap_or(""),
                &st,
            )?;
            let period = p
                .and_then(|p| p.period.as_ref())
                .map(|pd| match (pd.from, pd.to) {
                    (Some(a), Some(b)) if a == b => a.to_string(),
                    (Some(a), Some(b)) => format!("{a}-{b}"),
                    (Some(a), None) | (None, Some(a)) => a.to_string(),
                    _ => String::new(),
                });
            text(ws, row, 5, &period.unwrap_or_default(), &st)?;
            text(
                ws,
                row,
                6,
                &p.map(|p| name_of(&names.agencies, &p.lead))
                    .unwrap_or_default(),
                &st,
            )?;
            let partners = p
                .map(|p| {
                    p.partners
                        .iter()
                        .map(|a| name_of(&names.agencies, a))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            text(ws, row, 7, &partners, &st)?;
            text(
                ws,
                row,
                8,
                p.and_then(|p| p.done.as_deref()).unwrap_or(""),
                &st,
            )?;
            text(
                ws,
                row,
                9,
                p.and_then(|p| p.todo.as_deref()).unwrap_or(""),
                &st,
            )?;
            amount(ws, row, 10, p.and_then(|p| p.cost.total), &st)?;
            amount(ws, row, 11, p.and_then(|p| p.cost.spent), &st)?;
            amount(ws, row, 12, p.and_then(|p| p.cost.planned), &st)?;
            for (i, (id, _)) in levels.iter().enumerate() {
                let c = lv0 + u16::try_from(i).unwrap_or(0);
                amount(ws, row, c, p.and_then(|p| split_amount(&p.levels, id)), &st)?;
            }
            for (i, (id, _)) in kinds.iter().enumerate() {
                let c = kd0 + u16::try_from(i).unwrap_or(0);
                amount(ws, row, c, p.and_then(|p| split_amount(&p.kinds, id)), &st)?;
            }
            let r1 = row + 1;
            let (tot, spent, planned) = (format!("K{r1}"), format!("L{r1}"), format!("M{r1}"));
            let range = |a: u16, n: u16| {
                format!(
                    "{}{r1}:{}{r1}",
                    column_name(u32::from(a)),
                    column_name(u32::from(a + n.max(1) - 1))
                )
            };
            ws.write_formula_with_format(
                row,
                chk,
                check_formula(format!(
                    "=IF(COUNT({tot},{spent},{planned})=0,\"\",IF({spent}+{planned}<={tot},\"Khớp\",\"Lệch\"))"
                )),
                &st.check,
            )?;
            for (off, a, n) in [(1u16, lv0, nl), (2, kd0, nk)] {
                let rg = range(a, n);
                ws.write_formula_with_format(
                    row,
                    chk + off,
                    check_formula(format!(
                        "=IF(COUNT({planned},{rg})=0,\"\",IF(SUM({rg})={planned},\"Khớp\",\"Lệch\"))"
                    )),
                    &st.check,
                )?;
            }
            let vals = [
                p.and_then(|p| p.investor.as_deref()),
                p.and_then(|p| p.approval.as_deref()),
                p.and_then(|p| p.necessity.as_deref()),
                p.and_then(|p| p.standards.as_deref()),
                p.and_then(|p| p.location.as_deref()),
                p.and_then(|p| p.note.as_deref()),
            ];
            for (i, v) in vals.iter().enumerate() {
                let c = extra0 + u16::try_from(i).unwrap_or(0);
                text(ws, row, c, v.unwrap_or(""), &st)?;
            }
        }
        red_when_off(ws, 3, last, chk, chk + 2, &st)?;
        ws.add_data_validation(
            3,
            3,
            last,
            3,
            &list(0, names.categories.len(), "hạng mục đầu tư")?,
        )?;
        ws.add_data_validation(
            3,
            6,
            last,
            6,
            &list(3, names.agencies.len(), "cơ quan chủ trì")?,
        )?;
        ws.set_freeze_panes(3, 3)?;
        protect(ws);
    }

    // ---- Nội dung
    {
        let ws = wb.add_worksheet().set_name("Nội dung")?;
        ws.write_string_with_format(0, 0, "Mục", &st.header)?;
        ws.write_string_with_format(0, 1, "Nội dung", &st.header)?;
        ws.write_string_with_format(0, 2, "Hướng dẫn (Công văn 790/STTTT)", &st.header)?;
        ws.set_column_width(0, 30)?;
        ws.set_column_width(1, 100)?;
        ws.set_column_width(2, 50)?;
        let sections = input.sections;
        let mut rows: Vec<(String, String, &str)> = vec![(
            "Giới thiệu (không bắt buộc)".into(),
            sections
                .and_then(|s| s.get(crate::plan_doc::INTRO))
                .cloned()
                .unwrap_or_default(),
            "Đoạn mở đầu, nếu có.",
        )];
        for key in SectionKey::ALL {
            let guide = match key {
                SectionKey::DanhGia => {
                    "Đánh giá chung những kết quả đạt được, kết quả thực hiện so với mục tiêu đề ra; khó khăn, hạn chế và đề xuất giải pháp."
                }
                SectionKey::MucTieu => {
                    "Mục tiêu ứng dụng CNTT năm kế hoạch: khả thi, hiệu quả, phù hợp với nhu cầu, nguồn lực của đơn vị."
                }
                SectionKey::DinhHuong => {
                    "1. Hạ tầng kỹ thuật; 2. Ứng dụng CNTT trong nội bộ; 3. Phục vụ người dân và doanh nghiệp; 4. Nguồn nhân lực; 5. An toàn, an ninh thông tin."
                }
                SectionKey::GiaiPhap => {
                    "1. Tài chính; 2. Môi trường pháp lý; 3. Hiệu quả, đồng bộ; 4. Triển khai, tổ chức; 5. Nhận thức, nhân lực; 6. Giải pháp khác."
                }
                SectionKey::ToChuc => {
                    "Trách nhiệm của các đơn vị có liên quan trong việc triển khai Kế hoạch."
                }
            };
            rows.push((
                crate::plan_doc::letter_heading(key, year),
                sections
                    .and_then(|s| s.get(key.id()))
                    .cloned()
                    .unwrap_or_default(),
                guide,
            ));
        }
        for (i, (h, body, guide)) in rows.iter().enumerate() {
            let r = u32::try_from(i + 1).unwrap_or(0);
            ws.write_string_with_format(r, 0, h, &st.header)?;
            text(ws, r, 1, body, &st)?;
            ws.write_string_with_format(r, 2, *guide, &st.note)?;
            ws.set_row_height(r, 120)?;
        }
        protect(ws);
    }

    // ---- Danh mục: the lists behind the drop-downs.
    {
        let ws = wb.add_worksheet().set_name("Danh mục")?;
        let cols: [(&str, Vec<&str>); 4] = [
            (
                "Hạng mục đầu tư",
                names.categories.iter().map(|c| c.1.as_str()).collect(),
            ),
            (
                "Cấp ngân sách",
                levels.iter().map(|c| c.1.as_str()).collect(),
            ),
            ("Nguồn vốn", kinds.iter().map(|c| c.1.as_str()).collect()),
            (
                "Cơ quan",
                names.agencies.iter().map(|c| c.1.as_str()).collect(),
            ),
        ];
        for (c, (h, items)) in cols.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(0);
            ws.write_string_with_format(0, c, *h, &st.header)?;
            ws.set_column_width(c, 50)?;
            for (r, item) in items.iter().enumerate() {
                ws.write_string(u32::try_from(r + 1).unwrap_or(0), c, *item)?;
            }
        }
        protect(ws);
    }
    let _ = sheet_ref("");
    wb.save_to_buffer()
}

/// A two-row group header: `title` over one column per name.
fn group(
    ws: &mut Worksheet,
    first: u16,
    n: u16,
    title: &str,
    names: &[(String, String)],
    st: &Styles,
) -> Result<(), XlsxError> {
    if n == 0 {
        return Ok(());
    }
    if n > 1 {
        ws.merge_range(1, first, 1, first + n - 1, title, &st.header)?;
    } else {
        ws.write_string_with_format(1, first, title, &st.header)?;
    }
    for (i, (_, name)) in names.iter().enumerate() {
        let c = first + u16::try_from(i).unwrap_or(0);
        ws.write_string_with_format(2, c, name, &st.header)?;
        ws.set_column_width(c, 13)?;
    }
    Ok(())
}

/// Turns the check cells red when they say "Lệch".
fn red_when_off(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    c0: u16,
    c1: u16,
    st: &Styles,
) -> Result<(), XlsxError> {
    let cell = format!("{}{}", column_name(u32::from(c0)), first + 1);
    let cf = ConditionalFormatFormula::new()
        .set_rule(Formula::new(format!("={cell}=\"Lệch\"")))
        .set_format(&st.red);
    ws.add_conditional_format(first, c0, last, c1, &cf)?;
    Ok(())
}
