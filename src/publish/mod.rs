//! `planpress publish`, `releases` and `rollback`: atomic, incremental
//! deploys to the targets of `site.yaml`.
//!
//! Every target has the same layout, on a local folder (`kind: dir`) or on a
//! remote host reached with the system's OpenSSH (`kind: ssh`):
//!
//! ```text
//! <path>/current -> releases/<id>          symlink the web server serves
//! <path>/releases/<id>/                    one complete release
//! <path>/releases/<id>/.planpress-manifest.json
//! <path>/releases/.partial-<id>/           an upload in progress
//! <path>/.planpress.lock                   held while a command works
//! ```
//!
//! A publish builds the site in memory, hashes every file into a manifest,
//! compares it with the current release's manifest, hard-links the unchanged
//! files from the current release into `releases/.partial-<id>/`, sends the
//! new and changed ones, writes the manifest, renames the folder to
//! `releases/<id>/`, and only then points `current` at it by renaming a new
//! symlink over the old one. Killed at any moment, it leaves `current` on a
//! complete release; the next publish resumes the partial folder.

mod dir;
mod error;
pub(crate) mod manifest;
mod report;
mod s3;
pub(crate) mod ssh;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::build::render_site;
use crate::check::Checked;
use crate::diag::{Lang, Severity, sort, tr};
use crate::model::{Target, TargetKind};
use manifest::{Diff, FileEntry, Manifest};

pub use error::PublishError;
pub(crate) use error::{ErrorKind, io_err};
pub(crate) use report::size;
pub use report::{Outcome, Published, Release, Releases, Report, RolledBack};

/// Prefix of the folder a release is uploaded into before it is complete.
pub(crate) const PARTIAL: &str = ".partial-";
/// Prefix of a release folder being deleted.
pub(crate) const TRASH: &str = ".trash-";
/// Prefix of the temporary symlink renamed over `current`.
pub(crate) const TMP_LINK: &str = "current.tmp-";
/// The lock file at the top of a target.
pub(crate) const LOCK: &str = ".planpress.lock";

/// What `publish` should do.
#[derive(Clone, Debug, Default)]
pub struct PublishOptions {
    /// The target's name in `site.yaml`; may be left out when there is one.
    pub target: Option<String>,
    /// Only say what would be sent; change nothing.
    pub dry_run: bool,
    /// Put draft plans on the site, marked as drafts.
    pub drafts: bool,
    /// The ssh command for `kind: ssh` targets, split like a shell does
    /// (`ssh -F deploy/ssh_config`); `None` takes the environment variable
    /// `PLANPRESS_SSH`, or plain `ssh`.
    pub ssh: Option<String>,
    /// Publish even though `base_url` is still the scaffold's placeholder
    /// (a trial portal).
    pub allow_placeholder: bool,
}

