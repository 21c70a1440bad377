//! Page contexts: builds the structs of `context` that each template
//! sees. Every figure comes from `consolidate` and is formatted here, so
//! templates only lay things out.

use std::collections::HashSet;

use serde_json::Value;

use super::charts::{Chart, Series, bar_svg};
use super::context::*;
use super::format::{date, money, number, signed_money};
use super::markdown::{page_ids, to_html};
use super::theme::Theme;
use crate::consolidate::{ByCode, CycleReport, Entry, Totals, split_amount};
use crate::diag::Lang;
use crate::model::{Amount, Catalog, CodeName, Plan, SectionKey, Site, Split, Status, Unit};

/// The string key of the first column of each chart's data table, by the
/// chart's id (the others are the series).
const CHART_FIRST_COLUMN: &[(&str, &str)] = &[
    ("c-category", "category"),
    ("c-compare", "category"),
    ("c-level", "by_level"),
    ("c-kind", "by_kind"),
    ("c-agency", "agency"),
    ("c-indicators", "indicator"),
];

/// Shared facts for building pages.
pub(crate) struct Ctx<'a> {
    /// Agency names by code: looked up for every row of every table.
    pub(crate) names: std::collections::HashMap<&'a str, &'a str>,
    pub(crate) site: &'a Site,
    pub(crate) catalog: &'a Catalog,
    pub(crate) theme: &'a Theme,
    pub(crate) lang: Lang,
}

