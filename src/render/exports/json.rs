//! `plan.json`: the whole consolidated cycle for tools, amounts as text so
//! that no figure goes through a float.

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{by_priority, money_unit};
use crate::consolidate::{ByCode, CycleReport, IndicatorSummary, Submission, split_by_code};
use crate::model::{Amount, IndicatorValue, Project, Site, SpendingRow, Split};

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
        AmountMap(
            split_by_code(s)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
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