/// Whether `base_url` is still a placeholder: the scaffold's
/// `example.gov.vn`, or one of the reserved `example.*` names. Published
/// with it, the sitemap, canonical links and feeds point there.
pub(crate) fn is_placeholder(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest
        .split(['/', ':', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [
        "example.gov.vn",
        "example.com",
        "example.org",
        "example.net",
    ]
    .iter()
    .any(|p| host == *p || host.ends_with(&format!(".{p}")))
}

/// Whether `base_url` is the line `init` wrote and nobody has touched: it
/// still carries the scaffold's «ĐIỀN: …» mark (W108). Only then does
/// `publish` refuse; any other `example.*` address (the contract's own
/// example, a trial portal) is warned about and published.
fn still_the_scaffolds(checked: &Checked) -> bool {
    checked
        .sources
        .get("content/site.yaml")
        .is_some_and(|text| {
            text.lines().any(|l| {
                l.trim_start().starts_with("base_url:") && l.contains(crate::validate::PLACEHOLDER)
            })
        })
}

/// The warning for a site whose `base_url` is still a placeholder, in its
/// language; `None` when the address is real (or site.yaml unread).
pub fn placeholder_warning(checked: &Checked) -> Option<String> {
    let config = checked.loaded.site.config.as_ref()?;
    let url = &config.base_url;
    is_placeholder(url).then(|| {
        tr!(
            checked.lang,
            "Cảnh báo: `base_url` vẫn là địa chỉ mẫu ({url}); sơ đồ trang, liên kết chuẩn và nguồn tin sẽ trỏ tới đó. Sửa `base_url` trong content/site.yaml trước khi xuất bản.",
            "Warning: `base_url` is still the placeholder ({url}); the sitemap, canonical links and feeds point there. Set `base_url` in content/site.yaml before publishing."
        )
    })
}

/// The words that close every refusal: nothing was changed.
pub fn portal_unchanged(lang: Lang) -> String {
    tr!(
        lang,
        "Trang cổng không thay đổi.",
        "The portal is unchanged."
    )
}

// ---- what a target must do ------------------------------------------------

/// Where `current` points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CurrentLink {
    /// There is no `current` yet.
    Absent,
    /// `current -> releases/<id>`.
    Release(String),
    /// A symlink to something that is not one of our releases.
    Elsewhere,
    /// A folder or file: refused, never replaced.
    NotALink,
}

/// The folders and link of a target.
#[derive(Clone, Debug)]
pub(crate) struct TargetState {
    /// Complete releases, sorted (oldest first).
    pub(crate) releases: Vec<String>,
    /// `.partial-*` folders, sorted.
    pub(crate) partials: Vec<String>,
    /// `.trash-*` folders.
    pub(crate) trash: Vec<String>,
    pub(crate) current: CurrentLink,
}

impl TargetState {
    /// The current release, if it is one of the complete releases.
    fn current_release(&self) -> Option<&str> {
        match &self.current {
            CurrentLink::Release(id) if self.releases.contains(id) => Some(id),
            _ => None,
        }
    }
}

/// One upload: what goes into `releases/<partial>/`.
pub(crate) struct Upload<'a> {
    /// `.partial-<id>`.
    pub(crate) partial: String,
    /// A partial folder of an earlier publish to continue from.
    pub(crate) resume: Option<String>,
    /// Folders under `releases/` to delete first (other partials, trash).
    pub(crate) stale: Vec<String>,
    /// The release to hard-link unchanged files from.
    pub(crate) base: Option<&'a str>,
    /// Unchanged files: linked from `base`.
    pub(crate) link: Vec<&'a FileEntry>,
    /// New and changed files: sent.
    pub(crate) send: Vec<&'a FileEntry>,
    /// The bytes of every file, by path.
    pub(crate) bytes: BTreeMap<&'a str, &'a [u8]>,
    /// The manifest, as written into the release.
    pub(crate) manifest: Vec<u8>,
}

/// What staging did.
#[derive(Debug, Default)]
pub(crate) struct Staged {
    pub(crate) linked: usize,
    pub(crate) sent: usize,
    pub(crate) sent_bytes: u64,
    pub(crate) resumed: usize,
    pub(crate) wire: Option<u64>,
}