impl<'a> Ctx<'a> {
    /// The same facts as cycle `year` saw them: its own catalog and the
    /// agencies' names of the time.
    pub(crate) fn for_year(&self, year: i32) -> Ctx<'a> {
        let site: &'a Site = self.site;
        Ctx {
            names: site
                .agencies
                .iter()
                .flatten()
                .map(|a| (a.code.value.as_str(), a.name_in(year)))
                .collect(),
            site,
            catalog: site.catalog_for(year).unwrap_or(self.catalog),
            theme: self.theme,
            lang: self.lang,
        }
    }

    fn m(&self, a: Amount) -> String {
        money(a, self.lang)
    }

    /// `vi` when the page is not in Vietnamese but this prose is: the
    /// `lang` its container needs.
    fn prose_lang(&self, text: &str) -> Option<&'static str> {
        (self.lang != Lang::Vi && crate::render::markdown::looks_vietnamese(text)).then_some("vi")
    }

    fn name<'n>(list: &'n [CodeName], id: &'n str) -> &'n str {
        list.iter()
            .find(|c| c.id.value == id)
            .map_or(id, |c| c.name.as_str())
    }

    fn agency_name<'n>(&'n self, code: &'n str) -> &'n str {
        self.names.get(code).copied().unwrap_or(code)
    }

    fn split_cells(&self, list: &[CodeName], split: &Split) -> Vec<String> {
        list.iter()
            .map(|c| {
                let a = split_amount(split, &c.id.value);
                if a == Amount::ZERO {
                    String::new()
                } else {
                    self.m(a)
                }
            })
            .collect()
    }

    /// Subtotals by level or kind. A source with nothing is left blank, as
    /// in the rows above it, so a table never mixes blanks and zeros.
    fn by_code_cells(&self, list: &[CodeName], b: &ByCode) -> Vec<String> {
        list.iter()
            .map(|c| {
                let a = b.get(&c.id.value);
                if a == Amount::ZERO {
                    String::new()
                } else {
                    self.m(a)
                }
            })
            .collect()
    }

    /// Column headers for levels and kinds.
    pub(crate) fn split_headers(&self) -> Headers<'a> {
        let catalog: &'a Catalog = self.catalog;
        Headers {
            levels: catalog.levels.iter().map(|c| c.name.as_str()).collect(),
            kinds: catalog.kinds.iter().map(|c| c.name.as_str()).collect(),
        }
    }

    fn split_text(&self, list: &[CodeName], split: &Split) -> String {
        split
            .iter()
            .map(|(id, a)| format!("{}: {}", Self::name(list, &id.value), self.m(a.value)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn chart(
        &self,
        id: &str,
        title: &str,
        desc: String,
        labels: Vec<String>,
        series: Vec<Series>,
        unit: &str,
    ) -> ChartData {
        let first = CHART_FIRST_COLUMN
            .iter()
            .find(|(c, _)| *c == id)
            .map_or("category", |(_, k)| k);
        let header: Vec<String> = std::iter::once(self.theme.t(first))
            .chain(series.iter().map(|s| s.name.clone()))
            .collect();
        let rows: Vec<Vec<String>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                std::iter::once(l.clone())
                    .chain(series.iter().map(|s| {
                        s.values.get(i).map_or(String::new(), |v| {
                            crate::model::money::format_grouped(v.normalize(), self.lang)
                        })
                    }))
                    .collect()
            })
            .collect();
        let chart = Chart {
            id: id.to_string(),
            title: title.to_string(),
            desc: desc.clone(),
            labels,
            series,
            unit: unit.to_string(),
            lang: self.lang,
            unit_caption: self.theme.tf("chart_words", "unit", &[]),
            empty_text: self.theme.tf("chart_words", "empty", &[]),
        };
        ChartData {
            id: id.to_string(),
            title: title.to_string(),
            desc,
            svg: bar_svg(&chart),
            header,
            rows,
            unit: unit.to_string(),
        }
    }

    fn amounts_chart(
        &self,
        id: &str,
        key: &str,
        pairs: Vec<(String, Amount)>,
        unit: &str,
    ) -> ChartData {
        let title = self.theme.t(key);
        let desc = pairs
            .iter()
            .map(|(l, a)| format!("{l}: {} {unit}", self.m(*a)))
            .collect::<Vec<_>>()
            .join("; ");
        let (labels, values): (Vec<String>, Vec<_>) =
            pairs.into_iter().map(|(l, a)| (l, a.0)).unzip();
        let series = vec![Series {
            name: self.theme.t("planned"),
            values,
        }];
        self.chart(id, &title, desc, labels, series, unit)
    }

    fn by_code_pairs(&self, list: &[CodeName], b: &ByCode) -> Vec<(String, Amount)> {
        list.iter()
            .map(|c| (c.name.clone(), b.get(&c.id.value)))
            .collect()
    }

    /// II.1 rows of one plan.
    fn plan_indicators<'p>(&self, plan: &'p Plan) -> Vec<PlanIndicator<'p>> {
        plan.indicators
            .iter()
            .map(|iv| {
                let def = self.catalog.indicator(&iv.id.value);
                let name = def
                    .map(|d| d.name.clone())
                    .or_else(|| iv.name.clone())
                    .unwrap_or_else(|| iv.id.value.clone());
                let unit = def.map(|d| d.unit).or(iv.unit).unwrap_or(Unit::Percent);
                let fmt = |v: &Option<crate::model::Spanned<rust_decimal::Decimal>>| {
                    v.as_ref()
                        .map_or_else(|| "—".to_string(), |v| self.indicator_value(v.value, unit))
                };
                PlanIndicator {
                    name,
                    unit: unit.id(),
                    other: def.is_none(),
                    target: fmt(&iv.target),
                    actual: fmt(&iv.actual),
                    goal: fmt(&iv.goal),
                    value: iv.value.as_deref(),
                    note: iv.note.as_deref(),
                    texts: Vec::new(),
                }
            })
            .collect()
    }

    fn indicator_value(&self, v: rust_decimal::Decimal, unit: Unit) -> String {
        match unit {
            Unit::Percent => format!("{}%", number(v, self.lang)),
            _ => number(v, self.lang),
        }
    }

    /// II.2 grouped by category with subtotals. `rows` pairs each spending
    /// row with the agency that wrote it (shown on the consolidated page).
    fn spending_table<'p>(
        &'p self,
        rows: &[(&'p str, &'p crate::model::SpendingRow)],
        totals: &Totals,
        with_agency: bool,
    ) -> SpendingTable<'p, SpendingGroup<'p>> {
        let mut groups = Vec::new();
        let mut n = 0;
        for cat in &self.catalog.categories {
            let items: Vec<SpendingRowData<'p>> = rows
                .iter()
                .filter(|(_, r)| r.category.value == cat.id.value)
                .map(|(agency, r)| {
                    n += 1;
                    self.spending_row(r, n, self.agency_name(agency), None)
                })
                .collect();
            let zero = Totals::default();
            let sub = totals.category(&cat.id.value).unwrap_or(&zero);
            groups.push(SpendingGroup {
                name: cat.name.clone(),
                rows: items,
                amounts: self.spending_amounts(sub),
                sub_label: None,
            });
        }
        SpendingTable {
            amounts: self.spending_amounts(totals),
            groups,
            empty: rows.is_empty(),
            headers: self.split_headers(),
            with_agency,
            summary: None,
            no_foot: None,
            total_label: None,
            caption: None,
        }
    }

    /// One II.2 row; `url` only on a split list's page, where the row
    /// links back to its plan.
    fn spending_row<'p>(
        &self,
        r: &'p crate::model::SpendingRow,
        tt: usize,
        agency: &'p str,
        url: Option<String>,
    ) -> SpendingRowData<'p> {
        SpendingRowData {
            tt,
            agency,
            url,
            task: &r.task,
            total: self.m(r.total.value),
            levels: self.split_cells(&self.catalog.levels, &r.levels.value),
            kinds: self.split_cells(&self.catalog.kinds, &r.kinds.value),
            basis: r.basis.as_deref(),
        }
    }

    fn project_row<'p>(
        &'p self,
        p: &'p crate::model::Project,
        tt: usize,
        url: Option<String>,
    ) -> ProjectRow<'p> {
        let partners: Vec<&str> = p
            .partners
            .iter()
            .map(|a| self.agency_name(&a.value))
            .collect();
        ProjectRow {
            tt,
            id: &p.id.value,
            priority: p.priority.value,
            name: &p.name,
            category: Self::name(&self.catalog.categories, &p.category.value),
            objective: p.objective.as_deref(),
            period: crate::model::period_text(p.period.from.value, p.period.to.value),
            lead: self.agency_name(&p.lead.value),
            partners: partners.join(", "),
            done: p.done.as_deref(),
            todo: p.todo.as_deref(),
            total: self.m(p.cost.total.value),
            spent: self.m(p.cost.spent.value),
            planned: self.m(p.cost.planned.value),
            levels: self.split_cells(&self.catalog.levels, &p.levels.value),
            kinds: self.split_cells(&self.catalog.kinds, &p.kinds.value),
            levels_text: self.split_text(&self.catalog.levels, &p.levels.value),
            kinds_text: self.split_text(&self.catalog.kinds, &p.kinds.value),
            investor: p.investor.as_deref(),
            approval: p.approval.as_deref(),
            necessity: p.necessity.as_deref(),
            standards: p.standards.as_deref(),
            location: p.location.as_deref(),
            note: p.note.as_deref(),
            url,
            agency: None,
        }
    }

    /// The VI annex grouped by category, with subtotals and a grand total.
    fn annex<'p>(
        &'p self,
        projects: &[(&'p str, &'p crate::model::Project, Option<String>)],
        totals: &Totals,
    ) -> AnnexTable<'p, AnnexGroup<'p>> {
        let mut groups = Vec::new();
        let mut n = 0;
        for cat in &self.catalog.categories {
            let rows: Vec<ProjectRow<'p>> = projects
                .iter()
                .filter(|(_, p, _)| p.category.value == cat.id.value)
                .map(|(agency, p, url)| {
                    n += 1;
                    ProjectRow {
                        agency: Some(self.agency_name(agency)),
                        ..self.project_row(p, n, url.clone())
                    }
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let zero = Totals::default();
            let sub = totals.category(&cat.id.value).unwrap_or(&zero);
            groups.push(AnnexGroup {
                name: cat.name.clone(),
                rows,
                amounts: self.annex_amounts(sub),
                sub_label: None,
            });
        }
        AnnexTable {
            amounts: self.annex_amounts(totals),
            groups,
            empty: projects.is_empty(),
            headers: self.split_headers(),
            summary: None,
            with_agency: None,
            no_foot: None,
            total_label: None,
            caption: None,
        }
    }

    fn entry_row<'p>(&self, e: &'p Entry<'_>, r: &CycleReport<'_>) -> EntryRow<'p> {
        let year = r.year;
        let lang = self.lang;
        // An agency with no published plan has no amounts: "0" would read
        // as a plan of nothing, so the table says why there is no figure.
        let absent = match (e.plan, e.submission) {
            (Some(_), _) => None,
            (None, crate::consolidate::Submission::Draft) => {
                Some(self.theme.tf("submission_rows", "absent_draft", &[]))
            }
            (None, _) => Some(self.theme.tf("submission_rows", "absent_missing", &[])),
        };
        let deadline = r.meta.deadline.value;
        let days_late = match (e.submission, e.filed.and_then(|p| p.submitted.as_ref())) {
            (crate::consolidate::Submission::Late, Some(d)) => {
                Some(super::document::days_between(deadline, d.value))
            }
            (crate::consolidate::Submission::Missing, _) if !r.meta.closed => Some(
                super::document::days_between(deadline, crate::diag::today_in_vietnam()),
            )
            .filter(|n| *n > 0),
            _ => None,
        };
        let late_text = days_late.map(|n| {
            let days = crate::model::money::format_grouped(rust_decimal::Decimal::from(n), lang);
            self.theme
                .tf("submission_rows", "days_late", &[("days", &days)])
        });
        EntryRow {
            tt: None,
            absent,
            days_late: late_text,
            code: &e.agency.code.value,
            name: e.name,
            group: self.group_name(e.agency.group.id()),
            submission: e.submission.id(),
            submission_label: self.theme.t(e.submission.id()),
            submitted: e
                .plan
                .and_then(|p| p.submitted.as_ref())
                .map(|d| date(d.value)),
            planned: self.m(e.totals.planned),
            spending: self.m(e.totals.spending),
            projects: e.plan.map_or(0, |p| p.projects.len()),
            url: e.plan.map(|_| format!("{year}/{}/", e.agency.code.value)),
        }
    }

    /// The total row of the submission table: the amounts of the plans
    /// that count, and how many do.
    fn status_total(&self, r: &CycleReport<'_>) -> StatusTotal {
        StatusTotal {
            planned: self.m(r.totals.planned),
            spending: self.m(r.totals.spending),
            counted: r.entries.iter().filter(|e| e.plan.is_some()).count(),
            projects: r.plans().map(|(_, p)| p.projects.len()).sum(),
        }
    }

    /// II.3, III, IV, V and VII of the consolidated plan: the department's
    /// text from `_plan.md` (`null` when missing, W106), with what the
    /// agencies wrote rolled up where the letter implies it.
    fn cycle_sections<'p>(
        &'p self,
        r: &'p CycleReport<'_>,
        used: &mut HashSet<String>,
        up: &str,
    ) -> CycleSections<'p> {
        let body = &r.meta.body;
        let own = |key: SectionKey, used: &mut HashSet<String>| {
            super::document::section_markdown(body, key).map(|md| to_html(md, used))
        };
        let danh_gia = own(SectionKey::DanhGia, used);
        let muc_tieu = own(SectionKey::MucTieu, used);
        let dinh_huong = own(SectionKey::DinhHuong, used);
        let giai_phap = own(SectionKey::GiaiPhap, used);
        let to_chuc = own(SectionKey::ToChuc, used);
        // The agencies' own assessments, one per agency, for II.3: whole
        // up to ROLLUP_MAX agencies; past that the page would grow with the
        // site, and each agency's page carries its own.
        let assessed = r
            .plans()
            .filter(|(_, p)| {
                super::document::section_markdown(&p.body, SectionKey::DanhGia).is_some()
            })
            .count();
        let assessments: Vec<Assessment<'p>> = r
            .plans()
            .take_while(|_| assessed <= ROLLUP_MAX)
            .filter_map(|(a, p)| {
                let md = super::document::section_markdown(&p.body, SectionKey::DanhGia)?;
                Some(Assessment {
                    agency: a.name_in(r.year),
                    url: format!("{up}{}/", a.code.value),
                    html: to_html(md, used),
                    lang: self.prose_lang(md),
                })
            })
            .collect();
        // IV: every project by category, in priority order within its
        // agency; past ROLLUP_MAX projects, the annex's pages by category
        // hold them.
        let projects: usize = r.plans().map(|(_, p)| p.projects.len()).sum();
        let mut by_category = Vec::new();
        let catalog = self.catalog;
        for cat in catalog
            .categories
            .iter()
            .take_while(|_| projects <= ROLLUP_MAX)
        {
            let mut items: Vec<(&crate::model::Agency, &crate::model::Project)> = r
                .plans()
                .flat_map(|(a, p)| p.projects.iter().map(move |pr| (a, pr)))
                .filter(|(_, pr)| pr.category.value == cat.id.value)
                .collect();
            if items.is_empty() {
                continue;
            }
            items.sort_by_key(|(_, pr)| pr.priority.value);
            let rows: Vec<RollupProject<'p>> = items
                .iter()
                .map(|(a, pr)| RollupProject {
                    name: &pr.name,
                    agency: a.name_in(r.year),
                    priority: pr.priority.value,
                    planned: self.m(pr.cost.planned.value),
                    url: format!("{up}{}/#{}", a.code.value, pr.id.value),
                })
                .collect();
            by_category.push(CategoryProjects {
                name: &cat.name,
                projects: rows,
            });
        }
        let missing: Vec<String> = SectionKey::ALL
            .into_iter()
            .filter(|k| body.section(*k).is_none())
            .map(|k| format!("{}. {}", k.numeral(), k.heading()))
            .collect();
        CycleSections {
            danh_gia,
            muc_tieu,
            dinh_huong,
            giai_phap,
            to_chuc,
            assessments,
            projects_by_category: by_category,
            assessed,
            assessments_elsewhere: (assessed > ROLLUP_MAX).then(|| {
                let assessed = assessed.to_string();
                self.theme.tf(
                    "rollup",
                    "assessments_elsewhere",
                    &[("assessed", &assessed)],
                )
            }),
            projects_elsewhere: (projects > ROLLUP_MAX).then(|| {
                let projects = projects.to_string();
                self.theme
                    .tf("rollup", "projects_elsewhere", &[("projects", &projects)])
            }),
            missing,
            missing_text: self.theme.tf("rollup", "section_missing", &[]),
        }
    }

    /// Context of the consolidated page, or with `print` of the
    /// whole-document print page (`<year>/ban-in/`), which carries every
    /// row of II.2 and VI up to PRINT_FULL_ROWS.
    pub(crate) fn cycle_page<'p>(
        &'p self,
        r: &'p CycleReport<'_>,
        print: bool,
        approved: Option<&'p crate::git::Approved>,
    ) -> CycleData<'p> {
        let up = if print { "../" } else { "" };
        let unit_label = self
            .site
            .config
            .as_ref()
            .map_or("", |c| c.money_unit.label(self.lang));
        let mut used = page_ids();
        let body = &r.meta.body;
        let intro = to_html(&body.text[body.preamble.clone()], &mut used);
        let sections = self.cycle_sections(r, &mut used, up);
        let status_total = self.status_total(r);
        let rows_count: usize = r
            .plans()
            .map(|(_, p)| p.projects.len() + p.spending.len())
            .sum();
        // A province's cycle (up to PRINT_FULL_ROWS rows) keeps the whole
        // II.2 and VI annex on the consolidated page, which is then the
        // document itself, as PLAN-FORMAT §4 and §7 say; only a larger
        // cycle shows subtotals linked to the pages by category.
        let full = rows_count <= PRINT_FULL_ROWS;
        let entries: Option<Vec<EntryRow<'p>>> = (!print && r.entries.len() <= STATUS_PAGE_ROWS)
            .then(|| r.entries.iter().map(|e| self.entry_row(e, r)).collect());
        let rows: Vec<(&str, &crate::model::SpendingRow)> = r
            .plans()
            .flat_map(|(a, p)| p.spending.iter().map(move |s| (a.code.value.as_str(), s)))
            .take_while(|_| full)
            .collect();
        let projects: Vec<(&str, &crate::model::Project, Option<String>)> = r
            .plans()
            .flat_map(|(a, p)| {
                let mut ps: Vec<_> = p.projects.iter().collect();
                ps.sort_by_key(|p| p.priority.value);
                ps.into_iter().map(move |pr| {
                    (
                        a.code.value.as_str(),
                        pr,
                        Some(format!("{up}{}/#{}", a.code.value, pr.id.value)),
                    )
                })
            })
            .take_while(|_| full)
            .collect();
        let indicators: Vec<CycleIndicator<'p>> = r
            .indicators
            .iter()
            .filter(|s| s.reporters > 0)
            .map(|s| {
                let f = |v: Option<rust_decimal::Decimal>| {
                    v.map_or_else(|| "—".to_string(), |v| self.indicator_value(v, s.unit))
                };
                CycleIndicator {
                    name: &s.name,
                    unit: s.unit.id(),
                    reporters: s.reporters,
                    target: f(s.target),
                    actual: f(s.actual),
                    goal: f(s.goal),
                    texts: s
                        .texts
                        .iter()
                        .take(ROLLUP_MAX)
                        .map(|(a, t)| IndicatorText { agency: a, text: t })
                        .collect(),
                    texts_more: (s.texts.len() > ROLLUP_MAX).then(|| {
                        let more = s.texts.len() - ROLLUP_MAX;
                        self.theme
                            .tf("rollup", "texts_more", &[("more", &more.to_string())])
                    }),
                }
            })
            .collect();
        // Charts.
        let t = &r.totals;
        let mut charts = vec![
            self.amounts_chart(
                "c-category",
                "chart_by_category",
                self.by_code_pairs(&self.catalog.categories, &t.by_category),
                unit_label,
            ),
            self.amounts_chart(
                "c-level",
                "chart_by_level",
                self.by_code_pairs(&self.catalog.levels, &t.by_level),
                unit_label,
            ),
            self.amounts_chart(
                "c-kind",
                "chart_by_kind",
                self.by_code_pairs(&self.catalog.kinds, &t.by_kind),
                unit_label,
            ),
        ];
        let mut by_agency: Vec<(String, Amount)> = r
            .entries
            .iter()
            .filter(|e| e.plan.is_some())
            .map(|e| (e.name.to_string(), e.totals.planned))
            .collect();
        by_agency.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if by_agency.len() > 16 {
            let rest: Amount = by_agency[15..].iter().map(|(_, a)| *a).sum();
            by_agency.truncate(15);
            by_agency.push((self.theme.t("others"), rest));
        }
        charts.push(self.amounts_chart("c-agency", "chart_by_agency", by_agency, unit_label));
        charts.push(self.compare_chart(
            &t.spending_by_category,
            &t.by_category,
            unit_label,
            r.year,
        ));
        if let Some(c) = self.indicator_chart(
            r.year,
            "c-indicators",
            r.indicators
                .iter()
                .filter(|s| s.unit == Unit::Percent && s.reporters > 0)
                .map(|s| (s.name.clone(), s.target, s.actual, s.goal)),
        ) {
            charts.push(c);
        }
        let mut legal: Vec<&str> = r.meta.legal_bases.iter().map(String::as_str).collect();
        legal.dedup();
        let drafts = crate::consolidate::Submission::Draft;
        CycleData {
            year: r.year,
            prior_year: r.year - 1,
            title: &r.meta.title,
            guidance: r.meta.guidance.as_ref().map(|g| GuidanceData {
                number: &g.number,
                date: date(g.date),
                issuer: &g.issuer,
            }),
            deadline: date(r.meta.deadline.value),
            intro,
            legal_bases: legal,
            document: super::document::heading_context(r.meta, self.theme),
            subtitle: super::document::subtitle(&r.meta.title),
            sections,
            status_total,
            has_drafts: r.count(drafts) > 0
                && r.entries
                    .iter()
                    .any(|e| e.submission == drafts && e.plan.is_some()),
            intro_lang: self.prose_lang(&r.meta.body.text),
            print_page: print,
            full,
            entries,
            status_groups: self.status_summary(r),
            counts: Counts {
                on_time: r.count(crate::consolidate::Submission::OnTime),
                late: r.count(crate::consolidate::Submission::Late),
                draft: r.count(drafts),
                missing: r.count(crate::consolidate::Submission::Missing),
                expected: r.entries.len(),
            },
            indicators,
            spending: if full {
                CycleSpending::Full(self.spending_table(&rows, t, true))
            } else {
                CycleSpending::Summary(self.spending_summary(r, up))
            },
            annex: if full {
                CycleAnnex::Full(self.annex(&projects, t))
            } else {
                CycleAnnex::Summary(self.annex_summary(r, up))
            },
            charts,
            planned: self.m(t.planned),
            spending_total: self.m(t.spending),
            since_approved: approved.map(|a| self.since_approved(a, r.year)),
        }
    }

    fn compare_chart(
        &self,
        spending: &ByCode,
        planned: &ByCode,
        unit: &str,
        year: i32,
    ) -> ChartData {
        let labels: Vec<String> = self
            .catalog
            .categories
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let s = Series {
            name: format!("{} {}", self.theme.t("series_spending"), year - 1),
            values: self
                .catalog
                .categories
                .iter()
                .map(|c| spending.get(&c.id.value).0)
                .collect(),
        };
        let p = Series {
            name: format!("{} {year}", self.theme.t("series_planned")),
            values: self
                .catalog
                .categories
                .iter()
                .map(|c| planned.get(&c.id.value).0)
                .collect(),
        };
        let desc = labels
            .iter()
            .zip(s.values.iter().zip(&p.values))
            .map(|(l, (a, b))| {
                format!(
                    "{l}: {} → {} {unit}",
                    number(*a, self.lang),
                    number(*b, self.lang)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        self.chart(
            "c-compare",
            &format!("{} ({}, {year})", self.theme.t("chart_compare"), year - 1),
            desc,
            labels,
            vec![s, p],
            unit,
        )
    }

    fn indicator_chart(
        &self,
        year: i32,
        id: &str,
        items: impl Iterator<
            Item = (
                String,
                Option<rust_decimal::Decimal>,
                Option<rust_decimal::Decimal>,
                Option<rust_decimal::Decimal>,
            ),
        >,
    ) -> Option<ChartData> {
        let items: Vec<_> = items.collect();
        if items.is_empty() {
            return None;
        }
        let z = rust_decimal::Decimal::ZERO;
        let labels: Vec<String> = items.iter().map(|i| i.0.clone()).collect();
        let series = vec![
            Series {
                name: format!("{} {}", self.theme.t("series_target"), year - 1),
                values: items.iter().map(|i| i.1.unwrap_or(z)).collect(),
            },
            Series {
                name: format!("{} {}", self.theme.t("series_actual"), year - 1),
                values: items.iter().map(|i| i.2.unwrap_or(z)).collect(),
            },
            Series {
                name: format!("{} {year}", self.theme.t("series_goal")),
                values: items.iter().map(|i| i.3.unwrap_or(z)).collect(),
            },
        ];
        let desc = items
            .iter()
            .map(|(l, t, a, g)| {
                let f = |v: &Option<rust_decimal::Decimal>| {
                    v.map_or("—".to_string(), |v| format!("{}%", number(v, self.lang)))
                };
                format!("{l}: {} / {} / {}", f(t), f(a), f(g))
            })
            .collect::<Vec<_>>()
            .join("; ");
        Some(self.chart(
            id,
            &format!(
                "{} ({}, {year})",
                self.theme.t("chart_indicators"),
                year - 1
            ),
            desc,
            labels,
            series,
            "%",
        ))
    }

    /// Context of one agency's plan page.
    pub(crate) fn plan_page<'p>(
        &'p self,
        r: &'p CycleReport<'_>,
        e: &'p Entry<'_>,
        plan: &'p Plan,
        history: Option<History<'p>>,
    ) -> PlanData<'p> {
        let unit_label = self
            .site
            .config
            .as_ref()
            .map_or("", |c| c.money_unit.label(self.lang));
        let mut used = page_ids();
        let body = &plan.body;
        let section = |key: SectionKey, used: &mut HashSet<String>| {
            body.section(key)
                .map(|s| to_html(&body.text[s.content.clone()], used))
        };
        let preamble = to_html(&body.text[body.preamble.clone()], &mut used);
        let sections = PlanSections {
            danh_gia: section(SectionKey::DanhGia, &mut used),
            muc_tieu: section(SectionKey::MucTieu, &mut used),
            dinh_huong: section(SectionKey::DinhHuong, &mut used),
            giai_phap: section(SectionKey::GiaiPhap, &mut used),
            to_chuc: section(SectionKey::ToChuc, &mut used),
        };
        let others: Vec<OtherSection<'p>> = body
            .sections
            .iter()
            .filter(|s| s.key.is_none())
            .map(|s| OtherSection {
                title: &s.title,
                html: to_html(&body.text[s.content.clone()], &mut used),
            })
            .collect();
        let mut projects: Vec<&crate::model::Project> = plan.projects.iter().collect();
        projects.sort_by_key(|p| p.priority.value);
        let rows: Vec<(&str, &crate::model::SpendingRow)> = plan
            .spending
            .iter()
            .map(|s| (plan.agency.value.as_str(), s))
            .collect();
        let annex_items: Vec<(&str, &crate::model::Project, Option<String>)> = projects
            .iter()
            .map(|p| {
                (
                    plan.agency.value.as_str(),
                    *p,
                    Some(format!("#{}", p.id.value)),
                )
            })
            .collect();
        let mut legal: Vec<&str> = r
            .meta
            .legal_bases
            .iter()
            .chain(&plan.legal_bases)
            .map(String::as_str)
            .collect();
        let mut seen = HashSet::new();
        legal.retain(|l| seen.insert(*l));
        let t = &e.totals;
        let mut charts = vec![self.amounts_chart(
            "c-category",
            "chart_by_category",
            self.by_code_pairs(&self.catalog.categories, &t.by_category),
            unit_label,
        )];
        if let Some(c) = self.indicator_chart(
            r.year,
            "c-indicators",
            plan.indicators
                .iter()
                .filter(|iv| {
                    self.catalog
                        .indicator(&iv.id.value)
                        .map(|d| d.unit)
                        .or(iv.unit)
                        == Some(Unit::Percent)
                })
                .map(|iv| {
                    let name = self
                        .catalog
                        .indicator(&iv.id.value)
                        .map(|d| d.name.clone())
                        .or_else(|| iv.name.clone())
                        .unwrap_or_default();
                    (
                        name,
                        iv.target.as_ref().map(|v| v.value),
                        iv.actual.as_ref().map(|v| v.value),
                        iv.goal.as_ref().map(|v| v.value),
                    )
                }),
        ) {
            charts.push(c);
        }
        let status = plan.status.value.id();
        PlanData {
            year: r.year,
            prior_year: r.year - 1,
            cycle_title: &r.meta.title,
            agency: self.entry_row(e, r),
            status,
            status_label: self.theme.strings["statuses"]
                .get(status)
                .and_then(Value::as_str)
                .unwrap_or(status)
                .to_string(),
            is_draft: plan.status.value == Status::Draft,
            contact: plan.contact.as_ref().map(|c| ContactData {
                name: c.name.as_deref(),
                phone: c.phone.as_deref(),
                email: c.email.as_deref(),
            }),
            legal_bases: legal,
            indicators: self.plan_indicators(plan),
            spending: self.spending_table(&rows, t, false),
            preamble,
            sections,
            others,
            prose_lang: self.prose_lang(&body.text),
            projects: projects
                .iter()
                .enumerate()
                .map(|(i, p)| self.project_row(p, i + 1, None))
                .collect(),
            annex: self.annex(&annex_items, t),
            charts,
            planned: self.m(t.planned),
            spending_total: self.m(t.spending),
            history,
        }
    }
}

