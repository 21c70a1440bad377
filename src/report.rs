//! Printing diagnostics: rustc-style for people, JSON for tools, and the
//! annotation formats of GitHub Actions and GitLab Code Quality.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Lang, Severity, tr};
use crate::load::source::line_of;

/// How `check` prints its findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// For people: message, location, source line with a caret.
    #[default]
    Human,
    /// One JSON array, as the contract says.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// GitLab Code Quality report.
    Gitlab,
}

/// Renders `diags` (already sorted) in `format`. `colour` applies to the
/// human format only.
pub fn render(
    diags: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    format: Format,
    lang: Lang,
    colour: bool,
) -> String {
    match format {
        Format::Human => human(diags, sources, lang, colour),
        Format::Json => json(diags),
        Format::Github => github(diags),
        Format::Gitlab => gitlab(diags),
    }
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Whether what starts at char `start` of `line` is the value of a block
/// mapping (`key: value`, not inside `{ … }` or `[ … ]`).
fn block_value(line: &str, start: usize) -> bool {
    let before: String = line.chars().take(start).collect();
    before.trim_end().ends_with(':') && !before.contains(['{', '['])
}

/// Width of the value starting at `col` on `line`, for the caret underline.
fn token_width(line: &str, col: u32) -> usize {
    let start = usize::try_from(col.saturating_sub(1)).unwrap_or(0);
    let rest: Vec<char> = line.chars().skip(start).collect();
    let quoted = matches!(rest.first(), Some('"' | '\''));
    let width = if quoted {
        let q = rest[0];
        rest.iter()
            .skip(1)
            .position(|c| *c == q)
            .map_or(rest.len(), |p| p + 2)
    } else if block_value(line, start) {
        // A plain value of a block mapping runs to the end of the line (or
        // a comment): `UBND huyện An Lão` is underlined whole.
        let text: String = rest.iter().collect();
        let end = text.find(" #").unwrap_or(text.len());
        text[..end].trim_end().chars().count()
    } else {
        rest.iter()
            .position(|c| c.is_whitespace() || matches!(c, ',' | '}' | ']'))
            .unwrap_or(rest.len())
    };
    let width = if rest.get(width.saturating_sub(1)) == Some(&':') && !quoted {
        width - 1
    } else {
        width
    };
    width.max(1)
}

fn human(
    diags: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    lang: Lang,
    colour: bool,
) -> String {
    let p = Paint(colour);
    let mut out = String::new();
    for d in diags {
        let (label, style) = match (d.severity(), lang) {
            (Severity::Error, Lang::Vi) => ("lỗi", "1;31"),
            (Severity::Error, Lang::En) => ("error", "1;31"),
            (Severity::Warning, Lang::Vi) => ("cảnh báo", "1;33"),
            (Severity::Warning, Lang::En) => ("warning", "1;33"),
        };
        // A configuration file's detail code (`[E005] …` under E070) joins
        // the heading instead of standing as a second code in the text.
        let (code, message) = match d.message.strip_prefix('[').and_then(|m| m.split_once("] ")) {
            Some((detail, rest)) if detail.len() == 4 && detail.starts_with(['E', 'W']) => {
                (format!("{}/{detail}", d.code), rest)
            }
            _ => (d.code.to_string(), d.message.as_str()),
        };
        let head = p.wrap(style, &format!("{label}[{code}]"));
        let _ = writeln!(out, "{head}: {}", p.wrap("1", message));
        let line_no = d.pos.line.to_string();
        let pad = " ".repeat(line_no.len());
        let _ = writeln!(
            out,
            "{pad}{} {}:{}:{}",
            p.wrap("1;34", "-->"),
            d.file,
            d.pos.line,
            d.pos.col
        );
        if let Some(line) = sources.get(&d.file).and_then(|t| line_of(t, d.pos.line)) {
            let bar = p.wrap("1;34", "|");
            let indent: String = line
                .chars()
                .take(usize::try_from(d.pos.col.saturating_sub(1)).unwrap_or(0))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let carets = "^".repeat(token_width(line, d.pos.col));
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(out, "{} {bar} {line}", p.wrap("1;34", &line_no));
            let _ = writeln!(out, "{pad} {bar} {indent}{}", p.wrap(style, &carets));
        }
        if let Some(h) = &d.help {
            let word = tr!(lang, "gợi ý", "help");
            let _ = writeln!(
                out,
                "{pad} {} {}: {h}",
                p.wrap("1;34", "="),
                p.wrap("1", &word)
            );
        }
        out.push('\n');
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let files = diags
        .iter()
        .map(|d| &d.file)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let summary = if diags.is_empty() {
        tr!(lang, "Không có lỗi nào.", "No problems found.")
    } else {
        tr!(
            lang,
            "{errors} lỗi, {warnings} cảnh báo trong {files} tệp.",
            "{errors} error(s), {warnings} warning(s) in {files} file(s)."
        )
    };
    let style = if errors > 0 {
        "1;31"
    } else if warnings > 0 {
        "1;33"
    } else {
        "1;32"
    };
    let _ = writeln!(out, "{}", p.wrap(style, &summary));
    out
}

#[derive(Serialize)]
struct JsonDiag<'a> {
    severity: &'static str,
    code: &'static str,
    file: &'a str,
    line: u32,
    column: u32,
    message: String,
}

fn json(diags: &[Diagnostic]) -> String {
    let items: Vec<JsonDiag<'_>> = diags
        .iter()
        .map(|d| JsonDiag {
            severity: d.severity().as_str(),
            code: d.code.as_str(),
            file: &d.file,
            line: d.pos.line,
            column: d.pos.col,
            message: d.full_message(),
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// Escapes for GitHub workflow commands: data and property values differ.
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

fn github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={}::{} {}",
            gh_escape(&d.file, true),
            d.pos.line,
            d.pos.col,
            d.code,
            gh_escape(&d.full_message(), false)
        );
    }
    out
}

#[derive(Serialize)]
struct GlLines {
    begin: u32,
}

#[derive(Serialize)]
struct GlLocation<'a> {
    path: &'a str,
    lines: GlLines,
}

