//! Rendering: Markdown, templates, charts, downloads and site files, all in
//! memory. Writing them out is `output`'s job, so `serve` can reuse this.

pub(crate) mod charts;
pub(crate) mod exports;
pub(crate) mod feeds;
pub(crate) mod format;
pub(crate) mod markdown;
pub(crate) mod pages;
pub(crate) mod theme;

use std::path::Path;

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::consolidate::{self, CycleReport};
use crate::diag::{Code, Diagnostic, Pos, Sink, tr};
use crate::model::Site;
use pages::Ctx;
use theme::Theme;

/// One file of the built site: its path under the output folder, `/`
/// separated, and its bytes.
pub(crate) type OutFile = (String, Vec<u8>);

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Options {
    /// Put draft plans on the site, marked as drafts.
    pub(crate) drafts: bool,
}

/// Pages from which a build shows a progress bar.
const PROGRESS_FROM: usize = 200;

/// A page to render: template, output path, depth below the root, title and
/// page-specific context.
struct Page {
    template: &'static str,
    path: String,
    title: String,
    description: String,
    data: Value,
}

/// Renders the whole site. Needs a site that passed validation.
pub(crate) fn render(
    root: &Path,
    site: &Site,
    opts: Options,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let lang = site.lang();
    let (Some(config), Some(catalog)) = (site.config.as_ref(), site.catalog.as_ref()) else {
        let mut sink = Sink::new(lang, "content/site.yaml", true);
        sink.error(
            Code::E070,
            Pos::START,
            tr!(
                lang,
                "Cấu hình site chưa hợp lệ.",
                "The site configuration is not valid."
            ),
        );
        return Err(sink.into_vec());
    };
    let mut theme = Theme::load(root, &config.theme, lang)?;
    theme
        .tera
        .global_context()
        .insert("site", &site_context(config, opts));
    let names = site
        .agencies
        .iter()
        .flatten()
        .map(|a| (a.code.value.as_str(), a.name.as_str()))
        .collect();
    let ctx = Ctx {
        names,
        site,
        catalog,
        theme: &theme,
        lang,
    };
    let reports: Vec<CycleReport<'_>> = site
        .cycles
        .iter()
        .filter_map(|c| consolidate::cycle(site, c, opts.drafts))
        .rev()
        .collect();

    let mut pages: Vec<Page> = Vec::new();
    let mut files: Vec<OutFile> = Vec::new();
    pages.push(index_page(&ctx, &reports));
    for r in &reports {
        // The downloads of a cycle do not depend on its pages: they are
        // written on one core while the pages' contexts use the other.
        let (cycle_pages, downloads) = rayon::join(|| cycle_pages(&ctx, r), || downloads(site, r));
        pages.extend(cycle_pages);
        match downloads {
            Ok(f) => files.extend(f),
            Err(e) => {
                let file = r.meta_file();
                let mut sink = Sink::new(lang, &file, false);
                sink.error(
                    Code::E060,
                    Pos::START,
                    tr!(
                        lang,
                        "Không tạo được bảng tính: {e}",
                        "Cannot write the workbook: {e}"
                    ),
                );
                return Err(sink.into_vec());
            }
        }
    }
    for a in site.agencies.iter().flatten() {
        if let Some(p) = agency_page(&ctx, &reports, a) {
            pages.push(p);
        }
    }
    pages.push(Page {
        template: "404.html",
        path: "404.html".into(),
        title: theme.t("not_found"),
        description: theme.t("not_found_text"),
        data: json!({}),
    });

    // Long builds show progress on a terminal; indicatif draws nothing when
    // stderr is not one.
    let bar = if pages.len() >= PROGRESS_FROM {
        indicatif::ProgressBar::new(pages.len() as u64).with_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {bar:40} {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_message(theme.t("pages"));
    let rendered: Vec<Result<OutFile, Vec<Diagnostic>>> = pages
        .par_iter()
        .inspect(|_| bar.inc(1))
        .map(|p| {
            let depth = p.path.matches('/').count();
            let root_rel = if p.template == "404.html" { base_path(&config.base_url) } else { "../".repeat(depth) };
            let url = p.path.trim_end_matches("index.html");
            let mut c = tera::Context::new();
            c.insert("root", &root_rel);
            c.insert(
                "page",
                &json!({"title": p.title, "description": p.description, "path": url, "canonical": format!("{}/{url}", config.base_url)}),
            );
            c.insert("data", &p.data);
            theme.render(p.template, &c, lang).map(|html| (p.path.clone(), html.into_bytes()))
        })
        .collect();
    bar.finish_and_clear();
    let mut errors = Vec::new();
    for r in rendered {
        match r {
            Ok(f) => files.push(f),
            Err(d) => errors.extend(d),
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
        errors.dedup_by(|a, b| a.file == b.file && a.pos == b.pos && a.message == b.message);
        return Err(errors);
    }
    let page_paths: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.ends_with("index.html"))
        .map(|(p, _)| p.clone())
        .collect();
    files.push((
        "sitemap.xml".into(),
        feeds::sitemap(&config.base_url, &page_paths),
    ));
    files.push(("atom.xml".into(), feeds::atom(config, &reports, &theme)));
    files.push((
        "search-index.json".into(),
        feeds::search_index(&ctx, &reports),
    ));
    files.push((
        "robots.txt".into(),
        format!(
            "User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n",
            config.base_url
        )
        .into_bytes(),
    ));
    files.extend(theme.statics.iter().cloned());
    Ok(files)
}

/// The consolidated page and every published plan's page of a cycle.
fn cycle_pages(ctx: &Ctx<'_>, r: &CycleReport<'_>) -> Vec<Page> {
    let theme = ctx.theme;
    let lang = ctx.lang;
    let mut pages = vec![Page {
        template: "cycle.html",
        path: format!("{}/index.html", r.year),
        title: r.meta.title.clone(),
        description: format!(
            "{} {}: {} {}",
            theme.t("consolidated"),
            r.year,
            theme.t("planned").to_lowercase(),
            format::money(r.totals.planned, lang)
        ),
        data: ctx.cycle_page(r),
    }];
    let plan_pages: Vec<Page> = r
        .entries
        .par_iter()
        .filter_map(|e| {
            let plan = e.plan?;
            Some(Page {
                template: "plan.html",
                path: format!("{}/{}/index.html", r.year, e.agency.code.value),
                title: format!("{} — {} {}", e.agency.name, theme.t("cycle"), r.year),
                description: format!("{} {} {}", theme.t("cycle"), r.year, e.agency.name),
                data: ctx.plan_page(r, e, plan),
            })
        })
        .collect();
    pages.extend(plan_pages);
    pages
}

/// The files under `<year>/data/`.
fn downloads(site: &Site, r: &CycleReport<'_>) -> Result<Vec<OutFile>, String> {
    let data = format!("{}/data", r.year);
    let workbook = exports::workbook(site, r)?;
    Ok(vec![
        (
            format!("{data}/projects.csv"),
            exports::projects_csv(site, r),
        ),
        (
            format!("{data}/spending.csv"),
            exports::spending_csv(site, r),
        ),
        (
            format!("{data}/indicators.csv"),
            exports::indicators_csv(site, r),
        ),
        (format!("{data}/plan.json"), exports::plan_json(site, r)),
        (format!("{data}/ke-hoach-{}.xlsx", r.year), workbook),
    ])
}

/// What every page knows of the site.
fn site_context(config: &crate::model::SiteConfig, opts: Options) -> Value {
    json!({
        "title": config.title, "province": config.province, "base_url": config.base_url,
        "lang": format::lang_code(config.language), "unit": config.money_unit.label(config.language),
        "drafts": opts.drafts, "base_path": base_path(&config.base_url),
    })
}

/// The path part of `base_url`, with a trailing slash: where absolute links
/// of the 404 page start.
fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    format!("{}/", path.trim_end_matches('/'))
}

impl CycleReport<'_> {
    fn meta_file(&self) -> String {
        format!("content/{}/_plan.md", self.year)
    }
}

