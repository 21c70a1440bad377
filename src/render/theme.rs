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
    "list.html",
    "partials/status.html",
    "partials/pager.html",
    "agencies.html",
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
    /// A hash of every template's text, the strings and the static files:
    /// what the build cache keys its pages with besides their data.
    pub(crate) fingerprint: crate::cache::Key,
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

/// The hash of a theme's templates (by name), strings and static files.
fn fingerprint(
    templates: &[(String, String, String)],
    strings: &Value,
    statics: &[(String, Vec<u8>)],
) -> crate::cache::Key {
    use sha2::Digest as _;
    let mut sorted: Vec<_> = templates.iter().map(|(n, t, _)| (n, t)).collect();
    sorted.sort();
    let mut h = sha2::Sha256::new();
    // Lengths first, so that no two themes hash the same bytes.
    let mut part = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    for (n, t) in sorted {
        part(n.as_bytes());
        part(t.as_bytes());
    }
    part(strings.to_string().as_bytes());
    for (p, b) in statics {
        part(p.as_bytes());
        part(b);
    }
    h.finalize().into()
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
        // A theme is the province's, but a link in it must not carry files
        // from elsewhere on the machine onto the portal: every path of the
        // theme, and every link found in its folders, stays inside the root.
        let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let inside = |rel: &str, diags: &mut Vec<Diagnostic>| {
            let ok = crate::load::inside_root(&canonical, &root.join(rel));
            if !ok {
                diags.extend(crate::load::outside_link(rel, lang));
            }
            ok
        };
        let theme_inside =
            inside("themes", &mut diags) && inside(&format!("themes/{name}"), &mut diags);
        let tdir = dir.join("templates");
        if theme_inside && inside(&format!("themes/{name}/templates"), &mut diags) && tdir.is_dir()
        {
            for entry in WalkDir::new(&tdir)
                .follow_links(false)
                .into_iter()
                .filter_map(Result::ok)
            {
                if !linked_file_inside(&entry, root, &canonical, lang, &mut diags) {
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
        let strings_inside =
            theme_inside && inside(&format!("themes/{name}/strings.json"), &mut diags);
        if let Some(Ok(text)) =
            strings_inside.then(|| std::fs::read_to_string(dir.join("strings.json")))
        {
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
        let static_inside = theme_inside && inside(&format!("themes/{name}/static"), &mut diags);
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
        if static_inside && sdir.is_dir() {
            for entry in WalkDir::new(&sdir)
                .follow_links(false)
                .into_iter()
                .filter_map(Result::ok)
            {
                if !linked_file_inside(&entry, root, &canonical, lang, &mut diags) {
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
        if !diags.is_empty() {
            return Err(diags);
        }
        let fingerprint = fingerprint(&templates, &strings, &statics);
        Ok(Theme {
            tera,
            strings,
            statics,
            sources,
            fingerprint,
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

    /// The string `key` of the group `group` (`t.history.summary`), each
    /// `{name}` of `args` put in; the key itself when the theme lacks it.
    pub(crate) fn tf(&self, group: &str, key: &str, args: &[(&str, &str)]) -> String {
        let text = self
            .strings
            .get(group)
            .and_then(|g| g.get(key))
            .and_then(Value::as_str)
            .unwrap_or(key);
        fill(text, args)
    }
}

/// `text` with each `{name}` of `args` put in, in one pass: a value that
/// itself holds braces (a tag's name) is not read as a placeholder, and an
/// unknown `{name}` stays as written.
pub(crate) fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a walked entry is a file to read: a plain file, or a link to a
/// file inside the root. A link leading out (or nowhere) is E001 with its
/// path; `follow_links(false)` alone would skip it without a word, and the
/// walk's own folder is followed whatever that setting says.
fn linked_file_inside(
    entry: &walkdir::DirEntry,
    root: &Path,
    canonical: &Path,
    lang: Lang,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if !entry.path_is_symlink() || entry.depth() == 0 {
        return entry.file_type().is_file();
    }
    match std::fs::canonicalize(entry.path()) {
        Ok(target) if target.starts_with(canonical) => target.is_file(),
        _ => {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let rel = rel.to_string_lossy().replace('\\', "/");
            diags.extend(crate::load::outside_link(&rel, lang));
            false
        }
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

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn placeholders_are_filled_in_one_pass() {
        let args = [("tag", "v{when}"), ("when", ", 01/08/2018")];
        assert_eq!(
            fill("thẻ {tag}{when}", &args),
            "thẻ v{when}, 01/08/2018",
            "a value's braces are not read again"
        );
        assert_eq!(fill("{other} {", &args), "{other} {", "unknown names stay");
        assert_eq!(fill("no braces", &args), "no braces");
    }
}
