//! Computing the changes: both versions' figures paired item by item (projects,
//! II.2 rows, indicators, an agency's status and totals) and every total of
//! each cycle, all as data, so that each output format shows the same
//! changes.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use crate::consolidate::{self, CycleReport, Submission, Totals};
use crate::diag::{Lang, tr};
use crate::model::{Amount, Catalog, CodeName, Cycle, Plan, Site, Status, Unit};
use crate::render::format::date;

/// A value on one side of a change.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Money(Amount),
    Num(Decimal),
    Text(String),
}

impl Val {
    fn decimal(&self) -> Option<Decimal> {
        match self {
            Val::Money(a) => Some(a.0),
            Val::Num(d) => Some(*d),
            Val::Text(_) => None,
        }
    }
}

/// One figure before and after.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    /// Stable key for tools: `cost.planned`, `levels.tinh`, `by_category.ha-tang`.
    pub(crate) key: String,
    /// What a reader calls it.
    pub(crate) label: String,
    pub(crate) before: Option<Val>,
    pub(crate) after: Option<Val>,
}

impl Field {
    fn new(key: impl Into<String>, label: impl Into<String>) -> Field {
        Field {
            key: key.into(),
            label: label.into(),
            before: None,
            after: None,
        }
    }
    fn money(mut self, before: Option<Amount>, after: Option<Amount>) -> Field {
        self.before = before.map(Val::Money);
        self.after = after.map(Val::Money);
        self
    }
    fn num(mut self, before: Option<Decimal>, after: Option<Decimal>) -> Field {
        self.before = before.map(Val::Num);
        self.after = after.map(Val::Num);
        self
    }
    fn text(mut self, before: Option<String>, after: Option<String>) -> Field {
        self.before = before.map(Val::Text);
        self.after = after.map(Val::Text);
        self
    }
    /// Whether the two sides differ; an absent amount counts as zero.
    pub(crate) fn changed(&self) -> bool {
        match (self.num_delta(), &self.before, &self.after) {
            (Some(d), _, _) => !d.is_zero(),
            (None, b, a) => b != a,
        }
    }
    /// `after − before` for numbers, an absent side counting as zero.
    pub(crate) fn num_delta(&self) -> Option<Decimal> {
        let b = self.before.as_ref().map(Val::decimal);
        let a = self.after.as_ref().map(Val::decimal);
        match (b, a) {
            (Some(None), _) | (_, Some(None)) | (None, None) => None,
            (b, a) => {
                let (b, a) = (
                    b.flatten().unwrap_or_default(),
                    a.flatten().unwrap_or_default(),
                );
                Some(a.checked_sub(b).unwrap_or(Decimal::MIN))
            }
        }
    }
}

/// Whether something exists on one side only, or on both and changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub(super) fn id(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
    pub(super) fn mark(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '\u{2212}',
            ChangeKind::Changed => '~',
        }
    }
    fn of<T>(before: Option<T>, after: Option<T>) -> Option<(ChangeKind, Option<T>, Option<T>)> {
        match (&before, &after) {
            (None, None) => None,
            (None, Some(_)) => Some((ChangeKind::Added, before, after)),
            (Some(_), None) => Some((ChangeKind::Removed, before, after)),
            (Some(_), Some(_)) => Some((ChangeKind::Changed, before, after)),
        }
    }
}

/// A project, II.2 row or indicator that was added, removed or changed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) change: ChangeKind,
    pub(crate) fields: Vec<Field>,
}

/// What changed in one agency's plan.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AgencyDiff {
    pub(crate) code: String,
    pub(crate) name: String,
    /// The plan file appeared, disappeared or changed.
    pub(crate) change: ChangeKind,
    /// Status, submission, and the plan's own planned and spending totals.
    pub(crate) fields: Vec<Field>,
    pub(crate) projects: Vec<Item>,
    pub(crate) spending: Vec<Item>,
    pub(crate) indicators: Vec<Item>,
}

/// What changed in one cycle.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CycleDiff {
    pub(crate) year: i32,
    pub(crate) change: ChangeKind,
    pub(crate) agencies: Vec<AgencyDiff>,
    /// Every total of the consolidated plan, changed or not.
    pub(crate) totals: Vec<Field>,
}

impl CycleDiff {
    fn totals_changed(&self) -> bool {
        self.totals.iter().any(Field::changed)
    }
}

