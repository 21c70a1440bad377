//! The theme API: what each template receives, one struct per template and
//! per partial's data. `docs/themes.md` mirrors these structs field by
//! field; a field renamed here breaks every site's own templates, so names
//! stay as the templates have always read them.
//!
//! Every page sees `site` (`SiteContext`), `t` (the theme's strings),
//! `root` (the way back to the site's root), `page` (`PageMeta`) and `data`,
//! the page's own struct below. Amounts and dates arrive formatted, in the
//! site's language: templates only lay things out.

use serde::Serialize;

/// `site`: what every page knows of the site.
#[derive(Serialize)]
pub(crate) struct SiteContext<'a> {
    /// The site's title (`site.yaml`'s `title`).
    pub(crate) title: &'a str,
    /// The province's name.
    pub(crate) province: &'a str,
    /// Where the site is published, without a trailing slash.
    pub(crate) base_url: &'a str,
    /// The language code of the pages, `vi` or `en`.
    pub(crate) lang: &'static str,
    /// The money unit's label, `triệu đồng`.
    pub(crate) unit: &'static str,
    /// Whether draft plans are on the site (`--drafts`, `serve`).
    pub(crate) drafts: bool,
    /// The path part of `base_url`, with a trailing slash: where the 404
    /// page's absolute links start.
    pub(crate) base_path: String,
    /// Who runs the portal (`site.yaml`'s `owner`), for the footer.
    pub(crate) owner: Option<OwnerContext<'a>>,
}

/// `site.owner`: the portal's owner, as the law on e-portals asks the
/// footer to name it.
#[derive(Serialize)]
pub(crate) struct OwnerContext<'a> {
    /// The owning agency's name.
    pub(crate) agency: &'a str,
    /// Its postal address.
    pub(crate) address: Option<&'a str>,
    /// Its phone.
    pub(crate) phone: Option<&'a str>,
    /// Its e-mail.
    pub(crate) email: Option<&'a str>,
    /// Who is responsible for the content.
    pub(crate) responsible: Option<&'a str>,
    /// The portal's licence.
    pub(crate) licence: Option<&'a str>,
}

/// `page`: the page's own metadata.
#[derive(Serialize)]
pub(crate) struct PageMeta<'a> {
    /// The `<title>`.
    pub(crate) title: &'a str,
    /// The meta description.
    pub(crate) description: &'a str,
    /// The page's path under the root, `2019/so-tttt/` (`""` for the home
    /// page).
    pub(crate) path: &'a str,
    /// `base_url` and `path`: the canonical link.
    pub(crate) canonical: String,
}

/// The `data` of a page: one struct per template.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum PageData<'a> {
    /// `index.html`.
    Index(Box<IndexData<'a>>),
    /// `agencies.html`.
    Agencies(Box<AgenciesData>),
    /// `agency.html`.
    Agency(Box<AgencyData<'a>>),
    /// `plan.html`.
    Plan(Box<PlanData<'a>>),
    /// `cycle.html`.
    Cycle(Box<CycleData<'a>>),
    /// `list.html`.
    List(Box<ListData<'a>>),
    /// `404.html`.
    NotFound(NotFoundData),
}

/// `404.html`'s `data`: nothing; the page says what `t.not_found_text` says.
#[derive(Serialize)]
pub(crate) struct NotFoundData {}

/// A link to page `n` of a paged list (`partials/pager.html`).
#[derive(Serialize)]
pub(crate) struct PageLink {
    /// The page's number, from 1.
    pub(crate) n: usize,
    /// Its link, relative to the current page.
    pub(crate) url: String,
    /// Whether it is the current page.
    pub(crate) current: bool,
}

// ---------------------------------------------------------------- index

/// `index.html`'s `data`: the home page.
#[derive(Serialize)]
pub(crate) struct IndexData<'a> {
    /// The cycles, newest first.
    pub(crate) cycles: Vec<CycleSummary<'a>>,
    /// Every agency that has a page, when the site has few enough to list
    /// them here; empty otherwise.
    pub(crate) agencies: Vec<AgencyLink<'a>>,
    /// Past that, the agency groups, each linking to its own pages; empty
    /// when `agencies` lists them.
    pub(crate) agency_groups: Vec<AgencyGroupLink>,
}

/// One cycle on the home page.
#[derive(Serialize)]
pub(crate) struct CycleSummary<'a> {
    /// The plan's year.
    pub(crate) year: i32,
    /// The consolidated plan's title.
    pub(crate) title: &'a str,
    /// Link to the consolidated page, `2019/`.
    pub(crate) url: String,
    /// Planned for the year, all agencies.
    pub(crate) planned: String,
    /// Spent the year before, all agencies.
    pub(crate) spending: String,
    /// How many projects the plans hold.
    pub(crate) projects: usize,
    /// How many agencies were expected to submit.
    pub(crate) expected: usize,
    /// How many submitted, on time or late.
    pub(crate) submitted: usize,
    /// How many submitted late.
    pub(crate) late: usize,
    /// How many did not submit.
    pub(crate) missing: usize,
    /// How many sent only a draft.
    pub(crate) draft: usize,
    /// The submission deadline.
    pub(crate) deadline: String,
}

/// One agency listed on the home page.
#[derive(Serialize)]
pub(crate) struct AgencyLink<'a> {
    /// The agency's code.
    pub(crate) code: &'a str,
    /// Its name.
    pub(crate) name: &'a str,
    /// The name of its group (`t.groups`).
    pub(crate) group: String,
    /// Link to its page, `agencies/<code>/`.
    pub(crate) url: String,
}

/// One agency group on the home page of a large site.
#[derive(Serialize)]
pub(crate) struct AgencyGroupLink {
    /// The group's name.
    pub(crate) name: String,
    /// How many agencies it has.
    pub(crate) count: usize,
    /// Link to its first page, `co-quan/<group>/`.
    pub(crate) url: String,
    /// How many pages list it.
    pub(crate) pages: usize,
}

// ---------------------------------------------------------------- agencies

/// `agencies.html`'s `data`: one page of the agencies of a group.
#[derive(Serialize)]
pub(crate) struct AgenciesData {
    /// The page's heading.
    pub(crate) heading: String,
    /// The group's name.
    pub(crate) name: String,
    /// The agencies of this page.
    pub(crate) agencies: Vec<NameLink>,
    /// This page's number, from 1.
    pub(crate) page: usize,
    /// How many pages the group has.
    pub(crate) pages: usize,
    /// Links to every page of the group.
    pub(crate) page_links: Vec<PageLink>,
    /// The previous page, if any.
    pub(crate) prev: Option<String>,
    /// The next page, if any.
    pub(crate) next: Option<String>,
}

/// A name and its link.
#[derive(Serialize)]
pub(crate) struct NameLink {
    /// The name.
    pub(crate) name: String,
    /// The link, relative to the page.
    pub(crate) url: String,
}

// ---------------------------------------------------------------- agency

/// `agency.html`'s `data`: one agency over the years.
#[derive(Serialize)]
pub(crate) struct AgencyData<'a> {
    /// The agency's code.
    pub(crate) code: &'a str,
    /// Its current name.
    pub(crate) name: &'a str,
    /// Its e-mail.
    pub(crate) email: Option<&'a str>,
    /// Its group's name.
    pub(crate) group: String,
    /// Each cycle it (or a body it succeeded) was in, newest first.
    pub(crate) years: Vec<AgencyYear<'a>>,
    /// Its phone.
    pub(crate) phone: Option<&'a str>,
    /// The body that took over its work, once it ended.
    pub(crate) successor: Option<Successor<'a>>,
    /// The bodies whose work it took over, nearest first.
    pub(crate) predecessors: Vec<Predecessor<'a>>,
    /// Each project with money planned, with what was reported spent on
    /// it the year after.
    pub(crate) outturn: Vec<Outturn<'a>>,
    /// Spent and planned by year (`partials/chart.html`).
    pub(crate) chart: ChartData,
}

