//! Downloads: CSV, JSON and XLSX of a consolidated cycle.
//!
//! Every figure printed here is read from [`CycleReport`]: the consolidated
//! totals are never added up again. The one exception is display grouping in
//! the workbook (a category's subtotals of `total`, `spent` and its split by
//! level and kind, which `consolidate` does not keep); those are summed
//! exactly, in `Decimal`, from the same published plans.
//!
//! Amounts travel as text everywhere except inside the workbook, where Excel
//! only knows IEEE doubles (see [`excel_number`]).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::consolidate::{ByCode, CycleReport, IndicatorSummary, Submission};
use crate::diag::Lang;
use crate::model::{
    Agency, Amount, CodeName, Group, IndicatorValue, MoneyUnit, Period, Plan, Project, Site,
    SpendingRow, Split, Status, Unit,
};

/// UTF-8 byte-order mark: Excel on Windows needs it to read the CSV as UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Label of the grand-total row of every table.
const TOTAL_LABEL: &str = "Tổng cộng";

// ---------------------------------------------------------------------------
// Shared lookups
// ---------------------------------------------------------------------------

/// Ids and names of a code list, in catalog order, followed by any id that
/// the totals carry but the catalog does not (impossible after validation,
/// but a column is better than a silently dropped amount).
fn code_columns(list: Option<&[CodeName]>, seen: [&ByCode; 2]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list
        .unwrap_or_default()
        .iter()
        .map(|c| (c.id.value.clone(), c.name.clone()))
        .collect();
    for by in seen {
        for (id, _) in &by.0 {
            if !out.iter().any(|(k, _)| k == id) {
                out.push((id.clone(), id.clone()));
            }
        }
    }
    out
}

/// Budget levels (Ngân sách TW/Tỉnh/Huyện/khác) as columns.
fn level_columns(site: &Site, report: &CycleReport<'_>) -> Vec<(String, String)> {
    let list = site.catalog_for(report.year).map(|c| c.levels.as_slice());
    code_columns(
        list,
        [&report.totals.by_level, &report.totals.spending_by_level],
    )
}

/// Capital kinds (vốn đầu tư / sự nghiệp / khác) as columns.
fn kind_columns(site: &Site, report: &CycleReport<'_>) -> Vec<(String, String)> {
    let list = site.catalog_for(report.year).map(|c| c.kinds.as_slice());
    code_columns(
        list,
        [&report.totals.by_kind, &report.totals.spending_by_kind],
    )
}

/// Categories in catalog order (the order of `by_category`).
fn category_columns(site: &Site, report: &CycleReport<'_>) -> Vec<(String, String)> {
    let list = site
        .catalog_for(report.year)
        .map(|c| c.categories.as_slice());
    code_columns(
        list,
        [
            &report.totals.by_category,
            &report.totals.spending_by_category,
        ],
    )
}

/// One-row CSV headers for the level and kind columns. The demo catalog has
/// "Nguồn khác" in both lists, so a name found in both gets its list named.
fn source_headers(
    levels: &[(String, String)],
    kinds: &[(String, String)],
) -> (Vec<String>, Vec<String>) {
    let clash = |name: &str, other: &[(String, String)]| other.iter().any(|(_, n)| n == name);
    let l = levels
        .iter()
        .map(|(_, n)| {
            if clash(n, kinds) {
                format!("{n} (cấp ngân sách)")
            } else {
                n.clone()
            }
        })
        .collect();
    let k = kinds
        .iter()
        .map(|(_, n)| {
            if clash(n, levels) {
                format!("{n} (nguồn vốn)")
            } else {
                n.clone()
            }
        })
        .collect();
    (l, k)
}

/// The share of a split that goes to `id`, or `None` when it has none.
fn split_get(split: &Split, id: &str) -> Option<Amount> {
    let mut found = None;
    for (k, a) in split {
        if k.value == id {
            found = Some(found.unwrap_or(Amount::ZERO) + a.value);
        }
    }
    found
}

/// The name `code` had in cycle `year`.
fn agency_name(site: &Site, year: i32, code: &str) -> String {
    site.agency(code)
        .map_or_else(|| code.to_string(), |a| a.name_in(year).to_string())
}

fn period_text(p: &Period) -> String {
    if p.from.value == p.to.value {
        p.from.value.to_string()
    } else {
        format!("{}-{}", p.from.value, p.to.value)
    }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn dmy(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// A plan's projects by priority.
fn by_priority(plan: &Plan) -> Vec<&Project> {
    let mut ps: Vec<&Project> = plan.projects.iter().collect();
    ps.sort_by_key(|p| p.priority.value);
    ps
}

fn money_unit(site: &Site) -> MoneyUnit {
    site.config
        .as_ref()
        .map_or(MoneyUnit::TrieuDong, |c| c.money_unit)
}

fn unit_text(u: Unit) -> &'static str {
    match u {
        Unit::Percent => "%",
        Unit::Count => "số lượng",
        Unit::Text => "",
    }
}

fn indicator_unit(site: &Site, year: i32, iv: &IndicatorValue) -> Unit {
    site.catalog_for(year)
        .and_then(|c| c.indicator(&iv.id.value))
        .map(|d| d.unit)
        .or(iv.unit)
        .unwrap_or(Unit::Percent)
}

fn indicator_name(site: &Site, year: i32, iv: &IndicatorValue) -> String {
    site.catalog_for(year)
        .and_then(|c| c.indicator(&iv.id.value))
        .map(|d| d.name.clone())
        .or_else(|| iv.name.clone())
        .unwrap_or_else(|| iv.id.value.clone())
}

fn group_vi(g: Group) -> &'static str {
    match g {
        Group::VanPhong => "Văn phòng",
        Group::SoBanNganh => "Sở, ban, ngành",
        Group::HoiDoanThe => "Hội, đoàn thể",
        Group::Huyen => "UBND huyện, thành phố",
        Group::Xa => "UBND xã, phường, đặc khu",
    }
}

fn submission_vi(s: Submission) -> String {
    crate::model::capitalized(s.label(Lang::Vi))
}

fn status_vi(s: Status) -> String {
    crate::model::capitalized(s.label(Lang::Vi))
}

fn roman(n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = n;
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

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

/// Excel's limit on the text of one cell, in characters.
const CELL_CHARS: usize = 32_767;

/// Text for one workbook cell: a longer text (a 40,000-character project
/// name) would make the whole workbook fail, so it is cut, and ends with
/// `…` to show it was.
fn cell_text(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(CELL_CHARS - 1) {
        Some((at, _)) if s[at..].chars().nth(1).is_some() => {
            std::borrow::Cow::Owned(format!("{}…", &s[..at]))
        }
        _ => std::borrow::Cow::Borrowed(s),
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
                    .map(|(id, _)| amount_cell(split_get(&p.levels.value, id))),
            );
            row.extend(
                kinds
                    .iter()
                    .map(|(id, _)| amount_cell(split_get(&p.kinds.value, id))),
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
                    .map(|(id, _)| amount_cell(split_get(&r.levels.value, id))),
            );
            row.extend(
                kinds
                    .iter()
                    .map(|(id, _)| amount_cell(split_get(&r.kinds.value, id))),
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

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/// Amounts keyed by id, serialised as a JSON object in the given order
/// (catalog order), every amount a decimal string.
struct AmountMap(Vec<(String, String)>);

impl AmountMap {
    fn from_by_code(b: &ByCode) -> AmountMap {
        AmountMap(
            b.0.iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
        )
    }
    fn from_split(s: &Split) -> AmountMap {
        let mut out: Vec<(String, Amount)> = Vec::new();
        for (k, a) in s {
            match out.iter_mut().find(|(id, _)| *id == k.value) {
                Some((_, v)) => *v = *v + a.value,
                None => out.push((k.value.clone(), a.value)),
            }
        }
        AmountMap(out.into_iter().map(|(k, v)| (k, v.to_string())).collect())
    }
}

impl Serialize for AmountMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    year: i32,
    title: &'a str,
    money_unit: &'static str,
    money_unit_label: &'static str,
    deadline: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    guidance: Option<JsonGuidance<'a>>,
    totals: JsonTotals,
    submissions: JsonCounts,
    agencies: Vec<JsonAgency<'a>>,
    indicators: Vec<JsonIndicator<'a>>,
}

#[derive(Serialize)]
struct JsonGuidance<'a> {
    number: &'a str,
    date: String,
    issuer: &'a str,
}

#[derive(Serialize)]
struct JsonTotals {
    planned: String,
    spent: String,
    total: String,
    spending: String,
    by_category: AmountMap,
    by_level: AmountMap,
    by_kind: AmountMap,
    spending_by_category: AmountMap,
    spending_by_level: AmountMap,
    spending_by_kind: AmountMap,
}

#[derive(Serialize)]
struct JsonCounts {
    #[serde(rename = "on-time")]
    on_time: usize,
    late: usize,
    draft: usize,
    missing: usize,
}

#[derive(Serialize)]
struct JsonAgency<'a> {
    code: &'a str,
    name: &'a str,
    group: &'static str,
    submission: &'static str,
    /// `draft | submitted | approved`, `null` when nothing was filed.
    status: Option<&'static str>,
    /// ISO date, `null` when unknown.
    submitted: Option<String>,
    /// Whether the plan is part of this build's totals.
    published: bool,
    planned: String,
    spent: String,
    total: String,
    spending: String,
    projects: Vec<JsonProject<'a>>,
    spending_items: Vec<JsonSpending<'a>>,
    indicators: Vec<JsonIndicatorValue<'a>>,
}