/// Names of code-list entries, newest side first.
struct Names<'a> {
    lists: Vec<&'a Catalog>,
    agencies: HashMap<&'a str, &'a str>,
    lang: Lang,
}

impl<'a> Names<'a> {
    fn new(before: &'a Site, after: &'a Site, lang: Lang) -> Self {
        let mut agencies = HashMap::new();
        for site in [before, after] {
            for a in site.agencies.iter().flatten() {
                agencies.insert(a.code.value.as_str(), a.name.as_str());
            }
        }
        Names {
            lists: [after, before]
                .iter()
                .filter_map(|s| s.catalog.as_ref())
                .collect(),
            agencies,
            lang,
        }
    }
    fn find(&self, pick: fn(&Catalog) -> &Vec<CodeName>, id: &str) -> String {
        self.lists
            .iter()
            .flat_map(|c| pick(c).iter())
            .find(|c| c.id.value == id)
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    }
    fn category(&self, id: &str) -> String {
        self.find(|c| &c.categories, id)
    }
    fn level(&self, id: &str) -> String {
        self.find(|c| &c.levels, id)
    }
    fn kind(&self, id: &str) -> String {
        self.find(|c| &c.kinds, id)
    }
    fn indicator(&self, id: &str) -> Option<(String, Unit)> {
        self.lists
            .iter()
            .find_map(|c| c.indicator(id))
            .map(|d| (d.name.clone(), d.unit))
    }
    fn agency(&self, code: &str) -> String {
        self.agencies
            .get(code)
            .map_or_else(|| code.to_string(), |n| n.to_string())
    }
    /// Ids of a code list, over both sides, in catalog order.
    fn ids(&self, pick: fn(&Catalog) -> &Vec<CodeName>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.lists.iter().rev() {
            for e in pick(c) {
                if !out.contains(&e.id.value) {
                    out.push(e.id.value.clone());
                }
            }
        }
        out
    }
}

fn status_label(s: Status, lang: Lang) -> String {
    s.label(lang).to_string()
}

fn submission_label(s: Submission, lang: Lang) -> String {
    match (s, lang) {
        (Submission::OnTime, Lang::Vi) => "gửi đúng hạn",
        (Submission::Late, Lang::Vi) => "gửi trễ hạn",
        (Submission::Draft, Lang::Vi) => "bản nháp",
        (Submission::Missing, Lang::Vi) => "chưa gửi",
        (Submission::OnTime, Lang::En) => "on time",
        (Submission::Late, Lang::En) => "late",
        (Submission::Draft, Lang::En) => "draft",
        (Submission::Missing, Lang::En) => "missing",
    }
    .to_string()
}

/// Amounts of a split, by id, summed (an id may be written twice).
fn split_map(split: &crate::model::Split) -> BTreeMap<&str, Amount> {
    consolidate::split_by_code(split).into_iter().collect()
}

/// Fields of a split (`levels` or `kinds`), one per id on either side.
fn split_fields(
    what: &str,
    before: Option<&crate::model::Split>,
    after: Option<&crate::model::Split>,
    label: impl Fn(&str) -> String,
) -> Vec<Field> {
    let b = before.map(split_map).unwrap_or_default();
    let a = after.map(split_map).unwrap_or_default();
    let mut ids: Vec<&str> = b.keys().chain(a.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            Field::new(format!("{what}.{id}"), label(id)).money(
                before.map(|_| b.get(id).copied().unwrap_or_default()),
                after.map(|_| a.get(id).copied().unwrap_or_default()),
            )
        })
        .collect()
}

/// Keeps the fields that changed, or those with a value when the whole item
/// was added or removed.
fn keep(change: ChangeKind, fields: Vec<Field>) -> Vec<Field> {
    fields
        .into_iter()
        .filter(|f| match change {
            ChangeKind::Changed => f.changed(),
            _ => f
                .before
                .as_ref()
                .or(f.after.as_ref())
                .is_some_and(|v| v.decimal().is_none_or(|d| !d.is_zero())),
        })
        .collect()
}

