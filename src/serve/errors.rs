//! The page `serve` shows in place of every page while the site has an
//! error: each problem with its code, `file:line:col`, message, the line of
//! the file it is on, and the hint. Everything from the files is escaped.
//! The page is self-contained (no stylesheet to fetch from a broken site)
//! and reloads by itself like any other page, so the next good save brings
//! the site back.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diag::{Diagnostic, Lang, Severity, tr};
use crate::load::source::line_of;

/// At most this many problems of each severity are listed.
const MAX_LISTED: usize = 50;

pub(crate) use crate::escape::html as escape;

/// Escapes a message, showing its `code spans` as code.
fn prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(text); // an odd number of backticks: not spans
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(p))
            } else {
                escape(p)
            }
        })
        .collect()
}

/// How many characters from `col` (1-based) the offending value spans:
/// a quoted string to its closing quote, anything else to the next space
/// or separator.
fn token_len(chars: &[char]) -> usize {
    match chars.first() {
        None => 0,
        Some(q @ ('"' | '\'')) => chars
            .iter()
            .skip(1)
            .position(|c| c == q)
            .map_or(chars.len(), |p| p + 2),
        Some(_) => chars
            .iter()
            .position(|c| c.is_whitespace() || matches!(c, ',' | '}' | ']'))
            .unwrap_or(chars.len())
            .max(1),
    }
}

/// The source line of `d`, the offending value marked.
fn source_line(out: &mut String, d: &Diagnostic, sources: &BTreeMap<String, String>) {
    let Some(line) = sources.get(&d.file).and_then(|t| line_of(t, d.pos.line)) else {
        return;
    };
    let chars: Vec<char> = line.chars().collect();
    let start = usize::try_from(d.pos.col.saturating_sub(1))
        .unwrap_or(0)
        .min(chars.len());
    let end = start + token_len(&chars[start..]);
    let part = |r: std::ops::Range<usize>| escape(&chars[r].iter().collect::<String>());
    let _ = write!(
        out,
        "<pre class=\"src\"><span class=\"ln\" aria-hidden=\"true\">{}</span>{}<mark>{}</mark>{}</pre>",
        d.pos.line,
        part(0..start),
        part(start..end),
        part(end..chars.len()),
    );
}

fn item(out: &mut String, d: &Diagnostic, sources: &BTreeMap<String, String>, lang: Lang) {
    let (class, label) = match (d.severity(), lang) {
        (Severity::Error, Lang::Vi) => ("error", "lỗi"),
        (Severity::Error, Lang::En) => ("error", "error"),
        (Severity::Warning, Lang::Vi) => ("warning", "cảnh báo"),
        (Severity::Warning, Lang::En) => ("warning", "warning"),
    };
    let _ = write!(
        out,
        "<li class=\"{class}\"><p class=\"head\"><span class=\"sev\">{label}</span> <code class=\"code\">{}</code> <code class=\"loc\">{}:{}:{}</code></p><p class=\"msg\">{}</p>",
        d.code,
        escape(&d.file),
        d.pos.line,
        d.pos.col,
        prose(&d.message),
    );
    source_line(out, d, sources);
    if let Some(h) = &d.help {
        let word = tr!(lang, "Gợi ý", "Hint");
        let _ = write!(
            out,
            "<p class=\"help\"><strong>{word}:</strong> {}</p>",
            prose(h)
        );
    }
    out.push_str("</li>\n");
}

fn list(out: &mut String, diags: &[&Diagnostic], sources: &BTreeMap<String, String>, lang: Lang) {
    out.push_str("<ol class=\"diags\">\n");
    for d in diags.iter().take(MAX_LISTED) {
        item(out, d, sources, lang);
    }
    out.push_str("</ol>\n");
    if diags.len() > MAX_LISTED {
        let more = diags.len() - MAX_LISTED;
        let text = tr!(
            lang,
            "… và {more} mục nữa: chạy <code>planpress check</code> để xem tất cả.",
            "… and {more} more: run <code>planpress check</code> to see them all."
        );
        let _ = writeln!(out, "<p>{text}</p>");
    }
}

