//! From tables and prose to a plan: find each table of the letter by the
//! words of its header, each column by its heading, and read what people
//! write (Vietnamese numbers, names instead of codes, `dd/mm/yyyy`, units
//! in headers) into a [`PlanDoc`]. Every problem is kept with its place.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::source::{Cell, Place, Source, Table};
use crate::diag::{Code, Lang, tr};
use crate::model::money::parse_vietnamese_amount;
use crate::model::sections::fold;
use crate::model::{MoneyUnit, SectionKey};
use crate::plan_doc::{
    ContactDoc, CostDoc, IndicatorDoc, PeriodDoc, PlanDoc, ProjectDoc, Sections, SpendingDoc,
    SplitDoc,
};

/// A problem of the source, at its place.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub(crate) code: Code,
    pub(crate) place: Place,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

/// The names a plan's codes stand for, from the site and the cycle.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    pub(crate) categories: Vec<(String, String)>,
    pub(crate) levels: Vec<(String, String)>,
    pub(crate) kinds: Vec<(String, String)>,
    pub(crate) agencies: Vec<(String, String)>,
    /// (id, name, unit id)
    pub(crate) indicators: Vec<(String, String, String)>,
    pub(crate) money_unit: Option<MoneyUnit>,
}

/// What was understood.
#[derive(Debug, Default)]
pub(crate) struct Reading {
    pub(crate) doc: PlanDoc,
    pub(crate) sections: Sections,
    /// Source place of each value, by its path in the front matter
    /// (`projects.2.cost.total`), to point the checker's findings back at
    /// the source.
    pub(crate) places: HashMap<String, Place>,
    pub(crate) problems: Vec<Problem>,
    /// Agency and year as the file says them.
    pub(crate) agency: Option<(String, Place)>,
    pub(crate) year: Option<(i32, Place)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Info,
    Prose,
    Indicators,
    Spending,
    Projects,
}

#[derive(Clone, Debug, PartialEq)]
enum Field {
    Tt,
    Id,
    Name,
    Category,
    Task,
    Unit,
    Target,
    Actual,
    Goal,
    Value,
    Total,
    Spent,
    Planned,
    /// One level's (or kind's) amount.
    Level(String),
    Kind(String),
    /// Names and amounts of several levels in one cell.
    Levels,
    Kinds,
    Basis,
    Objective,
    Period,
    Lead,
    Partners,
    LeadPartners,
    Done,
    Todo,
    Investor,
    Approval,
    Necessity,
    Standards,
    Location,
    Note,
}

fn words(text: &str) -> String {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `hay` contains the words `needle` as whole words.
fn has(hay: &str, needle: &str) -> bool {
    let h = format!(" {hay} ");
    h.contains(&format!(" {needle} "))
}

fn classify(header: &str) -> Option<Which> {
    if has(header, "ten du an") || (has(header, "du an") && has(header, "thoi gian")) {
        Some(Which::Projects)
    } else if (has(header, "hang muc") || has(header, "nhiem vu")) && has(header, "kinh phi") {
        Some(Which::Spending)
    } else if has(header, "chi tieu") && (has(header, "uoc thuc hien") || has(header, "muc tieu")) {
        Some(Which::Indicators)
    } else if header.starts_with("thong tin") {
        Some(Which::Info)
    } else if header.starts_with("muc noi dung") {
        Some(Which::Prose)
    } else {
        None
    }
}

/// A money unit named in a header or caption.
fn unit_in(text: &str) -> Option<MoneyUnit> {
    let w = words(text);
    if has(&w, "ty dong") || has(&w, "ty") && has(&w, "dong") {
        Some(MoneyUnit::TyDong)
    } else if has(&w, "trieu dong") || has(&w, "tr dong") {
        Some(MoneyUnit::TrieuDong)
    } else if has(&w, "nghin dong") || has(&w, "ngan dong") {
        Some(MoneyUnit::NghinDong)
    } else if has(&w, "dong") && (has(&w, "don vi") || has(&w, "dvt")) {
        Some(MoneyUnit::Dong)
    } else {
        None
    }
}

fn exponent(unit: MoneyUnit) -> i32 {
    match unit {
        MoneyUnit::Dong => 0,
        MoneyUnit::NghinDong => 3,
        MoneyUnit::TrieuDong => 6,
        MoneyUnit::TyDong => 9,
    }
}

/// `value` in `from` expressed in `to`, exactly.
pub(crate) fn convert(value: Decimal, from: MoneyUnit, to: MoneyUnit) -> Option<Decimal> {
    let shift = exponent(from) - exponent(to);
    if shift == 0 {
        return Some(value);
    }
    let ten = Decimal::from(10);
    let mut v = value;
    for _ in 0..shift.unsigned_abs() {
        v = if shift > 0 {
            v.checked_mul(ten)?
        } else {
            v.checked_div(ten)?
        };
    }
    Some(v.normalize())
}

/// Matches a name (or a code) against `(code, name)` pairs, ignoring case,
/// diacritics and punctuation; a unique candidate that starts with what was
/// written (or the other way round) also counts.
fn match_name<'a>(text: &str, list: &'a [(String, String)]) -> Option<&'a str> {
    let w = words(text);
    if w.is_empty() {
        return None;
    }
    if let Some((id, _)) = list
        .iter()
        .find(|(id, name)| words(name) == w || *id == text.trim() || words(id) == w)
    {
        return Some(id);
    }
    let near: Vec<&(String, String)> = list
        .iter()
        .filter(|(_, name)| {
            let n = words(name);
            w.split(' ').count() >= 2 && (n.starts_with(&w) || w.starts_with(&n))
        })
        .collect();
    match near.as_slice() {
        [one] => Some(&one.0),
        _ => None,
    }
}