/// Pairs the items of two versions of a plan by id: the after version's
/// order first, then items only the before version has.
fn pair_by_id<'p, T>(
    before: Option<&'p Plan>,
    after: Option<&'p Plan>,
    items: fn(&'p Plan) -> &'p Vec<T>,
    id: fn(&T) -> &String,
) -> Vec<(&'p str, Option<&'p T>, Option<&'p T>)> {
    let list = |p: Option<&'p Plan>| -> &'p [T] { p.map_or(&[], |p| items(p).as_slice()) };
    let (b, a) = (list(before), list(after));
    let mut ids: Vec<&String> = a.iter().map(id).collect();
    for x in b {
        if !ids.contains(&id(x)) {
            ids.push(id(x));
        }
    }
    ids.into_iter()
        .map(|i| {
            (
                i.as_str(),
                b.iter().find(|x| id(x) == i),
                a.iter().find(|x| id(x) == i),
            )
        })
        .collect()
}

fn project_items<'p>(
    before: Option<&'p Plan>,
    after: Option<&'p Plan>,
    n: &Names<'_>,
) -> Vec<Item> {
    let lang = n.lang;
    let mut out = Vec::new();
    for (id, pb, pa) in pair_by_id(before, after, |p| &p.projects, |p| &p.id.value) {
        let Some((change, pb, pa)) = ChangeKind::of(pb, pa) else {
            continue;
        };
        let cost =
            |f: fn(&crate::model::Cost) -> Amount| (pb.map(|p| f(&p.cost)), pa.map(|p| f(&p.cost)));
        let (tb, ta) = cost(|c| c.total.value);
        let (sb, sa) = cost(|c| c.spent.value);
        let (plb, pla) = cost(|c| c.planned.value);
        let mut fields = vec![
            Field::new("cost.total", tr!(lang, "Tổng kinh phí", "Total cost")).money(tb, ta),
            Field::new("cost.spent", tr!(lang, "Đã thực hiện", "Spent")).money(sb, sa),
            Field::new(
                "cost.planned",
                tr!(lang, "Cần thực hiện trong năm", "Planned this year"),
            )
            .money(plb, pla),
        ];
        fields.extend(split_fields(
            "levels",
            pb.map(|p| &p.levels.value),
            pa.map(|p| &p.levels.value),
            |id| n.level(id),
        ));
        fields.extend(split_fields(
            "kinds",
            pb.map(|p| &p.kinds.value),
            pa.map(|p| &p.kinds.value),
            |id| n.kind(id),
        ));
        if change == ChangeKind::Changed {
            fields.push(
                Field::new("priority", tr!(lang, "Thứ tự ưu tiên", "Priority")).num(
                    pb.map(|p| Decimal::from(p.priority.value)),
                    pa.map(|p| Decimal::from(p.priority.value)),
                ),
            );
            fields.push(
                Field::new("category", tr!(lang, "Hạng mục", "Category")).text(
                    pb.map(|p| n.category(&p.category.value)),
                    pa.map(|p| n.category(&p.category.value)),
                ),
            );
            let period = |p: &crate::model::Project| {
                crate::model::period_text(p.period.from.value, p.period.to.value)
            };
            fields.push(
                Field::new("period", tr!(lang, "Thời gian thực hiện", "Period"))
                    .text(pb.map(period), pa.map(period)),
            );
        }
        let fields = keep(change, fields);
        if change == ChangeKind::Changed && fields.is_empty() {
            continue;
        }
        let name = pa.or(pb).map(|p| p.name.clone()).unwrap_or_default();
        out.push(Item {
            id: id.to_string(),
            name,
            change,
            fields,
        });
    }
    out
}