#[derive(Serialize)]
struct JsonProject<'a> {
    id: &'a str,
    name: &'a str,
    category: &'a str,
    priority: i64,
    period: JsonPeriod,
    lead: &'a str,
    partners: Vec<&'a str>,
    cost: JsonCost,
    levels: AmountMap,
    kinds: AmountMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    objective: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    investor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    approval: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// What the next cycle's plan reported as spent on this project (its
    /// II.2), beside `cost.planned`; absent until it is reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    reported_next_year: Option<String>,
}

#[derive(Serialize)]
struct JsonPeriod {
    from: i32,
    to: i32,
}

#[derive(Serialize)]
struct JsonCost {
    total: String,
    spent: String,
    planned: String,
}

#[derive(Serialize)]
struct JsonSpending<'a> {
    category: &'a str,
    task: &'a str,
    total: String,
    levels: AmountMap,
    kinds: AmountMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonIndicatorValue<'a> {
    id: &'a str,
    target: Option<String>,
    actual: Option<String>,
    goal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonIndicator<'a> {
    id: &'a str,
    name: &'a str,
    unit: &'static str,
    reporters: usize,
    /// Mean for percentages, sum for counts.
    target: Option<String>,
    actual: Option<String>,
    goal: Option<String>,
    texts: Vec<JsonText<'a>>,
}

#[derive(Serialize)]
struct JsonText<'a> {
    agency: &'a str,
    value: &'a str,
}

fn json_project(p: &Project, reported: Option<Amount>) -> JsonProject<'_> {
    JsonProject {
        id: &p.id.value,
        name: &p.name,
        category: &p.category.value,
        priority: p.priority.value,
        period: JsonPeriod {
            from: p.period.from.value,
            to: p.period.to.value,
        },
        lead: &p.lead.value,
        partners: p.partners.iter().map(|c| c.value.as_str()).collect(),
        cost: JsonCost {
            total: p.cost.total.value.to_string(),
            spent: p.cost.spent.value.to_string(),
            planned: p.cost.planned.value.to_string(),
        },
        levels: AmountMap::from_split(&p.levels.value),
        kinds: AmountMap::from_split(&p.kinds.value),
        objective: p.objective.as_deref(),
        investor: p.investor.as_deref(),
        approval: p.approval.as_deref(),
        note: p.note.as_deref(),
        reported_next_year: reported.map(|a| a.to_string()),
    }
}

fn json_spending(r: &SpendingRow) -> JsonSpending<'_> {
    JsonSpending {
        category: &r.category.value,
        task: &r.task,
        total: r.total.value.to_string(),
        levels: AmountMap::from_split(&r.levels.value),
        kinds: AmountMap::from_split(&r.kinds.value),
        basis: r.basis.as_deref(),
    }
}

fn json_indicator_value(iv: &IndicatorValue) -> JsonIndicatorValue<'_> {
    let s = |v: &Option<crate::model::Spanned<Decimal>>| v.as_ref().map(|v| v.value.to_string());
    JsonIndicatorValue {
        id: &iv.id.value,
        target: s(&iv.target),
        actual: s(&iv.actual),
        goal: s(&iv.goal),
        value: iv.value.as_deref(),
        note: iv.note.as_deref(),
    }
}

fn json_summary(s: &IndicatorSummary) -> JsonIndicator<'_> {
    JsonIndicator {
        id: &s.id,
        name: &s.name,
        unit: s.unit.id(),
        reporters: s.reporters,
        target: s.target.map(|d| d.to_string()),
        actual: s.actual.map(|d| d.to_string()),
        goal: s.goal.map(|d| d.to_string()),
        texts: s
            .texts
            .iter()
            .map(|(agency, value)| JsonText { agency, value })
            .collect(),
    }
}

