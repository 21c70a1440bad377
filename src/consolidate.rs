//! Consolidation: every total and status the outputs show, computed once,
//! exactly, in `Decimal`. Pages, CSV, JSON and XLSX read from here and never
//! add up anything themselves.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::diag::Lang;
use crate::model::{
    Agency, Amount, Catalog, Cycle, CycleMeta, Plan, Project, Site, SpendingRow, Split, Standing,
    Status, Unit,
};

/// Where an expected agency stands in a cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Submission {
    OnTime,
    Late,
    Draft,
    Missing,
}

impl Submission {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Submission::OnTime => "on-time",
            Submission::Late => "late",
            Submission::Draft => "draft",
            Submission::Missing => "missing",
        }
    }

    /// Where the agency stands, as the department says it: the one table
    /// of these words (`status` adds its own state for plans with errors).
    pub(crate) fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Submission::OnTime, Lang::Vi) => "đúng hạn",
            (Submission::Late, Lang::Vi) => "trễ hạn",
            (Submission::Draft, Lang::Vi) => "bản nháp",
            (Submission::Missing, Lang::Vi) => "chưa gửi",
            (Submission::OnTime, Lang::En) => "on time",
            (Submission::Late, Lang::En) => "late",
            (Submission::Draft, Lang::En) => "draft",
            (Submission::Missing, Lang::En) => "missing",
        }
    }
}

/// Amounts keyed by code-list id, in the catalog's order.
#[derive(Clone, Debug, Default)]
pub(crate) struct ByCode(pub(crate) Vec<(String, Amount)>);

impl ByCode {
    fn zeros<'a>(ids: impl Iterator<Item = &'a str>) -> ByCode {
        ByCode(ids.map(|id| (id.to_string(), Amount::ZERO)).collect())
    }
    fn add(&mut self, id: &str, a: Amount) {
        match self.0.iter_mut().find(|(k, _)| k == id) {
            Some((_, v)) => *v = *v + a,
            None => self.0.push((id.to_string(), a)),
        }
    }
    fn add_split(&mut self, split: &Split) {
        for (id, a) in split {
            self.add(&id.value, a.value);
        }
    }
    pub(crate) fn get(&self, id: &str) -> Amount {
        self.0
            .iter()
            .find(|(k, _)| k == id)
            .map_or(Amount::ZERO, |(_, v)| *v)
    }
}

/// What a split gives `code`, or `None` when no line names it: tables show
/// a blank there, not a zero. A code written on two lines gets both.
pub(crate) fn split_share(split: &Split, code: &str) -> Option<Amount> {
    let mut found = None;
    for (k, a) in split {
        if k.value == code {
            found = Some(found.unwrap_or(Amount::ZERO) + a.value);
        }
    }
    found
}

/// What a split gives `code`, zero when no line names it.
pub(crate) fn split_amount(split: &Split, code: &str) -> Amount {
    split_share(split, code).unwrap_or(Amount::ZERO)
}

/// A split's amounts, each code once, in the order the codes are first
/// written: a code written on two lines gets both.
pub(crate) fn split_by_code(split: &Split) -> Vec<(&str, Amount)> {
    let mut out: Vec<(&str, Amount)> = Vec::new();
    for (k, a) in split {
        match out.iter_mut().find(|(id, _)| *id == k.value) {
            Some((_, v)) => *v = *v + a.value,
            None => out.push((k.value.as_str(), a.value)),
        }
    }
    out
}

/// Sums of a set of plans.
#[derive(Clone, Debug, Default)]
pub(crate) struct Totals {
    /// Σ cost.planned of the projects: this year's plan.
    pub(crate) planned: Amount,
    pub(crate) spent: Amount,
    pub(crate) total: Amount,
    /// Σ of II.2 totals: last year's spending.
    pub(crate) spending: Amount,
    pub(crate) by_category: ByCode,
    pub(crate) by_level: ByCode,
    pub(crate) by_kind: ByCode,
    pub(crate) spending_by_category: ByCode,
    pub(crate) spending_by_level: ByCode,
    pub(crate) spending_by_kind: ByCode,
    /// The same sums for each category alone, in catalog order: the
    /// subtotal rows of the II.2 and VI tables.
    pub(crate) per_category: Vec<(String, Totals)>,
}

