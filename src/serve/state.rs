//! The site as `serve` holds it in memory: loaded and checked once, then
//! kept up to date one saved file at a time.
//!
//! A saved plan is read again alone ([`load::load_plan`]), checked alone
//! ([`validate::validate_plan`]) with its cycle's rules
//! ([`validate::validate_cycle`]), and swapped into the model. A change to
//! `site.yaml`, `agencies.yaml`, `catalog.yaml`, a `_plan.md` or a cycle
//! folder reloads the whole site; a change under `themes/` reloads the theme
//! only. Every diagnostic is kept under the [`Origin`] that produced it, so
//! a change replaces exactly the diagnostics it can have changed, and the
//! list always equals what `planpress check` would report, plus one rule of
//! the preview's own: a body over [`PREVIEW_MAX_BODY`] is E001 here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{self, Diagnostic, Lang, Severity, tr};
use crate::load::{self, LoadError};
use crate::model::Site;
use crate::render::theme::Theme;
use crate::render::{self, Options, Renderer, Target};
use crate::validate;

/// The most bytes of Markdown one body (a plan's or a `_plan.md`'s) may
/// have in the preview: 25 times the demo's largest plan. Every step of a
/// page render is linear in its input (heading ids, nesting at most 100
/// levels, checked by `check`), so this bound bounds one page's render,
/// far below the 15 s deadline; a hostile body near `check`'s 4 MiB held
/// the only worker for minutes. Over it, the preview shows an error page
/// at once and renders nothing, so the worker is never held by the body.
pub(crate) const PREVIEW_MAX_BODY: usize = 512 * 1024;

/// E001 for a body the preview will not render: too long to stay quick.
fn preview_bound(
    file: &str,
    body: &crate::model::sections::Body,
    lang: Lang,
) -> Option<Diagnostic> {
    let len = body.text.len();
    if len <= PREVIEW_MAX_BODY {
        return None;
    }
    let kb = len / 1024;
    let max = PREVIEW_MAX_BODY / 1024;
    Some(Diagnostic {
        code: crate::diag::Code::E001,
        file: file.to_string(),
        pos: crate::diag::Pos::new(body.first_line, 1),
        message: tr!(
            lang,
            "Phần nội dung dài {kb} KB, quá {max} KB mà bản xem trước dựng được nhanh; trang không được dựng.",
            "The body is {kb} KB long, over the {max} KB the preview renders quickly; no page is rendered."
        ),
        help: Some(tr!(
            lang,
            "Một kế hoạch thường dưới 50 KB: rút gọn phần nội dung, hoặc đưa phụ lục lớn ra tệp riêng. Giới hạn này chỉ có ở `planpress serve`.",
            "A plan is usually under 50 KB: shorten the body, or move a large annex to a file of its own. Only `planpress serve` has this limit."
        )),
    })
}

/// How `serve` renders: drafts are on the site, marked as drafts.
pub(crate) const OPTIONS: Options = Options { drafts: true };

/// Where a diagnostic came from: what must change for it to change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// Loading the configuration files, `_plan.md` files and folders, and
    /// the configuration's own rules.
    Site,
    /// The theme's templates and strings.
    Theme,
    /// Rendering the sample pages of the site.
    Render,
    /// The rules of one cycle as a whole.
    Cycle(i32),
    /// Loading and checking one plan file (path relative to the root).
    Plan(String),
}

/// What a changed path means for the site.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// Configuration, a `_plan.md`, a cycle folder or `content/` itself:
    /// everything is read again.
    Site,
    /// Something under `themes/`: the theme is read again.
    Theme,
    /// Something in the repository's `.git` folder: a commit, a checkout,
    /// a tag. The history on the pages may have moved.
    Git,
    /// One plan file.
    Plan {
        /// The cycle.
        year: i32,
        /// The file stem: the agency code it should hold.
        stem: String,
    },
}

/// What happened to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// It appeared.
    Added,
    /// It was saved.
    Changed,
    /// It was deleted or renamed away.
    Removed,
}

/// Which rendered paths a change made stale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stale {
    /// Every path.
    All,
    /// The paths that show the plans of these agencies in these cycles: the
    /// plan pages, the agencies' pages, the cycles' consolidated pages,
    /// lists and downloads, and the pages made of every plan (home and its
    /// agency lists, feeds, search).
    Plans(Vec<(i32, BTreeSet<String>)>),
}

