//! Themes: the built-in `default` theme, overridden one file at a time by a
//! site's `themes/<name>/`. Template problems are E060 with file and line.

use std::path::Path;

use serde_json::Value;
use tera::{ErrorKind, Tera};
use walkdir::WalkDir;

use crate::diag::{Code, Diagnostic, Lang, Pos, Sink, tr};

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

/// The default theme's templates, compiled into the binary.
const TEMPLATES: &[(&str, &str)] = builtin!(
    "base.html",
    "index.html",
    "cycle.html",
    "plan.html",
    "agency.html",
    "404.html",
    "partials/spending.html",
    "partials/annex.html",
    "partials/indicators.html",
    "partials/chart.html",
    "partials/history.html",
    "partials/approved-changes.html",
    "remind.txt",
    "partials/doc-heading.html",
    "partials/doc-signature.html",
);

const STRINGS: &str = include_str!("../../themes/default/strings.json");

/// The default theme's static files.
const STATIC: &[(&str, &[u8])] = &[
    (
        "static/style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "static/search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
    (
        "static/print.js",
        include_bytes!("../../themes/default/static/print.js"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
    // The picture a shared link shows (Zalo, Facebook): 1200×630, made
    // from an HTML card in Chromium. A site's own `static/og.png` in its
    // theme folder replaces it.
    // A neutral mark in the masthead: a province puts its own logo at
    // `themes/<theme>/static/emblem.svg`.
    (
        "static/emblem.svg",
        include_bytes!("../../themes/default/static/emblem.svg"),
    ),
    (
        "static/og.png",
        include_bytes!("../../themes/default/static/og.png"),
    ),
];

/// A loaded theme.
pub(crate) struct Theme {
    pub(crate) tera: Tera,
    /// Interface strings of the site's language.
    pub(crate) strings: Value,
    /// Files copied to the output as they are, by output path.
    pub(crate) statics: Vec<(String, Vec<u8>)>,
    /// Where each template came from, for E060.
    sources: Vec<(String, String)>,
}

/// The innermost Tera error that knows its template and line: rendering
/// errors wrap the report of the template that failed.
fn located(e: &tera::Error) -> &tera::Error {
    let mut cur: &dyn std::error::Error = e;
    let mut best = e;
    while let Some(next) = cur.source() {
        if let Some(t) = next.downcast_ref::<tera::Error>()
            && matches!(
                t.kind(),
                ErrorKind::SyntaxError(_) | ErrorKind::RenderingError(_)
            )
        {
            best = t;
        }
        cur = next;
    }
    best
}

/// Tera reports validation problems (unknown filters, missing includes) as
/// one message of rustc-like reports: `error: …` then ` --> name:line:col`.
fn parse_reports(message: &str) -> Vec<(String, Pos, String)> {
    let mut out = Vec::new();
    for report in message.split("\n\n") {
        let mut lines = report.lines();
        let Some(first) = lines.next() else { continue };
        let detail = first.trim().trim_start_matches("error:").trim().to_string();
        let located = report.lines().find_map(|l| {
            let rest = l.trim().strip_prefix("-->")?.trim();
            let mut parts = rest.rsplitn(3, ':');
            let col: usize = parts.next()?.parse().ok()?;
            let line: usize = parts.next()?.parse().ok()?;
            Some((parts.next()?.to_string(), Pos::new(line, col)))
        });
        if let Some((name, pos)) = located {
            out.push((name, pos, detail));
        }
    }
    out
}

fn template_error(
    e: &tera::Error,
    file_of: &dyn Fn(&str) -> String,
    lang: Lang,
) -> Vec<Diagnostic> {
    let e = if matches!(
        e.kind(),
        ErrorKind::SyntaxError(_) | ErrorKind::RenderingError(_)
    ) {
        e
    } else {
        located(e)
    };
    let found: Vec<(String, Pos, String)> = match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let span = r.span();
            vec![(
                file_of(r.filename()),
                Pos::new(span.start_line, span.start_col + 1),
                r.message().to_string(),
            )]
        }
        ErrorKind::TemplateNotFound(t) => vec![(file_of(t), Pos::START, e.to_string())],
        ErrorKind::MissingParent { current, .. } => {
            vec![(file_of(current), Pos::START, e.to_string())]
        }
        ErrorKind::Msg(m) => {
            let reports = parse_reports(m);
            if reports.is_empty() {
                vec![("themes".to_string(), Pos::START, m.clone())]
            } else {
                reports
                    .into_iter()
                    .map(|(n, p, d)| (file_of(&n), p, d))
                    .collect()
            }
        }
        _ => vec![("themes".to_string(), Pos::START, e.to_string())],
    };
    found
        .into_iter()
        .flat_map(|(file, pos, detail)| {
            let mut sink = Sink::new(lang, &file, false);
            sink.report(
                Code::E060,
                pos,
                tr!(
                    lang,
                    "Lỗi mẫu trang (template): {detail}",
                    "Template error: {detail}"
                ),
                Some(tr!(
                    lang,
                    "Sửa tệp mẫu, hoặc xóa nó để dùng mẫu mặc định của giao diện.",
                    "Fix the template, or delete it to fall back to the theme's default."
                )),
            );
            sink.into_vec()
        })
        .collect()
}

impl Theme {
    /// Loads the built-in theme and the site's overrides.
    pub(crate) fn load(root: &Path, name: &str, lang: Lang) -> Result<Theme, Vec<Diagnostic>> {
        let dir = root.join("themes").join(name);
        let mut templates: Vec<(String, String, String)> = TEMPLATES
            .iter()
            .map(|(n, t)| {
                (
                    n.to_string(),
                    t.to_string(),
                    format!("themes/default/templates/{n} (built-in)"),
                )
            })
            .collect();
        let mut diags = Vec::new();
        let tdir = dir.join("templates");
        if tdir.is_dir() {
            for entry in WalkDir::new(&tdir)
                .follow_links(false)
                .into_iter()
                .filter_map(Result::ok)
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(&tdir) else {
                    continue;
                };
                let key = rel.to_string_lossy().replace('\\', "/");
                if !key.ends_with(".html") && !key.ends_with(".xml") && !key.ends_with(".txt") {
                    continue;
                }
                let file = format!("themes/{name}/templates/{key}");
                match std::fs::read_to_string(entry.path()) {
                    Ok(text) => {
                        templates.retain(|(n, _, _)| *n != key);
                        templates.push((key, text, file));
                    }
                    Err(e) => {
                        let mut sink = Sink::new(lang, &file, false);
                        sink.error(
                            Code::E001,
                            Pos::START,
                            tr!(
                                lang,
                                "Không đọc được mẫu trang: {e}.",
                                "Cannot read the template: {e}."
                            ),
                        );
                        diags.extend(sink.into_vec());
                    }
                }
            }
        }
        let sources: Vec<(String, String)> = templates
            .iter()
            .map(|(n, _, f)| (n.clone(), f.clone()))
            .collect();
        let file_of = |n: &str| {
            sources.iter().find(|(k, _)| k == n).map_or_else(
                || format!("themes/{name}/templates/{n}"),
                |(_, f)| f.clone(),
            )
        };
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        // All at once: Tera resolves `extends` across the whole set.
        if let Err(e) =
            tera.add_raw_templates(templates.iter().map(|(n, t, _)| (n.as_str(), t.as_str())))
        {
            diags.extend(template_error(&e, &file_of, lang));
        }
        let mut strings: Value = serde_json::from_str(STRINGS).unwrap_or(Value::Null);
        if let Ok(text) = std::fs::read_to_string(dir.join("strings.json")) {
            match serde_json::from_str::<Value>(&text) {
                Ok(over) => merge(&mut strings, over),
                Err(e) => {
                    let file = format!("themes/{name}/strings.json");
                    let mut sink = Sink::new(lang, &file, false);
                    sink.error(
                        Code::E060,
                        Pos::new(e.line(), e.column()),
                        tr!(
                            lang,
                            "strings.json không hợp lệ: {e}.",
                            "strings.json is invalid: {e}."
                        ),
                    );
                    diags.extend(sink.into_vec());
                }
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let strings = strings
            .get(crate::render::format::lang_code(lang))
            .cloned()
            .unwrap_or(Value::Null);
        // Every page sees the strings: set once, not converted per page.
        tera.global_context().insert("t", &strings);
        let mut statics: Vec<(String, Vec<u8>)> = STATIC
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        let sdir = dir.join("static");
        if sdir.is_dir() {
            for entry in WalkDir::new(&sdir)
                .follow_links(false)
                .into_iter()
                .filter_map(Result::ok)
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(&sdir) else {
                    continue;
                };
                let key = rel.to_string_lossy().replace('\\', "/");
                let key = if key == "favicon.svg" {
                    key
                } else {
                    format!("static/{key}")
                };
                if let Ok(bytes) = std::fs::read(entry.path()) {
                    statics.retain(|(p, _)| *p != key);
                    statics.push((key, bytes));
                }
            }
        }
        Ok(Theme {
            tera,
            strings,
            statics,
            sources,
        })
    }

    /// Renders `template` with `ctx`; a failure is E060.
    pub(crate) fn render(
        &self,
        template: &str,
        ctx: &tera::Context,
        lang: Lang,
    ) -> Result<Vec<u8>, Vec<Diagnostic>> {
        // Into bytes: `Tera::render` would check the whole page is UTF-8
        // again (a tenth of a build), and the page is only ever bytes on
        // disk or on the wire. Every piece Tera writes is a `str`.
        let mut out = Vec::with_capacity(64 * 1024);
        self.tera
            .render_to(template, ctx, &mut out)
            .map(|()| out)
            .map_err(|e| {
                let file_of = |n: &str| {
                    self.sources
                        .iter()
                        .find(|(k, _)| k == n)
                        .map_or_else(|| n.to_string(), |(_, f)| f.clone())
                };
                template_error(&e, &file_of, lang)
            })
    }

    /// An interface string by key, or the key itself.
    pub(crate) fn t(&self, key: &str) -> String {
        self.strings
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string()
    }
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o,
    }
}