fn index_page(ctx: &Ctx<'_>, reports: &[CycleReport<'_>]) -> Page {
    let lang = ctx.lang;
    let cycles: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "year": r.year, "title": r.meta.title, "url": format!("{}/", r.year),
                "planned": format::money(r.totals.planned, lang), "spending": format::money(r.totals.spending, lang),
                "projects": r.plans().map(|(_, p)| p.projects.len()).sum::<usize>(),
                "expected": r.entries.len(),
                "submitted": r.count(consolidate::Submission::OnTime) + r.count(consolidate::Submission::Late),
                "late": r.count(consolidate::Submission::Late),
                "missing": r.count(consolidate::Submission::Missing),
                "draft": r.count(consolidate::Submission::Draft),
                "deadline": format::date(r.meta.deadline.value),
            })
        })
        .collect();
    let groups = &ctx.theme.strings["groups"];
    let agencies: Vec<Value> = ctx
        .site
        .agencies
        .iter()
        .flatten()
        .filter(|a| reports.iter().any(|r| r.entries.iter().any(|e| e.agency.code.value == a.code.value)))
        .map(|a| json!({"code": a.code.value, "name": a.name, "group": groups.get(a.group.id()).cloned().unwrap_or(json!(a.group.id())), "url": format!("agencies/{}/", a.code.value)}))
        .collect();
    let title = ctx
        .site
        .config
        .as_ref()
        .map_or_else(String::new, |c| c.title.clone());
    Page {
        template: "index.html",
        path: "index.html".into(),
        description: title.clone(),
        title,
        data: json!({"cycles": cycles, "agencies": agencies}),
    }
}