fn spending_items<'p>(
    before: Option<&'p Plan>,
    after: Option<&'p Plan>,
    n: &Names<'_>,
) -> Vec<Item> {
    let lang = n.lang;
    // Rows have no id: a row is its category and task, and the how-manieth
    // row with that pair.
    type Keyed<'p> = Vec<((String, String, usize), &'p crate::model::SpendingRow)>;
    let keyed = |p: Option<&'p Plan>| -> Keyed<'p> {
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        let mut out = Vec::new();
        for r in p.map(|p| p.spending.as_slice()).unwrap_or_default() {
            let k = (r.category.value.clone(), r.task.clone());
            let i = seen.entry(k.clone()).or_insert(0);
            *i += 1;
            out.push(((k.0, k.1, *i), r));
        }
        out
    };
    let (b, a) = (keyed(before), keyed(after));
    let mut keys: Vec<&(String, String, usize)> = a.iter().map(|(k, _)| k).collect();
    for (k, _) in &b {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut out = Vec::new();
    for key in keys {
        let rb = b.iter().find(|(k, _)| k == key).map(|(_, r)| *r);
        let ra = a.iter().find(|(k, _)| k == key).map(|(_, r)| *r);
        let Some((change, rb, ra)) = ChangeKind::of(rb, ra) else {
            continue;
        };
        let mut fields = vec![
            Field::new("total", tr!(lang, "Tổng kinh phí", "Total"))
                .money(rb.map(|r| r.total.value), ra.map(|r| r.total.value)),
        ];
        fields.extend(split_fields(
            "levels",
            rb.map(|r| &r.levels.value),
            ra.map(|r| &r.levels.value),
            |id| n.level(id),
        ));
        fields.extend(split_fields(
            "kinds",
            rb.map(|r| &r.kinds.value),
            ra.map(|r| &r.kinds.value),
            |id| n.kind(id),
        ));
        let fields = keep(change, fields);
        if change == ChangeKind::Changed && fields.is_empty() {
            continue;
        }
        out.push(Item {
            id: key.0.clone(),
            name: format!("{} — {}", n.category(&key.0), key.1),
            change,
            fields,
        });
    }
    out
}

fn indicator_items<'p>(
    before: Option<&'p Plan>,
    after: Option<&'p Plan>,
    n: &Names<'_>,
) -> Vec<Item> {
    let lang = n.lang;
    let mut out = Vec::new();
    for (id, ib, ia) in pair_by_id(before, after, |p| &p.indicators, |i| &i.id.value) {
        let Some((change, ib, ia)) = ChangeKind::of(ib, ia) else {
            continue;
        };
        let num =
            |i: Option<&crate::model::IndicatorValue>,
             f: fn(&crate::model::IndicatorValue) -> Option<Decimal>| i.and_then(f);
        let mut fields = vec![
            Field::new(
                "target",
                tr!(lang, "Chỉ tiêu năm trước", "Prior-year target"),
            )
            .num(
                num(ib, |i| i.target.as_ref().map(|v| v.value)),
                num(ia, |i| i.target.as_ref().map(|v| v.value)),
            ),
            Field::new("actual", tr!(lang, "Ước thực hiện", "Estimate")).num(
                num(ib, |i| i.actual.as_ref().map(|v| v.value)),
                num(ia, |i| i.actual.as_ref().map(|v| v.value)),
            ),
            Field::new("goal", tr!(lang, "Mục tiêu năm", "Goal")).num(
                num(ib, |i| i.goal.as_ref().map(|v| v.value)),
                num(ia, |i| i.goal.as_ref().map(|v| v.value)),
            ),
            Field::new("value", tr!(lang, "Mô tả", "Description")).text(
                ib.and_then(|i| i.value.clone()),
                ia.and_then(|i| i.value.clone()),
            ),
        ];
        // An indicator value is not an amount: absent is not zero.
        fields.retain(|f| match change {
            ChangeKind::Changed => f.before != f.after,
            _ => f.before.is_some() || f.after.is_some(),
        });
        if change == ChangeKind::Changed && fields.is_empty() {
            continue;
        }
        let name = n
            .indicator(id)
            .map(|(name, _)| name)
            .or_else(|| ia.or(ib).and_then(|i| i.name.clone()))
            .unwrap_or_else(|| id.to_string());
        out.push(Item {
            id: id.to_string(),
            name,
            change,
            fields,
        });
    }
    out
}

/// One side of a cycle: the cycle, its consolidation (when it has one), and
/// the site.
struct Side<'s> {
    site: &'s Site,
    cycle: Option<&'s Cycle>,
    report: Option<CycleReport<'s>>,
}

impl<'s> Side<'s> {
    fn new(site: &'s Site, year: i32, drafts: bool) -> Side<'s> {
        let cycle = site.cycles.iter().find(|c| c.year == year);
        let report = cycle.and_then(|c| consolidate::cycle(site, c, drafts));
        Side {
            site,
            cycle,
            report,
        }
    }
    fn plan(&self, code: &str) -> Option<&'s Plan> {
        self.cycle?.plans.iter().find(|p| p.agency.value == code)
    }
    fn submission(&self, code: &str) -> Option<Submission> {
        self.report
            .as_ref()?
            .entries
            .iter()
            .find(|e| e.agency.code.value == code)
            .map(|e| e.submission)
    }
    /// Agency codes in the consolidated order, then plans of agencies the
    /// registry does not know.
    fn codes(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .report
            .iter()
            .flat_map(|r| r.entries.iter().map(|e| e.agency.code.value.clone()))
            .collect();
        for p in self.cycle.iter().flat_map(|c| c.plans.iter()) {
            if !out.contains(&p.agency.value) {
                out.push(p.agency.value.clone());
            }
        }
        out
    }
    fn plan_totals(&self, plan: &Plan) -> Totals {
        let empty = Catalog::default();
        consolidate::plan_totals(self.site.catalog.as_ref().unwrap_or(&empty), plan)
    }
}

