//! `planpress build`: check, consolidate, render, write atomically.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::cache::{Key, PageCache};
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
    /// The output folder is one a build must not replace; the message says
    /// why and what to do, in the site's language.
    Refused(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Load(e) => write!(f, "{e}"),
            BuildError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            BuildError::Refused(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for BuildError {}

impl crate::diag::Exit for BuildError {
    fn exit_code(&self) -> u8 {
        match self {
            BuildError::Load(_) | BuildError::Refused(_) => 2,
            BuildError::Io(..) => 1,
        }
    }
}

/// Checks the site at `root`; `Err` holds the checked site when it has
/// errors, and nothing should be rendered.
fn check_valid(root: &Path) -> Result<Result<Checked, Checked>, LoadError> {
    let checked = check(root)?;
    let invalid = checked
        .diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Error);
    Ok(if invalid { Err(checked) } else { Ok(checked) })
}

/// The checked site with the errors rendering found (E060), in order.
fn with_errors(mut checked: Checked, diags: Vec<crate::diag::Diagnostic>) -> Checked {
    checked.diagnostics.extend(diags);
    crate::diag::sort(&mut checked.diagnostics);
    checked
}

/// Checks and renders the site at `root` in memory. `Err` holds the checked
/// site with its diagnostics, template errors (E060) included.
pub(crate) fn render_site(
    root: &Path,
    drafts: bool,
) -> Result<Result<(Checked, Vec<render::OutFile>), Checked>, LoadError> {
    let checked = match check_valid(root)? {
        Ok(c) => c,
        Err(c) => return Ok(Err(c)),
    };
    let (root, site) = (&checked.loaded.root, &checked.loaded.site);
    let history = crate::git::site_history(root, site, drafts);
    let rendered = render::render(root, site, Options { drafts }, history.as_ref());
    Ok(match rendered {
        Ok(files) => Ok((checked, files)),
        Err(diags) => Err(with_errors(checked, diags)),
    })
}

/// Builds the site at `root` into `output` (default `<root>/output`),
/// refusing an output folder that is not a planpress output (see
/// [`build_to`]).
pub fn build(root: &Path, output: Option<&Path>, drafts: bool) -> Result<BuildOutcome, BuildError> {
    build_to(root, output, drafts, false)
}

/// Builds the site at `root` into `output` (default `<root>/output`). The
/// output is replaced whole, so it is never the root, a folder above it,
/// `content/` or `themes/` (or inside them); nor, unless `force`, a folder
/// that holds files and is not an earlier output.
pub fn build_to(
    root: &Path,
    output: Option<&Path>,
    drafts: bool,
    force: bool,
) -> Result<BuildOutcome, BuildError> {
    let mut timer = crate::timings::Timer::start();
    let checked = match check_valid(root).map_err(BuildError::Load)? {
        Ok(c) => c,
        Err(c) => return Ok(BuildOutcome::Failed(c)),
    };
    timer.mark("check");
    // The text of every file is kept only to quote the lines diagnostics
    // point at; rendering reads the typed site. At 10,000 plans that is
    // over 100 MB not held through the render.
    let mut checked = checked;
    let quoted: std::collections::BTreeSet<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.file.as_str())
        .collect();
    let keep: std::collections::BTreeSet<String> = checked
        .sources
        .keys()
        .filter(|f| quoted.contains(f.as_str()))
        .cloned()
        .collect();
    checked.sources.retain(|f, _| keep.contains(f));
    let output = output.map_or_else(|| checked.loaded.root.join("output"), Path::to_path_buf);
    crate::output::may_replace(&checked.loaded.root, &output, force, checked.lang)
        .map_err(BuildError::Refused)?;
    match write_site(&checked, &output, Options { drafts }, &mut timer)? {
        Ok(files) => Ok(BuildOutcome::Built {
            files,
            checked,
            output,
        }),
        Err(diags) => Ok(BuildOutcome::Failed(with_errors(checked, diags))),
    }
}

/// Renders a valid site straight to disk: each file goes into a work
/// folder beside `output` as soon as it is rendered, so the build never
/// holds the whole site in memory, and the folder is swapped in once every
/// page rendered. A template error found late (E060) leaves the previous
/// output as it was. Returns how many files were written.
fn write_site(
    checked: &Checked,
    output: &Path,
    opts: Options,
    timer: &mut crate::timings::Timer,
) -> Result<Result<usize, Vec<crate::diag::Diagnostic>>, BuildError> {
    let io = |e| BuildError::Io(output.to_path_buf(), e);
    let (root, site) = (&checked.loaded.root, &checked.loaded.site);
    let theme = match render::theme_for(root, site, opts) {
        Ok(t) => t,
        Err(diags) => return Ok(Err(diags)),
    };
    let history = crate::git::site_history(root, site, opts.drafts);
    let renderer = match render::Renderer::new(site, &theme, opts) {
        Ok(r) => r.with_history(history.as_ref()),
        Err(diags) => return Ok(Err(diags)),
    };
    timer.mark("consolidate");
    let paths: Vec<String> = renderer.targets().into_iter().map(|(p, _)| p).collect();
    let staging =
        crate::output::Staging::begin(output, paths.iter().map(String::as_str)).map_err(io)?;
    let cache = PageCache::open(root, output, crate::cache::header(&theme.fingerprint));
    timer.mark("folders");
    let incremental = Incremental {
        cache: &cache,
        staging: &staging,
        reused: AtomicUsize::new(0),
        rendered: AtomicUsize::new(0),
    };
    let done = renderer.render_each(Some(&incremental), &|p, bytes| staging.put(p, &bytes));
    timer.mark("render, write");
    let reused = incremental.reused.load(Ordering::Relaxed);
    let pages = reused + incremental.rendered.load(Ordering::Relaxed);
    timer.note(&format!("reused {reused} of {pages} pages"));
    let done = done.and_then(|files| {
        staging
            .put(crate::output::MARKER, crate::output::MARKER_TEXT.as_bytes())
            .map(|()| files)
            .map_err(render::Failure::Io)
    });
    match done {
        Ok(files) => {
            staging.commit().map_err(io)?;
            timer.mark("swap, remove");
            cache.save();
            timer.mark("cache");
            Ok(Ok(files))
        }
        Err(render::Failure::Render(diags)) => Ok(Err(diags)),
        Err(render::Failure::Io(e)) => Err(io(e)),
    }
}

/// The build cache over the work folder: a page the cache knows is
/// unchanged is linked from the previous output.
struct Incremental<'a> {
    cache: &'a PageCache,
    staging: &'a crate::output::Staging,
    /// Pages linked from the previous output, and pages rendered.
    reused: AtomicUsize,
    rendered: AtomicUsize,
}

impl render::Reuse for Incremental<'_> {
    fn reuse(&self, path: &str, key: &Key) -> std::io::Result<bool> {
        if self.cache.unchanged(path, key).is_none() {
            return Ok(false);
        }
        let kept = self.staging.keep_previous(path)?;
        if kept {
            self.cache.record(path, *key);
            self.reused.fetch_add(1, Ordering::Relaxed);
        }
        Ok(kept)
    }

    fn rendered(&self, path: &str, key: Key) {
        self.cache.record(path, key);
        self.rendered.fetch_add(1, Ordering::Relaxed);
    }
}