/// The names of `list` closest to `text`, to suggest.
fn nearest(text: &str, list: &[(String, String)]) -> Vec<String> {
    let w = words(text);
    let mut scored: Vec<(usize, &String)> = list
        .iter()
        .map(|(_, name)| (strsim::levenshtein(&w, &words(name)), name))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

/// Short names people use for levels and kinds: "TW", "Tỉnh", "sự nghiệp".
fn short(name: &str) -> String {
    let w = words(name);
    for prefix in ["ngan sach ", "nguon von ", "von ", "kinh phi ", "nguon "] {
        if let Some(rest) = w.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    w
}

fn match_split_name<'a>(text: &str, list: &'a [(String, String)]) -> Option<&'a str> {
    if let Some(id) = match_name(text, list) {
        return Some(id);
    }
    let s = short(text);
    let s = match s.as_str() {
        "tw" => "trung uong".to_string(),
        _ => s,
    };
    list.iter()
        .find(|(id, name)| short(name) == s || words(id) == s)
        .map(|(id, _)| id.as_str())
}

fn column_field(top: &str, sub: &str, names: &Names, last_group: Option<bool>) -> Option<Field> {
    let s = words(sub);
    let t = words(top);
    let s = s.as_str();
    // One column per level or kind, under "Theo cấp ngân sách" / "Theo nguồn vốn".
    let level = match_name(sub, &names.levels);
    let kind = match_name(sub, &names.kinds);
    let in_levels = has(&t, "cap ngan sach") || (has(&t, "ngan sach") && !has(&t, "nguon von"));
    let in_kinds = has(&t, "nguon von") || has(&t, "von");
    match (level, kind) {
        (Some(l), Some(k)) => {
            return Some(if in_kinds && !in_levels {
                Field::Kind(k.to_string())
            } else if in_levels || last_group != Some(false) {
                Field::Level(l.to_string())
            } else {
                Field::Kind(k.to_string())
            });
        }
        (Some(l), None) => return Some(Field::Level(l.to_string())),
        (None, Some(k)) => return Some(Field::Kind(k.to_string())),
        _ => {}
    }
    let f = if s == "tt" || s == "stt" || s == "thu tu uu tien" || s == "uu tien" {
        Field::Tt
    } else if s == "ma" || s.starts_with("ma du an") || s.starts_with("ma chi tieu") {
        Field::Id
    } else if has(s, "ten du an") || has(s, "ten chi tieu") || s == "chi tieu" {
        Field::Name
    } else if has(s, "hang muc dau tu") || s == "hang muc" {
        Field::Category
    } else if has(s, "don vi tinh") {
        Field::Unit
    } else if has(s, "uoc thuc hien") {
        Field::Actual
    } else if has(s, "chu tri") && has(s, "phoi hop") {
        Field::LeadPartners
    } else if has(s, "chu tri") {
        Field::Lead
    } else if has(s, "phoi hop") {
        Field::Partners
    } else if has(s, "da trien khai") {
        Field::Done
    } else if has(s, "can trien khai") {
        Field::Todo
    } else if has(s, "muc tieu quy mo") || s.starts_with("muc tieu quy") {
        Field::Objective
    } else if has(s, "muc tieu") {
        Field::Goal
    } else if has(s, "mo ta") || has(s, "tinh hinh") {
        Field::Value
    } else if has(s, "chi tieu") || has(s, "ke hoach nam") {
        Field::Target
    } else if has(s, "noi dung") || has(s, "nhiem vu") {
        Field::Task
    } else if has(s, "da thuc hien") {
        Field::Spent
    } else if has(s, "can thuc hien") {
        Field::Planned
    } else if s.starts_with("tong") || has(s, "uoc kinh phi") {
        Field::Total
    } else if has(s, "ngan sach") {
        Field::Levels
    } else if has(s, "nguon von") || has(s, "su nghiep") {
        Field::Kinds
    } else if has(s, "thoi gian") {
        Field::Period
    } else if has(s, "chu dau tu") {
        Field::Investor
    } else if has(s, "su can thiet") {
        Field::Necessity
    } else if has(s, "tieu chuan") {
        Field::Standards
    } else if has(s, "dia diem") {
        Field::Location
    } else if has(s, "can cu") || (has(s, "ghi chu") && has(s, "quyet dinh")) {
        Field::Basis
    } else if has(s, "phe duyet") {
        Field::Approval
    } else if has(s, "ghi chu") {
        Field::Note
    } else {
        return None;
    };
    Some(f)
}