impl Totals {
    fn new(catalog: &Catalog) -> Totals {
        fn ids(l: &[crate::model::CodeName]) -> Vec<&str> {
            l.iter().map(|c| c.id.value.as_str()).collect()
        }
        let (c, l, k) = (
            ids(&catalog.categories),
            ids(&catalog.levels),
            ids(&catalog.kinds),
        );
        let one = |id: &str| Totals {
            by_category: ByCode::zeros(std::iter::once(id)),
            by_level: ByCode::zeros(l.iter().copied()),
            by_kind: ByCode::zeros(k.iter().copied()),
            spending_by_category: ByCode::zeros(std::iter::once(id)),
            spending_by_level: ByCode::zeros(l.iter().copied()),
            spending_by_kind: ByCode::zeros(k.iter().copied()),
            ..Totals::default()
        };
        Totals {
            per_category: c.iter().map(|id| (id.to_string(), one(id))).collect(),
            by_category: ByCode::zeros(c.iter().copied()),
            by_level: ByCode::zeros(l.iter().copied()),
            by_kind: ByCode::zeros(k.iter().copied()),
            spending_by_category: ByCode::zeros(c.iter().copied()),
            spending_by_level: ByCode::zeros(l.iter().copied()),
            spending_by_kind: ByCode::zeros(k.iter().copied()),
            ..Totals::default()
        }
    }

    fn add_project(&mut self, p: &Project) {
        self.planned = self.planned + p.cost.planned.value;
        self.spent = self.spent + p.cost.spent.value;
        self.total = self.total + p.cost.total.value;
        self.by_category
            .add(&p.category.value, p.cost.planned.value);
        self.by_level.add_split(&p.levels.value);
        self.by_kind.add_split(&p.kinds.value);
    }

    fn add_spending(&mut self, r: &SpendingRow) {
        self.spending = self.spending + r.total.value;
        self.spending_by_category
            .add(&r.category.value, r.total.value);
        self.spending_by_level.add_split(&r.levels.value);
        self.spending_by_kind.add_split(&r.kinds.value);
    }

    /// The subtotals of one category (zeros when it has nothing).
    pub(crate) fn category(&self, id: &str) -> Option<&Totals> {
        self.per_category
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, t)| t)
    }

    fn category_mut(&mut self, id: &str) -> Option<&mut Totals> {
        self.per_category
            .iter_mut()
            .find(|(k, _)| k == id)
            .map(|(_, t)| t)
    }

    fn add_plan(&mut self, plan: &Plan) {
        for p in &plan.projects {
            self.add_project(p);
            if let Some(c) = self.category_mut(&p.category.value) {
                c.add_project(p);
            }
        }
        for r in &plan.spending {
            self.add_spending(r);
            if let Some(c) = self.category_mut(&r.category.value) {
                c.add_spending(r);
            }
        }
    }
}

/// The sums of one plan on its own, draft or not: what `diff` and the
/// page history compare.
pub(crate) fn plan_totals(catalog: &Catalog, plan: &Plan) -> Totals {
    let mut t = Totals::new(catalog);
    t.add_plan(plan);
    t
}

/// The sums of a chosen set of projects and II.2 rows: one page of a long
/// list split over several pages (its "Cộng trang" row). Lives here because
/// this module is the only one that adds amounts.
pub(crate) fn part_totals<'p>(
    catalog: &Catalog,
    projects: impl IntoIterator<Item = &'p Project>,
    spending: impl IntoIterator<Item = &'p SpendingRow>,
) -> Totals {
    let mut t = Totals::new(catalog);
    for p in projects {
        t.add_project(p);
        if let Some(c) = t.category_mut(&p.category.value) {
            c.add_project(p);
        }
    }
    for r in spending {
        t.add_spending(r);
        if let Some(c) = t.category_mut(&r.category.value) {
            c.add_spending(r);
        }
    }
    t
}

/// The sums of the plans of some entries (an agency group of the
/// submission table, or one page of it): absent plans count for nothing.
pub(crate) fn entries_totals<'e, 's: 'e>(
    catalog: &Catalog,
    entries: impl IntoIterator<Item = &'e Entry<'s>>,
) -> Totals {
    let mut t = Totals::new(catalog);
    for e in entries {
        if let Some(p) = e.plan {
            t.add_plan(p);
        }
    }
    t
}

/// The planned total of one plan (Σ `cost.planned` of its projects), without
/// a catalog: for plans read from old revisions.
pub(crate) fn planned(plan: &Plan) -> Amount {
    plan.projects.iter().map(|p| p.cost.planned.value).sum()
}

