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
