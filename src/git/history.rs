//! The history of every plan file: each commit that changed it, with its
//! date, author and message, and how the plan's planned total moved.
//!
//! One walk over the commits serves every file. Each commit carries the
//! paths its tracked files have in it; a commit hands them on to its
//! parents, renamed back where the diff to that parent finds a rename (git's
//! own similarity detection), so a plan keeps its history across a change of
//! agency code or folder. A merge is listed only when it changed a file
//! against every parent (a conflict resolved by hand): otherwise the
//! branch's own commits say who changed what.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Sort, Status as GitStatus, StatusOptions};

use super::{Repo, local_date, lossy};
use crate::model::Amount;

/// One commit that changed a plan file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Revision {
    /// Abbreviated commit id.
    pub(crate) short: String,
    /// The author's date, in the author's time zone (as `git log` shows).
    pub(crate) date: Option<NaiveDate>,
    pub(crate) author: String,
    /// The first line of the commit message.
    pub(crate) summary: String,
    /// Site-relative path of the file in this commit.
    pub(crate) path: String,
    /// The path it had before, when this commit renamed it.
    pub(crate) renamed_from: Option<String>,
    /// This commit created the file.
    pub(crate) added: bool,
    /// The planned total after this commit; `None` when the plan could not
    /// be read at this revision.
    pub(crate) planned: Option<Amount>,
    /// The planned total before this commit (zero when it created the file).
    pub(crate) before: Option<Amount>,
}

impl Revision {
    /// How the planned total moved in this commit, when both ends are known.
    pub(crate) fn delta(&self) -> Option<Amount> {
        Some(self.planned? - self.before?)
    }
}

/// The history of one plan file, newest commit first.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FileHistory {
    pub(crate) revisions: Vec<Revision>,
    /// The file in the work tree differs from the last commit (or is not
    /// committed at all).
    pub(crate) uncommitted: bool,
}

/// The history of a site's plan files, by site-relative path.
#[derive(Clone, Debug, Default)]
pub(crate) struct Histories {
    pub(crate) files: BTreeMap<String, FileHistory>,
    /// The repository is a shallow clone: histories stop at its boundary.
    pub(crate) shallow: bool,
}

/// One change of a tracked path between a parent and a commit.
#[derive(Clone, Debug)]
enum Change {
    Added,
    Modified { old: Oid },
    Renamed { from: String, old: Oid },
    Deleted,
}

/// Changes under `content/` between two trees, keyed by the path in the
/// newer tree (the old path for a deletion), with renames detected.
fn tree_changes(
    repo: &git2::Repository,
    old: &git2::Tree<'_>,
    new: &git2::Tree<'_>,
    scope: &str,
) -> Result<HashMap<String, (Change, Oid)>, git2::Error> {
    let mut opts = DiffOptions::new();
    opts.pathspec(scope).disable_pathspec_match(true);
    let mut diff = repo.diff_tree_to_tree(Some(old), Some(new), Some(&mut opts))?;
    let (mut adds, mut dels) = (false, false);
    for d in diff.deltas() {
        adds |= d.status() == Delta::Added;
        dels |= d.status() == Delta::Deleted;
    }
    if adds && dels {
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    }
    let path_of = |f: &git2::DiffFile<'_>| f.path().and_then(Path::to_str).map(str::to_string);
    let mut out = HashMap::new();
    for d in diff.deltas() {
        let (old_f, new_f) = (d.old_file(), d.new_file());
        let (Some(old_path), Some(new_path)) = (path_of(&old_f), path_of(&new_f)) else {
            continue;
        };
        let change = match d.status() {
            Delta::Added | Delta::Copied => Change::Added,
            Delta::Deleted => {
                out.insert(old_path, (Change::Deleted, old_f.id()));
                continue;
            }
            Delta::Renamed => Change::Renamed {
                from: old_path,
                old: old_f.id(),
            },
            _ => Change::Modified { old: old_f.id() },
        };
        out.insert(new_path, (change, new_f.id()));
    }
    Ok(out)
}

/// The id of the tree at `path` in `tree`, if any.
fn subtree(tree: &git2::Tree<'_>, path: &str) -> Option<Oid> {
    tree.get_path(Path::new(path)).ok().map(|e| e.id())
}

/// Adds `paths` to what `pending` knows of commit `id`.
fn hand_on(
    pending: &mut HashMap<Oid, HashMap<String, String>>,
    id: Oid,
    paths: HashMap<String, String>,
) {
    // Nothing left to follow on this line: the walk can stop sooner.
    if paths.is_empty() {
        return;
    }
    match pending.get_mut(&id) {
        None => {
            pending.insert(id, paths);
        }
        Some(known) => {
            for (k, v) in paths {
                known.entry(k).or_insert(v);
            }
        }
    }
}

