//! The worker of `serve`: one thread that owns the site in memory, takes
//! file events from notify and render requests from the HTTP side, and
//! publishes each new build.
//!
//! File events are debounced: a batch is applied once no event came for
//! [`QUIET`] (an editor that writes a file twice on one save causes one
//! rebuild), or [`LONGEST`] after its first event at the latest. An event
//! that says a save is complete (the file closed after writing, or renamed
//! into place) shortens the wait to [`SETTLE`]: the save shows at once, and
//! the events of the same save that follow it still join its batch. Pages are
//! rendered when a browser asks for them and kept in a cache until a
//! change makes them stale. The renderer (the consolidated cycles) is built
//! right after each change, while the browsers' reloads are on their way,
//! and serves every request until the next change; requests that arrive
//! together are rendered in parallel.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use rayon::prelude::*;
use tokio::sync::{oneshot, watch};

use super::Log;
use super::errors;
use super::state::{Stale, State};
use crate::diag::{Diagnostic, Lang};
use crate::render::Renderer;

/// How long the files must stay quiet before a batch of changes is applied.
pub(crate) const QUIET: Duration = Duration::from_millis(50);
/// How long a batch waits after an event that completes a save.
pub(crate) const SETTLE: Duration = Duration::from_millis(15);
/// How long a batch may wait for quiet at most (a file written without end).
pub(crate) const LONGEST: Duration = Duration::from_millis(500);
/// Most rendered paths kept.
const CACHE_ENTRIES: usize = 512;

/// A message to the worker.
#[derive(Debug)]
pub(crate) enum Job {
    /// A file event from notify.
    Fs(notify::Result<notify::Event>),
    /// Render a site path (e.g. `2019/index.html`) and answer.
    Render {
        /// The site path.
        key: String,
        /// Where the answer goes.
        reply: oneshot::Sender<Reply>,
    },
    /// Stop: the server is shutting down.
    Stop,
}

/// What to send for a site path, and from which build.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The build the answer belongs to.
    pub(crate) build: Arc<str>,
    /// The answer.
    pub(crate) served: Served,
}

/// An answer for a site path.
#[derive(Debug)]
pub(crate) enum Served {
    /// The file at this site path.
    File(String, Bytes),
    /// The path names a folder: add a slash.
    Redirect,
    /// No such path: the site's 404 page.
    NotFound(Bytes),
    /// The site (or this page) cannot be built: the error page.
    Broken(Bytes),
}

/// What the worker last published, read by every request.
#[derive(Debug)]
struct Published {
    build: Arc<str>,
    lang: Lang,
    /// The error page while the site has errors.
    broken: Option<Bytes>,
    /// Rendered paths that are still current.
    cache: HashMap<String, Bytes>,
}

/// The published build, behind a lock held only to copy out or swap in.
#[derive(Debug)]
pub(crate) struct Shared(Mutex<Published>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Published> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The answer for `key` without the worker: the error page while the
    /// site is broken, or the cached file.
    pub(crate) fn lookup(&self, key: &str) -> Option<Reply> {
        let p = self.lock();
        let served = match (&p.broken, p.cache.get(key)) {
            (Some(page), _) => Served::Broken(page.clone()),
            (None, Some(bytes)) => Served::File(key.to_string(), bytes.clone()),
            (None, None) => return None,
        };
        Some(Reply {
            build: p.build.clone(),
            served,
        })
    }

    /// A 404 for a path that cannot be in the site: the site's 404 page if
    /// at hand, a bare one otherwise.
    pub(crate) fn not_found(&self) -> Reply {
        let p = self.lock();
        let page = p
            .cache
            .get("404.html")
            .cloned()
            .unwrap_or_else(|| Bytes::from(errors::not_found(p.lang)));
        Reply {
            build: p.build.clone(),
            served: Served::NotFound(page),
        }
    }

    fn insert(&self, key: &str, bytes: &Bytes) {
        let mut p = self.lock();
        if p.cache.len() >= CACHE_ENTRIES {
            p.cache.clear();
        }
        p.cache.insert(key.to_string(), bytes.clone());
    }
}

