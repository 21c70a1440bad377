//! From the raw YAML tree to the typed model: the `hiargs` half of the
//! two-stage parse. Shape problems are reported here (E004 unknown field,
//! E005 wrong type or malformed value, E006 required field missing), all of
//! them, and a part that fails its shape is left out of the model so that
//! later checks do not pile consequences on top of the cause.

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::money::{Amount, NumberError, format_grouped, parse_decimal};
use super::{
    Agency, Body, Catalog, CodeName, Contact, Cost, CycleMeta, Group, Guidance, IndicatorDef,
    IndicatorValue, MoneyUnit, Period, Plan, Project, SiteConfig, Smtp, Spanned, SpendingRow,
    Split, Status, Target, TargetKind, Unit,
};
use crate::diag::{Code, Lang, Pos, Sink, suggest, tr};
use crate::yaml::{Kind, Node, key_text};

/// Turns nodes into typed values, reporting into one file's sink.
pub(crate) struct Lower<'s, 'a> {
    sink: &'s mut Sink<'a>,
    /// The configuration, for hints that propose a value that is valid.
    known: Arc<Known>,
    /// Top-level fields whose part had a syntax error (already an E003):
    /// not reported missing.
    broken: Vec<String>,
}

/// What the configuration files hold that hints draw on: codes with their
/// names, and the money unit. Empty when the configuration is not loaded
/// (or not valid): hints then fall back to what the text alone says.
#[derive(Debug, Default)]
pub(crate) struct Known {
    pub(crate) unit: Option<MoneyUnit>,
    pub(crate) agencies: Option<Vec<(String, String)>>,
    pub(crate) categories: Option<Vec<(String, String)>>,
    pub(crate) levels: Option<Vec<(String, String)>>,
    pub(crate) kinds: Option<Vec<(String, String)>>,
}

impl Known {
    /// What `site` holds.
    pub(crate) fn of(site: &super::Site) -> Arc<Known> {
        let pairs = |list: &[CodeName]| {
            list.iter()
                .map(|c| (c.id.value.clone(), c.name.clone()))
                .collect::<Vec<_>>()
        };
        Arc::new(Known {
            unit: site.config.as_ref().map(|c| c.money_unit),
            agencies: site.agencies.as_ref().map(|a| {
                a.iter()
                    .map(|a| (a.code.value.clone(), a.name.clone()))
                    .collect()
            }),
            categories: site.catalog.as_ref().map(|c| pairs(&c.categories)),
            levels: site.catalog.as_ref().map(|c| pairs(&c.levels)),
            kinds: site.catalog.as_ref().map(|c| pairs(&c.kinds)),
        })
    }

    /// The list a code field takes its values from.
    fn list_for(&self, what: &str) -> Option<&[(String, String)]> {
        match what {
            "category" => self.categories.as_deref(),
            "levels" => self.levels.as_deref(),
            "kinds" => self.kinds.as_deref(),
            "agency" | "lead" | "partners" | "provider" => self.agencies.as_deref(),
            _ => None,
        }
    }
}

/// The code of the entry of `list` whose name (or code) is what the editor
/// typed, diacritics, case and punctuation ignored: `UBND huyện An Lão` and
/// `ubnd-huyen-an-lao` find `ubnd-an-lao` named "UBND huyện An Lão";
/// `đào tạo` and `dao-tao` find `nhan-luc` named "Đào tạo nguồn nhân lực
/// CNTT". Only an unambiguous match is proposed.
pub(crate) fn code_by_name<'l>(typed: &str, list: &'l [(String, String)]) -> Option<&'l str> {
    let t = slug(typed);
    if t.is_empty() {
        return None;
    }
    let unique = |hits: Vec<&'l str>| (hits.len() == 1).then(|| hits[0]);
    let names: Vec<(&'l str, String)> = list.iter().map(|(c, n)| (c.as_str(), slug(n))).collect();
    if let Some(hit) = unique(
        names
            .iter()
            .filter(|(_, n)| *n == t)
            .map(|(c, _)| *c)
            .collect(),
    ) {
        return Some(hit);
    }
    let words = |s: &str| format!("-{s}-");
    if let Some(hit) = unique(
        names
            .iter()
            .filter(|(_, n)| words(n).contains(&words(&t)))
            .map(|(c, _)| *c)
            .collect(),
    ) {
        return Some(hit);
    }
    let codes: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
    let near = suggest(&t, &codes)?;
    names.iter().find(|(_, n)| n == near).map(|(c, _)| *c)
}

/// How a list item is named in messages: "dự án thứ 2 (`mot-cua`)".
fn item_label(key: &str, index: usize, node: &Node, lang: Lang) -> String {
    let id = match &node.kind {
        Kind::Map(entries) => entries
            .iter()
            .find(|(k, _)| key_text(k).is_some_and(|k| k == "id" || k == "category"))
            .and_then(|(_, v)| match &v.kind {
                Kind::Scalar { text, .. } if !text.trim().is_empty() => Some(text.trim()),
                _ => None,
            }),
        _ => None,
    };
    let base = match (key, lang) {
        ("projects", Lang::Vi) => format!("dự án thứ {index}"),
        ("projects", Lang::En) => format!("project {index}"),
        ("spending", Lang::Vi) => format!("dòng kinh phí thứ {index}"),
        ("spending", Lang::En) => format!("spending row {index}"),
        ("indicators", Lang::Vi) => format!("chỉ tiêu thứ {index}"),
        ("indicators", Lang::En) => format!("indicator {index}"),
        (_, Lang::Vi) => format!("`{key}` thứ {index}"),
        (_, Lang::En) => format!("`{key}` item {index}"),
    };
    match id {
        Some(id) => format!("{base} (`{id}`)"),
        None => base,
    }
}

/// `what` as a message shows it: a field name in backticks, a list item's
/// label as it is.
fn shown(what: &str) -> String {
    if what.contains(' ') {
        what.to_string()
    } else {
        format!("`{what}`")
    }
}

/// The entries of a mapping whose keys have been checked.
pub(crate) struct Fields<'n> {
    pos: Pos,
    entries: &'n [(Node, Node)],
    /// What the mapping is, for messages: `projects[2]`, `cost`.
    what: String,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| key_text(k).is_some_and(|t| t == key))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }
}

impl<'s, 'a> Lower<'s, 'a> {
    pub(crate) fn new(sink: &'s mut Sink<'a>) -> Self {
        Lower {
            sink,
            known: Arc::default(),
            broken: Vec::new(),
        }
    }

    /// Hints draw on `known` from now on.
    pub(crate) fn know(&mut self, known: Arc<Known>) {
        self.known = known;
    }

    /// Top-level fields left out after a syntax error.
    pub(crate) fn broken(&mut self, keys: Vec<String>) {
        self.broken = keys;
    }

    fn lang(&self) -> Lang {
        self.sink.lang
    }

    fn e005(&mut self, pos: Pos, message: String, help: String) {
        self.sink.report(Code::E005, pos, message, Some(help));
    }