impl Stale {
    /// Whether the rendered path `key` (e.g. `2019/so-tttt/index.html`)
    /// must be rendered again.
    pub(crate) fn covers(&self, key: &str) -> bool {
        let Stale::Plans(touched) = self else {
            return true;
        };
        // The home page's list of agencies runs onto `co-quan/` pages when
        // long; like the home page, they show every agency's latest plan.
        if matches!(key, "index.html" | "sitemap.xml" | "atom.xml")
            || key.starts_with("search/")
            || key.starts_with("co-quan/")
        {
            return true;
        }
        // Cycles read each other (a plan reports on the previous plan's
        // results, and its data says so), so a plan's change reaches every
        // cycle, not only its own: any cycle's shared pages and these
        // agencies' plan pages in any cycle.
        let Some((first, rest)) = key.split_once('/') else {
            return false;
        };
        if first.parse::<i32>().is_ok() {
            // The cycle's own folders (downloads, the printable document,
            // the annex's long lists) are made of every plan of the cycle;
            // the list is the one `check` reserves from agency codes.
            let cycle_wide = rest == "index.html"
                || rest
                    .split_once('/')
                    .is_some_and(|(dir, _)| crate::model::CYCLE_FOLDERS.contains(&dir));
            return cycle_wide
                || touched
                    .iter()
                    .any(|(_, codes)| codes.iter().any(|c| rest == format!("{c}/index.html")));
        }
        first == "agencies"
            && touched
                .iter()
                .any(|(_, codes)| codes.iter().any(|c| rest == format!("{c}/index.html")))
    }
}

/// What [`State::apply`] did.
#[derive(Debug)]
pub(crate) struct Applied {
    /// The files that changed, relative to the root.
    pub(crate) files: Vec<(Action, String)>,
    /// What must be rendered again.
    pub(crate) stale: Stale,
    /// The site or the theme was read again as a whole.
    pub(crate) whole: bool,
}

/// The site in memory.
pub(crate) struct State {
    root: PathBuf,
    base_url: String,
    site: Site,
    sources: BTreeMap<String, String>,
    diags: BTreeMap<Origin, Vec<Diagnostic>>,
    theme: Option<Theme>,
    /// The plans' git history as the pages show it, when the site is in a
    /// repository, and that repository as last seen.
    history: Option<crate::git::SiteHistory>,
    git: Option<crate::git::Watched>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("root", &self.root)
            .field("plans", &self.plans())
            .field("diagnostics", &self.diags)
            .finish_non_exhaustive()
    }
}

/// Whether a file name is an editor's backup, swap or lock file, or hidden:
/// `load` skips these, and so do the watchers.
fn scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with("#")
        || [".swp", ".swx", ".tmp", ".bak"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

fn year_of(name: &str) -> Option<i32> {
    (name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit()))
        .then(|| name.parse().ok())
        .flatten()
}

impl State {
    /// Loads and checks the site at `root`. Pages will link to `base_url`
    /// (the server's own address) instead of the site's `base_url`.
    pub(crate) fn load(root: &Path, base_url: &str) -> Result<State, LoadError> {
        let mut state = State {
            root: root.to_path_buf(),
            base_url: base_url.to_string(),
            site: Site::default(),
            sources: BTreeMap::new(),
            diags: BTreeMap::new(),
            theme: None,
            history: None,
            git: None,
        };
        state.reload_site()?;
        Ok(state)
    }

    /// The canonical root.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The interface language.
    pub(crate) fn lang(&self) -> Lang {
        self.site.lang()
    }

    /// Text of every file read, by path relative to the root.
    pub(crate) fn sources(&self) -> &BTreeMap<String, String> {
        &self.sources
    }

    /// Number of plans loaded.
    pub(crate) fn plans(&self) -> usize {
        self.site.cycles.iter().map(|c| c.plans.len()).sum()
    }

