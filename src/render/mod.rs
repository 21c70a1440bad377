//! Rendering: Markdown, templates, charts, downloads and site files, all in
//! memory. Writing them out is `output`'s job, so `serve` can reuse this.

pub(crate) mod charts;
pub(crate) mod context;
pub(crate) mod datapackage;
pub(crate) mod document;
pub(crate) mod docx;
pub(crate) mod exports;
pub(crate) mod feeds;
pub(crate) mod format;
pub(crate) mod markdown;
pub(crate) mod pages;
pub(crate) mod search;
pub(crate) mod theme;

use std::path::Path;

use rayon::prelude::*;

use crate::consolidate::{self, CycleReport};
use crate::diag::{Code, Diagnostic, Pos, Sink, tr};
use crate::model::Site;
use context::*;
use pages::Ctx;
use theme::Theme;

pub(crate) use crate::output::OutFile;

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
struct Page<'p> {
    template: &'static str,
    path: String,
    title: String,
    description: String,
    data: PageData<'p>,
}

/// Loads the theme of a site for rendering, with the site's facts in every
/// page's context.
pub(crate) fn theme_for(root: &Path, site: &Site, opts: Options) -> Result<Theme, Vec<Diagnostic>> {
    let lang = site.lang();
    let Some(config) = site.config.as_ref() else {
        return Err(config_invalid(lang));
    };
    let mut theme = Theme::load(root, &config.theme, lang)?;
    theme
        .tera
        .global_context()
        .insert("site", &site_context(config, opts));
    Ok(theme)
}

fn config_invalid(lang: crate::diag::Lang) -> Vec<Diagnostic> {
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
    sink.into_vec()
}

/// What a path of the site is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Index,
    Cycle(i32),
    /// The whole consolidated document for printing, `<year>/ban-in/`.
    Print(i32),
    /// Page `n` of one part of a long list of a cycle (`<year>/phu-luc/…`).
    List(i32, pages::ListKind, String, usize),
    Plan(i32, String),
    Agency(String),
    /// Page `n` of the agencies of one group, `co-quan/<group>/`: the home
    /// page's list when the site has too many agencies for one page.
    AgencyList(String, usize),
    NotFound,
    Download(i32, String),
    Sitemap,
    Atom,
    /// A file of the sharded search index, by its path.
    Search(String),
    Robots,
    Static(String),
}

/// Renders a site that passed validation: any one path on demand (for
/// `serve`), or all of them (for `build`).
pub(crate) struct Renderer<'s> {
    ctx: Ctx<'s>,
    /// The context of each cycle: its catalog, the names of the time.
    cycle_ctx: Vec<(i32, Ctx<'s>)>,
    config: &'s crate::model::SiteConfig,
    reports: Vec<CycleReport<'s>>,
    /// What git knows of the plans, when the site is in a repository.
    history: Option<&'s crate::git::SiteHistory>,
    /// Built on first use: every file of it comes from one computation.
    search: std::sync::OnceLock<search::SearchIndex>,
}

