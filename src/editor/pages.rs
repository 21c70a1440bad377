//! The editor's pages: server-rendered HTML that works without JavaScript,
//! with every value of the plan in its field and the check's messages
//! beside them; the plan form posts (urlencoded, [`plan_post`]) and is
//! saved by the API's own code. `editor.js` (embedded, no framework, no
//! build step) saves through the JSON API instead and adds the live check,
//! the meaning of amounts, running split sums, reordering and rows.
//! No inline script or style: the CSP forbids them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::Value;

use super::accounts::{Login, Session};
use super::api::{self, App, COOKIE, status_label};
use crate::diag::{Lang, Severity, tr};
use crate::model::money::format_grouped;
use crate::model::{SectionKey, Site, Unit};
use crate::plan_doc::{INTRO, PlanDoc, Sections, SplitDoc, letter_heading};

const JS: &str = include_str!("editor.js");
const CSS: &str = include_str!("editor.css");

pub(crate) use crate::escape::html as esc;

fn html(status: StatusCode, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn asset(ctype: &'static str, text: &'static str) -> Response {
    let mut r = Response::new(Body::from(text));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r
}

fn redirect(to: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// A whole page around `main`.
fn layout(lang: Lang, title: &str, session: Option<&Session>, main: &str) -> String {
    let lang_attr = match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    };
    let skip = tr!(lang, "Bỏ qua, đến nội dung chính", "Skip to main content");
    let user = session.map_or(String::new(), |s| {
        let who = esc(s.account.display_name());
        let out = tr!(lang, "Đăng xuất", "Log out");
        let csrf = esc(&s.csrf);
        format!(
            "<form class=\"logout\" method=\"post\" action=\"/logout\"><span>{who}</span> \
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">{out}</button></form>"
        )
    });
    let csrf_meta = session.map_or(String::new(), |s| {
        format!("<meta name=\"csrf-token\" content=\"{}\">", esc(&s.csrf))
    });
    let title = esc(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_attr}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{csrf_meta}\n\
         <title>{title} · planpress</title>\n<link rel=\"stylesheet\" href=\"/static/editor.css\">\n\
         <script src=\"/static/editor.js\" defer></script>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">{skip}</a>\n\
         <header class=\"top\"><a class=\"brand\" href=\"/\">planpress</a>{user}</header>\n\
         <main id=\"main\" tabindex=\"-1\">\n{main}\n</main>\n</body>\n</html>\n"
    )
}

/// Answers a GET of a page (or a form POST to `/login`, `/logout`).
pub(crate) fn page(app: &App, path: &str, query: Option<&str>, headers: &HeaderMap) -> Response {
    let lang = app.lang();
    match path {
        "/static/editor.js" => return asset("text/javascript; charset=utf-8", JS),
        "/static/editor.css" => return asset("text/css; charset=utf-8", CSS),
        "/login" => return html(StatusCode::OK, login_page(lang, None)),
        _ => {}
    }
    let session = match app.session_of(headers) {
        Ok(Some(s)) => s,
        Ok(None) => return redirect("/login"),
        Err(e) => return html(StatusCode::INTERNAL_SERVER_ERROR, esc(&e.0)),
    };
    if session.account.must_change && path != "/password" {
        return redirect("/password");
    }
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] => html(StatusCode::OK, home(app, &session, lang)),
        ["password"] => html(StatusCode::OK, password_page(lang, &session, None)),
        ["plans", year, agency] => plan_page(app, &session, year, agency, query, lang),
        ["review", year] => review_page(app, &session, year, lang),
        ["review", year, "reminders.zip"] => reminders(app, &session, year, lang),
        ["preview", "static", name] => preview_asset(app, name, lang),
        // The theme's links are relative (`../../static/style.css`): with
        // the closing slash they reach the stylesheet served just above.
        ["preview", year, agency] if !path.ends_with('/') => {
            redirect(&format!("/preview/{year}/{agency}/"))
        }
        ["preview", year, agency] => preview(app, &session, year, agency, lang),
        _ => html(
            StatusCode::NOT_FOUND,
            layout(
                lang,
                "404",
                Some(&session),
                &format!(
                    "<h1>{}</h1><p><a href=\"/\">{}</a></p>",
                    tr!(lang, "Không có trang này", "No such page"),
                    tr!(lang, "Về trang đầu", "Back to the start")
                ),
            ),
        ),
    }
}

