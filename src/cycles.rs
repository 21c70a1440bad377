//! Moving a site on to its next year: what `planpress new cycle` writes for
//! a cycle from the latest earlier one, and what `planpress new plan`
//! (unless `--blank`) prefills an agency's plan with from its plan of the
//! latest earlier cycle, as PLAN-FORMAT §8 says. The commands themselves
//! live in `scaffold`, which uses this module and not the other way round. The plan is written through
//! [`crate::plan_doc`], the one writer of plan files.

use std::fmt::Write as _;

use chrono::{Datelike as _, NaiveDate};
use rust_decimal::Decimal;

use crate::model::{Agency, Catalog, CycleMeta, Plan, Site, Standing};
use crate::plan_doc::{IndicatorDoc, PlanDoc, SpendingDoc, SplitDoc};

/// A YAML double-quoted string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The same day one year later; 29 February becomes 28 February.
fn next_year(d: NaiveDate) -> NaiveDate {
    d.with_year(d.year() + 1)
        .or_else(|| NaiveDate::from_ymd_opt(d.year() + 1, d.month(), 28))
        .unwrap_or(d)
}

/// The `_plan.md` of cycle `year`, moved on from `prev` (of cycle
/// `prev_year`): year and title moved on, the guidance date and the
/// deadline a year later and marked to confirm, the legal bases carried
/// with a note to review them, the introduction kept under a note to
/// update it.
pub(crate) fn next_cycle_md(prev: &CycleMeta, prev_year: i32, year: i32) -> String {
    let mut s = String::new();
    let (py, y) = (prev_year.to_string(), year.to_string());
    let title = if prev.title.contains(&py) {
        prev.title.replace(&py, &y)
    } else {
        format!("{} năm {year}", prev.title)
    };
    let _ = writeln!(s, "---");
    let _ = writeln!(
        s,
        "# Kỳ kế hoạch {year}, tạo bằng `planpress new cycle` từ kỳ {prev_year}."
    );
    let _ = writeln!(
        s,
        "# Các dòng đánh dấu XÁC NHẬN được dời thêm một năm: sửa cho đúng văn bản đã ban hành."
    );
    let _ = writeln!(s, "year: {year}");
    let _ = writeln!(s, "title: {}", quoted(&title));
    if let Some(g) = &prev.guidance {
        let _ = writeln!(
            s,
            "guidance: {{ number: {}, date: {}, issuer: {} }}   # XÁC NHẬN: số và ngày văn bản hướng dẫn năm {year}",
            quoted(&g.number),
            next_year(g.date),
            quoted(&g.issuer)
        );
    }
    let _ = writeln!(
        s,
        "deadline: {}   # XÁC NHẬN: hạn gửi kế hoạch năm {year}",
        next_year(prev.deadline.value)
    );
    let _ = writeln!(
        s,
        "# Căn cứ chung mang sang từ kỳ {prev_year}: rà soát, bỏ văn bản đã hết hiệu lực, thêm văn bản mới."
    );
    if prev.legal_bases.is_empty() {
        let _ = writeln!(s, "legal_bases: []");
    } else {
        let _ = writeln!(s, "legal_bases:");
        for b in &prev.legal_bases {
            let _ = writeln!(s, "  - {}", quoted(b));
        }
    }
    let _ = writeln!(s, "---");
    let _ = writeln!(
        s,
        "<!-- Phần giới thiệu dưới đây mang sang từ kỳ {prev_year}: cập nhật cho năm {year}. -->"
    );
    let _ = writeln!(s);
    s.push_str(prev.body.text.trim_start_matches('\n'));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// The plan a prefilled plan of `agency` for `year` starts from: the
/// agency's plan of the latest earlier cycle, or, for an agency that took
/// over another's duties, its predecessor's.
pub(crate) fn earlier_plan<'s>(site: &'s Site, agency: &Agency, year: i32) -> Option<&'s Plan> {
    let code = agency.code.value.as_str();
    let is_predecessor = |c: &str| {
        site.agency(c)
            .and_then(|a| a.successor.as_ref())
            .is_some_and(|s| s.value == code)
    };
    let mut cycles: Vec<_> = site.cycles.iter().filter(|c| c.year < year).collect();
    cycles.sort_by_key(|c| std::cmp::Reverse(c.year));
    for c in cycles {
        if let Some(p) = c.plans.iter().find(|p| p.agency.value == code) {
            return Some(p);
        }
        if let Some(p) = c.plans.iter().find(|p| is_predecessor(&p.agency.value)) {
            return Some(p);
        }
    }
    None
}

/// What could not be carried into the new plan, for the note at its top.
struct Left(Vec<String>);

/// `split` with every id known to `list`, or `None` when one is not.
fn split_in(split: &SplitDoc, list: &[crate::model::CodeName]) -> Option<SplitDoc> {
    split
        .0
        .iter()
        .all(|(id, _)| list.iter().any(|c| c.id.value == *id))
        .then(|| split.clone())
}

/// The code that stands for `code` in cycle `year`: itself, or its
/// successor when it has ended.
fn code_in(site: &Site, code: &str, year: i32) -> Option<String> {
    match site.standing(code, year) {
        Standing::Present(a) => Some(a.code.value.clone()),
        Standing::Ended {
            successor: Some(s), ..
        } => Some(s.code.value.clone()),
        _ => None,
    }
}