/// The plan of cycle `year` that reports on what `code` planned the cycle
/// before: `code`'s own, or its successor's when `code` ended. Drafts do
/// not count: their figures are not yet reported.
fn reporting_plan<'s>(site: &'s Site, code: &str, year: i32) -> Option<&'s Plan> {
    let reporter = match site.standing(code, year) {
        Standing::Present(a) => a,
        Standing::Ended {
            successor: Some(s), ..
        } => s,
        _ => return None,
    };
    site.cycles
        .iter()
        .find(|c| c.year == year)?
        .plans
        .iter()
        .find(|p| p.agency.value == reporter.code.value && p.status.value != Status::Draft)
}

/// How a task is written, for matching a II.2 row to the project it
/// reports on: case, spacing and Unicode form ignored.
fn task_key(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect::<String>()
        .to_lowercase()
}

/// What the next cycle's plan reported as spent (its II.2) on `project`,
/// which `code` planned in cycle `year`: the rows of the same category
/// whose task is the project's name, as `new plan` prefills them. `None`
/// when there is no such plan or no such row.
pub(crate) fn reported_spending(
    site: &Site,
    code: &str,
    year: i32,
    project: &Project,
) -> Option<Amount> {
    let next = reporting_plan(site, code, year + 1)?;
    let key = task_key(&project.name);
    let rows: Vec<&SpendingRow> = next
        .spending
        .iter()
        .filter(|r| r.category.value == project.category.value && task_key(&r.task) == key)
        .collect();
    (!rows.is_empty()).then(|| rows.iter().map(|r| r.total.value).sum())
}

/// One expected (or submitting) agency in a cycle.
#[derive(Clone, Debug)]
pub(crate) struct Entry<'s> {
    pub(crate) agency: &'s Agency,
    /// The agency's name in this cycle (before a rename, the old one).
    pub(crate) name: &'s str,
    pub(crate) submission: Submission,
    /// The plan, when it is published in this build.
    pub(crate) plan: Option<&'s Plan>,
    /// The plan the agency filed, published or not: a draft left out of the
    /// build still has a status worth showing.
    pub(crate) filed: Option<&'s Plan>,
    pub(crate) totals: Totals,
}

/// One indicator across the province.
#[derive(Clone, Debug)]
pub(crate) struct IndicatorSummary {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) unit: Unit,
    /// How many published plans report it.
    pub(crate) reporters: usize,
    /// Mean for percentages, sum for counts; `None` when nobody gave one.
    pub(crate) target: Option<Decimal>,
    pub(crate) actual: Option<Decimal>,
    pub(crate) goal: Option<Decimal>,
    /// Text values with the agency that wrote them.
    pub(crate) texts: Vec<(String, String)>,
}

/// A consolidated cycle.
#[derive(Clone, Debug)]
pub(crate) struct CycleReport<'s> {
    pub(crate) year: i32,
    pub(crate) meta: &'s CycleMeta,
    /// Expected agencies first by group and name, then any unexpected
    /// agency that submitted anyway.
    pub(crate) entries: Vec<Entry<'s>>,
    pub(crate) totals: Totals,
    pub(crate) indicators: Vec<IndicatorSummary>,
    /// The long lists' rows by category, made on first use: every page of a
    /// split list reads its part from here instead of walking every plan
    /// (at 60,000 projects, 800 list pages each walking them all took a
    /// quarter of the build).
    lists: std::sync::OnceLock<Lists<'s>>,
    /// Where each agency's entry is, by code, made on first use: a page per
    /// agency each scanning 10,000 entries was quadratic.
    by_code: std::sync::OnceLock<std::collections::HashMap<&'s str, usize>>,
}

/// Rows of one category, in document order.
type ByCategory<'s, T> = std::collections::HashMap<&'s str, Vec<(&'s Agency, &'s T)>>;

/// The annex's projects and II.2's rows by category.
#[derive(Clone, Debug, Default)]
struct Lists<'s> {
    projects: ByCategory<'s, Project>,
    spending: ByCategory<'s, SpendingRow>,
}

