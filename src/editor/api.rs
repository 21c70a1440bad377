//! The JSON API of PLAN-FORMAT §11. Every request goes through [`App::api`]
//! on a blocking thread: the session is looked up and the account's rights
//! checked on the server for each one, whatever the page or the JSON sent.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use axum::http::{HeaderMap, Method, StatusCode, header};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::accounts::{Account, Login, Session, StateError, Store, password_problem};
use super::plans::{self, Current};
use crate::diag::{Diagnostic, Lang, Severity, tr};
use crate::load;
use crate::model::{Site, Standing, Status};
use crate::plan_doc::{PlanDoc, Sections, write_plan_file};

/// Name of the session cookie.
pub(crate) const COOKIE: &str = "planpress_session";

/// An answer: status, JSON body, and headers to add.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(header::HeaderName, String)>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub(crate) fn error(status: StatusCode, code: &str, message: String) -> Reply {
        Reply {
            status,
            body: Some(json!({"error": {"code": code, "message": message}})),
            headers: Vec::new(),
        }
    }

    /// Adds `key: value` beside `error` in the body.
    fn with(mut self, key: &str, value: Value) -> Reply {
        if let Some(Value::Object(map)) = &mut self.body {
            map.insert(key.to_string(), value);
        }
        self
    }
}

/// What the editor needs of the site, reloaded when a configuration file or
/// a cycle's `_plan.md` changes on disk (a `git pull`, the department's edit).
struct Frame {
    site: Arc<Site>,
    stamp: Vec<Option<SystemTime>>,
}

/// Everything the handlers share.
pub(crate) struct App {
    pub(crate) root: PathBuf,
    frame: RwLock<Frame>,
    pub(crate) store: Mutex<Store>,
    /// One write (version check, file, commit) at a time *per plan*: the
    /// check and the write of one file must not interleave, but saves of
    /// different plans need not wait for each other (the commit itself
    /// retries when another one moved HEAD first, see [`plans::commit`]).
    plan_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    pub(crate) secure_cookies: bool,
    /// The review page's rows, until the plans change.
    pub(crate) status: Mutex<super::review::StatusCache>,
}

/// The request as the API sees it.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) address: String,
    pub(crate) body: &'a [u8],
}

fn stamp(root: &std::path::Path) -> Vec<Option<SystemTime>> {
    let mtime = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let content = root.join("content");
    let mut out = vec![
        mtime(content.clone()),
        mtime(content.join("site.yaml")),
        mtime(content.join("agencies.yaml")),
        mtime(content.join("catalog.yaml")),
    ];
    if let Ok(dir) = std::fs::read_dir(&content) {
        let mut years: Vec<PathBuf> = dir.flatten().map(|e| e.path()).collect();
        years.sort();
        for y in years {
            out.push(mtime(y.join("_plan.md")));
            out.push(mtime(y.join("catalog.yaml")));
        }
    }
    out
}