/// The git history on pages: each plan's revisions, and the changes of a
/// cycle since its approved version.
impl Ctx<'_> {
    fn unit_label(&self) -> &'static str {
        self.site
            .config
            .as_ref()
            .map_or("", |c| c.money_unit.label(self.lang))
    }

    /// `tăng 300 triệu đồng`, `giảm 1.200 triệu đồng`, `không thay đổi`.
    fn move_words(&self, delta: Amount) -> String {
        let (amount, unit) = (self.m(Amount(delta.0.abs())), self.unit_label());
        let key = if delta.is_positive() {
            "up"
        } else if delta.is_negative() {
            "down"
        } else {
            "none"
        };
        self.theme
            .tf("moves", key, &[("amount", &amount), ("unit", unit)])
    }

    /// Context of `partials/history.html` for one plan: none when git has
    /// nothing on its file.
    pub(crate) fn history<'h>(
        &self,
        h: &'h crate::git::SiteHistory,
        plan: &Plan,
        approved: Option<&'h crate::git::Approved>,
    ) -> Option<History<'h>> {
        let fh = h.files.files.get(&plan.file)?;
        let unit = self.unit_label();
        let tf = |key: &str, args: &[(&str, &str)]| self.theme.tf("history", key, args);
        let iso = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        let revisions: Vec<RevisionRow<'h>> = fh
            .revisions
            .iter()
            .map(|r| {
                let note = if r.added {
                    Some(tf("created", &[]))
                } else {
                    r.renamed_from
                        .as_ref()
                        .map(|from| tf("renamed", &[("from", from)]))
                };
                RevisionRow {
                    date: r.date.map(date),
                    iso: iso(r.date),
                    author: &r.author,
                    message: &r.summary,
                    id: &r.short,
                    note,
                    planned: r.planned.map(|a| self.m(a)),
                    delta: r.delta().map(|d| signed_money(d, self.lang)),
                }
            })
            .collect();
        let last = fh.revisions.first();
        let count = fh.revisions.len();
        let count_text = count.to_string();
        // The movement over the whole history, in words.
        let overall = match (fh.revisions.last(), last) {
            (Some(first), Some(last)) if count > 1 => {
                let to = last.planned.map(|a| self.m(a));
                if first.added {
                    let (made, f, edits) = (
                        first.date.map(date),
                        first.planned.map(|a| self.m(a)),
                        (count - 1).to_string(),
                    );
                    match (made, f, to) {
                        (Some(d), Some(f), Some(t)) => Some(tf(
                            "overall_created",
                            &[
                                ("date", &d),
                                ("first", &f),
                                ("unit", unit),
                                ("edits", &edits),
                                ("now", &t),
                            ],
                        )),
                        _ => None,
                    }
                } else {
                    match (first.before.map(|a| self.m(a)), to) {
                        (Some(f), Some(t)) => Some(tf(
                            "overall",
                            &[
                                ("count", &count_text),
                                ("first", &f),
                                ("now", &t),
                                ("unit", unit),
                            ],
                        )),
                        _ => None,
                    }
                }
            }
            _ => None,
        };
        let approved = approved.map(|a| {
            let tag = a.tag.as_str();
            let when = a.date.map(|d| format!(", {}", date(d))).unwrap_or_default();
            let text = match a.all.iter().find(|m| m.code == plan.agency.value) {
                Some(mv) if mv.before.is_some() => {
                    let words = self.move_words(mv.delta());
                    let (b, now) = (
                        self.m(mv.before.unwrap_or_default()),
                        self.m(mv.after.unwrap_or_default()),
                    );
                    if mv.delta() == Amount::ZERO {
                        tf(
                            "approved_unchanged",
                            &[("tag", tag), ("when", &when), ("now", &now), ("unit", unit)],
                        )
                    } else {
                        tf(
                            "approved_moved",
                            &[
                                ("tag", tag),
                                ("when", &when),
                                ("words", &words),
                                ("before", &b),
                                ("now", &now),
                            ],
                        )
                    }
                }
                _ => tf("approved_absent", &[("tag", tag), ("when", &when)]),
            };
            ApprovedNote { tag, text }
        });
        // Said when there is no commit to show.
        let partial_text = tf("partial", &[]);
        let empty = if h.files.shallow {
            partial_text.clone()
        } else {
            tf("not_committed", &[])
        };
        Some(History {
            last_updated: last.and_then(|r| {
                r.date.map(|d| DateIso {
                    date: date(d),
                    iso: d.format("%Y-%m-%d").to_string(),
                })
            }),
            uncommitted: fh.uncommitted,
            partial: h.files.shallow,
            count,
            overall,
            revisions,
            approved,
            labels: HistoryLabels {
                last_updated: tf("last_updated", &[]),
                uncommitted: tf("uncommitted", &[]),
                not_committed: empty,
                summary: tf("summary", &[("count", &count_text)]),
                caption: tf("caption", &[("unit", unit)]),
                date: tf("date", &[]),
                author: tf("author", &[]),
                message: tf("message", &[]),
                planned: tf("planned", &[]),
                delta: tf("delta", &[]),
                partial: partial_text,
            },
        })
    }

    /// Context of `partials/approved-changes.html` on a consolidated page.
    pub(crate) fn since_approved<'h>(
        &self,
        a: &'h crate::git::Approved,
        year: i32,
    ) -> SinceApproved<'h> {
        let unit = self.unit_label();
        let tf = |key: &str, args: &[(&str, &str)]| self.theme.tf("since_approved", key, args);
        let tag = a.tag.as_str();
        let when = a.date.map(|d| format!(", {}", date(d))).unwrap_or_default();
        let delta = a.after - a.before;
        let words = self.move_words(delta);
        let (b, now) = (self.m(a.before), self.m(a.after));
        let n = a.agencies.len();
        let text = if n == 0 {
            tf(
                "unchanged",
                &[("tag", tag), ("when", &when), ("now", &now), ("unit", unit)],
            )
        } else {
            tf(
                "changed",
                &[
                    ("tag", tag),
                    ("when", &when),
                    ("n", &n.to_string()),
                    ("words", &words),
                    ("before", &b),
                    ("now", &now),
                ],
            )
        };
        let agencies = a
            .agencies
            .iter()
            .map(|m| ApprovedMove {
                code: &m.code,
                name: &m.name,
                url: m.after.map(|_| format!("{}/", m.code)),
                before: m.before.map(|x| self.m(x)),
                after: m.after.map(|x| self.m(x)),
                delta: signed_money(m.delta(), self.lang),
                words: self.move_words(m.delta()),
            })
            .collect();
        SinceApproved {
            tag,
            year,
            text,
            agencies,
            labels: SinceApprovedLabels {
                heading: tf("heading", &[]),
                caption: tf("caption", &[("tag", tag), ("unit", unit)]),
                agency: tf("agency", &[]),
                before: tf("before", &[]),
                after: tf("after", &[]),
                delta: tf("delta", &[]),
                none: tf("none", &[]),
            },
        }
    }
}

