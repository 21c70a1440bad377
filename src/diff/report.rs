//! Showing the changes: tables for people and one JSON document for tools,
//! both read from what `compare` computed and nothing else.

use serde_json::{Value, json};

use super::Version;
use super::compare::{ChangeKind, CycleDiff, Field, Item, Val};
use crate::diag::{Lang, tr};
use crate::model::Amount;
use crate::render::format::{money, number, signed_money, signed_number};

// ---- JSON -------------------------------------------------------------------

fn val_json(v: &Option<Val>) -> Value {
    match v {
        None => Value::Null,
        Some(Val::Money(a)) => json!(a.to_string()),
        Some(Val::Num(d)) => json!(d.to_string()),
        Some(Val::Text(t)) => json!(t),
    }
}

fn field_json(f: &Field) -> Value {
    let mut o = json!({
        "key": f.key, "label": f.label,
        "before": val_json(&f.before), "after": val_json(&f.after),
        "changed": f.changed(),
    });
    if let Some(d) = f.num_delta() {
        o["delta"] = json!(d.normalize().to_string());
    }
    o
}

fn item_json(i: &Item) -> Value {
    json!({
        "id": i.id, "name": i.name, "change": i.change.id(),
        "fields": i.fields.iter().map(field_json).collect::<Vec<_>>(),
    })
}