const STYLE: &str = "
:root{color-scheme:light;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;line-height:1.5;color:#1b1b1b;background:#f6f6f4}
body{margin:0}
main{max-width:60rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.5rem;margin:.5rem 0;color:#8a1111}
.lead{margin:.25rem 0 1.5rem;font-size:1.05rem}
ol.diags{list-style:none;padding:0;margin:0}
ol.diags li{background:#fff;border:1px solid #d8d8d8;border-left:.4rem solid #b3261e;border-radius:.3rem;padding:.75rem 1rem;margin:0 0 1rem}
ol.diags li.warning{border-left-color:#a86800}
.head{margin:0;font-size:.95rem}
.sev{font-weight:700;color:#b3261e;text-transform:uppercase;font-size:.8rem;letter-spacing:.04em}
li.warning .sev{color:#8a5600}
.code{font-weight:700}
.loc{background:#eef1f5;padding:.05rem .3rem;border-radius:.2rem;word-break:break-all}
.msg{margin:.35rem 0;font-size:1.05rem;font-weight:600}
.msg code,.help code{background:#eef1f5;padding:0 .25rem;border-radius:.2rem;font-size:.95em}
.help{margin:.35rem 0 0;color:#333}
pre.src{margin:.5rem 0;padding:.5rem .75rem;background:#1e1f22;color:#e8e8e8;border-radius:.3rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word;font:0.95rem/1.4 ui-monospace,Consolas,'Cascadia Mono','DejaVu Sans Mono',monospace}
pre.src .ln{display:inline-block;min-width:3ch;margin-right:1ch;padding-right:1ch;border-right:1px solid #555;color:#9a9a9a;text-align:right}
pre.src mark{background:#ffd84d;color:#000;border-radius:.15rem;padding:0 .1rem}
details{margin-top:1.5rem}
summary{cursor:pointer;font-weight:600}
footer{margin-top:2rem;color:#555;font-size:.9rem}
";

/// The error page for `diags` (errors first, then warnings).
pub(crate) fn page(
    diags: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    lang: Lang,
) -> Vec<u8> {
    let errors: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .collect();
    let warnings: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity() == Severity::Warning)
        .collect();
    let n = errors.len();
    let (html_lang, title, heading, lead, footer) = match lang {
        Lang::Vi => (
            "vi",
            format!("{n} lỗi — chưa hiển thị được trang"),
            format!("Chưa hiển thị được trang: nội dung có {n} lỗi"),
            "Sửa các lỗi dưới đây trong tệp rồi lưu lại. Trang này tự tải lại sau mỗi lần lưu, và trở lại bình thường khi hết lỗi.",
            "Trang này do <code>planpress serve</code> tạo ra khi xem trước; nó không có trên site thật.",
        ),
        Lang::En => (
            "en",
            format!(
                "{n} error{} — the page cannot be shown",
                if n == 1 { "" } else { "s" }
            ),
            format!(
                "This page cannot be shown: the content has {n} error{}",
                if n == 1 { "" } else { "s" }
            ),
            "Fix the problems below in the files and save. This page reloads by itself after every save, and comes back once they are fixed.",
            "This page comes from <code>planpress serve</code>'s preview; it is not part of the site.",
        ),
    };
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p class=\"lead\">{lead}</p>\n",
        escape(&title),
        escape(&heading),
    );
    list(&mut out, &errors, sources, lang);
    if !warnings.is_empty() {
        let w = warnings.len();
        let summary = tr!(lang, "{w} cảnh báo", "{w} warning(s)");
        let _ = writeln!(out, "<details>\n<summary>{summary}</summary>");
        list(&mut out, &warnings, sources, lang);
        out.push_str("</details>\n");
    }
    let _ = write!(
        out,
        "<footer>{footer}</footer>\n</main>\n</body>\n</html>\n"
    );
    out.into_bytes()
}

/// A bare "not found" page, for requests that cannot be a page of the site
/// at all while the site's own 404 page is not at hand.
pub(crate) fn not_found(lang: Lang) -> Vec<u8> {
    let (l, title, text) = match lang {
        Lang::Vi => (
            "vi",
            "Không tìm thấy trang",
            "Địa chỉ này không có trên site.",
        ),
        Lang::En => (
            "en",
            "Page not found",
            "There is no such page on this site.",
        ),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{l}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{text}</p>\n<p><a href=\"/\">/</a></p>\n</body>\n</html>\n"
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::diag::{Code, Pos};

    #[test]
    fn everything_from_the_files_is_escaped_and_located() {
        let d = Diagnostic {
            code: Code::E030,
            file: "content/2019/<x>.md".into(),
            pos: Pos { line: 2, col: 8 },
            message: "Sum <b>wrong</b> & \"bad\"".into(),
            help: Some("Fix <script>alert(1)</script>".into()),
        };
        let sources = BTreeMap::from([(
            "content/2019/<x>.md".to_string(),
            "a: 1\ntotal: <img src=x onerror=alert(1)> rest\n".to_string(),
        )]);
        let html = String::from_utf8(page(&[d], &sources, Lang::En)).unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>wrong"));
        assert!(html.contains("Sum &lt;b&gt;wrong&lt;/b&gt; &amp; &quot;bad&quot;"));
        assert!(html.contains("content/2019/&lt;x&gt;.md:2:8"));
        assert!(html.contains("<mark>&lt;img</mark> src=x"));
        assert!(html.contains(">E030<"));
        assert!(html.contains("1 error —"));
        assert!(html.contains("</body>"));
        assert_eq!(prose("a `<x>` b"), "a <code>&lt;x&gt;</code> b");
        assert_eq!(prose("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn vietnamese_by_default_with_warnings_folded() {
        let mk = |code, line| Diagnostic {
            code,
            file: "content/2019/a.md".into(),
            pos: Pos { line, col: 1 },
            message: "m".into(),
            help: None,
        };
        let html = String::from_utf8(page(
            &[mk(Code::E006, 1), mk(Code::W105, 1)],
            &BTreeMap::new(),
            Lang::Vi,
        ))
        .unwrap();
        assert!(html.contains("lang=\"vi\""));
        assert!(html.contains("nội dung có 1 lỗi"));
        assert!(html.contains("<summary>1 cảnh báo</summary>"));
    }

    #[test]
    fn the_marked_value_spans_its_token() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(token_len(&chars("400, x")), 3);
        assert_eq!(token_len(&chars("\"a b\" c")), 5);
        assert_eq!(token_len(&chars(" x")), 1);
        assert_eq!(token_len(&chars("")), 0);
    }
}