    /// A mapping with only `known` keys; unknown keys are E004 with the
    /// nearest known key as a suggestion.
    pub(crate) fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Option<Fields<'n>> {
        let lang = self.lang();
        let w = shown(what);
        let Kind::Map(entries) = &node.kind else {
            let shape = node.shape();
            self.e005(
                node.pos,
                tr!(
                    lang,
                    "{w} phải là một bảng các trường (key: value), nhưng đang là {shape}.",
                    "{w} must be a mapping of fields (key: value), found a {shape}."
                ),
                tr!(
                    lang,
                    "Viết mỗi trường trên một dòng dạng `tên: giá trị`, thụt lề đều nhau.",
                    "Write one `name: value` per line, indented evenly."
                ),
            );
            return None;
        };
        for (k, _) in entries {
            let Some(key) = key_text(k) else { continue };
            if !known.contains(&key.as_str()) {
                let help = match suggest(key, known) {
                    Some(s) => tr!(lang, "Có phải ý bạn là `{s}`?", "Did you mean `{s}`?"),
                    None => {
                        let list = known.join(", ");
                        tr!(lang, "Các trường hợp lệ: {list}.", "Valid fields: {list}.")
                    }
                };
                self.sink.report(
                    Code::E004,
                    k.pos,
                    tr!(
                        lang,
                        "Trường không xác định `{key}` trong {w}.",
                        "Unknown field `{key}` in {w}."
                    ),
                    Some(help),
                );
            }
        }
        Some(Fields {
            pos: node.pos,
            entries,
            what: what.to_string(),
        })
    }

    /// A field that must be there; E006 at the mapping otherwise.
    fn required<'n>(&mut self, f: &Fields<'n>, key: &str) -> Option<&'n Node> {
        let v = f.get(key);
        if v.is_none() && !self.broken.iter().any(|b| b == key) {
            let lang = self.lang();
            let what = shown(&f.what);
            self.sink.error(
                Code::E006,
                f.pos,
                tr!(
                    lang,
                    "Thiếu trường bắt buộc `{key}` trong {what}.",
                    "Required field `{key}` is missing in {what}."
                ),
            );
        }
        v
    }

    /// A list; `null` counts as empty.
    fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.kind {
            Kind::Seq(items) => Some(items),
            _ if node.is_null() => Some(&[]),
            _ => {
                let lang = self.lang();
                let shape = node.shape();
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` phải là một danh sách, nhưng đang là {shape}.",
                        "`{what}` must be a list, found a {shape}."
                    ),
                    tr!(
                        lang,
                        "Mỗi phần tử viết trên một dòng bắt đầu bằng `- `.",
                        "Start each item on its own line with `- `."
                    ),
                );
                None
            }
        }
    }

    fn scalar<'n>(&mut self, node: &'n Node, what: &str) -> Option<(&'n str, bool)> {
        match &node.kind {
            Kind::Scalar { text, plain } => Some((text, *plain)),
            _ => {
                let lang = self.lang();
                let shape = node.shape();
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` phải là một giá trị đơn, nhưng đang là {shape}.",
                        "`{what}` must be a single value, found a {shape}."
                    ),
                    tr!(
                        lang,
                        "Viết giá trị ngay sau dấu hai chấm; đặt văn bản nhiều dòng sau `|`.",
                        "Write the value right after the colon; put multi-line text after `|`."
                    ),
                );
                None
            }
        }
    }

    pub(crate) fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        let (text, _) = self.scalar(node, what)?;
        Some(Spanned {
            value: text.trim_end().to_string(),
            pos: node.pos,
        })
    }

    fn opt_string(&mut self, f: &Fields<'_>, key: &str) -> Option<String> {
        let node = f.get(key)?;
        self.string(node, key).map(|s| s.value)
    }

    fn req_string(&mut self, f: &Fields<'_>, key: &str) -> Option<String> {
        let node = self.required(f, key)?;
        self.string(node, key).map(|s| s.value)
    }

    /// A code of `[a-z0-9-]+`: agency codes, ids of code lists and projects.
    pub(crate) fn code(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        let s = self.string(node, what)?;
        let ok = !s.value.is_empty()
            && s.value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            let lang = self.lang();
            let v = &s.value;
            let help = self.code_hint(v, what);
            let message = if v.trim().is_empty() {
                tr!(
                    lang,
                    "`{what}` đang để trống: cần một mã.",
                    "`{what}` is empty: it needs a code."
                )
            } else {
                tr!(
                    lang,
                    "Mã `{v}` của `{what}` không hợp lệ: chỉ dùng chữ thường không dấu, chữ số và dấu gạch ngang.",
                    "Code `{v}` of `{what}` is malformed: use only lower-case ASCII letters, digits and hyphens."
                )
            };
            self.e005(node.pos, message, help);
            return None;
        }
        Some(s)
    }

    /// The hint for a malformed code: the code of the entry so named when
    /// the field takes its values from a list, else the text made a code.
    fn code_hint(&self, typed: &str, what: &str) -> String {
        let lang = self.lang();
        let listed = matches!(
            what,
            "category" | "levels" | "kinds" | "agency" | "lead" | "partners" | "provider"
        );
        let file = if matches!(what, "category" | "levels" | "kinds") {
            "content/catalog.yaml"
        } else {
            "content/agencies.yaml"
        };
        // Left empty while the lists are not known (one plan checked
        // alone): name where the codes are, not an example of a project's.
        if listed && typed.trim().is_empty() && self.known.list_for(what).is_none() {
            return tr!(
                lang,
                "Viết một mã có trong {file}.",
                "Write a code from {file}."
            );
        }
        let Some(list) = self.known.list_for(what) else {
            let fixed = slug(typed);
            return if fixed.is_empty() {
                tr!(
                    lang,
                    "Ví dụ: `ma-du-an-1`.",
                    "For example: `project-code-1`."
                )
            } else {
                tr!(lang, "Ví dụ: `{fixed}`.", "For example: `{fixed}`.")
            };
        };
        match code_by_name(typed, list) {
            Some(code) => {
                let name = list
                    .iter()
                    .find(|(c, _)| c == code)
                    .map_or("", |(_, n)| n.as_str());
                tr!(
                    lang,
                    "Trong {file}, “{name}” có mã `{code}`: viết mã này.",
                    "In {file}, “{name}” has the code `{code}`: write that code."
                )
            }
            None => {
                let all = valid_codes(list);
                tr!(
                    lang,
                    "Viết một mã có trong {file}: {all}.",
                    "Write a code from {file}: {all}."
                )
            }
        }
    }

    /// A number; `money` when it is an amount in the site's money unit.
    fn number_text(&mut self, node: &Node, what: &str, money: bool) -> Option<Decimal> {
        let (text, plain) = self.scalar(node, what)?;
        let lang = self.lang();
        match parse_decimal(text) {
            Ok(d) if plain && d.abs() > super::money::LIMIT => {
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` quá lớn: `{text}`; mọi số tiền và chỉ số phải nằm trong ±10^15 (1.000.000.000.000.000) theo đơn vị money_unit của site.yaml.",
                        "`{what}` is too large: `{text}`; every amount and figure must be within ±10^15 (1,000,000,000,000,000) in the site.yaml money_unit."
                    ),
                    tr!(
                        lang,
                        "Kiểm tra lại đơn vị (money_unit) và số chữ số 0.",
                        "Check the unit (money_unit) and the number of zeros."
                    ),
                );
                None
            }
            Ok(d) if plain => Some(d),
            Ok(d) => {
                let d = d.to_string();
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` phải là một số, không phải chuỗi trong ngoặc kép: \"{text}\".",
                        "`{what}` must be a number, not a quoted string: \"{text}\"."
                    ),
                    tr!(
                        lang,
                        "Bỏ dấu ngoặc kép: `{d}`.",
                        "Remove the quotes: `{d}`."
                    ),
                );
                None
            }
            Err(e) => {
                let t = text.trim();
                let hint = match (&e, money, self.known.unit) {
                    (
                        NumberError::Grouped(fixed) | NumberError::DecimalComma(fixed),
                        true,
                        Some(unit),
                    ) => self.size_hint(fixed, unit),
                    _ if t.ends_with('%') && parse_decimal(t.trim_end_matches('%')).is_ok() => {
                        let bare = t.trim_end_matches('%').trim();
                        tr!(
                            lang,
                            "Bỏ dấu %: viết `{bare}` (chỉ tiêu tỷ lệ đã tính theo phần trăm).",
                            "Drop the % sign: write `{bare}` (percent indicators are in percent already)."
                        )
                    }
                    (NumberError::NotANumber, false, _) => tr!(
                        lang,
                        "Viết một số, ví dụ `50` hoặc `12.5`, không có chữ hay đơn vị.",
                        "Write a number, e.g. `50` or `12.5`, with no words or units."
                    ),
                    _ => e.hint(lang),
                };
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` không phải là một số hợp lệ: `{text}`.",
                        "`{what}` is not a valid number: `{text}`."
                    ),
                    hint,
                );
                None
            }
        }
    }

    /// The hint for a grouped amount (`1.200.000`) whose machine form is
    /// `fixed`: that form, unless its size in the site's unit is beyond any
    /// plan's item, when the hint says what it would mean in đồng and which
    /// number to write if đồng were meant.
    fn size_hint(&self, fixed: &str, unit: super::MoneyUnit) -> String {
        let lang = self.lang();
        let Ok(value) = Decimal::from_str_exact(fixed) else {
            return tr!(lang, "Viết `{fixed}`.", "Write `{fixed}`.");
        };
        // A thousand billion đồng: more than any item of an agency's plan.
        let implausible = Decimal::from(1_000_000_000_000_i64);
        let dong = value.checked_mul(unit.in_dong());
        let label = unit.label(lang);
        match dong {
            Some(dong) if dong.abs() > implausible => {
                let ty = format_grouped((dong / Decimal::from(1_000_000_000)).normalize(), lang);
                let typed = format_grouped(value, lang);
                let as_dong = (value / unit.in_dong()).normalize();
                tr!(
                    lang,
                    "Số tiền ghi theo {label} (money_unit của site.yaml), nên {typed} {label} là {ty} tỷ đồng, quá lớn cho một khoản của kế hoạch. Nếu ý bạn là {typed} đồng, viết `{as_dong}`; nếu đúng là {typed} {label}, viết {fixed} (không có dấu chấm ngăn cách).",
                    "Amounts are in {label} (the site.yaml money_unit), so {typed} {label} is {ty} billion VND, too large for an item of a plan. If you meant {typed} VND, write `{as_dong}`; if you do mean {typed} {label}, write {fixed} (no separators)."
                )
            }
            _ => tr!(
                lang,
                "Viết số không có dấu phân cách hàng nghìn, dùng dấu chấm cho phần thập phân: `{fixed}` ({label}).",
                "Write the number without thousands separators, with a dot for decimals: `{fixed}` ({label})."
            ),
        }
    }

    pub(crate) fn amount(&mut self, node: &Node, what: &str) -> Option<Spanned<Amount>> {
        let d = self.number_text(node, what, true)?;
        Some(Spanned {
            value: Amount(d),
            pos: node.pos,
        })
    }

    fn req_amount(&mut self, f: &Fields<'_>, key: &str) -> Option<Spanned<Amount>> {
        let node = self.required(f, key)?;
        self.amount(node, key)
    }

    fn opt_number(&mut self, f: &Fields<'_>, key: &str, ok: &mut bool) -> Option<Spanned<Decimal>> {
        let node = f.get(key)?;
        let d = self.number_text(node, key, false);
        *ok &= d.is_some();
        Some(Spanned {
            value: d?,
            pos: node.pos,
        })
    }

    fn integer(&mut self, node: &Node, what: &str) -> Option<Spanned<i64>> {
        let (text, plain) = self.scalar(node, what)?;
        match text.trim().parse::<i64>() {
            Ok(n) if plain => Some(Spanned {
                value: n,
                pos: node.pos,
            }),
            _ => {
                let lang = self.lang();
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` phải là một số nguyên: `{text}`.",
                        "`{what}` must be a whole number: `{text}`."
                    ),
                    tr!(
                        lang,
                        "Viết chữ số, không có ngoặc kép, ví dụ 1.",
                        "Write digits without quotes, e.g. 1."
                    ),
                );
                None
            }
        }
    }

    fn year(&mut self, node: &Node, what: &str) -> Option<Spanned<i32>> {
        let n = self.integer(node, what)?;
        match i32::try_from(n.value) {
            Ok(y) if (1900..=2200).contains(&y) => Some(Spanned {
                value: y,
                pos: n.pos,
            }),
            _ => {
                let lang = self.lang();
                let v = n.value;
                self.e005(
                    n.pos,
                    tr!(
                        lang,
                        "`{what}` = {v} không phải là một năm hợp lệ.",
                        "`{what}` = {v} is not a valid year."
                    ),
                    tr!(
                        lang,
                        "Viết năm bốn chữ số, ví dụ 2019.",
                        "Write a four-digit year, e.g. 2019."
                    ),
                );
                None
            }
        }
    }

    fn date(&mut self, node: &Node, what: &str) -> Option<Spanned<NaiveDate>> {
        let (text, _) = self.scalar(node, what)?;
        let t = text.trim();
        let well_formed = t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-';
        match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) if well_formed => Some(Spanned {
                value: d,
                pos: node.pos,
            }),
            _ => {
                let lang = self.lang();
                let help = match NaiveDate::parse_from_str(t, "%d/%m/%Y") {
                    Ok(d) => {
                        let iso = d.format("%Y-%m-%d");
                        tr!(
                            lang,
                            "Viết ngày theo dạng năm-tháng-ngày: {iso}.",
                            "Write the date as year-month-day: {iso}."
                        )
                    }
                    Err(_) => tr!(
                        lang,
                        "Viết ngày có thật theo dạng năm-tháng-ngày, ví dụ 2018-07-25.",
                        "Write a real date as year-month-day, e.g. 2018-07-25."
                    ),
                };
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` không phải là ngày hợp lệ: `{t}`.",
                        "`{what}` is not a valid date: `{t}`."
                    ),
                    help,
                );
                None
            }
        }
    }

    fn choice<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        choices: &[(&str, T)],
    ) -> Option<Spanned<T>> {
        let s = self.string(node, what)?;
        if let Some((_, v)) = choices.iter().find(|(id, _)| *id == s.value) {
            return Some(Spanned {
                value: *v,
                pos: s.pos,
            });
        }
        let lang = self.lang();
        let names: Vec<&str> = choices.iter().map(|(id, _)| *id).collect();
        let list = names.join(" | ");
        let v = &s.value;
        let meant = gloss(v)
            .filter(|g| names.contains(g))
            .or_else(|| suggest(v, &names));
        let help = match meant {
            Some(near) => tr!(
                lang,
                "Có phải ý bạn là `{near}`? Giá trị hợp lệ: {list}.",
                "Did you mean `{near}`? Valid values: {list}."
            ),
            None => tr!(lang, "Giá trị hợp lệ: {list}.", "Valid values: {list}."),
        };
        self.e005(
            node.pos,
            tr!(
                lang,
                "Giá trị `{v}` của `{what}` không hợp lệ.",
                "Value `{v}` of `{what}` is not valid."
            ),
            help,
        );
        None
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        self.choice(node, what, &[("true", true), ("false", false)])
            .map(|s| s.value)
    }

    fn strings(&mut self, f: &Fields<'_>, key: &str) -> Vec<String> {
        let Some(node) = f.get(key) else {
            return Vec::new();
        };
        let Some(items) = self.seq(node, key) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|n| self.string(n, key).map(|s| s.value))
            .collect()
    }

    /// `levels:`/`kinds:` — a mapping of id to amount, or a single id that
    /// takes all of `whole`.
    fn split(
        &mut self,
        node: &Node,
        what: &str,
        whole: Option<&Spanned<Amount>>,
    ) -> Option<Spanned<Split>> {
        match &node.kind {
            Kind::Scalar { .. } => {
                let id = self.code(node, what)?;
                let whole = whole?;
                Some(Spanned {
                    value: vec![(
                        id,
                        Spanned {
                            value: whole.value,
                            pos: node.pos,
                        },
                    )],
                    pos: node.pos,
                })
            }
            Kind::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                let mut ok = true;
                for (k, v) in entries {
                    let id = self.code(k, what);
                    let amount = self.amount(v, what);
                    match (id, amount) {
                        (Some(id), Some(a)) => out.push((id, a)),
                        _ => ok = false,
                    }
                }
                ok.then_some(Spanned {
                    value: out,
                    pos: node.pos,
                })
            }
            Kind::Seq(_) => {
                let lang = self.lang();
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` phải là một bảng `mã: số tiền` hoặc một mã duy nhất.",
                        "`{what}` must be a mapping `id: amount` or a single id."
                    ),
                    tr!(
                        lang,
                        "Ví dụ: `{what}: {{ tinh: 300, huyen: 50 }}` hoặc `{what}: tinh`.",
                        "For example: `{what}: {{ tinh: 300, huyen: 50 }}` or `{what}: tinh`."
                    ),
                );
                None
            }
        }
    }

    // ---- site files -------------------------------------------------------

    pub(crate) fn site(&mut self, node: &Node) -> Option<SiteConfig> {
        let f = self.map(
            node,
            "site.yaml",
            &[
                "title",
                "province",
                "base_url",
                "language",
                "theme",
                "money_unit",
                "publish",
                "approved_tag",
                "smtp",
                "owner",
            ],
        )?;
        let title = self.req_string(&f, "title");
        let province = self.opt_string(&f, "province").unwrap_or_default();
        let base_url = self.required(&f, "base_url").and_then(|n| self.url(n));
        let language = match f.get("language") {
            Some(n) => self
                .choice(n, "language", &[("vi", Lang::Vi), ("en", Lang::En)])
                .map(|s| s.value),
            None => Some(Lang::Vi),
        };
        let theme = match f.get("theme") {
            Some(n) => self.code(n, "theme").map(|s| s.value),
            None => Some("default".to_string()),
        };
        let money_unit = match f.get("money_unit") {
            Some(n) => self
                .choice(n, "money_unit", MoneyUnit::CHOICES)
                .map(|s| s.value),
            None => Some(MoneyUnit::TrieuDong),
        };
        // A broken target is reported (by `code`, `target` or `map`) and
        // left out; the others stay usable.
        let mut publish = Vec::new();
        if let Some(p) = f.get("publish") {
            match &p.kind {
                Kind::Map(entries) => {
                    for (k, v) in entries {
                        if let (Some(name), Some(mut t)) = (self.code(k, "publish"), self.target(v))
                        {
                            t.name = name.value;
                            publish.push(t);
                        }
                    }
                }
                _ => {
                    self.map(p, "publish", &[]);
                }
            }
        }
        let approved_tag = match f.get("approved_tag") {
            Some(n) => Some(self.tag_pattern(n)?),
            None => None,
        };
        let smtp = match f.get("smtp") {
            Some(n) => Some(self.smtp(n)?),
            None => None,
        };
        let owner = f.get("owner").and_then(|n| {
            let o = self.map(
                n,
                "owner",
                &[
                    "agency",
                    "address",
                    "phone",
                    "email",
                    "responsible",
                    "licence",
                ],
            )?;
            let agency = self.req_string(&o, "agency");
            Some(crate::model::Owner {
                agency: agency?,
                address: self.opt_string(&o, "address"),
                phone: self.opt_string(&o, "phone"),
                email: self.opt_string(&o, "email"),
                responsible: self.opt_string(&o, "responsible"),
                licence: self.opt_string(&o, "licence"),
            })
        });
        Some(SiteConfig {
            smtp,
            title: title?,
            owner,
            province,
            base_url: base_url?,
            language: language?,
            theme: theme?,
            money_unit: money_unit?,
            publish,
            approved_tag,
        })
    }

    /// `smtp`: the relay `remind --send` hands reminders to.
    fn smtp(&mut self, node: &Node) -> Option<Smtp> {
        let f = self.map(node, "smtp", &["host", "port", "from", "starttls"])?;
        let host = self.req_string(&f, "host");
        let from = self.required(&f, "from").and_then(|n| self.mailbox(n));
        let starttls = match f.get("starttls") {
            Some(n) => self.boolean(n, "starttls"),
            None => Some(true),
        };
        let port = match f.get("port") {
            Some(n) => self
                .integer(n, "port")
                .and_then(|p| self.in_range(p, 1, 65535, "port"))
                .and_then(|p| u16::try_from(p).ok()),
            // The submission port with STARTTLS, plain SMTP without.
            None => Some(if starttls.unwrap_or(true) { 587 } else { 25 }),
        };
        Some(Smtp {
            host: host?,
            port: port?,
            from: from?,
            starttls: starttls?,
        })
    }

    /// An address as a mail header carries it: `stttt@example.gov.vn` or
    /// `Sở TT&TT <stttt@example.gov.vn>`.
    fn mailbox(&mut self, node: &Node) -> Option<String> {
        let s = self.string(node, "from")?;
        if s.value.parse::<lettre::message::Mailbox>().is_ok() {
            return Some(s.value);
        }
        let lang = self.lang();
        let v = &s.value;
        self.e005(
            node.pos,
            tr!(
                lang,
                "`from` = `{v}` không phải là một địa chỉ thư điện tử.",
                "`from` = `{v}` is not an e-mail address."
            ),
            tr!(
                lang,
                "Ví dụ: `\"Sở Thông tin và Truyền thông <stttt@example.gov.vn>\"` hoặc `stttt@example.gov.vn`.",
                "For example: `\"Department of Information <stttt@example.gov.vn>\"` or `stttt@example.gov.vn`."
            ),
        );
        None
    }

    /// `approved_tag`: a git tag name once `{year}` is put in.
    fn tag_pattern(&mut self, node: &Node) -> Option<String> {
        let s = self.string(node, "approved_tag")?;
        let name = s.value.replace("{year}", "2019");
        if !s.value.is_empty() && git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
            return Some(s.value);
        }
        let lang = self.lang();
        let v = &s.value;
        self.e005(
            node.pos,
            tr!(
                lang,
                "`approved_tag` = `{v}` không phải là tên thẻ (tag) git hợp lệ.",
                "`approved_tag` = `{v}` is not a valid git tag name."
            ),
            tr!(
                lang,
                "Dùng chữ, số, `-`, `.` và `{{year}}` cho năm của kỳ kế hoạch, ví dụ `approved-{{year}}`.",
                "Use letters, digits, `-`, `.` and `{{year}}` for the cycle's year, e.g. `approved-{{year}}`."
            ),
        );
        None
    }

    fn url(&mut self, node: &Node) -> Option<String> {
        let s = self.string(node, "base_url")?;
        let ok = (s.value.starts_with("https://") || s.value.starts_with("http://"))
            && s.value.len() > "https://".len()
            && !s.value.contains(char::is_whitespace);
        if !ok {
            let lang = self.lang();
            self.e005(
                node.pos,
                tr!(
                    lang,
                    "`base_url` phải là địa chỉ tuyệt đối.",
                    "`base_url` must be an absolute URL."
                ),
                tr!(
                    lang,
                    "Ví dụ: https://example.gov.vn/ke-hoach-cntt",
                    "For example: https://example.gov.vn/ke-hoach-cntt"
                ),
            );
            return None;
        }
        Some(s.value.trim_end_matches('/').to_string())
    }

    fn target(&mut self, node: &Node) -> Option<Target> {
        let f = self.map(
            node,
            "publish",
            &[
                "kind", "host", "port", "user", "path", "keep", "identity", "endpoint", "bucket",
                "prefix", "region",
            ],
        )?;
        #[derive(Clone, Copy)]
        enum K {
            Dir,
            Ssh,
            S3,
        }
        let kind = self.required(&f, "kind").and_then(|n| {
            self.choice(
                n,
                "kind",
                &[("dir", K::Dir), ("ssh", K::Ssh), ("s3", K::S3)],
            )
        });
        let Some(kind) = kind.map(|k| k.value) else {
            // Still report a missing path, as before kinds other than
            // dir and ssh existed.
            let _ = self.req_string(&f, "path");
            if let Some(n) = f.get("keep") {
                let _ = self
                    .integer(n, "keep")
                    .and_then(|k| self.in_range(k, 1, 1000, "keep"));
            }
            return None;
        };
        // An s3 target has a key prefix in place of a path.
        let path = match kind {
            K::S3 => Some(
                self.opt_string(&f, "prefix")
                    .unwrap_or_default()
                    .trim_matches('/')
                    .to_string(),
            ),
            K::Dir | K::Ssh => self.req_string(&f, "path"),
        };
        let keep = match f.get("keep") {
            Some(n) => self
                .integer(n, "keep")
                .and_then(|k| self.in_range(k, 1, 1000, "keep")),
            None => Some(5),
        };
        let kind = match kind {
            K::Dir => TargetKind::Dir,
            K::Ssh => {
                let host = self.req_string(&f, "host");
                let port = match f.get("port") {
                    Some(n) => self
                        .integer(n, "port")
                        .and_then(|p| self.in_range(p, 1, 65535, "port")),
                    None => Some(22),
                };
                if let (Some(p), Some(node)) = (&path, f.get("path"))
                    && let Some(why) = super::remote::path_refusal(p, self.lang())
                {
                    let lang = self.lang();
                    self.e005(
                        node.pos,
                        tr!(
                            lang,
                            "`path: \"{p}\"` của đích xuất bản ssh không dùng được: {why}.",
                            "The ssh publish target's `path: \"{p}\"` cannot be used: {why}."
                        ),
                        tr!(
                            lang,
                            "Ghi đường dẫn tuyệt đối tới một thư mục riêng cho site trên máy chủ, ví dụ `path: /srv/ke-hoach-cntt`.",
                            "Give the absolute path of a folder of the site's own on the server, e.g. `path: /srv/ke-hoach-cntt`."
                        ),
                    );
                }
                TargetKind::Ssh {
                    host: host?,
                    port: u16::try_from(port?).ok()?,
                    user: self.opt_string(&f, "user"),
                    identity: self.opt_string(&f, "identity"),
                }
            }
            K::S3 => {
                let endpoint = self.req_string(&f, "endpoint");
                let bucket = self.req_string(&f, "bucket");
                TargetKind::S3 {
                    endpoint: endpoint?.trim_end_matches('/').to_string(),
                    bucket: bucket?,
                    region: self
                        .opt_string(&f, "region")
                        .unwrap_or_else(|| "us-east-1".to_string()),
                }
            }
        };
        Some(Target {
            name: String::new(),
            kind,
            path: path?,
            keep: u32::try_from(keep?).ok()?,
        })
    }

    fn in_range(&mut self, n: Spanned<i64>, lo: i64, hi: i64, what: &str) -> Option<i64> {
        if (lo..=hi).contains(&n.value) {
            return Some(n.value);
        }
        let lang = self.lang();
        let v = n.value;
        self.e005(
            n.pos,
            tr!(
                lang,
                "`{what}` = {v} nằm ngoài khoảng cho phép.",
                "`{what}` = {v} is out of range."
            ),
            tr!(
                lang,
                "Giá trị từ {lo} đến {hi}.",
                "Use a value from {lo} to {hi}."
            ),
        );
        None
    }

    pub(crate) fn agencies(&mut self, node: &Node) -> Option<Vec<Agency>> {
        let items = self.seq(node, "agencies.yaml")?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let what = format!("agencies[{}]", i + 1);
            let Some(f) = self.map(
                item,
                &what,
                &[
                    "code",
                    "name",
                    "group",
                    "email",
                    "phone",
                    "expected",
                    "from",
                    "until",
                    "successor",
                    "former_names",
                ],
            ) else {
                ok = false;
                continue;
            };
            let code = self.required(&f, "code").and_then(|n| self.code(n, "code"));
            let name = self.req_string(&f, "name");
            let group = self
                .required(&f, "group")
                .and_then(|n| self.choice(n, "group", Group::CHOICES));
            let email = self.opt_string(&f, "email");
            let phone = self.opt_string(&f, "phone");
            let expected = match f.get("expected") {
                Some(n) => self.boolean(n, "expected"),
                None => Some(true),
            };
            let from = f.get("from").map(|n| self.year(n, "from"));
            let until = f.get("until").map(|n| self.year(n, "until"));
            let successor = f.get("successor").map(|n| self.code(n, "successor"));
            let former_names = match f.get("former_names") {
                Some(n) => self.former_names(n),
                None => Some(Vec::new()),
            };
            let bounds_ok = !matches!(from, Some(None))
                && !matches!(until, Some(None))
                && !matches!(successor, Some(None));
            let (from, until, successor) = (from.flatten(), until.flatten(), successor.flatten());
            if let (Some(f), Some(u)) = (&from, &until)
                && u.value < f.value
            {
                let lang = self.lang();
                let (fv, uv) = (f.value, u.value);
                self.e005(
                    u.pos,
                    tr!(
                        lang,
                        "`until` = {uv} trước `from` = {fv}.",
                        "`until` = {uv} is before `from` = {fv}."
                    ),
                    tr!(
                        lang,
                        "`from` là kỳ đầu tiên, `until` là kỳ cuối cùng cơ quan còn tồn tại.",
                        "`from` is the first cycle and `until` the last in which the agency exists."
                    ),
                );
                ok = false;
                continue;
            }
            match (code, name, group, expected, former_names) {
                (Some(code), Some(name), Some(group), Some(expected), Some(former_names))
                    if bounds_ok =>
                {
                    out.push(Agency {
                        code,
                        name,
                        group: group.value,
                        email,
                        phone,
                        expected,
                        from,
                        until,
                        successor,
                        former_names,
                    });
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `former_names: [{ until: 2018, name: "..." }]`.
    fn former_names(&mut self, node: &Node) -> Option<Vec<(i32, String)>> {
        let items = self.seq(node, "former_names")?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let what = format!("former_names[{}]", i + 1);
            let Some(e) = self.map(item, &what, &["until", "name"]) else {
                ok = false;
                continue;
            };
            let until = self
                .required(&e, "until")
                .and_then(|n| self.year(n, "until"));
            let name = self.req_string(&e, "name");
            match (until, name) {
                (Some(u), Some(n)) => out.push((u.value, n)),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn code_list(&mut self, f: &Fields<'_>, key: &str) -> Option<Vec<CodeName>> {
        let node = self.required(f, key)?;
        let items = self.seq(node, key)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let what = format!("{key}[{}]", i + 1);
            let Some(e) = self.map(item, &what, &["id", "name"]) else {
                ok = false;
                continue;
            };
            let id = self.required(&e, "id").and_then(|n| self.code(n, "id"));
            let name = self.req_string(&e, "name");
            match (id, name) {
                (Some(id), Some(name)) => out.push(CodeName { id, name }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    pub(crate) fn catalog(&mut self, node: &Node) -> Option<Catalog> {
        let f = self.map(
            node,
            "catalog.yaml",
            &["categories", "levels", "kinds", "indicators"],
        )?;
        let categories = self.code_list(&f, "categories");
        let levels = self.code_list(&f, "levels");
        let kinds = self.code_list(&f, "kinds");
        let mut indicators = Some(Vec::new());
        if let Some(items) = f.get("indicators").and_then(|n| self.seq(n, "indicators")) {
            for (i, item) in items.iter().enumerate() {
                let what = format!("indicators[{}]", i + 1);
                let def = self
                    .map(item, &what, &["id", "name", "unit", "provider"])
                    .and_then(|e| {
                        let id = self.required(&e, "id").and_then(|n| self.code(n, "id"));
                        let name = self.req_string(&e, "name");
                        let unit = self
                            .required(&e, "unit")
                            .and_then(|n| self.choice(n, "unit", Unit::CHOICES));
                        let provider = match e.get("provider") {
                            Some(n) => Some(self.code(n, "provider")?),
                            None => None,
                        };
                        Some(IndicatorDef {
                            id: id?,
                            name: name?,
                            unit: unit?.value,
                            provider,
                        })
                    });
                match (def, indicators.as_mut()) {
                    (Some(d), Some(v)) => v.push(d),
                    _ => indicators = None,
                }
            }
        }
        Some(Catalog {
            categories: categories?,
            levels: levels?,
            kinds: kinds?,
            indicators: indicators?,
        })
    }

    pub(crate) fn cycle(&mut self, node: Option<&Node>, body: Body, at: Pos) -> Option<CycleMeta> {
        let empty = Node {
            kind: Kind::Map(Vec::new()),
            pos: at,
        };
        let node = node.unwrap_or(&empty);
        let f = self.map(
            node,
            "_plan.md",
            &[
                "year",
                "title",
                "guidance",
                "deadline",
                "legal_bases",
                "document",
                "closed",
            ],
        )?;
        let year = self.required(&f, "year").and_then(|n| self.year(n, "year"));
        let title = self.req_string(&f, "title");
        let guidance = match f.get("guidance") {
            Some(n) => self
                .map(n, "guidance", &["number", "date", "issuer"])
                .and_then(|g| {
                    let number = self.req_string(&g, "number");
                    let date = self.required(&g, "date").and_then(|n| self.date(n, "date"));
                    let issuer = self.req_string(&g, "issuer");
                    Some(Guidance {
                        number: number?,
                        date: date?.value,
                        issuer: issuer?,
                    })
                }),
            None => None,
        };
        let deadline = self
            .required(&f, "deadline")
            .and_then(|n| self.date(n, "deadline"));
        let legal_bases = self.strings(&f, "legal_bases");
        let document = f.get("document").and_then(|n| self.document(n));
        let closed = f
            .get("closed")
            .and_then(|n| self.boolean(n, "closed"))
            .unwrap_or(false);
        let year = year?;
        Some(CycleMeta {
            year: year.value,
            year_pos: year.pos,
            title: title?,
            guidance,
            deadline: deadline?,
            legal_bases,
            document,
            closed,
            body,
        })
    }

    /// `document:` of `_plan.md`. A malformed part is an E00x of its own;
    /// the rest of the cycle still loads.
    fn document(&mut self, node: &Node) -> Option<crate::model::DocumentMeta> {
        let d = self.map(
            node,
            "document",
            &["issuer", "number", "place", "date", "signer", "recipients"],
        )?;
        let issuer = self.req_string(&d, "issuer");
        let place = self.req_string(&d, "place");
        let number = self
            .opt_string(&d, "number")
            .filter(|s| !s.trim().is_empty());
        let date = d.get("date").and_then(|n| self.date(n, "date"));
        let signer = d.get("signer").and_then(|n| {
            let s = self.map(n, "signer", &["title", "name"])?;
            let title = self.req_string(&s, "title");
            let name = self.opt_string(&s, "name");
            Some(crate::model::Signer {
                title: title?,
                name,
            })
        });
        let recipients = self.strings(&d, "recipients");
        Some(crate::model::DocumentMeta {
            issuer: issuer?,
            number,
            place: place?,
            date: date.map(|d| d.value),
            signer,
            recipients,
        })
    }

    // ---- plans ------------------------------------------------------------

    /// A plan's front matter. `at` is where to report problems of a plan
    /// whose front matter is empty.
    pub(crate) fn plan(
        &mut self,
        node: Option<&Node>,
        at: Pos,
        file: &str,
        stem: &str,
        body: Body,
    ) -> Option<Plan> {
        let empty = Node {
            kind: Kind::Map(Vec::new()),
            pos: at,
        };
        let node = node.unwrap_or(&empty);
        let lang = self.lang();
        let what = tr!(
            lang,
            "phần khai báo đầu tệp (giữa hai dòng ---)",
            "the front matter (between the two --- lines)"
        );
        let f = self.map(
            node,
            &what,
            &[
                "agency",
                "year",
                "status",
                "submitted",
                "contact",
                "legal_bases",
                "indicators",
                "spending",
                "projects",
            ],
        )?;
        let agency = self
            .required(&f, "agency")
            .and_then(|n| self.code(n, "agency"));
        let year = self.required(&f, "year").and_then(|n| self.year(n, "year"));
        let status = self
            .required(&f, "status")
            .and_then(|n| self.choice(n, "status", Status::CHOICES));
        let submitted = f.get("submitted").and_then(|n| self.date(n, "submitted"));
        let contact = f.get("contact").and_then(|n| {
            let c = self.map(n, "contact", &["name", "phone", "email"])?;
            Some(Contact {
                name: self.opt_string(&c, "name"),
                phone: self.opt_string(&c, "phone"),
                email: self.opt_string(&c, "email"),
            })
        });
        let mut malformed: Vec<&'static str> = [
            ("submitted", submitted.is_none()),
            ("contact", contact.is_none()),
        ]
        .into_iter()
        .filter(|(key, missing)| {
            *missing && (f.get(key).is_some() || self.broken.iter().any(|b| b == key))
        })
        .map(|(key, _)| key)
        .collect();
        let legal_bases = self.strings(&f, "legal_bases");
        let indicators = self.list(&f, "indicators", Self::indicator, &mut malformed);
        let spending = self.list(&f, "spending", Self::spending_row, &mut malformed);
        let projects = self.list(&f, "projects", Self::project, &mut malformed);
        Some(Plan {
            file: file.to_string(),
            stem: stem.to_string(),
            agency: agency?,
            year: year?,
            status: status?,
            submitted,
            contact,
            legal_bases,
            indicators,
            spending,
            projects,
            body,
            pos: f.pos,
            malformed,
        })
    }

    /// The items of the list `key` that lowered; `key` goes to `malformed`
    /// when one did not (or the list lost items to a syntax error), so that
    /// rules counting the items stay silent.
    fn list<T>(
        &mut self,
        f: &Fields<'_>,
        key: &'static str,
        item: fn(&mut Self, &Node, &str) -> Option<T>,
        malformed: &mut Vec<&'static str>,
    ) -> Vec<T> {
        if self.broken.iter().any(|b| b == key) {
            malformed.push(key);
        }
        let Some(node) = f.get(key) else {
            return Vec::new();
        };
        let Some(items) = self.seq(node, key) else {
            malformed.push(key);
            return Vec::new();
        };
        let lang = self.lang();
        let out: Vec<T> = items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| item(self, n, &item_label(key, i + 1, n, lang)))
            .collect();
        if out.len() < items.len() && !malformed.contains(&key) {
            malformed.push(key);
        }
        out
    }

    fn indicator(&mut self, node: &Node, what: &str) -> Option<IndicatorValue> {
        let f = self.map(
            node,
            what,
            &[
                "id", "name", "unit", "target", "actual", "goal", "value", "note",
            ],
        )?;
        let id = self.required(&f, "id").and_then(|n| self.code(n, "id"));
        let name = self.opt_string(&f, "name");
        let unit = f.get("unit").map(|n| self.choice(n, "unit", Unit::CHOICES));
        let mut ok = true;
        let target = self.opt_number(&f, "target", &mut ok);
        let actual = self.opt_number(&f, "actual", &mut ok);
        let goal = self.opt_number(&f, "goal", &mut ok);
        let value = self.opt_string(&f, "value");
        let note = self.opt_string(&f, "note");
        let unit = match unit {
            Some(u) => Some(u?.value),
            None => None,
        };
        ok.then_some(())?;
        Some(IndicatorValue {
            id: id?,
            name,
            unit,
            target,
            actual,
            goal,
            value,
            note,
        })
    }

    fn spending_row(&mut self, node: &Node, what: &str) -> Option<SpendingRow> {
        let f = self.map(
            node,
            what,
            &["category", "task", "total", "levels", "kinds", "basis"],
        )?;
        let category = self
            .required(&f, "category")
            .and_then(|n| self.code(n, "category"));
        let task = self.req_string(&f, "task");
        let total = self.req_amount(&f, "total");
        let levels = self
            .required(&f, "levels")
            .and_then(|n| self.split(n, "levels", total.as_ref()));
        let kinds = self
            .required(&f, "kinds")
            .and_then(|n| self.split(n, "kinds", total.as_ref()));
        let basis = self.opt_string(&f, "basis");
        Some(SpendingRow {
            category: category?,
            task: task?,
            total: total?,
            levels: levels?,
            kinds: kinds?,
            basis,
        })
    }

    fn project(&mut self, node: &Node, what: &str) -> Option<Project> {
        let f = self.map(
            node,
            what,
            &[
                "id",
                "name",
                "category",
                "priority",
                "objective",
                "period",
                "lead",
                "partners",
                "done",
                "todo",
                "cost",
                "levels",
                "kinds",
                "investor",
                "approval",
                "necessity",
                "standards",
                "location",
                "note",
            ],
        )?;
        let id = self.required(&f, "id").and_then(|n| self.code(n, "id"));
        let name = self.req_string(&f, "name");
        let category = self
            .required(&f, "category")
            .and_then(|n| self.code(n, "category"));
        let priority = self
            .required(&f, "priority")
            .and_then(|n| self.integer(n, "priority"));
        let period = self.required(&f, "period").and_then(|n| {
            let p = self.map(n, "period", &["from", "to"])?;
            let from = self.required(&p, "from").and_then(|n| self.year(n, "from"));
            let to = self.required(&p, "to").and_then(|n| self.year(n, "to"));
            Some(Period {
                from: from?,
                to: to?,
            })
        });
        let lead = self.required(&f, "lead").and_then(|n| self.code(n, "lead"));
        let mut partners_ok = true;
        let partners = match f.get("partners") {
            Some(n) => match &n.kind {
                Kind::Scalar { .. } => self.code(n, "partners").into_iter().collect(),
                _ => match self.seq(n, "partners") {
                    Some(items) => items
                        .iter()
                        .filter_map(|p| {
                            let c = self.code(p, "partners");
                            partners_ok &= c.is_some();
                            c
                        })
                        .collect(),
                    None => {
                        partners_ok = false;
                        Vec::new()
                    }
                },
            },
            None => Vec::new(),
        };
        let cost = self.required(&f, "cost").and_then(|n| {
            let c = self.map(n, "cost", &["total", "spent", "planned"])?;
            let total = self.req_amount(&c, "total");
            let spent = self.req_amount(&c, "spent");
            let planned = self.req_amount(&c, "planned");
            Some(Cost {
                total: total?,
                spent: spent?,
                planned: planned?,
            })
        });
        let planned = cost.as_ref().map(|c| &c.planned);
        let levels = self
            .required(&f, "levels")
            .and_then(|n| self.split(n, "levels", planned));
        let kinds = self
            .required(&f, "kinds")
            .and_then(|n| self.split(n, "kinds", planned));
        let project = Project {
            id: id?,
            name: name?,
            category: category?,
            priority: priority?,
            objective: self.opt_string(&f, "objective"),
            period: period?,
            lead: lead?,
            partners,
            done: self.opt_string(&f, "done"),
            todo: self.opt_string(&f, "todo"),
            cost: cost?,
            levels: levels?,
            kinds: kinds?,
            investor: self.opt_string(&f, "investor"),
            approval: self.opt_string(&f, "approval"),
            necessity: self.opt_string(&f, "necessity"),
            standards: self.opt_string(&f, "standards"),
            location: self.opt_string(&f, "location"),
            note: self.opt_string(&f, "note"),
        };
        partners_ok.then_some(project)
    }
}

/// The value of a fixed choice that Vietnamese words (as the scaffold's
/// comments gloss them) or the value's own words stand for: `đã gửi` is
/// `submitted`, `Triệu đồng` is `trieu-dong`.
fn gloss(typed: &str) -> Option<&'static str> {
    const WORDS: &[(&str, &str)] = &[
        ("dang-soan", "draft"),
        ("ban-nhap", "draft"),
        ("nhap", "draft"),
        ("du-thao", "draft"),
        ("da-gui", "submitted"),
        ("gui", "submitted"),
        ("da-nop", "submitted"),
        ("nop", "submitted"),
        ("da-gui-so-tt-tt", "submitted"),
        ("da-phe-duyet", "approved"),
        ("phe-duyet", "approved"),
        ("da-duyet", "approved"),
        ("phan-tram", "percent"),
        ("ty-le", "percent"),
        ("so-luong", "count"),
        ("van-ban", "text"),
        ("dong", "dong"),
        ("nghin-dong", "nghin-dong"),
        ("trieu-dong", "trieu-dong"),
        ("ty-dong", "ty-dong"),
        ("co", "true"),
        ("khong", "false"),
    ];
    let t = slug(typed);
    WORDS.iter().find(|(w, _)| *w == t).map(|(_, id)| *id)
}

/// The codes of `list` with their names, for a hint; a long list is cut.
pub(crate) fn valid_codes(list: &[(String, String)]) -> String {
    const SHOWN: usize = 12;
    let mut out: Vec<String> = list
        .iter()
        .take(SHOWN)
        .map(|(c, n)| format!("`{c}` ({n})"))
        .collect();
    if list.len() > SHOWN {
        out.push("…".to_string());
    }
    out.join(", ")
}

/// A guess at the code an editor meant: folded, lower case, hyphenated.
pub(crate) fn slug(text: &str) -> String {
    let folded = super::sections::fold(text);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostic;
    use crate::yaml;

    fn lower_plan(yaml_text: &str) -> (Option<Plan>, Vec<Diagnostic>) {
        let mut sink = Sink::new(Lang::En, "content/2019/x.md", false);
        let node = yaml::parse(yaml_text, 1).unwrap();
        let plan = Lower::new(&mut sink).plan(
            node.as_ref(),
            Pos::START,
            "content/2019/x.md",
            "x",
            Body::default(),
        );
        (plan, sink.into_vec())
    }

    fn codes(d: &[Diagnostic]) -> Vec<(&str, u32, u32)> {
        d.iter()
            .map(|d| (d.code.as_str(), d.pos.line, d.pos.col))
            .collect()
    }

    const MIN: &str = "agency: x\nyear: 2019\nstatus: draft\n";

    #[test]
    fn minimal_plan_lowers() {
        let (p, d) = lower_plan(MIN);
        assert!(d.is_empty(), "{d:?}");
        let p = p.unwrap();
        assert_eq!(p.agency.value, "x");
        assert_eq!(p.year.pos, Pos { line: 3, col: 7 });
    }

    #[test]
    fn e004_unknown_field_with_suggestion() {
        let (_, d) = lower_plan(&format!("{MIN}projets: []\n"));
        assert_eq!(codes(&d), [("E004", 5, 1)]);
        assert!(d[0].help.as_deref().unwrap().contains("`projects`"));
    }

    #[test]
    fn e005_vietnamese_amount_with_hint() {
        let y = format!(
            "{MIN}spending:\n  - {{ category: ha-tang, task: t, total: \"1.200.000\", levels: tinh, kinds: khac }}\n"
        );
        let (p, d) = lower_plan(&y);
        assert_eq!(codes(&d), [("E005", 6, 42)]);
        assert!(d[0].help.as_deref().unwrap().contains("1200000"));
        assert!(p.unwrap().spending.is_empty());
    }

    #[test]
    fn e005_bad_date_and_bad_code() {
        let (_, d) =
            lower_plan("agency: So TTTT\nyear: 2019\nstatus: submitted\nsubmitted: 25/07/2018\n");
        assert_eq!(codes(&d), [("E005", 2, 9), ("E005", 5, 12)]);
        assert!(d[1].help.as_deref().unwrap().contains("2018-07-25"));
        assert!(d[0].help.as_deref().unwrap().contains("so-tttt"));
    }

    #[test]
    fn e006_required_field_missing() {
        let (p, d) = lower_plan("agency: x\nyear: 2019\n");
        assert!(p.is_none());
        assert_eq!(codes(&d), [("E006", 2, 1)]);
        assert!(d[0].message.contains("`status`"));
    }

    #[test]
    fn every_problem_of_a_file_is_reported() {
        let y = "agency: x\nyear: twenty\nstatus: sent\nprojets: 1\n";
        let (_, d) = lower_plan(y);
        assert_eq!(codes(&d), [("E004", 5, 1), ("E005", 3, 7), ("E005", 4, 9)]);
    }

    #[test]
    fn single_id_split_takes_the_whole_amount() {
        let y = format!(
            "{MIN}spending:\n  - {{ category: ha-tang, task: t, total: 350, levels: tinh, kinds: {{ su-nghiep: 350 }} }}\n"
        );
        let (p, d) = lower_plan(&y);
        assert!(d.is_empty(), "{d:?}");
        let row = &p.unwrap().spending[0];
        assert_eq!(row.levels.value[0].1.value, "350".parse().unwrap());
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect()
    }

    #[test]
    fn codes_are_found_by_their_names() {
        let cats = pairs(&[
            ("ha-tang", "Hạ tầng kỹ thuật"),
            ("nhan-luc", "Đào tạo nguồn nhân lực CNTT"),
        ]);
        assert_eq!(code_by_name("đào tạo", &cats), Some("nhan-luc"));
        assert_eq!(code_by_name("dao-tao", &cats), Some("nhan-luc"));
        assert_eq!(code_by_name("HẠ TẦNG KỸ THUẬT", &cats), Some("ha-tang"));
        assert_eq!(code_by_name("ngân sách", &cats), None);
        let agencies = pairs(&[
            ("ubnd-an-lao", "UBND huyện An Lão"),
            ("ubnd-ba-to", "UBND huyện Ba Tơ"),
        ]);
        assert_eq!(
            code_by_name("UBND huyện An Lão", &agencies),
            Some("ubnd-an-lao")
        );
        assert_eq!(
            code_by_name("ubnd-huyen-an-lao", &agencies),
            Some("ubnd-an-lao")
        );
        // Both are "UBND huyện …": no guess.
        assert_eq!(code_by_name("UBND huyện", &agencies), None);
    }

    #[test]
    fn vietnamese_words_for_fixed_choices() {
        assert_eq!(gloss("đã gửi"), Some("submitted"));
        assert_eq!(gloss("Bản nháp"), Some("draft"));
        assert_eq!(gloss("Đã phê duyệt"), Some("approved"));
        assert_eq!(gloss("Triệu đồng"), Some("trieu-dong"));
        assert_eq!(gloss("xyz"), None);
    }

    #[test]
    fn follow_on_counts_are_marked() {
        let y = format!(
            "{MIN}projects:\n  - {{ id: a, name: A, category: c, priority: 1, period: {{ from: 2019, to: 2019 }}, lead: x, cost: {{ total: 1, spent: 0, planned: \"1,5\" }}, levels: {{}}, kinds: {{}} }}\n"
        );
        let (p, d) = lower_plan(&y);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`planned`"), "{d:?}");
        assert!(p.unwrap().malformed.contains(&"projects"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Sở TT&TT"), "so-tt-tt");
    }
}

#[cfg(test)]
mod s3_target_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::yaml;

    fn target(text: &str) -> (Option<Target>, Vec<crate::diag::Diagnostic>) {
        let mut sink = Sink::new(Lang::En, "content/site.yaml", false);
        let node = yaml::parse(text, 1).unwrap();
        let t = Lower::new(&mut sink).target(node.as_ref().unwrap());
        (t, sink.into_vec())
    }

    #[test]
    fn s3_targets_take_endpoint_bucket_prefix_and_region() {
        let (t, d) = target(
            "{ kind: s3, endpoint: \"https://s3.example.gov.vn/\", bucket: ke-hoach, prefix: /ke-hoach-cntt/, region: hn-1, keep: 5 }",
        );
        assert!(d.is_empty(), "{d:?}");
        let t = t.unwrap();
        assert_eq!(t.path, "ke-hoach-cntt");
        assert_eq!(
            t.kind,
            TargetKind::S3 {
                endpoint: "https://s3.example.gov.vn".into(),
                bucket: "ke-hoach".into(),
                region: "hn-1".into(),
            }
        );
        // prefix and region may be left out; no path is needed.
        let (t, d) = target("{ kind: s3, endpoint: \"http://127.0.0.1:9000\", bucket: b }");
        assert!(d.is_empty(), "{d:?}");
        let t = t.unwrap();
        assert_eq!(t.path, "");
        assert!(matches!(t.kind, TargetKind::S3 { ref region, .. } if region == "us-east-1"));
    }

    #[test]
    fn s3_targets_need_a_bucket_and_credentials_never_come_from_site_yaml() {
        let (t, d) = target("{ kind: s3, endpoint: \"https://s3.example.gov.vn\" }");
        assert!(t.is_none());
        assert!(d.iter().any(|d| d.message.contains("bucket")), "{d:?}");
        let (_, d) = target(
            "{ kind: s3, endpoint: \"https://s3.example.gov.vn\", bucket: b, secret_key: x }",
        );
        assert!(d.iter().any(|d| d.code.as_str() == "E004"), "{d:?}");
    }
}