/// Today in Việt Nam (UTC+7 all year): the date a submission carries.
pub(crate) fn today_vn() -> NaiveDate {
    let secs = super::accounts::now() + 7 * 3600;
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

/// The objects of `check --format json` for `diags`.
pub(crate) fn diagnostics_json(diags: &[Diagnostic]) -> Value {
    Value::Array(
        diags
            .iter()
            .map(|d| {
                json!({
                    "severity": d.severity().as_str(),
                    "code": d.code.as_str(),
                    "file": d.file,
                    "line": d.pos.line,
                    "column": d.pos.col,
                    "message": d.full_message(),
                })
            })
            .collect(),
    )
}

/// [`diagnostics_json`] with each diagnostic's JSON path (`path`) in the
/// plan text it was found in, for the forms.
pub(crate) fn diagnostics_with_paths(diags: &[Diagnostic], text: &str) -> Value {
    let paths = plans::paths_of(text);
    let mut v = diagnostics_json(diags);
    if let Value::Array(items) = &mut v {
        for (item, d) in items.iter_mut().zip(diags) {
            if let (Some(p), Value::Object(m)) =
                (plans::path_at(&paths, d.pos.line, d.pos.col), item)
            {
                m.insert("path".into(), json!(p));
            }
        }
    }
    v
}

fn errors(diags: &[Diagnostic]) -> usize {
    diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count()
}

/// A cookie's value from the `Cookie` header.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Compares two tokens in time that does not depend on where they differ.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A version from `If-Match`, with or without the quotes of an ETag.
fn header_version(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    Some(v.trim_matches('"').to_string())
}

/// `[a-z0-9-]+`, short: the only agency text that becomes part of a path.
fn plain_code(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    login: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveBody {
    plan: PlanDoc,
    #[serde(default)]
    sections: Sections,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReturnBody {
    comment: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    current: String,
    new: String,
}

/// What a plan request names, once checked.
struct Target {
    year: i32,
    agency: String,
}

/// The actions on a plan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Submit,
    Return,
    Approve,
}

impl App {
    pub(crate) fn new(root: PathBuf, store: Store, secure_cookies: bool) -> Result<App, String> {
        let loaded = load::load_frame(&root).map_err(|e| e.to_string())?;
        Ok(App {
            frame: RwLock::new(Frame {
                stamp: stamp(&loaded.root),
                site: Arc::new(loaded.site),
            }),
            root: loaded.root,
            store: Mutex::new(store),
            plan_locks: Mutex::default(),
            secure_cookies,
            status: Mutex::default(),
        })
    }

    /// The lock of one plan's file.
    fn plan_lock(&self, t: &Target) -> Arc<Mutex<()>> {
        let mut locks = self
            .plan_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks
            .entry(plans::rel(t.year, &t.agency))
            .or_default()
            .clone()
    }

    /// The site's configuration and cycles, reloaded when changed on disk.
    pub(crate) fn site(&self) -> Arc<Site> {
        let now = stamp(&self.root);
        if let Ok(f) = self.frame.read()
            && f.stamp == now
        {
            return f.site.clone();
        }
        match load::load_frame(&self.root) {
            Ok(loaded) => {
                let site = Arc::new(loaded.site);
                if let Ok(mut f) = self.frame.write() {
                    *f = Frame {
                        site: site.clone(),
                        stamp: now,
                    };
                }
                site
            }
            Err(_) => self
                .frame
                .read()
                .map(|f| f.site.clone())
                .unwrap_or_default(),
        }
    }

    pub(crate) fn lang(&self) -> Lang {
        self.site().lang()
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while holding the store cannot leave SQLite inconsistent
        // (each statement is atomic), so a poisoned lock is still usable.
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn state_error(&self, e: StateError) -> Reply {
        Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "state", e.0)
    }

    /// The session of the request's cookie, if live.
    pub(crate) fn session_of(&self, headers: &HeaderMap) -> Result<Option<Session>, StateError> {
        match cookie(headers, COOKIE) {
            Some(token) => self.store().session(token),
            None => Ok(None),
        }
    }

    pub(crate) fn set_cookie(&self, token: &str, max_age: Option<i64>) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        let age = max_age
            .map(|a| format!("; Max-Age={a}"))
            .unwrap_or_default();
        format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}{age}")
    }

    /// Answers one `/api/` request.
    pub(crate) fn api(&self, req: &Request<'_>) -> Reply {
        let lang = self.lang();
        let parts: Vec<&str> = req
            .path
            .trim_start_matches("/api/")
            .trim_end_matches('/')
            .split('/')
            .collect();
        if parts == ["session"] && req.method == Method::POST {
            return self.login(req, lang);
        }
        let session = match self.session_of(req.headers) {
            Ok(Some(s)) => s,
            Ok(None) => {
                return Reply::error(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    tr!(
                        lang,
                        "Chưa đăng nhập, hoặc phiên đã hết hạn. Hãy đăng nhập lại; những gì đang gõ trên trang vẫn còn.",
                        "Not logged in, or the session has expired. Log in again; what you typed on the page is still there."
                    ),
                );
            }
            Err(e) => return self.state_error(e),
        };
        let changes = *req.method != Method::GET && *req.method != Method::HEAD;
        if changes {
            let sent = req
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same_token(sent, &session.csrf) {
                return Reply::error(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    tr!(
                        lang,
                        "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token). Hãy tải lại trang rồi thử lại.",
                        "The anti-forgery token (X-CSRF-Token) is missing or wrong. Reload the page and try again."
                    ),
                );
            }
        }
        match (req.method, parts.as_slice()) {
            (&Method::DELETE, ["session"]) => {
                if let Some(token) = cookie(req.headers, COOKIE)
                    && let Err(e) = self.store().logout(token)
                {
                    return self.state_error(e);
                }
                Reply {
                    status: StatusCode::NO_CONTENT,
                    body: None,
                    headers: vec![(header::SET_COOKIE, self.set_cookie("", Some(0)))],
                }
            }
            (&Method::GET, ["session"]) => Reply::ok(session_json(&session)),
            (&Method::POST, ["password"]) => self.change_password(req, &session, lang),
            _ if session.account.must_change => Reply::error(
                StatusCode::FORBIDDEN,
                "password-change-required",
                tr!(
                    lang,
                    "Mật khẩu này chỉ dùng một lần: hãy đặt mật khẩu mới trước (POST /api/password).",
                    "This password is for one use only: set a new password first (POST /api/password)."
                ),
            ),
            (&Method::GET, ["cycles", year, "status"]) => {
                self.cycle_status(&session.account, year, lang)
            }
            (m, ["plans", year, agency, rest @ ..]) => {
                let target = match self.target(year, agency, lang) {
                    Ok(t) => t,
                    Err(r) => return r,
                };
                match (m, rest) {
                    (&Method::GET, []) => self.read_plan(&session.account, &target, lang),
                    (&Method::PUT, []) => self.save(req, &session.account, &target, lang),
                    (&Method::POST, ["check"]) => {
                        self.live_check(req, &session.account, &target, lang)
                    }
                    (&Method::POST, ["submit"]) => {
                        self.act(req, &session.account, &target, Action::Submit, lang)
                    }
                    (&Method::POST, ["return"]) => {
                        self.act(req, &session.account, &target, Action::Return, lang)
                    }
                    (&Method::POST, ["approve"]) => {
                        self.act(req, &session.account, &target, Action::Approve, lang)
                    }
                    (&Method::POST, ["upload"]) => {
                        self.upload(req, &session.account, &target, lang)
                    }
                    _ => not_found(lang),
                }
            }
            _ => not_found(lang),
        }
    }

    fn login(&self, req: &Request<'_>, lang: Lang) -> Reply {
        let body: LoginBody = match parse(req.body, lang) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let outcome = self
            .store()
            .login(body.login.trim(), &body.password, &req.address);
        match outcome {
            Err(e) => self.state_error(e),
            Ok(Login::Bad) => Reply::error(
                StatusCode::UNAUTHORIZED,
                "bad-credentials",
                tr!(
                    lang,
                    "Sai tên đăng nhập hoặc mật khẩu (hoặc tài khoản đã bị khóa). Sau 5 lần sai trong 15 phút, việc đăng nhập tạm bị chặn.",
                    "Wrong login or password (or the account is disabled). After 5 failures in 15 minutes, logging in is blocked for a while."
                ),
            ),
            Ok(Login::Locked) => {
                let mut r = Reply::error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "locked",
                    tr!(
                        lang,
                        "Đã sai quá 5 lần trong 15 phút: hãy đợi 15 phút rồi thử lại, hoặc nhờ quản trị viên đặt lại mật khẩu.",
                        "More than 5 failures in 15 minutes: wait 15 minutes and try again, or ask the administrator to reset the password."
                    ),
                );
                r.headers.push((header::RETRY_AFTER, "900".into()));
                r
            }
            Ok(Login::Ok { token, session }) => {
                let mut r = Reply::ok(session_json(&session));
                r.headers
                    .push((header::SET_COOKIE, self.set_cookie(&token, None)));
                r
            }
        }
    }

    fn change_password(&self, req: &Request<'_>, session: &Session, lang: Lang) -> Reply {
        let body: PasswordBody = match parse(req.body, lang) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let login = &session.account.login;
        let store = self.store();
        match store.verify(login, &body.current) {
            Ok(true) => {}
            Ok(false) => {
                return Reply::error(
                    StatusCode::FORBIDDEN,
                    "bad-credentials",
                    tr!(
                        lang,
                        "Mật khẩu hiện tại không đúng.",
                        "The current password is wrong."
                    ),
                );
            }
            Err(e) => return self.state_error(e),
        }
        if let Some(problem) = password_problem(&body.new, login, lang) {
            return Reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "weak-password",
                problem.clone(),
            )
            .with("diagnostics", json!([{"path": "new", "message": problem}]));
        }
        let keep = cookie(req.headers, COOKIE);
        match store.set_password(login, &body.new, false, keep) {
            Ok(_) => Reply {
                status: StatusCode::NO_CONTENT,
                body: None,
                headers: Vec::new(),
            },
            Err(e) => self.state_error(e),
        }
    }

    /// Checks a plan URL's year and agency: a cycle that exists, an agency
    /// of `agencies.yaml`. Nothing else of the URL reaches a path.
    fn target(&self, year: &str, agency: &str, lang: Lang) -> Result<Target, Reply> {
        let site = self.site();
        let year_ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
        let year_n: Option<i32> = year_ok.then(|| year.parse().ok()).flatten();
        let Some(year_n) = year_n.filter(|y| site.cycles.iter().any(|c| c.year == *y)) else {
            return Err(Reply::error(
                StatusCode::NOT_FOUND,
                "no-cycle",
                tr!(
                    lang,
                    "Không có kỳ kế hoạch {year} (thiếu content/{year}/_plan.md).",
                    "There is no cycle {year} (no content/{year}/_plan.md)."
                ),
            ));
        };
        if !plain_code(agency) || site.agency(agency).is_none() {
            return Err(Reply::error(
                StatusCode::NOT_FOUND,
                "no-agency",
                tr!(
                    lang,
                    "Không có cơ quan `{agency}` trong content/agencies.yaml.",
                    "There is no agency `{agency}` in content/agencies.yaml."
                ),
            ));
        }
        if let Some(why) = not_standing(&site, agency, year_n, lang) {
            return Err(Reply::error(StatusCode::NOT_FOUND, "not-in-cycle", why));
        }
        Ok(Target {
            year: year_n,
            agency: agency.to_string(),
        })
    }

    /// A plan as `GET /api/plans/<year>/<agency>` answers it, for the pages.
    pub(crate) fn read_for(&self, session: &Session, year: &str, agency: &str) -> Reply {
        let lang = self.lang();
        match self.target(year, agency, lang) {
            Ok(t) => self.read_plan(&session.account, &t, lang),
            Err(r) => r,
        }
    }

    /// Why `session` may not change the plan of `agency` in `year` (the
    /// answer a save would get), or `None` when it may.
    pub(crate) fn edit_refusal(
        &self,
        session: &Session,
        year: &str,
        agency: &str,
    ) -> Option<Reply> {
        let lang = self.lang();
        match self.target(year, agency, lang) {
            Ok(t) => self.may_edit(&session.account, &t, lang),
            Err(r) => Some(r),
        }
    }

    fn may_read(account: &Account, agency: &str) -> bool {
        account.role.reviews() || account.agency.as_deref() == Some(agency)
    }

    fn forbidden(lang: Lang, agency: &str) -> Reply {
        Reply::error(
            StatusCode::FORBIDDEN,
            "forbidden",
            tr!(
                lang,
                "Tài khoản này không được làm việc với kế hoạch của cơ quan `{agency}`.",
                "This account may not work on the plan of agency `{agency}`."
            ),
        )
    }

    fn read_current(&self, t: &Target, lang: Lang) -> Result<Current, Reply> {
        plans::read(&self.root, t.year, &t.agency).map_err(|e| {
            let rel = plans::rel(t.year, &t.agency);
            Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "read",
                tr!(
                    lang,
                    "Không đọc được {rel}: {e}.",
                    "Cannot read {rel}: {e}."
                ),
            )
        })
    }

    fn read_plan(&self, account: &Account, t: &Target, lang: Lang) -> Reply {
        if !Self::may_read(account, &t.agency) {
            return Self::forbidden(lang, &t.agency);
        }
        let current = match self.read_current(t, lang) {
            Ok(c) => c,
            Err(r) => return r,
        };
        let site = self.site();
        let review = self.store().review(t.year, &t.agency).ok().flatten();
        let review = review.map_or(
            Value::Null,
            |(comment, by, at)| json!({"comment": comment, "by": by, "at": at}),
        );
        let Some(text) = &current.text else {
            let (doc, sections, prefilled) = prefill(&self.root, &site, t);
            return Reply::ok(json!({
                "version": Value::Null,
                "note": doc.comment,
                "plan": doc,
                "sections": sections,
                "diagnostics": [],
                "prefilled": prefilled,
                "review": review,
            }));
        };
        let checked = plans::check_text(&site, t.year, &t.agency, text);
        let (plan, sections) = match plans::editable(&checked, text) {
            Some((d, s)) => (json!(d), json!(s)),
            None => (Value::Null, Value::Null),
        };
        let mut r = Reply::ok(json!({
            "version": current.version,
            "plan": plan,
            "sections": sections,
            "diagnostics": diagnostics_with_paths(&checked.diagnostics, text),
            "review": review,
        }));
        if let Some(v) = current.version {
            r.headers.push((header::ETAG, format!("\"{v}\"")));
        }
        r
    }

    /// The `{plan, sections}` of a save or a live check, as the file it
    /// would write; 422 with the JSON path when a value has the wrong shape.
    fn parse_save(
        &self,
        req: &Request<'_>,
        t: &Target,
        existing: Option<&str>,
        lang: Lang,
    ) -> Result<(PlanDoc, String), Reply> {
        let mut body: SaveBody = parse(req.body, lang)?;
        let mut wrong = Vec::new();
        if body.plan.agency != t.agency {
            wrong.push(("plan.agency", t.agency.clone()));
        }
        if body.plan.year != t.year {
            wrong.push(("plan.year", t.year.to_string()));
        }
        if let Some((path, want)) = wrong.first() {
            let message = tr!(
                lang,
                "{path} phải là {want}, như trong địa chỉ của kế hoạch.",
                "{path} must be {want}, as in the plan's address."
            );
            return Err(
                Reply::error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message.clone())
                    .with("diagnostics", json!([{"path": path, "message": message}])),
            );
        }
        // Status changes only through submit, return and approve.
        body.plan.status = "draft".into();
        body.plan.submitted = None;
        body.plan.name_unnamed_projects();
        let existing_body = existing.and_then(|text| {
            let mut sink = crate::diag::Sink::new(lang, "", false);
            load::source::split_front_matter(text, &mut sink).map(|s| s.body)
        });
        let text = write_plan_file(&body.plan, &body.sections, existing_body);
        Ok((body.plan, text))
    }

    fn live_check(&self, req: &Request<'_>, account: &Account, t: &Target, lang: Lang) -> Reply {
        if !Self::may_read(account, &t.agency) {
            return Self::forbidden(lang, &t.agency);
        }
        let current = match self.read_current(t, lang) {
            Ok(c) => c,
            Err(r) => return r,
        };
        let (_, text) = match self.parse_save(req, t, current.text.as_deref(), lang) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let checked = plans::check_text(&self.site(), t.year, &t.agency, &text);
        Reply::ok(json!({"diagnostics": diagnostics_with_paths(&checked.diagnostics, &text)}))
    }

    fn precondition(&self, req: &Request<'_>, current: &Current, lang: Lang) -> Option<Reply> {
        let stale = |version: &Option<String>| {
            Reply::error(
                StatusCode::PRECONDITION_FAILED,
                "stale",
                tr!(
                    lang,
                    "Kế hoạch đã được người khác thay đổi từ khi bạn mở nó; chưa ghi gì. Những gì bạn gõ vẫn còn trên trang: hãy mở bản mới ở thẻ khác, so sánh, rồi lưu lại.",
                    "The plan was changed by someone else since you opened it; nothing was written. What you typed is still on the page: open the new version in another tab, compare, and save again."
                ),
            )
            .with("version", json!(version))
        };
        if let Some(want) = header_version(req.headers, header::IF_MATCH) {
            if current.version.as_deref() != Some(want.as_str()) && want != "*" {
                return Some(stale(&current.version));
            }
            if want == "*" && current.version.is_none() {
                return Some(stale(&current.version));
            }
            return None;
        }
        if header_version(req.headers, header::IF_NONE_MATCH).as_deref() == Some("*") {
            return current.version.is_some().then(|| stale(&current.version));
        }
        Some(Reply::error(
            StatusCode::PRECONDITION_REQUIRED,
            "version-required",
            tr!(
                lang,
                "Cần tiêu đề If-Match với phiên bản đang sửa (hoặc If-None-Match: * để tạo mới), để không ghi đè thay đổi của người khác.",
                "An If-Match header with the version being edited (or If-None-Match: * to create) is needed, so that nobody's change is overwritten."
            ),
        ))
    }

    fn not_draft(lang: Lang, status: &str) -> Reply {
        let status = status_label(status, lang);
        Reply::error(
            StatusCode::CONFLICT,
            "not-draft",
            tr!(
                lang,
                "Kế hoạch đang ở trạng thái “{status}” nên không sửa được. Nếu cần sửa, hãy đề nghị Sở trả lại kế hoạch.",
                "The plan is “{status}” and cannot be changed. If it needs changes, ask the department to return it."
            ),
        )
    }

    fn may_edit(&self, account: &Account, t: &Target, lang: Lang) -> Option<Reply> {
        if !account.edits(&t.agency) {
            return Some(Self::forbidden(lang, &t.agency));
        }
        let site = self.site();
        let closed = site
            .cycles
            .iter()
            .find(|c| c.year == t.year)
            .is_some_and(cycle_closed);
        closed.then(|| {
            let year = t.year;
            Reply::error(
                StatusCode::CONFLICT,
                "closed",
                tr!(
                    lang,
                    "Kỳ kế hoạch {year} đã đóng: không nhận thay đổi nữa. Liên hệ Sở nếu cần mở lại.",
                    "Cycle {year} is closed and takes no more changes. Contact the department to reopen it."
                ),
            )
        })
    }

    fn save(&self, req: &Request<'_>, account: &Account, t: &Target, lang: Lang) -> Reply {
        if let Some(r) = self.may_edit(account, t, lang) {
            return r;
        }
        let lock = self.plan_lock(t);
        let _guard = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = match self.read_current(t, lang) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if let Some(r) = self.precondition(req, &current, lang) {
            return r;
        }
        let site = self.site();
        if let Some(text) = &current.text {
            let status = plans::check_text(&site, t.year, &t.agency, text)
                .plan
                .map(|p| p.status.value);
            if let Some(s) = status.filter(|s| *s != Status::Draft) {
                return Self::not_draft(lang, status_id(s));
            }
        }
        let (_, text) = match self.parse_save(req, t, current.text.as_deref(), lang) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let verb = if current.text.is_some() {
            "Cập nhật"
        } else {
            "Tạo"
        };
        self.write_and_commit(&site, account, t, &text, verb, None, lang)
    }

    #[allow(clippy::too_many_arguments)]
    fn write_and_commit(
        &self,
        site: &Site,
        account: &Account,
        t: &Target,
        text: &str,
        verb: &str,
        extra: Option<&str>,
        lang: Lang,
    ) -> Reply {
        let rel = plans::rel(t.year, &t.agency);
        if let Err(e) = plans::write_atomic(&self.root, &rel, text, lang) {
            return Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "write", e.0);
        }
        let name = site
            .agency(&t.agency)
            .map_or(t.agency.as_str(), |a| a.name.as_str());
        let mut message = format!(
            "{verb} kế hoạch {year} của {name} ({agency})\n\nQua planpress editor, tài khoản {login}.\n",
            year = t.year,
            agency = t.agency,
            login = account.login
        );
        if let Some(extra) = extra {
            message.push('\n');
            message.push_str(extra);
            message.push('\n');
        }
        let email = account
            .email
            .clone()
            .unwrap_or_else(|| format!("{}@planpress.invalid", account.login));
        if let Err(e) = plans::commit(&self.root, &rel, account.display_name(), &email, &message) {
            let e = e.message().to_string();
            return Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "commit",
                tr!(
                    lang,
                    "Đã ghi {rel} nhưng không commit được vào git: {e}. Tệp đã lưu không mất; báo quản trị viên để commit bằng tay.",
                    "{rel} was written but could not be committed to git: {e}. The saved file is not lost; ask the administrator to commit it by hand."
                ),
            );
        }
        let version = plans::version_of(text.as_bytes());
        let checked = plans::check_text(site, t.year, &t.agency, text);
        let mut r = Reply::ok(json!({
            "version": version,
            "diagnostics": diagnostics_with_paths(&checked.diagnostics, text),
        }));
        r.headers.push((header::ETAG, format!("\"{version}\"")));
        r
    }

    fn act(
        &self,
        req: &Request<'_>,
        account: &Account,
        t: &Target,
        action: Action,
        lang: Lang,
    ) -> Reply {
        let allowed = match action {
            Action::Submit => self.may_edit(account, t, lang),
            Action::Return | Action::Approve => {
                (!account.role.reviews()).then(|| Self::forbidden(lang, &t.agency))
            }
        };
        if let Some(r) = allowed {
            return r;
        }
        let comment = if action == Action::Return {
            match parse::<ReturnBody>(req.body, lang) {
                Ok(b) if !b.comment.trim().is_empty() => Some(b.comment.trim().to_string()),
                Ok(_) => {
                    let m = tr!(
                        lang,
                        "Hãy ghi lý do trả lại, để cơ quan biết cần sửa gì.",
                        "Write why the plan is returned, so the agency knows what to fix."
                    );
                    return Reply::error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m.clone())
                        .with("diagnostics", json!([{"path": "comment", "message": m}]));
                }
                Err(r) => return r,
            }
        } else {
            None
        };
        let lock = self.plan_lock(t);
        let _guard = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = match self.read_current(t, lang) {
            Ok(c) => c,
            Err(r) => return r,
        };
        let Some(text) = &current.text else {
            return Reply::error(
                StatusCode::CONFLICT,
                "no-plan",
                tr!(
                    lang,
                    "Cơ quan chưa có kế hoạch: hãy lưu bản nháp trước.",
                    "The agency has no plan yet: save a draft first."
                ),
            );
        };
        if let Some(want) = header_version(req.headers, header::IF_MATCH)
            && current.version.as_deref() != Some(want.as_str())
        {
            return Reply::error(
                StatusCode::PRECONDITION_FAILED,
                "stale",
                tr!(
                    lang,
                    "Kế hoạch đã thay đổi từ khi bạn mở nó; chưa làm gì. Hãy tải lại trang.",
                    "The plan changed since you opened it; nothing was done. Reload the page."
                ),
            )
            .with("version", json!(current.version));
        }
        let site = self.site();
        let checked = plans::check_text(&site, t.year, &t.agency, text);
        let Some(plan) = &checked.plan else {
            return Reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                tr!(
                    lang,
                    "Tệp kế hoạch không đọc được; sửa các lỗi trước.",
                    "The plan file cannot be read; fix its errors first."
                ),
            )
            .with("diagnostics", diagnostics_json(&checked.diagnostics));
        };
        let status = plan.status.value;
        let want_from = match action {
            Action::Submit => Status::Draft,
            Action::Return | Action::Approve => Status::Submitted,
        };
        if status != want_from {
            let label = status_label(status_id(status), lang);
            let message = match action {
                Action::Submit => return Self::not_draft(lang, status_id(status)),
                _ => tr!(
                    lang,
                    "Chỉ trả lại hoặc duyệt được kế hoạch đã nộp; kế hoạch này đang “{label}”.",
                    "Only a submitted plan can be returned or approved; this one is “{label}”."
                ),
            };
            return Reply::error(StatusCode::CONFLICT, "wrong-status", message);
        }
        // From the file as the form reads it, so that a project the loader
        // leaves out (a hand edit in git, an incomplete item) is written
        // back, not dropped, when the status line changes.
        let mut doc =
            plans::editable(&checked, text).map_or_else(|| PlanDoc::from_plan(plan), |(d, _)| d);
        let (verb, new_status) = match action {
            Action::Submit => ("Nộp", "submitted"),
            Action::Return => ("Trả lại", "draft"),
            Action::Approve => ("Duyệt", "approved"),
        };
        doc.status = new_status.into();
        match action {
            Action::Submit => doc.submitted = Some(today_vn().format("%Y-%m-%d").to_string()),
            Action::Return => doc.submitted = None,
            Action::Approve => {}
        }
        let sections = crate::plan_doc::sections_of_body(&plan.body.text);
        let new_text = write_plan_file(&doc, &sections, Some(&plan.body.text));
        if action == Action::Submit {
            let after = plans::check_text(&site, t.year, &t.agency, &new_text);
            if errors(&after.diagnostics) > 0 {
                let n = errors(&after.diagnostics);
                return Reply::error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "has-errors",
                    tr!(
                        lang,
                        "Chưa nộp được: kế hoạch còn {n} lỗi. Sửa các lỗi trong danh sách rồi nộp lại; bản nháp vẫn được giữ.",
                        "Not submitted: the plan has {n} errors. Fix the errors listed and submit again; the draft is kept."
                    ),
                )
                .with(
                    "diagnostics",
                    diagnostics_with_paths(&after.diagnostics, &new_text),
                );
            }
        }
        let extra = comment.as_ref().map(|c| format!("Lý do trả lại: {c}"));
        let r = self.write_and_commit(&site, account, t, &new_text, verb, extra.as_deref(), lang);
        if r.status == StatusCode::OK {
            let store = self.store();
            let done = match &comment {
                Some(c) => store.set_review(t.year, &t.agency, c, account.display_name()),
                None if action == Action::Submit => store.clear_review(t.year, &t.agency),
                None => Ok(()),
            };
            if let Err(e) = done {
                return self.state_error(e);
            }
        }
        r
    }

    /// `POST /api/plans/<year>/<agency>/upload`: the body is a filled
    /// workbook (.xlsx from `new plan --xlsx`) or a Word plan (.docx). It is
    /// read by `planpress import` itself (a dry run into memory) and, when it
    /// reads as a plan of this agency and year, saved as the draft and
    /// committed, as a PUT would; `import` in the answer holds the
    /// diagnostics at their cells or tables. The type is decided by the
    /// content, never by a name; nothing of the upload's name reaches a path.
    fn upload(&self, req: &Request<'_>, account: &Account, t: &Target, lang: Lang) -> Reply {
        if let Some(r) = self.may_edit(account, t, lang) {
            return r;
        }
        let unreadable =
            |message: String| Reply::error(StatusCode::UNPROCESSABLE_ENTITY, "unreadable", message);
        let ext = match office_kind(req.body) {
            Ok(ext) => ext,
            Err(OfficeKind::Old) => {
                return unreadable(tr!(
                    lang,
                    "Tệp là định dạng cũ (.xls, .doc) hoặc được đặt mật khẩu. Mở tệp bằng Excel hoặc Word, bỏ mật khẩu nếu có (Tệp > Thông tin > Bảo vệ), chọn \"Lưu thành\" .xlsx hoặc .docx rồi tải lên lại. Chưa ghi gì.",
                    "The file is in an old format (.xls, .doc) or password-protected. Open it in Excel or Word, remove any password (File > Info > Protect), \"Save as\" .xlsx or .docx and upload it again. Nothing was written."
                ));
            }
            Err(OfficeKind::Damaged) => {
                return unreadable(tr!(
                    lang,
                    "Tệp bị hỏng (có thể tải lên chưa hết): không đọc được như một tệp Excel (.xlsx) hay Word (.docx). Mở tệp bằng Excel, Word hoặc LibreOffice, lưu lại rồi tải lên lần nữa. Chưa ghi gì.",
                    "The file is damaged (perhaps not uploaded completely): it cannot be read as an Excel (.xlsx) or Word (.docx) file. Open it in Excel, Word or LibreOffice, save it again and upload it once more. Nothing was written."
                ));
            }
            Err(OfficeKind::Other) => {
                return Reply::error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-type",
                    tr!(
                        lang,
                        "Chỉ tải lên được bảng tính Excel (.xlsx) mà Sở gửi kèm công văn, hoặc kế hoạch Word (.docx) theo mẫu của công văn. Tệp này không phải loại đó; chưa ghi gì.",
                        "Only the Excel workbook (.xlsx) the department sends with its letter, or a Word plan (.docx) in the letter's layout, can be uploaded. This file is neither; nothing was written."
                    ),
                );
            }
        };
        let dir = match super::review::private_temp_dir(lang) {
            Ok(d) => d,
            Err(e) => return Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "write", e.message),
        };
        let file = dir.0.join(format!("tep-tai-len.{ext}"));
        if let Err(e) = std::fs::write(&file, req.body) {
            return Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "write", e.to_string());
        }
        let mut opts = crate::import::ImportOptions {
            dry_run: true,
            json: true,
            ..Default::default()
        };
        // The file says its agency and year when it can; only a file that
        // says neither is taken as this plan's.
        let imported = match crate::import::import(&self.root, &file, &opts) {
            Ok(i) => i,
            Err(_) => {
                opts.agency = Some(t.agency.clone());
                opts.year = Some(t.year);
                match crate::import::import(&self.root, &file, &opts) {
                    Ok(i) => i,
                    Err(e) => return unreadable(e.message),
                }
            }
        };
        drop(dir);
        let rel = plans::rel(t.year, &t.agency);
        let (said, _) = load::plan_from_text(&imported.text, &rel, &t.agency, lang);
        let site = self.site();
        if let Some(said) = &said {
            let (code, year) = (said.agency.value.as_str(), said.year.value);
            if code != t.agency || year != t.year {
                let theirs = site.agency(code).map_or(code, |a| a.name_in(year));
                let ours = site
                    .agency(&t.agency)
                    .map_or(t.agency.as_str(), |a| a.name_in(t.year));
                let want = t.year;
                return Reply::error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "wrong-plan",
                    tr!(
                        lang,
                        "Tệp này là kế hoạch năm {year} của {theirs} ({code}), không phải kế hoạch năm {want} của {ours}. Chọn đúng tệp rồi tải lên lại; chưa ghi gì.",
                        "This file is the {year} plan of {theirs} ({code}), not the {want} plan of {ours}. Choose the right file and upload it again; nothing was written."
                    ),
                );
            }
        }
        let report: Value =
            serde_json::from_str(&imported.report).unwrap_or(Value::Array(Vec::new()));
        let lock = self.plan_lock(t);
        let _guard = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = match self.read_current(t, lang) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if let Some(r) = self.precondition(req, &current, lang) {
            return r;
        }
        if let Some(text) = &current.text {
            let status = plans::check_text(&site, t.year, &t.agency, text)
                .plan
                .map(|p| p.status.value);
            if let Some(s) = status.filter(|s| *s != Status::Draft) {
                return Self::not_draft(lang, status_id(s));
            }
        }
        let r = self.write_and_commit(
            &site,
            account,
            t,
            &imported.text,
            "Nhập từ tệp tải lên",
            None,
            lang,
        );
        r.with("import", report)
            .with("errors", json!(imported.errors))
    }

    fn cycle_status(&self, account: &Account, year: &str, lang: Lang) -> Reply {
        if !account.role.reviews() {
            return Reply::error(
                StatusCode::FORBIDDEN,
                "forbidden",
                tr!(
                    lang,
                    "Chỉ người duyệt (reviewer) hoặc quản trị viên xem được tình hình nộp của cả kỳ.",
                    "Only a reviewer or an administrator may see the submissions of a whole cycle."
                ),
            );
        }
        let site = self.site();
        let Some(year_n) = year
            .parse::<i32>()
            .ok()
            .filter(|y| site.cycles.iter().any(|c| c.year == *y))
        else {
            return Reply::error(
                StatusCode::NOT_FOUND,
                "no-cycle",
                tr!(
                    lang,
                    "Không có kỳ kế hoạch {year}.",
                    "There is no cycle {year}."
                ),
            );
        };
        match super::review::StatusCache::rows(&self.status, &self.root, year_n, lang) {
            Ok(rows) => match serde_json::to_value(rows) {
                Ok(v) => Reply::ok(v),
                Err(e) => {
                    Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
                }
            },
            Err(e) => Reply::error(StatusCode::CONFLICT, "no-status", e.message),
        }
    }
}