/// The fields of an HTML form body (`application/x-www-form-urlencoded`).
fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| -> String {
        let s = s.replace('+', " ");
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && let Some(h) = bytes.get(i + 1..i + 3)
                && let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(h), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The forms that work without JavaScript: log in, log out, change the
/// password. Same checks as the API (lockout, CSRF for the last two).
pub(crate) fn form_post(
    app: &App,
    path: &str,
    headers: &HeaderMap,
    address: &str,
    body: &[u8],
) -> Response {
    let lang = app.lang();
    let fields = form_fields(body);
    match path {
        "/login" => {
            let outcome = app
                .store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .login(
                    field(&fields, "login").trim(),
                    field(&fields, "password"),
                    address,
                );
            match outcome {
                Ok(Login::Ok { token, .. }) => {
                    let mut r = redirect("/");
                    if let Ok(v) = HeaderValue::from_str(&app.set_cookie(&token, None)) {
                        r.headers_mut().insert(header::SET_COOKIE, v);
                    }
                    r
                }
                Ok(Login::Bad) => html(
                    StatusCode::UNAUTHORIZED,
                    login_page(
                        lang,
                        Some(&tr!(
                            lang,
                            "Sai tên đăng nhập hoặc mật khẩu (hoặc tài khoản đã bị khóa).",
                            "Wrong login or password (or the account is disabled)."
                        )),
                    ),
                ),
                Ok(Login::Locked) => html(
                    StatusCode::TOO_MANY_REQUESTS,
                    login_page(
                        lang,
                        Some(&tr!(
                            lang,
                            "Đã sai quá 5 lần trong 15 phút: hãy đợi 15 phút rồi thử lại, hoặc nhờ quản trị viên đặt lại mật khẩu.",
                            "More than 5 failures in 15 minutes: wait 15 minutes and try again, or ask the administrator to reset the password."
                        )),
                    ),
                ),
                Err(e) => html(StatusCode::INTERNAL_SERVER_ERROR, esc(&e.0)),
            }
        }
        "/logout" | "/password" => {
            let session = match app.session_of(headers) {
                Ok(Some(s)) => s,
                _ => return redirect("/login"),
            };
            if field(&fields, "csrf") != session.csrf {
                return html(
                    StatusCode::FORBIDDEN,
                    layout(
                        lang,
                        "403",
                        None,
                        &format!(
                            "<h1>{}</h1>",
                            tr!(
                                lang,
                                "Phiên làm việc không khớp; hãy tải lại trang rồi thử lại.",
                                "The session does not match; reload the page and try again."
                            )
                        ),
                    ),
                );
            }
            if path == "/logout" {
                let store = app
                    .store
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(t) = api::cookie(headers, COOKIE) {
                    let _ = store.logout(t);
                }
                let mut r = redirect("/login");
                if let Ok(v) = HeaderValue::from_str(&app.set_cookie("", Some(0))) {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                }
                return r;
            }
            let (current, new, again) = (
                field(&fields, "current"),
                field(&fields, "new"),
                field(&fields, "again"),
            );
            let store = app
                .store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let login = &session.account.login;
            let problem = if !store.verify(login, current).unwrap_or(false) {
                Some(tr!(
                    lang,
                    "Mật khẩu hiện tại không đúng.",
                    "The current password is wrong."
                ))
            } else if new != again {
                Some(tr!(
                    lang,
                    "Hai lần nhập mật khẩu mới không giống nhau.",
                    "The two new passwords differ."
                ))
            } else {
                super::accounts::password_problem(new, login, lang)
            };
            if let Some(p) = problem {
                return html(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    password_page(lang, &session, Some(&p)),
                );
            }
            match store.set_password(login, new, false, api::cookie(headers, COOKIE)) {
                Ok(_) => redirect("/"),
                Err(e) => html(StatusCode::INTERNAL_SERVER_ERROR, esc(&e.0)),
            }
        }
        _ => html(StatusCode::METHOD_NOT_ALLOWED, String::new()),
    }
}

fn error_box(lang: Lang, error: Option<&str>) -> String {
    error.map_or(String::new(), |e| {
        format!(
            "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>{}</h2><p>{}</p></div>",
            tr!(lang, "Có lỗi", "There is a problem"),
            esc(e)
        )
    })
}

fn login_page(lang: Lang, error: Option<&str>) -> String {
    let main = format!(
        "<h1>{h}</h1>{err}<form method=\"post\" action=\"/login\" class=\"narrow\">\
         <div class=\"field\"><label for=\"login\">{l}</label>\
         <input id=\"login\" name=\"login\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required></div>\
         <div class=\"field\"><label for=\"password\">{p}</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></div>\
         <button type=\"submit\" class=\"primary\">{b}</button></form>",
        h = tr!(lang, "Đăng nhập", "Log in"),
        err = error_box(lang, error),
        l = tr!(lang, "Tên đăng nhập", "Login"),
        p = tr!(lang, "Mật khẩu", "Password"),
        b = tr!(lang, "Đăng nhập", "Log in"),
    );
    layout(lang, &tr!(lang, "Đăng nhập", "Log in"), None, &main)
}

fn password_page(lang: Lang, session: &Session, error: Option<&str>) -> String {
    let intro = if session.account.must_change {
        tr!(
            lang,
            "Mật khẩu bạn được cấp chỉ dùng một lần. Hãy đặt mật khẩu mới (ít nhất 10 ký tự) trước khi làm việc.",
            "The password you were given is for one use only. Set a new one (at least 10 characters) before you go on."
        )
    } else {
        tr!(
            lang,
            "Mật khẩu mới cần ít nhất 10 ký tự.",
            "The new password needs at least 10 characters."
        )
    };
    let main = format!(
        "<h1>{h}</h1>{err}<p>{intro}</p><form method=\"post\" action=\"/password\" class=\"narrow\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <div class=\"field\"><label for=\"current\">{c}</label><input id=\"current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></div>\
         <div class=\"field\"><label for=\"new\">{n}</label><input id=\"new\" name=\"new\" type=\"password\" autocomplete=\"new-password\" minlength=\"10\" required></div>\
         <div class=\"field\"><label for=\"again\">{a}</label><input id=\"again\" name=\"again\" type=\"password\" autocomplete=\"new-password\" minlength=\"10\" required></div>\
         <button type=\"submit\" class=\"primary\">{b}</button></form>",
        h = tr!(lang, "Đổi mật khẩu", "Change password"),
        err = error_box(lang, error),
        csrf = esc(&session.csrf),
        c = tr!(lang, "Mật khẩu hiện tại", "Current password"),
        n = tr!(lang, "Mật khẩu mới", "New password"),
        a = tr!(lang, "Nhập lại mật khẩu mới", "New password again"),
        b = tr!(lang, "Đổi mật khẩu", "Change password"),
    );
    layout(
        lang,
        &tr!(lang, "Đổi mật khẩu", "Change password"),
        Some(session),
        &main,
    )
}

fn agency_name(site: &Site, code: &str) -> String {
    site.agency(code)
        .map_or_else(|| code.to_string(), |a| a.name.clone())
}

/// The agency's name as it was in cycle `year` (`former_names`).
fn agency_name_in(site: &Site, code: &str, year: i32) -> String {
    site.agency(code)
        .map_or_else(|| code.to_string(), |a| a.name_in(year).to_string())
}

fn home(app: &App, session: &Session, lang: Lang) -> String {
    let site = app.site();
    let mut years: Vec<i32> = site.cycles.iter().map(|c| c.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    let mut main = format!(
        "<h1>{}</h1>",
        tr!(lang, "Kế hoạch ứng dụng CNTT", "IT application plans")
    );
    if let Some(agency) = &session.account.agency {
        let name = esc(&agency_name(&site, agency));
        let _ = write!(
            main,
            "<h2>{}</h2><ul class=\"links\">",
            tr!(lang, "Kế hoạch của {name}", "Plans of {name}")
        );
        for y in years
            .iter()
            .filter(|y| site.standing(agency, **y).may_submit())
        {
            let label = tr!(lang, "Năm {y}", "Year {y}");
            let _ = write!(
                main,
                "<li><a href=\"/plans/{y}/{a}\">{label}</a></li>",
                a = esc(agency)
            );
        }
        main.push_str("</ul>");
    }
    if session.account.role.reviews() {
        let _ = write!(
            main,
            "<h2>{}</h2><ul class=\"links\">",
            tr!(lang, "Theo dõi và duyệt", "Review")
        );
        for y in &years {
            let label = tr!(lang, "Kỳ kế hoạch {y}", "Cycle {y}");
            let _ = write!(main, "<li><a href=\"/review/{y}\">{label}</a></li>");
        }
        main.push_str("</ul>");
    }
    let _ = write!(
        main,
        "<p><a href=\"/password\">{}</a></p>",
        tr!(lang, "Đổi mật khẩu", "Change password")
    );
    layout(lang, "planpress", Some(session), &main)
}

fn amount_text(d: Option<Decimal>) -> String {
    d.map_or(String::new(), |d| format_grouped(d, Lang::Vi))
}

/// What the form is filled with besides the plan: the check's messages
/// beside their fields and values kept as they were typed, both by form
/// field name (`projects[0][cost][total]`).
pub(crate) struct Ctx {
    lang: Lang,
    messages: BTreeMap<String, Vec<(String, String)>>,
    raw: HashMap<String, String>,
    /// Each field that shows a message, with its element's id, for the
    /// summary's links.
    placed: RefCell<Vec<(String, String)>>,
}

impl Ctx {
    fn new(lang: Lang) -> Ctx {
        Ctx {
            lang,
            messages: BTreeMap::new(),
            raw: HashMap::new(),
            placed: RefCell::new(Vec::new()),
        }
    }

    /// The messages about field `key`, shown under the element `id`.
    fn beside(&self, key: &str, id: &str) -> Beside {
        let Some(list) = self.messages.get(key) else {
            return Beside::default();
        };
        self.placed
            .borrow_mut()
            .push((key.to_string(), id.to_string()));
        let mut out = Beside {
            // Warnings are shown too, but only an error makes the field
            // invalid.
            invalid: list.iter().any(|(sev, _)| sev == "error"),
            ..Beside::default()
        };
        let mut ids = Vec::new();
        for (i, (sev, text)) in list.iter().enumerate() {
            let eid = format!("{id}-e{i}");
            let _ = write!(
                out.html,
                "<p class=\"field-error {}\" id=\"{eid}\">{}</p>",
                esc(sev),
                esc(text)
            );
            ids.push(eid);
        }
        out.ids = ids.join(" ");
        out
    }
}

/// The messages beside one field.
#[derive(Default)]
struct Beside {
    /// The messages' paragraphs.
    html: String,
    /// Their ids, for `aria-describedby`.
    ids: String,
    /// Whether one is an error.
    invalid: bool,
}

impl Beside {
    /// `aria-describedby` for an element described by `own` (may be empty)
    /// and these messages; `data-described` keeps `own` so that the script
    /// can put it back when it replaces the messages.
    fn described(&self, own: &str) -> String {
        if self.ids.is_empty() {
            if own.is_empty() {
                String::new()
            } else {
                format!(" aria-describedby=\"{own}\"")
            }
        } else {
            format!(
                " aria-describedby=\"{}\" data-described=\"{own}\"{}",
                format!("{own} {}", self.ids).trim(),
                if self.invalid {
                    " aria-invalid=\"true\""
                } else {
                    ""
                }
            )
        }
    }
}

/// An amount field: Vietnamese-style text, its meaning shown beside it.
fn amount_input(
    id: &str,
    field: &str,
    name: &str,
    label: &str,
    value: Option<Decimal>,
    c: &Ctx,
) -> String {
    amount_input_for(id, field, name, name, label, value, c)
}

/// [`amount_input`] whose messages are filed under `key` rather than its
/// name (a split's amount: the check names it by its source's code).
fn amount_input_for(
    id: &str,
    field: &str,
    name: &str,
    key: &str,
    label: &str,
    value: Option<Decimal>,
    c: &Ctx,
) -> String {
    let b = c.beside(key, id);
    let v = c
        .raw
        .get(name)
        .cloned()
        .unwrap_or_else(|| amount_text(value));
    format!(
        "<div class=\"field amount-field\"><label for=\"{id}\">{label}</label>\
         <input id=\"{id}\" name=\"{n}\" data-field=\"{field}\" class=\"amount\" inputmode=\"decimal\" autocomplete=\"off\" value=\"{v}\"{d}>\
         <span class=\"meaning\" id=\"{id}-m\" aria-live=\"polite\"></span>{msgs}</div>",
        n = esc(name),
        v = esc(&v),
        d = b.described(&format!("{id}-m")),
        msgs = b.html,
    )
}

fn text_input(
    id: &str,
    field: &str,
    name: &str,
    label: &str,
    value: Option<&str>,
    extra: &str,
    c: &Ctx,
) -> String {
    let b = c.beside(name, id);
    let v = c
        .raw
        .get(name)
        .map_or_else(|| value.unwrap_or("").to_string(), Clone::clone);
    format!(
        "<div class=\"field\"><label for=\"{id}\">{label}</label>\
         <input id=\"{id}\" name=\"{n}\" data-field=\"{field}\" value=\"{v}\" {extra}{d}>{msgs}</div>",
        n = esc(name),
        v = esc(&v),
        d = b.described(""),
        msgs = b.html,
    )
}

fn textarea(
    id: &str,
    field: &str,
    name: &str,
    label: &str,
    value: Option<&str>,
    rows: u8,
    c: &Ctx,
) -> String {
    let b = c.beside(name, id);
    format!(
        "<div class=\"field\"><label for=\"{id}\">{label}</label>\
         <textarea id=\"{id}\" name=\"{n}\" data-field=\"{field}\" rows=\"{rows}\"{d}>{v}</textarea>{msgs}</div>",
        n = esc(name),
        v = esc(value.unwrap_or("")),
        d = b.described(""),
        msgs = b.html,
    )
}

fn select(
    id: &str,
    field: &str,
    name: &str,
    label: &str,
    options: &[(String, String)],
    value: &str,
    c: &Ctx,
) -> String {
    let b = c.beside(name, id);
    let mut s = format!(
        "<div class=\"field\"><label for=\"{id}\">{label}</label><select id=\"{id}\" name=\"{n}\" data-field=\"{field}\"{d}><option value=\"\"></option>",
        n = esc(name),
        d = b.described(""),
    );
    let mut found = value.is_empty();
    for (code, name) in options {
        let sel = if code == value {
            found = true;
            " selected"
        } else {
            ""
        };
        let _ = write!(
            s,
            "<option value=\"{}\"{sel}>{}</option>",
            esc(code),
            esc(name)
        );
    }
    if !found {
        // A code not in the lists (a typo made in git) stays visible, so
        // saving does not silently drop it; the check reports it.
        let _ = write!(
            s,
            "<option value=\"{v}\" selected>{v} (?)</option>",
            v = esc(value)
        );
    }
    let _ = write!(s, "</select>{}</div>", b.html);
    s
}

/// The messages about a whole row or split, under its legend.
fn group_messages(key: &str, id: &str, c: &Ctx) -> String {
    c.beside(key, id).html
}

/// Empty rows added after the filled ones so that a browser without
/// JavaScript can add lines (the script removes them and adds rows itself).
const SPARE_SPLIT_ROWS: usize = 2;
const SPARE_ROWS: usize = 2;

/// A split over levels or kinds: rows of (code, amount) with a running sum.
fn split_editor(
    id: &str,
    field: &str,
    name: &str,
    legend: &str,
    options: &[(String, String)],
    split: &SplitDoc,
    c: &Ctx,
) -> String {
    let lang = c.lang;
    let mut s = format!(
        "<fieldset class=\"split\" data-split=\"{field}\" id=\"{id}\"><legend>{legend}</legend>{msgs}<div class=\"split-rows\">",
        msgs = group_messages(name, &format!("{id}-msg"), c),
    );
    let row = |i: &str, code: &str, amount: Option<Decimal>, spare: bool| -> String {
        let rid = format!("{id}-{i}");
        let rname = format!("{name}[{i}]");
        format!(
            "<div class=\"split-row{sp}\">{}{}<button type=\"button\" class=\"remove-split link\">{}</button></div>",
            select(
                &format!("{rid}-c"),
                "code",
                &format!("{rname}[code]"),
                &tr!(lang, "Nguồn", "Source"),
                options,
                code,
                c
            ),
            amount_input_for(
                &format!("{rid}-a"),
                "amount",
                &format!("{rname}[amount]"),
                &format!("{name}[{code}]"),
                &tr!(lang, "Số tiền", "Amount"),
                amount,
                c
            ),
            tr!(lang, "Bỏ dòng này", "Remove this line"),
            sp = if spare { " spare" } else { "" },
        )
    };
    for (i, (code, amount)) in split.0.iter().enumerate() {
        s.push_str(&row(&i.to_string(), code, Some(*amount), false));
    }
    for i in split.0.len()..split.0.len() + SPARE_SPLIT_ROWS {
        s.push_str(&row(&i.to_string(), "", None, true));
    }
    let _ = write!(
        s,
        "</div><template class=\"split-template\">{}</template>\
         <button type=\"button\" class=\"add-split\">{}</button>\
         <p class=\"split-sum\" aria-live=\"polite\"></p></fieldset>",
        row("__S__", "", None, false),
        tr!(lang, "Thêm nguồn", "Add a source")
    );
    s
}

fn guidance(key: &str, lang: Lang) -> String {
    match key {
        "danh-gia" => tr!(
            lang,
            "Đánh giá chung tình hình ứng dụng CNTT năm trước; khó khăn, hạn chế và nguyên nhân; đề xuất, kiến nghị.",
            "Overall assessment of the previous year; difficulties, shortcomings and causes; proposals."
        ),
        "muc-tieu" => tr!(
            lang,
            "Mục tiêu chung và mục tiêu cụ thể của năm kế hoạch, gắn với các chỉ tiêu ở mục II.1.",
            "General and specific goals of the year, tied to the indicators of II.1."
        ),
        "dinh-huong" => tr!(
            lang,
            "Nội dung: hạ tầng kỹ thuật; ứng dụng CNTT trong nội bộ; phục vụ người dân và doanh nghiệp; nguồn nhân lực; bảo đảm an toàn thông tin.",
            "Content: infrastructure; internal use of IT; services to citizens and businesses; people; information security."
        ),
        "giai-phap" => tr!(
            lang,
            "Giải pháp thực hiện: tài chính, tổ chức, nhân lực, cơ chế chính sách, tuyên truyền.",
            "Solutions: funding, organisation, people, policy, communication."
        ),
        "to-chuc" => tr!(
            lang,
            "Trách nhiệm của các đơn vị trong cơ quan và chế độ báo cáo.",
            "Responsibilities of the units of the agency, and reporting."
        ),
        _ => tr!(
            lang,
            "Phần mở đầu, trước mục II.3 (không bắt buộc).",
            "Opening text, before section II.3 (optional)."
        ),
    }
}

struct Lists {
    categories: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
}

/// The code lists of cycle `year`: its own catalog (or the site's), and
/// the agencies that exist in it, under their names of that year.
fn lists(site: &Site, year: i32) -> Lists {
    let code_names = |v: Option<&Vec<crate::model::CodeName>>| {
        v.map(|v| {
            v.iter()
                .map(|c| (c.id.value.clone(), c.name.clone()))
                .collect()
        })
        .unwrap_or_default()
    };
    let cat = site.catalog_for(year);
    Lists {
        categories: code_names(cat.map(|c| &c.categories)),
        levels: code_names(cat.map(|c| &c.levels)),
        kinds: code_names(cat.map(|c| &c.kinds)),
        agencies: site
            .agencies
            .iter()
            .flatten()
            .filter(|a| site.standing(&a.code.value, year).may_submit())
            .map(|a| (a.code.value.clone(), a.name_in(year).to_string()))
            .collect(),
    }
}

fn spending_row(
    i: &str,
    r: &crate::plan_doc::SpendingDoc,
    l: &Lists,
    spare: bool,
    c: &Ctx,
) -> String {
    let lang = c.lang;
    let id = format!("sp-{i}");
    let nm = format!("spending[{i}]");
    format!(
        "<fieldset class=\"row{sp}\" data-row=\"spending\"><legend>{legend}</legend>{msgs}{cat}{task}{total}{levels}{kinds}{basis}\
         <button type=\"submit\" name=\"action\" value=\"remove-spending-{i}\" formnovalidate class=\"remove-row link\">{rm}</button></fieldset>",
        legend = tr!(lang, "Nhiệm vụ đã chi", "Task"),
        cat = select(
            &format!("{id}-cat"),
            "category",
            &format!("{nm}[category]"),
            &tr!(lang, "Hạng mục", "Category"),
            &l.categories,
            &r.category,
            c
        ),
        task = text_input(
            &format!("{id}-task"),
            "task",
            &format!("{nm}[task]"),
            &tr!(lang, "Tên nhiệm vụ", "Task"),
            Some(&r.task),
            "",
            c
        ),
        total = amount_input(
            &format!("{id}-total"),
            "total",
            &format!("{nm}[total]"),
            &tr!(lang, "Tổng kinh phí", "Total"),
            r.total,
            c
        ),
        levels = split_editor(
            &format!("{id}-lv"),
            "levels",
            &format!("{nm}[levels]"),
            &tr!(lang, "Theo cấp ngân sách", "By budget level"),
            &l.levels,
            &r.levels,
            c
        ),
        kinds = split_editor(
            &format!("{id}-kd"),
            "kinds",
            &format!("{nm}[kinds]"),
            &tr!(lang, "Theo nguồn vốn", "By kind of funds"),
            &l.kinds,
            &r.kinds,
            c
        ),
        basis = text_input(
            &format!("{id}-basis"),
            "basis",
            &format!("{nm}[basis]"),
            &tr!(
                lang,
                "Ghi chú (quyết định phê duyệt)",
                "Note (approving decision)"
            ),
            r.basis.as_deref(),
            "",
            c
        ),
        rm = tr!(lang, "Bỏ nhiệm vụ này", "Remove this task"),
        sp = if spare { " spare" } else { "" },
        msgs = group_messages(&nm, &format!("{id}-msg"), c),
    )
}

fn project_row(
    i: &str,
    p: &crate::plan_doc::ProjectDoc,
    l: &Lists,
    spare: bool,
    c: &Ctx,
) -> String {
    let lang = c.lang;
    let id = format!("pj-{i}");
    let nm = format!("projects[{i}]");
    let period = p.period.clone().unwrap_or_default();
    let year = |v: Option<i32>| v.map(|y| y.to_string());
    let partner_options: String = l
        .agencies
        .iter()
        .map(|(code, name)| {
            let sel = if p.partners.contains(code) {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{sel}>{}</option>",
                esc(code),
                esc(name)
            )
        })
        .collect();
    format!(
        "<fieldset class=\"row project{sp}\" data-row=\"projects\"><legend>{legend} <span class=\"priority-label\">{prio}</span></legend>{msgs}\
         <input type=\"hidden\" name=\"{nm}[priority]\" data-field=\"priority\" value=\"{pv}\">\
         <div class=\"reorder\"><button type=\"submit\" name=\"action\" value=\"up-projects-{i}\" formnovalidate class=\"move-up\">{up}</button><button type=\"submit\" name=\"action\" value=\"down-projects-{i}\" formnovalidate class=\"move-down\">{down}</button></div>\
         {name}{pid}{cat}{objective}\
         <div class=\"pair\">{from}{to}</div>{lead}\
         <div class=\"field\"><label for=\"{id}-partners\">{partners}</label><select multiple size=\"4\" id=\"{id}-partners\" name=\"{nm}[partners]\" data-field=\"partners\">{partner_options}</select></div>\
         {done}{todo}<div class=\"pair3\">{total}{spent}{planned}</div>{levels}{kinds}\
         {investor}{approval}{necessity}{standards}{location}{note}\
         <button type=\"submit\" name=\"action\" value=\"remove-projects-{i}\" formnovalidate class=\"remove-row link\">{rm}</button></fieldset>",
        legend = tr!(lang, "Dự án, nhiệm vụ", "Project"),
        prio = p
            .priority
            .map(|n| tr!(lang, "(ưu tiên {n})", "(priority {n})"))
            .unwrap_or_default(),
        pv = p.priority.map(|n| n.to_string()).unwrap_or_default(),
        up = tr!(lang, "↑ Ưu tiên hơn", "↑ Higher priority"),
        down = tr!(lang, "↓ Ưu tiên sau", "↓ Lower priority"),
        name = text_input(
            &format!("{id}-name"),
            "name",
            &format!("{nm}[name]"),
            &tr!(lang, "Tên dự án, nhiệm vụ", "Name"),
            Some(&p.name),
            "",
            c
        ),
        pid = text_input(
            &format!("{id}-id"),
            "id",
            &format!("{nm}[id]"),
            &tr!(
                lang,
                "Mã (chữ thường không dấu, gạch ngang)",
                "Code (lowercase, hyphens)"
            ),
            Some(&p.id),
            "pattern=\"[a-z0-9-]+\" spellcheck=\"false\" autocapitalize=\"none\"",
            c
        ),
        cat = select(
            &format!("{id}-cat"),
            "category",
            &format!("{nm}[category]"),
            &tr!(lang, "Hạng mục", "Category"),
            &l.categories,
            &p.category,
            c
        ),
        objective = textarea(
            &format!("{id}-obj"),
            "objective",
            &format!("{nm}[objective]"),
            &tr!(lang, "Mục tiêu, quy mô", "Objective and scale"),
            p.objective.as_deref(),
            2,
            c
        ),
        from = text_input(
            &format!("{id}-from"),
            "period.from",
            &format!("{nm}[period][from]"),
            &tr!(lang, "Thực hiện từ năm", "From year"),
            year(period.from).as_deref(),
            "inputmode=\"numeric\"",
            c
        ),
        to = text_input(
            &format!("{id}-to"),
            "period.to",
            &format!("{nm}[period][to]"),
            &tr!(lang, "Đến năm", "To year"),
            year(period.to).as_deref(),
            "inputmode=\"numeric\"",
            c
        ),
        lead = select(
            &format!("{id}-lead"),
            "lead",
            &format!("{nm}[lead]"),
            &tr!(lang, "Đơn vị chủ trì", "Lead agency"),
            &l.agencies,
            &p.lead,
            c
        ),
        partners = tr!(
            lang,
            "Đơn vị phối hợp (giữ Ctrl để chọn nhiều)",
            "Partner agencies (hold Ctrl for several)"
        ),
        done = textarea(
            &format!("{id}-done"),
            "done",
            &format!("{nm}[done]"),
            &tr!(lang, "Đã triển khai", "Done so far"),
            p.done.as_deref(),
            2,
            c
        ),
        todo = textarea(
            &format!("{id}-todo"),
            "todo",
            &format!("{nm}[todo]"),
            &tr!(lang, "Cần triển khai trong năm", "To do this year"),
            p.todo.as_deref(),
            2,
            c
        ),
        total = amount_input(
            &format!("{id}-ct"),
            "cost.total",
            &format!("{nm}[cost][total]"),
            &tr!(lang, "Tổng kinh phí", "Total cost"),
            p.cost.total,
            c
        ),
        spent = amount_input(
            &format!("{id}-cs"),
            "cost.spent",
            &format!("{nm}[cost][spent]"),
            &tr!(lang, "Đã thực hiện", "Spent"),
            p.cost.spent,
            c
        ),
        planned = amount_input(
            &format!("{id}-cp"),
            "cost.planned",
            &format!("{nm}[cost][planned]"),
            &tr!(lang, "Cần thực hiện trong năm", "Planned this year"),
            p.cost.planned,
            c
        ),
        levels = split_editor(
            &format!("{id}-lv"),
            "levels",
            &format!("{nm}[levels]"),
            &tr!(
                lang,
                "Kinh phí năm theo cấp ngân sách",
                "This year's funds by level"
            ),
            &l.levels,
            &p.levels,
            c
        ),
        kinds = split_editor(
            &format!("{id}-kd"),
            "kinds",
            &format!("{nm}[kinds]"),
            &tr!(
                lang,
                "Kinh phí năm theo nguồn vốn",
                "This year's funds by kind"
            ),
            &l.kinds,
            &p.kinds,
            c
        ),
        investor = text_input(
            &format!("{id}-inv"),
            "investor",
            &format!("{nm}[investor]"),
            &tr!(lang, "Chủ đầu tư", "Investor"),
            p.investor.as_deref(),
            "",
            c
        ),
        approval = text_input(
            &format!("{id}-appr"),
            "approval",
            &format!("{nm}[approval]"),
            &tr!(lang, "Quyết định phê duyệt", "Approving decision"),
            p.approval.as_deref(),
            "",
            c
        ),
        necessity = textarea(
            &format!("{id}-nec"),
            "necessity",
            &format!("{nm}[necessity]"),
            &tr!(lang, "Sự cần thiết phải đầu tư", "Why it is needed"),
            p.necessity.as_deref(),
            2,
            c
        ),
        standards = textarea(
            &format!("{id}-std"),
            "standards",
            &format!("{nm}[standards]"),
            &tr!(
                lang,
                "Tiêu chuẩn kỹ thuật, công nghệ áp dụng",
                "Standards and technology"
            ),
            p.standards.as_deref(),
            2,
            c
        ),
        location = text_input(
            &format!("{id}-loc"),
            "location",
            &format!("{nm}[location]"),
            &tr!(lang, "Địa điểm", "Location"),
            p.location.as_deref(),
            "",
            c
        ),
        note = text_input(
            &format!("{id}-note"),
            "note",
            &format!("{nm}[note]"),
            &tr!(lang, "Ghi chú", "Note"),
            p.note.as_deref(),
            "",
            c
        ),
        rm = tr!(lang, "Bỏ dự án này", "Remove this project"),
        sp = if spare { " spare" } else { "" },
        msgs = group_messages(&nm, &format!("{id}-msg"), c),
    )
}

/// The catalog indicators an agency reports in the year of `doc`.
fn indicator_defs<'s>(
    doc: &PlanDoc,
    site: &'s Site,
    agency: &str,
) -> Vec<&'s crate::model::IndicatorDef> {
    site.catalog_for(doc.year)
        .map(|c| {
            c.indicators
                .iter()
                .filter(|d| d.provider.as_ref().is_none_or(|p| p.value == agency))
                .collect()
        })
        .unwrap_or_default()
}

