//! `planpress editor`: the web app in which agencies fill in, check and
//! submit their plans, and the department reviews them (PLAN-FORMAT §11);
//! and `planpress users`, which manages its accounts.
//!
//! axum on a tokio runtime, as `serve`; every request's work (SQLite,
//! Argon2, reading, checking, writing and committing a plan) runs on
//! tokio's blocking threads, so a slow save never holds up another request.
//! Every answer carries the security headers (CSP without inline script,
//! no framing, no sniffing, no referrer); bodies are limited to
//! [`MAX_BODY`] and requests to [`MAX_TIME`].

mod accounts;
mod api;
mod form;
mod pages;
mod plans;
mod review;
mod users;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;

pub use users::{UsersCommand, users};

use crate::diag::{CommandError, Lang, tr};
use api::App;

/// Largest request body: a plan's JSON is a few tens of kilobytes.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// Largest upload (a filled workbook or Word plan, `…/upload`): a plan's
/// file is a few hundred kilobytes; pictures pasted into a Word plan can
/// make it a few megabytes.
pub(crate) const MAX_UPLOAD: usize = 10 * 1024 * 1024;
/// Longest time a request may take, reading its body included.
pub(crate) const MAX_TIME: Duration = Duration::from_secs(30);

/// How to run the editor.
#[derive(Clone, Debug)]
pub struct EditorOptions {
    /// The site's folder, inside a git work tree.
    pub root: PathBuf,
    /// Address to listen on (127.0.0.1 unless behind a proxy elsewhere).
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// The state folder (default `<root>/.planpress`).
    pub state: Option<PathBuf>,
    /// Mark the session cookie `Secure` (served over HTTPS).
    pub secure_cookies: bool,
}

impl EditorOptions {
    /// The defaults: 127.0.0.1:8080, state in `<root>/.planpress`.
    pub fn new(root: impl Into<PathBuf>) -> EditorOptions {
        EditorOptions {
            root: root.into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            state: None,
            secure_cookies: false,
        }
    }
}

/// Runs the editor until Ctrl+C.
pub fn editor(opts: &EditorOptions) -> Result<(), CommandError> {
    let started = std::time::Instant::now();
    let (frame, _) = crate::load::load_site_config(&opts.root).map_err(|e| {
        CommandError::usage(tr!(
            Lang::Vi,
            "--root {e}: không đọc được thư mục site.",
            "--root {e}: cannot read the site's folder."
        ))
    })?;
    let root = frame.root.clone();
    let lang = frame.site.lang();
    if let Err(e) = crate::git::Repo::open(&root) {
        return Err(CommandError::usage(e.message(lang)));
    }
    let state = accounts::state_dir(&root, opts.state.as_deref());
    let store = accounts::Store::open(&state, lang).map_err(|e| CommandError::failed(e.0))?;
    let app =
        Arc::new(App::new(root.clone(), store, opts.secure_cookies).map_err(CommandError::usage)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(64)
        .build()
        .map_err(|e| CommandError::failed(e.to_string()))?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(opts.bind, opts.port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            CommandError::failed(tr!(
                lang,
                "Không mở được cổng {addr}: {e}. Chọn cổng khác bằng --port.",
                "Cannot listen on {addr}: {e}. Choose another port with --port."
            ))
        })?;
        let local = listener
            .local_addr()
            .map_err(|e| CommandError::failed(e.to_string()))?;
        let ms = started.elapsed().as_millis();
        eprintln!(
            "{}",
            tr!(
                lang,
                "planpress editor: http://{local}/ (sẵn sàng sau {ms} ms; Ctrl+C để dừng)",
                "planpress editor: http://{local}/ (ready in {ms} ms; Ctrl+C to stop)"
            )
        );
        let router = Router::new().fallback(handle).with_state(app);
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| CommandError::failed(e.to_string()))
    })
}

/// The client's address for lockout: the peer, or the address a proxy on
/// this machine (nginx) says it forwards for. A remote peer cannot choose
/// the address it is counted under.
fn client_address(peer: SocketAddr, headers: &axum::http::HeaderMap) -> String {
    if peer.ip().is_loopback()
        && let Some(real) = headers
            .get("x-real-ip")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return real.to_string();
    }
    peer.ip().to_string()
}

fn security_headers(r: &mut Response, secure: bool) {
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::CACHE_CONTROL, "no-store");
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if secure {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
}

fn reply_response(reply: api::Reply) -> Response {
    let mut r = Response::new(match &reply.body {
        Some(v) => Body::from(serde_json::to_vec(v).unwrap_or_default()),
        None => Body::empty(),
    });
    *r.status_mut() = reply.status;
    if reply.body.is_some() {
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    for (k, v) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().append(k, v);
        }
    }
    r
}

