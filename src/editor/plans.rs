//! The plans as the editor sees them: one file of the work tree read with
//! its version, checked with `check`'s rules for one plan, written
//! atomically and committed with the account as author.
//!
//! Paths are only ever built from a year (an `i32`) and an agency code that
//! is in `agencies.yaml`, never from other input.

use std::path::{Path, PathBuf};

use git2::{Repository, Signature};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Lang, Sink, sort, tr};
use crate::load::{self, source};
use crate::model::{Plan, Site};
use crate::plan_doc::{PlanDoc, Sections, sections_of_body};
use crate::validate;

/// A plan file as read now.
pub(crate) struct Current {
    /// Its text (BOM dropped), `None` when there is no file.
    pub(crate) text: Option<String>,
    /// The token of its bytes, `None` when there is no file.
    pub(crate) version: Option<String>,
}

/// The path of a plan relative to the root.
pub(crate) fn rel(year: i32, agency: &str) -> String {
    format!("content/{year}/{agency}.md")
}

/// The version of a file's bytes: the first 128 bits of their SHA-256, so
/// that any change, by the editor or through git, gives a new one.
pub(crate) fn version_of(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the plan file of `agency` in `year` under `root`.
pub(crate) fn read(root: &Path, year: i32, agency: &str) -> std::io::Result<Current> {
    let path = root.join(rel(year, agency));
    match std::fs::read(&path) {
        Ok(bytes) => {
            let version = version_of(&bytes);
            let mut sink = Sink::new(Lang::Vi, "", false);
            let text = source::decode(bytes, &mut sink).unwrap_or_default();
            Ok(Current {
                text: Some(text),
                version: Some(version),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Current {
            text: None,
            version: None,
        }),
        Err(e) => Err(e),
    }
}

/// A plan's text lowered and checked as `planpress check` checks it: the
/// shape rules of the loader and every rule of one plan.
pub(crate) struct Checked {
    pub(crate) plan: Option<Plan>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

pub(crate) fn check_text(site: &Site, year: i32, agency: &str, text: &str) -> Checked {
    let rel = rel(year, agency);
    let (plan, mut diagnostics) = load::plan_in_site(text, &rel, agency, site.lang(), Some(site));
    if let (Some(plan), Some(cycle)) = (&plan, site.cycles.iter().find(|c| c.year == year)) {
        diagnostics.extend(validate::validate_plan(site, cycle, plan));
    }
    sort(&mut diagnostics);
    Checked { plan, diagnostics }
}

/// Every value of a plan file's front matter with where it starts and its
/// JSON path in the API's shape (`plan.projects[0].cost.total`), so that the
/// forms can show a diagnostic beside the field it is about.
pub(crate) fn paths_of(text: &str) -> Vec<(u32, u32, String)> {
    use crate::yaml::{self, Kind, Node};
    fn walk(node: &Node, path: &str, out: &mut Vec<(u32, u32, String)>) {
        out.push((node.pos.line, node.pos.col, path.to_string()));
        match &node.kind {
            Kind::Scalar { .. } => {}
            Kind::Seq(items) => {
                for (i, n) in items.iter().enumerate() {
                    walk(n, &format!("{path}[{i}]"), out);
                }
            }
            Kind::Map(entries) => {
                for (k, v) in entries {
                    if let Some(key) = yaml::key_text(k) {
                        let p = format!("{path}.{key}");
                        out.push((k.pos.line, k.pos.col, p.clone()));
                        walk(v, &p, out);
                    }
                }
            }
        }
    }
    let mut sink = Sink::new(Lang::Vi, "", false);
    let mut out = Vec::new();
    if let Some(split) = source::split_front_matter(text, &mut sink)
        && let Ok(Some(node)) = yaml::parse(split.yaml, split.yaml_line_offset)
    {
        walk(&node, "plan", &mut out);
    }
    out
}

/// The JSON path of the value a diagnostic at `line:col` is about: the last
/// value that starts on that line at or before the column.
pub(crate) fn path_at(paths: &[(u32, u32, String)], line: u32, col: u32) -> Option<&str> {
    let on_line = paths.iter().filter(|(l, _, _)| *l == line);
    on_line
        .clone()
        .filter(|(_, c, _)| *c <= col)
        .max_by_key(|(_, c, p)| (*c, p.len()))
        .or_else(|| on_line.min_by_key(|(_, c, _)| *c))
        .map(|(_, _, p)| p.as_str())
}

/// The editable form of a checked plan (read from `text`) and its prose.
///
/// The loader drops a project, a II.2 row or an indicator that lacks a
/// required field (priority, period, an amount) or has one it cannot read,
/// and `check` reports it; but the form must show what the user typed, so such an item
/// is read again here, leniently, from the YAML tree: every value that is
/// there, in its place in the list. Items that lowered come from the model,
/// so they are exactly what `check` and `build` see.
pub(crate) fn editable(checked: &Checked, text: &str) -> Option<(PlanDoc, Sections)> {
    let plan = checked.plan.as_ref()?;
    let mut doc = PlanDoc::from_plan(plan);
    if let Some(root) = front_matter_tree(text) {
        if let Some(items) = list_items(&root, "projects") {
            let lowered: Vec<_> = plan.projects.iter().zip(doc.projects.drain(..)).collect();
            doc.projects = items
                .iter()
                .map(|item| {
                    let at = value_of(item, "id").map(|n| n.pos);
                    lowered
                        .iter()
                        .find(|(p, _)| Some(p.id.pos) == at)
                        .map_or_else(|| lenient::project(item), |(_, d)| d.clone())
                })
                .collect();
        }
        if let Some(items) = list_items(&root, "indicators") {
            let lowered: Vec<_> = plan
                .indicators
                .iter()
                .zip(doc.indicators.drain(..))
                .collect();
            doc.indicators = items
                .iter()
                .map(|item| {
                    let at = value_of(item, "id").map(|n| n.pos);
                    lowered
                        .iter()
                        .find(|(v, _)| Some(v.id.pos) == at)
                        .map_or_else(|| lenient::indicator(item), |(_, d)| d.clone())
                })
                .collect();
        }
        if let Some(items) = list_items(&root, "spending") {
            let lowered: Vec<_> = plan.spending.iter().zip(doc.spending.drain(..)).collect();
            doc.spending = items
                .iter()
                .map(|item| {
                    let at = value_of(item, "category").map(|n| n.pos);
                    lowered
                        .iter()
                        .find(|(r, _)| Some(r.category.pos) == at)
                        .map_or_else(|| lenient::spending(item), |(_, d)| d.clone())
                })
                .collect();
        }
    }
    Some((doc, sections_of_body(&plan.body.text)))
}

fn front_matter_tree(text: &str) -> Option<crate::yaml::Node> {
    let mut sink = Sink::new(Lang::Vi, "", false);
    let split = source::split_front_matter(text, &mut sink)?;
    crate::yaml::parse(split.yaml, split.yaml_line_offset)
        .ok()
        .flatten()
}

fn value_of<'n>(node: &'n crate::yaml::Node, key: &str) -> Option<&'n crate::yaml::Node> {
    match &node.kind {
        crate::yaml::Kind::Map(entries) => entries
            .iter()
            .find(|(k, _)| crate::yaml::key_text(k).is_some_and(|t| t == key))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null()),
        _ => None,
    }
}

fn list_items<'n>(root: &'n crate::yaml::Node, key: &str) -> Option<&'n [crate::yaml::Node]> {
    match &value_of(root, key)?.kind {
        crate::yaml::Kind::Seq(items) => Some(items),
        _ => None,
    }
}

