//! `kind: dir`: releases in a local folder, for a web server on this
//! machine or a mounted share.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::manifest::{self, MANIFEST, Manifest, sha256_hex};
use super::{
    CurrentLink, Endpoint, ErrorKind, LOCK, PARTIAL, Staged, TMP_LINK, TRASH, TargetState, Upload,
    io_err,
};

/// Mode of published files and folders: the web server, another user, must
/// read them whatever the publisher's umask.
const FILE_MODE: u32 = 0o644;
const DIR_MODE: u32 = 0o755;

/// A local folder holding releases.
pub(crate) struct DirEndpoint {
    path: PathBuf,
    /// The open lock file, locked while this endpoint lives.
    lock: Option<File>,
}

impl DirEndpoint {
    pub(crate) fn new(path: PathBuf) -> Self {
        DirEndpoint { path, lock: None }
    }

    fn releases(&self) -> PathBuf {
        self.path.join("releases")
    }
}

/// What differs between Unix and other systems.
#[cfg(unix)]
mod os {
    use std::fs::{File, Metadata, Permissions};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::Path;

    pub(super) fn same_file(a: &Metadata, b: &Metadata) -> bool {
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    pub(super) fn readable_dir(p: &Path) -> std::io::Result<()> {
        std::fs::set_permissions(p, Permissions::from_mode(super::DIR_MODE))
    }
    pub(super) fn readable_file(f: &File) -> std::io::Result<()> {
        f.set_permissions(Permissions::from_mode(super::FILE_MODE))
    }
    pub(super) fn symlink_dir(target: &str, link: &Path) -> std::io::Result<()> {
        std::os::unix::fs::symlink(target, link)
    }
}

#[cfg(not(unix))]
mod os {
    use std::fs::{File, Metadata};
    use std::path::Path;

    pub(super) fn same_file(_: &Metadata, _: &Metadata) -> bool {
        false
    }
    pub(super) fn readable_dir(_: &Path) -> std::io::Result<()> {
        Ok(())
    }
    pub(super) fn readable_file(_: &File) -> std::io::Result<()> {
        Ok(())
    }
    #[cfg(windows)]
    pub(super) fn symlink_dir(target: &str, link: &Path) -> std::io::Result<()> {
        std::os::windows::fs::symlink_dir(target, link)
    }
    #[cfg(not(windows))]
    pub(super) fn symlink_dir(_: &str, _: &Path) -> std::io::Result<()> {
        Err(std::io::ErrorKind::Unsupported.into())
    }
}

/// Makes a folder (its parent exists) readable by everyone.
fn make_dir(p: &Path) -> std::io::Result<()> {
    match fs::create_dir(p) {
        Ok(()) => os::readable_dir(p),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && p.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes a new file; never opens an existing one, which may be a hard link
/// shared with a published release.
fn write_new(p: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(p)?;
    f.write_all(bytes)?;
    os::readable_file(&f)
}

/// Flushes the partial release to disk before it is renamed into place: a
/// power cut then leaves the old release or the whole new one.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // One call for the file system instead of one per file.
        let f = File::open(dir)?;
        rustix::fs::syncfs(&f).map_err(std::io::Error::from)
    }
    #[cfg(not(target_os = "linux"))]
    {
        for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
            if e.file_type().is_file() {
                File::open(e.path())?.sync_all()?;
            }
        }
        Ok(())
    }
}

/// Flushes a folder's entries (a rename in it) to disk.
fn sync_dir(p: &Path) {
    if let Ok(f) = File::open(p) {
        let _ = f.sync_all();
    }
}

