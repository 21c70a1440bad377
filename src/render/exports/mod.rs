//! Downloads: CSV, JSON and XLSX of a consolidated cycle.
//!
//! Every figure printed here is read from [`CycleReport`]: the consolidated
//! totals are never added up again. The one exception is display grouping in
//! the workbook (a category's subtotals of `total`, `spent` and its split by
//! level and kind, which `consolidate` does not keep); those are summed
//! exactly, in `Decimal`, from the same published plans.
//!//!
//! Amounts travel as text everywhere except inside the workbook, where Excel
//! only knows IEEE doubles (see [`xlsx::excel_number`]).

mod csv;
mod json;
mod xlsx;

use chrono::{Datelike, NaiveDate};

use crate::consolidate::{ByCode, CycleReport, Submission};
use crate::diag::Lang;
use crate::model::{
    CodeName, Group, IndicatorValue, MoneyUnit, Period, Plan, Project, Site, Status, Unit,
};

/// UTF-8 byte-order mark: Excel on Windows needs it to read the CSV as UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Label of the grand-total row of every table.
const TOTAL_LABEL: &str = "Tổng cộng";

pub(crate) use self::csv::{indicators_csv, projects_csv, spending_csv};
pub(crate) use json::plan_json;
pub(crate) use xlsx::workbook;

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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rust_decimal::Decimal;
    use serde_json::Value;

    use super::*;
    use crate::consolidate::cycle;
    use crate::load::{Loaded, load};

    pub(super) fn demo() -> Loaded {
        load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    pub(super) fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
        assert!(bytes.starts_with(BOM), "CSV must start with a BOM");
        let body = &bytes[BOM.len()..];
        assert!(std::str::from_utf8(body).is_ok());
        let mut r = ::csv::Reader::from_reader(body);
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
}