impl<'s> Renderer<'s> {
    /// Consolidates every cycle; pages are rendered when asked for.
    pub(crate) fn new(
        site: &'s Site,
        theme: &'s Theme,
        opts: Options,
    ) -> Result<Self, Vec<Diagnostic>> {
        let lang = site.lang();
        let (Some(config), Some(catalog)) = (site.config.as_ref(), site.catalog.as_ref()) else {
            return Err(config_invalid(lang));
        };
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
            theme,
            lang,
        };
        let reports = site
            .cycles
            .iter()
            .filter_map(|c| consolidate::cycle(site, c, opts.drafts))
            .rev()
            .collect();
        let cycle_ctx = site
            .cycles
            .iter()
            .map(|c| (c.year, ctx.for_year(c.year)))
            .collect();
        Ok(Renderer {
            ctx,
            cycle_ctx,
            config,
            reports,
            history: None,
            search: std::sync::OnceLock::new(),
        })
    }

    /// Shows the git history of each plan (and the changes since a cycle's
    /// approved version) on the pages.
    pub(crate) fn with_history(mut self, history: Option<&'s crate::git::SiteHistory>) -> Self {
        self.history = history;
        self
    }

    /// The context pages of cycle `year` are rendered with.
    fn ctx_of(&self, year: i32) -> &Ctx<'s> {
        self.cycle_ctx
            .iter()
            .find(|(y, _)| *y == year)
            .map_or(&self.ctx, |(_, c)| c)
    }

    fn search(&self) -> &search::SearchIndex {
        self.search
            .get_or_init(|| search::build(&self.ctx, &self.reports))
    }

    fn report(&self, year: i32) -> Option<&CycleReport<'s>> {
        self.reports.iter().find(|r| r.year == year)
    }

    /// What `path` (under the output root, `/`-separated, `index.html`
    /// spelled out) is, if the site has it.
    pub(crate) fn target(&self, path: &str) -> Option<Target> {
        let parts: Vec<&str> = path.split('/').collect();
        let year = |s: &str| s.parse::<i32>().ok().filter(|y| self.report(*y).is_some());
        let t = match parts.as_slice() {
            ["index.html"] => Target::Index,
            ["404.html"] => Target::NotFound,
            ["sitemap.xml"] => Target::Sitemap,
            ["atom.xml"] => Target::Atom,
            ["search", ..] => {
                self.search().file(path)?;
                Target::Search(path.to_string())
            }
            ["robots.txt"] => Target::Robots,
            [y, "index.html"] => Target::Cycle(year(y)?),
            [y, "ban-in", "index.html"] => Target::Print(year(y)?),
            [y, dir, key, rest @ ..] if pages::ListKind::from_dir(dir).is_some() => {
                let y = year(y)?;
                let kind = pages::ListKind::from_dir(dir)?;
                // Page 1 is the part's folder itself; `1/` is not a page.
                let n = match rest {
                    ["index.html"] => 1,
                    [n, "index.html"] => n.parse().ok().filter(|n: &usize| *n >= 2)?,
                    _ => return None,
                };
                let r = self.report(y)?;
                let pages = pages::list_pages(self.ctx_of(y).catalog, r);
                pages
                    .iter()
                    .any(|(k, p, m)| *k == kind && p == key && *m == n)
                    .then(|| Target::List(y, kind, key.to_string(), n))?
            }
            [y, "data", file] => {
                let y = year(y)?;
                DOWNLOADS
                    .iter()
                    .any(|d| d.replace("{year}", &y.to_string()) == *file)
                    .then(|| Target::Download(y, file.to_string()))?
            }
            ["co-quan", group, rest @ ..] => {
                let n = match rest {
                    ["index.html"] => 1,
                    [n, "index.html"] => n.parse().ok().filter(|n: &usize| *n >= 2)?,
                    _ => return None,
                };
                agency_list_pages(&self.ctx, &self.reports)
                    .into_iter()
                    .any(|(g, m)| g == *group && m == n)
                    .then(|| Target::AgencyList(group.to_string(), n))?
            }
            ["agencies", code, "index.html"] => {
                let code = code.to_string();
                self.reports
                    .iter()
                    .any(|r| r.entry(&code).is_some())
                    .then_some(Target::Agency(code))?
            }
            [y, code, "index.html"] => {
                let y = year(y)?;
                let published = self
                    .report(y)?
                    .entry(code)
                    .is_some_and(|e| e.plan.is_some());
                published.then(|| Target::Plan(y, code.to_string()))?
            }
            _ => {
                let found = self.ctx.theme.statics.iter().any(|(p, _)| p == path);
                found.then(|| Target::Static(path.to_string()))?
            }
        };
        Some(t)
    }

    /// Every path of the site, pages first.
    pub(crate) fn targets(&self) -> Vec<(String, Target)> {
        let mut out = vec![("index.html".to_string(), Target::Index)];
        for r in &self.reports {
            out.push((format!("{}/index.html", r.year), Target::Cycle(r.year)));
            out.push((
                format!("{}/ban-in/index.html", r.year),
                Target::Print(r.year),
            ));
            for (kind, key, n) in pages::list_pages(self.ctx_of(r.year).catalog, r) {
                out.push((
                    format!("{}/{}index.html", r.year, pages::list_url(kind, &key, n)),
                    Target::List(r.year, kind, key, n),
                ));
            }
            for e in r.entries.iter().filter(|e| e.plan.is_some()) {
                let code = &e.agency.code.value;
                out.push((
                    format!("{}/{code}/index.html", r.year),
                    Target::Plan(r.year, code.clone()),
                ));
            }
        }
        for a in self.ctx.site.agencies.iter().flatten() {
            let path = format!("agencies/{}/index.html", a.code.value);
            if let Some(t) = self.target(&path) {
                out.push((path, t));
            }
        }
        for (g, n) in agency_list_pages(&self.ctx, &self.reports) {
            out.push((
                format!("co-quan/{}index.html", agency_list_url(&g, n)),
                Target::AgencyList(g, n),
            ));
        }
        out.push(("404.html".into(), Target::NotFound));
        for r in &self.reports {
            for d in DOWNLOADS {
                let file = d.replace("{year}", &r.year.to_string());
                out.push((
                    format!("{}/data/{file}", r.year),
                    Target::Download(r.year, file),
                ));
            }
        }
        for (p, t) in [
            ("sitemap.xml", Target::Sitemap),
            ("atom.xml", Target::Atom),
            ("robots.txt", Target::Robots),
        ] {
            out.push((p.to_string(), t));
        }
        for (p, _) in self.search().files() {
            out.push((p.clone(), Target::Search(p)));
        }
        for (p, _) in &self.ctx.theme.statics {
            out.push((p.clone(), Target::Static(p.clone())));
        }
        out
    }

    /// Renders one path, `None` when the site has no such path.
    #[cfg_attr(not(test), allow(dead_code))] // `serve` is its caller
    pub(crate) fn render_path(&self, path: &str) -> Option<Result<Vec<u8>, Vec<Diagnostic>>> {
        let t = self.target(path)?;
        Some(self.render_target(path, &t))
    }

    fn render_target(&self, path: &str, t: &Target) -> Result<Vec<u8>, Vec<Diagnostic>> {
        match self.prepare(path, t)? {
            Prepared::Page(page) => self.render_page(&page),
            Prepared::Bytes(b) => Ok(b),
        }
    }

    /// The page of `path` before Tera, or the bytes of a file that is not
    /// a page.
    fn prepare(&self, path: &str, t: &Target) -> Result<Prepared<'_>, Vec<Diagnostic>> {
        let ctx = &self.ctx;
        let theme = ctx.theme;
        let page = match t {
            Target::Index => index_page(ctx, &self.reports),
            Target::Cycle(y) => {
                let ctx = self.ctx_of(*y);
                let r = self.report(*y).ok_or_else(Vec::new)?;
                let approved = self.history.and_then(|h| h.approved.get(y));
                cycle_page(ctx, r, false, approved)
            }
            Target::Print(y) => {
                let ctx = self.ctx_of(*y);
                let r = self.report(*y).ok_or_else(Vec::new)?;
                cycle_page(ctx, r, true, None)
            }
            Target::List(y, kind, key, n) => {
                let ctx = self.ctx_of(*y);
                let r = self.report(*y).ok_or_else(Vec::new)?;
                let data = ctx.list_page(r, *kind, key, *n).ok_or_else(Vec::new)?;
                let (what, name) = (&data.heading, &data.name);
                let title = if *n > 1 {
                    let p = theme.tf("lists", "title_page", &[("n", &n.to_string())]);
                    format!("{what} — {name}, {p}")
                } else {
                    format!("{what} — {name}")
                };
                Page {
                    template: "list.html",
                    path: path.to_string(),
                    // Without the category's name: it comes from the
                    // catalog, and attributes carry only the theme's and
                    // the cycle's words.
                    description: format!("{what}. {}", r.meta.title),
                    title,
                    data: PageData::List(Box::new(data)),
                }
            }
            Target::Plan(y, code) => {
                let ctx = self.ctx_of(*y);
                let r = self.report(*y).ok_or_else(Vec::new)?;
                let e = r.entry(code).ok_or_else(Vec::new)?;
                let plan = e.plan.ok_or_else(Vec::new)?;
                let history = self
                    .history
                    .and_then(|h| ctx.history(h, plan, h.approved.get(y)));
                let data = PageData::Plan(Box::new(ctx.plan_page(r, e, plan, history)));
                Page {
                    template: "plan.html",
                    path: path.to_string(),
                    title: format!("{} — {} {}", e.name, theme.t("cycle"), r.year),
                    description: format!("{} {} {}", theme.t("cycle"), r.year, e.name),
                    data,
                }
            }
            Target::AgencyList(group, n) => {
                agency_list_page(ctx, &self.reports, group, *n).ok_or_else(Vec::new)?
            }
            Target::Agency(code) => {
                let a = ctx.site.agency(code).ok_or_else(Vec::new)?;
                agency_page(ctx, &self.reports, a).ok_or_else(Vec::new)?
            }
            Target::NotFound => Page {
                template: "404.html",
                path: "404.html".into(),
                title: theme.t("not_found"),
                description: theme.t("not_found_text"),
                data: PageData::NotFound(NotFoundData {}),
            },
            Target::Download(y, file) => {
                let r = self.report(*y).ok_or_else(Vec::new)?;
                return download(ctx.site, r, file)
                    .map(Prepared::Bytes)
                    .map_err(|e| {
                        let file = r.meta_file();
                        let lang = ctx.lang;
                        let mut sink = Sink::new(lang, &file, false);
                        sink.error(
                            Code::E060,
                            Pos::START,
                            tr!(
                                lang,
                                "Không tạo được tệp tải về: {e}",
                                "Cannot write the download: {e}"
                            ),
                        );
                        sink.into_vec()
                    });
            }
            Target::Sitemap => {
                let pages: Vec<String> = self
                    .targets()
                    .into_iter()
                    .filter(|(p, _)| p.ends_with("index.html"))
                    .map(|(p, _)| p)
                    .collect();
                return Ok(Prepared::Bytes(feeds::sitemap(
                    &self.config.base_url,
                    &pages,
                )));
            }
            Target::Atom => {
                return Ok(Prepared::Bytes(feeds::atom(
                    self.config,
                    &self.reports,
                    theme,
                )));
            }
            Target::Search(p) => {
                return Ok(Prepared::Bytes(
                    self.search().file(p).unwrap_or_default().to_vec(),
                ));
            }
            Target::Robots => {
                return Ok(Prepared::Bytes(
                    format!(
                        "User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n",
                        self.config.base_url
                    )
                    .into_bytes(),
                ));
            }
            Target::Static(p) => {
                return theme
                    .statics
                    .iter()
                    .find(|(q, _)| q == p)
                    .map(|(_, b)| Prepared::Bytes(b.clone()))
                    .ok_or_else(Vec::new);
            }
        };
        Ok(Prepared::Page(page))
    }

    /// What the template of `p` sees besides the theme: where the site's
    /// root is from the page, and the page's own fields.
    fn page_values<'p>(&self, p: &'p Page<'_>) -> (String, PageMeta<'p>) {
        let depth = p.path.matches('/').count();
        let root_rel = if p.template == "404.html" {
            base_path(&self.config.base_url)
        } else {
            "../".repeat(depth)
        };
        let url = p.path.trim_end_matches("index.html");
        let page = PageMeta {
            title: &p.title,
            description: &p.description,
            path: url,
            canonical: format!("{}/{url}", self.config.base_url),
        };
        (root_rel, page)
    }

    fn render_page(&self, p: &Page<'_>) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let (root_rel, page) = self.page_values(p);
        let mut c = tera::Context::new();
        c.insert("root", &root_rel);
        c.insert("page", &page);
        c.insert("data", &p.data);
        self.ctx.theme.render(p.template, &c, self.ctx.lang)
    }

    /// Renders `path` and hands it to `sink`, or, when `reuse` has the page
    /// as it would render, lets it put the previous build's file instead.
    fn render_one(
        &self,
        path: &str,
        t: &Target,
        reuse: Option<&dyn Reuse>,
        sink: &(dyn Fn(&str, Vec<u8>) -> std::io::Result<()> + Sync),
    ) -> Result<(), Failure> {
        let bytes = match self.prepare(path, t).map_err(Failure::Render)? {
            Prepared::Bytes(b) => b,
            Prepared::Page(page) => match reuse {
                None => self.render_page(&page).map_err(Failure::Render)?,
                Some(reuse) => {
                    let (root_rel, meta) = self.page_values(&page);
                    let key =
                        crate::cache::page_key(page.template, &[&root_rel, &meta, &page.data]);
                    if reuse.reuse(path, &key).map_err(Failure::Io)? {
                        return Ok(());
                    }
                    let bytes = self.render_page(&page).map_err(Failure::Render)?;
                    sink(path, bytes).map_err(Failure::Io)?;
                    reuse.rendered(path, key);
                    return Ok(());
                }
            },
        };
        sink(path, bytes).map_err(Failure::Io)
    }

    /// Renders every path of the site, pages in parallel, each cycle's
    /// downloads on one core while the pages use the other, and hands each
    /// file to `sink` as soon as it is rendered, so a build never holds the
    /// whole site in memory. Returns how many files there were.
    pub(crate) fn render_each(
        &self,
        reuse: Option<&dyn Reuse>,
        sink: &(dyn Fn(&str, Vec<u8>) -> std::io::Result<()> + Sync),
    ) -> Result<usize, Failure> {
        let targets = self.targets();
        // Long builds show progress on a terminal; indicatif draws nothing
        // when stderr is not one.
        let bar = if targets.len() >= PROGRESS_FROM {
            indicatif::ProgressBar::new(targets.len() as u64).with_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} {bar:40} {pos}/{len}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            )
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_message(self.ctx.theme.t("pages"));
        let (mut downloads, mut others): (Vec<_>, Vec<_>) = targets
            .iter()
            .partition(|(_, t)| matches!(t, Target::Download(..)));
        // The few long jobs (a cycle's page and workbook) first: started
        // last, one would leave the other core idle at the end. The search
        // index was built when the targets were listed.
        let weight = |t: &Target| match t {
            Target::Cycle(_) | Target::Print(_) => 0,
            Target::Download(_, f) if f.ends_with(".xlsx") || f.ends_with(".docx") => 0,
            _ => 1,
        };
        others.sort_by_key(|(_, t)| weight(t));
        downloads.sort_by_key(|(_, t)| weight(t));
        let render = |list: &Vec<&(String, Target)>| -> Vec<Result<(), Failure>> {
            list.par_iter()
                .map(|(p, t)| {
                    bar.inc(1);
                    self.render_one(p, t, reuse, sink)
                })
                .collect()
        };
        let (a, b) = rayon::join(|| render(&others), || render(&downloads));
        bar.finish_and_clear();
        let mut errors = Vec::new();
        for r in a.into_iter().chain(b) {
            match r {
                Ok(()) => {}
                Err(Failure::Io(e)) => return Err(Failure::Io(e)),
                Err(Failure::Render(d)) => errors.extend(d),
            }
        }
        if errors.is_empty() {
            return Ok(targets.len());
        }
        errors.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
        errors.dedup_by(|a, b| a.file == b.file && a.pos == b.pos && a.message == b.message);
        Err(Failure::Render(errors))
    }

    /// Renders every path of the site into memory.
    pub(crate) fn render_all(&self) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
        let files = std::sync::Mutex::new(Vec::new());
        let sink = |p: &str, b: Vec<u8>| {
            files
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((p.to_string(), b));
            Ok(())
        };
        match self.render_each(None, &sink) {
            Ok(_) => Ok(files
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)),
            Err(Failure::Render(d)) => Err(d),
            Err(Failure::Io(_)) => unreachable!("the in-memory sink never fails"),
        }
    }
}