/// Where each of the plan's indicators is in the form: the catalog's rows
/// first, in the catalog's order, then the other goals in the plan's.
fn indicator_slots(doc: &PlanDoc, site: &Site, agency: &str) -> Vec<Option<usize>> {
    let defs = indicator_defs(doc, site, agency);
    let catalog = site.catalog_for(doc.year);
    let mut other = defs.len();
    doc.indicators
        .iter()
        .map(|v| {
            if let Some(i) = defs.iter().position(|d| d.id.value == v.id) {
                Some(i)
            } else if catalog.is_none_or(|c| c.indicator(&v.id).is_none()) {
                other += 1;
                Some(other - 1)
            } else {
                None
            }
        })
        .collect()
}

fn indicator_rows(doc: &PlanDoc, site: &Site, agency: &str, c: &Ctx) -> String {
    let lang = c.lang;
    let mut s = String::new();
    let catalog = site.catalog_for(doc.year);
    let defs = indicator_defs(doc, site, agency);
    for (i, d) in defs.iter().enumerate() {
        let v = doc.indicators.iter().find(|v| v.id == d.id.value);
        let id = format!("in-{i}");
        let nm = format!("indicators[{i}]");
        let unit = match d.unit {
            Unit::Percent => "%",
            Unit::Count => match lang {
                Lang::Vi => "số lượng",
                Lang::En => "count",
            },
            Unit::Text => "",
        };
        // `kind` tells the server that this row's code is the catalog's,
        // not something typed: the row counts only when filled in.
        let _ = write!(
            s,
            "<fieldset class=\"row indicator\" data-row=\"indicators\"><legend>{name} <span class=\"unit\">{unit}</span></legend>{msgs}\
             <input type=\"hidden\" name=\"{nm}[kind]\" value=\"catalog\">\
             <input type=\"hidden\" name=\"{nm}[id]\" data-field=\"id\" value=\"{code}\">",
            name = esc(&d.name),
            code = esc(&d.id.value),
            msgs = group_messages(&nm, &format!("{id}-msg"), c),
        );
        if d.unit == Unit::Text {
            s.push_str(&textarea(
                &format!("{id}-v"),
                "value",
                &format!("{nm}[value]"),
                &tr!(lang, "Tình hình", "Situation"),
                v.and_then(|v| v.value.as_deref()),
                2,
                c,
            ));
        } else {
            let _ = write!(
                s,
                "<div class=\"pair3\">{}{}{}</div>",
                amount_input(
                    &format!("{id}-t"),
                    "target",
                    &format!("{nm}[target]"),
                    &tr!(lang, "Chỉ tiêu năm trước", "Prior-year target"),
                    v.and_then(|v| v.target),
                    c
                ),
                amount_input(
                    &format!("{id}-a"),
                    "actual",
                    &format!("{nm}[actual]"),
                    &tr!(lang, "Ước thực hiện", "Prior-year estimate"),
                    v.and_then(|v| v.actual),
                    c
                ),
                amount_input(
                    &format!("{id}-g"),
                    "goal",
                    &format!("{nm}[goal]"),
                    &tr!(lang, "Mục tiêu năm nay", "This year's goal"),
                    v.and_then(|v| v.goal),
                    c
                ),
            );
        }
        s.push_str(&text_input(
            &format!("{id}-n"),
            "note",
            &format!("{nm}[note]"),
            &tr!(lang, "Ghi chú", "Note"),
            v.and_then(|v| v.note.as_deref()),
            "",
            c,
        ));
        s.push_str("</fieldset>");
    }
    // "Other goals": indicators outside the catalog, with their own names.
    let others: Vec<_> = doc
        .indicators
        .iter()
        .filter(|v| catalog.is_none_or(|c| c.indicator(&v.id).is_none()))
        .collect();
    let other = |i: &str, v: Option<&crate::plan_doc::IndicatorDoc>, spare: bool| -> String {
        let id = format!("io-{i}");
        let nm = match i.parse::<usize>() {
            Ok(n) => format!("indicators[{}]", defs.len() + n),
            Err(_) => format!("indicators[{i}]"),
        };
        let units = vec![
            ("percent".to_string(), "%".to_string()),
            ("count".to_string(), tr!(lang, "số lượng", "count")),
            ("text".to_string(), tr!(lang, "mô tả", "text")),
        ];
        format!(
            "<fieldset class=\"row indicator other{sp}\" data-row=\"indicators\"><legend>{legend}</legend>{msgs}{name}{code}{unit}\
             <div class=\"pair3\">{t}{a}{g}</div>{note}<button type=\"submit\" name=\"action\" value=\"remove-indicators-{at}\" formnovalidate class=\"remove-row link\">{rm}</button></fieldset>",
            at = nm.trim_start_matches("indicators[").trim_end_matches(']'),
            sp = if spare { " spare" } else { "" },
            msgs = group_messages(&nm, &format!("{id}-msg"), c),
            legend = tr!(lang, "Mục tiêu khác", "Other goal"),
            name = text_input(
                &format!("{id}-name"),
                "name",
                &format!("{nm}[name]"),
                &tr!(lang, "Tên chỉ tiêu", "Name"),
                v.and_then(|v| v.name.as_deref()),
                "",
                c
            ),
            code = text_input(
                &format!("{id}-id"),
                "id",
                &format!("{nm}[id]"),
                &tr!(
                    lang,
                    "Mã (chữ thường không dấu, gạch ngang)",
                    "Code (lowercase, hyphens)"
                ),
                v.map(|v| v.id.as_str()),
                "spellcheck=\"false\" autocapitalize=\"none\"",
                c
            ),
            unit = select(
                &format!("{id}-u"),
                "unit",
                &format!("{nm}[unit]"),
                &tr!(lang, "Đơn vị", "Unit"),
                &units,
                v.and_then(|v| v.unit.as_deref()).unwrap_or(""),
                c
            ),
            t = amount_input(
                &format!("{id}-t"),
                "target",
                &format!("{nm}[target]"),
                &tr!(lang, "Chỉ tiêu năm trước", "Prior-year target"),
                v.and_then(|v| v.target),
                c
            ),
            a = amount_input(
                &format!("{id}-a"),
                "actual",
                &format!("{nm}[actual]"),
                &tr!(lang, "Ước thực hiện", "Prior-year estimate"),
                v.and_then(|v| v.actual),
                c
            ),
            g = amount_input(
                &format!("{id}-g"),
                "goal",
                &format!("{nm}[goal]"),
                &tr!(lang, "Mục tiêu năm nay", "This year's goal"),
                v.and_then(|v| v.goal),
                c
            ),
            note = text_input(
                &format!("{id}-n"),
                "note",
                &format!("{nm}[note]"),
                &tr!(lang, "Ghi chú", "Note"),
                v.and_then(|v| v.note.as_deref()),
                "",
                c
            ),
            rm = tr!(lang, "Bỏ chỉ tiêu này", "Remove this goal"),
        )
    };
    for (i, v) in others.iter().enumerate() {
        s.push_str(&other(&i.to_string(), Some(v), false));
    }
    s.push_str(&other(&others.len().to_string(), None, true));
    let _ = write!(
        s,
        "<template class=\"row-template\">{}</template><button type=\"button\" class=\"add-row\">{}</button>",
        other("__R__", None, false),
        tr!(lang, "Thêm mục tiêu khác", "Add another goal")
    );
    s
}