/// Rows a page of a split list holds. A VI annex row is the widest (up to
/// about 3 KB of HTML with its texts), so 100 of them keep a page near
/// 300 KB; the narrower lists hold more.
pub(crate) const ANNEX_PAGE_ROWS: usize = 100;
pub(crate) const SPENDING_PAGE_ROWS: usize = 200;
pub(crate) const STATUS_PAGE_ROWS: usize = 200;
/// The whole-document print page carries every row of II.2 and VI up to
/// this many (about 1.5 MB of HTML); past it, the page prints the
/// subtotals and sends the reader to the .docx and .xlsx, which carry all.
pub(crate) const PRINT_FULL_ROWS: usize = 600;
/// Rolled-up lists on the consolidated page (II.3's assessments, IV's
/// projects, II.1's text answers) are shown whole up to this many items,
/// past it they point at the split pages and the agencies' own pages.
const ROLLUP_MAX: usize = 60;

/// The long lists of a cycle that have pages of their own, and the folder
/// under `<year>/` each lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    /// The VI annex, by category.
    Annex,
    /// II.2, last year's spending, by category.
    Spending,
    /// The submission table, by agency group.
    Status,
}

impl ListKind {
    pub(crate) const ALL: [ListKind; 3] = [ListKind::Annex, ListKind::Spending, ListKind::Status];

