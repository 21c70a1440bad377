//! Scalars: strings, codes, numbers and amounts, dates, years, booleans,
//! fixed choices, and the hints that propose a valid value.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Fields, Lower};
use crate::diag::{suggest, tr};
use crate::model::Spanned;
use crate::model::money::{Amount, NumberError, format_grouped, parse_decimal};
use crate::yaml::{Kind, Node};

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

impl Lower<'_, '_> {
    pub(super) fn scalar<'n>(&mut self, node: &'n Node, what: &str) -> Option<(&'n str, bool)> {
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

    pub(super) fn opt_string(&mut self, f: &Fields<'_>, key: &str) -> Option<String> {
        let node = f.get(key)?;
        self.string(node, key).map(|s| s.value)
    }

    pub(super) fn req_string(&mut self, f: &Fields<'_>, key: &str) -> Option<String> {
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
    pub(super) fn code_hint(&self, typed: &str, what: &str) -> String {
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
    pub(super) fn number_text(&mut self, node: &Node, what: &str, money: bool) -> Option<Decimal> {
        let (text, plain) = self.scalar(node, what)?;
        let lang = self.lang();
        match parse_decimal(text) {
            Ok(d) if plain && d.abs() > crate::model::money::LIMIT => {
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
    pub(super) fn size_hint(&self, fixed: &str, unit: crate::model::MoneyUnit) -> String {
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

    pub(super) fn req_amount(&mut self, f: &Fields<'_>, key: &str) -> Option<Spanned<Amount>> {
        let node = self.required(f, key)?;
        self.amount(node, key)
    }

    pub(super) fn opt_number(
        &mut self,
        f: &Fields<'_>,
        key: &str,
        ok: &mut bool,
    ) -> Option<Spanned<Decimal>> {
        let node = f.get(key)?;
        let d = self.number_text(node, key, false);
        *ok &= d.is_some();
        Some(Spanned {
            value: d?,
            pos: node.pos,
        })
    }

    pub(super) fn integer(&mut self, node: &Node, what: &str) -> Option<Spanned<i64>> {
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

    pub(super) fn year(&mut self, node: &Node, what: &str) -> Option<Spanned<i32>> {
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

    pub(super) fn date(&mut self, node: &Node, what: &str) -> Option<Spanned<NaiveDate>> {
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

    pub(super) fn choice<T: Copy>(
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

    pub(super) fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        self.choice(node, what, &[("true", true), ("false", false)])
            .map(|s| s.value)
    }

    pub(super) fn strings(&mut self, f: &Fields<'_>, key: &str) -> Vec<String> {
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
    let folded = crate::model::sections::fold(text);
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
    fn slugs() {
        assert_eq!(slug("Sở TT&TT"), "so-tt-tt");
    }
}