fn agency_diff(code: &str, b: &Side<'_>, a: &Side<'_>, n: &Names<'_>) -> Option<AgencyDiff> {
    let lang = n.lang;
    let (pb, pa) = (b.plan(code), a.plan(code));
    let (sb, sa) = (b.submission(code), a.submission(code));
    let (tb, ta) = (pb.map(|p| b.plan_totals(p)), pa.map(|p| a.plan_totals(p)));
    let mut fields = vec![
        Field::new("status", tr!(lang, "Trạng thái", "Status")).text(
            pb.map(|p| status_label(p.status.value, lang)),
            pa.map(|p| status_label(p.status.value, lang)),
        ),
        Field::new("submission", tr!(lang, "Tình hình gửi", "Submission")).text(
            sb.map(|s| submission_label(s, lang)),
            sa.map(|s| submission_label(s, lang)),
        ),
        Field::new("submitted", tr!(lang, "Ngày gửi", "Submitted on")).text(
            pb.and_then(|p| p.submitted.as_ref()).map(|d| date(d.value)),
            pa.and_then(|p| p.submitted.as_ref()).map(|d| date(d.value)),
        ),
    ];
    fields.retain(|f| f.before != f.after && (f.before.is_some() || f.after.is_some()));
    let projects = project_items(pb, pa, n);
    let spending = spending_items(pb, pa, n);
    let indicators = indicator_items(pb, pa, n);
    let planned = Field::new("planned", tr!(lang, "Kinh phí kế hoạch", "Planned")).money(
        tb.as_ref().map(|t| t.planned),
        ta.as_ref().map(|t| t.planned),
    );
    let spent = Field::new(
        "spending",
        tr!(
            lang,
            "Kinh phí năm trước (II.2)",
            "Prior-year spending (II.2)"
        ),
    )
    .money(
        tb.as_ref().map(|t| t.spending),
        ta.as_ref().map(|t| t.spending),
    );
    let any = !fields.is_empty()
        || !projects.is_empty()
        || !spending.is_empty()
        || !indicators.is_empty()
        || planned.changed()
        || spent.changed();
    if !any {
        return None;
    }
    fields.push(planned);
    fields.push(spent);
    let change = match (pb, pa) {
        (None, Some(_)) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
        _ => ChangeKind::Changed,
    };
    Some(AgencyDiff {
        code: code.to_string(),
        name: n.agency(code),
        change,
        fields,
        projects,
        spending,
        indicators,
    })
}