/// A page's file, or what its template is given.
enum Prepared<'p> {
    Page(Page<'p>),
    Bytes(Vec<u8>),
}

/// Pages a build may take from its previous output instead of rendering
/// them again: the incremental build's cache.
pub(crate) trait Reuse: Sync {
    /// Puts the previous build's `path` into the new output when it was
    /// rendered from `key`; `Ok(false)` when the page must be rendered.
    fn reuse(&self, path: &str, key: &crate::cache::Key) -> std::io::Result<bool>;
    /// `path` was rendered from `key` and handed to the sink.
    fn rendered(&self, path: &str, key: crate::cache::Key);
}

/// Why rendering stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Templates or downloads failed (E060), every page tried.
    Render(Vec<Diagnostic>),
    /// The sink could not take a file.
    Io(std::io::Error),
}

/// Names of the files under `<year>/data/`.
const DOWNLOADS: [&str; 7] = [
    "projects.csv",
    "spending.csv",
    "indicators.csv",
    "plan.json",
    "ke-hoach-{year}.xlsx",
    "ke-hoach-{year}.docx",
    "datapackage.json",
];

/// Renders the whole site into memory. Needs a site that passed
/// validation. `history` is what git knows of the plans (the caller reads
/// it, so rendering never touches the repository).
pub(crate) fn render(
    root: &Path,
    site: &Site,
    opts: Options,
    history: Option<&crate::git::SiteHistory>,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let theme = theme_for(root, site, opts)?;
    Renderer::new(site, &theme, opts)?
        .with_history(history)
        .render_all()
}

