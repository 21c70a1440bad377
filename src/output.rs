//! Writing a built site: into a fresh folder beside the target, then one
//! swap. A reader of the output folder sees the old build or the new one,
//! never a mix, and a build that fails or is killed leaves the old one whole.
//!
//! A file whose bytes are the same as in the previous build is hard-linked
//! from it instead of written again. Most of a rebuild is unchanged, and on
//! ext4 a link costs a fraction of allocating an inode and its blocks, and
//! removing the previous tree then frees almost nothing. Files are never
//! changed in place, so sharing an inode between the two trees is safe, and
//! an unchanged file keeps its modification time, which keeps `rsync` and
//! HTTP caches quiet.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// One file of the built site: its path under the output folder, `/`
/// separated, and its bytes.
pub(crate) type OutFile = (String, Vec<u8>);

/// The content type of a site path, by its extension: one table for the
/// preview server and every publish target.
pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The file every build leaves at the top of its output, so that the next
/// build knows the folder is one it may replace.
pub(crate) const MARKER: &str = ".planpress-output";

/// What the marker says to someone who opens it.
pub(crate) const MARKER_TEXT: &str = "Thư mục này do `planpress build` tạo ra; lần dựng sau sẽ thay toàn bộ nội dung.\n\
     This folder was written by `planpress build`; the next build replaces all of it.\n";

/// `path` made absolute with links resolved, for a path that may not exist
/// yet: its nearest existing ancestor is resolved, the rest appended.
fn resolved(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |d| d.join(path))
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        if let Ok(c) = std::fs::canonicalize(cur) {
            let mut out = c;
            for part in rest.iter().rev() {
                match part {
                    std::path::Component::ParentDir => {
                        out.pop();
                    }
                    std::path::Component::CurDir => {}
                    p => out.push(p),
                }
            }
            return out;
        }
        match (cur.parent(), cur.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                cur = parent;
            }
            _ => return abs,
        }
    }
}

/// Whether `dir` looks like an output of a planpress build from before
/// outputs were marked: the pages and files every build writes.
fn unmarked_earlier_output(dir: &Path) -> bool {
    [
        "index.html",
        "404.html",
        "sitemap.xml",
        "atom.xml",
        "static/style.css",
    ]
    .iter()
    .all(|f| dir.join(f).is_file())
}

/// Whether a build may replace `output` of the site at `root` (canonical).
/// Never the root, a folder above it, `content/`, `themes/` or anything in
/// them: those hold the plans. Not, unless `force`, a file, or a folder
/// with files that no build wrote. `Err` says why, in `lang`.
pub(crate) fn may_replace(
    root: &Path,
    output: &Path,
    force: bool,
    lang: crate::diag::Lang,
) -> Result<(), String> {
    use crate::diag::tr;
    let out = resolved(output);
    let shown = output.display();
    let root = resolved(root);
    let protected = root == out
        || root.starts_with(&out)
        || out.starts_with(root.join("content"))
        || out.starts_with(root.join("themes"));
    if protected {
        return Err(tr!(
            lang,
            "Không dựng vào {shown}: đó là thư mục site, thư mục chứa nó, hoặc content/ hay themes/, và bản dựng sẽ xóa hết nội dung ở đó (kể cả với --force). Chọn một thư mục riêng, ví dụ --output output.",
            "Will not build into {shown}: it is the site's folder, a folder above it, or content/ or themes/, and a build would delete what is there (even with --force). Choose a folder of its own, e.g. --output output."
        ));
    }
    if force {
        return Ok(());
    }
    let Ok(meta) = std::fs::symlink_metadata(&out) else {
        return Ok(()); // nothing there yet
    };
    if !meta.is_dir() {
        return Err(tr!(
            lang,
            "Không dựng vào {shown}: đó là một tệp, không phải thư mục. Chọn thư mục khác cho --output, hoặc xóa tệp đó.",
            "Will not build into {shown}: it is a file, not a folder. Choose another --output folder, or remove that file."
        ));
    }
    let empty = std::fs::read_dir(&out).is_ok_and(|mut d| d.next().is_none());
    if empty || out.join(MARKER).is_file() || unmarked_earlier_output(&out) {
        return Ok(());
    }
    Err(tr!(
        lang,
        "Không dựng vào {shown}: thư mục có tệp nhưng không phải kết quả của một lần dựng trước, và bản dựng sẽ xóa hết các tệp đó. Chọn một thư mục trống hoặc chưa có; nếu chắc chắn muốn thay toàn bộ thư mục, thêm --force.",
        "Will not build into {shown}: it holds files that no earlier build wrote, and a build would delete them all. Choose an empty or new folder; to replace the whole folder anyway, add --force."
    ))
}