    pub(crate) fn dir(self) -> &'static str {
        match self {
            ListKind::Annex => "phu-luc",
            ListKind::Spending => "chi-tieu",
            ListKind::Status => "tinh-hinh",
        }
    }

    pub(crate) fn from_dir(d: &str) -> Option<ListKind> {
        Self::ALL.into_iter().find(|k| k.dir() == d)
    }

    fn page_rows(self) -> usize {
        match self {
            ListKind::Annex => ANNEX_PAGE_ROWS,
            ListKind::Spending => SPENDING_PAGE_ROWS,
            ListKind::Status => STATUS_PAGE_ROWS,
        }
    }

    /// The anchor of the consolidated page the list belongs to.
    fn anchor(self) -> &'static str {
        match self {
            ListKind::Annex => "vi",
            ListKind::Spending => "ii-2",
            ListKind::Status => "tinh-hinh",
        }
    }
}

/// The path, under `<year>/`, of page `n` (from 1) of one part of a list.
pub(crate) fn list_url(kind: ListKind, key: &str, n: usize) -> String {
    if n <= 1 {
        format!("{}/{key}/", kind.dir())
    } else {
        format!("{}/{key}/{n}/", kind.dir())
    }
}

/// How many pages a part of `len` rows takes (none when it is empty).
fn page_count(kind: ListKind, len: usize) -> usize {
    len.div_ceil(kind.page_rows())
}