/// The consolidated page of a cycle.
fn cycle_page<'p>(
    ctx: &'p Ctx<'_>,
    r: &'p CycleReport<'_>,
    print: bool,
    approved: Option<&'p crate::git::Approved>,
) -> Page<'p> {
    let theme = ctx.theme;
    Page {
        template: "cycle.html",
        path: if print {
            format!("{}/ban-in/index.html", r.year)
        } else {
            format!("{}/index.html", r.year)
        },
        title: if print {
            format!(
                "{} — {}",
                r.meta.title,
                theme.tf("lists", "print_title", &[])
            )
        } else {
            r.meta.title.clone()
        },
        description: format!(
            "{} {}: {} {}",
            theme.t("consolidated"),
            r.year,
            theme.t("planned").to_lowercase(),
            format::money(r.totals.planned, ctx.lang)
        ),
        data: PageData::Cycle(Box::new(ctx.cycle_page(r, print, approved))),
    }
}

/// One file under `<year>/data/`.
fn download(site: &Site, r: &CycleReport<'_>, file: &str) -> Result<Vec<u8>, String> {
    Ok(match file {
        "projects.csv" => exports::projects_csv(site, r),
        "spending.csv" => exports::spending_csv(site, r),
        "indicators.csv" => exports::indicators_csv(site, r),
        "plan.json" => exports::plan_json(site, r),
        "datapackage.json" => datapackage::datapackage(site, r),
        f if f.ends_with(".docx") => docx::cycle_docx(site, r)?,
        _ => exports::workbook(site, r)?,
    })
}