fn plain_error(status: StatusCode, code: &str, message: String) -> Response {
    reply_response(api::Reply::error(status, code, message))
}

async fn handle(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let secure = app.secure_cookies;
    let lang = app.lang();
    let secs = MAX_TIME.as_secs();
    let mut r = match tokio::time::timeout(MAX_TIME, answer(app, peer, req)).await {
        Ok(r) => r,
        Err(_) => plain_error(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            tr!(
                lang,
                "Yêu cầu quá {secs} giây nên đã dừng; hãy thử lại.",
                "The request took over {secs} seconds and was stopped; try again."
            ),
        ),
    };
    security_headers(&mut r, secure);
    r
}

async fn answer(app: Arc<App>, peer: SocketAddr, req: Request) -> Response {
    let lang = app.lang();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let upload = parts.method == Method::POST && path.ends_with("/upload");
    let (limit, mib) = if upload {
        (MAX_UPLOAD, MAX_UPLOAD / 1024 / 1024)
    } else {
        (MAX_BODY, MAX_BODY / 1024 / 1024)
    };
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            let message = if upload {
                tr!(
                    lang,
                    "Tệp tải lên quá lớn (tối đa {mib} MiB). Một kế hoạch chỉ cần vài trăm KB: xóa hình ảnh và các trang tính không thuộc kế hoạch, lưu lại rồi tải lên.",
                    "The upload is too large ({mib} MiB at most). A plan needs a few hundred KB: remove pictures and sheets that are not part of it, save, and upload again."
                )
            } else {
                tr!(
                    lang,
                    "Dữ liệu gửi lên quá lớn (tối đa {mib} MiB). Chưa lưu gì; hãy quay lại trang trước, rút bớt nội dung rồi lưu lại.",
                    "The request is too large ({mib} MiB at most). Nothing was saved; go back, shorten it and save again."
                )
            };
            // A form posted by a browser gets a page it can show; the API
            // its JSON error.
            return if path.starts_with("/api/") {
                plain_error(StatusCode::PAYLOAD_TOO_LARGE, "too-large", message)
            } else {
                pages::message_page(StatusCode::PAYLOAD_TOO_LARGE, &message, lang)
            };
        }
    };
    // The HTML upload form (no JavaScript needed) sends multipart/form-data;
    // its fields are read here, on the async side, by multer.
    let form = if upload && !path.starts_with("/api/") {
        Some(multipart_fields(&parts.headers, body.clone()).await)
    } else {
        None
    };
    let address = client_address(peer, &parts.headers);
    let app2 = app.clone();
    let joined = tokio::task::spawn_blocking(move || {
        if path.starts_with("/api/") {
            let req = api::Request {
                method: &parts.method,
                path: &path,
                headers: &parts.headers,
                address,
                body: &body,
            };
            reply_response(app2.api(&req))
        } else if let Some(form) = form {
            pages::upload_post(&app2, &path, &parts.headers, address, form)
        } else if parts.method == Method::POST && path.starts_with("/plans/") {
            pages::plan_post(&app2, &path, &parts.headers, address, &body)
        } else if parts.method == Method::POST
            && matches!(path.as_str(), "/login" | "/logout" | "/password")
        {
            pages::form_post(&app2, &path, &parts.headers, &address, &body)
        } else if parts.method == Method::GET || parts.method == Method::HEAD {
            pages::page(&app2, &path, parts.uri.query(), &parts.headers)
        } else {
            plain_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method",
                tr!(
                    lang,
                    "Trang này chỉ đọc được (GET).",
                    "This page can only be read (GET)."
                ),
            )
        }
    })
    .await;
    joined.unwrap_or_else(|_| {
        plain_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            tr!(
                lang,
                "Lỗi bên trong máy chủ; chưa ghi gì. Hãy thử lại và báo quản trị viên.",
                "Internal server error; nothing was written. Try again and tell the administrator."
            ),
        )
    })
}

/// The fields of a `multipart/form-data` body: name and bytes, in order.
/// `None` when the body is not one (the page then says so).
async fn multipart_fields(
    headers: &axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Option<Vec<(String, Vec<u8>)>> {
    let ctype = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let boundary = multer::parse_boundary(ctype).ok()?;
    let constraints = multer::Constraints::new()
        .allowed_fields(vec!["csrf", "version", "file"])
        .size_limit(multer::SizeLimit::new().whole_stream(MAX_UPLOAD as u64));
    let mut form = multer::Multipart::with_reader_with_constraints(
        std::io::Cursor::new(body),
        boundary,
        constraints,
    );
    let mut out = Vec::new();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let bytes = field.bytes().await.ok()?;
                out.push((name, bytes.to_vec()));
            }
            Ok(None) => return Some(out),
            Err(_) => return None,
        }
    }
}