/// What a list item of the front matter holds, read without the loader's
/// rules: a value that is missing or unreadable is left empty (the check
/// has said why), every other one is kept.
mod lenient {
    use rust_decimal::Decimal;

    use super::value_of;
    use crate::plan_doc::{CostDoc, IndicatorDoc, PeriodDoc, ProjectDoc, SpendingDoc, SplitDoc};
    use crate::yaml::{Kind, Node};

    fn text(node: &Node, key: &str) -> Option<String> {
        match &value_of(node, key)?.kind {
            Kind::Scalar { text, .. } => Some(text.trim_end().to_string()),
            _ => None,
        }
    }

    fn string(node: &Node, key: &str) -> String {
        text(node, key).unwrap_or_default()
    }

    fn number(node: &Node, key: &str) -> Option<Decimal> {
        Decimal::from_str_exact(text(node, key)?.trim()).ok()
    }

    /// A split as the loader reads it: `{ code: amount }`, or one code that
    /// takes all of `whole`; pairs whose amount is unreadable are left out.
    fn split(node: &Node, key: &str, whole: Option<Decimal>) -> SplitDoc {
        match value_of(node, key).map(|n| &n.kind) {
            Some(Kind::Map(entries)) => SplitDoc(
                entries
                    .iter()
                    .filter_map(|(k, v)| {
                        let code = crate::yaml::key_text(k)?.trim().to_string();
                        let Kind::Scalar { text, .. } = &v.kind else {
                            return None;
                        };
                        Some((code, Decimal::from_str_exact(text.trim()).ok()?))
                    })
                    .collect(),
            ),
            Some(Kind::Scalar { text, .. }) => SplitDoc(
                whole
                    .map(|w| (text.trim().to_string(), w))
                    .into_iter()
                    .collect(),
            ),
            _ => SplitDoc::default(),
        }
    }