/// Why an upload is not a workbook or a Word file.
enum OfficeKind {
    /// An OLE compound file: .xls, .doc, or an encrypted .xlsx/.docx.
    Old,
    /// Begins as a zip but cannot be read as one.
    Damaged,
    /// Anything else (a PDF, a picture, text).
    Other,
}

/// `xlsx` or `docx`, from what the file holds (the zip's parts), never from
/// its name or the type the browser claims.
fn office_kind(bytes: &[u8]) -> Result<&'static str, OfficeKind> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(OfficeKind::Old);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(OfficeKind::Other);
    }
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| OfficeKind::Damaged)?;
    let has = |name: &str| zip.index_for_name(name).is_some();
    if has("xl/workbook.xml") {
        Ok("xlsx")
    } else if has("word/document.xml") {
        Ok("docx")
    } else {
        Err(OfficeKind::Other)
    }
}

/// Whether a cycle takes no more changes from editors (`closed: true`).
fn cycle_closed(cycle: &crate::model::Cycle) -> bool {
    cycle.meta.as_ref().is_some_and(|m| m.closed)
}

fn status_id(s: Status) -> &'static str {
    match s {
        Status::Draft => "draft",
        Status::Submitted => "submitted",
        Status::Approved => "approved",
    }
}

pub(crate) fn status_label(s: &str, lang: Lang) -> String {
    match s {
        "draft" => tr!(lang, "bản nháp", "draft"),
        "submitted" => tr!(lang, "đã nộp", "submitted"),
        "approved" => tr!(lang, "đã duyệt", "approved"),
        other => other.to_string(),
    }
}