fn plan_page(
    app: &App,
    session: &Session,
    year: &str,
    agency: &str,
    query: Option<&str>,
    lang: Lang,
) -> Response {
    // After a form post the browser is sent here (303) with what was done.
    let done = match query.unwrap_or("") {
        "saved" => Some(tr!(lang, "Đã lưu bản nháp.", "Draft saved.")),
        "submitted" => Some(tr!(
            lang,
            "Đã nộp kế hoạch. Sở sẽ xem và duyệt hoặc trả lại để sửa.",
            "The plan was submitted. The department will review it, and approve it or return it."
        )),
        _ => None,
    };
    let outcome = done.map(|d| {
        (
            StatusCode::OK,
            format!(
                "<div class=\"notice\" role=\"status\" tabindex=\"-1\" id=\"post-result\"><h2>{}</h2></div>",
                esc(&d)
            ),
        )
    });
    plan_page_with(app, session, year, agency, lang, outcome, None)
}

/// What a form post typed, shown again when it could not be saved.
pub(crate) struct Typed {
    pub(crate) doc: PlanDoc,
    pub(crate) sections: Sections,
    pub(crate) version: String,
    /// The check of what was typed, as the API's `diagnostics`.
    pub(crate) diagnostics: Value,
    pub(crate) raw: HashMap<String, String>,
    pub(crate) bad: Vec<(String, String)>,
}