impl<'s> CycleReport<'s> {
    /// The entry of the agency `code`, if it is in this cycle.
    pub(crate) fn entry(&self, code: &str) -> Option<&Entry<'s>> {
        let index = self.by_code.get_or_init(|| {
            let mut index = std::collections::HashMap::with_capacity(self.entries.len());
            for (i, e) in self.entries.iter().enumerate() {
                // The first entry of a code wins, as a scan would find it.
                index.entry(e.agency.code.value.as_str()).or_insert(i);
            }
            index
        });
        index.get(code).and_then(|&i| self.entries.get(i))
    }

    fn lists(&self) -> &Lists<'s> {
        self.lists.get_or_init(|| {
            let mut lists = Lists::default();
            for e in &self.entries {
                let Some(p) = e.plan else { continue };
                let mut ps: Vec<&'s Project> = p.projects.iter().collect();
                ps.sort_by_key(|p| p.priority.value);
                for pr in ps {
                    let cat = pr.category.value.as_str();
                    lists.projects.entry(cat).or_default().push((e.agency, pr));
                }
                for s in &p.spending {
                    let cat = s.category.value.as_str();
                    lists.spending.entry(cat).or_default().push((e.agency, s));
                }
            }
            lists
        })
    }

    /// The projects of one category in annex order: agencies in entry
    /// order, each agency's by priority. The numbering of the annex (TT),
    /// the workbook's and the .docx's follow the same order.
    pub(crate) fn category_projects(&self, cat: &str) -> &[(&'s Agency, &'s Project)] {
        self.lists().projects.get(cat).map_or(&[], Vec::as_slice)
    }

    /// The II.2 rows of one category, agencies in entry order.
    pub(crate) fn category_spending(&self, cat: &str) -> &[(&'s Agency, &'s SpendingRow)] {
        self.lists().spending.get(cat).map_or(&[], Vec::as_slice)
    }
}

impl CycleReport<'_> {
    /// Published plans in entry order.
    pub(crate) fn plans(&self) -> impl Iterator<Item = (&Agency, &Plan)> {
        self.entries
            .iter()
            .filter_map(|e| Some((e.agency, e.plan?)))
    }
    pub(crate) fn count(&self, s: Submission) -> usize {
        self.entries.iter().filter(|e| e.submission == s).count()
    }
}

pub(crate) fn submission(plan: &Plan, deadline: NaiveDate) -> Submission {
    match (plan.status.value, &plan.submitted) {
        (Status::Draft, _) | (_, None) => Submission::Draft,
        (_, Some(d)) if d.value > deadline => Submission::Late,
        _ => Submission::OnTime,
    }
}

fn mean(values: &[Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    let sum = checked_sum(values)?;
    Some((sum / Decimal::from(values.len())).round_dp(1).normalize())
}

/// Figures are bounded when read (`money::LIMIT`), so this never overflows
/// for a checked site; `Decimal`'s own `sum` would panic if it did.
fn checked_sum(values: &[Decimal]) -> Option<Decimal> {
    values
        .iter()
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v))
}