/// The front matter of `agency`'s plan for `year`, prefilled from `prev`
/// (PLAN-FORMAT §8): indicators with `target` ← the earlier `goal`; each
/// earlier project with planned > 0 as a II.2 row; projects running into
/// `year` carried with `spent` ← spent + planned and `planned: 0`.
/// Whatever the cycle's catalog cannot take is left out and named in the
/// note at the top, so the file passes `check` with no error.
pub(crate) fn prefilled(
    site: &Site,
    agency: &Agency,
    year: i32,
    prev: &Plan,
    catalog: &Catalog,
) -> PlanDoc {
    let code = agency.code.value.clone();
    let prev_year = prev.year.value;
    let earlier = PlanDoc::from_plan(prev);
    let mut left = Left(Vec::new());
    let mut doc = PlanDoc {
        agency: code.clone(),
        year,
        status: "draft".into(),
        submitted: None,
        contact: earlier.contact.clone(),
        legal_bases: earlier.legal_bases.clone(),
        ..PlanDoc::default()
    };
    for (iv, before) in prev.indicators.iter().zip(&earlier.indicators) {
        let id = &iv.id.value;
        let old_def = site.catalog_for(prev_year).and_then(|c| c.indicator(id));
        let (name, unit) = match catalog.indicator(id) {
            Some(def) => {
                if def.provider.as_ref().is_some_and(|p| p.value != code) {
                    continue;
                }
                (None, None)
            }
            None => match (&before.name, &before.unit, old_def) {
                (Some(n), Some(u), _) => (Some(n.clone()), Some(u.clone())),
                (_, _, Some(d)) if d.provider.is_none() => {
                    (Some(d.name.clone()), Some(d.unit.id().to_string()))
                }
                _ => {
                    left.0.push(format!("chỉ tiêu `{id}`"));
                    continue;
                }
            },
        };
        doc.indicators.push(IndicatorDoc {
            id: id.clone(),
            name,
            unit,
            target: before.goal,
            actual: None,
            goal: None,
            value: None,
            note: None,
        });
    }
    let known_cat = |c: &str| catalog.categories.iter().any(|k| k.id.value == c);
    let mut projects = earlier.projects.clone();
    projects.sort_by_key(|p| p.priority.unwrap_or(i64::MAX));
    for p in &projects {
        let planned = p.cost.planned.unwrap_or_default();
        if planned > Decimal::ZERO {
            let row = (
                known_cat(&p.category),
                split_in(&p.levels, &catalog.levels),
                split_in(&p.kinds, &catalog.kinds),
            );
            match row {
                (true, Some(levels), Some(kinds)) => doc.spending.push(SpendingDoc {
                    category: p.category.clone(),
                    task: p.name.clone(),
                    total: Some(planned),
                    levels,
                    kinds,
                    basis: p.approval.clone(),
                }),
                _ => left
                    .0
                    .push(format!("dòng II.2 của dự án `{}` ({})", p.id, p.name)),
            }
        }
    }
    let mut priority = 0;
    for p in &projects {
        let runs_on = p
            .period
            .as_ref()
            .and_then(|r| r.to)
            .is_some_and(|to| to >= year);
        if !runs_on {
            continue;
        }
        let lead = code_in(site, &p.lead, year);
        let Some(lead) = lead.filter(|_| known_cat(&p.category)) else {
            left.0.push(format!("dự án `{}` ({})", p.id, p.name));
            continue;
        };
        priority += 1;
        let mut q = p.clone();
        q.priority = Some(priority);
        q.lead = lead;
        q.partners = p
            .partners
            .iter()
            .filter_map(|c| code_in(site, c, year))
            .collect();
        q.partners.dedup();
        let spent = p.cost.spent.unwrap_or_default() + p.cost.planned.unwrap_or_default();
        q.cost.spent = Some(spent);
        q.cost.planned = Some(Decimal::ZERO);
        q.levels = SplitDoc::default();
        q.kinds = SplitDoc::default();
        q.comment = Some(format!(
            "Mang sang từ kế hoạch năm {prev_year}: spent = đã thực hiện + kế hoạch năm {prev_year}. Điền planned, levels, kinds cho năm {year}."
        ));
        doc.projects.push(q);
    }
    let mut note = format!(
        "Kế hoạch năm {year}, điền sẵn từ kế hoạch năm {prev_year} (planpress new plan).\n\
         II.1: target là mục tiêu (goal) năm {prev_year}; ghi actual (ước thực hiện) và goal năm {year}.\n\
         II.2: mỗi dự án có kinh phí năm {prev_year} thành một dòng; sửa total, levels, kinds theo số thực chi.\n\
         Trạng thái draft: đổi thành submitted và ghi ngày submitted khi gửi."
    );
    if !left.0.is_empty() {
        let _ = write!(
            note,
            "\nKhông mang sang được (mã không còn trong danh mục hoặc danh sách cơ quan năm {year}; thêm tay nếu cần):"
        );
        for item in &left.0 {
            let _ = write!(note, "\n  - {item}");
        }
    }
    doc.comment = Some(note);
    doc
}

/// The whole prefilled file: the front matter of [`prefilled`] and the
/// body of the blank `skeleton` (the letter's headings and guidance), which
/// `scaffold` writes and passes in.
pub(crate) fn prefilled_file(
    site: &Site,
    agency: &Agency,
    year: i32,
    prev: &Plan,
    skeleton: &str,
) -> Option<String> {
    let catalog = site.catalog_for(year)?;
    let doc = prefilled(site, agency, year, prev, catalog);
    let body = skeleton
        .strip_prefix("---\n")
        .and_then(|r| r.find("\n---\n").map(|i| &r[i + 5..]))
        .unwrap_or("");
    let sections = crate::plan_doc::sections_of_body(body);
    Some(crate::plan_doc::write_plan_file(
        &doc,
        &sections,
        Some(body),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_move_one_year_and_a_leap_day_stays_in_february() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default();
        assert_eq!(next_year(d(2018, 7, 16)), d(2019, 7, 16));
        assert_eq!(next_year(d(2024, 2, 29)), d(2025, 2, 28));
    }
}