/// The plan's page, with `outcome` (status and a box of what an upload or
/// a form post did) above the form.
fn plan_page_with(
    app: &App,
    session: &Session,
    year: &str,
    agency: &str,
    lang: Lang,
    outcome: Option<(StatusCode, String)>,
    typed: Option<Typed>,
) -> Response {
    // The same read as the API: same rights, same answers.
    let reply = app.read_for(session, year, agency);
    if reply.status != StatusCode::OK {
        let msg = reply
            .body
            .as_ref()
            .and_then(|b| b["error"]["message"].as_str())
            .unwrap_or("")
            .to_string();
        return html(
            reply.status,
            layout(
                lang,
                &reply.status.as_u16().to_string(),
                Some(session),
                &format!(
                    "<h1>{}</h1><p>{}</p><p><a href=\"/\">{}</a></p>",
                    match reply.status {
                        StatusCode::NOT_FOUND => tr!(lang, "Không có kế hoạch này", "No such plan"),
                        StatusCode::FORBIDDEN => {
                            tr!(
                                lang,
                                "Không được mở kế hoạch này",
                                "You may not open this plan"
                            )
                        }
                        s => s.as_u16().to_string(),
                    },
                    esc(&msg),
                    tr!(lang, "Về trang đầu", "Back to the start")
                ),
            ),
        );
    }
    let Some(body) = reply.body else {
        return html(StatusCode::INTERNAL_SERVER_ERROR, String::new());
    };
    let site = app.site();
    let year_n: i32 = year.parse().unwrap_or_default();
    let name = agency_name_in(&site, agency, year_n);
    let title = tr!(
        lang,
        "Kế hoạch ứng dụng CNTT năm {year_n} — {name}",
        "IT application plan {year_n} — {name}"
    );
    if body["plan"].is_null() {
        let diags = render_diagnostics(&body["diagnostics"], &[], &Ctx::new(lang), lang);
        let main = format!(
            "<h1>{}</h1><p>{}</p>{diags}",
            esc(&title),
            tr!(
                lang,
                "Tệp kế hoạch có lỗi cú pháp nên không mở được trong biểu mẫu. Người quản trị kho git cần sửa các lỗi dưới đây trước.",
                "The plan file has syntax errors and cannot be opened in the form. Whoever manages the git repository must fix the errors below first."
            )
        );
        return html(StatusCode::OK, layout(lang, &title, Some(session), &main));
    }
    let saved_doc: PlanDoc = serde_json::from_value(body["plan"].clone()).unwrap_or_default();
    let status = saved_doc.status.clone();
    let editable = status == "draft" && session.account.edits(agency);
    // What the page shows in the form: what was just posted when it could
    // not be saved (kept as typed), else the plan as saved.
    let (doc, sections, version, diagnostics, raw, bad) = match typed {
        Some(t) => (t.doc, t.sections, t.version, t.diagnostics, t.raw, t.bad),
        None => (
            saved_doc,
            serde_json::from_value::<Sections>(body["sections"].clone()).unwrap_or_default(),
            body["version"].as_str().unwrap_or("").to_string(),
            body["diagnostics"].clone(),
            HashMap::new(),
            Vec::new(),
        ),
    };
    let l = lists(&site, year_n);
    let unit = site
        .config
        .as_ref()
        .map_or("trieu-dong", |c| c.money_unit.id());
    let mut m = String::new();
    let _ = write!(
        m,
        "<h1>{}</h1><p class=\"status\">{}: <strong id=\"plan-status\">{}</strong></p>",
        esc(&title),
        tr!(lang, "Trạng thái", "Status"),
        esc(&status_label(&status, lang))
    );
    let page_status = match &outcome {
        Some((status, boxed)) => {
            m.push_str(boxed);
            *status
        }
        None => StatusCode::OK,
    };
    if body["prefilled"] == Value::Bool(true) {
        // The note is the one `new plan` writes for people who edit the
        // file; here the buttons below save and submit.
        let note: Vec<String> = body["note"]
            .as_str()
            .unwrap_or("")
            .lines()
            .map(|l| {
                if l.contains("submitted") {
                    tr!(
                        lang,
                        "Kiểm tra, sửa rồi bấm “Lưu bản nháp”; khi xong, bấm “Nộp kế hoạch”.",
                        "Check and correct it, then press “Save draft”; when done, press “Submit the plan”."
                    )
                } else {
                    l.to_string()
                }
            })
            .collect();
        let note = note.join("\n");
        let _ = write!(
            m,
            "<div class=\"notice\" role=\"note\"><h2>{}</h2><p class=\"pre\">{}</p></div>",
            tr!(
                lang,
                "Bản nháp điền sẵn từ kế hoạch năm trước, chưa lưu",
                "A draft prefilled from last year's plan, not saved yet"
            ),
            esc(&note)
        );
    }
    if let Some(c) = body["review"]["comment"].as_str() {
        let by = body["review"]["by"].as_str().unwrap_or("");
        let _ = write!(
            m,
            "<div class=\"notice\" role=\"note\"><h2>{}</h2><p>{}</p></div>",
            tr!(
                lang,
                "Sở trả lại kế hoạch ({by})",
                "Returned by the department ({by})",
            ),
            esc(c)
        );
    }
    let ctx = form_context(&doc, &site, agency, &diagnostics, raw, &bad, lang);
    let f = plan_form(&doc, &sections, &site, agency, &l, &ctx);
    let summary = render_diagnostics(&diagnostics, &bad, &ctx, lang);
    let _ = write!(
        m,
        "<div id=\"message\" role=\"status\" aria-live=\"polite\"></div>\
         <div id=\"summary\" tabindex=\"-1\">{summary}</div>"
    );
    // A real form: without JavaScript the browser posts it (urlencoded) to
    // the plan's page; with it, editor.js saves through the JSON API.
    let _ = write!(
        m,
        "<form id=\"plan\" method=\"post\" action=\"/plans/{year_n}/{a}\" data-year=\"{year_n}\" data-agency=\"{a}\" data-version=\"{v}\" data-unit=\"{unit}\" data-editable=\"{editable}\" novalidate>\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"version\" value=\"{v}\">\
         <fieldset class=\"whole\"{dis}><legend class=\"visually-hidden\">{title}</legend>{f}</fieldset>",
        a = esc(agency),
        v = esc(&version),
        csrf = esc(&session.csrf),
        dis = if editable { "" } else { " disabled" },
        title = esc(&title),
    );
    let _ = write!(
        m,
        "<div class=\"actions\"><a class=\"preview\" href=\"/preview/{year_n}/{a}/\" target=\"_blank\" rel=\"noopener\">{p}</a> ",
        a = esc(agency),
        p = tr!(
            lang,
            "Xem trước trang sẽ đăng (bản đã lưu)",
            "Preview the published page (saved version)"
        )
    );
    if editable {
        let _ = write!(
            m,
            "<button type=\"submit\" name=\"action\" value=\"save\" id=\"save\" class=\"primary\">{}</button>\
             <button type=\"submit\" name=\"action\" value=\"submit\" id=\"submit\">{}</button>",
            tr!(lang, "Lưu bản nháp", "Save draft"),
            tr!(lang, "Nộp kế hoạch", "Submit the plan")
        );
    }
    if session.account.role.reviews() && status == "submitted" {
        let _ = write!(
            m,
            "<div class=\"field\"><label for=\"return-comment\">{}</label><textarea id=\"return-comment\" rows=\"3\"></textarea></div>\
             <button type=\"button\" id=\"return\">{}</button><button type=\"button\" id=\"approve\" class=\"primary\">{}</button>",
            tr!(
                lang,
                "Lý do trả lại (cơ quan sẽ thấy)",
                "Why it is returned (the agency sees this)"
            ),
            tr!(lang, "Trả lại để sửa", "Return for changes"),
            tr!(lang, "Duyệt", "Approve")
        );
    }
    m.push_str("</div></form>");
    if editable {
        m.push_str(&upload_form(&session.csrf, year_n, agency, &version, lang));
    }
    html(page_status, layout(lang, &title, Some(session), &m))
}

/// The form's messages by field name: the check's diagnostics (at the
/// place of their JSON path, as the form lays the rows out) and the values
/// that could not be read.
fn form_context(
    doc: &PlanDoc,
    site: &Site,
    agency: &str,
    diagnostics: &Value,
    raw: HashMap<String, String>,
    bad: &[(String, String)],
    lang: Lang,
) -> Ctx {
    let mut ctx = Ctx::new(lang);
    ctx.raw = raw;
    // The form shows projects by priority and indicators catalog first:
    // a path's row number in the file becomes the row's number on the page.
    let projects = project_order(doc);
    let mut project_slot = vec![0; projects.len()];
    for (slot, file) in projects.iter().enumerate() {
        project_slot[*file] = slot;
    }
    let indicator_slot = indicator_slots(doc, site, agency);
    for d in diagnostics.as_array().into_iter().flatten() {
        let Some(path) = d["path"].as_str() else {
            continue;
        };
        let mut name = super::form::name_of_path(path);
        // A missing field is reported at its row: say it there.
        if d["code"] == "E006"
            && let Some(cut) = name.rfind('[')
            && name[..cut].ends_with(']')
        {
            name.truncate(cut);
        }
        let renumber = |name: &str, list: &str, slots: &[Option<usize>]| -> Option<String> {
            let rest = name.strip_prefix(list)?.strip_prefix('[')?;
            let (n, tail) = rest.split_once(']')?;
            let slot = slots.get(n.parse::<usize>().ok()?).copied().flatten()?;
            Some(format!("{list}[{slot}]{tail}"))
        };
        let slots: Vec<Option<usize>> = project_slot.iter().map(|s| Some(*s)).collect();
        let name = renumber(&name, "projects", &slots)
            .or_else(|| renumber(&name, "indicators", &indicator_slot))
            .unwrap_or(name);
        let text = format!(
            "{} {}",
            d["code"].as_str().unwrap_or(""),
            d["message"].as_str().unwrap_or("")
        );
        let sev = d["severity"].as_str().unwrap_or("error").to_string();
        ctx.messages
            .entry(name)
            .or_default()
            .push((sev, text.trim().to_string()));
    }
    for (name, message) in bad {
        ctx.messages
            .entry(name.clone())
            .or_default()
            .push(("error".into(), message.clone()));
    }
    ctx
}

/// The plan's projects in the order of the form: by priority, those
/// without one last, in the file's order otherwise.
fn project_order(doc: &PlanDoc) -> Vec<usize> {
    let mut order: Vec<usize> = (0..doc.projects.len()).collect();
    order.sort_by_key(|i| doc.projects[*i].priority.unwrap_or(i64::MAX));
    order
}