/// One cycle on an agency's page.
#[derive(Serialize)]
pub(crate) struct AgencyYear<'a> {
    /// The year.
    pub(crate) year: i32,
    /// `on-time`, `late`, `draft` or `missing`.
    pub(crate) submission: &'static str,
    /// The same in words.
    pub(crate) submission_label: String,
    /// Planned for the year.
    pub(crate) planned: String,
    /// Spent the year before.
    pub(crate) spending: String,
    /// How many projects the plan holds.
    pub(crate) projects: usize,
    /// Link to the plan's page, when it is published.
    pub(crate) url: Option<String>,
    /// The name the plan was filed under that year.
    pub(crate) name: &'a str,
    /// Whether a predecessor filed it (the agency did not exist yet).
    pub(crate) joined: bool,
    /// Link to the page of the agency that filed it.
    pub(crate) agency_url: String,
}

/// The successor of an agency that ended.
#[derive(Serialize)]
pub(crate) struct Successor<'a> {
    /// Its code.
    pub(crate) code: &'a str,
    /// Its name the year after the agency ended.
    pub(crate) name: &'a str,
    /// Link to its page.
    pub(crate) url: String,
    /// "Succeeded by … from {year}" (`t.succeeded_by`).
    pub(crate) note: String,
}

/// A predecessor of an agency.
#[derive(Serialize)]
pub(crate) struct Predecessor<'a> {
    /// Its code.
    pub(crate) code: &'a str,
    /// Its name in its last year.
    pub(crate) name: &'a str,
    /// Its last year.
    pub(crate) until: Option<i32>,
    /// Link to its page.
    pub(crate) url: String,
}

/// One project of an agency, planned against reported.
#[derive(Serialize)]
pub(crate) struct Outturn<'a> {
    /// The plan's year.
    pub(crate) year: i32,
    /// The project's id.
    pub(crate) id: &'a str,
    /// Its name.
    pub(crate) name: &'a str,
    /// Link to it on its plan's page.
    pub(crate) url: String,
    /// Planned for the year.
    pub(crate) planned: String,
    /// What next year's II.2 reports spent on it, if it says.
    pub(crate) reported: Option<String>,
}

// ---------------------------------------------------------------- charts

/// A chart (`partials/chart.html`): an SVG and the same figures as a table.
#[derive(Serialize)]
pub(crate) struct ChartData {
    /// The chart's id, `c-category`.
    pub(crate) id: String,
    /// Its title.
    pub(crate) title: String,
    /// Its figures in one sentence, for screen readers.
    pub(crate) desc: String,
    /// The SVG, ready to include.
    pub(crate) svg: String,
    /// The table's column headers.
    pub(crate) header: Vec<String>,
    /// The table's rows, one cell per header.
    pub(crate) rows: Vec<Vec<String>>,
    /// The unit of the figures.
    pub(crate) unit: String,
}