/// Why `agency` has no plan in cycle `year` although agencies.yaml lists
/// it (it starts later, or has ended), as [`Site::standing`] decides for
/// every other part of planpress; `None` when it stands in the cycle.
pub(crate) fn not_standing(site: &Site, agency: &str, year: i32, lang: Lang) -> Option<String> {
    match site.standing(agency, year) {
        Standing::Present(_) | Standing::Unknown => None,
        Standing::NotYet(a) => {
            let (name, from) = (&a.name, a.from.as_ref().map_or(year, |f| f.value));
            Some(tr!(
                lang,
                "{name} (`{agency}`) chỉ có từ kỳ {from} (content/agencies.yaml), nên không có kế hoạch năm {year}. Chọn năm từ {from} trở đi ở trang đầu.",
                "{name} (`{agency}`) exists only from cycle {from} (content/agencies.yaml), so it has no {year} plan. Choose a year from {from} on, on the start page."
            ))
        }
        Standing::Ended {
            agency: a,
            successor,
        } => {
            let (name, until) = (a.name_in(year), a.until.as_ref().map_or(year, |u| u.value));
            Some(match successor {
                Some(s) => {
                    let (sc, sn) = (&s.code.value, s.name_in(year));
                    tr!(
                        lang,
                        "{name} (`{agency}`) chỉ tồn tại đến kỳ {until}; năm {year} nhiệm vụ của cơ quan này thuộc {sn}, nên kế hoạch năm {year} là kế hoạch của {sn} (/plans/{year}/{sc}).",
                        "{name} (`{agency}`) exists only until cycle {until}; in {year} its duties belong to {sn}, so the {year} plan is that of {sn} (/plans/{year}/{sc})."
                    )
                }
                None => tr!(
                    lang,
                    "{name} (`{agency}`) chỉ tồn tại đến kỳ {until} (content/agencies.yaml), nên không có kế hoạch năm {year}.",
                    "{name} (`{agency}`) exists only until cycle {until} (content/agencies.yaml), so it has no {year} plan."
                ),
            })
        }
    }
}