/// A table's header: the rows it spans, the column fields, and the unit.
struct Header {
    /// First data row.
    data: usize,
    fields: Vec<(usize, Field)>,
    unit: Option<MoneyUnit>,
}

fn row_words(row: &[Cell]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for c in row {
        if !seen.contains(&c.text.as_str()) {
            seen.push(&c.text);
        }
    }
    words(&seen.join(" "))
}

/// A numbering row under a header: `1 2 3 …` or `(1) (2) (3) …`.
fn is_numbering(row: &[Cell]) -> bool {
    let texts: Vec<String> = row
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.num
                .map(|n| n.to_string())
                .unwrap_or_else(|| c.text.trim().trim_matches(['(', ')']).to_string())
        })
        .collect();
    texts.len() >= 3
        && texts
            .iter()
            .enumerate()
            .all(|(i, t)| t.parse::<usize>().ok() == Some(i + 1))
}

fn find_header(table: &Table, names: &Names) -> Option<(Which, Header)> {
    let limit = table.rows.len().min(12);
    // A title or an instruction may name the table too; the header is the
    // row that also names its columns.
    let (start, which) = (0..limit).find_map(|r| {
        let row = &table.rows[r];
        let which = classify(&row_words(row))?;
        if matches!(which, Which::Info | Which::Prose) {
            return Some((r, which));
        }
        let mut fields: Vec<Field> = Vec::new();
        for c in row {
            if let Some(f) = column_field("", &c.text, names, None)
                && !fields.contains(&f)
            {
                fields.push(f);
            }
        }
        (fields.len() >= 3).then_some((r, which))
    })?;
    // The header spans the row that named the table and the rows under it
    // that only refine its columns (the second row of a merged header).
    let mut end = start + 1;
    while !matches!(which, Which::Info | Which::Prose) && end < table.rows.len() && end < start + 3
    {
        let row = &table.rows[end];
        // Every cell of such a row repeats the one above (a merged
        // heading) or names a column; a data row has values that do not.
        let above = |i: usize| table.rows[end - 1].get(i).map_or("", |a| a.text.as_str());
        let names_column = |c: &Cell| column_field("", &c.text, names, None).is_some();
        let new: Vec<&Cell> = row
            .iter()
            .enumerate()
            .filter(|(i, c)| !c.text.trim().is_empty() && c.text != above(*i))
            .map(|(_, c)| c)
            .collect();
        let naming = new.iter().filter(|c| names_column(c)).count();
        let refines =
            row.iter().all(|c| c.num.is_none()) && !new.is_empty() && naming * 2 >= new.len();
        if !refines {
            break;
        }
        end += 1;
    }
    let width = table.rows[start..end]
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let mut fields = Vec::new();
    let mut last_group: Option<bool> = None;
    for col in 0..width {
        let texts: Vec<&str> = table.rows[start..end]
            .iter()
            .filter_map(|r| r.get(col).map(|c| c.text.as_str()))
            .collect();
        let sub = texts.last().copied().unwrap_or("");
        let top = texts.first().copied().unwrap_or("");
        if let Some(f) = column_field(top, sub, names, last_group) {
            match f {
                Field::Level(_) => last_group = Some(true),
                Field::Kind(_) => last_group = Some(false),
                _ => {}
            }
            // A merged header spreads one heading over several columns;
            // the first of them holds the value.
            if !fields.iter().any(|(_, g)| *g == f) {
                fields.push((col, f));
            }
        }
    }
    let header_text: String = table.rows[start..end]
        .iter()
        .map(|r| row_words(r))
        .collect::<Vec<_>>()
        .join(" ");
    let above: String = table.rows[..start]
        .iter()
        .map(|r| row_words(r))
        .collect::<Vec<_>>()
        .join(" ");
    let unit = unit_in(&header_text)
        .or_else(|| unit_in(&above))
        .or_else(|| unit_in(&table.caption));
    let mut data = end;
    if table.rows.get(data).is_some_and(|r| is_numbering(r)) {
        data += 1;
    }
    Some((which, Header { data, fields, unit }))
}

