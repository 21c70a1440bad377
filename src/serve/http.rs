//! The HTTP side of `serve`: maps a request path to a path of the site,
//! refuses anything that could leave it, serves from the cache or asks the
//! worker to render, injects the live-reload script into HTML, and streams
//! reload events (server-sent events) to open pages.

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::{oneshot, watch};

use super::errors::escape;
use super::watch::{Job, Reply, Served, Shared};
use crate::output::content_type;

/// The event stream of reloads.
pub(crate) const LIVE: &str = "/__planpress/live";
/// The script that listens to it.
pub(crate) const LIVE_JS: &str = "/__planpress/live.js";
const SCRIPT: &str = include_str!("live.js");
/// Longest request path looked at.
const MAX_PATH: usize = 2048;

/// What every request handler shares.
pub(crate) struct App {
    /// What the worker last published: the build, the cache, the error page.
    pub(crate) shared: Arc<Shared>,
    /// Render requests to the worker.
    pub(crate) jobs: mpsc::Sender<Job>,
    /// The current build, for the event stream.
    pub(crate) live: watch::Receiver<Arc<str>>,
    /// Accept any `Host` header (bound beyond loopback on purpose).
    pub(crate) any_host: bool,
}

/// The router: every path goes through [`handle`].
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

fn percent_decode(raw: &str) -> Option<Vec<u8>> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The site path a request path asks for (`/` and `/2019/` are their
/// `index.html`; `/2019` stays `2019`, which the worker redirects), or
/// `None` when the path cannot be inside the site: `..` or `.` segments,
/// hidden names, empty segments (`//etc`), backslashes, drive letters,
/// control characters (NUL), bad escapes or bad UTF-8, encoded or not.
pub(crate) fn site_key(raw: &str) -> Option<String> {
    if raw.len() > MAX_PATH {
        return None;
    }
    let decoded = String::from_utf8(percent_decode(raw)?).ok()?;
    let rest = decoded.strip_prefix('/')?;
    if rest
        .chars()
        .any(|c| c.is_control() || matches!(c, '\\' | ':' | '%'))
    {
        return None;
    }
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    for (i, s) in segments.iter().enumerate() {
        if s.is_empty() && i != last || s.starts_with('.') {
            return None;
        }
    }
    if rest.is_empty() || rest.ends_with('/') {
        Some(format!("{rest}index.html"))
    } else {
        Some(rest.to_string())
    }
}

/// Whether the `Host` header names this machine: a name under `localhost`
/// or an IP address. A web page elsewhere whose name is made to resolve to
/// 127.0.0.1 (DNS rebinding) cannot read the preview.
fn host_allowed(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else {
        return true; // HTTP/1.0 without Host: not a browser
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = if let Some(v6) = host.strip_prefix('[') {
        match v6.split_once(']') {
            Some((ip, _)) => return ip.parse::<std::net::Ipv6Addr>().is_ok(),
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.parse::<IpAddr>().is_ok()
}

/// Position of the last `</body>` (any case).
fn body_end(html: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"</body>";
    (0..=html.len().checked_sub(TAG.len())?)
        .rev()
        .find(|&i| html[i..i + TAG.len()].eq_ignore_ascii_case(TAG))
}

/// `html` with the live-reload script before `</body>` (or at the end).
pub(crate) fn inject(html: &[u8], build: &str) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{LIVE_JS}\" data-planpress-build=\"{}\"></script>\n",
        escape(build)
    );
    let at = body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn with_headers(status: StatusCode, ctype: &'static str, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    // A preview must never show yesterday's page or stylesheet.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// A file of the site; HTML gets the live-reload script.
fn file(status: StatusCode, path: &str, bytes: &Bytes, build: &str) -> Response {
    let ctype = content_type(path);
    let body = if ctype.starts_with("text/html") {
        Body::from(inject(bytes, build))
    } else {
        Body::from(bytes.clone())
    };
    with_headers(status, ctype, body)
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    with_headers(status, "text/plain; charset=utf-8", Body::from(text))
}

/// The response for what the worker or the cache gave.
fn respond(reply: Reply, raw_path: &str, query: Option<&str>) -> Response {
    let build = &*reply.build;
    match reply.served {
        Served::File(path, bytes) => file(StatusCode::OK, &path, &bytes, build),
        Served::NotFound(bytes) => file(StatusCode::NOT_FOUND, "404.html", &bytes, build),
        // The page cannot be built: 500 says so to any tool (a link
        // checker, `curl -f`), while a browser shows the page all the same.
        Served::Broken(bytes) => file(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error.html",
            &bytes,
            build,
        ),
        Served::Redirect => {
            let location = match query {
                Some(q) => format!("{raw_path}/?{q}"),
                None => format!("{raw_path}/"),
            };
            let mut r = with_headers(
                StatusCode::FOUND,
                "text/plain; charset=utf-8",
                Body::from(location.clone()),
            );
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
    }
}

async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "GET, HEAD\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if !app.any_host && !host_allowed(req.headers()) {
        return plain(
            StatusCode::FORBIDDEN,
            "planpress serve: open the preview at http://127.0.0.1 or http://localhost.\n",
        );
    }
    let path = req.uri().path();
    if path == LIVE {
        return live(&app);
    }
    if path == LIVE_JS {
        return with_headers(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            Body::from(SCRIPT),
        );
    }
    let Some(key) = site_key(path) else {
        return respond(app.shared.not_found(), path, None);
    };
    if let Some(reply) = app.shared.lookup(&key) {
        return respond(reply, path, req.uri().query());
    }
    let (tx, rx) = oneshot::channel();
    let asked = app.jobs.send(Job::Render { key, reply: tx });
    if asked.is_err() {
        return stopping();
    }
    match tokio::time::timeout(RENDER_TIMEOUT, rx).await {
        Ok(Ok(reply)) => respond(reply, path, req.uri().query()),
        Ok(Err(_)) => stopping(),
        Err(_) => {
            let mut r = plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "planpress serve: trang này dựng quá lâu; thử tải lại sau ít giây. \
                 This page takes too long to render; reload in a few seconds.\n",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            r
        }
    }
}

/// How long a request waits for its page: a page that takes longer (or
/// waits behind one that does) gets 503 and a retry hint instead of
/// holding the browser, and the connection, for ever.
const RENDER_TIMEOUT: Duration = Duration::from_secs(15);

fn stopping() -> Response {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "planpress serve is stopping.\n",
    )
}

/// The stream of builds: `hello` with the current one on connecting, then
/// `reload` with each new one. A page reloads when the build differs from
/// the one it was rendered from.
fn live(app: &App) -> Response {
    let live = app.live.clone();
    let stream = futures_util::stream::unfold((live, true), |(mut live, first)| async move {
        if !first && live.changed().await.is_err() {
            return None; // the worker stopped: end the stream, let shutdown finish
        }
        let build = live.borrow_and_update().clone();
        let event = if first {
            Event::default()
                .event("hello")
                .retry(Duration::from_millis(1000))
        } else {
            Event::default().event("reload")
        };
        Some((Ok::<_, Infallible>(event.data(&*build)), (live, false)))
    });
    let mut r = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn paths_map_to_site_paths() {
        let k = |p: &str| site_key(p);
        assert_eq!(k("/").as_deref(), Some("index.html"));
        assert_eq!(k("/2019/").as_deref(), Some("2019/index.html"));
        assert_eq!(k("/2019").as_deref(), Some("2019"));
        assert_eq!(
            k("/2019/so-tttt/").as_deref(),
            Some("2019/so-tttt/index.html")
        );
        assert_eq!(k("/static/style.css").as_deref(), Some("static/style.css"));
        assert_eq!(
            k("/2019/data/ke-ho%61ch-2019.xlsx").as_deref(),
            Some("2019/data/ke-hoach-2019.xlsx")
        );
        assert_eq!(k("/%C4%91%E1%BB%8Bnh/").as_deref(), Some("định/index.html"));
    }

    #[test]
    fn nothing_outside_the_site_is_reachable() {
        for p in [
            "/../etc/passwd",
            "/..",
            "/2019/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/2019/%2e%2e/%2e%2e/x",
            "/.%2e/x",
            "/..%5c..%5cwindows",
            "/..\\..\\windows",
            "/static\\style.css",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/C:/Windows/win.ini",
            "/c%3a/x",
            "/index.html%00.css",
            "/x\0y",
            "/%ff%fe",
            "/%zz",
            "/%",
            "/.git/config",
            "/./index.html",
            "/%252e%252e/x",
            "relative",
            "",
        ] {
            assert_eq!(site_key(p), None, "{p:?}");
        }
        assert_eq!(site_key(&format!("/{}", "a".repeat(MAX_PATH))), None);
    }

    #[test]
    fn content_types() {
        for (p, t) in [
            ("index.html", "text/html; charset=utf-8"),
            ("favicon.svg", "image/svg+xml"),
            ("static/style.css", "text/css; charset=utf-8"),
            ("static/search.js", "text/javascript; charset=utf-8"),
            ("2019/data/plan.json", "application/json"),
            ("2019/data/projects.csv", "text/csv; charset=utf-8"),
            (
                "2019/data/ke-hoach-2019.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("x.bin", "application/octet-stream"),
            ("README", "application/octet-stream"),
        ] {
            assert_eq!(content_type(p), t, "{p}");
        }
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let out = inject(b"<html><body><p>x</p></BODY>\n</html>", "a\"b");
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "<html><body><p>x</p><script src=\"/__planpress/live.js\" data-planpress-build=\"a&quot;b\"></script>\n</BODY>\n</html>"
        );
        let out = String::from_utf8(inject(b"<p>no body", "1")).unwrap();
        assert!(out.starts_with("<p>no body<script"));
        assert!(
            String::from_utf8(inject(b"", "1"))
                .unwrap()
                .starts_with("<script")
        );
    }

    #[test]
    fn only_local_host_names_are_served() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, HeaderValue::from_str(v).unwrap());
            host_allowed(&m)
        };
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST",
            "preview.localhost:80",
            "[::1]:1111",
            "192.168.1.5:1111",
            "localhost.",
        ] {
            assert!(h(ok), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "localhost.evil.example",
            "[::1",
            "127.0.0.1.nip.io",
        ] {
            assert!(!h(bad), "{bad}");
        }
        assert!(host_allowed(&HeaderMap::new()));
    }
}