/// The starting point of a plan that does not exist yet (PLAN-FORMAT §8):
/// prefilled from the agency's (or its predecessor's) plan of the latest
/// earlier cycle, as `planpress new plan` prefills it; a blank draft when
/// there is none. Only the few files that can be that earlier plan are read:
/// the editor's site holds no plans.
fn prefill(root: &std::path::Path, site: &Site, t: &Target) -> (PlanDoc, Sections, bool) {
    let blank = || (plans::blank(t.year, &t.agency), Sections::new(), false);
    let Some(agency) = site.agency(&t.agency) else {
        return blank();
    };
    let mut codes = vec![t.agency.clone()];
    codes.extend(
        site.agencies
            .iter()
            .flatten()
            .filter(|a| a.successor.as_ref().is_some_and(|s| s.value == t.agency))
            .map(|a| a.code.value.clone()),
    );
    let mut earlier = site.clone();
    for cycle in earlier.cycles.iter_mut().filter(|c| c.year < t.year) {
        cycle.plans.clear();
        for code in &codes {
            if let Ok(Current {
                text: Some(text), ..
            }) = plans::read(root, cycle.year, code)
            {
                let rel = plans::rel(cycle.year, code);
                if let (Some(plan), _) = load::plan_from_text(&text, &rel, code, site.lang()) {
                    cycle.plans.push(plan);
                }
            }
        }
    }
    let (Some(prev), Some(catalog)) = (
        crate::cycles::earlier_plan(&earlier, agency, t.year),
        earlier.catalog_for(t.year),
    ) else {
        return blank();
    };
    let doc = crate::cycles::prefilled(&earlier, agency, t.year, prev, catalog);
    let skeleton = crate::scaffold::plan_skeleton(&earlier, agency, t.year);
    let body = skeleton
        .strip_prefix("---\n")
        .and_then(|r| r.find("\n---\n").map(|i| &r[i + 5..]))
        .unwrap_or("");
    // The skeleton's guidance is in `<!-- -->` comments; the form shows
    // the same guidance beside each box, so the boxes start empty of it.
    let mut sections = crate::plan_doc::sections_of_body(body);
    for text in sections.values_mut() {
        *text = without_comments(text);
    }
    (doc, sections, true)
}