// ---------------------------------------------------------------- tables

/// Column headers of the budget levels and kinds of the cycle's catalog.
#[derive(Serialize)]
pub(crate) struct Headers<'a> {
    /// The levels' names.
    pub(crate) levels: Vec<&'a str>,
    /// The kinds' names.
    pub(crate) kinds: Vec<&'a str>,
}

/// The amounts of a II.2 total row.
#[derive(Serialize)]
pub(crate) struct SpendingAmounts {
    /// The total.
    pub(crate) total: String,
    /// By level, one cell per `headers.levels` (blank for nothing).
    pub(crate) levels: Vec<String>,
    /// By kind, one cell per `headers.kinds`.
    pub(crate) kinds: Vec<String>,
}

/// The amounts of a VI annex total row.
#[derive(Serialize)]
pub(crate) struct AnnexAmounts {
    /// Total cost.
    pub(crate) total: String,
    /// Spent before the year.
    pub(crate) spent: String,
    /// Planned for the year.
    pub(crate) planned: String,
    /// Planned by level, one cell per `headers.levels`.
    pub(crate) levels: Vec<String>,
    /// Planned by kind, one cell per `headers.kinds`.
    pub(crate) kinds: Vec<String>,
}

/// II.2 (`partials/spending.html`, as `sp`): last year's spending by
/// category. Its groups are `SpendingGroup`s with their rows, or on a
/// large cycle's consolidated page `SummaryGroup`s linked to the pages by
/// category.
#[derive(Serialize)]
pub(crate) struct SpendingTable<'a, G> {
    /// The grand total.
    #[serde(flatten)]
    pub(crate) amounts: SpendingAmounts,
    /// One group per category.
    pub(crate) groups: Vec<G>,
    /// Whether there is no row at all.
    pub(crate) empty: bool,
    /// The levels' and kinds' column headers.
    pub(crate) headers: Headers<'a>,
    /// Whether rows name their agency (the consolidated page).
    pub(crate) with_agency: bool,
    /// Whether the groups are subtotals only (set only then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) summary: Option<bool>,
    /// On a split list's page: whether the foot row is left out (the page
    /// is the whole category).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) no_foot: Option<bool>,
    /// On a split list's page: the foot row's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) total_label: Option<String>,
    /// On a split list's page: the table's caption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) caption: Option<String>,
}

/// One category of II.2, with its rows.
#[derive(Serialize)]
pub(crate) struct SpendingGroup<'a> {
    /// The category's name.
    pub(crate) name: String,
    /// Its rows.
    pub(crate) rows: Vec<SpendingRowData<'a>>,
    /// Its subtotal.
    #[serde(flatten)]
    pub(crate) amounts: SpendingAmounts,
    /// On a split list's page: the subtotal row's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sub_label: Option<String>,
}

/// One row of II.2.
#[derive(Serialize)]
pub(crate) struct SpendingRowData<'a> {
    /// Its number (TT), running over the whole table.
    pub(crate) tt: usize,
    /// The agency that wrote it.
    pub(crate) agency: &'a str,
    /// On a split list's page: link to the row on its plan's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
    /// The task.
    pub(crate) task: &'a str,
    /// Spent.
    pub(crate) total: String,
    /// By level, one cell per `headers.levels`.
    pub(crate) levels: Vec<String>,
    /// By kind, one cell per `headers.kinds`.
    pub(crate) kinds: Vec<String>,
    /// The legal basis of the spending.
    pub(crate) basis: Option<&'a str>,
}

/// One category of a summary table (II.2 or VI of a large cycle): its
/// subtotal and link to its pages, no rows.
#[derive(Serialize)]
pub(crate) struct SummaryGroup<A> {
    /// The category's name.
    pub(crate) name: String,
    /// Always empty: the rows are on the category's pages.
    pub(crate) rows: [(); 0],
    /// How many rows the category has.
    pub(crate) count: usize,
    /// The same, and the number of pages, in words.
    pub(crate) count_text: String,
    /// Link to the category's first page; none when it has no row.
    pub(crate) url: Option<String>,
    /// The subtotal (`SpendingAmounts` or `AnnexAmounts`).
    #[serde(flatten)]
    pub(crate) amounts: A,
}

/// The VI annex (`partials/annex.html`, as `ax`): the projects by
/// category. Groups as in `SpendingTable`.
#[derive(Serialize)]
pub(crate) struct AnnexTable<'a, G> {
    /// The grand total.
    #[serde(flatten)]
    pub(crate) amounts: AnnexAmounts,
    /// One group per category that has projects (every category in a
    /// summary).
    pub(crate) groups: Vec<G>,
    /// Whether there is no project at all.
    pub(crate) empty: bool,
    /// The levels' and kinds' column headers.
    pub(crate) headers: Headers<'a>,
    /// Whether the groups are subtotals only (set only then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) summary: Option<bool>,
    /// Set (true) in a summary: rows would name their agency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) with_agency: Option<bool>,
    /// On a split list's page: whether the foot row is left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) no_foot: Option<bool>,
    /// On a split list's page: the foot row's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) total_label: Option<String>,
    /// On a split list's page: the table's caption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) caption: Option<String>,
}