fn remove_any(p: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The path of `p` under `root`, `/`-separated, if it is valid UTF-8.
fn rel_of(root: &Path, p: &Path) -> Option<String> {
    let rel = p.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

impl Endpoint for DirEndpoint {
    fn place(&self) -> String {
        self.path.display().to_string()
    }

    fn lock(&mut self) -> Result<(), ErrorKind> {
        fs::create_dir_all(&self.path).map_err(|e| io_err(self.path.display(), e))?;
        let p = self.path.join(LOCK);
        let f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .map_err(|e| io_err(p.display(), e))?;
        match f.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(ErrorKind::Busy {
                    place: self.place(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err(p.display(), e)),
        }
        self.lock = Some(f);
        Ok(())
    }

    fn state(&mut self) -> Result<TargetState, ErrorKind> {
        let mut state = TargetState {
            releases: Vec::new(),
            partials: Vec::new(),
            trash: Vec::new(),
            current: CurrentLink::Absent,
        };
        let rel = self.releases();
        match fs::read_dir(&rel) {
            Ok(entries) => {
                for e in entries.flatten() {
                    let Ok(name) = e.file_name().into_string() else {
                        continue;
                    };
                    if !e.file_type().is_ok_and(|t| t.is_dir()) {
                        continue;
                    }
                    if manifest::is_id(&name) {
                        state.releases.push(name);
                    } else if name.starts_with(PARTIAL) {
                        state.partials.push(name);
                    } else if name.starts_with(TRASH) {
                        state.trash.push(name);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(rel.display(), e)),
        }
        state.releases.sort();
        state.partials.sort();
        let cur = self.path.join("current");
        state.current = match fs::symlink_metadata(&cur) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => CurrentLink::Absent,
            Err(e) => return Err(io_err(cur.display(), e)),
            Ok(m) if m.is_symlink() => {
                let target = fs::read_link(&cur).map_err(|e| io_err(cur.display(), e))?;
                match target
                    .to_str()
                    .and_then(|t| t.strip_prefix("releases/"))
                    .map(|t| t.trim_end_matches('/'))
                {
                    Some(id) if manifest::is_id(id) => CurrentLink::Release(id.to_string()),
                    _ => CurrentLink::Elsewhere,
                }
            }
            Ok(_) => CurrentLink::NotALink,
        };
        Ok(state)
    }

    fn manifests(&mut self, ids: &[String]) -> Result<Vec<Option<Manifest>>, ErrorKind> {
        Ok(ids
            .iter()
            .map(|id| {
                fs::read(self.releases().join(id).join(MANIFEST))
                    .ok()
                    .and_then(|b| Manifest::parse(&b))
            })
            .collect())
    }

    fn stage(&mut self, job: &Upload<'_>) -> Result<Staged, ErrorKind> {
        let rel = self.releases();
        fs::create_dir_all(&self.path).map_err(|e| io_err(self.path.display(), e))?;
        make_dir(&rel).map_err(|e| io_err(rel.display(), e))?;
        for s in &job.stale {
            let p = rel.join(s);
            remove_any(&p).map_err(|e| io_err(p.display(), e))?;
        }
        if let Ok(entries) = fs::read_dir(&self.path) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(TMP_LINK) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        let partial = rel.join(&job.partial);
        let base = job.base.map(|b| rel.join(b));
        let mut staged = Staged::default();
        let mut done: BTreeSet<&str> = BTreeSet::new();
        match &job.resume {
            Some(r) => {
                if *r != job.partial {
                    remove_any(&partial).map_err(|e| io_err(partial.display(), e))?;
                    fs::rename(rel.join(r), &partial).map_err(|e| io_err(partial.display(), e))?;
                }
                let (kept, resumed) = scrub(&partial, job, base.as_deref())
                    .map_err(|e| io_err(partial.display(), e))?;
                done = kept;
                staged.resumed = resumed;
            }
            None => {
                remove_any(&partial).map_err(|e| io_err(partial.display(), e))?;
                make_dir(&partial).map_err(|e| io_err(partial.display(), e))?;
            }
        }

        // Folders, parents first.
        let mut folders = BTreeSet::new();
        for e in job.link.iter().chain(&job.send) {
            let mut p = e.path.as_str();
            while let Some((parent, _)) = p.rsplit_once('/') {
                folders.insert(parent);
                p = parent;
            }
        }
        for f in &folders {
            let p = partial.join(f);
            make_dir(&p).map_err(|e| io_err(p.display(), e))?;
        }

        // Unchanged files: a hard link to the current release's file, or a
        // copy where links cannot be made (another file system).
        let copied: Vec<u64> = job
            .link
            .par_iter()
            .filter(|e| !done.contains(e.path.as_str()))
            .map(|e| {
                let to = partial.join(&e.path);
                if let Some(b) = &base
                    && fs::hard_link(b.join(&e.path), &to).is_ok()
                {
                    return Ok(None);
                }
                let bytes = job.bytes.get(e.path.as_str()).copied().unwrap_or_default();
                write_new(&to, bytes)
                    .map(|()| Some(e.size))
                    .map_err(|err| io_err(to.display(), err))
            })
            .collect::<Result<Vec<Option<u64>>, ErrorKind>>()?
            .into_iter()
            .flatten()
            .collect();
        staged.linked = job.link.len() - copied.len();
        staged.sent = copied.len();
        staged.sent_bytes = copied.iter().sum();

        // New and changed files.
        let written: Vec<u64> = job
            .send
            .par_iter()
            .filter(|e| !done.contains(e.path.as_str()))
            .map(|e| {
                let to = partial.join(&e.path);
                let bytes = job.bytes.get(e.path.as_str()).copied().unwrap_or_default();
                write_new(&to, bytes)
                    .map(|()| e.size)
                    .map_err(|err| io_err(to.display(), err))
            })
            .collect::<Result<_, _>>()?;
        staged.sent += written.len();
        staged.sent_bytes += written.iter().sum::<u64>();

        // The manifest last, then everything to disk before the rename
        // makes the release visible.
        let m = partial.join(MANIFEST);
        write_new(&m, &job.manifest).map_err(|e| io_err(m.display(), e))?;
        sync_tree(&partial).map_err(|e| io_err(partial.display(), e))?;
        Ok(staged)
    }

    fn commit(&mut self, partial: &str, id: &str) -> Result<(), ErrorKind> {
        let rel = self.releases();
        let to = rel.join(id);
        fs::rename(rel.join(partial), &to).map_err(|e| io_err(to.display(), e))?;
        sync_dir(&rel);
        Ok(())
    }

    fn switch(&mut self, id: &str) -> Result<(), ErrorKind> {
        let tmp = self
            .path
            .join(format!("{TMP_LINK}{id}-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        os::symlink_dir(&format!("releases/{id}"), &tmp).map_err(|e| io_err(tmp.display(), e))?;
        let cur = self.path.join("current");
        if let Err(e) = fs::rename(&tmp, &cur) {
            let _ = fs::remove_file(&tmp);
            return Err(io_err(cur.display(), e));
        }
        sync_dir(&self.path);
        Ok(())
    }

    fn remove(&mut self, ids: &[String]) -> Result<(), ErrorKind> {
        let rel = self.releases();
        for id in ids {
            // Renamed first, so that a release is never seen half-deleted.
            let trash = rel.join(format!("{TRASH}{id}"));
            fs::rename(rel.join(id), &trash).map_err(|e| io_err(trash.display(), e))?;
            fs::remove_dir_all(&trash).map_err(|e| io_err(trash.display(), e))?;
        }
        Ok(())
    }
}

/// Cleans the partial folder of a killed publish so that it can be
/// finished: keeps the unchanged files that are links to the current
/// release and the sent files whose bytes are the new ones, and deletes
/// everything else. Returns the paths kept and how many were sent files.
fn scrub<'j>(
    partial: &Path,
    job: &Upload<'j>,
    base: Option<&Path>,
) -> std::io::Result<(BTreeSet<&'j str>, usize)> {
    let link: HashMap<&'j str, &'j manifest::FileEntry> =
        job.link.iter().map(|e| (e.path.as_str(), *e)).collect();
    let send: HashMap<&'j str, &'j manifest::FileEntry> =
        job.send.iter().map(|e| (e.path.as_str(), *e)).collect();
    let mut check: Vec<(PathBuf, &'j manifest::FileEntry)> = Vec::new();
    let mut kept = BTreeSet::new();
    let mut remove = Vec::new();
    for entry in walkdir::WalkDir::new(partial).min_depth(1) {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let is_file = entry.file_type().is_file();
        let rel = rel_of(partial, &path);
        match rel.as_deref() {
            Some(r) if is_file && link.contains_key(r) => {
                let same =
                    base.is_some_and(|b| match (fs::metadata(b.join(r)), entry.metadata()) {
                        (Ok(a), Ok(m)) => os::same_file(&a, &m),
                        _ => false,
                    });
                match link.get(r) {
                    Some(e) if same => {
                        kept.insert(e.path.as_str());
                    }
                    _ => remove.push(path),
                }
            }
            Some(r) if is_file && send.contains_key(r) => {
                if let Some(e) = send.get(r) {
                    check.push((path, e));
                }
            }
            _ => remove.push(path),
        }
    }
    // Sent files count only if their bytes are the new ones: a file cut
    // short by the kill, or an older version, is sent again.
    let verified: Vec<(PathBuf, &'j manifest::FileEntry, bool)> = check
        .into_par_iter()
        .map(|(p, e)| {
            let ok = fs::metadata(&p).is_ok_and(|m| m.len() == e.size)
                && fs::read(&p).is_ok_and(|b| sha256_hex(&b) == e.sha256);
            (p, e, ok)
        })
        .collect();
    let mut resumed = 0;
    for (p, e, ok) in verified {
        if ok {
            kept.insert(e.path.as_str());
            resumed += 1;
        } else {
            remove.push(p);
        }
    }
    for p in &remove {
        fs::remove_file(p)?;
    }
    // Folders left empty go too; those the new release needs come back.
    for entry in walkdir::WalkDir::new(partial)
        .min_depth(1)
        .contents_first(true)
        .into_iter()
        .flatten()
    {
        if entry.file_type().is_dir() {
            let _ = fs::remove_dir(entry.path());
        }
    }
    Ok((kept, resumed))
}