/// `text` without its HTML comments, trimmed.
fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

fn session_json(s: &Session) -> Value {
    json!({
        "login": s.account.login,
        "role": s.account.role.as_str(),
        "agency": s.account.agency,
        "name": s.account.name,
        "csrf": s.csrf,
        "must_change": s.account.must_change,
    })
}

fn not_found(lang: Lang) -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        "not-found",
        tr!(
            lang,
            "Không có địa chỉ này trong API.",
            "No such address in the API."
        ),
    )
}

/// Parses a JSON body; a value of the wrong shape is 422 naming its JSON
/// path (`plan.spending[0].total`).
fn parse<T: serde::de::DeserializeOwned>(body: &[u8], lang: Lang) -> Result<T, Reply> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let (status, code) = if inner.is_syntax() || inner.is_eof() {
                (StatusCode::BAD_REQUEST, "bad-json")
            } else {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            };
            let message = tr!(
                lang,
                "Giá trị tại `{path}` không ghi được: {inner}.",
                "The value at `{path}` cannot be written: {inner}."
            );
            Err(Reply::error(status, code, message.clone()).with(
                "diagnostics",
                json!([{"severity": "error", "path": path, "message": message}]),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guidance_comments_are_left_out() {
        assert_eq!(without_comments("<!-- a -->\nb <!-- c --> d"), "b  d");
        assert_eq!(without_comments("<!-- only -->"), "");
        assert_eq!(without_comments("x <!-- open"), "x");
    }

    #[test]
    fn cookies_and_tokens() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            axum::http::HeaderValue::from_static("a=1; planpress_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("", "abc"));
        assert!(plain_code("so-tttt"));
        assert!(!plain_code("../etc"));
        assert!(!plain_code("So"));
    }
}