/// One category of the annex, with its projects.
#[derive(Serialize)]
pub(crate) struct AnnexGroup<'a> {
    /// The category's name.
    pub(crate) name: String,
    /// Its projects.
    pub(crate) rows: Vec<ProjectRow<'a>>,
    /// Its subtotal.
    #[serde(flatten)]
    pub(crate) amounts: AnnexAmounts,
    /// On a split list's page: the subtotal row's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sub_label: Option<String>,
}

/// One project: a row of the annex, or of a plan page's section IV.
#[derive(Serialize)]
pub(crate) struct ProjectRow<'a> {
    /// Its number (TT).
    pub(crate) tt: usize,
    /// Its id, the anchor of its row on its plan's page.
    pub(crate) id: &'a str,
    /// Its priority within its agency, 1 first.
    pub(crate) priority: i64,
    /// Its name.
    pub(crate) name: &'a str,
    /// Its category's name.
    pub(crate) category: &'a str,
    /// Its objective.
    pub(crate) objective: Option<&'a str>,
    /// `2019` or `2019–2021`.
    pub(crate) period: String,
    /// The lead agency's name.
    pub(crate) lead: &'a str,
    /// The partner agencies' names, comma-separated.
    pub(crate) partners: String,
    /// What is done so far.
    pub(crate) done: Option<&'a str>,
    /// What is left for the year.
    pub(crate) todo: Option<&'a str>,
    /// Total cost.
    pub(crate) total: String,
    /// Spent before the year.
    pub(crate) spent: String,
    /// Planned for the year.
    pub(crate) planned: String,
    /// Planned by level, one cell per `headers.levels`.
    pub(crate) levels: Vec<String>,
    /// Planned by kind, one cell per `headers.kinds`.
    pub(crate) kinds: Vec<String>,
    /// The levels in one line, `Tỉnh: 300; Huyện: 100`.
    pub(crate) levels_text: String,
    /// The kinds in one line.
    pub(crate) kinds_text: String,
    /// The investor.
    pub(crate) investor: Option<&'a str>,
    /// Its approval decision.
    pub(crate) approval: Option<&'a str>,
    /// Why it is needed.
    pub(crate) necessity: Option<&'a str>,
    /// The standards it follows.
    pub(crate) standards: Option<&'a str>,
    /// Where.
    pub(crate) location: Option<&'a str>,
    /// A note.
    pub(crate) note: Option<&'a str>,
    /// Link to the project on its plan's page (`#<id>` there).
    pub(crate) url: Option<String>,
    /// In the annex: the agency's name (absent in section IV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) agency: Option<&'a str>,
}

// ---------------------------------------------------------------- submission

/// One agency of a cycle's submission table (`partials/status.html`), and
/// a plan page's `data.agency`.
#[derive(Serialize)]
pub(crate) struct EntryRow<'a> {
    /// Its number (TT) on a split list's page (absent elsewhere: the
    /// table numbers its rows itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tt: Option<usize>,
    /// Why there is no amount, when no plan is published: "chưa gửi",
    /// "bản nháp, chưa tính".
    pub(crate) absent: Option<String>,
    /// How many days late it submitted (or is, while the cycle is open).
    pub(crate) days_late: Option<String>,
    /// The agency's code.
    pub(crate) code: &'a str,
    /// Its name in the cycle's year.
    pub(crate) name: &'a str,
    /// Its group's name.
    pub(crate) group: String,
    /// `on-time`, `late`, `draft` or `missing`.
    pub(crate) submission: &'static str,
    /// The same in words.
    pub(crate) submission_label: String,
    /// When the published plan was submitted.
    pub(crate) submitted: Option<String>,
    /// Planned for the year.
    pub(crate) planned: String,
    /// Spent the year before.
    pub(crate) spending: String,
    /// How many projects the plan holds.
    pub(crate) projects: usize,
    /// Link to the plan's page, `2019/<code>/`, when it is published.
    pub(crate) url: Option<String>,
}

/// The total row of the consolidated page's submission table.
#[derive(Serialize)]
pub(crate) struct StatusTotal {
    /// Planned, over the plans that count.
    pub(crate) planned: String,
    /// Spent the year before, over the same plans.
    pub(crate) spending: String,
    /// How many plans count.
    pub(crate) counted: usize,
    /// How many projects they hold.
    pub(crate) projects: usize,
}

/// One agency group of the submission table of a large cycle.
#[derive(Serialize)]
pub(crate) struct StatusGroup {
    /// The group's name.
    pub(crate) name: String,
    /// Link to its first page.
    pub(crate) url: String,
    /// How many agencies were expected.
    pub(crate) expected: usize,
    /// How many pages list them.
    pub(crate) pages: usize,
    /// How many submitted on time.
    pub(crate) on_time: usize,
    /// How many submitted late.
    pub(crate) late: usize,
    /// How many sent only a draft.
    pub(crate) draft: usize,
    /// How many did not submit.
    pub(crate) missing: usize,
    /// How many plans count.
    pub(crate) counted: usize,
    /// Planned, over those plans.
    pub(crate) planned: String,
    /// Spent the year before.
    pub(crate) spending: String,
}

/// The submission counts of a cycle.
#[derive(Serialize)]
pub(crate) struct Counts {
    /// Submitted on time.
    pub(crate) on_time: usize,
    /// Submitted late.
    pub(crate) late: usize,
    /// Only a draft.
    pub(crate) draft: usize,
    /// Not submitted.
    pub(crate) missing: usize,
    /// Expected.
    pub(crate) expected: usize,
}