fn cycle_json(c: &CycleDiff) -> Value {
    json!({
        "year": c.year,
        "change": c.change.id(),
        "agencies": c.agencies.iter().map(|a| json!({
            "code": a.code, "name": a.name, "change": a.change.id(),
            "fields": a.fields.iter().map(field_json).collect::<Vec<_>>(),
            "projects": a.projects.iter().map(item_json).collect::<Vec<_>>(),
            "spending": a.spending.iter().map(item_json).collect::<Vec<_>>(),
            "indicators": a.indicators.iter().map(item_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "totals": c.totals.iter().map(field_json).collect::<Vec<_>>(),
    })
}

/// The whole comparison as one pretty-printed JSON document, with a final
/// newline.
pub(super) fn json(
    cycles: &[CycleDiff],
    a: &Version,
    b: &Version,
    unit: Option<crate::model::MoneyUnit>,
    drafts: bool,
) -> String {
    let side = |v: &Version| {
        json!({
            "label": v.label,
            "rev": v.rev.as_ref().map(|r| r.spec.clone()),
            "commit": v.rev.as_ref().map(|r| r.id.to_string()),
            "date": v.rev.as_ref().and_then(|r| r.date).map(|d| d.format("%Y-%m-%d").to_string()),
            "work_tree": v.rev.is_none(),
            "errors": v.errors,
        })
    };
    let doc = json!({
        "before": side(a),
        "after": side(b),
        "money_unit": unit.map(|u| u.id()),
        "drafts": drafts,
        "changed": !cycles.is_empty(),
        "cycles": cycles.iter().map(cycle_json).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

// ---- tables for people ------------------------------------------------------

fn show(v: &Option<Val>, lang: Lang) -> String {
    match v {
        None => "—".to_string(),
        Some(Val::Money(a)) => money(*a, lang),
        Some(Val::Num(d)) => number(*d, lang),
        Some(Val::Text(t)) => t.clone(),
    }
}

fn show_delta(f: &Field, lang: Lang) -> String {
    match (f.num_delta(), &f.before, &f.after) {
        (Some(d), Some(Val::Money(_)), _) | (Some(d), _, Some(Val::Money(_))) => {
            signed_money(Amount(d), lang)
        }
        (Some(d), _, _) => signed_number(d, lang),
        (None, _, _) => String::new(),
    }
}

/// Lays out rows: the first column left, the others right-aligned.
fn table(rows: &[Vec<String>], indent: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..cols).map(width).collect();
    let mut out = String::new();
    for r in rows {
        let mut line = " ".repeat(indent);
        for (i, cell) in r.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn fields_table(fields: &[Field], indent: usize, lang: Lang) -> String {
    let mut rows = vec![vec![
        tr!(lang, "Khoản", "Item"),
        tr!(lang, "Trước", "Before"),
        tr!(lang, "Sau", "After"),
        tr!(lang, "Chênh lệch", "Change"),
    ]];
    for f in fields {
        rows.push(vec![
            f.label.clone(),
            show(&f.before, lang),
            show(&f.after, lang),
            show_delta(f, lang),
        ]);
    }
    table(&rows, indent)
}

/// `label value; label value` for an item that was added or removed.
fn inline(fields: &[Field], lang: Lang) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.label,
                show(f.after.as_ref().map_or(&f.before, |_| &f.after), lang)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Lines for projects, II.2 rows or indicators; `with_id` shows their ids
/// (II.2 rows have none of their own).
fn item_lines(out: &mut String, what: &str, with_id: bool, items: &[Item], lang: Lang) {
    for i in items {
        let mark = i.change.mark();
        let head = if with_id {
            format!("  {mark} {what} {} — {}", i.id, i.name)
        } else {
            format!("  {mark} {what}: {}", i.name)
        };
        match i.change {
            ChangeKind::Changed => {
                let text_only = i.fields.iter().all(|f| f.num_delta().is_none());
                if text_only || i.fields.len() == 1 {
                    let parts: Vec<String> = i
                        .fields
                        .iter()
                        .map(|f| {
                            let d = show_delta(f, lang);
                            let d = if d.is_empty() { d } else { format!(" ({d})") };
                            format!(
                                "{}: {} → {}{d}",
                                f.label,
                                show(&f.before, lang),
                                show(&f.after, lang)
                            )
                        })
                        .collect();
                    out.push_str(&format!("{head}: {}\n", parts.join("; ")));
                } else {
                    out.push_str(&head);
                    out.push('\n');
                    out.push_str(&fields_table(&i.fields, 6, lang));
                }
            }
            _ => {
                let what = if i.change == ChangeKind::Added {
                    tr!(lang, "thêm", "added")
                } else {
                    tr!(lang, "bỏ", "removed")
                };
                let fields = inline(&i.fields, lang);
                let sep = if fields.is_empty() { "" } else { ": " };
                out.push_str(&format!("{head} ({what}){sep}{fields}\n"));
            }
        }
    }
}

pub(super) fn human(
    cycles: &[CycleDiff],
    a: &Version,
    b: &Version,
    unit: Option<crate::model::MoneyUnit>,
    drafts: bool,
    lang: Lang,
) -> String {
    let mut out = String::new();
    let (la, lb) = (&a.label, &b.label);
    out.push_str(&tr!(
        lang,
        "So sánh {la} → {lb}\n",
        "Comparing {la} → {lb}\n"
    ));
    if let Some(u) = unit {
        let u = u.label(lang);
        out.push_str(&tr!(lang, "Đơn vị tính: {u}\n", "Unit: {u}\n"));
    }
    if cycles.is_empty() {
        out.push_str(&tr!(
            lang,
            "\nKhông có thay đổi nào về số liệu.\n",
            "\nNo change in the figures.\n"
        ));
        return out;
    }
    for c in cycles {
        let year = c.year;
        let head = match c.change {
            ChangeKind::Added => tr!(lang, "Kỳ kế hoạch {year} (mới)", "Cycle {year} (new)"),
            ChangeKind::Removed => {
                tr!(lang, "Kỳ kế hoạch {year} (đã bỏ)", "Cycle {year} (removed)")
            }
            ChangeKind::Changed => tr!(lang, "Kỳ kế hoạch {year}", "Cycle {year}"),
        };
        out.push_str(&format!("\n== {head} ==\n"));
        for ag in &c.agencies {
            let (name, code) = (&ag.name, &ag.code);
            let state = match ag.change {
                ChangeKind::Added => tr!(lang, " — kế hoạch mới", " — new plan"),
                ChangeKind::Removed => tr!(lang, " — kế hoạch đã bị xóa", " — plan removed"),
                ChangeKind::Changed => String::new(),
            };
            out.push_str(&format!("\n{name} ({code}){state}\n"));
            for f in ag
                .fields
                .iter()
                .filter(|f| f.key != "planned" && f.key != "spending")
            {
                out.push_str(&format!(
                    "  {}: {} → {}\n",
                    f.label,
                    show(&f.before, lang),
                    show(&f.after, lang)
                ));
            }
            item_lines(
                &mut out,
                &tr!(lang, "Dự án", "Project"),
                true,
                &ag.projects,
                lang,
            );
            item_lines(
                &mut out,
                &tr!(lang, "Kinh phí năm trước", "Prior-year row"),
                false,
                &ag.spending,
                lang,
            );
            item_lines(
                &mut out,
                &tr!(lang, "Chỉ tiêu", "Indicator"),
                true,
                &ag.indicators,
                lang,
            );
            // The agency's planned total always; its II.2 total when it moved.
            let totals = ag
                .fields
                .iter()
                .filter(|f| f.key == "planned" || (f.key == "spending" && f.changed()));
            for f in totals {
                let d = show_delta(f, lang);
                out.push_str(&format!(
                    "  {}: {} → {} ({d})\n",
                    f.label,
                    show(&f.before, lang),
                    show(&f.after, lang)
                ));
            }
        }
        let scope = if drafts {
            tr!(lang, "kể cả bản nháp", "drafts included")
        } else {
            tr!(
                lang,
                "không tính bản nháp, như trang tổng hợp",
                "drafts left out, as on the consolidated page"
            )
        };
        out.push_str(&tr!(
            lang,
            "\nTổng hợp toàn tỉnh {year} ({scope})\n",
            "\nProvincial totals {year} ({scope})\n"
        ));
        out.push_str(&fields_table(&c.totals, 2, lang));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_numbers_right() {
        let t = table(
            &[
                vec!["Khoản".into(), "1".into()],
                vec!["Kinh phí".into(), "1.000".into()],
            ],
            2,
        );
        assert_eq!(t, "  Khoản         1\n  Kinh phí  1.000\n");
    }
}
