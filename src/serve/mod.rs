//! `planpress serve`: a live preview while editors draft.
//!
//! The site is loaded, checked and rendered in memory (drafts included and
//! marked); `output/` is never touched. notify watches `content/` and
//! `themes/`; a save reloads only what it touches ([`state`]), on one worker
//! thread ([`watch`]), and every open page hears of the new build through
//! server-sent events and reloads itself, keeping its scroll position. While
//! the site has an error, every page is the error page ([`errors`]); the
//! next good save brings the site back. The HTTP side ([`http`]) is axum on
//! a single-threaded tokio runtime, bound to 127.0.0.1 unless told
//! otherwise.

mod errors;
mod http;

mod state;
mod watch;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diag::{Diagnostic, Lang, Severity, tr};
use crate::load::LoadError;
use state::{Action, State};
use watch::{Job, Worker};

/// How to serve a site.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The site's folder.
    pub root: PathBuf,
    /// Address to listen on; anything but loopback shows the drafts to the
    /// network.
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open the system's browser on the preview.
    pub open: bool,
    /// Print nothing (for benchmarks).
    pub quiet: bool,
}

impl ServeOptions {
    /// The defaults: 127.0.0.1:1111, no browser.
    pub fn new(root: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            root: root.into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            open: false,
            quiet: false,
        }
    }
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The root could not be read.
    Load(LoadError),
    /// The address could not be bound (port in use, no such address).
    Bind(SocketAddr, std::io::Error),
    /// The runtime, watcher or thread could not start.
    Start(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Load(e) => write!(f, "--root {e}"),
            ServeError::Bind(a, e) => write!(f, "{a}: {e}"),
            ServeError::Start(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ServeError {}

impl crate::diag::Exit for ServeError {
    fn exit_code(&self) -> u8 {
        match self {
            ServeError::Load(_) => 2,
            ServeError::Bind(..) | ServeError::Start(_) => 1,
        }
    }
}

/// The terminal side: one line per event, in the site's language.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Log {
    quiet: bool,
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

impl Log {
    fn line(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// Errors and warnings of the build, as the end of a line.
    fn outcome(state: &State) -> String {
        let lang = state.lang();
        let diags = state.diagnostics();
        let errors: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .collect();
        let warnings = diags.len() - errors.len();
        let w = match (warnings, lang) {
            (0, _) => String::new(),
            (n, Lang::Vi) => format!(", {n} cảnh báo"),
            (1, Lang::En) => ", 1 warning".to_string(),
            (n, Lang::En) => format!(", {n} warnings"),
        };
        match errors.first() {
            None => tr!(lang, "không có lỗi{w}", "no errors{w}"),
            Some(d) => {
                let n = errors.len();
                let at = format!("{} {}:{}:{}", d.code, d.file, d.pos.line, d.pos.col);
                match lang {
                    Lang::Vi => format!("{n} lỗi ({at}){w}, xem trong trình duyệt"),
                    Lang::En if n == 1 => format!("1 error ({at}){w}, shown in the browser"),
                    Lang::En => format!("{n} errors ({at}){w}, shown in the browser"),
                }
            }
        }
    }

    fn started(&self, url: &str, state: &State, took: Duration) {
        let lang = state.lang();
        let (plans, ms, outcome) = (state.plans(), ms(took), Log::outcome(state));
        self.line(&tr!(
            lang,
            "planpress serve: xem trước tại {url} (Ctrl+C để dừng)",
            "planpress serve: preview at {url} (Ctrl+C to stop)"
        ));
        self.line(&tr!(
            lang,
            "Đã đọc {plans} kế hoạch trong {ms} ms: {outcome}.",
            "Read {plans} plans in {ms} ms: {outcome}."
        ));
    }

    fn exposed(&self, lang: Lang, addr: SocketAddr) {
        let ip = addr.ip();
        self.line(&tr!(
            lang,
            "Cảnh báo: đang mở trên {ip}, mọi máy trong mạng đều xem được trang, kể cả bản nháp. Bỏ --bind để chỉ máy này xem được.",
            "Warning: listening on {ip}: every machine on the network can see the site, drafts included. Leave out --bind to keep it to this machine."
        ));
    }

    pub(crate) fn rebuilt(&self, state: &State, files: &[(Action, String)], took: Duration) {
        let lang = state.lang();
        let verb = |a: Action| match (a, lang) {
            (Action::Added, Lang::Vi) => "Đã thêm",
            (Action::Changed, Lang::Vi) => "Đã sửa",
            (Action::Removed, Lang::Vi) => "Đã xóa",
            (Action::Added, Lang::En) => "Added",
            (Action::Changed, Lang::En) => "Changed",
            (Action::Removed, Lang::En) => "Removed",
        };
        let Some((action, first)) = files.first() else {
            return;
        };
        let more = match (files.len() - 1, lang) {
            (0, _) => String::new(),
            (n, Lang::Vi) => format!(" và {n} tệp khác"),
            (n, Lang::En) => format!(" and {n} more"),
        };
        let (ms, outcome) = (ms(took), Log::outcome(state));
        let what = format!("{} {first}{more}", verb(*action));
        self.line(&tr!(
            lang,
            "{what}: dựng lại trong {ms} ms, {outcome}.",
            "{what}: rebuilt in {ms} ms, {outcome}."
        ));
    }

    pub(crate) fn page_failed(&self, lang: Lang, key: &str, diags: &[Diagnostic]) {
        let at = diags.first().map_or_else(String::new, |d| {
            format!(": {} {}:{}:{}", d.code, d.file, d.pos.line, d.pos.col)
        });
        self.line(&tr!(
            lang,
            "Không dựng được /{key}{at}",
            "Cannot render /{key}{at}"
        ));
    }

    pub(crate) fn watch_error(&self, lang: Lang, e: &str) {
        self.line(&tr!(
            lang,
            "Lỗi theo dõi tệp: {e}; đọc lại toàn bộ site.",
            "File watching failed: {e}; reading the whole site again."
        ));
    }

    fn stopped(&self, lang: Lang) {
        self.line(&tr!(lang, "Đã dừng xem trước.", "Preview stopped."));
    }
}

/// The address to show for `addr` (a wildcard address is reached through
/// loopback on this machine).
fn url_for(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            format!("http://{}:{}", Ipv4Addr::LOCALHOST, addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            format!("http://[{}]:{}", Ipv6Addr::LOCALHOST, addr.port())
        }
        IpAddr::V4(ip) => format!("http://{ip}:{}", addr.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}", addr.port()),
    }
}

/// Opens `url` in the system's browser, if there is one to open.
fn open_browser(url: &str) -> bool {
    #[cfg(windows)]
    let mut cmd = {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", "", url]);
        c
    };
    #[cfg(target_os = "macos")]
    let mut cmd = {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    };
    #[cfg(not(any(windows, target_os = "macos")))]
    let mut cmd = {
        // Without a display, xdg-open would start a text browser in this
        // terminal.
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            return false;
        }
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match cmd.spawn() {
        Ok(mut child) => {
            // Reap it whenever it ends.
            std::thread::spawn(move || child.wait());
            true
        }
        Err(_) => false,
    }
}

/// A running preview server.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Loads the site, binds, starts watching and serving, and returns: the
    /// server runs on its own threads until [`Server::stop`]. The site may
    /// have errors: they are shown in the browser.
    pub fn start(opts: &ServeOptions) -> Result<Server, ServeError> {
        Server::launch(opts, false)
    }

    fn launch(opts: &ServeOptions, signals: bool) -> Result<Server, ServeError> {
        let root = std::fs::canonicalize(&opts.root)
            .and_then(|r| {
                if r.is_dir() {
                    Ok(r)
                } else {
                    Err(std::io::Error::other("not a directory"))
                }
            })
            .map_err(|e| ServeError::Load(LoadError::BadRoot(opts.root.clone(), e)))?;
        let wanted = SocketAddr::new(opts.bind, opts.port);
        let listener =
            std::net::TcpListener::bind(wanted).map_err(|e| ServeError::Bind(wanted, e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| ServeError::Bind(wanted, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError::Bind(wanted, e))?;
        let url = format!("{}/", url_for(addr));

        let started = Instant::now();
        let log = Log { quiet: opts.quiet };
        let state = State::load(&root, url.trim_end_matches('/')).map_err(ServeError::Load)?;
        let (mut worker, shared, live) = Worker::new(state, log);
        let (jobs, job_rx) = std::sync::mpsc::channel();
        if let Err(e) = worker.watch(jobs.clone()) {
            log.watch_error(worker.state().lang(), &e.to_string());
        }
        let lang = worker.state().lang();
        log.started(&url, worker.state(), started.elapsed());
        if !opts.bind.is_loopback() {
            log.exposed(lang, addr);
        }
        let worker = std::thread::Builder::new()
            .name("planpress-serve-worker".into())
            .spawn(move || worker.run(&job_rx))
            .map_err(ServeError::Start)?;

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(ServeError::Start)?;
        let app = Arc::new(http::App {
            shared,
            jobs: jobs.clone(),
            live,
            any_host: !opts.bind.is_loopback(),
        });
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("planpress-serve-http".into())
            .spawn(move || {
                runtime.block_on(run_http(listener, app, stop_rx, jobs, signals));
                // A worker still rendering a page is not waited for long:
                // Ctrl+C and SIGTERM stop the preview whatever it renders.
                let until = Instant::now() + Duration::from_secs(2);
                while !worker.is_finished() && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(20));
                }
                if worker.is_finished() {
                    let _ = worker.join();
                }
                log.stopped(lang);
            })
            .map_err(ServeError::Start)?;
        if opts.open && !open_browser(&url) {
            log.line(&tr!(
                lang,
                "Không mở được trình duyệt; hãy mở {url}",
                "Could not open a browser; open {url}"
            ));
        }
        Ok(Server {
            addr,
            url,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The preview's URL, e.g. `http://127.0.0.1:1111/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the server: open event streams end, requests in flight finish.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Blocks until the server stops (Ctrl+C when started by [`serve`]).
    fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Waits for Ctrl+C (or SIGTERM), when `signals`.
async fn interrupted(signals: bool) {
    if !signals {
        return std::future::pending().await;
    }
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// How long a client may take to send a request's head, and how long a
/// kept-alive connection may sit idle before its next one. A slow or
/// silent client (slowloris) is cut off after this.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections served at once: open pages' event streams, requests. One
/// more waits in the system's queue until one ends, so a flood of idle
/// connections cannot exhaust the process's files.
const MAX_CONNECTIONS: usize = 256;

/// Serves until told to stop, then shuts down gracefully: stops the
/// worker, which ends every event stream, and lets requests in flight
/// finish (for at most two seconds). Each connection gets
/// [`HEADER_TIMEOUT`] to send each request head, and at most
/// [`MAX_CONNECTIONS`] are served at once.
async fn run_http(
    listener: std::net::TcpListener,
    app: Arc<http::App>,
    stop: tokio::sync::oneshot::Receiver<()>,
    jobs: std::sync::mpsc::Sender<Job>,
    signals: bool,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        let _ = jobs.send(Job::Stop);
        return;
    };
    let service = hyper_util::service::TowerToHyperService::new(http::router(app));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let shutdown = async move {
        tokio::select! {
            _ = stop => {}
            () = interrupted(signals) => {}
        }
        let _ = jobs.send(Job::Stop);
    };
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => tokio::select! {
                    () = &mut shutdown => break,
                    accepted = listener.accept() => accepted.map(|(tcp, _)| (tcp, permit)),
                },
                Err(_) => break,
            },
        };
        let Ok((tcp, permit)) = accepted else {
            // Out of file descriptors and the like: let some close.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(tcp), service.clone());
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(2), graceful.shutdown()).await;
}

/// Serves the site at `opts.root` until Ctrl+C.
pub fn serve(opts: &ServeOptions) -> Result<(), ServeError> {
    Server::launch(opts, true)?.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_shown_is_one_a_browser_here_can_open() {
        let at = |ip: IpAddr| url_for(SocketAddr::new(ip, 1111));
        assert_eq!(at(Ipv4Addr::LOCALHOST.into()), "http://127.0.0.1:1111");
        assert_eq!(at(Ipv4Addr::UNSPECIFIED.into()), "http://127.0.0.1:1111");
        assert_eq!(at(Ipv6Addr::UNSPECIFIED.into()), "http://[::1]:1111");
        assert_eq!(at(Ipv6Addr::LOCALHOST.into()), "http://[::1]:1111");
        assert_eq!(
            at(Ipv4Addr::new(192, 168, 1, 5).into()),
            "http://192.168.1.5:1111"
        );
        let defaults = ServeOptions::new("site");
        assert!(defaults.bind.is_loopback() && defaults.port == 1111 && !defaults.open);
    }
}