/// A total row of a split submission list.
#[derive(Serialize)]
pub(crate) struct StatusPart {
    /// The row's label.
    pub(crate) label: String,
    /// Planned, over the plans that count.
    pub(crate) planned: String,
    /// Spent the year before.
    pub(crate) spending: String,
    /// How many plans count.
    pub(crate) counted: usize,
    /// How many agencies the row covers.
    pub(crate) expected: usize,
}

/// A page of the submission table by group (`partials/status.html`, as
/// `st`).
#[derive(Serialize)]
pub(crate) struct StatusTable<'a> {
    /// The agencies of the page.
    pub(crate) rows: Vec<EntryRow<'a>>,
    /// The page's own total, when the group has several pages.
    pub(crate) part: Option<StatusPart>,
    /// The group's total.
    pub(crate) total: StatusPart,
    /// The table's caption.
    pub(crate) caption: String,
}

// ---------------------------------------------------------------- indicators

/// One indicator of a plan page's II.1 (`partials/indicators.html`).
#[derive(Serialize)]
pub(crate) struct PlanIndicator<'a> {
    /// Its name.
    pub(crate) name: String,
    /// `percent`, `count`, … (`Unit::id`).
    pub(crate) unit: &'static str,
    /// Whether it is the agency's own, not in the catalog.
    pub(crate) other: bool,
    /// Last year's target.
    pub(crate) target: String,
    /// Last year's result.
    pub(crate) actual: String,
    /// This year's goal.
    pub(crate) goal: String,
    /// A text answer, for an indicator that is not a number.
    pub(crate) value: Option<&'a str>,
    /// A note.
    pub(crate) note: Option<&'a str>,
    /// Always empty on a plan page (the consolidated page's answers).
    pub(crate) texts: Vec<IndicatorText<'a>>,
}

/// One indicator of the consolidated page, averaged over its reporters.
#[derive(Serialize)]
pub(crate) struct CycleIndicator<'a> {
    /// Its name.
    pub(crate) name: &'a str,
    /// `percent`, `count`, …
    pub(crate) unit: &'static str,
    /// How many agencies reported it.
    pub(crate) reporters: usize,
    /// Last year's target.
    pub(crate) target: String,
    /// Last year's result.
    pub(crate) actual: String,
    /// This year's goal.
    pub(crate) goal: String,
    /// The agencies' text answers, up to a few dozen.
    pub(crate) texts: Vec<IndicatorText<'a>>,
    /// How many more there are, in words.
    pub(crate) texts_more: Option<String>,
}

/// An agency's text answer to an indicator.
#[derive(Serialize)]
pub(crate) struct IndicatorText<'a> {
    /// The agency's name.
    pub(crate) agency: &'a str,
    /// Its answer.
    pub(crate) text: &'a str,
}

// ---------------------------------------------------------------- plan

/// `plan.html`'s `data`: one agency's plan.
#[derive(Serialize)]
pub(crate) struct PlanData<'a> {
    /// The plan's year.
    pub(crate) year: i32,
    /// The year before, which II.1 and II.2 report on.
    pub(crate) prior_year: i32,
    /// The consolidated plan's title.
    pub(crate) cycle_title: &'a str,
    /// The agency, as in the submission table.
    pub(crate) agency: EntryRow<'a>,
    /// The plan's `status`: `draft`, `submitted`, …
    pub(crate) status: &'static str,
    /// The same in words (`t.statuses`).
    pub(crate) status_label: String,
    /// Whether the plan is a draft.
    pub(crate) is_draft: bool,
    /// Who to contact about the plan.
    pub(crate) contact: Option<ContactData<'a>>,
    /// The legal bases, the cycle's then the plan's own, once each.
    pub(crate) legal_bases: Vec<&'a str>,
    /// II.1.
    pub(crate) indicators: Vec<PlanIndicator<'a>>,
    /// II.2.
    pub(crate) spending: SpendingTable<'a, SpendingGroup<'a>>,
    /// The HTML of the text before the first section.
    pub(crate) preamble: String,
    /// The HTML of the numbered sections.
    pub(crate) sections: PlanSections,
    /// Sections the letter does not number, in order.
    pub(crate) others: Vec<OtherSection<'a>>,
    /// `vi` when the page is in English but the prose is Vietnamese.
    pub(crate) prose_lang: Option<&'static str>,
    /// Section IV: the projects by priority.
    pub(crate) projects: Vec<ProjectRow<'a>>,
    /// The VI annex.
    pub(crate) annex: AnnexTable<'a, AnnexGroup<'a>>,
    /// The charts.
    pub(crate) charts: Vec<ChartData>,
    /// Planned for the year.
    pub(crate) planned: String,
    /// Spent the year before.
    pub(crate) spending_total: String,
    /// The plan's git history (`partials/history.html`); none outside a
    /// git repository.
    pub(crate) history: Option<History<'a>>,
}

/// The contact of a plan.
#[derive(Serialize)]
pub(crate) struct ContactData<'a> {
    /// A name.
    pub(crate) name: Option<&'a str>,
    /// A phone.
    pub(crate) phone: Option<&'a str>,
    /// An e-mail.
    pub(crate) email: Option<&'a str>,
}