fn totals_fields(b: &Side<'_>, a: &Side<'_>, n: &Names<'_>) -> Vec<Field> {
    let lang = n.lang;
    let zero = Totals::default();
    let tb = b.report.as_ref().map_or(&zero, |r| &r.totals);
    let ta = a.report.as_ref().map_or(&zero, |r| &r.totals);
    let m = |key: &str, label: String, f: fn(&Totals) -> Amount| {
        Field::new(key, label).money(Some(f(tb)), Some(f(ta)))
    };
    let mut out = vec![
        m(
            "planned",
            tr!(lang, "Kinh phí kế hoạch", "Planned"),
            |t| t.planned,
        ),
        m(
            "total",
            tr!(
                lang,
                "Tổng kinh phí các dự án",
                "Total cost of the projects"
            ),
            |t| t.total,
        ),
        m(
            "spent",
            tr!(
                lang,
                "Đã thực hiện (các năm trước)",
                "Spent (earlier years)"
            ),
            |t| t.spent,
        ),
        m(
            "spending",
            tr!(
                lang,
                "Kinh phí năm trước (II.2)",
                "Prior-year spending (II.2)"
            ),
            |t| t.spending,
        ),
    ];
    // One row per code of each list, for this year's plan and last year's
    // spending.
    let planned = tr!(lang, "Kế hoạch — ", "Planned — ");
    let prior = tr!(lang, "Năm trước — ", "Prior year — ");
    type Of = fn(&Totals) -> &consolidate::ByCode;
    let lists: [(&str, &String, Vec<String>, Of); 6] = [
        ("by_category", &planned, n.ids(|c| &c.categories), |t| {
            &t.by_category
        }),
        ("by_level", &planned, n.ids(|c| &c.levels), |t| &t.by_level),
        ("by_kind", &planned, n.ids(|c| &c.kinds), |t| &t.by_kind),
        (
            "spending_by_category",
            &prior,
            n.ids(|c| &c.categories),
            |t| &t.spending_by_category,
        ),
        ("spending_by_level", &prior, n.ids(|c| &c.levels), |t| {
            &t.spending_by_level
        }),
        ("spending_by_kind", &prior, n.ids(|c| &c.kinds), |t| {
            &t.spending_by_kind
        }),
    ];
    for (key, prefix, ids, of) in lists {
        for id in ids {
            let name = match key {
                "by_category" | "spending_by_category" => n.category(&id),
                "by_level" | "spending_by_level" => n.level(&id),
                _ => n.kind(&id),
            };
            out.push(
                Field::new(format!("{key}.{id}"), format!("{prefix}{name}"))
                    .money(Some(of(tb).get(&id)), Some(of(ta).get(&id))),
            );
        }
    }
    let count = |r: &Option<CycleReport<'_>>, s: Submission| {
        Decimal::from(r.as_ref().map_or(0, |r| r.count(s)))
    };
    for (s, label) in [
        (
            Submission::OnTime,
            tr!(lang, "Số đơn vị gửi đúng hạn", "Agencies on time"),
        ),
        (
            Submission::Late,
            tr!(lang, "Số đơn vị gửi trễ hạn", "Agencies late"),
        ),
        (Submission::Draft, tr!(lang, "Số bản nháp", "Drafts")),
        (
            Submission::Missing,
            tr!(lang, "Số đơn vị chưa gửi", "Agencies missing"),
        ),
    ] {
        out.push(
            Field::new(format!("agencies.{}", s.id()), label)
                .num(Some(count(&b.report, s)), Some(count(&a.report, s))),
        );
    }
    let projects = |r: &Option<CycleReport<'_>>| {
        Decimal::from(r.as_ref().map_or(0, |r| {
            r.plans().map(|(_, p)| p.projects.len()).sum::<usize>()
        }))
    };
    out.push(
        Field::new("projects", tr!(lang, "Số dự án, nhiệm vụ", "Projects"))
            .num(Some(projects(&b.report)), Some(projects(&a.report))),
    );
    out
}