/// Name prefix of work folders, so stale ones from a killed build are found
/// and removed by the next.
fn work_name(target: &Path, kind: &str) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().to_string());
    target.with_file_name(format!(".{name}.{kind}-{}", std::process::id()))
}

fn remove_stale(target: &Path) {
    let Some(parent) = target.parent() else {
        return;
    };
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().to_string()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        let pid = n
            .strip_prefix(&format!(".{name}.new-"))
            .or_else(|| n.strip_prefix(&format!(".{name}.old-")));
        let Some(pid) = pid else { continue };
        if !another_build_running(pid) {
            let _ = remove_tree(&e.path());
        }
    }
}

/// Whether process `pid` is another planpress build still running (the
/// same program, not this process): its work folder is not stale. Only
/// Linux can tell; elsewhere every work folder found is taken as stale.
fn another_build_running(pid: &str) -> bool {
    #[cfg(target_os = "linux")]
    {
        if pid.parse::<u32>().ok() == Some(std::process::id()) {
            return false;
        }
        let exe = |p: &str| std::fs::read_link(format!("/proc/{p}/exe")).ok();
        match (exe(pid), exe("self")) {
            (Some(theirs), Some(ours)) => theirs == ours,
            _ => false,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        false
    }
}

/// A build being written: a fresh folder beside the target that files are
/// put into as they are rendered, then swapped in whole by [`commit`]. If it
/// is dropped uncommitted (an error, a panic), the folder is removed and the
/// target is untouched.
///
/// [`commit`]: Staging::commit
pub(crate) struct Staging {
    target: PathBuf,
    work: PathBuf,
    /// The target, when a previous build is there to link from.
    previous: Option<PathBuf>,
    committed: bool,
}

impl Staging {
    /// Creates the work folder and, inside it, every folder that `paths`
    /// (files, `/`-separated, relative to the output) need.
    pub(crate) fn begin<'a>(
        target: &Path,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> std::io::Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        remove_stale(target);
        let mut folders = BTreeSet::new();
        for rel in paths {
            check_rel(rel)?;
            if let Some((parent, _)) = rel.rsplit_once('/') {
                folders.insert(parent);
            }
        }
        let work = work_name(target, "new");
        std::fs::create_dir_all(&work)?;
        let staging = Staging {
            previous: target.is_dir().then(|| target.to_path_buf()),
            target: target.to_path_buf(),
            work,
            committed: false,
        };
        make_folders(&staging.work, &folders)?;
        Ok(staging)
    }

    /// Puts one file in the new build: linked to the previous build's if
    /// the bytes are the same, written otherwise. Callable from any thread.
    pub(crate) fn put(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        check_rel(rel)?;
        let path = self.work.join(rel);
        if let Some(prev) = &self.previous
            && link_if_same(&prev.join(rel), bytes, &path)
        {
            return Ok(());
        }
        let mut f = std::fs::File::create(path)?;
        f.write_all(bytes)
    }

    /// Links the previous build's `rel` into the new build as it is: a page
    /// the build cache knows would render to the same bytes. `Ok(false)`
    /// when there is no previous file to link, and the page must be
    /// rendered.
    pub(crate) fn keep_previous(&self, rel: &str) -> std::io::Result<bool> {
        check_rel(rel)?;
        let Some(prev) = &self.previous else {
            return Ok(false);
        };
        Ok(std::fs::hard_link(prev.join(rel), self.work.join(rel)).is_ok())
    }

    /// Swaps the new build in for the target and removes the previous one;
    /// if that fails, dropping `self` removes what is left in the work
    /// folder.
    pub(crate) fn commit(mut self) -> std::io::Result<()> {
        let swapped = swap(&self.work, &self.target);
        self.committed = swapped.is_ok();
        swapped
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.work);
        }
    }
}

/// Creates `folders` (relative, `/`-separated) under `dir`, parents first.
/// Folders of different parents are made on different cores: ext4 makes
/// one parent's children one at a time, and without a journal each new
/// inode is searched for past every inode freed in the last seconds (the
/// previous build's), which made this a third of a rebuild.
fn make_folders(dir: &Path, folders: &BTreeSet<&str>) -> std::io::Result<()> {
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for f in folders {
        let mut f = *f;
        while all.insert(f) {
            match f.rsplit_once('/') {
                Some((parent, _)) => f = parent,
                None => break,
            }
        }
    }
    let mut by_parent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in all {
        let parent = f.rsplit_once('/').map_or("", |(p, _)| p);
        by_parent.entry(parent).or_default().push(f);
    }
    let depth = |p: &str| {
        if p.is_empty() {
            0
        } else {
            p.matches('/').count() + 1
        }
    };
    let deepest = by_parent.keys().map(|p| depth(p)).max().unwrap_or(0);
    for level in 0..=deepest {
        let groups: Vec<&Vec<&str>> = by_parent
            .iter()
            .filter(|(p, _)| depth(p) == level)
            .map(|(_, children)| children)
            .collect();
        groups.par_iter().try_for_each(|children| {
            children
                .iter()
                .try_for_each(|c| match std::fs::create_dir(dir.join(c)) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
                    _ => Ok(()),
                })
        })?;
    }
    Ok(())
}