#[derive(Serialize)]
struct GlIssue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: GlLocation<'a>,
}

/// GitLab tracks an issue across commits by its fingerprint, so it leaves
/// the line out (lines move when text is added above) and counts repeats of
/// the same finding in a file instead.
fn gitlab(diags: &[Diagnostic]) -> String {
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    let items: Vec<GlIssue<'_>> = diags
        .iter()
        .map(|d| {
            let message = d.full_message();
            let key = (d.file.clone(), d.code.as_str().to_string(), message.clone());
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            let mut h = Sha256::new();
            h.update(format!("{}\0{}\0{}\0{}", d.file, d.code, message, n).as_bytes());
            let fingerprint = h.finalize().iter().fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            });
            GlIssue {
                description: format!("{} {}", d.code, message),
                check_name: d.code.as_str(),
                fingerprint,
                severity: match d.severity() {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                location: GlLocation {
                    path: &d.file,
                    lines: GlLines { begin: d.pos.line },
                },
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Pos};

    fn d() -> Diagnostic {
        Diagnostic {
            code: Code::E030,
            file: "content/2019/a.md".into(),
            pos: Pos { line: 3, col: 12 },
            message: "sum, off".into(),
            help: Some("fix: it".into()),
        }
    }

    #[test]
    fn human_shows_source_and_caret() {
        let mut src = BTreeMap::new();
        src.insert(
            "content/2019/a.md".to_string(),
            "---\na: 1\n    total: 400\n".to_string(),
        );
        let out = human(&[d()], &src, Lang::En, false);
        assert!(out.contains("error[E030]: sum, off"), "{out}");
        assert!(out.contains("--> content/2019/a.md:3:12"));
        assert!(
            out.contains("3 |     total: 400\n  |            ^^^\n"),
            "{out}"
        );
        assert!(out.contains("= help: fix: it"));
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let out = github(&[d()]);
        assert_eq!(
            out,
            "::error file=content/2019/a.md,line=3,col=12::E030 sum, off fix: it\n"
        );
        assert_eq!(gh_escape("a:b,c\n", true), "a%3Ab%2Cc%0A");
    }

    #[test]
    fn gitlab_fingerprints_are_stable_and_distinct() {
        let a = gitlab(&[d(), d()]);
        let b = gitlab(&[d(), d()]);
        assert_eq!(a, b);
        let v: serde_json::Value = serde_json::from_str(&a).unwrap();
        assert_ne!(v[0]["fingerprint"], v[1]["fingerprint"]);
        assert_eq!(v[0]["location"]["lines"]["begin"], 3);
        assert_eq!(v[0]["location"]["path"], "content/2019/a.md");
    }

    #[test]
    fn json_has_the_contract_keys() {
        let v: serde_json::Value = serde_json::from_str(&json(&[d()])).unwrap();
        assert_eq!(v[0]["severity"], "error");
        assert_eq!(v[0]["code"], "E030");
        assert_eq!(v[0]["line"], 3);
        assert_eq!(v[0]["column"], 12);
        assert_eq!(v[0]["file"], "content/2019/a.md");
    }

    #[test]
    fn caret_covers_the_value() {
        assert_eq!(token_width("    total: 400", 12), 3);
        assert_eq!(token_width("  total: \"1.200.000\", x", 10), 11);
        assert_eq!(token_width("projets: []", 1), 7);
    }
}