    /// Every diagnostic, sorted as `check` sorts them.
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self.diags.values().flatten().cloned().collect();
        diag::sort(&mut all);
        all
    }

    /// Number of errors (the site cannot be shown while there is one).
    pub(crate) fn errors(&self) -> usize {
        self.diags
            .values()
            .flatten()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    /// A renderer of the site, when it is valid and its theme loaded.
    pub(crate) fn renderer(&self) -> Option<Result<Renderer<'_>, Vec<Diagnostic>>> {
        if self.errors() > 0 {
            return None;
        }
        let theme = self.theme.as_ref()?;
        Some(
            Renderer::new(&self.site, theme, OPTIONS)
                .map(|r| r.with_history(self.history.as_ref())),
        )
    }

    /// The repository's `.git` folder, to watch, when the site is in one.
    pub(crate) fn git_dir(&self) -> Option<&Path> {
        self.git.as_ref().map(|g| g.dir.as_path())
    }

    /// Reads the plans' history again if the repository moved (or
    /// `always`). Returns whether it was read.
    fn refresh_history(&mut self, always: bool) -> bool {
        let now = crate::git::watched(&self.root);
        let moved = match (&now, &self.git) {
            (Some(a), Some(b)) => a.mark != b.mark,
            (None, None) => false,
            _ => true,
        };
        if !(always || moved) {
            return false;
        }
        self.history = now
            .as_ref()
            .and_then(|_| crate::git::site_history(&self.root, &self.site, OPTIONS.drafts));
        self.git = now;
        true
    }

    /// Adds the text of the files `diags` name (templates) to the sources.
    fn read_sources(&mut self, diags: &[Diagnostic]) {
        for d in diags {
            if !self.sources.contains_key(&d.file)
                && let Ok(text) = std::fs::read_to_string(self.root.join(&d.file))
            {
                self.sources.insert(d.file.clone(), text);
            }
        }
    }

    fn set(&mut self, origin: Origin, diags: Vec<Diagnostic>) {
        if diags.is_empty() {
            self.diags.remove(&origin);
        } else {
            self.diags.insert(origin, diags);
        }
    }

    /// Reads and checks everything again.
    fn reload_site(&mut self) -> Result<(), LoadError> {
        let mut loaded = load::load(&self.root)?;
        self.root = loaded.root.clone();
        if let Some(config) = loaded.site.config.as_mut() {
            config.base_url.clone_from(&self.base_url);
        }
        self.site = loaded.site;
        self.sources = std::mem::take(&mut loaded.sources);
        self.diags.clear();
        let mut by_origin: BTreeMap<Origin, Vec<Diagnostic>> = BTreeMap::new();
        for d in loaded.diagnostics {
            by_origin
                .entry(origin_of_load(&d.file))
                .or_default()
                .push(d);
        }
        by_origin
            .entry(Origin::Site)
            .or_default()
            .extend(validate::validate_config(&self.site));
        let lang = self.lang();
        for cycle in &self.site.cycles {
            if let Some(meta) = &cycle.meta {
                by_origin
                    .entry(Origin::Site)
                    .or_default()
                    .extend(preview_bound(&cycle.meta_file, &meta.body, lang));
            }
            for p in &cycle.plans {
                by_origin
                    .entry(Origin::Plan(p.file.clone()))
                    .or_default()
                    .extend(preview_bound(&p.file, &p.body, lang));
            }
            let rules = validate::validate_cycle(&self.site, cycle);
            by_origin
                .entry(Origin::Cycle(cycle.year))
                .or_default()
                .extend(rules);
            let per_plan: Vec<(String, Vec<Diagnostic>)> = cycle
                .plans
                .par_iter()
                .map(|p| {
                    (
                        p.file.clone(),
                        validate::validate_plan(&self.site, cycle, p),
                    )
                })
                .collect();
            for (file, rules) in per_plan {
                by_origin
                    .entry(Origin::Plan(file))
                    .or_default()
                    .extend(rules);
            }
        }
        for (origin, diags) in by_origin {
            self.set(origin, diags);
        }
        self.reload_theme();
        self.refresh_history(true);
        Ok(())
    }

    /// Reads the theme again, and renders sample pages to catch template
    /// errors that only rendering shows.
    fn reload_theme(&mut self) {
        self.theme = None;
        self.set(Origin::Theme, Vec::new());
        self.set(Origin::Render, Vec::new());
        if self.site.config.is_none() {
            return;
        }
        match render::theme_for(&self.root, &self.site, OPTIONS) {
            Ok(theme) => self.theme = Some(theme),
            Err(diags) => {
                self.read_sources(&diags);
                self.set(Origin::Theme, diags);
            }
        }
    }

    /// Renders one page of every kind (home, a cycle, a plan, an agency,
    /// 404): a template that fails to render makes the site broken, as a
    /// template that fails to parse does, and not only the page that uses
    /// it. Returns the pages rendered, for the cache.
    pub(crate) fn probe(&mut self) -> Vec<(String, Vec<u8>)> {
        self.set(Origin::Render, Vec::new());
        let mut pages = Vec::new();
        let mut errors = Vec::new();
        match self.renderer() {
            None => return pages,
            Some(Err(diags)) => errors = diags,
            Some(Ok(renderer)) => {
                let mut kinds = BTreeSet::new();
                for (path, target) in renderer.targets() {
                    let kind = match target {
                        Target::Index => 0,
                        Target::NotFound => 1,
                        Target::Cycle(_) => 2,
                        Target::Plan(..) => 3,
                        Target::Agency(_) => 4,
                        Target::List(..) => 5,
                        _ => continue,
                    };
                    if !kinds.insert(kind) {
                        continue;
                    }
                    match renderer.render_path(&path) {
                        Some(Ok(bytes)) => pages.push((path, bytes)),
                        Some(Err(diags)) => errors.extend(diags),
                        None => {}
                    }
                }
            }
        }
        diag::sort(&mut errors);
        errors.dedup();
        self.read_sources(&errors);
        self.set(Origin::Render, errors);
        pages
    }

    /// Whether rendering the sample pages failed last time.
    pub(crate) fn render_failed(&self) -> bool {
        self.diags.contains_key(&Origin::Render)
    }

    /// What a changed `path` (absolute, under the root) means for the site,
    /// if anything.
    pub(crate) fn classify(&self, path: &Path) -> Option<Change> {
        if let Some(dir) = self.git_dir()
            && path.starts_with(dir)
        {
            // Lock files come and go on every git command; what they lock
            // is what matters.
            let lock = path.extension().is_some_and(|e| e == "lock");
            return (!lock).then_some(Change::Git);
        }
        let rel = path.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        match parts.as_slice() {
            ["content"] => Some(Change::Site),
            ["themes"] => Some(Change::Theme),
            ["themes", .., name] => (!scratch(name)).then_some(Change::Theme),
            ["content", "site.yaml" | "agencies.yaml" | "catalog.yaml"] => Some(Change::Site),
            ["content", dir] => year_of(dir).map(|_| Change::Site),
            ["content", dir, name] => {
                let year = year_of(dir)?;
                if scratch(name) {
                    return None;
                }
                if *name == "_plan.md" || *name == "catalog.yaml" {
                    return Some(Change::Site);
                }
                let stem = name.strip_suffix(".md")?;
                if stem.starts_with('_') {
                    return None;
                }
                if !self.site.cycles.iter().any(|c| c.year == year) {
                    // A new cycle folder: read it all.
                    return Some(Change::Site);
                }
                Some(Change::Plan {
                    year,
                    stem: stem.to_string(),
                })
            }
            _ => None,
        }
    }

    /// Brings the site up to date with the changed paths: the plans alone
    /// when only plans changed, or more when more did. `None` when none of
    /// the paths matters to the site.
    pub(crate) fn apply(
        &mut self,
        paths: &BTreeSet<PathBuf>,
    ) -> Result<Option<Applied>, LoadError> {
        let mut changes: BTreeMap<Change, Vec<&PathBuf>> = BTreeMap::new();
        for p in paths {
            if let Some(c) = self.classify(p) {
                changes.entry(c).or_default().push(p);
            }
        }
        if changes.is_empty() {
            return Ok(None);
        }
        let rel = |p: &Path| {
            p.strip_prefix(&self.root)
                .unwrap_or(p)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        };
        let whole_site = changes.contains_key(&Change::Site);
        let theme = changes.contains_key(&Change::Theme);
        let git = changes.contains_key(&Change::Git);
        let mut files = Vec::new();
        for (change, ps) in &changes {
            if matches!(change, Change::Plan { .. }) && !whole_site {
                continue; // reported with what the reload found
            }
            if *change == Change::Git {
                continue; // reported below, if the history moved
            }
            for p in ps {
                let action = if p.exists() {
                    Action::Changed
                } else {
                    Action::Removed
                };
                files.push((action, rel(p)));
            }
        }
        if whole_site {
            self.reload_site()?;
            return Ok(Some(Applied {
                files,
                stale: Stale::All,
                whole: true,
            }));
        }
        if theme {
            self.reload_theme();
        }
        let mut touched: BTreeMap<i32, BTreeSet<String>> = BTreeMap::new();
        let mut saved = Vec::new();
        for change in changes.keys() {
            if let Change::Plan { year, stem } = change {
                let (action, codes) = self.reload_plan(*year, stem);
                if let Some(action) = action {
                    let file = format!("content/{year}/{stem}.md");
                    files.push((action, file.clone()));
                    saved.push(file);
                }
                let entry = touched.entry(*year).or_default();
                entry.extend(codes);
                with_lineage(&self.site, entry);
            }
        }
        let history_moved = git && self.refresh_history(false);
        if history_moved {
            // Said as the commit HEAD now names, not as git's own files.
            let head: String = self
                .git
                .as_ref()
                .map(|g| g.mark.chars().take(7).collect())
                .unwrap_or_default();
            let lang = self.lang();
            files.push((
                Action::Changed,
                tr!(lang, "HEAD của git ({head})", "git HEAD ({head})"),
            ));
        } else if !saved.is_empty()
            && let Some(history) = self.history.as_mut()
        {
            crate::git::refresh_saved(&self.root, &self.site, OPTIONS.drafts, history, &saved);
        }
        if files.is_empty() {
            return Ok(None);
        }
        Ok(Some(Applied {
            files,
            stale: if theme || history_moved {
                Stale::All
            } else {
                Stale::Plans(touched.into_iter().collect())
            },
            whole: theme,
        }))
    }

    /// Reads `content/<year>/<stem>.md` again and swaps it into its cycle.
    /// Returns what happened to the file (`None`: nothing, e.g. a file that
    /// came and went between two looks) and the agency codes whose pages
    /// changed.
    fn reload_plan(&mut self, year: i32, stem: &str) -> (Option<Action>, BTreeSet<String>) {
        let rel = format!("content/{year}/{stem}.md");
        let lang = self.lang();
        let known = crate::model::lower::Known::of(&self.site);
        let file = load::load_plan(&self.root, year, stem, lang, &known);
        let mut codes = BTreeSet::from([stem.to_string()]);
        let Some(ci) = self.site.cycles.iter().position(|c| c.year == year) else {
            return (None, codes);
        };
        let cycle = &mut self.site.cycles[ci];
        if let Some(i) = cycle.plans.iter().position(|p| p.file == rel) {
            codes.insert(cycle.plans.remove(i).agency.value);
        }
        let was_listed = cycle.stems.iter().any(|s| s == stem);
        cycle.stems.retain(|s| s != stem);
        if file.listed {
            // In file-name order, as `load` lists them.
            let name = format!("{stem}.md");
            let at = cycle
                .stems
                .partition_point(|s| format!("{s}.md").as_str() < name.as_str());
            cycle.stems.insert(at, stem.to_string());
        }
        let mut diags = file.diagnostics;
        if let Some(plan) = file.plan {
            codes.insert(plan.agency.value.clone());
            let at = cycle
                .plans
                .partition_point(|p| p.file.as_str() < rel.as_str());
            cycle.plans.insert(at, plan);
        }
        let cycle = &self.site.cycles[ci];
        if let Some(plan) = cycle.plans.iter().find(|p| p.file == rel) {
            diags.extend(preview_bound(&rel, &plan.body, lang));
            diags.extend(validate::validate_plan(&self.site, cycle, plan));
        }
        let cycle_rules = validate::validate_cycle(&self.site, cycle);
        let has_diags = !diags.is_empty();
        self.set(Origin::Cycle(year), cycle_rules);
        self.set(Origin::Plan(rel.clone()), diags);
        match file.text {
            Some(t) => self.sources.insert(rel, t),
            None => self.sources.remove(&rel),
        };
        let action = match (was_listed, file.listed) {
            (false, true) => Some(Action::Added),
            (true, true) => Some(Action::Changed),
            (true, false) => Some(Action::Removed),
            // Never listed: a link out of the root (reported), or nothing.
            (false, false) => has_diags.then_some(Action::Changed),
        };
        (action, codes)
    }
}