/// The thread that owns the site.
pub(crate) struct Worker {
    state: State,
    shared: Arc<Shared>,
    live: watch::Sender<Arc<str>>,
    log: Log,
    watcher: Option<RecommendedWatcher>,
    /// Distinguishes this server's builds from a previous run's, so a page
    /// left open across a restart reloads too.
    instance: String,
    count: u64,
    build: Arc<str>,
    broken: Option<Bytes>,
}

/// An id of this run of the server.
fn instance_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", nanos & 0xffff_ffff_ffff, std::process::id())
}

/// Whether a notify event can mean a changed file. Opening and reading
/// (including the worker's own reads) cannot.
/// Whether the event ends a save: the writer closed the file, or moved
/// the finished file into place (how most editors save).
fn completes_save(kind: &EventKind) -> bool {
    use notify::event::{ModifyKind, RenameMode};
    matches!(
        kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
    )
}

fn changes_files(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Other => false,
        EventKind::Any | EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
    }
}

/// What rendering one request needs of the worker: its current build.
struct View<'a> {
    state: &'a State,
    shared: &'a Shared,
    log: Log,
    build: &'a Arc<str>,
    broken: Option<&'a Bytes>,
    renderer: Option<&'a Result<Renderer<'a>, Vec<Diagnostic>>>,
}

impl View<'_> {
    /// The answer for `key`: the rendered file (now cached), a redirect
    /// to the folder, the 404 page, or an error page.
    fn render(&self, key: &str) -> Reply {
        let reply = |served| Reply {
            build: self.build.clone(),
            served,
        };
        if let Some(page) = self.broken {
            return reply(Served::Broken(page.clone()));
        }
        let r = match self.renderer {
            Some(Ok(r)) => r,
            Some(Err(diags)) => return reply(Served::Broken(self.failed(key, diags))),
            None => {
                return reply(Served::NotFound(Bytes::from(errors::not_found(
                    self.state.lang(),
                ))));
            }
        };
        match r.render_path(key) {
            Some(Ok(bytes)) => {
                let bytes = Bytes::from(bytes);
                self.shared.insert(key, &bytes);
                reply(Served::File(key.to_string(), bytes))
            }
            Some(Err(diags)) => reply(Served::Broken(self.failed(key, &diags))),
            None => {
                let last = key.rsplit('/').next().unwrap_or(key);
                if !last.contains('.') && r.target(&format!("{key}/index.html")).is_some() {
                    return reply(Served::Redirect);
                }
                let page = match self.shared.lookup("404.html") {
                    Some(Reply {
                        served: Served::File(_, page),
                        ..
                    }) => page,
                    _ => match r.render_path("404.html") {
                        Some(Ok(page)) => {
                            let page = Bytes::from(page);
                            self.shared.insert("404.html", &page);
                            page
                        }
                        _ => Bytes::from(errors::not_found(self.state.lang())),
                    },
                };
                reply(Served::NotFound(page))
            }
        }
    }

    /// The error page of a page that failed to render on its own.
    fn failed(&self, key: &str, diags: &[Diagnostic]) -> Bytes {
        let lang = self.state.lang();
        self.log.page_failed(lang, key, diags);
        let mut sources = std::collections::BTreeMap::new();
        for d in diags {
            if let Ok(text) = std::fs::read_to_string(self.state.root().join(&d.file)) {
                sources.insert(d.file.clone(), text);
            }
        }
        Bytes::from(errors::page(diags, &sources, lang))
    }
}

impl Worker {
    /// A worker for `state`, its first build published.
    pub(crate) fn new(
        mut state: State,
        log: Log,
    ) -> (Worker, Arc<Shared>, watch::Receiver<Arc<str>>) {
        let instance = instance_id();
        let build: Arc<str> = format!("{instance}.0").into();
        let (live, live_rx) = watch::channel(build.clone());
        let pages = if state.errors() == 0 {
            state.probe()
        } else {
            Vec::new()
        };
        let shared = Arc::new(Shared(Mutex::new(Published {
            build: build.clone(),
            lang: state.lang(),
            broken: None,
            cache: HashMap::new(),
        })));
        let mut worker = Worker {
            state,
            shared: shared.clone(),
            live,
            log,
            watcher: None,
            instance,
            count: 0,
            build,
            broken: None,
        };
        worker.publish(&Stale::All, pages);
        (worker, shared, live_rx)
    }