type Projects<'r> = Vec<(&'r crate::model::Agency, &'r crate::model::Project)>;
type SpendingRows<'r> = Vec<(&'r crate::model::Agency, &'r crate::model::SpendingRow)>;

/// The projects of one category in annex order (see
/// [`CycleReport::category_projects`]).
pub(crate) fn category_projects<'r>(r: &'r CycleReport<'_>, cat: &str) -> Projects<'r> {
    r.category_projects(cat).to_vec()
}

fn category_spending<'r>(r: &'r CycleReport<'_>, cat: &str) -> SpendingRows<'r> {
    r.category_spending(cat).to_vec()
}

fn group_entries<'r, 's>(r: &'r CycleReport<'s>, group: &str) -> Vec<&'r Entry<'s>> {
    r.entries
        .iter()
        .filter(|e| e.agency.group.id() == group)
        .collect()
}

/// The keys of a list (categories of the cycle's catalog, or agency
/// groups) with how many rows each has, in the order of the document.
pub(crate) fn list_parts(
    catalog: &Catalog,
    r: &CycleReport<'_>,
    kind: ListKind,
) -> Vec<(String, usize)> {
    match kind {
        ListKind::Annex | ListKind::Spending => catalog
            .categories
            .iter()
            .map(|c| {
                let id = c.id.value.as_str();
                let n = match kind {
                    ListKind::Annex => r.category_projects(id).len(),
                    _ => r.category_spending(id).len(),
                };
                (id.to_string(), n)
            })
            .collect(),
        ListKind::Status => crate::model::Group::CHOICES
            .iter()
            .map(|(g, _)| {
                (
                    g.to_string(),
                    r.entries
                        .iter()
                        .filter(|e| e.agency.group.id() == *g)
                        .count(),
                )
            })
            .collect(),
    }
}