/// `plan.json`: the whole consolidated cycle, every amount an exact decimal
/// string in the site's `money_unit`. Every expected agency appears once; a
/// missing one has `"submission": "missing"`, zero amounts and no projects.
pub(crate) fn plan_json(site: &Site, report: &CycleReport<'_>) -> Vec<u8> {
    let t = &report.totals;
    let unit = money_unit(site);
    let agencies = report
        .entries
        .iter()
        .map(|e| {
            let filed = e.filed;
            let published = e.plan;
            JsonAgency {
                code: &e.agency.code.value,
                name: e.name,
                group: e.agency.group.id(),
                submission: e.submission.id(),
                status: filed.map(|p| p.status.value.id()),
                submitted: filed
                    .and_then(|p| p.submitted.as_ref())
                    .map(|d| d.value.to_string()),
                published: published.is_some(),
                planned: e.totals.planned.to_string(),
                spent: e.totals.spent.to_string(),
                total: e.totals.total.to_string(),
                spending: e.totals.spending.to_string(),
                projects: published
                    .map(|p| {
                        by_priority(p)
                            .into_iter()
                            .map(|q| {
                                let code = &e.agency.code.value;
                                let reported = (q.cost.planned.value.is_positive())
                                    .then(|| {
                                        crate::consolidate::reported_spending(
                                            site,
                                            code,
                                            report.year,
                                            q,
                                        )
                                    })
                                    .flatten();
                                json_project(q, reported)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                spending_items: published
                    .map(|p| p.spending.iter().map(json_spending).collect())
                    .unwrap_or_default(),
                indicators: published
                    .map(|p| p.indicators.iter().map(json_indicator_value).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let doc = JsonPlan {
        year: report.year,
        title: &report.meta.title,
        money_unit: unit.id(),
        money_unit_label: unit.label(site.lang()),
        deadline: report.meta.deadline.value.to_string(),
        guidance: report.meta.guidance.as_ref().map(|g| JsonGuidance {
            number: &g.number,
            date: g.date.to_string(),
            issuer: &g.issuer,
        }),
        totals: JsonTotals {
            planned: t.planned.to_string(),
            spent: t.spent.to_string(),
            total: t.total.to_string(),
            spending: t.spending.to_string(),
            by_category: AmountMap::from_by_code(&t.by_category),
            by_level: AmountMap::from_by_code(&t.by_level),
            by_kind: AmountMap::from_by_code(&t.by_kind),
            spending_by_category: AmountMap::from_by_code(&t.spending_by_category),
            spending_by_level: AmountMap::from_by_code(&t.spending_by_level),
            spending_by_kind: AmountMap::from_by_code(&t.spending_by_kind),
        },
        submissions: JsonCounts {
            on_time: report.count(Submission::OnTime),
            late: report.count(Submission::Late),
            draft: report.count(Submission::Draft),
            missing: report.count(Submission::Missing),
        },
        agencies,
        indicators: report.indicators.iter().map(json_summary).collect(),
    };
    // Only string keys and plain values: serialising cannot fail.
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

// ---------------------------------------------------------------------------
// XLSX
// ---------------------------------------------------------------------------

/// What a workbook column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Tt,
    Name,
    Agency,
    Priority,
    Objective,
    Period,
    Lead,
    Partners,
    Done,
    Todo,
    Total,
    Spent,
    Planned,
    Level(String),
    Kind(String),
    Investor,
    Approval,
    Note,
    Basis,
    Unit,
    Target,
    Actual,
    Goal,
    Value,
    Group,
    Submission,
    Status,
    Date,
    Projects,
    Spending,
}

/// A workbook column: its header path (group labels, then its own), width
/// in characters, and content.
#[derive(Clone, Debug)]
struct Col {
    path: Vec<String>,
    width: f64,
    key: Key,
}

fn col(path: &[&str], width: f64, key: Key) -> Col {
    Col {
        path: path.iter().map(|s| (*s).to_string()).collect(),
        width,
        key,
    }
}

/// Level and kind columns under `group` ("Nguồn kinh phí" or the spending
/// header), split into budget levels and capital kinds.
fn source_cols(site: &Site, report: &CycleReport<'_>, group: &str) -> Vec<Col> {
    let mut out = Vec::new();
    for (id, name) in level_columns(site, report) {
        out.push(col(&[group, "Cấp ngân sách", &name], 12.0, Key::Level(id)));
    }
    for (id, name) in kind_columns(site, report) {
        out.push(col(&[group, "Loại nguồn vốn", &name], 12.0, Key::Kind(id)));
    }
    out
}

fn annex_cols(site: &Site, report: &CycleReport<'_>) -> Vec<Col> {
    let year = report.year;
    let todo = format!("Cần triển khai năm {year}");
    let planned = format!("Cần thực hiện trong năm {year}");
    let work = "Nội dung/hạng mục công việc";
    let units = "Đơn vị chủ trì/ phối hợp";
    let mut cols = vec![
        col(&["TT"], 5.0, Key::Tt),
        col(&["Tên dự án, nhiệm vụ"], 36.0, Key::Name),
        col(&["Cơ quan đề xuất"], 20.0, Key::Agency),
        col(&["Thứ tự ưu tiên"], 8.0, Key::Priority),
        col(&["Mục tiêu, quy mô"], 36.0, Key::Objective),
        col(&["Thời gian thực hiện"], 11.0, Key::Period),
        col(&[units, "Chủ trì"], 20.0, Key::Lead),
        col(&[units, "Phối hợp"], 24.0, Key::Partners),
        col(&[work, "Đã triển khai"], 32.0, Key::Done),
        col(&[work, &todo], 32.0, Key::Todo),
        col(&["Kinh phí", "Tổng kinh phí"], 12.0, Key::Total),
        col(&["Kinh phí", "Đã thực hiện"], 12.0, Key::Spent),
        col(&["Kinh phí", &planned], 13.0, Key::Planned),
    ];
    cols.extend(source_cols(site, report, "Nguồn kinh phí"));
    cols.extend([
        col(&["Chủ đầu tư"], 20.0, Key::Investor),
        col(&["Quyết định phê duyệt"], 28.0, Key::Approval),
        col(&["Ghi chú"], 26.0, Key::Note),
    ]);
    cols
}

fn spending_cols(site: &Site, report: &CycleReport<'_>) -> Vec<Col> {
    let head = format!("Ước kinh phí thực hiện năm {}", report.year - 1);
    let mut cols = vec![
        col(&["TT"], 5.0, Key::Tt),
        col(&["Hạng mục đầu tư, Nội dung/Nhiệm vụ"], 44.0, Key::Name),
        col(&["Cơ quan thực hiện"], 22.0, Key::Agency),
        col(&[&head, "Tổng kinh phí"], 13.0, Key::Total),
    ];
    cols.extend(source_cols(site, report, &head));
    cols.push(col(
        &["Ghi chú (căn cứ Quyết định phê duyệt, ...)"],
        36.0,
        Key::Basis,
    ));
    cols
}

fn indicator_cols(report: &CycleReport<'_>) -> Vec<Col> {
    let prior = format!("Năm {}", report.year - 1);
    let goal = format!("Mục tiêu năm {}", report.year);
    vec![
        col(&["TT"], 5.0, Key::Tt),
        col(&["Chỉ tiêu / Cơ quan báo cáo"], 48.0, Key::Name),
        col(&["Đơn vị tính"], 9.0, Key::Unit),
        col(&[&prior, "Chỉ tiêu kế hoạch"], 12.0, Key::Target),
        col(&[&prior, "Ước thực hiện"], 12.0, Key::Actual),
        col(&[&goal], 12.0, Key::Goal),
        col(&["Nội dung (chỉ tiêu mô tả)"], 48.0, Key::Value),
        col(&["Ghi chú"], 30.0, Key::Note),
    ]
}

fn submission_cols(report: &CycleReport<'_>) -> Vec<Col> {
    let planned = format!("Kế hoạch năm {}", report.year);
    let spending = format!("Ước thực hiện năm {}", report.year - 1);
    vec![
        col(&["TT"], 5.0, Key::Tt),
        col(&["Cơ quan, đơn vị"], 34.0, Key::Agency),
        col(&["Nhóm"], 20.0, Key::Group),
        col(&["Tình hình gửi"], 12.0, Key::Submission),
        col(&["Trạng thái kế hoạch"], 14.0, Key::Status),
        col(&["Ngày gửi"], 12.0, Key::Date),
        col(&["Số dự án, nhiệm vụ"], 10.0, Key::Projects),
        col(&["Kinh phí", &planned], 14.0, Key::Planned),
        col(&["Kinh phí", &spending], 14.0, Key::Spending),
    ]
}

/// The cell formats of the workbook.
struct Styles {
    title: Format,
    subtitle: Format,
    unit: Format,
    header: Format,
    body: RowStyle,
    group: RowStyle,
    total: RowStyle,
}

/// Formats of one kind of table row.
struct RowStyle {
    text: Format,
    center: Format,
    /// Right-aligned numbers with 0 to `MAX_DECIMALS` decimals, made once:
    /// a format per cell costs a clone and a hash of it in the workbook.
    numbers: Vec<Format>,
}

/// The most decimals an amount shows in the workbook.
const MAX_DECIMALS: u32 = 10;

impl RowStyle {
    fn new(cell: &Format) -> RowStyle {
        let number = cell.clone().set_align(FormatAlign::Right);
        RowStyle {
            text: cell.clone(),
            center: cell.clone().set_align(FormatAlign::Center),
            numbers: (0..=MAX_DECIMALS)
                .map(|scale| number.clone().set_num_format(number_pattern(scale)))
                .collect(),
        }
    }

    fn number(&self, d: Decimal) -> &Format {
        &self.numbers[d.normalize().scale().min(MAX_DECIMALS) as usize]
    }
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new()
            .set_font_name("Times New Roman")
            .set_font_size(11)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let cell = base.clone().set_border(FormatBorder::Thin);
        Styles {
            title: base
                .clone()
                .set_bold()
                .set_font_size(13)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: base.clone().set_italic().set_align(FormatAlign::Center),
            unit: base.clone().set_italic().set_align(FormatAlign::Right),
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0x00D9_E1F2)),
            body: RowStyle::new(&cell),
            group: RowStyle::new(
                &cell
                    .clone()
                    .set_bold()
                    .set_background_color(Color::RGB(0x00F2_F2F2)),
            ),
            total: RowStyle::new(
                &cell
                    .clone()
                    .set_bold()
                    .set_background_color(Color::RGB(0x00DD_EBF7)),
            ),
        }
    }
}

/// What goes into one cell.
enum Cell {
    Blank,
    Text(String),
    Center(String),
    Num(Decimal),
    /// A formula (`=SUM(H6:H9)`) with the value it comes to, cached in the
    /// file so that viewers that do not calculate still show it.
    Formula(String, Decimal),
    Int(i64),
    Date(NaiveDate),
}

fn xcol(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// An amount as Excel stores it. Excel cells hold IEEE doubles only, so this
/// is the single place an amount becomes an `f64`, at the moment a cell is
/// written; the value is the double nearest the exact decimal (parsed from
/// its text, which rounds correctly). CSV and JSON keep the exact strings.
fn excel_number(d: Decimal) -> f64 {
    d.to_string().parse::<f64>().unwrap_or(0.0)
}

/// `#,##0` with as many decimals as the value needs: `#,##0.###` would leave
/// a dangling `.` after whole numbers in Excel.
fn number_pattern(scale: u32) -> String {
    if scale == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(scale as usize))
    }
}

fn put(
    ws: &mut Worksheet,
    row: u32,
    c: usize,
    cell: &Cell,
    st: &RowStyle,
) -> Result<(), XlsxError> {
    let c = xcol(c)?;
    match cell {
        Cell::Blank => {
            ws.write_blank(row, c, &st.text)?;
        }
        Cell::Text(s) => {
            ws.write_string_with_format(row, c, cell_text(s), &st.text)?;
        }
        Cell::Center(s) => {
            ws.write_string_with_format(row, c, cell_text(s), &st.center)?;
        }
        Cell::Num(d) => {
            ws.write_number_with_format(row, c, excel_number(*d), st.number(*d))?;
        }
        Cell::Formula(f, d) => {
            let formula = rust_xlsxwriter::Formula::new(f).set_result(d.normalize().to_string());
            ws.write_formula_with_format(row, c, formula, st.number(*d))?;
        }
        Cell::Int(i) => match i32::try_from(*i) {
            Ok(i) => {
                ws.write_number_with_format(row, c, f64::from(i), &st.center)?;
            }
            Err(_) => {
                ws.write_string_with_format(row, c, i.to_string(), &st.center)?;
            }
        },
        Cell::Date(d) => {
            let date = u16::try_from(d.year()).ok().and_then(|y| {
                let m = u8::try_from(d.month()).ok()?;
                let day = u8::try_from(d.day()).ok()?;
                ExcelDateTime::from_ymd(y, m, day).ok()
            });
            match date {
                Some(x) => {
                    let f = st.center.clone().set_num_format("dd/mm/yyyy");
                    ws.write_datetime_with_format(row, c, &x, &f)?;
                }
                None => {
                    ws.write_string_with_format(row, c, dmy(*d), &st.center)?;
                }
            }
        }
    }
    Ok(())
}

/// Merges a range, or writes the one cell when the range is a single cell
/// (Excel refuses one-cell merges).
fn merge(
    ws: &mut Worksheet,
    (r1, c1): (u32, usize),
    (r2, c2): (u32, usize),
    text: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    if r1 == r2 && c1 == c2 {
        ws.write_string_with_format(r1, xcol(c1)?, cell_text(text), f)?;
    } else {
        ws.merge_range(r1, xcol(c1)?, r2, xcol(c2)?, &cell_text(text), f)?;
    }
    Ok(())
}

/// Writes one table row. `label` merges columns `from..=to` under one text
/// (a group's or the total's name); the other cells come from `cell`.
fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cols: &[Col],
    st: &RowStyle,
    label: Option<(usize, usize, &str)>,
    cell: impl Fn(&Key) -> Cell,
) -> Result<(), XlsxError> {
    if let Some((from, to, text)) = label {
        merge(ws, (row, from), (row, to), text, &st.text)?;
    }
    for (i, c) in cols.iter().enumerate() {
        if label.is_some_and(|(from, to, _)| (from..=to).contains(&i)) {
            continue;
        }
        put(ws, row, i, &cell(&c.key), st)?;
    }
    Ok(())
}

/// Lays out a sheet: widths, title, subtitle, unit line and the header with
/// merged group cells; freezes the header and repeats it on printed pages.
/// Returns the first data row.
fn sheet_head(
    ws: &mut Worksheet,
    st: &Styles,
    cols: &[Col],
    title: &str,
    subtitle: &str,
    unit_line: &str,
) -> Result<u32, XlsxError> {
    let last = cols.len().saturating_sub(1);
    for (i, c) in cols.iter().enumerate() {
        ws.set_column_width(xcol(i)?, c.width)?;
    }
    ws.set_row_height(0, 22)?;
    merge(ws, (0, 0), (0, last), title, &st.title)?;
    merge(ws, (1, 0), (1, last), subtitle, &st.subtitle)?;
    merge(ws, (2, 0), (2, last), unit_line, &st.unit)?;
    let top: u32 = 3;
    let depth = cols.iter().map(|c| c.path.len()).max().unwrap_or(1);
    let bottom =
        top + u32::try_from(depth.saturating_sub(1)).map_err(|_| XlsxError::RowColumnLimitError)?;
    for level in 0..depth {
        let row = top + u32::try_from(level).map_err(|_| XlsxError::RowColumnLimitError)?;
        let mut i = 0;
        while i < cols.len() {
            let path = &cols[i].path;
            if path.len() <= level {
                i += 1;
                continue;
            }
            if path.len() == level + 1 {
                // The column's own label reaches down to the last header row.
                merge(ws, (row, i), (bottom, i), &path[level], &st.header)?;
                i += 1;
                continue;
            }
            let prefix = &path[..=level];
            let mut end = i;
            while end + 1 < cols.len()
                && cols[end + 1].path.len() > level + 1
                && cols[end + 1].path[..=level] == *prefix
            {
                end += 1;
            }
            merge(ws, (row, i), (row, end), &path[level], &st.header)?;
            i = end + 1;
        }
    }
    ws.set_freeze_panes(bottom + 1, 0)?;
    ws.set_repeat_rows(top, bottom)?;
    ws.set_paper_size(9); // A4
    ws.set_landscape();
    ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.25, 0.25);
    // Wide sheets split across two pages rather than shrink to a third of
    // their size; the first two columns (TT, name) repeat on each.
    if cols.len() > 12 {
        ws.set_print_fit_to_pages(2, 0);
        ws.set_repeat_columns(0, 1)?;
    } else {
        ws.set_print_fit_to_pages(1, 0);
    }
    ws.set_footer("&CTrang &P/&N");
    Ok(bottom + 1)
}

/// `=SUM(H6:H9)` over rows `first..=last` (0-based) of column `c`.
fn sum_range(c: usize, first: u32, last: u32) -> String {
    let col = rust_xlsxwriter::utility::column_number_to_name(u16::try_from(c).unwrap_or(0));
    if last < first {
        return "=0".to_string();
    }
    format!("=SUM({col}{}:{col}{})", first + 1, last + 1)
}

/// `=H5+H12+H20`: the grand total as the sum of the subtotal rows.
fn sum_cells(c: usize, rows: &[u32]) -> String {
    let col = rust_xlsxwriter::utility::column_number_to_name(u16::try_from(c).unwrap_or(0));
    if rows.is_empty() {
        return "=0".to_string();
    }
    let cells: Vec<String> = rows.iter().map(|r| format!("{col}{}", r + 1)).collect();
    format!("={}", cells.join("+"))
}

/// Whether a column holds amounts that subtotals and totals add up.
fn summed(k: &Key) -> bool {
    matches!(
        k,
        Key::Total | Key::Spent | Key::Planned | Key::Level(_) | Key::Kind(_)
    )
}

/// Rewrites the amounts of a subtotal row written at `at` as formulas over
/// its detail rows, keeping the computed values as their cached results.
fn subtotal_formulas(
    ws: &mut Worksheet,
    cols: &[Col],
    st: &RowStyle,
    at: u32,
    last: u32,
    value: impl Fn(&Key) -> Option<Decimal>,
) -> Result<(), XlsxError> {
    for (i, c) in cols.iter().enumerate().filter(|(_, c)| summed(&c.key)) {
        if let Some(v) = value(&c.key) {
            put(ws, at, i, &Cell::Formula(sum_range(i, at + 1, last), v), st)?;
        }
    }
    Ok(())
}

fn total_formulas(
    ws: &mut Worksheet,
    cols: &[Col],
    st: &RowStyle,
    at: u32,
    groups: &[u32],
    value: impl Fn(&Key) -> Option<Decimal>,
) -> Result<(), XlsxError> {
    for (i, c) in cols.iter().enumerate().filter(|(_, c)| summed(&c.key)) {
        if let Some(v) = value(&c.key) {
            put(ws, at, i, &Cell::Formula(sum_cells(i, groups), v), st)?;
        }
    }
    Ok(())
}

fn index_of(cols: &[Col], key: &Key) -> usize {
    cols.iter()
        .position(|c| c.key == *key)
        .unwrap_or(cols.len())
}

fn annex_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    site: &Site,
    report: &CycleReport<'_>,
    unit_line: &str,
) -> Result<(), XlsxError> {
    let cols = annex_cols(site, report);
    let title = format!(
        "PHỤ LỤC DANH MỤC DỰ ÁN, NHIỆM VỤ ỨNG DỤNG CNTT NĂM {}",
        report.year
    );
    let subtitle = format!("(Kèm theo {})", report.meta.title);
    let mut row = sheet_head(ws, st, &cols, &title, &subtitle, unit_line)?;
    ws.set_name("Phụ lục dự án")?;
    let money = index_of(&cols, &Key::Total);
    let projects: Vec<(&Agency, &Project)> = report
        .plans()
        .flat_map(|(a, plan)| by_priority(plan).into_iter().map(move |p| (a, p)))
        .collect();
    let t = &report.totals;
    // Numbered 1..n across the categories, as on the page and in Word.
    let mut number = 0usize;
    let mut groups: Vec<u32> = Vec::new();
    for (n, (cat, name)) in category_columns(site, report).iter().enumerate() {
        let mine: Vec<&(&Agency, &Project)> = projects
            .iter()
            .filter(|(_, p)| p.category.value == *cat)
            .collect();
        let Some(sub) = t.category(cat) else { continue };
        let tt = roman(n + 1);
        write_row(
            ws,
            row,
            &cols,
            &st.group,
            Some((1, money - 1, name)),
            |k| match k {
                Key::Tt => Cell::Center(tt.clone()),
                Key::Total => Cell::Num(sub.total.0),
                Key::Spent => Cell::Num(sub.spent.0),
                Key::Planned => Cell::Num(sub.planned.0),
                Key::Level(id) => Cell::Num(sub.by_level.get(id).0),
                Key::Kind(id) => Cell::Num(sub.by_kind.get(id).0),
                _ => Cell::Blank,
            },
        )?;
        let group_row = row;
        groups.push(group_row);
        row += 1;
        for (agency, p) in &mine {
            number += 1;
            write_row(ws, row, &cols, &st.body, None, |k| {
                let text = |s: &Option<String>| Cell::Text(opt(s));
                match k {
                    Key::Tt => Cell::Int(i64::try_from(number).unwrap_or(i64::MAX)),
                    Key::Name => Cell::Text(p.name.clone()),
                    Key::Agency => Cell::Text(agency.name_in(report.year).to_string()),
                    Key::Priority => Cell::Int(p.priority.value),
                    Key::Objective => text(&p.objective),
                    Key::Period => Cell::Center(period_text(&p.period)),
                    Key::Lead => Cell::Text(agency_name(site, report.year, &p.lead.value)),
                    Key::Partners => Cell::Text(
                        p.partners
                            .iter()
                            .map(|c| agency_name(site, report.year, &c.value))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    Key::Done => text(&p.done),
                    Key::Todo => text(&p.todo),
                    Key::Total => Cell::Num(p.cost.total.value.0),
                    Key::Spent => Cell::Num(p.cost.spent.value.0),
                    Key::Planned => Cell::Num(p.cost.planned.value.0),
                    Key::Level(id) => {
                        split_get(&p.levels.value, id).map_or(Cell::Blank, |a| Cell::Num(a.0))
                    }
                    Key::Kind(id) => {
                        split_get(&p.kinds.value, id).map_or(Cell::Blank, |a| Cell::Num(a.0))
                    }
                    Key::Investor => text(&p.investor),
                    Key::Approval => text(&p.approval),
                    Key::Note => text(&p.note),
                    _ => Cell::Blank,
                }
            })?;
            row += 1;
        }
        subtotal_formulas(ws, &cols, &st.group, group_row, row - 1, |k| {
            annex_amount(sub, k)
        })?;
    }
    write_row(
        ws,
        row,
        &cols,
        &st.total,
        Some((0, money - 1, TOTAL_LABEL)),
        |_| Cell::Blank,
    )?;
    total_formulas(ws, &cols, &st.total, row, &groups, |k| annex_amount(t, k))?;
    Ok(())
}

/// The amount of a subtotal or total row of the annex in a column.
fn annex_amount(t: &crate::consolidate::Totals, k: &Key) -> Option<Decimal> {
    Some(match k {
        Key::Total => t.total.0,
        Key::Spent => t.spent.0,
        Key::Planned => t.planned.0,
        Key::Level(id) => t.by_level.get(id).0,
        Key::Kind(id) => t.by_kind.get(id).0,
        _ => return None,
    })
}

/// The amount of a subtotal or total row of II.2 in a column.
fn spending_amount(t: &crate::consolidate::Totals, k: &Key) -> Option<Decimal> {
    Some(match k {
        Key::Total => t.spending.0,
        Key::Level(id) => t.spending_by_level.get(id).0,
        Key::Kind(id) => t.spending_by_kind.get(id).0,
        _ => return None,
    })
}

fn spending_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    site: &Site,
    report: &CycleReport<'_>,
    unit_line: &str,
) -> Result<(), XlsxError> {
    let prior = report.year - 1;
    let cols = spending_cols(site, report);
    let title = format!("KINH PHÍ ĐÃ VÀ ĐANG THỰC HIỆN KẾ HOẠCH ỨNG DỤNG CNTT NĂM {prior}");
    let subtitle = format!("(Kèm theo {})", report.meta.title);
    let mut row = sheet_head(ws, st, &cols, &title, &subtitle, unit_line)?;
    ws.set_name(format!("Kinh phí năm {prior}"))?;
    let money = index_of(&cols, &Key::Total);
    let rows: Vec<(&Agency, &SpendingRow)> = report
        .plans()
        .flat_map(|(a, plan)| plan.spending.iter().map(move |r| (a, r)))
        .collect();
    let t = &report.totals;
    let mut number = 0usize;
    let mut groups: Vec<u32> = Vec::new();
    for (n, (cat, name)) in category_columns(site, report).iter().enumerate() {
        let mine: Vec<&(&Agency, &SpendingRow)> = rows
            .iter()
            .filter(|(_, r)| r.category.value == *cat)
            .collect();
        let Some(sub) = t.category(cat) else { continue };
        let tt = roman(n + 1);
        write_row(
            ws,
            row,
            &cols,
            &st.group,
            Some((1, money - 1, name)),
            |k| match k {
                Key::Tt => Cell::Center(tt.clone()),
                Key::Total => Cell::Num(sub.spending.0),
                Key::Level(id) => Cell::Num(sub.spending_by_level.get(id).0),
                Key::Kind(id) => Cell::Num(sub.spending_by_kind.get(id).0),
                _ => Cell::Blank,
            },
        )?;
        let group_row = row;
        groups.push(group_row);
        row += 1;
        for (agency, r) in &mine {
            number += 1;
            write_row(ws, row, &cols, &st.body, None, |k| match k {
                Key::Tt => Cell::Int(i64::try_from(number).unwrap_or(i64::MAX)),
                Key::Name => Cell::Text(r.task.clone()),
                Key::Agency => Cell::Text(agency.name_in(report.year).to_string()),
                Key::Total => Cell::Num(r.total.value.0),
                Key::Level(id) => {
                    split_get(&r.levels.value, id).map_or(Cell::Blank, |a| Cell::Num(a.0))
                }
                Key::Kind(id) => {
                    split_get(&r.kinds.value, id).map_or(Cell::Blank, |a| Cell::Num(a.0))
                }
                Key::Basis => Cell::Text(opt(&r.basis)),
                _ => Cell::Blank,
            })?;
            row += 1;
        }
        subtotal_formulas(ws, &cols, &st.group, group_row, row - 1, |k| {
            spending_amount(sub, k)
        })?;
    }
    write_row(
        ws,
        row,
        &cols,
        &st.total,
        Some((0, money - 1, TOTAL_LABEL)),
        |_| Cell::Blank,
    )?;
    total_formulas(ws, &cols, &st.total, row, &groups, |k| {
        spending_amount(t, k)
    })?;
    Ok(())
}

fn indicator_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    site: &Site,
    report: &CycleReport<'_>,
) -> Result<(), XlsxError> {
    let cols = indicator_cols(report);
    let title = format!(
        "ĐÁNH GIÁ ƯỚC THỰC HIỆN CÁC CHỈ TIÊU NĂM {} VÀ MỤC TIÊU NĂM {}",
        report.year - 1,
        report.year
    );
    let subtitle = format!("(Kèm theo {})", report.meta.title);
    let note = "Tỷ lệ toàn tỉnh là bình quân của các cơ quan báo cáo; số lượng là tổng cộng";
    let mut row = sheet_head(ws, st, &cols, &title, &subtitle, note)?;
    ws.set_name("Chỉ tiêu")?;
    let mut values = 0usize;
    let mut agencies = 0usize;
    for (_, plan) in report.plans() {
        values += plan.indicators.len();
        agencies += usize::from(!plan.indicators.is_empty());
    }
    for (n, s) in report.indicators.iter().enumerate() {
        let how = match (s.reporters, s.unit) {
            (0, _) => "Chưa có cơ quan báo cáo".to_string(),
            (r, Unit::Percent) => format!("Toàn tỉnh: bình quân của {r} cơ quan"),
            (r, Unit::Count) => format!("Toàn tỉnh: tổng của {r} cơ quan"),
            (r, Unit::Text) => format!("{r} cơ quan báo cáo"),
        };
        let num = |v: Option<Decimal>| v.map_or(Cell::Blank, Cell::Num);
        write_row(ws, row, &cols, &st.group, None, |k| match k {
            Key::Tt => Cell::Int(i64::try_from(n + 1).unwrap_or(i64::MAX)),
            Key::Name => Cell::Text(s.name.clone()),
            Key::Unit => Cell::Center(unit_text(s.unit).to_string()),
            Key::Target => num(s.target),
            Key::Actual => num(s.actual),
            Key::Goal => num(s.goal),
            Key::Note => Cell::Text(how.clone()),
            _ => Cell::Blank,
        })?;
        row += 1;
        for (agency, plan) in report.plans() {
            for iv in plan.indicators.iter().filter(|iv| iv.id.value == s.id) {
                let num = |v: &Option<crate::model::Spanned<Decimal>>| {
                    v.as_ref().map_or(Cell::Blank, |v| Cell::Num(v.value))
                };
                write_row(ws, row, &cols, &st.body, None, |k| match k {
                    Key::Tt => Cell::Center("-".into()),
                    Key::Name => Cell::Text(agency.name_in(report.year).to_string()),
                    Key::Unit => {
                        Cell::Center(unit_text(indicator_unit(site, report.year, iv)).to_string())
                    }
                    Key::Target => num(&iv.target),
                    Key::Actual => num(&iv.actual),
                    Key::Goal => num(&iv.goal),
                    Key::Value => Cell::Text(opt(&iv.value)),
                    Key::Note => Cell::Text(opt(&iv.note)),
                    _ => Cell::Blank,
                })?;
                row += 1;
            }
        }
    }
    let summary = format!("{values} giá trị chỉ tiêu do {agencies} cơ quan báo cáo");
    write_row(ws, row, &cols, &st.total, Some((0, 0, "")), |k| match k {
        Key::Name => Cell::Text(format!("{TOTAL_LABEL}: {summary}")),
        _ => Cell::Blank,
    })?;
    Ok(())
}