    /// The site in memory.
    pub(crate) fn state(&self) -> &State {
        &self.state
    }

    /// Watches `content/` and `themes/` (recursively), the root (for
    /// those two appearing) and the repository's refs, sending events to
    /// `jobs`.
    pub(crate) fn watch(&mut self, jobs: std::sync::mpsc::Sender<Job>) -> notify::Result<()> {
        let watcher = notify::recommended_watcher(move |event| {
            let _ = jobs.send(Job::Fs(event));
        })?;
        self.watcher = Some(watcher);
        self.rewatch()
    }

    fn rewatch(&mut self) -> notify::Result<()> {
        let root = self.state.root().to_path_buf();
        let Some(watcher) = self.watcher.as_mut() else {
            return Ok(());
        };
        watcher.watch(&root, RecursiveMode::NonRecursive)?;
        for dir in ["content", "themes"] {
            let path = root.join(dir);
            if path.is_dir() {
                watcher.watch(&path, RecursiveMode::Recursive)?;
            }
        }
        // A commit, checkout or tag moves the history the pages show:
        // `.git` itself (HEAD, packed refs) and its refs, not its objects.
        if let Some(git) = self.state.git_dir() {
            watcher.watch(git, RecursiveMode::NonRecursive)?;
            let refs = git.join("refs");
            if refs.is_dir() {
                watcher.watch(&refs, RecursiveMode::Recursive)?;
            }
        }
        Ok(())
    }

    /// Runs until [`Job::Stop`] or until every sender is gone.
    pub(crate) fn run(mut self, jobs: &Receiver<Job>) {
        let mut pending = BTreeSet::new();
        loop {
            if self.serve_until_due(jobs, &mut pending) {
                return;
            }
            let started = Instant::now();
            self.rebuild(&std::mem::take(&mut pending), started);
        }
    }

    /// Answers render requests and gathers file events until a batch of
    /// changes is due (`false`) or the worker must stop (`true`).
    fn serve_until_due(&self, jobs: &Receiver<Job>, pending: &mut BTreeSet<PathBuf>) -> bool {
        // Built now rather than on the first request: the browser's reload
        // is on its way.
        let renderer = if self.broken.is_none() {
            self.state.renderer()
        } else {
            None
        };
        let view = View {
            state: &self.state,
            shared: &self.shared,
            log: self.log,
            build: &self.build,
            broken: self.broken.as_ref(),
            renderer: renderer.as_ref(),
        };
        // First and last event of the batch, and how long after the last
        // it is due.
        let mut window: Option<(Instant, Instant, Duration)> = None;
        let mut held = None;
        loop {
            let job = match (held.take(), window) {
                (Some(job), _) => job,
                (None, Some((first, last, wait))) => {
                    let due = (last + wait).min(first + LONGEST);
                    match jobs.recv_timeout(due.saturating_duration_since(Instant::now())) {
                        Ok(job) => job,
                        Err(RecvTimeoutError::Timeout) => return false,
                        Err(RecvTimeoutError::Disconnected) => return true,
                    }
                }
                (None, None) => match jobs.recv() {
                    Ok(job) => job,
                    Err(_) => return true,
                },
            };
            match job {
                Job::Stop => return true,
                Job::Render { key, reply } => {
                    // Requests that came together (tabs reloading at once)
                    // render together, one per core.
                    let mut batch = vec![(key, reply)];
                    while let Ok(next) = jobs.try_recv() {
                        match next {
                            Job::Render { key, reply } => batch.push((key, reply)),
                            other => {
                                held = Some(other);
                                break;
                            }
                        }
                    }
                    batch.into_par_iter().for_each(|(key, reply)| {
                        let _ = reply.send(view.render(&key));
                    });
                }
                Job::Fs(event) => {
                    let settled = event.as_ref().is_ok_and(|e| completes_save(&e.kind));
                    let paths: Vec<PathBuf> = match event {
                        // Events were lost (queue overflow): read it all.
                        Ok(e) if e.need_rescan() => vec![self.state.root().join("content")],
                        Ok(e) if changes_files(&e.kind) => e
                            .paths
                            .into_iter()
                            .filter(|p| self.state.classify(p).is_some())
                            .collect(),
                        Ok(_) => Vec::new(),
                        Err(e) => {
                            self.log.watch_error(self.state.lang(), &e.to_string());
                            vec![self.state.root().join("content")]
                        }
                    };
                    if !paths.is_empty() {
                        pending.extend(paths);
                        let now = Instant::now();
                        let wait = if settled { SETTLE } else { QUIET };
                        window = Some(
                            window.map_or((now, now, wait), |(first, _, _)| (first, now, wait)),
                        );
                    }
                }
            }
        }
    }

