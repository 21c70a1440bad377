//! Reading the git repository a site lives in: the files of `content/` at
//! any revision (for `diff` and the approved version), tags, and the history
//! of each plan file (`history`).
//!
//! libgit2 through the `git2` crate, built in (vendored) with no network
//! features: planpress only ever reads the local repository.

mod approved;
pub(crate) mod history;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use crate::diag::{Lang, tr};
use crate::load::Files;
use crate::load::source::MAX_FILE_BYTES;
use crate::model::Amount;
pub(crate) use approved::{Approved, since_approved};

/// The repository of a site, and where the site sits in its work tree.
pub(crate) struct Repo {
    pub(crate) repo: Repository,
    /// The site root relative to the work tree: empty, or `/`-separated and
    /// ending in `/` (`sites/quang-ngai/`).
    pub(crate) prefix: String,
}

/// Why git could not give what was asked.
#[derive(Debug)]
pub(crate) enum GitError {
    /// The site's folder is not inside a git work tree.
    NotARepo(PathBuf),
    /// A revision that does not name a commit.
    BadRevision(String, String),
    /// The repository has no commit yet.
    NoCommits,
    /// Anything else libgit2 reports (a damaged repository, I/O).
    Git(String),
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError::Git(e.message().to_string())
    }
}

impl GitError {
    /// The problem, in the interface language.
    pub(crate) fn message(&self, lang: Lang) -> String {
        match self {
            GitError::NotARepo(p) => {
                let p = p.display();
                tr!(
                    lang,
                    "{p} không nằm trong một kho git. Hãy chạy `git init` rồi commit thư mục content/, hoặc chỉ --root tới bản sao (clone) của kho kế hoạch.",
                    "{p} is not inside a git repository. Run `git init` and commit content/, or point --root at a clone of the plans' repository."
                )
            }
            GitError::BadRevision(rev, e) => tr!(
                lang,
                "Không tìm thấy phiên bản `{rev}` trong kho git ({e}). Dùng tên nhánh, thẻ (tag), mã commit hoặc HEAD~1.",
                "Revision `{rev}` not found in the git repository ({e}). Use a branch, a tag, a commit id or HEAD~1."
            ),
            GitError::NoCommits => tr!(
                lang,
                "Kho git chưa có commit nào: hãy commit thư mục content/ trước (git add content && git commit).",
                "The git repository has no commit yet: commit content/ first (git add content && git commit)."
            ),
            GitError::Git(e) => tr!(
                lang,
                "Lỗi đọc kho git: {e}.",
                "Cannot read the git repository: {e}."
            ),
        }
    }
}

/// A commit, resolved from what the user wrote.
#[derive(Clone, Debug)]
pub(crate) struct Rev {
    /// What was asked: `HEAD`, `approved-2019`, `a1b2c3d`.
    pub(crate) spec: String,
    pub(crate) id: Oid,
    /// The abbreviated id, as `git log --oneline` shows it.
    pub(crate) short: String,
    /// The commit's date (committer's, in its own time zone).
    pub(crate) date: Option<NaiveDate>,
}

/// The calendar date of a git time, in the time zone it was written in.
pub(crate) fn local_date(t: git2::Time) -> Option<NaiveDate> {
    let seconds = t
        .seconds()
        .checked_add(i64::from(t.offset_minutes()) * 60)?;
    chrono::DateTime::from_timestamp(seconds, 0).map(|d| d.date_naive())
}