fn submission_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    report: &CycleReport<'_>,
    unit_line: &str,
) -> Result<(), XlsxError> {
    let cols = submission_cols(report);
    let title = format!("TÌNH HÌNH GỬI KẾ HOẠCH ỨNG DỤNG CNTT NĂM {}", report.year);
    let mut subtitle = format!("Hạn gửi kế hoạch: {}", dmy(report.meta.deadline.value));
    if let Some(g) = &report.meta.guidance {
        subtitle.push_str(&format!(
            " (Công văn số {} ngày {} của {})",
            g.number,
            dmy(g.date),
            g.issuer
        ));
    }
    let mut row = sheet_head(ws, st, &cols, &title, &subtitle, unit_line)?;
    ws.set_name("Tình hình gửi kế hoạch")?;
    let mut project_count = 0usize;
    for (n, e) in report.entries.iter().enumerate() {
        let filed = e.filed;
        let projects = e.plan.map_or(0, |p| p.projects.len());
        project_count += projects;
        write_row(ws, row, &cols, &st.body, None, |k| match k {
            Key::Tt => Cell::Int(i64::try_from(n + 1).unwrap_or(i64::MAX)),
            Key::Agency => Cell::Text(e.agency.name_in(report.year).to_string()),
            Key::Group => Cell::Text(group_vi(e.agency.group).into()),
            Key::Submission => Cell::Center(submission_vi(e.submission)),
            Key::Status => filed.map_or(Cell::Blank, |p| Cell::Center(status_vi(p.status.value))),
            Key::Date => filed
                .and_then(|p| p.submitted.as_ref())
                .map_or(Cell::Blank, |d| Cell::Date(d.value)),
            Key::Projects => Cell::Int(i64::try_from(projects).unwrap_or(i64::MAX)),
            Key::Planned => Cell::Num(e.totals.planned.0),
            Key::Spending => Cell::Num(e.totals.spending.0),
            _ => Cell::Blank,
        })?;
        row += 1;
    }
    let counts = [
        Submission::OnTime,
        Submission::Late,
        Submission::Draft,
        Submission::Missing,
    ]
    .map(|s| format!("{}: {}", submission_vi(s), report.count(s)))
    .join("; ");
    let t = &report.totals;
    let label_end = index_of(&cols, &Key::Group);
    write_row(
        ws,
        row,
        &cols,
        &st.total,
        Some((0, label_end, TOTAL_LABEL)),
        |k| match k {
            Key::Submission => Cell::Text(counts.clone()),
            Key::Projects => Cell::Int(i64::try_from(project_count).unwrap_or(i64::MAX)),
            Key::Planned => Cell::Num(t.planned.0),
            Key::Spending => Cell::Num(t.spending.0),
            _ => Cell::Blank,
        },
    )?;
    Ok(())
}