/// The HTML of a plan's numbered sections, each none when missing.
#[derive(Serialize)]
pub(crate) struct PlanSections {
    /// II.3, the assessment.
    pub(crate) danh_gia: Option<String>,
    /// III, the objectives.
    pub(crate) muc_tieu: Option<String>,
    /// Orientation.
    pub(crate) dinh_huong: Option<String>,
    /// V, the measures.
    pub(crate) giai_phap: Option<String>,
    /// VII, who carries it out.
    pub(crate) to_chuc: Option<String>,
}

/// A section the letter does not number.
#[derive(Serialize)]
pub(crate) struct OtherSection<'a> {
    /// Its heading.
    pub(crate) title: &'a str,
    /// Its HTML.
    pub(crate) html: String,
}

/// A plan's git history (`partials/history.html`, as `h`).
#[derive(Serialize)]
pub(crate) struct History<'a> {
    /// The last commit's date.
    pub(crate) last_updated: Option<DateIso>,
    /// Whether the file has changes not committed.
    pub(crate) uncommitted: bool,
    /// Whether the repository is a shallow clone.
    pub(crate) partial: bool,
    /// How many commits changed the plan.
    pub(crate) count: usize,
    /// The planned total's movement over the whole history, in words.
    pub(crate) overall: Option<String>,
    /// The commits, newest first.
    pub(crate) revisions: Vec<RevisionRow<'a>>,
    /// The plan against the cycle's approved version.
    pub(crate) approved: Option<ApprovedNote<'a>>,
    /// The block's words (`t.history`).
    pub(crate) labels: HistoryLabels,
}

/// A date, as read and as `<time datetime>` wants it.
#[derive(Serialize)]
pub(crate) struct DateIso {
    /// `04/12/2026`.
    pub(crate) date: String,
    /// `2026-12-04`.
    pub(crate) iso: String,
}

/// One commit of a plan.
#[derive(Serialize)]
pub(crate) struct RevisionRow<'a> {
    /// Its date, as read.
    pub(crate) date: Option<String>,
    /// The same, `YYYY-MM-DD`.
    pub(crate) iso: Option<String>,
    /// Its author.
    pub(crate) author: &'a str,
    /// Its message's first line.
    pub(crate) message: &'a str,
    /// Its short id.
    pub(crate) id: &'a str,
    /// "plan created", "renamed from …".
    pub(crate) note: Option<String>,
    /// The planned total after it.
    pub(crate) planned: Option<String>,
    /// How it moved the planned total, signed.
    pub(crate) delta: Option<String>,
}

/// A plan against the cycle's approved version.
#[derive(Serialize)]
pub(crate) struct ApprovedNote<'a> {
    /// The approval tag.
    pub(crate) tag: &'a str,
    /// The comparison, in one sentence.
    pub(crate) text: String,
}

/// The words of the history block, from `t.history`, `{count}` and
/// `{unit}` put in.
#[derive(Serialize)]
pub(crate) struct HistoryLabels {
    /// "Last updated".
    pub(crate) last_updated: String,
    /// Said of uncommitted changes.
    pub(crate) uncommitted: String,
    /// Said when git has no commit of the plan (or the clone is shallow).
    pub(crate) not_committed: String,
    /// The `<summary>` of the table, with the count.
    pub(crate) summary: String,
    /// The table's caption.
    pub(crate) caption: String,
    /// Column header.
    pub(crate) date: String,
    /// Column header.
    pub(crate) author: String,
    /// Column header.
    pub(crate) message: String,
    /// Column header.
    pub(crate) planned: String,
    /// Column header.
    pub(crate) delta: String,
    /// Said under the table of a shallow clone.
    pub(crate) partial: String,
}

/// The changes of a cycle since its approved version
/// (`partials/approved-changes.html`, as `sa`).
#[derive(Serialize)]
pub(crate) struct SinceApproved<'a> {
    /// The approval tag.
    pub(crate) tag: &'a str,
    /// The cycle's year.
    pub(crate) year: i32,
    /// The changes, in one sentence.
    pub(crate) text: String,
    /// The agencies whose planned total changed.
    pub(crate) agencies: Vec<ApprovedMove<'a>>,
    /// The block's words (`t.since_approved`).
    pub(crate) labels: SinceApprovedLabels,
}

/// One agency's planned total, approved against now.
#[derive(Serialize)]
pub(crate) struct ApprovedMove<'a> {
    /// Its code.
    pub(crate) code: &'a str,
    /// Its name.
    pub(crate) name: &'a str,
    /// Link to its plan's page, while it has a plan.
    pub(crate) url: Option<String>,
    /// Planned in the approved version; none when it was not in it.
    pub(crate) before: Option<String>,
    /// Planned now; none when its plan is gone.
    pub(crate) after: Option<String>,
    /// The difference, signed.
    pub(crate) delta: String,
    /// The difference in words, "up 300 million VND".
    pub(crate) words: String,
}

/// The words of the approved-changes block, from `t.since_approved`,
/// `{tag}` and `{unit}` put in.
#[derive(Serialize)]
pub(crate) struct SinceApprovedLabels {
    /// The heading.
    pub(crate) heading: String,
    /// The table's caption.
    pub(crate) caption: String,
    /// Column header.
    pub(crate) agency: String,
    /// Column header.
    pub(crate) before: String,
    /// Column header.
    pub(crate) after: String,
    /// Column header.
    pub(crate) delta: String,
    /// Said for a missing amount.
    pub(crate) none: String,
}

// ---------------------------------------------------------------- cycle