    pub(super) fn indicator(node: &Node) -> IndicatorDoc {
        IndicatorDoc {
            id: string(node, "id"),
            name: text(node, "name"),
            unit: text(node, "unit"),
            target: number(node, "target"),
            actual: number(node, "actual"),
            goal: number(node, "goal"),
            value: text(node, "value"),
            note: text(node, "note"),
        }
    }

    pub(super) fn spending(node: &Node) -> SpendingDoc {
        let total = number(node, "total");
        SpendingDoc {
            category: string(node, "category"),
            task: string(node, "task"),
            total,
            levels: split(node, "levels", total),
            kinds: split(node, "kinds", total),
            basis: text(node, "basis"),
        }
    }

    pub(super) fn project(node: &Node) -> ProjectDoc {
        let cost = value_of(node, "cost").map_or_else(CostDoc::default, |c| CostDoc {
            total: number(c, "total"),
            spent: number(c, "spent"),
            planned: number(c, "planned"),
        });
        let period = value_of(node, "period").map(|p| PeriodDoc {
            from: text(p, "from").and_then(|t| t.trim().parse().ok()),
            to: text(p, "to").and_then(|t| t.trim().parse().ok()),
        });
        let partners = match value_of(node, "partners").map(|n| &n.kind) {
            Some(Kind::Scalar { text, .. }) => vec![text.trim().to_string()],
            Some(Kind::Seq(items)) => items
                .iter()
                .filter_map(|i| match &i.kind {
                    Kind::Scalar { text, .. } => Some(text.trim().to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        ProjectDoc {
            id: string(node, "id"),
            name: string(node, "name"),
            category: string(node, "category"),
            priority: text(node, "priority").and_then(|t| t.trim().parse().ok()),
            objective: text(node, "objective"),
            period,
            lead: string(node, "lead"),
            partners,
            done: text(node, "done"),
            todo: text(node, "todo"),
            levels: split(node, "levels", cost.planned),
            kinds: split(node, "kinds", cost.planned),
            cost,
            investor: text(node, "investor"),
            approval: text(node, "approval"),
            necessity: text(node, "necessity"),
            standards: text(node, "standards"),
            location: text(node, "location"),
            note: text(node, "note"),
            comment: None,
        }
    }
}

/// A blank draft of `agency` for `year`.
pub(crate) fn blank(year: i32, agency: &str) -> PlanDoc {
    PlanDoc {
        agency: agency.to_string(),
        year,
        status: "draft".into(),
        ..PlanDoc::default()
    }
}

/// Why a write failed.
#[derive(Debug)]
pub(crate) struct WriteError(pub(crate) String);

/// Writes `text` to the plan file atomically (a temporary file in the same
/// folder, synced, then renamed over it), so that a reader, `build` or a
/// crash never sees half a plan.
pub(crate) fn write_atomic(
    root: &Path,
    rel: &str,
    text: &str,
    lang: Lang,
) -> Result<(), WriteError> {
    use std::io::Write as _;
    let path = root.join(rel);
    let fail = |e: std::io::Error| {
        WriteError(tr!(
            lang,
            "Không ghi được {rel}: {e}. Chưa có gì thay đổi; hãy thử lưu lại, hoặc báo quản trị viên nếu lỗi còn.",
            "Cannot write {rel}: {e}. Nothing was changed; save again, or tell the administrator if it persists."
        ))
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut tmp = tempfile_in(&dir).map_err(fail)?;
    tmp.1.write_all(text.as_bytes()).map_err(fail)?;
    tmp.1.sync_all().map_err(fail)?;
    std::fs::rename(&tmp.0, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp.0);
        fail(e)
    })?;
    Ok(())
}

/// A new hidden file in `dir` (hidden, so the loader and `serve` pass it by).
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    for _ in 0..16 {
        let mut n = [0u8; 8];
        getrandom::fill(&mut n).map_err(|e| std::io::Error::other(e.to_string()))?;
        let name = format!(".planpress-{:016x}.tmp", u64::from_le_bytes(n));
        let p = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no temporary name"))
}

/// Saves of different plans take turns only to build the commit on HEAD,
/// move HEAD and update the index: a few milliseconds, while checking and
/// writing the plan run side by side. Without this turn, fifty saves
/// racing for HEAD could each lose the race many times over.
static GIT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How long a commit keeps being built again when something outside the
/// editor (a `git commit` by hand) moved HEAD or held its lock first;
/// well under the request's time limit.
const COMMIT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// Commits the file `rel` (relative to the site root) as it is now in the
/// work tree, on top of HEAD, with `name <email>` as author and committer.
/// Only that file changes in the commit and in the index: whatever else
/// someone staged by hand stays staged, uncommitted.
///
/// The blob is written before taking the turn of [`GIT`]; the tree is
/// built from HEAD's tree in memory, not from the shared index, and HEAD
/// moves only if it is still the commit built on (libgit2 checks the first
/// parent under the ref's lock). When something outside the editor moved
/// it first, the commit is built again on the new HEAD, so no save is lost
/// and none is overwritten.
pub(crate) fn commit(
    root: &Path,
    rel: &str,
    name: &str,
    email: &str,
    message: &str,
) -> Result<String, git2::Error> {
    let repo = Repository::discover(root)?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| git2::Error::from_str("bare repository"))?;
    let workdir =
        std::fs::canonicalize(workdir).map_err(|e| git2::Error::from_str(&e.to_string()))?;
    let full = root.join(rel);
    let in_repo = full
        .strip_prefix(&workdir)
        .map_err(|_| git2::Error::from_str("the site is outside the work tree"))?;
    let repo_path = in_repo
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let bytes = std::fs::read(&full).map_err(|e| git2::Error::from_str(&e.to_string()))?;
    let blob = repo.blob(&bytes)?;
    let sig = Signature::now(name, email)?;
    let _turn = GIT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let started = std::time::Instant::now();
    let mut tries = 0u64;
    let id = loop {
        tries += 1;
        let parent = match repo.head() {
            Ok(h) => Some(h.peel_to_commit()?),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) => return Err(e),
        };
        let tree = match &parent {
            Some(p) => {
                let base = p.tree()?;
                let mut update = git2::build::TreeUpdateBuilder::new();
                update.upsert(repo_path.as_str(), blob, git2::FileMode::Blob);
                update.create_updated(&repo, &base)?
            }
            None => {
                let mut index = git2::Index::new()?;
                add_entry(&mut index, &repo_path, blob, bytes.len())?;
                index.write_tree_to(&repo)?
            }
        };
        let tree = repo.find_tree(tree)?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        match repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents) {
            Ok(id) => break id,
            Err(e)
                if started.elapsed() < COMMIT_PATIENCE
                    && matches!(
                        e.code(),
                        git2::ErrorCode::Modified
                            | git2::ErrorCode::Locked
                            | git2::ErrorCode::Exists
                    ) =>
            {
                // Someone else moved HEAD or holds its lock: wait a
                // little (more each time) and build the commit again on
                // the new HEAD.
                std::thread::sleep(std::time::Duration::from_millis(tries.min(50)));
            }
            Err(e) => return Err(e),
        }
    };
    // Keep the index in step for that one file, so `git status` is clean.
    let mut index = repo.index()?;
    index.read(true)?;
    add_entry(&mut index, &repo_path, blob, bytes.len())?;
    index.write()?;
    Ok(id.to_string())
}