/// `ke-hoach-<year>.xlsx`: the annex, prior-year spending, indicators and
/// submissions, one sheet each, with Vietnamese headers like the guidance
/// letter's tables and a bold "Tổng cộng" row holding the consolidated
/// totals. The file is a function of the content only (its creation date is
/// the cycle's deadline), so an unchanged cycle publishes an unchanged file.
pub(crate) fn workbook(site: &Site, report: &CycleReport<'_>) -> Result<Vec<u8>, String> {
    build_workbook(site, report).map_err(|e| e.to_string())
}

fn build_workbook(site: &Site, report: &CycleReport<'_>) -> Result<Vec<u8>, XlsxError> {
    // The workbook is the Vietnamese document an agency signs, whatever the
    // interface language.
    let unit_line = format!("Đơn vị tính: {}", money_unit(site).label(Lang::Vi));
    let st = Styles::new();
    let mut wb = Workbook::new();
    let d = report.meta.deadline.value;
    let created = ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(2000),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )?;
    let title = site
        .config
        .as_ref()
        .map_or_else(|| report.meta.title.clone(), |c| c.title.clone());
    wb.set_properties(
        &DocProperties::new()
            .set_title(report.meta.title.clone())
            .set_company(title)
            .set_author("planpress")
            .set_creation_datetime(&created),
    );
    annex_sheet(wb.add_worksheet(), &st, site, report, &unit_line)?;
    spending_sheet(wb.add_worksheet(), &st, site, report, &unit_line)?;
    indicator_sheet(wb.add_worksheet(), &st, site, report)?;
    submission_sheet(wb.add_worksheet(), &st, report, &unit_line)?;
    // Level 3 instead of 6 halves the time to save for a file about a
    // fifth larger (1.36 MB instead of 1.15 MB for 1,000 plans).
    wb.set_zip_compression_level(3);
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::path::Path;

    use calamine::{Data, Reader, Xlsx};
    use serde_json::Value;

    use super::*;
    use crate::consolidate::cycle;
    use crate::load::{Loaded, load};

    fn demo() -> Loaded {
        load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
        assert!(bytes.starts_with(BOM), "CSV must start with a BOM");
        let body = &bytes[BOM.len()..];
        assert!(std::str::from_utf8(body).is_ok());
        let mut r = csv::Reader::from_reader(body);
        let header = r.headers().unwrap().iter().map(String::from).collect();
        let rows = r
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    }

    fn column_sum(header: &[String], rows: &[Vec<String>], name: &str) -> Decimal {
        let i = header.iter().position(|h| h == name).unwrap();
        rows.iter()
            .filter(|r| !r[i].is_empty())
            .map(|r| dec(&r[i]))
            .sum()
    }

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

    #[test]
    fn workbook_cells_are_cut_at_excels_limit() {
        let long = "ạ".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), CELL_CHARS);
        assert!(cut.ends_with('…'));
        let exact = "a".repeat(CELL_CHARS);
        assert_eq!(cell_text(&exact), exact.as_str());
    }

    #[test]
    fn exports_projects_csv() {
        let loaded = demo();
        let site = &loaded.site;
        let report = cycle(site, &site.cycles[0], false).unwrap();
        let (header, rows) = read_csv(&projects_csv(site, &report));
        let expected: usize = report.plans().map(|(_, p)| p.projects.len()).sum();
        assert!(expected > 0);
        assert_eq!(rows.len(), expected);
        assert!(rows.iter().all(|r| r.len() == header.len()));
        for h in [
            "Mã cơ quan",
            "TT",
            "Tên dự án, nhiệm vụ",
            "Hạng mục",
            "Thời gian thực hiện",
            "Đơn vị phối hợp",
            "Cần triển khai năm 2019",
            "Ngân sách trung ương (triệu đồng)",
            "Vốn đầu tư (triệu đồng)",
            "Chủ đầu tư",
            "Ghi chú",
        ] {
            assert!(header.iter().any(|x| x == h), "missing header {h}");
        }
        let t = &report.totals;
        assert_eq!(
            column_sum(&header, &rows, "Cần thực hiện trong năm 2019 (triệu đồng)"),
            t.planned.0
        );
        assert_eq!(
            column_sum(&header, &rows, "Tổng kinh phí (triệu đồng)"),
            t.total.0
        );
        assert_eq!(
            column_sum(&header, &rows, "Đã thực hiện (triệu đồng)"),
            t.spent.0
        );
        assert_eq!(
            column_sum(&header, &rows, "Ngân sách tỉnh (triệu đồng)"),
            t.by_level.get("tinh").0
        );
        // Headers are unique even though "Nguồn khác" is in both lists.
        let mut unique = header.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), header.len());
        // Agency order, then priority.
        let first = &rows[0];
        let code = &first[0];
        let prios: Vec<i64> = rows
            .iter()
            .filter(|r| r[0] == *code)
            .map(|r| r[2].parse().unwrap())
            .collect();
        assert!(prios.windows(2).all(|w| w[0] < w[1]));
        // CRLF line ends.
        assert!(projects_csv(site, &report).windows(2).any(|w| w == b"\r\n"));
    }

    #[test]
    fn exports_spending_and_indicators_csv() {
        let loaded = demo();
        let site = &loaded.site;
        let report = cycle(site, &site.cycles[0], false).unwrap();
        let (header, rows) = read_csv(&spending_csv(site, &report));
        let expected: usize = report.plans().map(|(_, p)| p.spending.len()).sum();
        assert!(expected > 0);
        assert_eq!(rows.len(), expected);
        assert_eq!(
            column_sum(&header, &rows, "Tổng kinh phí (triệu đồng)"),
            report.totals.spending.0
        );
        assert!(
            header
                .iter()
                .any(|h| h == "Ghi chú (căn cứ Quyết định phê duyệt)")
        );

        let (header, rows) = read_csv(&indicators_csv(site, &report));
        let expected: usize = report.plans().map(|(_, p)| p.indicators.len()).sum();
        assert!(expected > 0);
        assert_eq!(rows.len(), expected);
        for h in [
            "Mã chỉ tiêu",
            "Chỉ tiêu",
            "Đơn vị",
            "Chỉ tiêu năm 2018",
            "Ước thực hiện năm 2018",
            "Mục tiêu năm 2019",
            "Nội dung",
        ] {
            assert!(header.iter().any(|x| x == h), "missing header {h}");
        }
        let unit = header.iter().position(|h| h == "Đơn vị").unwrap();
        assert!(
            rows.iter()
                .all(|r| ["%", "số lượng", ""].contains(&r[unit].as_str()))
        );
    }

    #[test]
    fn exports_plan_json() {
        let loaded = demo();
        let site = &loaded.site;
        let report = cycle(site, &site.cycles[0], false).unwrap();
        let v: Value = serde_json::from_slice(&plan_json(site, &report)).unwrap();
        assert_eq!(v["year"], 2019);
        assert_eq!(v["money_unit"], "trieu-dong");
        let totals = &v["totals"];
        for k in ["planned", "spent", "total", "spending"] {
            assert!(totals[k].is_string(), "totals.{k}");
        }
        for (k, ids) in [
            (
                "by_category",
                vec!["ha-tang", "noi-bo", "nguoi-dan", "nhan-luc"],
            ),
            ("by_level", vec!["trung-uong", "tinh", "huyen", "khac"]),
            ("by_kind", vec!["dau-tu", "su-nghiep", "khac"]),
        ] {
            for id in ids {
                assert!(totals[k][id].is_string(), "totals.{k}.{id}");
            }
            let sum: Decimal = totals[k]
                .as_object()
                .unwrap()
                .values()
                .map(|x| dec(x.as_str().unwrap()))
                .sum();
            assert_eq!(sum, report.totals.planned.0, "{k} splits planned");
        }
        assert_eq!(totals["planned"], report.totals.planned.to_string());
        assert_eq!(totals["spending"], report.totals.spending.to_string());
        let agencies = v["agencies"].as_array().unwrap();
        let mut planned = Decimal::ZERO;
        let mut spending = Decimal::ZERO;
        for a in agencies {
            for k in ["code", "name", "group", "submission", "planned", "spending"] {
                assert!(a[k].is_string(), "agency key {k}");
            }
            assert!(a["projects"].is_array());
            for p in a["projects"].as_array().unwrap() {
                assert!(p["id"].is_string() && p["category"].is_string());
                assert!(p["priority"].is_i64());
                for k in ["total", "spent", "planned"] {
                    assert!(p["cost"][k].is_string());
                }
            }
            planned += dec(a["planned"].as_str().unwrap());
            spending += dec(a["spending"].as_str().unwrap());
        }
        assert_eq!(planned, dec(totals["planned"].as_str().unwrap()));
        assert_eq!(spending, dec(totals["spending"].as_str().unwrap()));
        // Every expected agency exactly once.
        for agency in site.expected_in(report.year) {
            let n = agencies
                .iter()
                .filter(|a| a["code"] == agency.code.value.as_str())
                .count();
            assert_eq!(n, 1, "{}", agency.code.value);
        }
        let find = |code: &str| agencies.iter().find(|a| a["code"] == code).unwrap();
        let missing = find("ubnd-ly-son");
        assert_eq!(missing["submission"], "missing");
        assert_eq!(missing["planned"], "0");
        assert_eq!(missing["spending"], "0");
        assert_eq!(missing["projects"].as_array().unwrap().len(), 0);
        let draft = find("hoi-lhpn");
        assert_eq!(draft["submission"], "draft");
        assert_eq!(draft["status"], "draft");
        assert!(agencies.iter().any(|a| a["submission"] == "late"));
        assert!(agencies.iter().any(|a| a["submission"] == "on-time"));
        // Amounts keep the input's scale: a `.5` somewhere survives as such.
        let text = String::from_utf8(plan_json(site, &report)).unwrap();
        assert!(!text.contains("e+"), "no float notation");
    }

    fn cell_f64(range: &calamine::Range<Data>, row: u32, col: usize) -> Decimal {
        match range.get_value((row, u32::try_from(col).unwrap())) {
            Some(Data::Float(f)) => dec(&f.to_string()),
            Some(Data::Int(i)) => Decimal::from(*i),
            other => panic!("no number at ({row}, {col}): {other:?}"),
        }
    }

    fn total_row(range: &calamine::Range<Data>, col: u32) -> u32 {
        let (h, _) = range.get_size();
        (0..u32::try_from(h).unwrap())
            .find(|r| {
                matches!(range.get_value((*r, col)), Some(Data::String(s)) if s.starts_with(TOTAL_LABEL))
            })
            .unwrap()
    }

    #[test]
    fn exports_workbook() {
        let loaded = demo();
        let site = &loaded.site;
        let report = cycle(site, &site.cycles[0], false).unwrap();
        let bytes = workbook(site, &report).unwrap();
        assert_eq!(bytes, workbook(site, &report).unwrap(), "deterministic");
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(
            wb.sheet_names(),
            [
                "Phụ lục dự án",
                "Kinh phí năm 2018",
                "Chỉ tiêu",
                "Tình hình gửi kế hoạch"
            ]
        );
        let t = &report.totals;

        let annex = wb.worksheet_range("Phụ lục dự án").unwrap();
        assert_eq!(
            annex.get_value((0, 0)),
            Some(&Data::String(
                "PHỤ LỤC DANH MỤC DỰ ÁN, NHIỆM VỤ ỨNG DỤNG CNTT NĂM 2019".into()
            ))
        );
        assert_eq!(
            annex.get_value((2, 0)),
            Some(&Data::String("Đơn vị tính: triệu đồng".into()))
        );
        let cols = annex_cols(site, &report);
        let r = total_row(&annex, 0);
        assert_eq!(cell_f64(&annex, r, index_of(&cols, &Key::Total)), t.total.0);
        assert_eq!(cell_f64(&annex, r, index_of(&cols, &Key::Spent)), t.spent.0);
        assert_eq!(
            cell_f64(&annex, r, index_of(&cols, &Key::Planned)),
            t.planned.0
        );
        for (id, a) in &t.by_level.0 {
            assert_eq!(
                cell_f64(&annex, r, index_of(&cols, &Key::Level(id.clone()))),
                a.0
            );
        }
        for (id, a) in &t.by_kind.0 {
            assert_eq!(
                cell_f64(&annex, r, index_of(&cols, &Key::Kind(id.clone()))),
                a.0
            );
        }
        // One subtotal row per category, carrying by_category.
        let planned = index_of(&cols, &Key::Planned);
        for (n, (_, a)) in t.by_category.0.iter().enumerate() {
            let row = (0..r)
                .find(|row| annex.get_value((*row, 0)) == Some(&Data::String(roman(n + 1))))
                .unwrap();
            assert_eq!(cell_f64(&annex, row, planned), a.0);
        }
        // Project rows: as many as projects.
        let expected: usize = report.plans().map(|(_, p)| p.projects.len()).sum();
        let project_rows = (6..r)
            .filter(|row| matches!(annex.get_value((*row, 0)), Some(Data::Float(_))))
            .count();
        assert_eq!(project_rows, expected);

        let spending = wb.worksheet_range("Kinh phí năm 2018").unwrap();
        let cols = spending_cols(site, &report);
        let r = total_row(&spending, 0);
        assert_eq!(
            cell_f64(&spending, r, index_of(&cols, &Key::Total)),
            t.spending.0
        );
        for (id, a) in &t.spending_by_level.0 {
            assert_eq!(
                cell_f64(&spending, r, index_of(&cols, &Key::Level(id.clone()))),
                a.0
            );
        }
        for (id, a) in &t.spending_by_kind.0 {
            assert_eq!(
                cell_f64(&spending, r, index_of(&cols, &Key::Kind(id.clone()))),
                a.0
            );
        }

        let indicators = wb.worksheet_range("Chỉ tiêu").unwrap();
        total_row(&indicators, 1);

        let subs = wb.worksheet_range("Tình hình gửi kế hoạch").unwrap();
        let cols = submission_cols(&report);
        let r = total_row(&subs, 0);
        assert_eq!(
            cell_f64(&subs, r, index_of(&cols, &Key::Planned)),
            t.planned.0
        );
        assert_eq!(
            cell_f64(&subs, r, index_of(&cols, &Key::Spending)),
            t.spending.0
        );
        let status = index_of(&cols, &Key::Submission);
        let agency = index_of(&cols, &Key::Agency);
        let ly_son = site.agency("ubnd-ly-son").unwrap().name.clone();
        let row = (0..r)
            .find(|row| {
                subs.get_value((*row, u32::try_from(agency).unwrap()))
                    == Some(&Data::String(ly_son.clone()))
            })
            .unwrap();
        assert_eq!(
            subs.get_value((row, u32::try_from(status).unwrap())),
            Some(&Data::String("Chưa gửi".into()))
        );
        let rows = (0..r)
            .filter(|row| matches!(subs.get_value((*row, 0)), Some(Data::Float(_))))
            .count();
        assert_eq!(rows, report.entries.len());
    }

    #[test]
    fn exports_number_patterns() {
        let st = RowStyle::new(&Format::new());
        let pattern = |d: &str| st.number(dec(d)).clone();
        let with = |p: &str| {
            Format::new()
                .set_align(FormatAlign::Right)
                .set_num_format(p)
        };
        assert_eq!(pattern("3000"), with("#,##0"));
        assert_eq!(pattern("3000.00"), with("#,##0"));
        assert_eq!(pattern("127.5"), with("#,##0.0"));
        assert_eq!(pattern("0.25"), with("#,##0.00"));
        assert_eq!(pattern("0.000000000001"), with("#,##0.0000000000"));
        assert_eq!(excel_number(dec("127.5")), 127.5);
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(9), "IX");
    }
}