/// Compares two versions of a site. `drafts` counts draft plans in the
/// totals, as `build --drafts` does; agency changes cover every filed plan.
pub(crate) fn compare(before: &Site, after: &Site, drafts: bool, lang: Lang) -> Vec<CycleDiff> {
    let names = Names::new(before, after, lang);
    let mut years: Vec<i32> = before
        .cycles
        .iter()
        .chain(&after.cycles)
        .map(|c| c.year)
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut out = Vec::new();
    for year in years {
        let b = Side::new(before, year, drafts);
        let a = Side::new(after, year, drafts);
        let Some((change, _, _)) = ChangeKind::of(b.cycle, a.cycle) else {
            continue;
        };
        let mut codes = a.codes();
        for c in b.codes() {
            if !codes.contains(&c) {
                codes.push(c);
            }
        }
        let agencies: Vec<AgencyDiff> = codes
            .iter()
            .filter_map(|c| agency_diff(c, &b, &a, &names))
            .collect();
        let diff = CycleDiff {
            year,
            change,
            agencies,
            totals: totals_fields(&b, &a, &names),
        };
        if diff.change != ChangeKind::Changed || !diff.agencies.is_empty() || diff.totals_changed()
        {
            out.push(diff);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::load;
    use chrono::NaiveDate;
    use std::path::Path;

    fn demo() -> Site {
        load::load(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .site
    }

    #[test]
    fn a_site_against_itself_has_no_change() {
        let s = demo();
        assert!(compare(&s, &s, false, Lang::Vi).is_empty());
    }

    #[test]
    fn a_changed_cost_moves_the_project_the_agency_and_the_totals() {
        let before = demo();
        let mut after = before.clone();
        let plan = after.cycles[0]
            .plans
            .iter_mut()
            .find(|p| p.agency.value == "so-tttt")
            .unwrap();
        let p = &mut plan.projects[0];
        let add: Amount = "100.5".parse().unwrap();
        p.cost.planned.value = p.cost.planned.value + add;
        p.cost.total.value = p.cost.total.value + add;
        let l = &mut p.levels.value[0].1.value;
        *l = *l + add;
        let k = &mut p.kinds.value[0].1.value;
        *k = *k + add;
        let d = compare(&before, &after, false, Lang::En);
        assert_eq!(d.len(), 1);
        let ag = &d[0].agencies;
        assert_eq!(ag.len(), 1);
        assert_eq!(ag[0].code, "so-tttt");
        let keys: Vec<&str> = ag[0].projects[0]
            .fields
            .iter()
            .map(|f| f.key.as_str())
            .collect();
        assert!(
            keys.contains(&"cost.planned") && keys.contains(&"cost.total"),
            "{keys:?}"
        );
        let planned = d[0].totals.iter().find(|f| f.key == "planned").unwrap();
        assert_eq!(planned.num_delta(), Some(Decimal::new(1005, 1)));
        // Unchanged totals are listed too, with a zero change.
        assert!(
            d[0].totals
                .iter()
                .any(|f| f.key == "spending" && !f.changed())
        );
    }

    #[test]
    fn a_draft_submitted_moves_the_totals_and_its_rows_are_compared() {
        let before = demo();
        let mut after = before.clone();
        let plan = after.cycles[0]
            .plans
            .iter_mut()
            .find(|p| p.agency.value == "hoi-lhpn")
            .unwrap();
        assert_eq!(plan.status.value, Status::Draft);
        plan.status.value = Status::Submitted;
        plan.submitted = Some(crate::model::Spanned {
            value: NaiveDate::from_ymd_opt(2018, 7, 30).unwrap(),
            pos: crate::diag::Pos::START,
        });
        let row = &mut plan.spending[0];
        let ten: Amount = "10".parse().unwrap();
        row.total.value = row.total.value + ten;
        row.levels.value[0].1.value = row.levels.value[0].1.value + ten;
        row.kinds.value[0].1.value = row.kinds.value[0].1.value + ten;
        let planned = consolidate::planned(plan);
        let d = compare(&before, &after, false, Lang::Vi);
        let ag = &d[0].agencies[0];
        assert_eq!(ag.code, "hoi-lhpn");
        let f = |k: &str| ag.fields.iter().find(|f| f.key == k).unwrap();
        assert_eq!(f("status").before, Some(Val::Text("bản nháp".into())));
        assert_eq!(f("status").after, Some(Val::Text("đã gửi".into())));
        assert_eq!(
            f("submission").after,
            Some(Val::Text("gửi đúng hạn".into()))
        );
        assert_eq!(f("spending").num_delta(), Some(Decimal::from(10)));
        // The plan's own planned total did not move...
        assert!(!f("planned").changed());
        let row = &ag.spending[0];
        assert_eq!(row.change, ChangeKind::Changed);
        assert_eq!(row.fields[0].key, "total");
        assert_eq!(row.fields[0].num_delta(), Some(Decimal::from(10)));
        // ...but the published totals did: the draft now counts.
        let t = |k: &str| d[0].totals.iter().find(|f| f.key == k).unwrap().num_delta();
        assert_eq!(t("planned"), Some(planned.0));
        assert_eq!(t("agencies.draft"), Some(Decimal::from(-1)));
        assert_eq!(t("agencies.on-time"), Some(Decimal::from(1)));
        // With drafts counted all along, only the II.2 row moves the totals.
        let d = compare(&before, &after, true, Lang::Vi);
        let t = |k: &str| d[0].totals.iter().find(|f| f.key == k).unwrap().num_delta();
        assert_eq!(t("planned"), Some(Decimal::ZERO));
        assert_eq!(t("spending"), Some(Decimal::from(10)));
    }

    #[test]
    fn fields_treat_absent_amounts_as_zero() {
        let f = Field::new("x", "x").money(None, Some("5".parse().unwrap()));
        assert_eq!(f.num_delta(), Some(Decimal::from(5)));
        let t = Field::new("s", "s").text(Some("a".into()), Some("a".into()));
        assert!(!t.changed());
    }
}