    /// Applies a batch of changed paths and publishes the new build.
    fn rebuild(&mut self, paths: &BTreeSet<PathBuf>, started: Instant) {
        let applied = match self.state.apply(paths) {
            Ok(Some(a)) => a,
            Ok(None) => return,
            Err(e) => {
                self.log.watch_error(self.state.lang(), &e.to_string());
                return;
            }
        };
        let pages = if self.state.errors() == 0 && (applied.whole || self.state.render_failed()) {
            self.state.probe()
        } else {
            Vec::new()
        };
        if applied.whole
            && let Err(e) = self.rewatch()
        {
            self.log.watch_error(self.state.lang(), &e.to_string());
        }
        self.publish(&applied.stale, pages);
        self.log
            .rebuilt(&self.state, &applied.files, started.elapsed());
    }

    /// Makes the state the current build: the cache keeps what is still
    /// current, and every open page hears of it.
    fn publish(&mut self, stale: &Stale, pages: Vec<(String, Vec<u8>)>) {
        self.count += 1;
        self.build = format!("{}.{}", self.instance, self.count).into();
        let was_broken = self.broken.is_some();
        self.broken = (self.state.errors() > 0).then(|| {
            Bytes::from(errors::page(
                &self.state.diagnostics(),
                self.state.sources(),
                self.state.lang(),
            ))
        });
        {
            let mut p = self.shared.lock();
            p.build = self.build.clone();
            p.lang = self.state.lang();
            p.broken = self.broken.clone();
            if was_broken || self.broken.is_some() {
                p.cache.clear();
            } else {
                p.cache.retain(|k, _| !stale.covers(k));
            }
            for (k, v) in pages {
                p.cache.insert(k, Bytes::from(v));
            }
        }
        self.live.send_replace(self.build.clone());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

    use std::collections::BTreeMap;
    use std::path::Path;

    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;

    const BASE_URL: &str = "http://127.0.0.1:1";

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }

    /// What a clerk does to one plan file between two looks at the preview.
    #[derive(Clone, Debug)]
    enum Edit {
        /// A spending row with one level and one kind gets a new total: the
        /// row's split follows it, so the plan stays valid.
        Amount(Index, Index, u32),
        ProjectName(Index, Index, u32),
        Status(Index, bool),
        Paragraph(Index, u32),
        Delete(Index),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<Index>(), any::<Index>(), 1..9_000u32)
                .prop_map(|(p, r, n)| Edit::Amount(p, r, n)),
            (any::<Index>(), any::<Index>(), 0..1_000u32)
                .prop_map(|(p, r, n)| Edit::ProjectName(p, r, n)),
            (any::<Index>(), any::<bool>()).prop_map(|(p, s)| Edit::Status(p, s)),
            (any::<Index>(), 0..1_000u32).prop_map(|(p, n)| Edit::Paragraph(p, n)),
            any::<Index>().prop_map(Edit::Delete),
        ]
    }

    /// The plan files of every cycle, in a stable order.
    fn plan_files(root: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for cycle in std::fs::read_dir(root.join("content")).unwrap() {
            let cycle = cycle.unwrap().path();
            if !cycle.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(&cycle).unwrap() {
                let f = f.unwrap().path();
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                if name.ends_with(".md") && !name.starts_with('_') {
                    out.push(f);
                }
            }
        }
        out.sort();
        out
    }

    /// Applies `edit` to the copy at `root`; returns the file it changed,
    /// `None` when the edit found nothing to change (e.g. no plan left).
    fn apply_edit(root: &Path, edit: &Edit) -> Option<PathBuf> {
        let files = plan_files(root);
        if files.is_empty() {
            return None;
        }
        let pick = |i: &Index| files[i.index(files.len())].clone();
        let (file, new) = match edit {
            Edit::Delete(p) => {
                let file = pick(p);
                std::fs::remove_file(&file).unwrap();
                return Some(file);
            }
            Edit::Amount(p, row, n) => {
                let file = pick(p);
                let text = std::fs::read_to_string(&file).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                // A total whose row names one level and one kind (no `{`):
                // the whole total is that level's and that kind's.
                let rows: Vec<usize> = (0..lines.len().saturating_sub(2))
                    .filter(|&i| {
                        lines[i].starts_with("    total: ")
                            && lines[i + 1].starts_with("    levels: ")
                            && lines[i + 2].starts_with("    kinds: ")
                            && !lines[i + 1].contains('{')
                            && !lines[i + 2].contains('{')
                    })
                    .collect();
                if rows.is_empty() {
                    return None;
                }
                let at = rows[row.index(rows.len())];
                let mut out: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
                out[at] = format!("    total: {n}");
                (file, out.join("\n") + "\n")
            }
            Edit::ProjectName(p, row, n) => {
                let file = pick(p);
                let text = std::fs::read_to_string(&file).unwrap();
                let mut out: Vec<String> = text.lines().map(str::to_string).collect();
                let rows: Vec<usize> = (0..out.len())
                    .filter(|&i| out[i].starts_with("    name: \""))
                    .collect();
                if rows.is_empty() {
                    return None;
                }
                let at = rows[row.index(rows.len())];
                out[at] = format!("    name: \"Dự án đổi tên số {n}\"");
                (file, out.join("\n") + "\n")
            }
            Edit::Status(p, submitted) => {
                let file = pick(p);
                let text = std::fs::read_to_string(&file).unwrap();
                let year: i32 = file
                    .parent()
                    .and_then(|d| d.file_name())
                    .and_then(|d| d.to_str())
                    .and_then(|d| d.parse().ok())
                    .unwrap();
                let has_date = text.lines().any(|l| l.starts_with("submitted:"));
                let mut out = Vec::new();
                for l in text.lines() {
                    if l.starts_with("status:") {
                        if *submitted {
                            out.push("status: submitted".to_string());
                            // Submitted needs its date (E050): one before
                            // every cycle's deadline.
                            if !has_date {
                                out.push(format!("submitted: {}-07-20", year - 1));
                            }
                        } else {
                            out.push("status: draft".to_string());
                        }
                    } else {
                        out.push(l.to_string());
                    }
                }
                (file, out.join("\n") + "\n")
            }
            Edit::Paragraph(p, n) => {
                let file = pick(p);
                let text = std::fs::read_to_string(&file).unwrap();
                (
                    file,
                    format!("{text}\nĐoạn văn thêm số {n} trong phần nội dung.\n"),
                )
            }
        };
        std::fs::write(&file, new).unwrap();
        Some(file)
    }

    /// What the preview sends for `key`, as a browser's request gets it: the
    /// cached bytes if the worker kept them, else a render through the same
    /// [`View`] the worker answers with (which caches it). The live-reload
    /// script is not in these bytes: http.rs injects it into each response,
    /// after the cache, so nothing needs stripping here.
    fn served<'a>(
        worker: &'a Worker,
        renderer: Option<&'a Result<Renderer<'a>, Vec<Diagnostic>>>,
        key: &str,
    ) -> Served {
        if let Some(reply) = worker.shared.lookup(key) {
            return reply.served;
        }
        View {
            state: &worker.state,
            shared: &worker.shared,
            log: worker.log,
            build: &worker.build,
            broken: worker.broken.as_ref(),
            renderer,
        }
        .render(key)
        .served
    }

    /// Every path the preview has served, or a fresh render has, served
    /// now by the preview: each must equal a fresh render of the files as
    /// they are. Returns the paths that differ.
    fn stale_pages(worker: &Worker, asked: &mut BTreeSet<String>) -> Vec<String> {
        let root = worker.state.root().to_path_buf();
        let fresh = State::load(&root, BASE_URL).unwrap();
        let fresh_renderer = fresh.renderer();
        let renderer = worker.state.renderer();
        let mut wrong = Vec::new();
        let Some(Ok(fresh_renderer)) = fresh_renderer else {
            // The edits broke the site: the preview must show its error
            // page everywhere, and say what `check` says.
            assert_eq!(worker.state.diagnostics(), fresh.diagnostics());
            for key in asked.iter() {
                if !matches!(served(worker, renderer.as_ref(), key), Served::Broken(_)) {
                    wrong.push(key.clone());
                }
            }
            return wrong;
        };
        asked.extend(fresh_renderer.targets().into_iter().map(|(k, _)| k));
        let mut expected: BTreeMap<&str, Option<Vec<u8>>> = BTreeMap::new();
        for key in asked.iter() {
            let want = match fresh_renderer.render_path(key) {
                Some(Ok(bytes)) => Some(bytes),
                Some(Err(diags)) => panic!("fresh render of {key}: {diags:?}"),
                None => None,
            };
            expected.insert(key, want);
        }
        for (key, want) in expected {
            let got = served(worker, renderer.as_ref(), key);
            let ok = match (&want, &got) {
                (Some(want), Served::File(_, got)) => want.as_slice() == got.as_ref(),
                (None, Served::NotFound(_) | Served::Redirect) => true,
                _ => false,
            };
            if !ok {
                wrong.push(key.to_string());
            }
        }
        wrong
    }

    proptest! {
        // Each case renders the whole demo about twice per edit: few cases,
        // few edits, still every kind of edit in most runs.
        #![proptest_config(ProptestConfig::with_cases(8))]

        /// After any run of edits, every page the preview serves, from its
        /// cache or not, is byte for byte what a fresh render of the same
        /// files gives: the cache dropped every page an edit made stale.
        #[test]
        fn cached_pages_equal_a_fresh_render_after_random_edits(
            edits in prop::collection::vec(edit(), 1..4)
        ) {
            let dir = tempfile::tempdir().unwrap();
            copy_dir(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
                &dir.path().join("content"),
            );
            let state = State::load(dir.path(), BASE_URL).unwrap();
            prop_assert_eq!(state.errors(), 0);
            let (mut worker, _shared, _live) = Worker::new(state, Log { quiet: true });
            // Every page asked for once: all of them are in the cache
            // before the first edit, so a page the edit leaves there is
            // served from there.
            let mut asked = BTreeSet::new();
            let wrong = stale_pages(&worker, &mut asked);
            prop_assert!(wrong.is_empty(), "before any edit: {wrong:?}");
            prop_assert!(
                asked.len() < CACHE_ENTRIES,
                "{} pages overflow the cache, which then forgets them all: the test would not look at invalidation",
                asked.len()
            );
            for (i, e) in edits.iter().enumerate() {
                let Some(file) = apply_edit(dir.path(), e) else { continue };
                worker.rebuild(&BTreeSet::from([file.clone()]), Instant::now());
                let wrong = stale_pages(&worker, &mut asked);
                prop_assert!(
                    wrong.is_empty(),
                    "after edit {i} ({e:?} on {}), stale in the preview: {wrong:?}",
                    file.display()
                );
            }
        }
    }
}