/// What every page knows of the site.
fn site_context(config: &crate::model::SiteConfig, opts: Options) -> SiteContext<'_> {
    SiteContext {
        title: &config.title,
        province: &config.province,
        base_url: &config.base_url,
        lang: format::lang_code(config.language),
        unit: config.money_unit.label(config.language),
        drafts: opts.drafts,
        base_path: base_path(&config.base_url),
        owner: config.owner.as_ref().map(|o| OwnerContext {
            agency: &o.agency,
            address: o.address.as_deref(),
            phone: o.phone.as_deref(),
            email: o.email.as_deref(),
            responsible: o.responsible.as_deref(),
            licence: o.licence.as_deref(),
        }),
    }
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

fn index_page<'p>(ctx: &'p Ctx<'_>, reports: &'p [CycleReport<'_>]) -> Page<'p> {
    let lang = ctx.lang;
    let cycles = reports
        .iter()
        .map(|r| CycleSummary {
            year: r.year,
            title: &r.meta.title,
            url: format!("{}/", r.year),
            planned: format::money(r.totals.planned, lang),
            spending: format::money(r.totals.spending, lang),
            projects: r.plans().map(|(_, p)| p.projects.len()).sum::<usize>(),
            expected: r.entries.len(),
            submitted: r.count(consolidate::Submission::OnTime)
                + r.count(consolidate::Submission::Late),
            late: r.count(consolidate::Submission::Late),
            missing: r.count(consolidate::Submission::Missing),
            draft: r.count(consolidate::Submission::Draft),
            deadline: format::date(r.meta.deadline.value),
        })
        .collect();
    let listed = listed_agencies(ctx, reports);
    // A few hundred agencies are listed on the home page; past that, each
    // group has pages of its own and the home page links to them.
    let split = listed.len() > HOME_AGENCIES_MAX;
    let agencies = listed
        .iter()
        .take_while(|_| !split)
        .map(|a| AgencyLink {
            code: &a.code.value,
            name: &a.name,
            group: ctx.group_name(a.group.id()),
            url: format!("agencies/{}/", a.code.value),
        })
        .collect();
    let agency_groups = crate::model::Group::CHOICES
        .iter()
        .filter(|_| split)
        .filter_map(|(g, _)| {
            let n = listed.iter().filter(|a| a.group.id() == *g).count();
            (n > 0).then(|| AgencyGroupLink {
                name: ctx.group_name(g),
                count: n,
                url: format!("co-quan/{}", agency_list_url(g, 1)),
                pages: n.div_ceil(AGENCY_PAGE_ROWS),
            })
        })
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
        data: PageData::Index(Box::new(IndexData {
            cycles,
            agencies,
            agency_groups,
        })),
    }
}