/// `cycle.html`'s `data`: the consolidated plan of a cycle, or its print
/// page.
#[derive(Serialize)]
pub(crate) struct CycleData<'a> {
    /// The plan's year.
    pub(crate) year: i32,
    /// The year before.
    pub(crate) prior_year: i32,
    /// The consolidated plan's title.
    pub(crate) title: &'a str,
    /// The guiding letter of the department.
    pub(crate) guidance: Option<GuidanceData<'a>>,
    /// The submission deadline.
    pub(crate) deadline: String,
    /// The HTML of `_plan.md`'s text before its first section.
    pub(crate) intro: String,
    /// The legal bases, once each.
    pub(crate) legal_bases: Vec<&'a str>,
    /// The administrative document's heading and signature
    /// (`partials/doc-heading.html`, `partials/doc-signature.html`); none
    /// without `document:` in `_plan.md`.
    pub(crate) document: Option<DocHeading<'a>>,
    /// The title under "KẾ HOẠCH", without the leading "Kế hoạch".
    pub(crate) subtitle: String,
    /// The numbered sections.
    pub(crate) sections: CycleSections<'a>,
    /// The submission table's total row.
    pub(crate) status_total: StatusTotal,
    /// Whether draft plans are shown (and marked).
    pub(crate) has_drafts: bool,
    /// `vi` when the page is in English but `_plan.md` is Vietnamese.
    pub(crate) intro_lang: Option<&'static str>,
    /// Whether this is the print page, `<year>/ban-in/`.
    pub(crate) print_page: bool,
    /// Whether II.2 and VI are whole on the page (else summaries).
    pub(crate) full: bool,
    /// The submission table's rows, when they fit on the page; none on the
    /// print page and on a large cycle (see `status_groups`).
    pub(crate) entries: Option<Vec<EntryRow<'a>>>,
    /// The submission table by agency group.
    pub(crate) status_groups: Vec<StatusGroup>,
    /// The submission counts.
    pub(crate) counts: Counts,
    /// II.1, averaged.
    pub(crate) indicators: Vec<CycleIndicator<'a>>,
    /// II.2, whole or by category.
    pub(crate) spending: CycleSpending<'a>,
    /// The VI annex, whole or by category.
    pub(crate) annex: CycleAnnex<'a>,
    /// The charts.
    pub(crate) charts: Vec<ChartData>,
    /// Planned for the year.
    pub(crate) planned: String,
    /// Spent the year before.
    pub(crate) spending_total: String,
    /// The changes since the approved version
    /// (`partials/approved-changes.html`); none without an approval tag,
    /// and on the print page.
    pub(crate) since_approved: Option<SinceApproved<'a>>,
}

/// II.2 on the consolidated page.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum CycleSpending<'a> {
    /// Every row.
    Full(SpendingTable<'a, SpendingGroup<'a>>),
    /// Subtotals by category, linked to the category's pages.
    Summary(SpendingTable<'a, SummaryGroup<SpendingAmounts>>),
}

/// The VI annex on the consolidated page.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum CycleAnnex<'a> {
    /// Every project.
    Full(AnnexTable<'a, AnnexGroup<'a>>),
    /// Subtotals by category, linked to the category's pages.
    Summary(AnnexTable<'a, SummaryGroup<AnnexAmounts>>),
}

/// The department's guiding letter.
#[derive(Serialize)]
pub(crate) struct GuidanceData<'a> {
    /// Its number.
    pub(crate) number: &'a str,
    /// Its date.
    pub(crate) date: String,
    /// Who issued it.
    pub(crate) issuer: &'a str,
}

/// The administrative document's heading and signature block.
#[derive(Serialize)]
pub(crate) struct DocHeading<'a> {
    /// The issuing body, upper case.
    pub(crate) issuer: String,
    /// The national name.
    pub(crate) quoc_hieu: &'static str,
    /// The motto.
    pub(crate) tieu_ngu: &'static str,
    /// `Số: 123/KH-UBND`, or blanks.
    pub(crate) number: String,
    /// `Quảng Ngãi, ngày … tháng … năm …`.
    pub(crate) place_date: String,
    /// Whether it has a number and a date.
    pub(crate) issued: bool,
    /// `KẾ HOẠCH`.
    pub(crate) kind: &'static str,
    /// The lines of the signer's capacity.
    pub(crate) signer: Vec<String>,
    /// The signer's name.
    pub(crate) signer_name: Option<&'a str>,
    /// Who receives it.
    pub(crate) recipients: &'a [String],
    /// The block's words.
    pub(crate) labels: DocLabels,
}

/// The words of the document's blocks, from `t.document`.
#[derive(Serialize)]
pub(crate) struct DocLabels {
    /// "Nơi nhận".
    pub(crate) recipients: String,
    /// Said of a document not issued yet.
    pub(crate) unissued: String,
}

/// The numbered sections of the consolidated plan.
#[derive(Serialize)]
pub(crate) struct CycleSections<'a> {
    /// II.3, the department's assessment (HTML).
    pub(crate) danh_gia: Option<String>,
    /// III.
    pub(crate) muc_tieu: Option<String>,
    /// Orientation.
    pub(crate) dinh_huong: Option<String>,
    /// V.
    pub(crate) giai_phap: Option<String>,
    /// VII.
    pub(crate) to_chuc: Option<String>,
    /// The agencies' own assessments, when few enough to show.
    pub(crate) assessments: Vec<Assessment<'a>>,
    /// IV: the projects by category, when few enough to show.
    pub(crate) projects_by_category: Vec<CategoryProjects<'a>>,
    /// How many agencies sent an assessment.
    pub(crate) assessed: usize,
    /// Where the assessments are, when too many to show.
    pub(crate) assessments_elsewhere: Option<String>,
    /// Where the projects are, when too many to show.
    pub(crate) projects_elsewhere: Option<String>,
    /// The sections `_plan.md` lacks, `III. Mục tiêu`.
    pub(crate) missing: Vec<String>,
    /// Said in place of a missing section.
    pub(crate) missing_text: String,
}