/// A path of the output: relative, `/`-separated, without `.` or `..`.
fn check_rel(rel: &str) -> std::io::Result<()> {
    if rel
        .split('/')
        .any(|c| c == ".." || c == "." || c.is_empty())
        || rel.contains('\\')
    {
        return Err(std::io::Error::other(format!(
            "refusing to write outside the output: {rel}"
        )));
    }
    Ok(())
}

/// Writes `files` under a new folder and swaps it in for `target`.
#[cfg_attr(not(test), allow(dead_code))] // `build` streams through `Staging`
pub(crate) fn write_atomically(target: &Path, files: &[OutFile]) -> std::io::Result<()> {
    let staging = Staging::begin(target, files.iter().map(|(p, _)| p.as_str()))?;
    files
        .par_iter()
        .try_for_each(|(rel, bytes)| staging.put(rel, bytes))?;
    staging.commit()
}

/// Links `to` to `old` when `old` is a regular file holding exactly
/// `bytes`. Any failure (no such file, a file system without hard links,
/// a folder in the way) only means the file is written instead.
fn link_if_same(old: &Path, bytes: &[u8], to: &Path) -> bool {
    let Ok(mut f) = std::fs::File::open(old) else {
        return false;
    };
    match f.metadata() {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {}
        _ => return false,
    }
    if !same_contents(&mut f, bytes) {
        return false;
    }
    std::fs::hard_link(old, to).is_ok()
}

/// Whether `f` holds exactly `bytes`, read in chunks so a large download is
/// not loaded twice.
fn same_contents(f: &mut std::fs::File, mut bytes: &[u8]) -> bool {
    use std::io::Read;
    let mut buf = vec![0u8; (64 * 1024).min(bytes.len().max(1))];
    loop {
        let n = match f.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        if n == 0 {
            return bytes.is_empty();
        }
        if n > bytes.len() || buf[..n] != bytes[..n] {
            return false;
        }
        bytes = &bytes[n..];
    }
}

/// Removes a folder tree, on every core: the files, then the folders,
/// deepest first. Removing a folder frees its block, and on a disk mounted
/// with `discard` that waits for the device; folders under different
/// parents can wait at the same time.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .flatten()
    {
        if e.file_type().is_dir() {
            folders.push((e.depth(), e.into_path()));
        } else {
            files.push(e.into_path());
        }
    }
    files.par_iter().for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
    folders.sort();
    let deepest = folders.last().map_or(0, |(d, _)| *d);
    for depth in (1..=deepest).rev() {
        let level: Vec<&PathBuf> = folders
            .iter()
            .filter(|(d, _)| *d == depth)
            .map(|(_, p)| p)
            .collect();
        level.par_iter().for_each(|p| {
            let _ = std::fs::remove_dir(p);
        });
    }
    std::fs::remove_dir_all(dir)
}