/// Text from git, which need not be UTF-8.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Repo {
    /// The repository whose work tree holds `root`.
    pub(crate) fn open(root: &Path) -> Result<Repo, GitError> {
        let not_a_repo = || GitError::NotARepo(root.to_path_buf());
        let root = std::fs::canonicalize(root).map_err(|_| not_a_repo())?;
        let repo = Repository::discover(&root).map_err(|e| match e.code() {
            // Another user's repository: git's `safe.directory` says how.
            git2::ErrorCode::Owner => GitError::Git(e.message().to_string()),
            _ => not_a_repo(),
        })?;
        let workdir = repo.workdir().ok_or_else(not_a_repo)?;
        let workdir = std::fs::canonicalize(workdir).map_err(|_| not_a_repo())?;
        let inside = root.strip_prefix(&workdir).map_err(|_| not_a_repo())?;
        let mut prefix = String::new();
        for c in inside.components() {
            let part = c.as_os_str().to_str().ok_or_else(not_a_repo)?;
            prefix.push_str(part);
            prefix.push('/');
        }
        Ok(Repo { repo, prefix })
    }

    /// `rel` (relative to the site root) as a path of the repository.
    pub(crate) fn full(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    /// The site-relative path of a repository path, if it is in the site.
    pub(crate) fn site_rel<'p>(&self, full: &'p str) -> Option<&'p str> {
        full.strip_prefix(self.prefix.as_str())
    }

    fn rev_of(&self, spec: &str, commit: &git2::Commit<'_>) -> Rev {
        let short = commit
            .as_object()
            .short_id()
            .ok()
            .and_then(|b| b.as_str().ok().map(str::to_string))
            .unwrap_or_else(|| commit.id().to_string().chars().take(7).collect());
        Rev {
            spec: spec.to_string(),
            id: commit.id(),
            short,
            date: local_date(commit.committer().when()),
        }
    }

    /// The commit `spec` names (`HEAD`, a branch, a tag, `HEAD~2`, an id).
    pub(crate) fn resolve(&self, spec: &str) -> Result<Rev, GitError> {
        if self
            .repo
            .head()
            .is_err_and(|e| e.code() == git2::ErrorCode::UnbornBranch)
        {
            return Err(GitError::NoCommits);
        }
        let bad = |e: git2::Error| GitError::BadRevision(spec.to_string(), e.message().to_string());
        let commit = self
            .repo
            .revparse_single(spec)
            .and_then(|o| o.peel_to_commit())
            .map_err(bad)?;
        Ok(self.rev_of(spec, &commit))
    }

    /// The commit the tag `name` marks, with the tag's date (the tagger's
    /// for an annotated tag, else the commit's); `None` when there is no
    /// such tag.
    pub(crate) fn tag(&self, name: &str) -> Result<Option<Rev>, GitError> {
        let reference = match self.repo.find_reference(&format!("refs/tags/{name}")) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let commit = reference.peel_to_commit()?;
        let mut rev = self.rev_of(name, &commit);
        if let Ok(tag) = reference.peel_to_tag()
            && let Some(tagger) = tag.tagger()
        {
            rev.date = local_date(tagger.when()).or(rev.date);
        }
        Ok(Some(rev))
    }

    /// The files the loader reads (`content/*` and `content/*/*`) as they
    /// are in commit `id`, by path relative to the site root. Links and
    /// submodules are passed over; files over the size limit are not read.
    pub(crate) fn files_at(&self, id: Oid) -> Result<Files, GitError> {
        let tree = self.repo.find_commit(id)?.tree()?;
        let content = match tree.get_path(Path::new(&self.full("content"))) {
            Ok(e) if e.kind() == Some(ObjectType::Tree) => self.repo.find_tree(e.id())?,
            Ok(_) => return Ok(Files::default()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Files::default()),
            Err(e) => return Err(e.into()),
        };
        let mut found: Vec<(String, Oid)> = Vec::new();
        content.walk(TreeWalkMode::PreOrder, |dir, entry| {
            let depth = dir.matches('/').count();
            if entry.kind() == Some(ObjectType::Tree) {
                return if depth == 0 {
                    TreeWalkResult::Ok
                } else {
                    TreeWalkResult::Skip
                };
            }
            // Regular files only: 0o100644 and 0o100755.
            let regular = matches!(entry.filemode(), 0o100_644 | 0o100_755);
            if regular && let Ok(name) = entry.name() {
                found.push((format!("content/{dir}{name}"), entry.id()));
            }
            TreeWalkResult::Ok
        })?;
        let odb = self.repo.odb()?;
        let mut files = Files::default();
        for (rel, id) in found {
            let (size, _) = odb.read_header(id)?;
            let size = u64::try_from(size).unwrap_or(u64::MAX);
            if size > MAX_FILE_BYTES {
                files.too_large.insert(rel, size);
            } else {
                let blob = self.repo.find_blob(id)?;
                files.bytes.insert(rel, blob.content().to_vec());
            }
        }
        Ok(files)
    }

    /// Ids of the commits whose parents a shallow clone left out.
    pub(crate) fn shallow_boundary(&self) -> Vec<Oid> {
        if !self.repo.is_shallow() {
            return Vec::new();
        }
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| Oid::from_str(l.trim()).ok())
            .collect()
    }
}

