//! `planpress build`: check, consolidate, render, write atomically.

use std::path::{Path, PathBuf};

use crate::check::{Checked, check};
use crate::diag::Severity;
use crate::load::LoadError;
use crate::render::{self, Options};

/// What a build did.
#[derive(Debug)]
pub enum BuildOutcome {
    /// Validation or rendering found errors; nothing was written.
    Failed(Checked),
    /// The site was written.
    Built {
        /// The check's findings (warnings only).
        checked: Checked,
        /// Where it was written.
        output: PathBuf,
        /// How many files.
        files: usize,
    },
}

/// Why a build could not run at all.
#[derive(Debug)]
pub enum BuildError {
    /// The root could not be read.
    Load(LoadError),
    /// Writing the output failed.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Load(e) => write!(f, "{e}"),
            BuildError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for BuildError {}

/// Checks and renders the site at `root` in memory. `Err` holds the checked
/// site with its diagnostics, template errors (E060) included.
pub(crate) fn render_site(
    root: &Path,
    drafts: bool,
) -> Result<Result<(Checked, Vec<render::OutFile>), Checked>, LoadError> {
    let mut timer = crate::timings::Timer::start();
    let mut checked = check(root)?;
    timer.mark("check");
    if checked
        .diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Error)
    {
        return Ok(Err(checked));
    }
    match render::render(
        &checked.loaded.root,
        &checked.loaded.site,
        Options { drafts },
    ) {
        Ok(files) => Ok(Ok((checked, files))),
        Err(diags) => {
            checked.diagnostics.extend(diags);
            crate::diag::sort(&mut checked.diagnostics);
            Ok(Err(checked))
        }
    }
}

/// Builds the site at `root` into `output` (default `<root>/output`).
pub fn build(root: &Path, output: Option<&Path>, drafts: bool) -> Result<BuildOutcome, BuildError> {
    let (checked, files) = match render_site(root, drafts).map_err(BuildError::Load)? {
        Ok(v) => v,
        Err(checked) => return Ok(BuildOutcome::Failed(checked)),
    };
    let mut timer = crate::timings::Timer::start();
    let output = output.map_or_else(|| checked.loaded.root.join("output"), Path::to_path_buf);
    crate::output::write_atomically(&output, &files)
        .map_err(|e| BuildError::Io(output.clone(), e))?;
    timer.mark("write");
    Ok(BuildOutcome::Built {
        files: files.len(),
        checked,
        output,
    })
}