/// The planned totals a revision needs, read once the walk is over: every
/// blob is then read once and the plans parsed on every core.
struct Fill {
    /// The file's key in [`Histories::files`], and the revision's index.
    file: String,
    index: usize,
    /// The blob after the commit, and the path to parse it as.
    after: (Oid, String),
    /// The blob before it; `None` when the commit created the file.
    before: Option<(Oid, String)>,
}

/// Parses every blob the fills name and sets the revisions' totals.
fn fill_amounts(
    repo: &git2::Repository,
    fills: &[Fill],
    mut amounts: HashMap<Oid, Amount>,
    files: &mut BTreeMap<String, FileHistory>,
) {
    use rayon::prelude::*;
    let mut wanted: HashMap<Oid, &str> = HashMap::new();
    for f in fills {
        wanted.entry(f.after.0).or_insert(&f.after.1);
        if let Some((id, rel)) = &f.before {
            wanted.entry(*id).or_insert(rel);
        }
    }
    wanted.retain(|id, _| !amounts.contains_key(id));
    // libgit2 objects stay on this thread; only the bytes go to the others.
    let blobs: Vec<(Oid, &str, Vec<u8>)> = wanted
        .into_iter()
        .filter_map(|(id, rel)| Some((id, rel, repo.find_blob(id).ok()?.content().to_vec())))
        .collect();
    let parsed: Vec<(Oid, Amount)> = blobs
        .par_iter()
        .filter_map(|(id, rel, bytes)| {
            let plan = crate::load::plan_from_bytes(bytes, rel)?;
            Some((*id, crate::consolidate::planned(&plan)))
        })
        .collect();
    amounts.extend(parsed);
    for f in fills {
        let Some(rev) = files
            .get_mut(&f.file)
            .and_then(|h| h.revisions.get_mut(f.index))
        else {
            continue;
        };
        rev.planned = amounts.get(&f.after.0).copied();
        rev.before = match &f.before {
            None => Some(Amount::ZERO),
            Some((id, _)) => amounts.get(id).copied(),
        };
    }
}

/// Every blob under `scope` in `tree`, by repository path: one walk instead
/// of a lookup per file, which parses the folder's tree again each time.
fn blobs_under(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    scope: &str,
) -> HashMap<String, Oid> {
    let mut out = HashMap::new();
    let Some(sub) = subtree(tree, scope).and_then(|id| repo.find_tree(id).ok()) else {
        return out;
    };
    let _ = sub.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob)
            && let Ok(name) = entry.name()
        {
            out.insert(format!("{scope}/{dir}{name}"), entry.id());
        }
        git2::TreeWalkResult::Ok
    });
    out
}