fn agency_page(
    ctx: &Ctx<'_>,
    reports: &[CycleReport<'_>],
    agency: &crate::model::Agency,
) -> Option<Page> {
    let lang = ctx.lang;
    let mut years = Vec::new();
    let mut chart_rows = Vec::new();
    for r in reports {
        let Some(e) = r
            .entries
            .iter()
            .find(|e| e.agency.code.value == agency.code.value)
        else {
            continue;
        };
        years.push(json!({
            "year": r.year, "submission": e.submission.id(), "submission_label": ctx.theme.t(e.submission.id()),
            "planned": format::money(e.totals.planned, lang), "spending": format::money(e.totals.spending, lang),
            "projects": e.plan.map_or(0, |p| p.projects.len()),
            "url": e.plan.map(|_| format!("{}/{}/", r.year, agency.code.value)),
        }));
        chart_rows.push((r.year, e.totals.spending, e.totals.planned));
    }
    if years.is_empty() {
        return None;
    }
    chart_rows.reverse();
    let unit = ctx
        .site
        .config
        .as_ref()
        .map_or("", |c| c.money_unit.label(lang));
    let labels: Vec<String> = chart_rows.iter().map(|(y, _, _)| y.to_string()).collect();
    let series = vec![
        charts::Series {
            name: ctx.theme.t("series_spending"),
            values: chart_rows.iter().map(|r| r.1.0).collect(),
        },
        charts::Series {
            name: ctx.theme.t("series_planned"),
            values: chart_rows.iter().map(|r| r.2.0).collect(),
        },
    ];
    let desc = chart_rows
        .iter()
        .map(|(y, s, p)| {
            format!(
                "{y}: {} / {} {unit}",
                format::money(*s, lang),
                format::money(*p, lang)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let title = ctx.theme.t("chart_years");
    let chart = charts::Chart {
        id: "c-years".into(),
        title: title.clone(),
        desc: desc.clone(),
        labels: labels.clone(),
        series,
        unit: unit.into(),
        lang,
    };
    let svg = charts::bar_svg(&chart);
    let header = vec![
        ctx.theme.t("year"),
        ctx.theme.t("series_spending"),
        ctx.theme.t("series_planned"),
    ];
    let rows: Vec<Vec<String>> = chart_rows
        .iter()
        .map(|(y, s, p)| {
            vec![
                y.to_string(),
                format::money(*s, lang),
                format::money(*p, lang),
            ]
        })
        .collect();
    let groups = &ctx.theme.strings["groups"];
    Some(Page {
        template: "agency.html",
        path: format!("agencies/{}/index.html", agency.code.value),
        title: agency.name.clone(),
        description: format!("{} — {}", agency.name, ctx.theme.t("plans_of")),
        data: json!({
            "code": agency.code.value, "name": agency.name, "email": agency.email,
            "group": groups.get(agency.group.id()).cloned().unwrap_or(json!(agency.group.id())),
            "years": years,
            "chart": {"id": "c-years", "title": title, "desc": desc, "svg": svg, "header": header, "rows": rows, "unit": unit},
        }),
    })
}