/// A place releases live: a local folder or a folder on an ssh host.
pub(crate) trait Endpoint {
    /// Where it is, for messages.
    fn place(&self) -> String;
    /// Takes the target's lock until the endpoint is dropped.
    fn lock(&mut self) -> Result<(), ErrorKind>;
    /// Lists releases, partial uploads and where `current` points.
    fn state(&mut self) -> Result<TargetState, ErrorKind>;
    /// The manifests of `ids`, `None` for a missing or unreadable one.
    fn manifests(&mut self, ids: &[String]) -> Result<Vec<Option<Manifest>>, ErrorKind>;
    /// Fills `releases/<job.partial>/`: cleans up, resumes, links, sends,
    /// and writes the manifest last.
    fn stage(&mut self, job: &Upload<'_>) -> Result<Staged, ErrorKind>;
    /// Renames the complete partial folder to `releases/<id>`.
    fn commit(&mut self, partial: &str, id: &str) -> Result<(), ErrorKind>;
    /// Points `current` at `releases/<id>` in one rename.
    fn switch(&mut self, id: &str) -> Result<(), ErrorKind>;
    /// Deletes releases.
    fn remove(&mut self, ids: &[String]) -> Result<(), ErrorKind>;
}

fn open(
    target: &Target,
    root: &Path,
    lang: Lang,
    ssh_command: Option<&str>,
) -> Result<Box<dyn Endpoint>, ErrorKind> {
    Ok(match &target.kind {
        TargetKind::Dir => Box::new(dir::DirEndpoint::new(dir_target(&target.path, root)?)),
        TargetKind::Ssh {
            host,
            port,
            user,
            identity,
        } => Box::new(ssh::SshEndpoint::new(
            ssh::Remote {
                host: host.clone(),
                port: *port,
                user: user.clone(),
                identity: identity.as_deref().map(|i| local_path(i, root)),
                path: target.path.clone(),
            },
            ssh_command,
            lang,
        )?),
        TargetKind::S3 {
            endpoint,
            bucket,
            region,
        } => Box::new(s3::S3Endpoint::new(
            &s3::Config {
                endpoint,
                bucket,
                region,
                prefix: &target.path,
            },
            lang,
        )?),
    })
}

/// The folder of a `kind: dir` target, refused before anything is created:
/// an empty path (the site's own folder), `/`, the site's folder or one
/// above it would fill them with `releases/` and `current`, and prune old
/// releases there; a file on the way would fail half-way.
fn dir_target(p: &str, root: &Path) -> Result<PathBuf, ErrorKind> {
    let refused = || ErrorKind::TargetPath {
        path: p.to_string(),
    };
    if p.trim().is_empty() {
        return Err(refused());
    }
    let path = local_path(p, root);
    // The nearest part of the path that exists: it must be a folder, and
    // once links are resolved, not `/` nor the root or a folder above it.
    let mut existing = path.as_path();
    loop {
        match std::fs::metadata(existing) {
            Ok(m) if !m.is_dir() => {
                return Err(ErrorKind::TargetIsFile {
                    path: p.to_string(),
                    file: existing.display().to_string(),
                });
            }
            Ok(_) => break,
            Err(_) => match existing.parent() {
                Some(parent) => existing = parent,
                None => break,
            },
        }
    }
    let real = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    let lexical_root = path.components().all(|c| {
        matches!(
            c,
            std::path::Component::RootDir | std::path::Component::CurDir
        )
    });
    if (existing == path.as_path() && (real.parent().is_none() || root.starts_with(&real)))
        || lexical_root
    {
        return Err(refused());
    }
    Ok(path)
}

/// A local path of site.yaml: `~/` is the home folder, and a relative path
/// is relative to the site's root.
fn local_path(p: &str, root: &Path) -> PathBuf {
    if let Some(rest) = p.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    root.join(p)
}

fn select<'c>(targets: &'c [Target], name: Option<&str>) -> Result<&'c Target, ErrorKind> {
    let names = || targets.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    match name {
        Some(n) => targets
            .iter()
            .find(|t| t.name == n)
            .ok_or_else(|| ErrorKind::UnknownTarget {
                name: n.to_string(),
                names: names(),
            }),
        None => match targets {
            [] => Err(ErrorKind::NoTargets),
            [one] => Ok(one),
            _ => Err(ErrorKind::TargetRequired { names: names() }),
        },
    }
}

/// The release before `current`: the newest one older than it.
fn before<'r>(releases: &'r [String], current: &str) -> Option<&'r String> {
    releases.iter().filter(|r| r.as_str() < current).max()
}

/// Releases to delete so that at most `keep` remain, oldest first, never
/// `current` nor the release before it.
pub(crate) fn prune_list(releases: &[String], current: &str, keep: u32) -> Vec<String> {
    let mut sorted: Vec<&String> = releases.iter().collect();
    sorted.sort();
    let prev = before(releases, current);
    let protected = |r: &String| r == current || Some(r) == prev;
    let mut excess = sorted.len().saturating_sub(keep as usize);
    let mut out = Vec::new();
    for r in sorted {
        if excess == 0 {
            break;
        }
        if !protected(r) {
            out.push(r.clone());
            excess -= 1;
        }
    }
    out
}

/// Finds a release by its id, or by a prefix or suffix of it that only it
/// has (`--to 20190716`, `--to 3fa9c2d1`).
fn resolve<'r>(releases: &'r [String], query: &str) -> Option<&'r String> {
    if let Some(exact) = releases.iter().find(|r| r.as_str() == query) {
        return Some(exact);
    }
    let hits: Vec<&String> = releases
        .iter()
        .filter(|r| !query.is_empty() && (r.starts_with(query) || r.ends_with(query)))
        .collect();
    match hits.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Loads only site.yaml, for `releases` and `rollback`.