/// The history of each file of `rels` (site-relative paths of plan files
/// in the work tree). A file never committed gets an empty history.
///
/// `known` holds the planned total of the work-tree version of files, as
/// the site loaded them: for a file the work tree has as committed, the
/// last commit's blob is not parsed again.
pub(crate) fn histories(
    repo: &Repo,
    rels: &[String],
    known: &HashMap<String, Amount>,
) -> Result<Histories, git2::Error> {
    let r = &repo.repo;
    let scope = repo.full("content");
    let mut out = Histories {
        files: rels
            .iter()
            .map(|f| (f.clone(), FileHistory::default()))
            .collect(),
        shallow: r.is_shallow(),
    };
    mark_uncommitted(repo, &scope, &mut out.files)?;
    let Ok(head) = r.head().and_then(|h| h.peel_to_commit()) else {
        // No commit yet.
        return Ok(out);
    };
    let boundary = repo.shallow_boundary();
    let mut fills: Vec<Fill> = Vec::new();
    let mut pending: HashMap<Oid, HashMap<String, String>> = HashMap::new();
    pending.insert(
        head.id(),
        rels.iter()
            .map(|rel| (repo.full(rel), rel.clone()))
            .collect(),
    );
    let mut walk = r.revwalk()?;
    walk.push(head.id())?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    for id in walk {
        if pending.is_empty() {
            break;
        }
        let id = id?;
        let Some(paths) = pending.remove(&id) else {
            continue;
        };
        let commit = r.find_commit(id)?;
        let tree = commit.tree()?;
        let here = subtree(&tree, &scope);
        let parents: Vec<git2::Commit<'_>> = commit.parents().collect();
        // The common case, fast: one parent, content/ untouched.
        if let [parent] = parents.as_slice()
            && subtree(&parent.tree()?, &scope) == here
        {
            hand_on(&mut pending, parent.id(), paths);
            continue;
        }
        // For each parent, the changes under content/.
        let mut per_parent: Vec<HashMap<String, (Change, Oid)>> = Vec::new();
        for parent in &parents {
            let ptree = parent.tree()?;
            per_parent.push(if subtree(&ptree, &scope) == here {
                HashMap::new()
            } else {
                tree_changes(r, &ptree, &tree, &scope)?
            });
        }
        let when = commit.author().when();
        // A revision of `path` whose blob in this commit is `blob`, and the
        // blob (and path) its planned total moved from.
        let revision = |path: &str, blob: Oid, change: Option<&Change>| {
            let rel = repo.site_rel(path)?;
            let (added, renamed_from, before) = match change {
                None | Some(Change::Added) => (true, None, None),
                Some(Change::Modified { old }) => (false, None, Some((*old, rel.to_string()))),
                Some(Change::Renamed { from, old }) => {
                    let from_rel = repo.site_rel(from).map(str::to_string);
                    let parse_as = from_rel.clone().unwrap_or_else(|| rel.to_string());
                    (false, from_rel, Some((*old, parse_as)))
                }
                Some(Change::Deleted) => return None,
            };
            let rev = Revision {
                short: commit.id().to_string().chars().take(7).collect(),
                date: local_date(when),
                author: lossy(commit.author().name_bytes()),
                summary: commit.summary_bytes().map(lossy).unwrap_or_default(),
                path: rel.to_string(),
                renamed_from,
                added,
                planned: None,
                before: None,
            };
            Some((rev, (blob, rel.to_string()), before))
        };
        // The tracked files this commit changed against every parent (a
        // root commit creates what it holds; the edge of a shallow clone
        // says nothing about when a file was made).
        type Made<'p> = (&'p String, (Revision, (Oid, String), Option<(Oid, String)>));
        let mut made: Vec<Made<'_>> = Vec::new();
        match per_parent.split_first() {
            None if !boundary.contains(&id) => {
                let blobs = blobs_under(r, &tree, &scope);
                for (path, rel) in &paths {
                    if let Some(blob) = blobs.get(path)
                        && let Some(rev) = revision(path, *blob, None)
                    {
                        made.push((rel, rev));
                    }
                }
            }
            None => {}
            Some((first, others)) => {
                for (path, (change, blob)) in first {
                    let Some(rel) = paths.get(path) else { continue };
                    if others.iter().all(|c| c.contains_key(path))
                        && let Some(rev) = revision(path, *blob, Some(change))
                    {
                        made.push((rel, rev));
                    }
                }
            }
        }
        for (rel, (rev, after, before)) in made {
            if let Some(h) = out.files.get_mut(rel) {
                fills.push(Fill {
                    file: rel.clone(),
                    index: h.revisions.len(),
                    after,
                    before,
                });
                h.revisions.push(rev);
            }
        }
        // Hand the paths on to each parent, renamed back where this commit
        // renamed them; a file this commit created is not followed further.
        let last = parents.len().saturating_sub(1);
        let mut paths = Some(paths);
        for (i, (parent, changes)) in parents.iter().zip(&per_parent).enumerate() {
            let mut theirs = if i == last {
                paths.take().unwrap_or_default()
            } else {
                paths.clone().unwrap_or_default()
            };
            let mut renamed = Vec::new();
            for (path, (change, _)) in changes {
                match change {
                    Change::Modified { .. } => {}
                    Change::Renamed { from, .. } => {
                        if let Some(rel) = theirs.remove(path) {
                            renamed.push((from.clone(), rel));
                        }
                    }
                    Change::Added | Change::Deleted => {
                        theirs.remove(path);
                    }
                }
            }
            theirs.extend(renamed);
            hand_on(&mut pending, parent.id(), theirs);
        }
    }
    let mut amounts = HashMap::new();
    let at_head = blobs_under(r, &head.tree()?, &scope);
    for (rel, h) in &out.files {
        if let (false, Some(blob), Some(a)) =
            (h.uncommitted, at_head.get(&repo.full(rel)), known.get(rel))
        {
            amounts.insert(*blob, *a);
        }
    }
    fill_amounts(r, &fills, amounts, &mut out.files);
    Ok(out)
}

/// What makes a file differ from HEAD: staged or not, new, modified,
/// renamed or changed in type.
pub(crate) const UNCOMMITTED: GitStatus = GitStatus::INDEX_NEW
    .union(GitStatus::INDEX_MODIFIED)
    .union(GitStatus::INDEX_RENAMED)
    .union(GitStatus::INDEX_TYPECHANGE)
    .union(GitStatus::WT_NEW)
    .union(GitStatus::WT_MODIFIED)
    .union(GitStatus::WT_RENAMED)
    .union(GitStatus::WT_TYPECHANGE);

/// Marks the files whose work-tree version is not what HEAD holds.
fn mark_uncommitted(
    repo: &Repo,
    scope: &str,
    files: &mut BTreeMap<String, FileHistory>,
) -> Result<(), git2::Error> {
    let mut opts = StatusOptions::new();
    opts.pathspec(scope)
        .disable_pathspec_match(true)
        .include_untracked(true)
        .recurse_untracked_dirs(true);
    for entry in repo.repo.statuses(Some(&mut opts))?.iter() {
        if !entry.status().intersects(UNCOMMITTED) {
            continue;
        }
        let path = lossy(entry.path_bytes());
        if let Some(h) = repo.site_rel(&path).and_then(|rel| files.get_mut(rel)) {
            h.uncommitted = true;
        }
    }
    Ok(())
}