/// What the pages show from git: the history of each plan file and, for
/// each cycle with an approval tag, the changes since the approved version.
#[derive(Clone, Debug, Default)]
pub(crate) struct SiteHistory {
    pub(crate) files: history::Histories,
    pub(crate) approved: std::collections::BTreeMap<i32, Approved>,
}

/// Reads the history of `site` from the repository `root` is in. `None`
/// outside a repository, or when git cannot be read: the pages then simply
/// go without.
pub(crate) fn site_history(
    root: &Path,
    site: &crate::model::Site,
    drafts: bool,
) -> Option<SiteHistory> {
    let repo = Repo::open(root).ok()?;
    let plans = || site.cycles.iter().flat_map(|c| c.plans.iter());
    let rels: Vec<String> = plans().map(|p| p.file.clone()).collect();
    // The plans as loaded: a committed file's last revision needs no
    // parsing again.
    let known: HashMap<String, Amount> = plans()
        .map(|p| (p.file.clone(), crate::consolidate::planned(p)))
        .collect();
    let files = history::histories(&repo, &rels, &known).ok()?;
    let approved = since_approved(&repo, root, site, drafts);
    Some(SiteHistory { files, approved })
}

/// What `serve` needs to keep the history on its pages current: where the
/// repository's own files are, to watch them, and what a change there must
/// have moved for the history to change.
pub(crate) struct Watched {
    /// The `.git` folder (canonical).
    pub(crate) dir: PathBuf,
    /// The commit HEAD names and every tag: the history changes when this
    /// does, not when the index does (`git add`, `git status`).
    pub(crate) mark: String,
}

/// The repository of `root`, as [`Watched`]; `None` outside one.
pub(crate) fn watched(root: &Path) -> Option<Watched> {
    let repo = Repo::open(root).ok()?;
    let dir = std::fs::canonicalize(repo.repo.path()).ok()?;
    let mut mark = match repo.repo.head() {
        Ok(h) => h.target().map_or_else(String::new, |id| id.to_string()),
        Err(_) => "unborn".to_string(),
    };
    if let Ok(tags) = repo.repo.references_glob("refs/tags/*") {
        let mut all: Vec<String> = tags
            .flatten()
            .map(|r| {
                format!(
                    "{}={}",
                    lossy(r.name_bytes()),
                    r.target().map(|id| id.to_string()).unwrap_or_default()
                )
            })
            .collect();
        all.sort();
        for t in all {
            mark.push(' ');
            mark.push_str(&t);
        }
    }
    Some(Watched { dir, mark })
}

/// After plan files were saved: whether each of `rels` now differs from
/// HEAD, and the changes since the approved versions, which compare the
/// work tree. Committed history does not move on a save.
pub(crate) fn refresh_saved(
    root: &Path,
    site: &crate::model::Site,
    drafts: bool,
    history: &mut SiteHistory,
    rels: &[String],
) {
    let Ok(repo) = Repo::open(root) else {
        return;
    };
    for rel in rels {
        let listed = site
            .cycles
            .iter()
            .any(|c| c.plans.iter().any(|p| &p.file == rel));
        if !listed {
            history.files.files.remove(rel);
            continue;
        }
        let dirty = repo
            .repo
            .status_file(Path::new(&repo.full(rel)))
            .map_or(true, |s| s.intersects(history::UNCOMMITTED));
        history
            .files
            .files
            .entry(rel.clone())
            .or_default()
            .uncommitted = dirty;
    }
    history.approved = since_approved(&repo, root, site, drafts);
}