/// An agency's own assessment.
#[derive(Serialize)]
pub(crate) struct Assessment<'a> {
    /// The agency's name.
    pub(crate) agency: &'a str,
    /// Link to its plan's page.
    pub(crate) url: String,
    /// The HTML.
    pub(crate) html: String,
    /// `vi` when the page is in English but the text is not.
    pub(crate) lang: Option<&'static str>,
}

/// The projects of one category, in section IV.
#[derive(Serialize)]
pub(crate) struct CategoryProjects<'a> {
    /// The category's name.
    pub(crate) name: &'a str,
    /// Its projects, by priority.
    pub(crate) projects: Vec<RollupProject<'a>>,
}

/// A project in section IV of the consolidated plan.
#[derive(Serialize)]
pub(crate) struct RollupProject<'a> {
    /// Its name.
    pub(crate) name: &'a str,
    /// Its agency's name.
    pub(crate) agency: &'a str,
    /// Its priority within its agency.
    pub(crate) priority: i64,
    /// Planned for the year.
    pub(crate) planned: String,
    /// Link to it on its plan's page.
    pub(crate) url: String,
}

// ---------------------------------------------------------------- list

/// `list.html`'s `data`: one page of a long list of a cycle (the annex or
/// II.2 by category, the submission table by group).
#[derive(Serialize)]
pub(crate) struct ListData<'a> {
    /// The cycle's year.
    pub(crate) year: i32,
    /// The year before.
    pub(crate) prior_year: i32,
    /// The consolidated plan's title.
    pub(crate) title: &'a str,
    /// `annex`, `spending` or `status`.
    pub(crate) kind: &'static str,
    /// The list's heading, `Phụ lục 2019`.
    pub(crate) heading: String,
    /// The part's name (a category, or a group).
    pub(crate) name: String,
    /// This page's number, from 1.
    pub(crate) page: usize,
    /// How many pages the part has.
    pub(crate) pages: usize,
    /// How many rows the part has.
    pub(crate) count: usize,
    /// Links to every page of the part.
    pub(crate) page_links: Vec<PageLink>,
    /// The list's other parts.
    pub(crate) siblings: Vec<Sibling>,
    /// Link back to the list on the consolidated page.
    pub(crate) back: String,
    /// Link to the consolidated page.
    pub(crate) year_url: String,
    /// The previous page, if any.
    pub(crate) prev: Option<String>,
    /// The next page, if any.
    pub(crate) next: Option<String>,
    /// The page's table.
    pub(crate) table: ListTable<'a>,
    /// Whether draft plans are shown (and marked).
    pub(crate) has_drafts: bool,
    /// The submission deadline.
    pub(crate) deadline: String,
}

/// The table of a list's page, by `kind`.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum ListTable<'a> {
    /// `annex`: `partials/annex.html`.
    Annex(AnnexTable<'a, AnnexGroup<'a>>),
    /// `spending`: `partials/spending.html`.
    Spending(SpendingTable<'a, SpendingGroup<'a>>),
    /// `status`: `partials/status.html`.
    Status(StatusTable<'a>),
}

/// Another part of a list.
#[derive(Serialize)]
pub(crate) struct Sibling {
    /// Its name.
    pub(crate) name: String,
    /// How many rows it has.
    pub(crate) count: usize,
    /// Link to its first page.
    pub(crate) url: String,
    /// Whether it is the current part.
    pub(crate) current: bool,
}

#[cfg(test)]
mod tests {
    /// docs/themes.md is the theme API: a field added here and not there
    /// would be a variable no theme author knows of.
    #[test]
    fn every_struct_and_field_is_in_the_theme_docs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let src = std::fs::read_to_string(root.join("src/render/context.rs")).unwrap();
        let doc = std::fs::read_to_string(root.join("docs/themes.md")).unwrap();
        let src = &src[..src.find("#[cfg(test)]").unwrap()];
        let mut section = "";
        let mut flatten = false;
        for line in src.lines().map(str::trim) {
            if let Some(rest) = line
                .strip_prefix("pub(crate) struct ")
                .or_else(|| line.strip_prefix("pub(crate) enum "))
            {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let heading = format!("### `{name}`\n");
                let at = doc
                    .find(&heading)
                    .unwrap_or_else(|| panic!("{name} is not in docs/themes.md"));
                let body = &doc[at + heading.len()..];
                section = &body[..body.find("\n### ").unwrap_or(body.len())];
            } else if line.starts_with("#[serde(flatten)]") {
                flatten = true;
            } else if let Some(rest) = line.strip_prefix("pub(crate) ") {
                let field = rest.split(':').next().unwrap_or_default();
                if !flatten {
                    assert!(
                        section.contains(&format!("| `{field}` |")),
                        "field {field} is not in its struct's table in docs/themes.md"
                    );
                }
                flatten = false;
            }
        }
    }
}