fn site_targets(root: &Path) -> Result<Result<(Checked, Lang), Checked>, PublishError> {
    let (mut loaded, lang) = crate::load::load_site_config(root)
        .map_err(|e| PublishError::new(Lang::Vi, ErrorKind::Root(e)))?;
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    sort(&mut diagnostics);
    let sources = std::mem::take(&mut loaded.sources);
    let failed =
        loaded.site.config.is_none() || diagnostics.iter().any(|d| d.severity() == Severity::Error);
    let checked = Checked {
        diagnostics,
        sources,
        lang,
        loaded,
    };
    Ok(if failed {
        Err(checked)
    } else {
        Ok((checked, lang))
    })
}

// ---- the commands ---------------------------------------------------------

/// Builds the site at `root`, refuses on any error, and deploys it to a
/// target of its `site.yaml`. `log` receives progress lines.
pub fn publish(
    root: &Path,
    opts: &PublishOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Outcome<Published>, PublishError> {
    let start = std::time::Instant::now();
    // The target first, from site.yaml alone: a usage error comes before a
    // long build. (An invalid site.yaml is reported by the build below.)
    if let Ok((checked, lang)) = site_targets(root)? {
        let targets = checked
            .loaded
            .site
            .config
            .as_ref()
            .map_or(&[][..], |c| c.publish.as_slice());
        select(targets, opts.target.as_deref()).map_err(|k| PublishError::new(lang, k))?;
    }
    let rendered = render_site(root, opts.drafts)
        .map_err(|e| PublishError::new(Lang::Vi, ErrorKind::Root(e)))?;
    let (checked, files) = match rendered {
        Ok(v) => v,
        Err(checked) => return Ok(Outcome::Invalid(Box::new(checked))),
    };
    let build_time = start.elapsed();
    if let Some(config) = &checked.loaded.site.config
        && is_placeholder(&config.base_url)
    {
        let (lang, url) = (checked.lang, config.base_url.clone());
        if !opts.allow_placeholder && !opts.dry_run && still_the_scaffolds(&checked) {
            return Err(PublishError::new(
                lang,
                ErrorKind::Placeholder { base_url: url },
            ));
        }
        log(&tr!(
            lang,
            "Cảnh báo: `base_url` vẫn là địa chỉ mẫu ({url}); sơ đồ trang, liên kết chuẩn và nguồn tin sẽ trỏ tới đó.",
            "Warning: `base_url` is still the placeholder ({url}); the sitemap, canonical links and feeds point there."
        ));
    }
    let mut report = deploy(&checked, &files, opts, log)?;
    report.build_time = build_time;
    report.deploy_time = start.elapsed() - build_time;
    Ok(Outcome::Done(Published { checked, report }))
}

/// The work of `publish` once the site is built and valid.
fn deploy(
    checked: &Checked,
    files: &[crate::output::OutFile],
    opts: &PublishOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Report, PublishError> {
    let lang = checked.lang;
    let err = |kind| PublishError::new(lang, kind);
    let targets = checked
        .loaded
        .site
        .config
        .as_ref()
        .map_or(&[][..], |c| c.publish.as_slice());
    let target = select(targets, opts.target.as_deref()).map_err(err)?;
    if files.is_empty() {
        return Err(err(ErrorKind::Empty));
    }
    let mut manifest = Manifest::of(files).map_err(|p| err(ErrorKind::BadPath(p)))?;
    let mut ep = open(target, &checked.loaded.root, lang, opts.ssh.as_deref()).map_err(err)?;
    let place = ep.place();
    if !opts.dry_run {
        ep.lock().map_err(err)?;
    }
    let state = ep.state().map_err(err)?;
    if state.current == CurrentLink::NotALink {
        return Err(err(ErrorKind::NotALink { place }));
    }
    let current = state.current_release().map(str::to_string);
    let base = match &current {
        Some(id) => ep
            .manifests(std::slice::from_ref(id))
            .map_err(err)?
            .pop()
            .flatten(),
        None => None,
    };
    let id = manifest::new_id(
        chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()),
        &state.releases,
        &manifest.content,
    );
    manifest.stamp(&id);
    let diff = Diff::between(base.as_ref(), &manifest);
    let unchanged = base.as_ref().is_some_and(|b| b.content == manifest.content);
    let mut out = Report {
        target: target.name.clone(),
        place,
        id: None,
        previous: current.clone(),
        files: manifest.files,
        bytes: manifest.bytes,
        sent_files: if unchanged {
            0
        } else {
            diff.added.len() + diff.changed.len()
        },
        sent_bytes: if unchanged { 0 } else { diff.sent_bytes() },
        wire_bytes: None,
        linked_files: diff.same.len(),
        removed_files: diff.removed.len(),
        resumed_files: 0,
        pruned: Vec::new(),
        unchanged,
        dry_run: opts.dry_run,
        changes: Vec::new(),
        prune_error: None,
        build_time: std::time::Duration::ZERO,
        deploy_time: std::time::Duration::ZERO,
        lang,
    };
    if unchanged {
        return Ok(out);
    }
    if opts.dry_run {
        let mut lines: Vec<(&str, String)> = Vec::new();
        for e in &diff.added {
            lines.push((&e.path, format!("+ {}  ({})", e.path, size(e.size, lang))));
        }
        for e in &diff.changed {
            lines.push((&e.path, format!("~ {}  ({})", e.path, size(e.size, lang))));
        }
        for e in &diff.removed {
            lines.push((&e.path, format!("- {}", e.path)));
        }
        lines.sort();
        out.changes = lines.into_iter().map(|(_, l)| l).collect();
        return Ok(out);
    }

    let resume = state.partials.last().cloned();
    let stale: Vec<String> = state
        .partials
        .iter()
        .filter(|p| Some(*p) != resume.as_ref())
        .chain(&state.trash)
        .cloned()
        .collect();
    let job = Upload {
        partial: format!("{PARTIAL}{id}"),
        resume,
        stale,
        base: if base.is_some() {
            current.as_deref()
        } else {
            None
        },
        link: diff.same.clone(),
        send: diff.sent(),
        bytes: files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect(),
        manifest: manifest.to_json(),
    };
    {
        let n = job.send.len();
        let b = size(out.sent_bytes, lang);
        let k = job.link.len();
        log(&tr!(
            lang,
            "Đang tải lên {n} tệp mới hoặc đã đổi ({b}), liên kết {k} tệp không đổi…",
            "Uploading {n} new or changed files ({b}), linking {k} unchanged files…"
        ));
    }
    let staged = ep.stage(&job).map_err(err)?;
    ep.commit(&job.partial, &id).map_err(err)?;
    ep.switch(&id).map_err(err)?;
    out.id = Some(id.clone());
    out.linked_files = staged.linked;
    out.sent_files = staged.sent;
    out.sent_bytes = staged.sent_bytes;
    out.resumed_files = staged.resumed;
    out.wire_bytes = staged.wire;

    let mut all = state.releases.clone();
    all.push(id.clone());
    let pruned = prune_list(&all, &id, target.keep);
    if !pruned.is_empty() {
        match ep.remove(&pruned) {
            Ok(()) => out.pruned = pruned,
            Err(e) => out.prune_error = Some(PublishError::new(lang, e).to_string()),
        }
    }
    Ok(out)
}

/// Lists the releases of a target.
pub fn releases(root: &Path, target: Option<&str>) -> Result<Outcome<Releases>, PublishError> {
    let (checked, lang) = match site_targets(root)? {
        Ok(v) => v,
        Err(checked) => return Ok(Outcome::Invalid(Box::new(checked))),
    };
    let err = |kind| PublishError::new(lang, kind);
    let Some(config) = checked.loaded.site.config.as_ref() else {
        return Ok(Outcome::Invalid(Box::new(checked)));
    };
    let target = select(&config.publish, target).map_err(err)?;
    let mut ep = open(target, &checked.loaded.root, lang, None).map_err(err)?;
    let state = ep.state().map_err(err)?;
    let manifests = ep.manifests(&state.releases).map_err(err)?;
    let current = state.current_release();
    let mut list: Vec<Release> = state
        .releases
        .iter()
        .zip(manifests)
        .map(|(id, m)| Release {
            id: id.clone(),
            files: m.as_ref().map(|m| m.files),
            bytes: m.as_ref().map(|m| m.bytes),
            current: Some(id.as_str()) == current,
        })
        .collect();
    list.reverse();
    Ok(Outcome::Done(Releases {
        target: target.name.clone(),
        place: ep.place(),
        releases: list,
        partials: state.partials,
        lang,
    }))
}

/// Points `current` of a target back at the release before it, or at the
/// release `to`.
pub fn rollback(
    root: &Path,
    target: Option<&str>,
    to: Option<&str>,
) -> Result<Outcome<RolledBack>, PublishError> {
    let (checked, lang) = match site_targets(root)? {
        Ok(v) => v,
        Err(checked) => return Ok(Outcome::Invalid(Box::new(checked))),
    };
    let err = |kind| PublishError::new(lang, kind);
    let Some(config) = checked.loaded.site.config.as_ref() else {
        return Ok(Outcome::Invalid(Box::new(checked)));
    };
    let target = select(&config.publish, target).map_err(err)?;
    let mut ep = open(target, &checked.loaded.root, lang, None).map_err(err)?;
    let place = ep.place();
    ep.lock().map_err(err)?;
    let state = ep.state().map_err(err)?;
    let from = match &state.current {
        CurrentLink::Release(id) => id.clone(),
        CurrentLink::NotALink => return Err(err(ErrorKind::NotALink { place })),
        CurrentLink::Absent | CurrentLink::Elsewhere => {
            return Err(err(ErrorKind::NoCurrent { place }));
        }
    };
    let dest = match to {
        Some(q) => resolve(&state.releases, q).ok_or_else(|| {
            err(ErrorKind::UnknownRelease {
                query: q.to_string(),
                ids: state.releases.clone(),
            })
        })?,
        None => before(&state.releases, &from).ok_or_else(|| {
            err(ErrorKind::NoPrevious {
                current: from.clone(),
            })
        })?,
    }
    .clone();
    if dest != from {
        let m = ep
            .manifests(std::slice::from_ref(&dest))
            .map_err(err)?
            .pop()
            .flatten();
        if m.is_none() {
            return Err(err(ErrorKind::Incomplete { id: dest }));
        }
        ep.switch(&dest).map_err(err)?;
    }
    Ok(Outcome::Done(RolledBack {
        target: target.name.clone(),
        place,
        from,
        to: dest,
        lang,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn prunes_the_oldest_but_never_current_or_the_one_before() {
        let r = ids(&["a1", "a2", "a3", "a4", "a5"]);
        assert_eq!(prune_list(&r, "a5", 3), ids(&["a1", "a2"]));
        assert_eq!(prune_list(&r, "a5", 5), Vec::<String>::new());
        // keep: 1 still keeps the one before current.
        assert_eq!(prune_list(&r, "a5", 1), ids(&["a1", "a2", "a3"]));
        // After a rollback to a2, a2 and a1 stay; newer ones may go.
        assert_eq!(prune_list(&r, "a2", 2), ids(&["a3", "a4", "a5"]));
        assert_eq!(prune_list(&r, "a2", 4), ids(&["a3"]));
    }

    #[test]
    fn resolves_ids_by_prefix_or_suffix() {
        let r = ids(&[
            "20190716T093000Z-aaaa1111",
            "20190716T100000Z-bbbb2222",
            "20190801T080000Z-cccc3333",
        ]);
        assert_eq!(resolve(&r, "20190801").unwrap(), &r[2]);
        assert_eq!(resolve(&r, "bbbb2222").unwrap(), &r[1]);
        assert_eq!(resolve(&r, &r[0]).unwrap(), &r[0]);
        assert!(resolve(&r, "20190716").is_none(), "ambiguous");
        assert!(resolve(&r, "zzz").is_none());
        assert!(resolve(&r, "").is_none());
        assert_eq!(before(&r, &r[2]), Some(&r[1]));
        assert_eq!(before(&r, &r[0]), None);
    }

    #[test]
    fn selects_the_only_target_or_the_named_one() {
        let t = |name: &str| Target {
            name: name.into(),
            kind: TargetKind::Dir,
            path: "/x".into(),
            keep: 5,
        };
        assert!(matches!(select(&[], None), Err(ErrorKind::NoTargets)));
        assert_eq!(select(&[t("a")], None).unwrap().name, "a");
        let two = [t("a"), t("b")];
        match select(&two, None) {
            Err(ErrorKind::TargetRequired { names }) => assert_eq!(names, ids(&["a", "b"])),
            other => panic!("{other:?}"),
        }
        assert_eq!(select(&two, Some("b")).unwrap().name, "b");
        assert!(matches!(
            select(&two, Some("c")),
            Err(ErrorKind::UnknownTarget { .. })
        ));
    }
}