/// Every part of the plan as form fields, named for the post without
/// JavaScript and marked (`data-field`, `data-list`) for editor.js.
fn plan_form(
    doc: &PlanDoc,
    sections: &Sections,
    site: &Site,
    agency: &str,
    l: &Lists,
    c: &Ctx,
) -> String {
    let lang = c.lang;
    let year_n = doc.year;
    let mut m = String::new();
    let contact = doc.contact.clone().unwrap_or_default();
    let _ = write!(
        m,
        "<section data-object=\"contact\"><h2>{}</h2>{}{}{}</section>",
        tr!(lang, "Người liên hệ", "Contact"),
        text_input(
            "c-name",
            "name",
            "contact[name]",
            &tr!(lang, "Họ và tên", "Name"),
            contact.name.as_deref(),
            "autocomplete=\"name\"",
            c
        ),
        text_input(
            "c-phone",
            "phone",
            "contact[phone]",
            &tr!(lang, "Điện thoại", "Phone"),
            contact.phone.as_deref(),
            "autocomplete=\"tel\" inputmode=\"tel\"",
            c
        ),
        text_input(
            "c-email",
            "email",
            "contact[email]",
            &tr!(lang, "Thư điện tử", "E-mail"),
            contact.email.as_deref(),
            "autocomplete=\"email\" inputmode=\"email\"",
            c
        ),
    );
    let _ = write!(
        m,
        "<section><h2>{}</h2>{}</section>",
        tr!(
            lang,
            "I. Căn cứ lập kế hoạch (bổ sung)",
            "I. Legal bases (additions)"
        ),
        textarea(
            "legal",
            "legal_bases",
            "legal_bases",
            &tr!(
                lang,
                "Mỗi căn cứ một dòng; các căn cứ chung của kỳ đã có sẵn",
                "One per line; the cycle's common ones are already included"
            ),
            Some(&doc.legal_bases.join("\n")),
            3,
            c
        )
    );
    let _ = write!(
        m,
        "<section data-list=\"indicators\"><h2>{}</h2>{}</section>",
        tr!(lang, "II.1. Các chỉ tiêu", "II.1. Indicators"),
        indicator_rows(doc, site, agency, c)
    );
    let _ = write!(
        m,
        "<section data-list=\"spending\"><h2>{}</h2><div class=\"rows\">",
        tr!(
            lang,
            "II.2. Kinh phí đã chi năm trước",
            "II.2. Spending of the prior year"
        )
    );
    let blank_row = crate::plan_doc::SpendingDoc::default();
    for (i, r) in doc.spending.iter().enumerate() {
        m.push_str(&spending_row(&i.to_string(), r, l, false, c));
    }
    for i in doc.spending.len()..doc.spending.len() + SPARE_ROWS {
        m.push_str(&spending_row(&i.to_string(), &blank_row, l, true, c));
    }
    let _ = write!(
        m,
        "</div><template class=\"row-template\">{}</template><button type=\"button\" class=\"add-row\">{}</button></section>",
        spending_row("__R__", &blank_row, l, false, c),
        tr!(lang, "Thêm nhiệm vụ đã chi", "Add a task")
    );
    let _ = write!(
        m,
        "<section data-list=\"projects\"><h2>{}</h2><div class=\"rows\">",
        tr!(
            lang,
            "VI. Dự án, nhiệm vụ năm kế hoạch",
            "VI. Projects of the year"
        )
    );
    for (slot, file) in project_order(doc).into_iter().enumerate() {
        m.push_str(&project_row(
            &slot.to_string(),
            &doc.projects[file],
            l,
            false,
            c,
        ));
    }
    let next = doc
        .projects
        .iter()
        .filter_map(|p| p.priority)
        .max()
        .unwrap_or(0);
    let new_project = |priority: Option<i64>| crate::plan_doc::ProjectDoc {
        lead: agency.to_string(),
        priority,
        period: Some(crate::plan_doc::PeriodDoc {
            from: Some(year_n),
            to: Some(year_n),
        }),
        ..Default::default()
    };
    for k in 0..SPARE_ROWS {
        let slot = doc.projects.len() + k;
        let priority = next + i64::try_from(k).unwrap_or(0) + 1;
        m.push_str(&project_row(
            &slot.to_string(),
            &new_project(Some(priority)),
            l,
            true,
            c,
        ));
    }
    let _ = write!(
        m,
        "</div><template class=\"row-template\">{}</template><button type=\"button\" class=\"add-row\">{}</button></section>",
        project_row("__R__", &new_project(None), l, false, c),
        tr!(lang, "Thêm dự án, nhiệm vụ", "Add a project")
    );
    let _ = write!(
        m,
        "<section data-object=\"sections\"><h2>{}</h2><p class=\"hint no-script\">{}</p>",
        tr!(lang, "Các phần nội dung", "The written sections"),
        tr!(
            lang,
            "Trong trình duyệt không chạy JavaScript: mỗi danh sách ở trên có sẵn vài dòng trống để thêm; muốn bỏ một dòng, xóa hết nội dung của nó rồi lưu.",
            "In a browser without JavaScript: each list above has a few empty rows for additions; to remove a row, clear everything in it and save."
        )
    );
    let keys: Vec<(String, String)> =
        std::iter::once((INTRO.to_string(), tr!(lang, "Mở đầu", "Introduction")))
            .chain(
                SectionKey::ALL
                    .iter()
                    .map(|k| (k.id().to_string(), letter_heading(*k, year_n))),
            )
            .collect();
    for (key, heading) in keys {
        let _ = write!(
            m,
            "<div class=\"prose\"><div class=\"field\"><label for=\"s-{key}\">{h}</label>\
             <p class=\"hint\" id=\"s-{key}-h\">{g}</p>\
             <textarea id=\"s-{key}\" name=\"sections[{key}]\" data-field=\"{key}\" rows=\"6\" aria-describedby=\"s-{key}-h\">{v}</textarea></div></div>",
            h = esc(&heading),
            g = esc(&guidance(&key, lang)),
            v = esc(sections.get(&key).map_or("", String::as_str)),
        );
    }
    m.push_str("</section>");
    m
}

/// The form that uploads a filled workbook or Word plan: a plain
/// multipart form, so it works without JavaScript.
fn upload_form(csrf: &str, year: i32, agency: &str, version: &str, lang: Lang) -> String {
    format!(
        "<section class=\"upload\" aria-labelledby=\"up-h\"><h2 id=\"up-h\">{h}</h2>\
         <form method=\"post\" action=\"/plans/{year}/{a}/upload\" enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"version\" value=\"{v}\">\
         <div class=\"field\"><label for=\"upload-file\">{l}</label><p class=\"hint\" id=\"upload-h\">{hint}</p>\
         <input type=\"file\" id=\"upload-file\" name=\"file\" required aria-describedby=\"upload-h\" \
         accept=\".xlsx,.docx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.wordprocessingml.document\"></div>\
         <button type=\"submit\">{b}</button></form></section>",
        h = tr!(
            lang,
            "Nhập từ tệp Excel hoặc Word",
            "Import from an Excel or Word file"
        ),
        a = esc(agency),
        csrf = esc(csrf),
        v = esc(version),
        l = tr!(
            lang,
            "Tệp đã điền (.xlsx hoặc .docx)",
            "The filled file (.xlsx or .docx)"
        ),
        hint = tr!(
            lang,
            "Bảng tính Excel mà Sở gửi kèm công văn, hoặc kế hoạch Word theo mẫu của công văn; tối đa 10 MiB. Tệp được kiểm tra như khi gõ vào biểu mẫu; nếu đọc được, nó thay bản nháp hiện tại (bản cũ vẫn còn trong lịch sử).",
            "The Excel workbook the department sends with its letter, or a Word plan in the letter's layout; 10 MiB at most. It is checked as the form is; when it reads, it replaces the current draft (the old one stays in the history)."
        ),
        b = tr!(lang, "Tải lên và kiểm tra", "Upload and check"),
    )
}

/// `POST /plans/<year>/<agency>/upload` from [`upload_form`]: the same
/// request as the API's upload (same session, CSRF and version checks),
/// answered with the plan's page and what the upload did.
pub(crate) fn upload_post(
    app: &App,
    path: &str,
    headers: &HeaderMap,
    address: String,
    form: Option<Vec<(String, Vec<u8>)>>,
) -> Response {
    let lang = app.lang();
    let session = match app.session_of(headers) {
        Ok(Some(s)) => s,
        Ok(None) => return redirect("/login"),
        Err(e) => return html(StatusCode::INTERNAL_SERVER_ERROR, esc(&e.0)),
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ["plans", year, agency, "upload"] = parts.as_slice() else {
        return html(
            StatusCode::NOT_FOUND,
            layout(lang, "404", Some(&session), "<h1>404</h1>"),
        );
    };
    let fields = form.unwrap_or_default();
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    };
    let file = get("file").unwrap_or_default();
    if file.is_empty() {
        let msg = tr!(
            lang,
            "Chưa chọn tệp: bấm \"Chọn tệp\" ở mục Nhập từ tệp, chọn bảng tính .xlsx hoặc tệp Word .docx đã điền, rồi bấm Tải lên.",
            "No file chosen: press \"Choose file\" under Import, pick the filled .xlsx workbook or .docx Word file, then Upload."
        );
        return plan_page_with(
            app,
            &session,
            year,
            agency,
            lang,
            Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                error_box(lang, Some(&msg)),
            )),
            None,
        );
    }
    let text = |name: &str| String::from_utf8_lossy(get(name).unwrap_or_default()).into_owned();
    let mut h = HeaderMap::new();
    if let Some(c) = headers.get(header::COOKIE) {
        h.insert(header::COOKIE, c.clone());
    }
    if let Ok(v) = HeaderValue::from_str(&text("csrf")) {
        h.insert("x-csrf-token", v);
    }
    let version = text("version");
    if version.is_empty() {
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
    } else if let Ok(v) = HeaderValue::from_str(&version) {
        h.insert(header::IF_MATCH, v);
    }
    let api_path = format!("/api/plans/{year}/{agency}/upload");
    let reply = app.api(&api::Request {
        method: &axum::http::Method::POST,
        path: &api_path,
        headers: &h,
        address,
        body: file,
    });
    let body = reply.body.clone().unwrap_or(Value::Null);
    let boxed = if reply.status == StatusCode::OK {
        let errors = body["errors"].as_u64().unwrap_or(0);
        let list = body["import"].as_array().cloned().unwrap_or_default();
        let warnings = list
            .len()
            .saturating_sub(usize::try_from(errors).unwrap_or(0));
        let mut b = format!(
            "<div class=\"notice\" role=\"status\" tabindex=\"-1\" id=\"upload-result\"><h2>{}</h2>",
            if errors == 0 {
                tr!(
                    lang,
                    "Đã nhập tệp và lưu bản nháp: không có lỗi ({warnings} cảnh báo)",
                    "The file was imported and saved as the draft: no errors ({warnings} warnings)"
                )
            } else {
                tr!(
                    lang,
                    "Đã nhập tệp và lưu bản nháp, còn {errors} lỗi và {warnings} cảnh báo: sửa trong tệp rồi tải lên lại, hoặc sửa ngay trong biểu mẫu dưới đây",
                    "The file was imported and saved as the draft, with {errors} errors and {warnings} warnings: fix them in the file and upload it again, or here in the form"
                )
            }
        );
        b.push_str(&import_list(&list, lang));
        b.push_str("</div>");
        b
    } else {
        let message = body["error"]["message"].as_str().unwrap_or("").to_string();
        let mut b = error_box(lang, Some(&message));
        if let Some(list) = body["diagnostics"].as_array() {
            b.push_str(&import_list(list, lang));
        }
        b
    };
    let status = if reply.status == StatusCode::OK {
        StatusCode::OK
    } else {
        reply.status
    };
    plan_page_with(
        app,
        &session,
        year,
        agency,
        lang,
        Some((status, boxed)),
        None,
    )
}

