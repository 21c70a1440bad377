//! `planpress check`: load, validate, report.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{self, Diagnostic, Lang, Severity};
use crate::load::{self, LoadError, Loaded};
use crate::render::theme::Theme;
use crate::validate;

/// What checking a site found.
#[derive(Debug)]
pub struct Checked {
    /// Every diagnostic, sorted by file, line and code.
    pub diagnostics: Vec<Diagnostic>,
    /// Text of every file read, by path relative to the root.
    pub sources: BTreeMap<String, String>,
    /// Interface language of the site.
    pub lang: Lang,
    #[allow(dead_code)] // read by `build`
    pub(crate) loaded: Loaded,
}

impl Checked {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }
    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Loads and validates the site at `root`.
pub fn check(root: &Path) -> Result<Checked, LoadError> {
    let mut timer = crate::timings::Timer::start();
    let mut loaded = load::load(root)?;
    timer.mark("load");
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    diagnostics.extend(validate::validate(&loaded.site));
    diagnostics.extend(validate::placeholders(&loaded.sources, loaded.site.lang()));
    timer.mark("validate");
    // Template syntax is part of the site too: a broken override is E060
    // here, not first at build time.
    if let Some(config) = &loaded.site.config
        && let Err(errors) = Theme::load(&loaded.root, &config.theme, config.language)
    {
        for d in &errors {
            // A link out of the root is reported, never quoted.
            let path = loaded.root.join(&d.file);
            if d.code == diag::Code::E001 || !crate::load::inside_root(&loaded.root, &path) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                loaded.sources.insert(d.file.clone(), text);
            }
        }
        diagnostics.extend(errors);
    }
    diag::sort(&mut diagnostics);
    let sources = std::mem::take(&mut loaded.sources);
    Ok(Checked {
        diagnostics,
        sources,
        lang: loaded.site.lang(),
        loaded,
    })
}

/// What `check` shows of a site's diagnostics.
#[derive(Clone, Debug, Default)]
pub struct CheckView {
    /// Only the diagnostics of these files or folders (relative to the
    /// current folder or to the root); empty: all.
    pub paths: Vec<std::path::PathBuf>,
    /// Errors only.
    pub quiet: bool,
    /// One W102 per missing agency instead of one line per cycle.
    pub verbose: bool,
}

/// Narrows `checked` to what `view` asks for. The whole site is still
/// checked (a plan's rules read the registry, the catalog and the cycle),
/// so a file given alone gets exactly the diagnostics a full run gives it.
/// A path outside the site is a usage error.
pub fn narrow(checked: &mut Checked, view: &CheckView) -> Result<(), crate::CommandError> {
    let lang = checked.lang;
    let mut keep: Vec<String> = Vec::new();
    for p in &view.paths {
        keep.push(site_relative(&checked.loaded.root, p).ok_or_else(|| {
            let shown = p.display();
            crate::CommandError::usage(crate::diag::tr!(
                lang,
                "{shown} không nằm trong site (--root). Chỉ tệp hoặc thư mục trong content/ hay themes/, ví dụ content/2019/so-tttt.md.",
                "{shown} is not inside the site (--root). Give files or folders under content/ or themes/, e.g. content/2019/so-tttt.md."
            ))
        })?);
    }
    if !keep.is_empty() {
        checked.diagnostics.retain(|d| {
            keep.iter()
                .any(|k| k.is_empty() || d.file == *k || d.file.starts_with(&format!("{k}/")))
        });
    }
    if view.quiet {
        checked
            .diagnostics
            .retain(|d| d.severity() == Severity::Error);
    }
    if !view.verbose {
        let (site, lang) = (&checked.loaded.site, checked.lang);
        group_missing(site, lang, &mut checked.diagnostics);
    }
    Ok(())
}

/// The diagnostics as people read them on a terminal (`build`,
/// `publish`): agencies without a plan in one W102 line per cycle.
pub fn for_people(checked: &Checked) -> Vec<Diagnostic> {
    let mut out = checked.diagnostics.clone();
    group_missing(&checked.loaded.site, checked.lang, &mut out);
    out
}

/// `p` as a `/`-separated path relative to the site root ("" for the
/// root itself); `None` outside it.
fn site_relative(root: &Path, p: &Path) -> Option<String> {
    let root = std::fs::canonicalize(root).ok()?;
    let full = if p.exists() {
        std::fs::canonicalize(p).ok()?
    } else {
        // A file that is gone (deleted, not yet written) still names a
        // place in the site: take it relative to the root.
        root.join(p)
    };
    let rel = full.strip_prefix(&root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// One W102 per cycle naming every missing agency, in place of one per
/// agency: the list is for `planpress status`, not for every run of `check`.
fn group_missing(site: &crate::model::Site, lang: Lang, diagnostics: &mut Vec<Diagnostic>) {
    let mut grouped = Vec::new();
    for cycle in &site.cycles {
        let count = diagnostics
            .iter()
            .filter(|d| d.code == diag::Code::W102 && d.file == cycle.meta_file)
            .count();
        if count < 2 {
            continue;
        }
        let names: Vec<String> = site
            .expected_in(cycle.year)
            .filter(|a| !cycle.stems.contains(&a.code.value))
            .map(|a| format!("{} ({})", a.name, a.code.value))
            .collect();
        let (n, list, year) = (names.len(), names.join(", "), cycle.year);
        grouped.push(Diagnostic {
            code: diag::Code::W102,
            file: cycle.meta_file.clone(),
            pos: diag::Pos::START,
            message: diag::tr!(
                lang,
                "{n} cơ quan chưa gửi kế hoạch năm {year}: {list}.",
                "{n} agencies have no plan for {year}: {list}."
            ),
            help: Some(diag::tr!(
                lang,
                "`planpress status {year}` cho danh sách kèm email, điện thoại; `planpress remind {year}` soạn thư nhắc; `--verbose` liệt kê từng cơ quan.",
                "`planpress status {year}` lists them with e-mail and phone; `planpress remind {year}` writes the reminders; `--verbose` lists each one."
            )),
        });
        diagnostics.retain(|d| !(d.code == diag::Code::W102 && d.file == cycle.meta_file));
    }
    diagnostics.extend(grouped);
    diag::sort(diagnostics);
}
