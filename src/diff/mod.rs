//! `planpress diff`: what changed in numbers between two versions of a site,
//! for each cycle and agency (projects added or removed, costs, budget
//! levels and capital kinds, II.2 spending rows, indicators, status), then
//! every total of each cycle.
//!
//! Both versions go through the same loader and `consolidate`: a revision's
//! `content/` is read from git into memory and lowered exactly like the
//! files on disk, so the figures are those `build` would publish.

mod compare;
mod report;

use std::path::Path;

use crate::diag::{CommandError, Lang, Severity, tr};
use crate::git::{Repo, Rev};
use crate::load;
use crate::model::Site;

use compare::compare;

/// How `diff` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DiffFormat {
    /// Tables for people.
    #[default]
    Human,
    /// One JSON object for tools.
    Json,
}

// ---- the command ------------------------------------------------------------

/// One side of the comparison, as the user named it.
struct Version {
    label: String,
    rev: Option<Rev>,
    site: Site,
    errors: usize,
}

fn errors_of(loaded: &load::Loaded) -> usize {
    loaded
        .diagnostics
        .iter()
        .chain(&crate::validate::validate(&loaded.site))
        .filter(|d| d.severity() == Severity::Error)
        .count()
}

fn version(repo: &Repo, root: &Path, spec: &str, lang: Lang) -> Result<Version, CommandError> {
    let rev = repo
        .resolve(spec)
        .map_err(|e| CommandError::usage(e.message(lang)))?;
    let files = repo
        .files_at(rev.id)
        .map_err(|e| CommandError::failed(e.message(lang)))?;
    let loaded = load::load_files(root, &files);
    Ok(Version {
        label: format!("{spec} ({})", rev.short),
        errors: errors_of(&loaded),
        rev: Some(rev),
        site: loaded.site,
    })
}

/// Compares the site at `root` between `before` (default `HEAD`) and
/// `after` (default: the work tree, committed or not), and prints the
/// changes in `format`. `notes` get what a reader should know (a version
/// with errors).
pub fn diff(
    root: &Path,
    before: Option<&str>,
    after: Option<&str>,
    format: DiffFormat,
    drafts: bool,
) -> Result<(String, Vec<String>), CommandError> {
    let work = load::load(root).map_err(|e| CommandError::usage(format!("--root {e}")))?;
    let lang = work.site.lang();
    let repo = Repo::open(root).map_err(|e| CommandError::usage(e.message(lang)))?;
    let a = version(&repo, &work.root, before.unwrap_or("HEAD"), lang)?;
    let b = match after {
        Some(spec) => version(&repo, &work.root, spec, lang)?,
        None => Version {
            label: tr!(lang, "thư mục làm việc", "work tree"),
            rev: None,
            errors: errors_of(&work),
            site: work.site,
        },
    };
    let unit = b
        .site
        .config
        .as_ref()
        .or(a.site.config.as_ref())
        .map(|c| c.money_unit);
    let cycles = compare(&a.site, &b.site, drafts, lang);
    let mut notes = Vec::new();
    for v in [&a, &b] {
        if v.errors > 0 {
            let (label, n) = (&v.label, v.errors);
            notes.push(tr!(
                lang,
                "Lưu ý: phiên bản {label} có {n} lỗi (xem `planpress check`); phần bị lỗi không được tính.",
                "Note: version {label} has {n} errors (see `planpress check`); the broken parts are not counted."
            ));
        }
    }
    let text = match format {
        DiffFormat::Human => report::human(&cycles, &a, &b, unit, drafts, lang),
        DiffFormat::Json => report::json(&cycles, &a, &b, unit, drafts),
    };
    Ok((text, notes))
}