/// A page that only says why a request was refused, before any session
/// is looked up.
pub(crate) fn message_page(status: StatusCode, message: &str, lang: Lang) -> Response {
    html(
        status,
        layout(
            lang,
            &status.as_u16().to_string(),
            None,
            &format!("<h1>{}</h1><p>{}</p>", status.as_u16(), esc(message)),
        ),
    )
}

/// A page that only says why a request was refused.
fn refusal(session: &Session, status: StatusCode, message: &str, lang: Lang) -> Response {
    html(
        status,
        layout(
            lang,
            &status.as_u16().to_string(),
            Some(session),
            &format!(
                "<h1>{}</h1><p>{}</p><p><a href=\"/\">{}</a></p>",
                status.as_u16(),
                esc(message),
                tr!(lang, "Về trang đầu", "Back to the start")
            ),
        ),
    )
}

fn reply_message(reply: &api::Reply) -> String {
    reply
        .body
        .as_ref()
        .and_then(|b| b["error"]["message"].as_str())
        .unwrap_or("")
        .to_string()
}

/// `POST /plans/<year>/<agency>`: the plan form posted without JavaScript
/// (`application/x-www-form-urlencoded`). It is read into the API's
/// `{plan, sections}` and saved by the API's own PUT (same session, CSRF,
/// rights, version and size checks), then submitted when that button was
/// pressed. A save answers 303 back to the page, which shows the saved plan
/// with the check's messages beside the fields; a post that cannot be saved
/// (a stale version, a value that cannot be read) shows the form again as
/// it was typed, with why.
pub(crate) fn plan_post(
    app: &App,
    path: &str,
    headers: &HeaderMap,
    address: String,
    body: &[u8],
) -> Response {
    let lang = app.lang();
    let session = match app.session_of(headers) {
        Ok(Some(s)) => s,
        Ok(None) => return redirect("/login"),
        Err(e) => return html(StatusCode::INTERNAL_SERVER_ERROR, esc(&e.0)),
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ["plans", year, agency] = parts.as_slice() else {
        return refusal(
            &session,
            StatusCode::NOT_FOUND,
            &tr!(lang, "Không có trang này.", "No such page."),
            lang,
        );
    };
    let fields = form_fields(body);
    // The token first: a form sent from another site learns nothing, not
    // even whether the plan exists.
    if !api::same_token(field(&fields, "csrf"), &session.csrf) {
        return refusal(
            &session,
            StatusCode::FORBIDDEN,
            &tr!(
                lang,
                "Thiếu hoặc sai mã chống giả mạo của biểu mẫu, nên chưa lưu gì. Hãy mở lại trang kế hoạch (đăng nhập lại nếu cần) rồi lưu lần nữa.",
                "The form's anti-forgery token is missing or wrong, so nothing was saved. Open the plan's page again (log in again if needed) and save once more."
            ),
            lang,
        );
    }
    if session.account.must_change {
        return redirect("/password");
    }
    if let Some(r) = app.edit_refusal(&session, year, agency) {
        return refusal(&session, r.status, &reply_message(&r), lang);
    }
    let site = app.site();
    let unit = site
        .config
        .as_ref()
        .map_or(crate::model::MoneyUnit::TrieuDong, |c| c.money_unit);
    let year_n: i32 = year.parse().unwrap_or_default();
    let posted = super::form::read(&fields, year_n, agency, unit, lang);
    let json = serde_json::json!({"plan": posted.doc, "sections": posted.sections}).to_string();
    let api_path = format!("/api/plans/{year_n}/{agency}");
    let mut h = HeaderMap::new();
    if let Some(c) = headers.get(header::COOKIE) {
        h.insert(header::COOKIE, c.clone());
    }
    if let Ok(v) = HeaderValue::from_str(&posted.csrf) {
        h.insert("x-csrf-token", v);
    }
    let call = |method: &axum::http::Method, path: &str, h: &HeaderMap| {
        app.api(&api::Request {
            method,
            path,
            headers: h,
            address: address.clone(),
            body: json.as_bytes(),
        })
    };
    let show_typed = |status: StatusCode, boxed: String, diagnostics: Value| {
        let typed = Typed {
            doc: posted.doc.clone(),
            sections: posted.sections.clone(),
            version: posted.version.clone(),
            diagnostics,
            raw: posted.raw.clone(),
            bad: posted.bad.clone(),
        };
        plan_page_with(
            app,
            &session,
            year,
            agency,
            lang,
            Some((status, boxed)),
            Some(typed),
        )
    };
    let plain = h.clone();
    let checked = || {
        let r = call(
            &axum::http::Method::POST,
            &format!("{api_path}/check"),
            &plain,
        );
        r.body.map_or(Value::Null, |b| b["diagnostics"].clone())
    };
    if !posted.bad.is_empty() {
        let n = posted.bad.len();
        let msg = tr!(
            lang,
            "Chưa lưu: {n} ô có giá trị không đọc được (đánh dấu bên dưới). Sửa các ô đó rồi lưu lại; những gì bạn gõ vẫn còn nguyên.",
            "Not saved: {n} fields hold values that cannot be read (marked below). Fix them and save again; everything you typed is still here."
        );
        return show_typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            error_box(lang, Some(&msg)),
            checked(),
        );
    }
    if posted.version.is_empty() {
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
    } else if let Ok(v) = HeaderValue::from_str(&posted.version) {
        h.insert(header::IF_MATCH, v);
    }
    let saved = call(&axum::http::Method::PUT, &api_path, &h);
    match saved.status {
        StatusCode::OK => {}
        StatusCode::PRECONDITION_FAILED => {
            let msg = tr!(
                lang,
                "Chưa lưu: kế hoạch đã được người khác thay đổi từ khi bạn mở nó, và lưu bây giờ sẽ xóa mất thay đổi của họ. Những gì bạn gõ vẫn còn nguyên trong biểu mẫu dưới đây. Hãy mở bản mới ở thẻ khác, chép phần của bạn sang đó rồi lưu ở đó.",
                "Not saved: someone else changed the plan since you opened it, and saving now would wipe out their change. Everything you typed is still in the form below. Open the new version in another tab, copy your part over and save there."
            );
            let boxed = format!(
                "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"conflict\"><h2>{}</h2><p>{}</p><p><a href=\"/plans/{year_n}/{a}\" target=\"_blank\" rel=\"noopener\">{}</a></p></div>",
                tr!(
                    lang,
                    "Người khác vừa sửa kế hoạch này",
                    "Someone else has just changed this plan"
                ),
                esc(&msg),
                tr!(
                    lang,
                    "Mở bản mới ở thẻ khác",
                    "Open the new version in another tab"
                ),
                a = esc(agency),
            );
            return show_typed(StatusCode::PRECONDITION_FAILED, boxed, checked());
        }
        StatusCode::UNAUTHORIZED => return redirect("/login"),
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
            return refusal(&session, saved.status, &reply_message(&saved), lang);
        }
        status => {
            let diagnostics = saved
                .body
                .as_ref()
                .map_or(Value::Null, |b| b["diagnostics"].clone());
            let diagnostics = if diagnostics.is_array() {
                diagnostics
            } else {
                checked()
            };
            return show_typed(
                status,
                error_box(lang, Some(&reply_message(&saved))),
                diagnostics,
            );
        }
    }
    let page = format!("/plans/{year_n}/{agency}");
    if posted.intent != Some(super::form::Intent::Submit) {
        return redirect(&format!("{page}?saved"));
    }
    let version = saved
        .body
        .as_ref()
        .and_then(|b| b["version"].as_str())
        .unwrap_or("")
        .to_string();
    let mut h2 = h.clone();
    h2.remove(header::IF_NONE_MATCH);
    if let Ok(v) = HeaderValue::from_str(&version) {
        h2.insert(header::IF_MATCH, v);
    }
    let submitted = app.api(&api::Request {
        method: &axum::http::Method::POST,
        path: &format!("{api_path}/submit"),
        headers: &h2,
        address: address.clone(),
        body: b"",
    });
    if submitted.status == StatusCode::OK {
        return redirect(&format!("{page}?submitted"));
    }
    // The draft is saved; the page shows it as saved, with the messages
    // that stop it from being submitted beside their fields.
    let msg = reply_message(&submitted);
    let saved_too = tr!(lang, "Bản nháp đã được lưu.", "The draft was saved.");
    plan_page_with(
        app,
        &session,
        year,
        agency,
        lang,
        Some((
            submitted.status,
            error_box(lang, Some(&format!("{msg} {saved_too}"))),
        )),
        None,
    )
}

/// The diagnostics of an import, each with where it is in the uploaded file
/// (`VI!K12`, a Word table's row and column).
fn import_list(list: &[Value], lang: Lang) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut s = String::from("<ul class=\"import-list\">");
    for d in list {
        let place = match (&d["cell"], &d["table"], &d["paragraph"]) {
            (Value::String(c), _, _) => c.clone(),
            (_, Value::Number(t), _) => {
                let (r, c) = (&d["row"], &d["column"]);
                tr!(
                    lang,
                    "bảng {t}, dòng {r}, cột {c}",
                    "table {t}, row {r}, column {c}"
                )
            }
            (_, _, Value::Number(p)) => tr!(lang, "đoạn {p}", "paragraph {p}"),
            _ => String::new(),
        };
        let _ = write!(
            s,
            "<li class=\"{sev}\"><strong>{code}</strong> {place}{sep}{msg}</li>",
            sev = esc(d["severity"].as_str().unwrap_or("")),
            code = esc(d["code"].as_str().unwrap_or("")),
            place = esc(&place),
            sep = if place.is_empty() { "" } else { ": " },
            msg = esc(d["message"].as_str().unwrap_or("")),
        );
    }
    s.push_str("</ul>");
    s
}