/// Adds to `codes` every agency before or after them in a chain of
/// successors: an agency's page shows the plans of the agencies whose
/// duties it took over, so their edits make it stale too.
fn with_lineage(site: &Site, codes: &mut BTreeSet<String>) {
    let links: Vec<(&str, &str)> = site
        .agencies
        .iter()
        .flatten()
        .filter_map(|a| Some((a.code.value.as_str(), a.successor.as_ref()?.value.as_str())))
        .collect();
    loop {
        let before = codes.len();
        for (from, to) in &links {
            if codes.contains(*from) && !codes.contains(*to) {
                codes.insert((*to).to_string());
            }
            if codes.contains(*to) && !codes.contains(*from) {
                codes.insert((*from).to_string());
            }
        }
        if codes.len() == before {
            break;
        }
    }
}

/// The origin of a diagnostic found while loading `file`: a plan file's own,
/// or the site's.
fn origin_of_load(file: &str) -> Origin {
    let parts: Vec<&str> = file.split('/').collect();
    match parts.as_slice() {
        ["content", dir, name]
            if year_of(dir).is_some()
                && name.ends_with(".md")
                && !name.starts_with('_')
                && !scratch(name) =>
        {
            Origin::Plan(file.to_string())
        }
        _ => Origin::Site,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn demo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
            &dir.path().join("content"),
        );
        dir
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }

    /// The state after changing `paths` must equal a fresh load: the same
    /// diagnostics as `check`, the same plans, in the same order.
    fn assert_fresh(state: &State) {
        let check = crate::check::check(state.root()).unwrap();
        assert_eq!(state.diagnostics(), check.diagnostics);
        let fresh = load::load(state.root()).unwrap();
        for (a, b) in state.site.cycles.iter().zip(&fresh.site.cycles) {
            assert_eq!(a.stems, b.stems);
            let files = |c: &crate::model::Cycle| {
                c.plans
                    .iter()
                    .map(|p| (p.file.clone(), p.agency.value.clone(), p.projects.len()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(files(a), files(b));
        }
        assert_eq!(state.site.cycles.len(), fresh.site.cycles.len());
        for (file, text) in &fresh.sources {
            assert_eq!(state.sources.get(file), Some(text), "{file}");
        }
    }

    fn apply(state: &mut State, rel: &[&str]) -> Applied {
        let paths = rel.iter().map(|r| state.root.join(r)).collect();
        state.apply(&paths).unwrap().unwrap()
    }

    fn plan(state: &State, rel: &str) -> String {
        std::fs::read_to_string(state.root.join(rel)).unwrap()
    }

    #[test]
    fn a_saved_plan_is_reloaded_alone_and_checked_as_check_would() {
        let dir = demo();
        let mut state = State::load(dir.path(), "http://127.0.0.1:1").unwrap();
        assert_eq!(state.errors(), 0);
        assert_fresh(&state);
        let rel = "content/2019/so-tttt.md";
        let text = plan(&state, rel);
        // An amount that breaks a sum (E030), then the fix.
        let broken = text.replacen("total: 860", "total: 900", 1);
        std::fs::write(state.root.join(rel), &broken).unwrap();
        let a = apply(&mut state, &[rel]);
        assert_eq!(a.files, [(Action::Changed, rel.to_string())]);
        assert!(!a.whole);
        assert!(state.errors() > 0);
        assert_fresh(&state);
        std::fs::write(state.root.join(rel), &text).unwrap();
        apply(&mut state, &[rel]);
        assert_eq!(state.errors(), 0);
        assert_fresh(&state);
    }

    #[test]
    fn plans_come_and_go() {
        let dir = demo();
        let mut state = State::load(dir.path(), "http://127.0.0.1:1").unwrap();
        let plans = state.plans();
        // The missing agency (Lý Sơn) files its plan: W102 goes away.
        let text =
            plan(&state, "content/2019/ubnd-binh-son.md").replace("ubnd-binh-son", "ubnd-ly-son");
        let new = "content/2019/ubnd-ly-son.md";
        std::fs::write(state.root.join(new), text).unwrap();
        let a = apply(&mut state, &[new]);
        assert_eq!(a.files, [(Action::Added, new.to_string())]);
        assert_eq!(state.plans(), plans + 1);
        assert_fresh(&state);
        // Renamed to a stem that is not its agency: E011 on the new file.
        let renamed = "content/2019/ly-son.md";
        std::fs::rename(state.root.join(new), state.root.join(renamed)).unwrap();
        let a = apply(&mut state, &[new, renamed]);
        assert_eq!(a.files.len(), 2);
        assert!(a.files.contains(&(Action::Removed, new.to_string())));
        assert!(a.files.contains(&(Action::Added, renamed.to_string())));
        assert!(
            state
                .diagnostics()
                .iter()
                .any(|d| d.code == crate::Code::E011)
        );
        assert_fresh(&state);
        std::fs::remove_file(state.root.join(renamed)).unwrap();
        let a = apply(&mut state, &[renamed]);
        assert_eq!(a.files, [(Action::Removed, renamed.to_string())]);
        assert_eq!(state.plans(), plans);
        assert_eq!(state.errors(), 0);
        assert_fresh(&state);
    }

    #[test]
    fn garbage_files_are_errors_not_failures() {
        let dir = demo();
        let mut state = State::load(dir.path(), "http://127.0.0.1:1").unwrap();
        let rel = "content/2019/rac.md";
        std::fs::write(state.root.join(rel), b"\xff\xfe\x00garbage").unwrap();
        apply(&mut state, &[rel]);
        assert_fresh(&state);
        std::fs::write(state.root.join(rel), "---\n[unclosed: {\n---\n").unwrap();
        apply(&mut state, &[rel]);
        assert_fresh(&state);
        std::fs::remove_file(state.root.join(rel)).unwrap();
        apply(&mut state, &[rel]);
        assert_eq!(state.errors(), 0);
        assert_fresh(&state);
    }

    #[test]
    fn configuration_and_cycles_reload_everything() {
        let dir = demo();
        let mut state = State::load(dir.path(), "http://127.0.0.1:1").unwrap();
        let rel = "content/agencies.yaml";
        let text = plan(&state, rel);
        std::fs::write(state.root.join(rel), text.replace("so-tttt", "so-ttt")).unwrap();
        let a = apply(&mut state, &[rel]);
        assert!(a.whole && a.stale == Stale::All);
        assert!(state.errors() > 0);
        assert_fresh(&state);
        std::fs::write(state.root.join(rel), &text).unwrap();
        apply(&mut state, &[rel]);
        assert_eq!(state.errors(), 0);
        // A new cycle folder with a plan.
        let cycles = state.site.cycles.len();
        std::fs::create_dir(state.root.join("content/2021")).unwrap();
        std::fs::copy(
            state.root.join("content/2020/so-tttt.md"),
            state.root.join("content/2021/so-tttt.md"),
        )
        .unwrap();
        let a = apply(&mut state, &["content/2021", "content/2021/so-tttt.md"]);
        assert!(a.whole);
        assert_eq!(state.site.cycles.len(), cycles + 1);
        // A cycle's own catalog reloads everything too.
        std::fs::write(
            state.root.join("content/2021/catalog.yaml"),
            "categories: [",
        )
        .unwrap();
        let a = apply(&mut state, &["content/2021/catalog.yaml"]);
        assert!(a.whole);
        assert!(state.errors() > 0);
        assert_fresh(&state);
    }

    #[test]
    fn a_broken_template_is_e060_until_fixed() {
        let dir = demo();
        let tpl = dir.path().join("themes/default/templates");
        std::fs::create_dir_all(&tpl).unwrap();
        let mut state = State::load(dir.path(), "http://127.0.0.1:1").unwrap();
        assert!(!state.probe().is_empty());
        // A syntax error: found on loading the theme.
        std::fs::write(
            tpl.join("plan.html"),
            "{% extends \"base.html\" %}\n{% block content %}{{ oops(\n{% endblock %}\n",
        )
        .unwrap();
        let a = apply(&mut state, &["themes/default/templates/plan.html"]);
        assert!(a.whole && a.stale == Stale::All);
        let d: Vec<_> = state
            .diagnostics()
            .into_iter()
            .filter(|d| d.code == crate::Code::E060)
            .collect();
        assert_eq!(d[0].file, "themes/default/templates/plan.html");
        assert!(
            state
                .sources()
                .contains_key("themes/default/templates/plan.html")
        );
        assert_eq!(
            state.diagnostics(),
            crate::check::check(state.root()).unwrap().diagnostics
        );
        // A rendering error: found by rendering a sample of pages.
        std::fs::write(tpl.join("plan.html"), "{% extends \"base.html\" %}\n{% block content %}\n{{ data.nothing.here }}\n{% endblock %}\n").unwrap();
        apply(&mut state, &["themes/default/templates/plan.html"]);
        assert_eq!(state.errors(), 0);
        state.probe();
        assert!(state.render_failed());
        let d: Vec<_> = state
            .diagnostics()
            .into_iter()
            .filter(|d| d.code == crate::Code::E060)
            .collect();
        assert_eq!(
            (d[0].file.as_str(), d[0].pos.line),
            ("themes/default/templates/plan.html", 3)
        );
        std::fs::remove_file(tpl.join("plan.html")).unwrap();
        apply(&mut state, &["themes/default/templates/plan.html"]);
        assert!(!state.probe().is_empty());
        assert_eq!(state.errors(), 0);
    }

    #[test]
    fn scratch_files_and_other_paths_are_ignored() {
        let dir = demo();
        let state = State::load(dir.path(), "http://127.0.0.1:1").unwrap();
        let c = |rel: &str| state.classify(&state.root.join(rel));
        for rel in [
            "content/2019/.so-tttt.md.swp",
            "content/2019/so-tttt.md~",
            "content/2019/4913",
            "content/2019/so-tttt.md.tmp",
            "content/2019/#so-tttt.md#",
            "content/2019/_draft.md",
            "content/2019/notes.txt",
            "content/readme.txt",
            "output/index.html",
            "output",
            "themes/default/templates/.plan.html.swp",
        ] {
            assert_eq!(c(rel), None, "{rel}");
        }
        assert_eq!(
            c("content/2019/so-tttt.md"),
            Some(Change::Plan {
                year: 2019,
                stem: "so-tttt".into()
            })
        );
        for rel in [
            "content/site.yaml",
            "content/2019/_plan.md",
            "content/2021",
            "content/2021/x.md",
            "content",
        ] {
            assert_eq!(c(rel), Some(Change::Site), "{rel}");
        }
        assert_eq!(c("themes/default/static/style.css"), Some(Change::Theme));
        assert_eq!(
            state.classify(Path::new("/elsewhere/content/site.yaml")),
            None
        );
    }

    #[test]
    fn a_plan_change_makes_only_its_pages_stale() {
        let s = Stale::Plans(vec![(2019, BTreeSet::from(["so-tttt".to_string()]))]);
        for key in [
            "index.html",
            "2019/index.html",
            "2019/so-tttt/index.html",
            "agencies/so-tttt/index.html",
            "2019/data/plan.json",
            "2019/data/ke-hoach-2019.xlsx",
            "2019/ban-in/index.html",
            "2019/phu-luc/nguoi-dan/index.html",
            "2019/chi-tieu/ha-tang/index.html",
            "2018/index.html",
            "2018/so-tttt/index.html",
            "2018/data/plan.json",
            "2019/tinh-hinh/so-ban-nganh/2/index.html",
            "co-quan/index.html",
            "sitemap.xml",
            "atom.xml",
            "search/index.json",
            "search/t/0.json",
            "search/d/0.json",
        ] {
            assert!(s.covers(key), "{key}");
        }
        for key in [
            "2019/so-y-te/index.html",
            "agencies/so-y-te/index.html",
            "2018/so-y-te/index.html",
            "404.html",
            "static/style.css",
            "favicon.svg",
        ] {
            assert!(!s.covers(key), "{key}");
        }
        assert!(Stale::All.covers("static/style.css"));
    }
}