fn add_entry(
    index: &mut git2::Index,
    path: &str,
    blob: git2::Oid,
    size: usize,
) -> Result<(), git2::Error> {
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100_644,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id: blob,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    };
    index.add(&entry)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn commit_changes_one_file_with_the_author() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let repo = Repository::init(&root).unwrap();
        std::fs::create_dir_all(root.join("content/2019")).unwrap();
        write_atomic(&root, "content/2019/so-a.md", "một\n", Lang::Vi).unwrap();
        commit(
            &root,
            "content/2019/so-a.md",
            "Nguyễn Văn An",
            "an@x.vn",
            "đầu",
        )
        .unwrap();
        write_atomic(&root, "content/2019/so-a.md", "hai\n", Lang::Vi).unwrap();
        std::fs::write(root.join("other.txt"), "x").unwrap();
        commit(
            &root,
            "content/2019/so-a.md",
            "Nguyễn Văn An",
            "an@x.vn",
            "sau",
        )
        .unwrap();
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        assert_eq!(head.author().name().ok(), Some("Nguyễn Văn An"));
        assert_eq!(head.parent_count(), 1);
        let tree = head.tree().unwrap();
        let entry = tree.get_path(Path::new("content/2019/so-a.md")).unwrap();
        let blob = repo.find_blob(entry.id()).unwrap();
        assert_eq!(blob.content(), b"hai\n");
        assert!(tree.get_path(Path::new("other.txt")).is_err());
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(root.join("content/2019"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn diagnostics_find_their_json_path() {
        let text = "---\nagency: so-a\nyear: 2019\nstatus: draft\nprojects:\n  - id: a\n    cost: { total: 5, spent: 0, planned: 9 }\n---\nbody\n";
        let paths = paths_of(text);
        assert_eq!(path_at(&paths, 2, 9), Some("plan.agency"));
        assert_eq!(
            path_at(&paths, 7, 37),
            Some("plan.projects[0].cost.planned")
        );
        assert_eq!(path_at(&paths, 6, 9), Some("plan.projects[0].id"));
    }

    mod round_trip {
        //! What the form sends (the API's `{plan, sections}` JSON) → the
        //! file a save writes → what the form is filled with on the next
        //! read ([`editable`](super::super::editable)): the same JSON, for
        //! random plans, drafts with projects and rows the loader drops
        //! included.
        use proptest::prelude::*;
        use rust_decimal::Decimal;

        use crate::diag::Lang;
        use crate::plan_doc::{
            ContactDoc, CostDoc, IndicatorDoc, PeriodDoc, PlanDoc, ProjectDoc, Sections,
            SpendingDoc, SplitDoc, write_plan_file,
        };

        fn code() -> impl Strategy<Value = String> {
            "[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5}){0,2}"
        }
        /// One line as people type it: Vietnamese, digits, and the
        /// characters YAML gives a meaning to.
        fn line() -> impl Strategy<Value = String> {
            "[A-Za-z0-9ăâđêôơưáàảãạếềểễệốồổỗộứừửữựĐƯ:#'\"&*!|>%@,.()/\\[\\]{}?-]{1,12}( [A-Za-z0-9ăđêôơưáàạếốứĐ:#'\"&*!|>%@,.()/-]{1,12}){0,5}"
        }
        fn text() -> impl Strategy<Value = String> {
            prop::collection::vec(line(), 1..4).prop_map(|l| l.join("\n"))
        }
        fn amount() -> impl Strategy<Value = Decimal> {
            (0i64..1_000_000_000_000, 0u32..4).prop_map(|(n, s)| Decimal::new(n, s).normalize())
        }
        fn split() -> impl Strategy<Value = SplitDoc> {
            prop::collection::btree_map(code(), amount(), 0..4)
                .prop_map(|m| SplitDoc(m.into_iter().collect()))
        }
        fn indicator() -> impl Strategy<Value = IndicatorDoc> {
            (
                code(),
                prop::option::of(line()),
                prop::option::of(prop_oneof![Just("percent"), Just("count"), Just("text")]),
                prop::option::of(amount()),
                prop::option::of(amount()),
                prop::option::of(amount()),
                prop::option::of(text()),
                prop::option::of(line()),
            )
                .prop_map(|(id, name, unit, target, actual, goal, value, note)| {
                    IndicatorDoc {
                        id,
                        name,
                        unit: unit.map(str::to_string),
                        target,
                        actual,
                        goal,
                        value,
                        note,
                    }
                })
        }
        fn spending() -> impl Strategy<Value = SpendingDoc> {
            (
                code(),
                line(),
                // A row without its total is dropped by the loader and
                // must come back to the form all the same.
                prop::option::of(amount()),
                split(),
                split(),
                prop::option::of(line()),
            )
                .prop_map(|(category, task, total, levels, kinds, basis)| {
                    SpendingDoc {
                        category,
                        task,
                        total,
                        levels,
                        kinds,
                        basis,
                    }
                })
        }
        fn project() -> impl Strategy<Value = ProjectDoc> {
            (
                // Priority, period and the three amounts are required of a
                // project; the loader drops one without them, and the form
                // must still get it back: generated with and without.
                (
                    code(),
                    line(),
                    code(),
                    prop::option::of(1i64..40),
                    prop::option::of(text()),
                ),
                (
                    prop::option::of((
                        prop::option::of(2000i32..2100),
                        prop::option::of(2000i32..2100),
                    )),
                    code(),
                    prop::collection::vec(code(), 0..3),
                    prop::option::of(text()),
                    prop::option::of(text()),
                ),
                (
                    prop::option::of(amount()),
                    prop::option::of(amount()),
                    prop::option::of(amount()),
                    split(),
                    split(),
                ),
                prop::collection::vec(prop::option::of(line()), 6),
            )
                .prop_map(
                    |(
                        (id, name, category, priority, objective),
                        (period, lead, partners, done, todo),
                        (total, spent, planned, levels, kinds),
                        more,
                    )| ProjectDoc {
                        id,
                        name,
                        category,
                        priority,
                        objective,
                        period: period
                            .filter(|(f, t)| f.is_some() || t.is_some())
                            .map(|(from, to)| PeriodDoc { from, to }),
                        lead,
                        partners,
                        done,
                        todo,
                        cost: CostDoc {
                            total,
                            spent,
                            planned,
                        },
                        levels,
                        kinds,
                        investor: more[0].clone(),
                        approval: more[1].clone(),
                        necessity: more[2].clone(),
                        standards: more[3].clone(),
                        location: more[4].clone(),
                        note: more[5].clone(),
                        comment: None,
                    },
                )
        }
        fn plan() -> impl Strategy<Value = (PlanDoc, Sections)> {
            (
                (
                    prop::option::of((
                        prop::option::of(line()),
                        prop::option::of(line()),
                        prop::option::of(line()),
                    )),
                    prop::collection::vec(line(), 0..3),
                    prop::collection::vec(indicator(), 0..4),
                ),
                prop::collection::vec(spending(), 0..3),
                prop::collection::vec(project(), 0..3),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("intro"),
                        Just("danh-gia"),
                        Just("muc-tieu"),
                        Just("dinh-huong"),
                        Just("giai-phap"),
                        Just("to-chuc")
                    ],
                    text(),
                    0..6,
                ),
            )
                .prop_map(
                    |((contact, legal_bases, indicators), spending, projects, sections)| {
                        let doc = PlanDoc {
                            agency: "so-a".into(),
                            year: 2026,
                            status: "draft".into(),
                            contact: contact
                                .filter(|(n, p, e)| n.is_some() || p.is_some() || e.is_some())
                                .map(|(name, phone, email)| ContactDoc { name, phone, email }),
                            legal_bases,
                            indicators,
                            spending,
                            projects,
                            ..PlanDoc::default()
                        };
                        let sections = sections
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect();
                        (doc, sections)
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
            #[test]
            fn form_to_file_to_form((doc, sections) in plan()) {
                let sent = serde_json::json!({"plan": doc, "sections": sections});
                let body: PlanDoc = serde_json::from_value(sent["plan"].clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let text = write_plan_file(&body, &sections, None);
                let (plan, diagnostics) = crate::load::plan_from_text(&text, "content/2026/so-a.md", "so-a", Lang::Vi);
                let checked = super::super::Checked { plan, diagnostics };
                let (doc_back, mut read) = super::super::editable(&checked, &text)
                    .ok_or_else(|| TestCaseError::fail(format!("{:?}\n{text}", checked.diagnostics)))?;
                let diags = checked.diagnostics;
                // An empty section and an absent one are the same empty
                // box in the form; the writer puts every heading in.
                read.retain(|_, v| !v.is_empty());
                let back = serde_json::json!({
                    "plan": doc_back,
                    "sections": read,
                });
                prop_assert_eq!(&back, &sent, "{}\n{:?}", text, diags.iter().map(|d| d.full_message()).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn versions_follow_the_bytes() {
        assert_eq!(version_of(b"a"), version_of(b"a"));
        assert_ne!(version_of(b"a"), version_of(b"a\n"));
        assert_eq!(version_of(b"a").len(), 32);
    }
}