/// A file of the site's theme (`static/style.css`, the emblem, the
/// scripts), for the preview: the same bytes `build` publishes.
fn preview_asset(app: &App, name: &str, lang: Lang) -> Response {
    let site = app.site();
    let opts = crate::render::Options { drafts: true };
    let want = format!("static/{name}");
    let found = crate::render::theme_for(&app.root, &site, opts)
        .ok()
        .and_then(|t| t.statics.into_iter().find(|(p, _)| *p == want));
    let Some((_, bytes)) = found else {
        return html(
            StatusCode::NOT_FOUND,
            layout(lang, "404", None, "<h1>404</h1>"),
        );
    };
    let ctype = match name.rsplit_once('.').map(|(_, e)| e) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    };
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r
}

/// The saved plan rendered by the site's own theme, as `build --drafts`
/// would publish it, with the theme's stylesheet and pictures served
/// under `/preview/static/`.
fn preview(app: &App, session: &Session, year: &str, agency: &str, lang: Lang) -> Response {
    let reply = app.read_for(session, year, agency);
    let fail = |status: StatusCode, text: String| {
        html(
            status,
            layout(
                lang,
                &status.as_u16().to_string(),
                Some(session),
                &format!("<h1>{}</h1><p>{}</p>", status.as_u16(), esc(&text)),
            ),
        )
    };
    if reply.status != StatusCode::OK {
        let msg = reply
            .body
            .as_ref()
            .and_then(|b| b["error"]["message"].as_str())
            .unwrap_or("")
            .to_string();
        return fail(reply.status, msg);
    }
    let year_n: i32 = year.parse().unwrap_or_default();
    let current = match super::plans::read(&app.root, year_n, agency) {
        Ok(c) => c,
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let no_preview = tr!(
        lang,
        "Chưa xem trước được: hãy lưu bản nháp, và sửa các lỗi làm tệp không đọc được.",
        "No preview yet: save a draft, and fix any error that stops the file from being read."
    );
    let Some(text) = current.text else {
        return fail(StatusCode::NOT_FOUND, no_preview);
    };
    let site = app.site();
    let checked = super::plans::check_text(&site, year_n, agency, &text);
    let Some(plan) = checked.plan else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, no_preview);
    };
    let mut one = (*site).clone();
    for c in &mut one.cycles {
        if c.year == year_n {
            c.plans = vec![plan.clone()];
        } else {
            c.plans.clear();
        }
    }
    let opts = crate::render::Options { drafts: true };
    let rendered = crate::render::theme_for(&app.root, &one, opts).and_then(|theme| {
        let r = crate::render::Renderer::new(&one, &theme, opts)?;
        r.render_path(&format!("{year_n}/{agency}/index.html"))
            .unwrap_or_else(|| Err(Vec::new()))
    });
    match rendered {
        Ok(bytes) => html(StatusCode::OK, String::from_utf8_lossy(&bytes).into_owned()),
        Err(diags) => {
            let text = diags
                .iter()
                .map(|d| d.full_message())
                .collect::<Vec<_>>()
                .join(" ");
            fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{no_preview} {text}"),
            )
        }
    }
}

/// The summary above the form: every message, each a link to the field it
/// is shown beside when there is one.
fn render_diagnostics(diags: &Value, bad: &[(String, String)], ctx: &Ctx, lang: Lang) -> String {
    let list = diags.as_array().cloned().unwrap_or_default();
    if list.is_empty() && bad.is_empty() {
        return String::new();
    }
    let errors = list.iter().filter(|d| d["severity"] == "error").count() + bad.len();
    let warnings = list.len() + bad.len() - errors;
    let mut s = format!(
        "<div class=\"error-summary\" role=\"region\" aria-labelledby=\"sum-h\"><h2 id=\"sum-h\">{}</h2><ul>",
        tr!(
            lang,
            "{errors} lỗi, {warnings} cảnh báo",
            "{errors} errors, {warnings} warnings"
        )
    );
    let placed = ctx.placed.borrow();
    // Each message once, linked to the first field that shows it.
    let link = |text: &str| -> Option<String> {
        placed.iter().find_map(|(key, id)| {
            ctx.messages
                .get(key)
                .is_some_and(|l| l.iter().any(|(_, t)| t == text))
                .then(|| id.clone())
        })
    };
    let mut item = |sev: &str, text: String| {
        let inner = match link(&text) {
            Some(id) => format!("<a href=\"#{}\">{}</a>", esc(&id), esc(&text)),
            None => esc(&text),
        };
        let _ = write!(s, "<li class=\"{}\">{inner}</li>", esc(sev));
    };
    for (_, message) in bad {
        item("error", message.clone());
    }
    for d in &list {
        let sev = if d["severity"] == "error" {
            Severity::Error
        } else {
            Severity::Warning
        };
        let text = format!(
            "{} {}",
            d["code"].as_str().unwrap_or(""),
            d["message"].as_str().unwrap_or("")
        );
        item(sev.as_str(), text.trim().to_string());
    }
    s.push_str("</ul></div>");
    s
}

fn review_page(app: &App, session: &Session, year: &str, lang: Lang) -> Response {
    if !session.account.role.reviews() {
        return html(
            StatusCode::FORBIDDEN,
            layout(
                lang,
                "403",
                Some(session),
                &format!(
                    "<h1>403</h1><p>{}</p>",
                    tr!(
                        lang,
                        "Chỉ người duyệt xem được trang này.",
                        "Only reviewers may see this page."
                    )
                ),
            ),
        );
    }
    let site = app.site();
    let Some(year_n) = year
        .parse::<i32>()
        .ok()
        .filter(|y| site.cycles.iter().any(|c| c.year == *y))
    else {
        return html(
            StatusCode::NOT_FOUND,
            layout(lang, "404", Some(session), "<h1>404</h1>"),
        );
    };
    let rows = match super::review::StatusCache::rows(&app.status, &app.root, year_n, lang) {
        Ok(rows) => rows,
        Err(e) => {
            return html(
                StatusCode::CONFLICT,
                layout(
                    lang,
                    "409",
                    Some(session),
                    &format!("<h1>409</h1><p>{}</p>", esc(&e.message)),
                ),
            );
        }
    };
    let title = tr!(
        lang,
        "Tình hình nộp kế hoạch năm {year_n}",
        "Submissions for {year_n}"
    );
    let mut m = format!(
        "<h1>{t}</h1><div class=\"table-wrap\"><table><caption class=\"visually-hidden\">{t}</caption><thead><tr><th scope=\"col\">{a}</th><th scope=\"col\">{s}</th><th scope=\"col\">{d}</th><th scope=\"col\">{e}</th><th scope=\"col\">{c}</th></tr></thead><tbody>",
        t = esc(&title),
        a = tr!(lang, "Cơ quan", "Agency"),
        s = tr!(lang, "Tình trạng", "State"),
        d = tr!(lang, "Ngày nộp", "Submitted"),
        e = tr!(lang, "Số lỗi", "Errors"),
        c = tr!(lang, "Thay đổi gần nhất", "Last change"),
    );
    for r in &rows {
        let date =
            |d: Option<chrono::NaiveDate>| d.map(crate::render::format::date).unwrap_or_default();
        let _ = write!(
            m,
            "<tr><th scope=\"row\"><a href=\"/plans/{year_n}/{c}\">{n}</a></th><td>{state}</td><td>{s}</td><td>{e}</td><td>{l}</td></tr>",
            c = esc(&r.code),
            n = esc(&r.name),
            state = esc(r.submission.label(lang)),
            s = date(r.submitted),
            e = r.errors,
            l = date(r.last_change),
        );
    }
    m.push_str("</tbody></table></div>");
    let chase = rows.iter().filter(|r| r.submission.to_chase()).count();
    let _ = write!(
        m,
        "<section class=\"reminders\" aria-labelledby=\"rem-h\"><h2 id=\"rem-h\">{h}</h2><p>{p}</p>",
        h = tr!(lang, "Thư nhắc", "Reminders"),
        p = if chase == 0 {
            tr!(
                lang,
                "Mọi cơ quan đã gửi kế hoạch hợp lệ: không cần nhắc.",
                "Every agency has filed a valid plan: nobody to remind."
            )
        } else {
            tr!(
                lang,
                "{chase} cơ quan chưa gửi, còn bản nháp hoặc kế hoạch có lỗi. Tệp nén gồm một thư (.eml) cho mỗi cơ quan có email, mở được bằng Outlook hay Thunderbird, và reminders.csv để trộn thư; không thư nào được gửi đi từ trang này.",
                "{chase} agencies have not filed, have a draft or a plan with errors. The zip holds one message (.eml) per agency with an e-mail address, which Outlook or Thunderbird opens, and reminders.csv for a mail merge; nothing is sent from this page."
            )
        },
    );
    if chase > 0 {
        let _ = write!(
            m,
            "<p><a class=\"button\" href=\"/review/{year_n}/reminders.zip\" download>{}</a></p>",
            tr!(lang, "Tải thư nhắc (.zip)", "Download the reminders (.zip)")
        );
    }
    m.push_str("</section>");
    html(StatusCode::OK, layout(lang, &title, Some(session), &m))
}

/// The reminders of `planpress remind YEAR` as one zip, for a reviewer or an
/// administrator only. A GET that changes nothing: the files are written to
/// a private temporary folder, packed and removed; nothing is sent.
fn reminders(app: &App, session: &Session, year: &str, lang: Lang) -> Response {
    let refuse = |status: StatusCode, text: String| {
        html(
            status,
            layout(
                lang,
                &status.as_u16().to_string(),
                Some(session),
                &format!(
                    "<h1>{}</h1><p>{}</p><p><a href=\"/\">{}</a></p>",
                    status.as_u16(),
                    esc(&text),
                    tr!(lang, "Về trang đầu", "Back to the start")
                ),
            ),
        )
    };
    if !session.account.role.reviews() {
        return refuse(
            StatusCode::FORBIDDEN,
            tr!(
                lang,
                "Chỉ người duyệt (reviewer) hoặc quản trị viên tải được thư nhắc.",
                "Only a reviewer or an administrator may download the reminders."
            ),
        );
    }
    let site = app.site();
    let Some(year_n) = year
        .parse::<i32>()
        .ok()
        .filter(|y| site.cycles.iter().any(|c| c.year == *y))
    else {
        return refuse(
            StatusCode::NOT_FOUND,
            tr!(
                lang,
                "Không có kỳ kế hoạch {year}.",
                "There is no cycle {year}."
            ),
        );
    };
    match super::review::reminders_zip(&app.root, year_n, lang) {
        Ok(r) => {
            let mut resp = Response::new(Body::from(r.zip));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!(
                "attachment; filename=\"nhac-nop-ke-hoach-{year_n}.zip\""
            )) {
                resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
        Err(e) => refuse(StatusCode::CONFLICT, e.message),
    }
}