/// Consolidates one cycle of a site that passed validation. `drafts` puts
/// draft plans on the site, and in the totals.
pub(crate) fn cycle<'s>(site: &'s Site, cycle: &'s Cycle, drafts: bool) -> Option<CycleReport<'s>> {
    let meta = cycle.meta.as_ref()?;
    let catalog = site.catalog_for(cycle.year)?;
    let agencies = site.agencies.as_ref()?;
    let year = cycle.year;
    let mut totals = Totals::new(catalog);
    let mut entries = Vec::new();
    // Only agencies of the time: a department merged away before this
    // cycle, or a commune made after it, has no row.
    let mut order: Vec<&Agency> = agencies
        .iter()
        .filter(|a| site.standing(&a.code.value, year).may_submit())
        .collect();
    order.sort_by(|a, b| (a.group, a.name_in(year)).cmp(&(b.group, b.name_in(year))));
    for agency in order {
        let plan = cycle
            .plans
            .iter()
            .find(|p| p.agency.value == agency.code.value);
        if plan.is_none() && !agency.expected {
            continue;
        }
        let submission = plan.map_or(Submission::Missing, |p| submission(p, meta.deadline.value));
        let published = plan.filter(|p| drafts || p.status.value != Status::Draft);
        let mut own = Totals::new(catalog);
        if let Some(p) = published {
            own.add_plan(p);
            totals.add_plan(p);
        }
        entries.push(Entry {
            agency,
            name: agency.name_in(year),
            submission,
            plan: published,
            filed: plan,
            totals: own,
        });
    }
    let mut indicators: Vec<IndicatorSummary> = catalog
        .indicators
        .iter()
        .map(|d| IndicatorSummary {
            id: d.id.value.clone(),
            name: d.name.clone(),
            unit: d.unit,
            reporters: 0,
            target: None,
            actual: None,
            goal: None,
            texts: Vec::new(),
        })
        .collect();
    let mut values: BTreeMap<String, [Vec<Decimal>; 3]> = BTreeMap::new();
    for e in &entries {
        let Some(plan) = e.plan else { continue };
        for iv in &plan.indicators {
            let idx = match indicators.iter().position(|s| s.id == iv.id.value) {
                Some(i) => i,
                None => {
                    indicators.push(IndicatorSummary {
                        id: iv.id.value.clone(),
                        name: iv.name.clone().unwrap_or_else(|| iv.id.value.clone()),
                        unit: iv.unit.unwrap_or(Unit::Percent),
                        reporters: 0,
                        target: None,
                        actual: None,
                        goal: None,
                        texts: Vec::new(),
                    });
                    indicators.len() - 1
                }
            };
            let s = &mut indicators[idx];
            s.reporters += 1;
            if let Some(v) = &iv.value {
                s.texts.push((e.name.to_string(), v.clone()));
            }
            let slot = values.entry(s.id.clone()).or_default();
            for (i, v) in [&iv.target, &iv.actual, &iv.goal].into_iter().enumerate() {
                if let Some(v) = v {
                    slot[i].push(v.value);
                }
            }
        }
    }
    for s in &mut indicators {
        if let Some([t, a, g]) = values.get(&s.id) {
            let agg = |v: &[Decimal]| match s.unit {
                Unit::Count if !v.is_empty() => checked_sum(v),
                _ => mean(v),
            };
            (s.target, s.actual, s.goal) = (agg(t), agg(a), agg(g));
        }
    }
    Some(CycleReport {
        year: cycle.year,
        meta,
        entries,
        totals,
        indicators,
        lists: std::sync::OnceLock::new(),
        by_code: std::sync::OnceLock::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_code_keeps_catalog_order_and_sums_exactly() {
        let mut b = ByCode::zeros(["a", "b"].into_iter());
        for _ in 0..10 {
            b.add("b", "0.1".parse().unwrap());
        }
        b.add("c", "2".parse().unwrap());
        assert_eq!(
            b.0.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(b.get("b"), "1".parse().unwrap());
        assert_eq!(b.get("zz"), Amount::ZERO);
    }

    #[test]
    fn mean_is_rounded_to_one_place() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(mean(&[d("10"), d("20"), d("25")]), Some(d("18.3")));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn parts_add_up_to_the_whole() {
        let site = crate::load::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
            .expect("the demo loads")
            .site;
        let c = site.cycles.iter().find(|c| c.year == 2019).expect("2019");
        let r = cycle(&site, c, false).expect("2019 consolidates");
        let catalog = site.catalog_for(2019).expect("catalog");
        let projects: Vec<&Project> = r.plans().flat_map(|(_, p)| &p.projects).collect();
        let spending: Vec<&SpendingRow> = r.plans().flat_map(|(_, p)| &p.spending).collect();
        // Two halves of the lists, summed apart, give the cycle's totals.
        let (a, b) = projects.split_at(projects.len() / 2);
        let (c, d) = spending.split_at(spending.len() / 3);
        let one = part_totals(catalog, a.iter().copied(), c.iter().copied());
        let two = part_totals(catalog, b.iter().copied(), d.iter().copied());
        assert_eq!(one.planned + two.planned, r.totals.planned);
        assert_eq!(one.total + two.total, r.totals.total);
        assert_eq!(one.spending + two.spending, r.totals.spending);
        for (id, t) in &r.totals.per_category {
            let sum = one.category(id).map_or(Amount::ZERO, |x| x.planned)
                + two.category(id).map_or(Amount::ZERO, |x| x.planned);
            assert_eq!(sum, t.planned, "{id}");
        }
        // Entries by group, summed apart, give the cycle's totals too.
        let mut planned = Amount::ZERO;
        for (g, _) in crate::model::Group::CHOICES {
            let t = entries_totals(
                catalog,
                r.entries.iter().filter(|e| e.agency.group.id() == *g),
            );
            planned = planned + t.planned;
        }
        assert_eq!(planned, r.totals.planned);
    }
}