/// Agencies listed on the home page at most; past it they are listed by
/// group on pages of AGENCY_PAGE_ROWS.
const HOME_AGENCIES_MAX: usize = 300;
const AGENCY_PAGE_ROWS: usize = 500;

/// The agencies that have a page (they appear in some cycle), in
/// agencies.yaml's order.
fn listed_agencies<'s>(
    ctx: &Ctx<'s>,
    reports: &[CycleReport<'_>],
) -> Vec<&'s crate::model::Agency> {
    let known: std::collections::HashSet<&str> = reports
        .iter()
        .flat_map(|r| r.entries.iter().map(|e| e.agency.code.value.as_str()))
        .collect();
    ctx.site
        .agencies
        .iter()
        .flatten()
        .filter(|a| known.contains(a.code.value.as_str()))
        .collect()
}

fn agency_list_url(group: &str, n: usize) -> String {
    if n <= 1 {
        format!("{group}/")
    } else {
        format!("{group}/{n}/")
    }
}

/// The pages of the agencies by group: none while the home page lists
/// them all.
fn agency_list_pages(ctx: &Ctx<'_>, reports: &[CycleReport<'_>]) -> Vec<(String, usize)> {
    let listed = listed_agencies(ctx, reports);
    if listed.len() <= HOME_AGENCIES_MAX {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (g, _) in crate::model::Group::CHOICES {
        let n = listed.iter().filter(|a| a.group.id() == *g).count();
        for i in 1..=n.div_ceil(AGENCY_PAGE_ROWS) {
            out.push((g.to_string(), i));
        }
    }
    out
}

fn agency_list_page(
    ctx: &Ctx<'_>,
    reports: &[CycleReport<'_>],
    group: &str,
    n: usize,
) -> Option<Page<'static>> {
    let listed = listed_agencies(ctx, reports);
    let mine: Vec<_> = listed.iter().filter(|a| a.group.id() == group).collect();
    let pages = mine.len().div_ceil(AGENCY_PAGE_ROWS);
    if n == 0 || n > pages {
        return None;
    }
    let up = if n > 1 { "../../../" } else { "../../" };
    let name = ctx.group_name(group);
    let rows = mine
        .iter()
        .skip((n - 1) * AGENCY_PAGE_ROWS)
        .take(AGENCY_PAGE_ROWS)
        .map(|a| NameLink {
            name: a.name.clone(),
            url: format!("{up}agencies/{}/", a.code.value),
        })
        .collect();
    let page_links = (1..=pages)
        .map(|i| PageLink {
            n: i,
            url: format!("{up}co-quan/{}", agency_list_url(group, i)),
            current: i == n,
        })
        .collect();
    let title = if pages > 1 {
        let (n, pages) = (n.to_string(), pages.to_string());
        ctx.theme.tf(
            "lists",
            "agencies_title_pages",
            &[("name", &name), ("n", &n), ("pages", &pages)],
        )
    } else {
        ctx.theme.tf("lists", "agencies_title", &[("name", &name)])
    };
    Some(Page {
        template: "agencies.html",
        path: format!("co-quan/{}index.html", agency_list_url(group, n)),
        description: title.clone(),
        title: title.clone(),
        data: PageData::Agencies(Box::new(AgenciesData {
            heading: title,
            name,
            agencies: rows,
            page: n,
            pages,
            page_links,
            prev: (n > 1).then(|| format!("{up}co-quan/{}", agency_list_url(group, n - 1))),
            next: (n < pages).then(|| format!("{up}co-quan/{}", agency_list_url(group, n + 1))),
        })),
    })
}

fn agency_page<'p>(
    ctx: &'p Ctx<'_>,
    reports: &'p [CycleReport<'_>],
    agency: &'p crate::model::Agency,
) -> Option<Page<'p>> {
    let lang = ctx.lang;
    let site = ctx.site;
    let code = agency.code.value.as_str();
    // A merged body's history continues under its successor: the pages of
    // its predecessors' years are this page's years too.
    let lineage = lineage(site, agency);
    let mut years = Vec::new();
    let mut chart_rows = Vec::new();
    let mut outturn = Vec::new();
    for r in reports {
        let own = r.entry(code);
        let Some(e) = own.or_else(|| {
            r.entries
                .iter()
                .find(|e| lineage.iter().any(|a| a.code.value == e.agency.code.value))
        }) else {
            continue;
        };
        let filer = &e.agency.code.value;
        let joined = filer != code;
        years.push(AgencyYear {
            year: r.year,
            submission: e.submission.id(),
            submission_label: ctx.theme.t(e.submission.id()),
            planned: format::money(e.totals.planned, lang),
            spending: format::money(e.totals.spending, lang),
            projects: e.plan.map_or(0, |p| p.projects.len()),
            url: e.plan.map(|_| format!("{}/{filer}/", r.year)),
            name: e.name,
            joined,
            agency_url: format!("agencies/{filer}/"),
        });
        chart_rows.push((r.year, e.totals.spending, e.totals.planned));
        for p in e.plan.iter().flat_map(|p| p.projects.iter()) {
            if !p.cost.planned.value.is_positive() {
                continue;
            }
            let reported = consolidate::reported_spending(site, filer, r.year, p);
            outturn.push(Outturn {
                year: r.year,
                id: &p.id.value,
                name: &p.name,
                url: format!("{}/{filer}/#{}", r.year, p.id.value),
                planned: format::money(p.cost.planned.value, lang),
                reported: reported.map(|a| format::money(a, lang)),
            });
        }
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
        unit_caption: ctx.theme.tf("chart_words", "unit", &[]),
        empty_text: ctx.theme.tf("chart_words", "empty", &[]),
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
    let successor = agency.until.as_ref().and_then(|u| {
        let year = u.value + 1;
        match site.standing(code, year) {
            crate::model::Standing::Ended {
                successor: Some(s), ..
            } => Some(Successor {
                code: &s.code.value,
                name: s.name_in(year),
                url: format!("agencies/{}/", s.code.value),
                note: ctx
                    .theme
                    .t("succeeded_by")
                    .replace("{year}", &year.to_string()),
            }),
            _ => None,
        }
    });
    let predecessors = lineage
        .iter()
        .skip(1)
        .map(|a| {
            let until = a.until.as_ref().map(|u| u.value);
            let name = until.map_or(a.name.as_str(), |u| a.name_in(u));
            Predecessor {
                code: &a.code.value,
                name,
                until,
                url: format!("agencies/{}/", a.code.value),
            }
        })
        .collect();
    Some(Page {
        template: "agency.html",
        path: format!("agencies/{}/index.html", agency.code.value),
        title: agency.name.clone(),
        description: format!("{} — {}", agency.name, ctx.theme.t("plans_of")),
        data: PageData::Agency(Box::new(AgencyData {
            code: &agency.code.value,
            name: &agency.name,
            email: agency.email.as_deref(),
            group: ctx.group_name(agency.group.id()),
            years,
            phone: agency.phone.as_deref(),
            successor,
            predecessors,
            outturn,
            chart: ChartData {
                id: "c-years".into(),
                title,
                desc,
                svg,
                header,
                rows,
                unit: unit.into(),
            },
        })),
    })
}

