//! The editor's pages: server-rendered HTML that reads without JavaScript,
//! with every value of the plan in its field. `editor.js` (embedded, no
//! framework, no build step) adds saving through the JSON API, the live
//! check, the meaning of amounts, running split sums, reordering and rows.
//! No inline script or style: the CSP forbids them.

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
pub(crate) fn page(app: &App, path: &str, _query: Option<&str>, headers: &HeaderMap) -> Response {
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
        ["plans", year, agency] => plan_page(app, &session, year, agency, lang),
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

/// An amount field: Vietnamese-style text, its meaning shown beside it.
fn amount_input(id: &str, field: &str, label: &str, value: Option<Decimal>) -> String {
    format!(
        "<div class=\"field amount-field\"><label for=\"{id}\">{label}</label>\
         <input id=\"{id}\" data-field=\"{field}\" class=\"amount\" inputmode=\"decimal\" autocomplete=\"off\" value=\"{v}\" aria-describedby=\"{id}-m\">\
         <span class=\"meaning\" id=\"{id}-m\" aria-live=\"polite\"></span></div>",
        v = esc(&amount_text(value)),
    )
}

fn text_input(id: &str, field: &str, label: &str, value: Option<&str>, extra: &str) -> String {
    format!(
        "<div class=\"field\"><label for=\"{id}\">{label}</label>\
         <input id=\"{id}\" data-field=\"{field}\" value=\"{v}\" {extra}></div>",
        v = esc(value.unwrap_or(""))
    )
}

fn textarea(id: &str, field: &str, label: &str, value: Option<&str>, rows: u8) -> String {
    format!(
        "<div class=\"field\"><label for=\"{id}\">{label}</label>\
         <textarea id=\"{id}\" data-field=\"{field}\" rows=\"{rows}\">{v}</textarea></div>",
        v = esc(value.unwrap_or(""))
    )
}

fn select(id: &str, field: &str, label: &str, options: &[(String, String)], value: &str) -> String {
    let mut s = format!(
        "<div class=\"field\"><label for=\"{id}\">{label}</label><select id=\"{id}\" data-field=\"{field}\"><option value=\"\"></option>"
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
    s.push_str("</select></div>");
    s
}

/// A split over levels or kinds: rows of (code, amount) with a running sum.
fn split_editor(
    id: &str,
    field: &str,
    legend: &str,
    options: &[(String, String)],
    split: &SplitDoc,
    lang: Lang,
) -> String {
    let mut s = format!(
        "<fieldset class=\"split\" data-split=\"{field}\" id=\"{id}\"><legend>{legend}</legend><div class=\"split-rows\">"
    );
    let row = |i: usize, code: &str, amount: Option<Decimal>| -> String {
        let rid = format!("{id}-{i}");
        format!(
            "<div class=\"split-row\">{}{}<button type=\"button\" class=\"remove-split link\">{}</button></div>",
            select(
                &format!("{rid}-c"),
                "code",
                &tr!(lang, "Nguồn", "Source"),
                options,
                code
            ),
            amount_input(
                &format!("{rid}-a"),
                "amount",
                &tr!(lang, "Số tiền", "Amount"),
                amount
            ),
            tr!(lang, "Bỏ dòng này", "Remove this line")
        )
    };
    for (i, (code, amount)) in split.0.iter().enumerate() {
        s.push_str(&row(i, code, Some(*amount)));
    }
    let _ = write!(
        s,
        "</div><template class=\"split-template\">{}</template>\
         <button type=\"button\" class=\"add-split\">{}</button>\
         <p class=\"split-sum\" aria-live=\"polite\"></p></fieldset>",
        row(usize::MAX, "", None).replace(&usize::MAX.to_string(), "__S__"),
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

fn spending_row(i: &str, r: &crate::plan_doc::SpendingDoc, l: &Lists, lang: Lang) -> String {
    let id = format!("sp-{i}");
    format!(
        "<fieldset class=\"row\" data-row=\"spending\"><legend>{legend}</legend>{cat}{task}{total}{levels}{kinds}{basis}\
         <button type=\"button\" class=\"remove-row link\">{rm}</button></fieldset>",
        legend = tr!(lang, "Nhiệm vụ đã chi", "Task"),
        cat = select(
            &format!("{id}-cat"),
            "category",
            &tr!(lang, "Hạng mục", "Category"),
            &l.categories,
            &r.category
        ),
        task = text_input(
            &format!("{id}-task"),
            "task",
            &tr!(lang, "Tên nhiệm vụ", "Task"),
            Some(&r.task),
            ""
        ),
        total = amount_input(
            &format!("{id}-total"),
            "total",
            &tr!(lang, "Tổng kinh phí", "Total"),
            r.total
        ),
        levels = split_editor(
            &format!("{id}-lv"),
            "levels",
            &tr!(lang, "Theo cấp ngân sách", "By budget level"),
            &l.levels,
            &r.levels,
            lang
        ),
        kinds = split_editor(
            &format!("{id}-kd"),
            "kinds",
            &tr!(lang, "Theo nguồn vốn", "By kind of funds"),
            &l.kinds,
            &r.kinds,
            lang
        ),
        basis = text_input(
            &format!("{id}-basis"),
            "basis",
            &tr!(
                lang,
                "Ghi chú (quyết định phê duyệt)",
                "Note (approving decision)"
            ),
            r.basis.as_deref(),
            ""
        ),
        rm = tr!(lang, "Bỏ nhiệm vụ này", "Remove this task"),
    )
}

fn project_row(i: &str, p: &crate::plan_doc::ProjectDoc, l: &Lists, lang: Lang) -> String {
    let id = format!("pj-{i}");
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
        "<fieldset class=\"row project\" data-row=\"projects\"><legend>{legend} <span class=\"priority-label\">{prio}</span></legend>\
         <input type=\"hidden\" data-field=\"priority\" value=\"{pv}\">\
         <div class=\"reorder\"><button type=\"button\" class=\"move-up\">{up}</button><button type=\"button\" class=\"move-down\">{down}</button></div>\
         {name}{pid}{cat}{objective}\
         <div class=\"pair\">{from}{to}</div>{lead}\
         <div class=\"field\"><label for=\"{id}-partners\">{partners}</label><select multiple size=\"4\" id=\"{id}-partners\" data-field=\"partners\">{partner_options}</select></div>\
         {done}{todo}<div class=\"pair3\">{total}{spent}{planned}</div>{levels}{kinds}\
         {investor}{approval}{necessity}{standards}{location}{note}\
         <button type=\"button\" class=\"remove-row link\">{rm}</button></fieldset>",
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
            &tr!(lang, "Tên dự án, nhiệm vụ", "Name"),
            Some(&p.name),
            ""
        ),
        pid = text_input(
            &format!("{id}-id"),
            "id",
            &tr!(
                lang,
                "Mã (chữ thường không dấu, gạch ngang)",
                "Code (lowercase, hyphens)"
            ),
            Some(&p.id),
            "pattern=\"[a-z0-9-]+\" spellcheck=\"false\" autocapitalize=\"none\""
        ),
        cat = select(
            &format!("{id}-cat"),
            "category",
            &tr!(lang, "Hạng mục", "Category"),
            &l.categories,
            &p.category
        ),
        objective = textarea(
            &format!("{id}-obj"),
            "objective",
            &tr!(lang, "Mục tiêu, quy mô", "Objective and scale"),
            p.objective.as_deref(),
            2
        ),
        from = text_input(
            &format!("{id}-from"),
            "period.from",
            &tr!(lang, "Thực hiện từ năm", "From year"),
            year(period.from).as_deref(),
            "inputmode=\"numeric\""
        ),
        to = text_input(
            &format!("{id}-to"),
            "period.to",
            &tr!(lang, "Đến năm", "To year"),
            year(period.to).as_deref(),
            "inputmode=\"numeric\""
        ),
        lead = select(
            &format!("{id}-lead"),
            "lead",
            &tr!(lang, "Đơn vị chủ trì", "Lead agency"),
            &l.agencies,
            &p.lead
        ),
        partners = tr!(
            lang,
            "Đơn vị phối hợp (giữ Ctrl để chọn nhiều)",
            "Partner agencies (hold Ctrl for several)"
        ),
        done = textarea(
            &format!("{id}-done"),
            "done",
            &tr!(lang, "Đã triển khai", "Done so far"),
            p.done.as_deref(),
            2
        ),
        todo = textarea(
            &format!("{id}-todo"),
            "todo",
            &tr!(lang, "Cần triển khai trong năm", "To do this year"),
            p.todo.as_deref(),
            2
        ),
        total = amount_input(
            &format!("{id}-ct"),
            "cost.total",
            &tr!(lang, "Tổng kinh phí", "Total cost"),
            p.cost.total
        ),
        spent = amount_input(
            &format!("{id}-cs"),
            "cost.spent",
            &tr!(lang, "Đã thực hiện", "Spent"),
            p.cost.spent
        ),
        planned = amount_input(
            &format!("{id}-cp"),
            "cost.planned",
            &tr!(lang, "Cần thực hiện trong năm", "Planned this year"),
            p.cost.planned
        ),
        levels = split_editor(
            &format!("{id}-lv"),
            "levels",
            &tr!(
                lang,
                "Kinh phí năm theo cấp ngân sách",
                "This year's funds by level"
            ),
            &l.levels,
            &p.levels,
            lang
        ),
        kinds = split_editor(
            &format!("{id}-kd"),
            "kinds",
            &tr!(
                lang,
                "Kinh phí năm theo nguồn vốn",
                "This year's funds by kind"
            ),
            &l.kinds,
            &p.kinds,
            lang
        ),
        investor = text_input(
            &format!("{id}-inv"),
            "investor",
            &tr!(lang, "Chủ đầu tư", "Investor"),
            p.investor.as_deref(),
            ""
        ),
        approval = text_input(
            &format!("{id}-appr"),
            "approval",
            &tr!(lang, "Quyết định phê duyệt", "Approving decision"),
            p.approval.as_deref(),
            ""
        ),
        necessity = textarea(
            &format!("{id}-nec"),
            "necessity",
            &tr!(lang, "Sự cần thiết phải đầu tư", "Why it is needed"),
            p.necessity.as_deref(),
            2
        ),
        standards = textarea(
            &format!("{id}-std"),
            "standards",
            &tr!(
                lang,
                "Tiêu chuẩn kỹ thuật, công nghệ áp dụng",
                "Standards and technology"
            ),
            p.standards.as_deref(),
            2
        ),
        location = text_input(
            &format!("{id}-loc"),
            "location",
            &tr!(lang, "Địa điểm", "Location"),
            p.location.as_deref(),
            ""
        ),
        note = text_input(
            &format!("{id}-note"),
            "note",
            &tr!(lang, "Ghi chú", "Note"),
            p.note.as_deref(),
            ""
        ),
        rm = tr!(lang, "Bỏ dự án này", "Remove this project"),
    )
}

fn indicator_rows(doc: &PlanDoc, site: &Site, agency: &str, lang: Lang) -> String {
    let mut s = String::new();
    let catalog = site.catalog_for(doc.year);
    let defs: Vec<_> = catalog
        .map(|c| {
            c.indicators
                .iter()
                .filter(|d| d.provider.as_ref().is_none_or(|p| p.value == agency))
                .collect()
        })
        .unwrap_or_default();
    for (i, d) in defs.iter().enumerate() {
        let v = doc.indicators.iter().find(|v| v.id == d.id.value);
        let id = format!("in-{i}");
        let unit = match d.unit {
            Unit::Percent => "%",
            Unit::Count => match lang {
                Lang::Vi => "số lượng",
                Lang::En => "count",
            },
            Unit::Text => "",
        };
        let _ = write!(
            s,
            "<fieldset class=\"row indicator\" data-row=\"indicators\"><legend>{name} <span class=\"unit\">{unit}</span></legend>\
             <input type=\"hidden\" data-field=\"id\" value=\"{code}\">",
            name = esc(&d.name),
            code = esc(&d.id.value)
        );
        if d.unit == Unit::Text {
            s.push_str(&textarea(
                &format!("{id}-v"),
                "value",
                &tr!(lang, "Tình hình", "Situation"),
                v.and_then(|v| v.value.as_deref()),
                2,
            ));
        } else {
            let _ = write!(
                s,
                "<div class=\"pair3\">{}{}{}</div>",
                amount_input(
                    &format!("{id}-t"),
                    "target",
                    &tr!(lang, "Chỉ tiêu năm trước", "Prior-year target"),
                    v.and_then(|v| v.target)
                ),
                amount_input(
                    &format!("{id}-a"),
                    "actual",
                    &tr!(lang, "Ước thực hiện", "Prior-year estimate"),
                    v.and_then(|v| v.actual)
                ),
                amount_input(
                    &format!("{id}-g"),
                    "goal",
                    &tr!(lang, "Mục tiêu năm nay", "This year's goal"),
                    v.and_then(|v| v.goal)
                ),
            );
        }
        s.push_str(&text_input(
            &format!("{id}-n"),
            "note",
            &tr!(lang, "Ghi chú", "Note"),
            v.and_then(|v| v.note.as_deref()),
            "",
        ));
        s.push_str("</fieldset>");
    }
    // "Other goals": indicators outside the catalog, with their own names.
    let others: Vec<_> = doc
        .indicators
        .iter()
        .filter(|v| catalog.is_none_or(|c| c.indicator(&v.id).is_none()))
        .collect();
    let other = |i: &str, v: Option<&crate::plan_doc::IndicatorDoc>| -> String {
        let id = format!("io-{i}");
        let units = vec![
            ("percent".to_string(), "%".to_string()),
            ("count".to_string(), tr!(lang, "số lượng", "count")),
            ("text".to_string(), tr!(lang, "mô tả", "text")),
        ];
        format!(
            "<fieldset class=\"row indicator other\" data-row=\"indicators\"><legend>{legend}</legend>{name}{code}{unit}\
             <div class=\"pair3\">{t}{a}{g}</div>{note}<button type=\"button\" class=\"remove-row link\">{rm}</button></fieldset>",
            legend = tr!(lang, "Mục tiêu khác", "Other goal"),
            name = text_input(
                &format!("{id}-name"),
                "name",
                &tr!(lang, "Tên chỉ tiêu", "Name"),
                v.and_then(|v| v.name.as_deref()),
                ""
            ),
            code = text_input(
                &format!("{id}-id"),
                "id",
                &tr!(
                    lang,
                    "Mã (chữ thường không dấu, gạch ngang)",
                    "Code (lowercase, hyphens)"
                ),
                v.map(|v| v.id.as_str()),
                "spellcheck=\"false\" autocapitalize=\"none\""
            ),
            unit = select(
                &format!("{id}-u"),
                "unit",
                &tr!(lang, "Đơn vị", "Unit"),
                &units,
                v.and_then(|v| v.unit.as_deref()).unwrap_or("")
            ),
            t = amount_input(
                &format!("{id}-t"),
                "target",
                &tr!(lang, "Chỉ tiêu năm trước", "Prior-year target"),
                v.and_then(|v| v.target)
            ),
            a = amount_input(
                &format!("{id}-a"),
                "actual",
                &tr!(lang, "Ước thực hiện", "Prior-year estimate"),
                v.and_then(|v| v.actual)
            ),
            g = amount_input(
                &format!("{id}-g"),
                "goal",
                &tr!(lang, "Mục tiêu năm nay", "This year's goal"),
                v.and_then(|v| v.goal)
            ),
            note = text_input(
                &format!("{id}-n"),
                "note",
                &tr!(lang, "Ghi chú", "Note"),
                v.and_then(|v| v.note.as_deref()),
                ""
            ),
            rm = tr!(lang, "Bỏ chỉ tiêu này", "Remove this goal"),
        )
    };
    for (i, v) in others.iter().enumerate() {
        s.push_str(&other(&i.to_string(), Some(v)));
    }
    let _ = write!(
        s,
        "<template class=\"row-template\">{}</template><button type=\"button\" class=\"add-row\">{}</button>",
        other("__R__", None),
        tr!(lang, "Thêm mục tiêu khác", "Add another goal")
    );
    s
}

fn plan_page(app: &App, session: &Session, year: &str, agency: &str, lang: Lang) -> Response {
    plan_page_with(app, session, year, agency, lang, None)
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
        let diags = render_diagnostics(&body["diagnostics"], lang);
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
    let doc: PlanDoc = serde_json::from_value(body["plan"].clone()).unwrap_or_default();
    let sections: Sections = serde_json::from_value(body["sections"].clone()).unwrap_or_default();
    let editable = doc.status == "draft" && session.account.edits(agency);
    let l = lists(&site, year_n);
    let unit = site
        .config
        .as_ref()
        .map_or("trieu-dong", |c| c.money_unit.id());
    let version = body["version"].as_str().unwrap_or("");
    let mut m = String::new();
    let _ = write!(
        m,
        "<h1>{}</h1><p class=\"status\">{}: <strong id=\"plan-status\">{}</strong></p>",
        esc(&title),
        tr!(lang, "Trạng thái", "Status"),
        esc(&status_label(&doc.status, lang))
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
    let _ = write!(
        m,
        "<div id=\"message\" role=\"status\" aria-live=\"polite\"></div>\
         <div id=\"summary\" tabindex=\"-1\">{}</div>",
        render_diagnostics(&body["diagnostics"], lang)
    );
    let _ = write!(
        m,
        "<form id=\"plan\" data-year=\"{year_n}\" data-agency=\"{a}\" data-version=\"{v}\" data-unit=\"{unit}\" data-editable=\"{editable}\" novalidate>\
         <fieldset class=\"whole\"{dis}><legend class=\"visually-hidden\">{title}</legend>",
        a = esc(agency),
        v = esc(version),
        dis = if editable { "" } else { " disabled" },
        title = esc(&title),
    );
    // Contact and legal bases.
    let contact = doc.contact.clone().unwrap_or_default();
    let _ = write!(
        m,
        "<section data-object=\"contact\"><h2>{}</h2>{}{}{}</section>",
        tr!(lang, "Người liên hệ", "Contact"),
        text_input(
            "c-name",
            "name",
            &tr!(lang, "Họ và tên", "Name"),
            contact.name.as_deref(),
            "autocomplete=\"name\""
        ),
        text_input(
            "c-phone",
            "phone",
            &tr!(lang, "Điện thoại", "Phone"),
            contact.phone.as_deref(),
            "autocomplete=\"tel\" inputmode=\"tel\""
        ),
        text_input(
            "c-email",
            "email",
            &tr!(lang, "Thư điện tử", "E-mail"),
            contact.email.as_deref(),
            "autocomplete=\"email\" inputmode=\"email\""
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
            &tr!(
                lang,
                "Mỗi căn cứ một dòng; các căn cứ chung của kỳ đã có sẵn",
                "One per line; the cycle's common ones are already included"
            ),
            Some(&doc.legal_bases.join("\n")),
            3
        )
    );
    let _ = write!(
        m,
        "<section data-list=\"indicators\"><h2>{}</h2>{}</section>",
        tr!(lang, "II.1. Các chỉ tiêu", "II.1. Indicators"),
        indicator_rows(&doc, &site, agency, lang)
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
    for (i, r) in doc.spending.iter().enumerate() {
        m.push_str(&spending_row(&i.to_string(), r, &l, lang));
    }
    let _ = write!(
        m,
        "</div><template class=\"row-template\">{}</template><button type=\"button\" class=\"add-row\">{}</button></section>",
        spending_row("__R__", &crate::plan_doc::SpendingDoc::default(), &l, lang),
        tr!(lang, "Thêm nhiệm vụ đã chi", "Add a task")
    );
    let mut projects = doc.projects.clone();
    projects.sort_by_key(|p| p.priority.unwrap_or(i64::MAX));
    let _ = write!(
        m,
        "<section data-list=\"projects\"><h2>{}</h2><div class=\"rows\">",
        tr!(
            lang,
            "VI. Dự án, nhiệm vụ năm kế hoạch",
            "VI. Projects of the year"
        )
    );
    for (i, p) in projects.iter().enumerate() {
        m.push_str(&project_row(&i.to_string(), p, &l, lang));
    }
    let new_project = crate::plan_doc::ProjectDoc {
        lead: agency.to_string(),
        period: Some(crate::plan_doc::PeriodDoc {
            from: Some(year_n),
            to: Some(year_n),
        }),
        ..Default::default()
    };
    let _ = write!(
        m,
        "</div><template class=\"row-template\">{}</template><button type=\"button\" class=\"add-row\">{}</button></section>",
        project_row("__R__", &new_project, &l, lang),
        tr!(lang, "Thêm dự án, nhiệm vụ", "Add a project")
    );
    let _ = write!(
        m,
        "<section data-object=\"sections\"><h2>{}</h2>",
        tr!(lang, "Các phần nội dung", "The written sections")
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
             <textarea id=\"s-{key}\" data-field=\"{key}\" rows=\"6\" aria-describedby=\"s-{key}-h\">{v}</textarea></div></div>",
            h = esc(&heading),
            g = esc(&guidance(&key, lang)),
            v = esc(sections.get(&key).map_or("", String::as_str)),
        );
    }
    m.push_str("</section></fieldset>");
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
            "<button type=\"button\" id=\"save\" class=\"primary\">{}</button>\
             <button type=\"button\" id=\"submit\">{}</button>",
            tr!(lang, "Lưu bản nháp", "Save draft"),
            tr!(lang, "Nộp kế hoạch", "Submit the plan")
        );
    }
    if session.account.role.reviews() && doc.status == "submitted" {
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
        m.push_str(&upload_form(&session.csrf, year_n, agency, version, lang));
    }
    html(page_status, layout(lang, &title, Some(session), &m))
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
    plan_page_with(app, &session, year, agency, lang, Some((status, boxed)))
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

fn render_diagnostics(diags: &Value, lang: Lang) -> String {
    let Some(list) = diags.as_array().filter(|l| !l.is_empty()) else {
        return String::new();
    };
    let errors = list.iter().filter(|d| d["severity"] == "error").count();
    let warnings = list.len() - errors;
    let mut s = format!(
        "<div class=\"error-summary\" role=\"region\" aria-labelledby=\"sum-h\"><h2 id=\"sum-h\">{}</h2><ul>",
        tr!(
            lang,
            "{errors} lỗi, {warnings} cảnh báo",
            "{errors} errors, {warnings} warnings"
        )
    );
    for d in list {
        let sev = if d["severity"] == "error" {
            Severity::Error
        } else {
            Severity::Warning
        };
        let _ = write!(
            s,
            "<li class=\"{}\"><strong>{}</strong> {}</li>",
            sev.as_str(),
            esc(d["code"].as_str().unwrap_or("")),
            esc(d["message"].as_str().unwrap_or(""))
        );
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