/// Reads tables and prose into a plan.
pub(crate) struct Reader<'a> {
    names: &'a Names,
    lang: Lang,
    out: Reading,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(names: &'a Names, lang: Lang) -> Self {
        Reader {
            names,
            lang,
            out: Reading::default(),
        }
    }

    fn problem(&mut self, code: Code, place: &Place, message: String, help: Option<String>) {
        self.out.problems.push(Problem {
            code,
            place: place.clone(),
            message,
            help,
        });
    }

    fn place(&mut self, path: String, place: &Place) {
        self.out.places.insert(path, place.clone());
    }

    /// Reads every table and section of `source`.
    pub(crate) fn read(mut self, source: &Source, file_label: &str) -> Reading {
        let mut found: Vec<Which> = Vec::new();
        for table in &source.tables {
            let Some((which, header)) = find_header(table, self.names) else {
                continue;
            };
            if found.contains(&which) && which != Which::Prose && which != Which::Info {
                continue;
            }
            found.push(which);
            match which {
                Which::Info => self.info(table, &header),
                Which::Prose => self.prose_table(table, &header),
                Which::Indicators => self.indicators(table, &header),
                Which::Spending => self.spending(table, &header),
                Which::Projects => self.projects(table, &header),
            }
        }
        let lang = self.lang;
        for (which, label) in [
            (Which::Indicators, "II.1"),
            (Which::Spending, "II.2"),
            (Which::Projects, "VI"),
        ] {
            if !found.contains(&which) {
                let place = Place::Whole(file_label.to_string());
                let (what, words) = match which {
                    Which::Indicators => (
                        tr!(lang, "Bảng II.1 (các chỉ tiêu)", "Table II.1 (indicators)"),
                        "Chỉ tiêu, Ước thực hiện, Mục tiêu",
                    ),
                    Which::Spending => (
                        tr!(
                            lang,
                            "Bảng II.2 (kinh phí năm trước)",
                            "Table II.2 (prior-year spending)"
                        ),
                        "Hạng mục đầu tư, Nội dung/Nhiệm vụ, Kinh phí",
                    ),
                    _ => (
                        tr!(lang, "Bảng VI (danh mục dự án)", "Table VI (projects)"),
                        "Tên dự án, nhiệm vụ; Thời gian thực hiện; Kinh phí",
                    ),
                };
                self.problem(
                    Code::E006,
                    &place,
                    tr!(lang, "Không tìm thấy {what} ({label}).", "{what} ({label}) was not found."),
                    Some(tr!(
                        lang,
                        "Thêm bảng có dòng tiêu đề gồm: {words}. Nếu không có số liệu, để bảng trống.",
                        "Add a table whose header has: {words}. Leave it empty if there is nothing to report."
                    )),
                );
            }
        }
        for prose in &source.prose {
            if let Some(key) = SectionKey::of_heading(&prose.heading) {
                self.out
                    .sections
                    .insert(key.id().to_string(), prose.text.clone());
                self.place(format!("section.{}", key.id()), &prose.place);
            }
        }
        if !source.intro.trim().is_empty() {
            self.out
                .sections
                .insert(crate::plan_doc::INTRO.to_string(), source.intro.clone());
        }
        for (basis, _) in &source.legal_bases {
            self.out.doc.legal_bases.push(basis.clone());
        }
        self.out.doc.status = "draft".into();
        self.out
    }

    fn text(cell: Option<&Cell>) -> Option<String> {
        let c = cell?;
        if let Some((y, m, d)) = c.date {
            return Some(format!("{d}/{m}/{y}"));
        }
        if let Some(n) = c.num
            && c.text.trim().is_empty()
        {
            return Some(n.to_string());
        }
        let t = c.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// An amount: a number cell, or a text in Vietnamese style, in `unit`.
    fn amount(&mut self, cell: &Cell, unit: Option<MoneyUnit>) -> Option<Decimal> {
        let raw = match cell.num {
            Some(n) => n,
            None => {
                let t = cell.text.trim();
                if t.is_empty() || t == "-" {
                    return None;
                }
                // The number as written, in the column's unit (a unit word
                // in the cell itself wins: "1,5 tỷ đồng").
                let site = self.names.money_unit.unwrap_or(MoneyUnit::TrieuDong);
                match parse_vietnamese_amount(t, unit.unwrap_or(site)) {
                    Ok(n) => n,
                    Err(e) => {
                        let lang = self.lang;
                        let place = cell.place.clone();
                        self.problem(
                            Code::E005,
                            &place,
                            tr!(
                                lang,
                                "Ô này cần một số nhưng có chữ \"{t}\".",
                                "This cell needs a number but holds \"{t}\"."
                            ),
                            Some(e.hint(lang)),
                        );
                        return None;
                    }
                }
            }
        };
        let site = self.names.money_unit.unwrap_or(MoneyUnit::TrieuDong);
        convert(raw, unit.unwrap_or(site), site)
    }

    fn code(
        &mut self,
        cell: &Cell,
        list: &[(String, String)],
        what_vi: &str,
        what_en: &str,
    ) -> String {
        let text = cell.text.trim();
        if let Some(id) = match_name(text, list) {
            return id.to_string();
        }
        let lang = self.lang;
        let near = nearest(text, list).join("\", \"");
        let what = tr!(lang, "{what_vi}", "{what_en}");
        self.problem(
            Code::E020,
            &cell.place,
            tr!(
                lang,
                "Không có {what} nào tên \"{text}\".",
                "There is no {what} named \"{text}\"."
            ),
            Some(tr!(
                lang,
                "Chọn một tên trong danh mục, ví dụ \"{near}\".",
                "Pick a name from the list, e.g. \"{near}\"."
            )),
        );
        text.to_string()
    }

    fn get<'t>(row: &'t [Cell], header: &Header, f: &Field) -> Option<&'t Cell> {
        let col = header.fields.iter().find(|(_, g)| g == f)?.0;
        row.get(col).filter(|c| !c.is_empty())
    }

    fn info(&mut self, table: &Table, header: &Header) {
        let mut contact = ContactDoc::default();
        for row in &table.rows[header.data.min(table.rows.len())..] {
            let (Some(label), Some(value)) = (row.first(), row.get(1)) else {
                continue;
            };
            let l = words(&label.text);
            let text = Self::text(Some(value));
            if has(&l, "ma co quan") || l == "co quan" || has(&l, "ten co quan") {
                if let Some(t) = &text
                    && self.out.agency.is_none()
                {
                    let code = match_name(t, &self.names.agencies)
                        .map_or_else(|| t.clone(), str::to_string);
                    self.out.agency = Some((code, value.place.clone()));
                }
            } else if has(&l, "nam ke hoach") || l == "nam" {
                let year = value
                    .num
                    .and_then(|n| i32::try_from(n.trunc().mantissa()).ok())
                    .or_else(|| text.as_deref().and_then(|t| t.trim().parse().ok()));
                if let Some(y) = year {
                    self.out.year = Some((y, value.place.clone()));
                }
            } else if has(&l, "ngay gui") {
                if let Some(d) = self.date(value) {
                    self.out.doc.submitted = Some(d);
                    self.place("submitted".into(), &value.place);
                }
            } else if has(&l, "nguoi lien he") || has(&l, "ho va ten") {
                contact.name = text;
            } else if has(&l, "dien thoai") {
                contact.phone = text;
            } else if has(&l, "thu dien tu") || has(&l, "email") {
                contact.email = text;
            } else if has(&l, "can cu")
                && let Some(t) = text
            {
                let i = self.out.doc.legal_bases.len();
                self.out.doc.legal_bases.push(t);
                self.place(format!("legal_bases.{i}"), &value.place);
            }
        }
        if contact != ContactDoc::default() {
            self.out.doc.contact = Some(contact);
        }
    }

    /// `dd/mm/yyyy` (or a date cell) as `yyyy-mm-dd`.
    fn date(&mut self, cell: &Cell) -> Option<String> {
        if let Some((y, m, d)) = cell.date {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
        let t = cell.text.trim();
        if t.is_empty() {
            return None;
        }
        let parts: Vec<&str> = t.split(['/', '-', '.']).map(str::trim).collect();
        let parsed = match parts.as_slice() {
            [d, m, y] if y.len() == 4 => Some((y.parse(), m.parse(), d.parse())),
            [y, m, d] if y.len() == 4 => Some((y.parse(), m.parse(), d.parse())),
            _ => None,
        };
        if let Some((Ok(y), Ok(m), Ok(d))) = parsed
            && chrono::NaiveDate::from_ymd_opt(y, m, d).is_some()
        {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
        let lang = self.lang;
        self.problem(
            Code::E005,
            &cell.place,
            tr!(
                lang,
                "\"{t}\" không phải là ngày.",
                "\"{t}\" is not a date."
            ),
            Some(tr!(
                lang,
                "Viết ngày dạng ngày/tháng/năm, ví dụ 25/07/2018.",
                "Write the date as day/month/year, e.g. 25/07/2018."
            )),
        );
        None
    }

    fn prose_table(&mut self, table: &Table, header: &Header) {
        for row in &table.rows[header.data.min(table.rows.len())..] {
            let (Some(label), Some(value)) = (row.first(), row.get(1)) else {
                continue;
            };
            let key = if words(&label.text).starts_with("gioi thieu") {
                Some(crate::plan_doc::INTRO.to_string())
            } else {
                SectionKey::of_heading(&label.text).map(|k| k.id().to_string())
            };
            if let Some(key) = key {
                let text = value.text.replace("\r\n", "\n");
                if !text.trim().is_empty() {
                    self.place(format!("section.{key}"), &value.place);
                    self.out.sections.insert(key, text.trim().to_string());
                }
            }
        }
    }

    fn indicators(&mut self, table: &Table, header: &Header) {
        for row in &table.rows[header.data.min(table.rows.len())..] {
            let name_cell = Self::get(row, header, &Field::Name);
            let id_cell = Self::get(row, header, &Field::Id);
            if name_cell.is_none() && id_cell.is_none() {
                continue;
            }
            let i = self.out.doc.indicators.len();
            let list: Vec<(String, String)> = self
                .names
                .indicators
                .iter()
                .map(|(id, name, _)| (id.clone(), name.clone()))
                .collect();
            let known = id_cell
                .and_then(|c| match_name(&c.text, &list))
                .or_else(|| name_cell.and_then(|c| match_name(&c.text, &list)))
                .map(str::to_string);
            let mut ind = IndicatorDoc::default();
            let place = name_cell.or(id_cell).map(|c| c.place.clone());
            if let Some(p) = &place {
                self.place(format!("indicators.{i}"), p);
            }
            match known {
                Some(id) => ind.id = id,
                None => {
                    ind.id = Self::text(id_cell)
                        .unwrap_or_else(|| slug(&Self::text(name_cell).unwrap_or_default()));
                    ind.name = Self::text(name_cell);
                    ind.unit = Self::text(Self::get(row, header, &Field::Unit)).map(|u| {
                        let w = words(&u);
                        if u.contains('%') || has(&w, "ty le") || w == "percent" {
                            "percent".to_string()
                        } else if w == "text" || has(&w, "mo ta") {
                            "text".to_string()
                        } else if w == "count" || has(&w, "so luong") {
                            "count".to_string()
                        } else {
                            u
                        }
                    });
                }
            }
            for (f, key) in [
                (Field::Target, "target"),
                (Field::Actual, "actual"),
                (Field::Goal, "goal"),
            ] {
                if let Some(c) = Self::get(row, header, &f) {
                    let t = c.text.trim().trim_end_matches('%').trim().to_string();
                    let mut c2 = c.clone();
                    c2.text = t;
                    let v = self.amount_plain(&c2);
                    self.place(format!("indicators.{i}.{key}"), &c.place);
                    match key {
                        "target" => ind.target = v,
                        "actual" => ind.actual = v,
                        _ => ind.goal = v,
                    }
                }
            }
            if let Some(c) = Self::get(row, header, &Field::Value) {
                ind.value = Self::text(Some(c));
                self.place(format!("indicators.{i}.value"), &c.place);
            }
            ind.note = Self::text(Self::get(row, header, &Field::Note));
            self.out.doc.indicators.push(ind);
        }
    }

    /// A number that is not money (a percentage, a count): no unit.
    fn amount_plain(&mut self, cell: &Cell) -> Option<Decimal> {
        self.amount(cell, None)
    }

    /// A group row of the seed's II.2 ("Hạ tầng kỹ thuật…" alone on its
    /// row) or a total row: not a task.
    fn group_row(&self, row: &[Cell], header: &Header) -> Option<Option<String>> {
        let filled: Vec<&Cell> = row
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                !c.is_empty()
                    && header
                        .fields
                        .iter()
                        .find(|(col, _)| col == i)
                        .is_none_or(|(_, f)| *f != Field::Tt)
            })
            .map(|(_, c)| c)
            .collect();
        let mut texts: Vec<&str> = filled.iter().map(|c| c.text.trim()).collect();
        texts.dedup();
        let first = texts.first()?;
        let w = words(first);
        if w.starts_with("tong cong") || w == "tong" || w == "cong" {
            return Some(None);
        }
        if texts.len() == 1 && filled.iter().all(|c| c.num.is_none()) {
            return match_name(first, &self.names.categories).map(|id| Some(id.to_string()));
        }
        None
    }

    fn split(
        &mut self,
        row: &[Cell],
        header: &Header,
        whole: Option<Decimal>,
        path: &str,
        levels: bool,
    ) -> SplitDoc {
        let mut out = Vec::new();
        let list = if levels {
            &self.names.levels
        } else {
            &self.names.kinds
        };
        let list = list.clone();
        for (col, f) in &header.fields {
            let id = match (f, levels) {
                (Field::Level(id), true) | (Field::Kind(id), false) => id,
                _ => continue,
            };
            let Some(cell) = row.get(*col).filter(|c| !c.is_empty()) else {
                continue;
            };
            if let Some(v) = self.amount(cell, header.unit) {
                self.place(format!("{path}.{id}"), &cell.place);
                if !self.out.places.contains_key(path) {
                    self.place(path.to_string(), &cell.place);
                }
                out.push((id.clone(), v));
            }
        }
        let combined = if levels { Field::Levels } else { Field::Kinds };
        if let Some(cell) = Self::get(row, header, &combined) {
            self.place(path.to_string(), &cell.place);
            let text = cell.text.clone();
            let parts: Vec<&str> = text
                .split([';', '\n', '+'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            for part in &parts {
                // "Tỉnh: 300", "Ngân sách tỉnh 300", "Vốn đầu tư - 1.200"
                let (name, number) = split_name_number(part);
                let Some(id) = match_split_name(name, &list) else {
                    let mut c = cell.clone();
                    c.text = name.to_string();
                    let (vi, en) = if levels {
                        ("cấp ngân sách", "budget level")
                    } else {
                        ("nguồn vốn", "kind of capital")
                    };
                    self.code(&c, &list, vi, en);
                    continue;
                };
                let v = match number {
                    Some(n) => {
                        let mut c = cell.clone();
                        c.text = n.to_string();
                        c.num = None;
                        self.amount(&c, header.unit)
                    }
                    None if parts.len() == 1 => whole,
                    None => None,
                };
                if let Some(v) = v {
                    out.push((id.to_string(), v));
                }
            }
        }
        SplitDoc(out)
    }

    fn spending(&mut self, table: &Table, header: &Header) {
        let mut category: Option<String> = None;
        for row in &table.rows[header.data.min(table.rows.len())..] {
            if row.iter().all(Cell::is_empty) {
                continue;
            }
            if let Some(group) = self.group_row(row, header) {
                if group.is_some() {
                    category = group;
                }
                continue;
            }
            let i = self.out.doc.spending.len();
            let path = format!("spending.{i}");
            let Some(task_cell) = Self::get(row, header, &Field::Task) else {
                continue;
            };
            self.place(path.clone(), &task_cell.place);
            self.place(format!("{path}.task"), &task_cell.place);
            let cat = match Self::get(row, header, &Field::Category) {
                Some(c) => {
                    self.place(format!("{path}.category"), &c.place);
                    self.code(
                        c,
                        &self.names.categories.clone(),
                        "hạng mục đầu tư",
                        "category",
                    )
                }
                None => category.clone().unwrap_or_default(),
            };
            let total = match Self::get(row, header, &Field::Total) {
                Some(c) => {
                    self.place(format!("{path}.total"), &c.place);
                    self.amount(c, header.unit)
                }
                None => None,
            };
            let levels = self.split(row, header, total, &format!("{path}.levels"), true);
            let kinds = self.split(row, header, total, &format!("{path}.kinds"), false);
            let basis = Self::text(Self::get(row, header, &Field::Basis).or(Self::get(
                row,
                header,
                &Field::Note,
            )));
            self.out.doc.spending.push(SpendingDoc {
                category: cat,
                task: task_cell.text.trim().to_string(),
                total,
                levels,
                kinds,
                basis,
            });
        }
    }

    fn agencies_in(&mut self, cell: &Cell) -> Vec<String> {
        let mut out = Vec::new();
        for part in cell
            .text
            .split([';', '\n', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let w = words(part);
            let part = ["chu tri ", "phoi hop "]
                .iter()
                .find_map(|p| {
                    w.strip_prefix(p)
                        .map(|_| part.split_once(':').map_or(part, |x| x.1.trim()))
                })
                .unwrap_or(part);
            let mut c = cell.clone();
            c.text = part.to_string();
            let agencies = self.names.agencies.clone();
            out.push(self.code(&c, &agencies, "cơ quan", "agency"));
        }
        out
    }

    fn projects(&mut self, table: &Table, header: &Header) {
        let mut category: Option<String> = None;
        let mut ids: Vec<String> = Vec::new();
        for row in &table.rows[header.data.min(table.rows.len())..] {
            if row.iter().all(Cell::is_empty) {
                continue;
            }
            if let Some(group) = self.group_row(row, header) {
                if group.is_some() {
                    category = group;
                }
                continue;
            }
            let Some(name_cell) = Self::get(row, header, &Field::Name) else {
                continue;
            };
            let i = self.out.doc.projects.len();
            let path = format!("projects.{i}");
            self.place(path.clone(), &name_cell.place);
            self.place(format!("{path}.name"), &name_cell.place);
            let mut p = ProjectDoc {
                name: name_cell.text.trim().to_string(),
                ..ProjectDoc::default()
            };
            p.id = match Self::get(row, header, &Field::Id) {
                Some(c) => {
                    self.place(format!("{path}.id"), &c.place);
                    c.text.trim().to_string()
                }
                None => {
                    let base = slug(&p.name);
                    let mut id = base.clone();
                    let mut n = 2;
                    while ids.contains(&id) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    id
                }
            };
            ids.push(p.id.clone());
            p.category = match Self::get(row, header, &Field::Category) {
                Some(c) => {
                    self.place(format!("{path}.category"), &c.place);
                    self.code(
                        c,
                        &self.names.categories.clone(),
                        "hạng mục đầu tư",
                        "category",
                    )
                }
                None => category.clone().unwrap_or_default(),
            };
            p.priority = match Self::get(row, header, &Field::Tt) {
                Some(c) => {
                    self.place(format!("{path}.priority"), &c.place);
                    c.num
                        .and_then(|n| i64::try_from(n.trunc().mantissa()).ok())
                        .or_else(|| c.text.trim().parse().ok())
                }
                None => i64::try_from(i + 1).ok(),
            };
            if let Some(c) = Self::get(row, header, &Field::Period) {
                self.place(format!("{path}.period"), &c.place);
                let text = Self::text(Some(c)).unwrap_or_default();
                let years: Vec<i32> = text
                    .split(|ch: char| !ch.is_ascii_digit())
                    .filter(|t| t.len() == 4)
                    .filter_map(|t| t.parse().ok())
                    .collect();
                match (years.first(), years.last()) {
                    (Some(&from), Some(&to)) => {
                        p.period = Some(PeriodDoc {
                            from: Some(from),
                            to: Some(to),
                        })
                    }
                    _ => {
                        let lang = self.lang;
                        self.problem(
                            Code::E005,
                            &c.place,
                            tr!(
                                lang,
                                "\"{text}\" không phải là thời gian thực hiện.",
                                "\"{text}\" is not a period."
                            ),
                            Some(tr!(
                                lang,
                                "Viết năm bắt đầu và năm kết thúc, ví dụ 2019-2020, hoặc một năm.",
                                "Write the first and last year, e.g. 2019-2020, or one year."
                            )),
                        );
                    }
                }
            }
            if let Some(c) = Self::get(row, header, &Field::LeadPartners) {
                self.place(format!("{path}.lead"), &c.place);
                let mut all = self.agencies_in(c);
                if !all.is_empty() {
                    p.lead = all.remove(0);
                    p.partners = all;
                }
            }
            if let Some(c) = Self::get(row, header, &Field::Lead) {
                self.place(format!("{path}.lead"), &c.place);
                p.lead = self.agencies_in(c).into_iter().next().unwrap_or_default();
            }
            if let Some(c) = Self::get(row, header, &Field::Partners) {
                self.place(format!("{path}.partners"), &c.place);
                p.partners = self.agencies_in(c);
            }
            let mut cost = CostDoc::default();
            for (f, key) in [
                (Field::Total, "total"),
                (Field::Spent, "spent"),
                (Field::Planned, "planned"),
            ] {
                if let Some(c) = Self::get(row, header, &f) {
                    self.place(format!("{path}.cost.{key}"), &c.place);
                    let v = self.amount(c, header.unit);
                    match key {
                        "total" => cost.total = v,
                        "spent" => cost.spent = v,
                        _ => cost.planned = v,
                    }
                }
            }
            if let Some(c) = Self::get(row, header, &Field::Total) {
                self.place(format!("{path}.cost"), &c.place);
            }
            // An empty "Đã thực hiện" is nothing spent yet.
            if cost.spent.is_none() && cost.total.is_some() {
                cost.spent = Some(Decimal::ZERO);
            }
            p.levels = self.split(row, header, cost.planned, &format!("{path}.levels"), true);
            p.kinds = self.split(row, header, cost.planned, &format!("{path}.kinds"), false);
            p.cost = cost;
            for (f, slot) in [
                (Field::Objective, &mut p.objective),
                (Field::Done, &mut p.done),
                (Field::Todo, &mut p.todo),
                (Field::Investor, &mut p.investor),
                (Field::Approval, &mut p.approval),
                (Field::Necessity, &mut p.necessity),
                (Field::Standards, &mut p.standards),
                (Field::Location, &mut p.location),
                (Field::Note, &mut p.note),
            ] {
                *slot = Self::text(Self::get(row, header, &f));
            }
            self.out.doc.projects.push(p);
        }
    }
}

/// "Tỉnh: 300" → ("Tỉnh", Some("300")); "Ngân sách tỉnh" → (…, None).
fn split_name_number(part: &str) -> (&str, Option<&str>) {
    let trimmed = part.trim();
    let cut = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\u{a0}'))
        .last()
        .map(|(i, _)| i);
    match cut {
        Some(i) if trimmed[i..].chars().any(|c| c.is_ascii_digit()) => {
            let name = trimmed[..i].trim().trim_end_matches([':', '-', '=']).trim();
            (name, Some(trimmed[i..].trim()))
        }
        _ => (trimmed.trim_end_matches(':'), None),
    }
}

/// A code made from a name: `Nâng cấp mạng LAN` → `nang-cap-mang-lan`.
pub(crate) fn slug(name: &str) -> String {
    let w = words(name);
    let mut out = String::new();
    for word in w.split(' ') {
        if out.len() + word.len() > 40 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(word.chars().filter(char::is_ascii_alphanumeric));
    }
    if out.is_empty() { "du-an".into() } else { out }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn units_convert_exactly() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(
            convert(d("1.5"), MoneyUnit::TyDong, MoneyUnit::TrieuDong),
            Some(d("1500"))
        );
        assert_eq!(
            convert(d("1500"), MoneyUnit::NghinDong, MoneyUnit::TrieuDong),
            Some(d("1.5"))
        );
        assert_eq!(unit_in("Tổng kinh phí (tỷ đồng)"), Some(MoneyUnit::TyDong));
        assert_eq!(
            unit_in("Đơn vị tính: triệu đồng"),
            Some(MoneyUnit::TrieuDong)
        );
        assert_eq!(unit_in("Nội dung"), None);
    }

    #[test]
    fn names_match_without_diacritics_or_case() {
        let cats = vec![
            (
                "ha-tang".to_string(),
                "Hạ tầng kỹ thuật và đảm bảo an toàn, an ninh thông tin".to_string(),
            ),
            (
                "noi-bo".to_string(),
                "Ứng dụng CNTT trong nội bộ cơ quan nhà nước".to_string(),
            ),
        ];
        assert_eq!(
            match_name(
                "HA TANG KY THUAT VA DAM BAO AN TOAN AN NINH THONG TIN",
                &cats
            ),
            Some("ha-tang")
        );
        assert_eq!(
            match_name("Ứng dụng CNTT trong nội bộ", &cats),
            Some("noi-bo")
        );
        assert_eq!(match_name("noi-bo", &cats), Some("noi-bo"));
        assert_eq!(match_name("Y tế", &cats), None);
        let levels = vec![
            ("trung-uong".to_string(), "Ngân sách trung ương".to_string()),
            ("tinh".to_string(), "Ngân sách tỉnh".to_string()),
        ];
        assert_eq!(match_split_name("TW", &levels), Some("trung-uong"));
        assert_eq!(match_split_name("Tỉnh", &levels), Some("tinh"));
    }

    #[test]
    fn split_parts() {
        assert_eq!(split_name_number("Tỉnh: 300"), ("Tỉnh", Some("300")));
        assert_eq!(
            split_name_number("Ngân sách tỉnh 1.200,5"),
            ("Ngân sách tỉnh", Some("1.200,5"))
        );
        assert_eq!(
            split_name_number("Ngân sách tỉnh"),
            ("Ngân sách tỉnh", None)
        );
        assert_eq!(
            slug("Nâng cấp mạng LAN, tường lửa"),
            "nang-cap-mang-lan-tuong-lua"
        );
    }
}