/// Every split page of a cycle: (kind, key, page number).
pub(crate) fn list_pages(catalog: &Catalog, r: &CycleReport<'_>) -> Vec<(ListKind, String, usize)> {
    let mut out = Vec::new();
    for kind in ListKind::ALL {
        for (key, len) in list_parts(catalog, r, kind) {
            for n in 1..=page_count(kind, len) {
                out.push((kind, key.clone(), n));
            }
        }
    }
    out
}

impl<'a> Ctx<'a> {
    /// An agency group's name in the theme's words (`t.groups`), or its
    /// id when the theme has none.
    pub(crate) fn group_name(&self, id: &str) -> String {
        self.theme.strings["groups"]
            .get(id)
            .and_then(Value::as_str)
            .map_or_else(|| id.to_string(), str::to_string)
    }

    fn key_name(&self, kind: ListKind, key: &str) -> String {
        match kind {
            ListKind::Status => self.group_name(key),
            _ => Self::name(&self.catalog.categories, key).to_string(),
        }
    }

    /// The amounts of one subtotal row of the annex.
    fn annex_amounts(&self, t: &Totals) -> AnnexAmounts {
        AnnexAmounts {
            total: self.m(t.total),
            spent: self.m(t.spent),
            planned: self.m(t.planned),
            levels: self.by_code_cells(&self.catalog.levels, &t.by_level),
            kinds: self.by_code_cells(&self.catalog.kinds, &t.by_kind),
        }
    }

    /// The amounts of one subtotal row of II.2.
    fn spending_amounts(&self, t: &Totals) -> SpendingAmounts {
        SpendingAmounts {
            total: self.m(t.spending),
            levels: self.by_code_cells(&self.catalog.levels, &t.spending_by_level),
            kinds: self.by_code_cells(&self.catalog.kinds, &t.spending_by_kind),
        }
    }

    /// The annex or II.2 of the consolidated page of a large cycle: one
    /// subtotal row per category, each linked to the category's pages.
    fn summary_groups<A>(
        &self,
        r: &CycleReport<'_>,
        kind: ListKind,
        up: &str,
        amounts: impl Fn(&Totals) -> A,
    ) -> Vec<SummaryGroup<A>> {
        let zero = Totals::default();
        list_parts(self.catalog, r, kind)
            .into_iter()
            .map(|(key, count)| {
                let sub = r.totals.category(&key).unwrap_or(&zero);
                let pages = page_count(kind, count);
                let words = match (kind, pages) {
                    (ListKind::Annex, 0 | 1) => "count_projects",
                    (ListKind::Annex, _) => "count_projects_pages",
                    (_, 0 | 1) => "count_items",
                    _ => "count_items_pages",
                };
                let (count_s, pages_s) = (count.to_string(), pages.to_string());
                let count_text =
                    self.theme
                        .tf("lists", words, &[("count", &count_s), ("pages", &pages_s)]);
                SummaryGroup {
                    name: self.key_name(kind, &key),
                    rows: [],
                    count,
                    count_text,
                    url: (count > 0).then(|| format!("{up}{}", list_url(kind, &key, 1))),
                    amounts: amounts(sub),
                }
            })
            .collect()
    }