/// `agency` and every agency whose chain of successors leads to it,
/// nearest first.
fn lineage<'s>(site: &'s Site, agency: &'s crate::model::Agency) -> Vec<&'s crate::model::Agency> {
    let mut out = vec![agency];
    let mut i = 0;
    // Bounded: a loop of successors written by mistake must not hang.
    while i < out.len() && out.len() < 64 {
        let code = out[i].code.value.clone();
        for a in site.agencies.iter().flatten() {
            let points_here = a.successor.as_ref().is_some_and(|s| s.value == code);
            if points_here && !out.iter().any(|b| b.code.value == a.code.value) {
                out.push(a);
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_path_at_a_time_matches_the_whole_build() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = crate::load::load(root).unwrap();
        let opts = Options { drafts: false };
        let theme = theme_for(root, &loaded.site, opts).unwrap();
        let r = Renderer::new(&loaded.site, &theme, opts).unwrap();
        let all = r.render_all().unwrap();
        for path in [
            "index.html",
            "2019/index.html",
            "2019/so-tttt/index.html",
            "agencies/so-tttt/index.html",
            "2019/data/plan.json",
            "static/style.css",
        ] {
            let one = r.render_path(path).unwrap().unwrap();
            let whole = &all.iter().find(|(p, _)| p == path).unwrap().1;
            assert_eq!(&one, whole, "{path}");
        }
        assert_eq!(
            r.target("2019/hoi-lhpn/index.html"),
            None,
            "drafts are not published"
        );
        assert_eq!(
            r.target("2019/ubnd-ly-son/index.html"),
            None,
            "missing plans have no page"
        );
        assert_eq!(r.target("2021/index.html"), None);
        assert_eq!(r.target("2019/data/other.csv"), None);
        assert_eq!(r.target("../etc/passwd"), None);
        assert_eq!(
            r.target("2019/data/ke-hoach-2019.xlsx"),
            Some(Target::Download(2019, "ke-hoach-2019.xlsx".into()))
        );
        assert!(all.len() == r.targets().len());
    }
}
