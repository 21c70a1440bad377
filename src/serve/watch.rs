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