    /// II.2 of the consolidated page of a large cycle, by category.
    fn spending_summary(
        &self,
        r: &CycleReport<'_>,
        up: &str,
    ) -> SpendingTable<'a, SummaryGroup<SpendingAmounts>> {
        SpendingTable {
            amounts: self.spending_amounts(&r.totals),
            groups: self.summary_groups(r, ListKind::Spending, up, |t| self.spending_amounts(t)),
            empty: r.plans().all(|(_, p)| p.spending.is_empty()),
            headers: self.split_headers(),
            with_agency: true,
            summary: Some(true),
            no_foot: None,
            total_label: None,
            caption: None,
        }
    }

    /// The VI annex of the consolidated page of a large cycle, by category.
    fn annex_summary(
        &self,
        r: &CycleReport<'_>,
        up: &str,
    ) -> AnnexTable<'a, SummaryGroup<AnnexAmounts>> {
        AnnexTable {
            amounts: self.annex_amounts(&r.totals),
            groups: self.summary_groups(r, ListKind::Annex, up, |t| self.annex_amounts(t)),
            empty: r.plans().all(|(_, p)| p.projects.is_empty()),
            headers: self.split_headers(),
            summary: Some(true),
            with_agency: Some(true),
            no_foot: None,
            total_label: None,
            caption: None,
        }
    }

    /// The submission table of the consolidated page: one row per agency
    /// group with its counts and amounts, linked to the group's pages.
    fn status_summary(&self, r: &CycleReport<'_>) -> Vec<StatusGroup> {
        use crate::consolidate::{Submission, entries_totals};
        list_parts(self.catalog, r, ListKind::Status)
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(key, n)| {
                let es = group_entries(r, &key);
                let count = |s: Submission| es.iter().filter(|e| e.submission == s).count();
                let t = entries_totals(self.catalog, es.iter().copied());
                StatusGroup {
                    name: self.group_name(&key),
                    url: list_url(ListKind::Status, &key, 1),
                    expected: n,
                    pages: page_count(ListKind::Status, n),
                    on_time: count(Submission::OnTime),
                    late: count(Submission::Late),
                    draft: count(Submission::Draft),
                    missing: count(Submission::Missing),
                    counted: es.iter().filter(|e| e.plan.is_some()).count(),
                    planned: self.m(t.planned),
                    spending: self.m(t.spending),
                }
            })
            .collect()
    }

    /// Context of one page of a split list (`list.html`): page `n` of the
    /// part `key` (a category, or an agency group) of `kind`.
    pub(crate) fn list_page<'p>(
        &'p self,
        r: &'p CycleReport<'_>,
        kind: ListKind,
        key: &str,
        n: usize,
    ) -> Option<ListData<'p>> {
        use crate::consolidate::part_totals;
        let year = r.year;
        let parts = list_parts(self.catalog, r, kind);
        let at = parts.iter().position(|(k, _)| k == key)?;
        let len = parts[at].1;
        let pages = page_count(kind, len);
        if n == 0 || n > pages {
            return None;
        }
        let per = kind.page_rows();
        let range = (n - 1) * per..(n * per).min(len);
        // TT runs over the whole list, as in the workbook and the print.
        let before: usize = parts[..at].iter().map(|(_, c)| c).sum::<usize>() + range.start;
        // Links from this page back to `<year>/…`.
        let depth = list_url(kind, key, n).matches('/').count();
        let up = "../".repeat(depth);
        let name = self.key_name(kind, key);
        let zero = Totals::default();
        let tf = |key: &str, args: &[(&str, &str)]| self.theme.tf("lists", key, args);
        let (n_s, pages_s, len_s, year_s) = (
            n.to_string(),
            pages.to_string(),
            len.to_string(),
            year.to_string(),
        );
        let part_label = tf("page_subtotal", &[("n", &n_s), ("pages", &pages_s)]);
        // "trang 2/7" in captions, nothing when the part is one page.
        let of_pages = if pages > 1 {
            tf("of_pages", &[("n", &n_s), ("pages", &pages_s)])
        } else {
            String::new()
        };
        let whole_label = tf("part_subtotal", &[("name", &name), ("len", &len_s)]);
        // A split annex or II.2 page has the category's rows as its one
        // group, under them the page's subtotal (or, on a one-page
        // category, the category's), and the category's total in the foot
        // only when there are several pages.
        let sub_label = if pages > 1 {
            part_label.clone()
        } else {
            format!("{}: {name}", self.theme.t("subtotal"))
        };
        let (table, heading) = match kind {
            ListKind::Annex => {
                let all = category_projects(r, key);
                let page = &all[range.clone()];
                let rows: Vec<ProjectRow<'p>> = page
                    .iter()
                    .enumerate()
                    .map(|(i, (a, p))| {
                        let url = format!("{up}{}/#{}", a.code.value, p.id.value);
                        ProjectRow {
                            agency: Some(a.name_in(year)),
                            ..self.project_row(p, before + i + 1, Some(url))
                        }
                    })
                    .collect();
                let cat = r.totals.category(key).unwrap_or(&zero);
                let sub = if pages > 1 {
                    part_totals(self.catalog, page.iter().map(|(_, p)| *p), [])
                } else {
                    cat.clone()
                };
                let (annex, unit, total, planned, total_word) = (
                    self.theme.t("annex"),
                    self.unit_label(),
                    self.m(cat.total),
                    self.m(cat.planned),
                    self.theme.t("project_total").to_lowercase(),
                );
                let table = AnnexTable {
                    amounts: self.annex_amounts(cat),
                    groups: vec![AnnexGroup {
                        name: name.clone(),
                        rows,
                        amounts: self.annex_amounts(&sub),
                        sub_label: Some(sub_label),
                    }],
                    empty: false,
                    headers: self.split_headers(),
                    summary: None,
                    with_agency: None,
                    no_foot: Some(pages <= 1),
                    total_label: Some(whole_label),
                    caption: Some(tf(
                        "caption_annex",
                        &[
                            ("annex", &annex),
                            ("year", &year_s),
                            ("name", &name),
                            ("of_pages", &of_pages),
                            ("unit", unit),
                            ("total_word", &total_word),
                            ("total", &total),
                            ("planned", &planned),
                        ],
                    )),
                };
                (
                    ListTable::Annex(table),
                    format!("{} {year}", self.theme.t("annex")),
                )
            }
            ListKind::Spending => {
                let all = category_spending(r, key);
                let page = &all[range.clone()];
                let rows: Vec<SpendingRowData<'p>> = page
                    .iter()
                    .enumerate()
                    .map(|(i, (a, s))| {
                        let url = format!("{up}{}/#ii-2", a.code.value);
                        self.spending_row(s, before + i + 1, a.name_in(year), Some(url))
                    })
                    .collect();
                let cat = r.totals.category(key).unwrap_or(&zero);
                let sub = if pages > 1 {
                    part_totals(self.catalog, [], page.iter().map(|(_, s)| *s))
                } else {
                    cat.clone()
                };
                let (title, prior, unit, total) = (
                    self.theme.t("spending_title"),
                    year - 1,
                    self.unit_label(),
                    self.m(cat.spending),
                );
                let table = SpendingTable {
                    amounts: self.spending_amounts(cat),
                    groups: vec![SpendingGroup {
                        name: name.clone(),
                        rows,
                        amounts: self.spending_amounts(&sub),
                        sub_label: Some(sub_label),
                    }],
                    empty: false,
                    headers: self.split_headers(),
                    with_agency: true,
                    summary: None,
                    no_foot: Some(pages <= 1),
                    total_label: Some(whole_label),
                    caption: Some(tf(
                        "caption_spending",
                        &[
                            ("title", &title),
                            ("prior", &prior.to_string()),
                            ("name", &name),
                            ("of_pages", &of_pages),
                            ("unit", unit),
                            ("total", &total),
                        ],
                    )),
                };
                (
                    ListTable::Spending(table),
                    format!("{} {}", self.theme.t("spending_title"), year - 1),
                )
            }
            ListKind::Status => {
                let all = group_entries(r, key);
                let page = &all[range.clone()];
                let rows: Vec<EntryRow<'p>> = page
                    .iter()
                    .enumerate()
                    .map(|(i, e)| EntryRow {
                        tt: Some(before + i + 1),
                        ..self.entry_row(e, r)
                    })
                    .collect();
                let whole = crate::consolidate::entries_totals(self.catalog, all.iter().copied());
                let part = crate::consolidate::entries_totals(self.catalog, page.iter().copied());
                let counted = |es: &[&Entry<'_>]| es.iter().filter(|e| e.plan.is_some()).count();
                let (what, expected, unit, planned) = (
                    self.theme.t("submission_status"),
                    all.len(),
                    self.unit_label(),
                    self.m(whole.planned),
                );
                let table = StatusTable {
                    rows,
                    part: (pages > 1).then(|| StatusPart {
                        label: part_label,
                        planned: self.m(part.planned),
                        spending: self.m(part.spending),
                        counted: counted(page),
                        expected: page.len(),
                    }),
                    total: StatusPart {
                        label: format!("{}: {name}", self.theme.t("subtotal")),
                        planned: self.m(whole.planned),
                        spending: self.m(whole.spending),
                        counted: counted(&all),
                        expected: all.len(),
                    },
                    caption: tf(
                        "caption_status",
                        &[
                            ("what", &what),
                            ("year", &year_s),
                            ("name", &name),
                            ("of_pages", &of_pages),
                            ("expected", &expected.to_string()),
                            ("planned", &planned),
                            ("unit", unit),
                        ],
                    ),
                };
                (
                    ListTable::Status(table),
                    format!("{} {year}", self.theme.t("submission_status")),
                )
            }
        };
        let page_links = (1..=pages)
            .map(|i| PageLink {
                n: i,
                url: format!("{up}{}", list_url(kind, key, i)),
                current: i == n,
            })
            .collect();
        let siblings = parts
            .iter()
            .filter(|(_, c)| *c > 0)
            .map(|(k, c)| Sibling {
                name: self.key_name(kind, k),
                count: *c,
                url: format!("{up}{}", list_url(kind, k, 1)),
                current: k == key,
            })
            .collect();
        let drafts = crate::consolidate::Submission::Draft;
        Some(ListData {
            year,
            prior_year: year - 1,
            title: &r.meta.title,
            kind: match kind {
                ListKind::Annex => "annex",
                ListKind::Spending => "spending",
                ListKind::Status => "status",
            },
            heading,
            name,
            page: n,
            pages,
            count: len,
            page_links,
            siblings,
            back: format!("{up}#{}", kind.anchor()),
            year_url: up.clone(),
            prev: (n > 1).then(|| format!("{up}{}", list_url(kind, key, n - 1))),
            next: (n < pages).then(|| format!("{up}{}", list_url(kind, key, n + 1))),
            table,
            has_drafts: r
                .entries
                .iter()
                .any(|e| e.submission == drafts && e.plan.is_some()),
            deadline: date(r.meta.deadline.value),
        })
    }
}