/// Puts `new` in place of `target`. On Linux both exist at every instant:
/// `renameat2(RENAME_EXCHANGE)` swaps them in one step. Elsewhere, or on a
/// first build, two renames.
fn swap(new: &Path, target: &Path) -> std::io::Result<()> {
    if target.is_dir() {
        #[cfg(target_os = "linux")]
        {
            let exchanged = rustix::fs::renameat_with(
                rustix::fs::CWD,
                new,
                rustix::fs::CWD,
                target,
                rustix::fs::RenameFlags::EXCHANGE,
            );
            if exchanged.is_ok() {
                // `new` now holds the previous build.
                return remove_tree(new);
            }
        }
        let old = work_name(target, "old");
        std::fs::rename(target, &old)?;
        std::fs::rename(new, target)?;
        let _ = remove_tree(&old);
        Ok(())
    } else {
        if target.exists() {
            return Err(std::io::Error::other(format!(
                "{} exists and is not a folder",
                target.display()
            )));
        }
        std::fs::rename(new, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomically(
            &out,
            &[
                ("a/index.html".into(), b"1".to_vec()),
                ("old.txt".into(), b"x".to_vec()),
            ],
        )
        .unwrap();
        write_atomically(&out, &[("a/index.html".into(), b"2".to_vec())]).unwrap();
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"2");
        assert!(!out.join("old.txt").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("output")]);
    }

    #[cfg(unix)]
    fn inode(p: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).unwrap().ino()
    }

    /// A rebuild links the files that did not change to the previous
    /// build's and writes the others anew, so a reader holding the old
    /// file still sees the old bytes.
    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_linked_changed_ones_written_anew() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let big = vec![b'x'; 200_000];
        write_atomically(
            &out,
            &[
                ("same.html".into(), b"same".to_vec()),
                ("a/big.bin".into(), big.clone()),
                ("changed.html".into(), b"old".to_vec()),
                ("grown.html".into(), b"12".to_vec()),
            ],
        )
        .unwrap();
        let before: Vec<u64> = ["same.html", "a/big.bin", "changed.html", "grown.html"]
            .iter()
            .map(|p| inode(&out.join(p)))
            .collect();
        let mut old_changed = std::fs::File::open(out.join("changed.html")).unwrap();
        let mut big2 = big.clone();
        big2[150_000] = b'y';
        write_atomically(
            &out,
            &[
                ("same.html".into(), b"same".to_vec()),
                ("a/big.bin".into(), big2.clone()),
                ("changed.html".into(), b"new".to_vec()),
                ("grown.html".into(), b"123".to_vec()),
            ],
        )
        .unwrap();
        assert_eq!(
            inode(&out.join("same.html")),
            before[0],
            "unchanged: linked"
        );
        assert_ne!(
            inode(&out.join("a/big.bin")),
            before[1],
            "differs late: written"
        );
        assert_ne!(inode(&out.join("changed.html")), before[2]);
        assert_ne!(inode(&out.join("grown.html")), before[3]);
        assert_eq!(std::fs::read(out.join("a/big.bin")).unwrap(), big2);
        assert_eq!(std::fs::read(out.join("changed.html")).unwrap(), b"new");
        assert_eq!(std::fs::read(out.join("grown.html")).unwrap(), b"123");
        let mut held = String::new();
        std::io::Read::read_to_string(&mut old_changed, &mut held).unwrap();
        assert_eq!(
            held, "old",
            "the previous build's file was not written over"
        );
        // The previous tree is gone and the linked file is whole.
        assert_eq!(std::fs::read(out.join("same.html")).unwrap(), b"same");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_where_a_file_was_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomically(&out, &[("x/index.html".into(), b"1".to_vec())]).unwrap();
        write_atomically(&out, &[("x".into(), b"file now".to_vec())]).unwrap();
        assert_eq!(std::fs::read(out.join("x")).unwrap(), b"file now");
        write_atomically(&out, &[("x/index.html".into(), b"1".to_vec())]).unwrap();
        assert_eq!(std::fs::read(out.join("x/index.html")).unwrap(), b"1");
    }

    #[test]
    fn folders_are_made_with_all_their_parents() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let files: Vec<OutFile> = vec![
            ("a/b/c/d.txt".into(), b"d".to_vec()),
            ("a/e.txt".into(), b"e".to_vec()),
            ("x/y/z.txt".into(), b"z".to_vec()),
            ("top.txt".into(), b"t".to_vec()),
        ];
        write_atomically(&out, &files).unwrap();
        for (rel, bytes) in &files {
            assert_eq!(&std::fs::read(out.join(rel)).unwrap(), bytes, "{rel}");
        }
    }

    #[test]
    fn stale_work_folders_are_removed_but_not_a_running_builds() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let dead = dir.path().join(".output.new-4294967295");
        std::fs::create_dir_all(dead.join("a")).unwrap();
        std::fs::write(dead.join("a/x"), "x").unwrap();
        // A process of this same program that is still running: a test
        // binary started again, sleeping.
        let mut other = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "output::tests::sleeper",
                "--ignored",
                "--nocapture",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let live = dir.path().join(format!(".output.new-{}", other.id()));
        std::fs::create_dir_all(&live).unwrap();
        write_atomically(&out, &[("i.html".into(), b"1".to_vec())]).unwrap();
        let _ = other.kill();
        let _ = other.wait();
        assert!(!dead.exists(), "a dead build's folder stays");
        #[cfg(target_os = "linux")]
        assert!(live.exists(), "a running build's folder was removed");
    }

    /// Run only by the test above, as "another build".
    #[test]
    #[ignore = "a helper process of stale_work_folders_are_removed_but_not_a_running_builds"]
    fn sleeper() {
        std::thread::sleep(std::time::Duration::from_secs(30));
    }

    #[test]
    fn refuses_paths_outside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        assert!(write_atomically(&out, &[("../x".into(), vec![])]).is_err());
        assert!(!out.exists());
    }
}
