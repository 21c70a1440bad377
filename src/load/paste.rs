//! What Vietnamese Windows users paste into YAML, found before the parser
//! sees it, and recovery after a syntax error.
//!
//! Text copied from Word or a spreadsheet brings tabs, non-breaking and other
//! Unicode spaces, curly quotes, stray byte-order marks and decimal commas.
//! The YAML parser reports them (when it does) in English, often a line
//! later and about something else. [`tidy`] names each at its own line and
//! column and repairs the copy that is parsed, so that the rest of the file
//! is still checked in the same round. Repairs keep every line, so later
//! positions stay right.
//!
//! [`parse_recovering`] goes on after a syntax error: the part of the
//! document that holds it (one top-level field, or one item of a top-level
//! list) is left out and the rest is read.

use crate::diag::Pos;
use crate::yaml::{self, Kind, Node, YamlError, YamlErrorKind};

/// Something pasted that YAML does not read as the editor meant.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Slip {
    /// A tab where YAML wants spaces (indentation, or after `:` / `-`).
    Tab,
    /// A non-breaking or other Unicode space where YAML wants a plain one.
    Space(char),
    /// `“…”` or `‘…’` around a value, where YAML wants `"…"`.
    CurlyQuote(char),
    /// A byte-order mark (U+FEFF) that is not at the start of the file.
    Bom,
    /// `agency:so-tttt`: no space after a field name's colon, so YAML reads
    /// the whole line as one text.
    NoSpace { key: String },
    /// A decimal comma inside `{ … }` or `[ … ]`, where the comma separates
    /// entries: `127,5` is read as `127` and a second entry `5`.
    DecimalComma { typed: String, fixed: String },
}

/// A slip and where it is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Found {
    pub(crate) pos: Pos,
    pub(crate) slip: Slip,
}

fn is_odd_space(c: char) -> bool {
    c != ' ' && c != '\t' && c != '\n' && (c.is_whitespace() || c == '\u{200b}')
}

/// Whether the loop of [`tidy`] keeps `c` as it is whatever surrounds it:
/// not a tab, byte-order mark, odd space or curly quote, and no bracket (a
/// comma is a slip only inside one).
fn plain(c: char) -> bool {
    !(matches!(c, '\t' | '{' | '[' | '\u{feff}' | '“' | '‘' | '”') || is_odd_space(c))
}

/// Finds the slips of `src` and returns the text with them repaired, line
/// for line. `line_offset` is added to every reported line.
pub(crate) fn tidy(src: &str, line_offset: usize) -> (String, Vec<Found>) {
    let mut out = String::with_capacity(src.len());
    let mut found = Vec::new();
    // Where the content of the last meaningful line starts, and whether it
    // opens a block: a tab-indented line is lined up from it.
    let mut last_indent: Option<(usize, bool)> = None;
    for (i, line) in src.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let at = |col: usize| Pos::new(i + 1 + line_offset, col + 1);
        let lead = line.chars().take_while(|c| *c == ' ' || *c == '\t').count();
        let owned;
        let line = match line.chars().take(lead).position(|c| c == '\t') {
            Some(tab) => {
                found.push(Found {
                    pos: at(tab),
                    slip: Slip::Tab,
                });
                // The editor meant the tab to line the field up with its
                // siblings: one level in from a line that opens a block.
                let width = match last_indent {
                    Some((indent, true)) => indent + 2,
                    Some((indent, false)) => indent,
                    None => 0,
                };
                let rest: String = line.chars().skip(lead).collect();
                owned = format!("{}{rest}", " ".repeat(width));
                owned.as_str()
            }
            None => line,
        };
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let mut content = spaces;
            let mut rest = &line[spaces..];
            while let Some(r) = rest.strip_prefix("- ") {
                let more = r.len() - r.trim_start_matches(' ').len();
                content += 2 + more;
                rest = &r[more..];
            }
            let opens = trimmed.ends_with(':');
            last_indent = Some((content, opens));
        }
        let owned_key;
        let line = match glued_key(line) {
            Some((key, at_col)) => {
                found.push(Found {
                    pos: at(at_col),
                    slip: Slip::NoSpace { key: key.clone() },
                });
                let split = line
                    .char_indices()
                    .nth(at_col)
                    .map_or(line.len(), |(b, _)| b);
                owned_key = format!("{} {}", &line[..split], &line[split..]);
                owned_key.as_str()
            }
            None => line,
        };
        // Most lines hold nothing the character loop below would change
        // or report: copied as they are, without two buffers of `char`s a
        // line (a large part of loading a site of thousands of plans).
        if line.chars().all(plain) {
            out.push_str(line);
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut fixed: Vec<char> = Vec::with_capacity(chars.len());
        // Structural positions: the indentation, and just after a `:` or a
        // list dash. Elsewhere a tab or NBSP is part of the text and harmless.
        let mut indent = true;
        let mut quoted: Option<char> = None;
        let mut depth = 0usize;
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            let prev = fixed.last().copied();
            let structural = indent
                || matches!(
                    prev,
                    Some(':') | Some('-') | Some(',') | Some('{') | Some('[')
                ) && quoted.is_none()
                    && (prev != Some('-') || fixed.iter().all(|c| *c == ' ' || *c == '-'));
            if quoted.is_none() && c == '#' && prev.is_none_or(|p| p == ' ') {
                fixed.extend(&chars[j..]);
                break;
            }
            match c {
                '\u{feff}' => {
                    found.push(Found {
                        pos: at(j),
                        slip: Slip::Bom,
                    });
                    j += 1;
                    continue;
                }
                c if is_odd_space(c)
                    && quoted.is_none()
                    && (structural || next_is_colon(&chars, j)) =>
                {
                    found.push(Found {
                        pos: at(j),
                        slip: Slip::Space(c),
                    });
                    fixed.push(' ');
                    j += 1;
                    continue;
                }
                '“' | '‘' | '”'
                    if quoted.is_none()
                        && matches!(prev, Some(' ') | Some('{') | Some('[') | None)
                        && value_start(&fixed) =>
                {
                    found.push(Found {
                        pos: at(j),
                        slip: Slip::CurlyQuote(c),
                    });
                    let close = if c == '‘' { '’' } else { '”' };
                    let end = chars[j + 1..]
                        .iter()
                        .position(|x| *x == close || (close == '”' && *x == '“'))
                        .map(|p| p + j + 1);
                    fixed.push('"');
                    let inner_end = end.unwrap_or(chars.len());
                    for x in &chars[j + 1..inner_end] {
                        if *x == '"' || *x == '\\' {
                            fixed.push('\\');
                        }
                        fixed.push(*x);
                    }
                    fixed.push('"');
                    j = end.map_or(chars.len(), |e| e + 1);
                    continue;
                }
                '"' | '\'' if quoted.is_none() && value_start(&fixed) => quoted = Some(c),
                c if quoted == Some(c) => quoted = None,
                '{' | '[' if quoted.is_none() => depth += 1,
                '}' | ']' if quoted.is_none() => depth = depth.saturating_sub(1),
                ',' if quoted.is_none() && depth > 0 => {
                    if let Some((typed, fixed_num, start)) = decimal_comma(&chars, j) {
                        // The whole number is replaced by what the hint
                        // proposes (`1.820,5` by `1820.5`), so that it is
                        // read as meant and not reported a second time as
                        // `1.820.5`; spaces keep the columns after it.
                        let typed_len = typed.chars().count();
                        fixed.truncate(fixed.len() - (j - start));
                        fixed.extend(fixed_num.chars());
                        fixed.extend(std::iter::repeat_n(
                            ' ',
                            typed_len - fixed_num.chars().count(),
                        ));
                        j = start + typed_len;
                        found.push(Found {
                            pos: at(start),
                            slip: Slip::DecimalComma {
                                typed,
                                fixed: fixed_num,
                            },
                        });
                        continue;
                    }
                }
                _ => {}
            }
            if c != ' ' && c != '-' {
                indent = false;
            } else if c == '-' && indent {
                // `- ` opens a list item: what follows is structural too.
                indent = chars.get(j + 1).is_none_or(|n| n.is_whitespace());
            }
            fixed.push(c);
            j += 1;
        }
        out.extend(fixed);
    }
    (out, found)
}

/// `  - id:abc` or `agency:so-tttt`: a field name (lower-case ASCII, `_`)
/// at the start of a line, glued to its value. Gives the name and the
/// 0-based column right after the colon.
fn glued_key(line: &str) -> Option<(String, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut rest = &line[indent..];
    let mut col = indent;
    while let Some(r) = rest.strip_prefix("- ") {
        col += 2;
        rest = r;
    }
    let (key, value) = rest.split_once(':')?;
    let ok_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    let first = value.chars().next()?;
    (ok_key && !first.is_whitespace() && first != ':' && !value.starts_with("//"))
        .then(|| (key.to_string(), col + key.len() + 1))
}

fn next_is_colon(chars: &[char], j: usize) -> bool {
    chars[j + 1..]
        .iter()
        .find(|c| !c.is_whitespace())
        .is_none_or(|c| *c == ':')
        && chars[..j].iter().any(|c| !c.is_whitespace())
}

/// Whether what has been written so far of a line ends where a value may
/// start: after `key:`, a list dash, or an opening bracket or comma.
fn value_start(fixed: &[char]) -> bool {
    let t: String = fixed.iter().collect();
    let t = t.trim_end();
    t.is_empty()
        || t.ends_with(':')
        || t.ends_with('-')
        || t.ends_with('{')
        || t.ends_with('[')
        || t.ends_with(',')
}

/// At a comma `j` inside flow brackets: `127,5` when a number is the whole
/// value (`: 127,5 }`), with the typed text, the fix and where it starts.
fn decimal_comma(chars: &[char], j: usize) -> Option<(String, String, usize)> {
    let digit_run_back = chars[..j]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit() || **c == '.')
        .count();
    let start = j - digit_run_back;
    let after = chars[j + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digit_run_back == 0 || after == 0 {
        return None;
    }
    let before_ok = chars[..start]
        .iter()
        .rev()
        .find(|c| **c != ' ' && **c != '-')
        .is_some_and(|c| *c == ':');
    let next = chars[j + 1 + after..].iter().find(|c| **c != ' ');
    if !before_ok || !next.is_some_and(|c| matches!(c, ',' | '}' | ']')) {
        return None;
    }
    let int: String = chars[start..j].iter().collect();
    let frac: String = chars[j + 1..j + 1 + after].iter().collect();
    Some((
        format!("{int},{frac}"),
        format!("{}.{frac}", int.replace('.', "")),
    ))
    .map(|(t, f)| (t, f, start))
}

/// The message given for an opening bracket left open on its line: the
/// parser finds out only on a later line, where nothing is wrong.
pub(crate) const UNCLOSED: &str = "unclosed bracket";

/// Points a syntax error at an opening `[` or `{` left open on a line
/// before it (or on its own line), where the editor must add the closing one.
fn at_unclosed(mut e: YamlError, src: &str, line_offset: usize) -> YamlError {
    if !matches!(e.kind, YamlErrorKind::Syntax(_)) {
        return e;
    }
    let err_line = (e.pos.line as usize).saturating_sub(line_offset);
    for (i, line) in src.split('\n').enumerate().take(err_line) {
        let mut open: Vec<usize> = Vec::new();
        let mut quoted: Option<char> = None;
        for (col, c) in line.chars().enumerate() {
            match c {
                '"' | '\'' if quoted.is_none() => quoted = Some(c),
                c if quoted == Some(c) => quoted = None,
                '#' if quoted.is_none() => break,
                '[' | '{' if quoted.is_none() => open.push(col),
                ']' | '}' if quoted.is_none() => {
                    open.pop();
                }
                _ => {}
            }
        }
        if let Some(col) = open.first() {
            e.pos = Pos::new(i + 1 + line_offset, col + 1);
            e.kind = YamlErrorKind::Syntax(UNCLOSED.to_string());
            return e;
        }
    }
    e
}

/// The parse of a document that may have syntax errors: what could be read,
/// every syntax error, and the top-level keys whose part was left out.
#[derive(Debug, Default)]
pub(crate) struct Recovered {
    pub(crate) node: Option<Node>,
    pub(crate) errors: Vec<YamlError>,
    /// Top-level fields left out (or lists that lost items): rules that
    /// need them stay silent rather than report them missing.
    pub(crate) broken: Vec<String>,
}

/// Parses `src`, and after a syntax error reads the rest at the next
/// top-level key or list item.
pub(crate) fn parse_recovering(src: &str, line_offset: usize) -> Recovered {
    let first = match yaml::parse(src, line_offset) {
        Ok(node) => {
            return Recovered {
                node,
                ..Recovered::default()
            };
        }
        Err(e) => e,
    };
    if !matches!(first.kind, YamlErrorKind::Syntax(_)) {
        return Recovered {
            errors: vec![first],
            ..Recovered::default()
        };
    }
    let lines: Vec<&str> = src.split('\n').collect();
    let mut rec = Recovered::default();
    let mut entries: Vec<(Node, Node)> = Vec::new();
    let mut items: Vec<Node> = Vec::new();
    for (start, end) in chunks(&lines, 0) {
        let text = lines[start..end].join("\n");
        match yaml::parse(&text, start + line_offset) {
            Ok(Some(Node {
                kind: Kind::Map(e), ..
            })) => entries.extend(e),
            Ok(Some(Node {
                kind: Kind::Seq(s), ..
            })) => items.extend(s),
            Ok(_) => {}
            Err(e) => {
                let key = lines[start]
                    .split_once(':')
                    .map(|(k, _)| k.trim().to_string())
                    .filter(|k| !k.starts_with('-') && !k.is_empty());
                if let Some(key) = key {
                    // A list under a top-level key: keep its good items.
                    match list_items(&lines, start, end, line_offset) {
                        Some((node, errors)) if !errors.is_empty() => {
                            rec.errors.extend(errors);
                            let k = Node {
                                kind: Kind::Scalar {
                                    text: key.clone(),
                                    plain: true,
                                },
                                pos: Pos::new(start + 1 + line_offset, 1),
                            };
                            entries.push((k, node));
                        }
                        _ => rec.errors.push(at_unclosed(e, &text, start + line_offset)),
                    }
                    rec.broken.push(key);
                } else {
                    rec.errors.push(at_unclosed(e, &text, start + line_offset));
                }
            }
        }
    }
    if rec.errors.is_empty() {
        // The parts read alone but not together: report the parser's own
        // error and read nothing, as before.
        return Recovered {
            errors: vec![first],
            ..Recovered::default()
        };
    }
    rec.node = if !entries.is_empty() {
        let pos = entries[0].0.pos;
        Some(Node {
            kind: Kind::Map(entries),
            pos,
        })
    } else if !items.is_empty() {
        let pos = items[0].pos;
        Some(Node {
            kind: Kind::Seq(items),
            pos,
        })
    } else {
        None
    };
    rec
}

/// Ranges of lines that start at indentation `indent` with something other
/// than a comment: top-level fields or list items. Lines before the first
/// start belong to it.
fn chunks(lines: &[&str], indent: usize) -> Vec<(usize, usize)> {
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let body = l.trim_start_matches(' ');
            l.len() - body.len() == indent
                && !body.is_empty()
                && !body.starts_with('#')
                && !body.starts_with(['}', ']'])
        })
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    for (n, s) in starts.iter().enumerate() {
        let from = if n == 0 { 0 } else { *s };
        let to = starts.get(n + 1).copied().unwrap_or(lines.len());
        out.push((from, to));
    }
    out
}

/// The items of a block list under the key on line `start`, each parsed
/// alone: the list of those that read, and the errors of those that did not.
fn list_items(
    lines: &[&str],
    start: usize,
    end: usize,
    line_offset: usize,
) -> Option<(Node, Vec<YamlError>)> {
    let first_item = (start + 1..end).find(|i| {
        let t = lines[*i].trim_start_matches(' ');
        !t.is_empty() && !t.starts_with('#')
    })?;
    let indent = lines[first_item].len() - lines[first_item].trim_start_matches(' ').len();
    if !lines[first_item].trim_start().starts_with("- ") {
        return None;
    }
    let body = &lines[first_item..end];
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (s, e) in chunks(body, indent) {
        let text = body[s..e].join("\n");
        match yaml::parse(&text, first_item + s + line_offset) {
            Ok(Some(Node {
                kind: Kind::Seq(found),
                ..
            })) => items.extend(found),
            Ok(_) => {}
            Err(err) => errors.push(at_unclosed(err, &text, first_item + s + line_offset)),
        }
    }
    let pos = Pos::new(first_item + 1 + line_offset, indent + 1);
    Some((
        Node {
            kind: Kind::Seq(items),
            pos,
        },
        errors,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slips(src: &str) -> Vec<(u32, u32, Slip)> {
        tidy(src, 0)
            .1
            .into_iter()
            .map(|f| (f.pos.line, f.pos.col, f.slip))
            .collect()
    }

    #[test]
    fn pasted_characters_are_found_where_they_are() {
        assert_eq!(slips("a:\n\tb: 1\n"), [(2, 1, Slip::Tab)]);
        assert_eq!(slips("a:\n  b: 1\n \tc: 2\n"), [(3, 2, Slip::Tab)]);
        assert_eq!(slips("a:\u{a0}1\n"), [(1, 3, Slip::Space('\u{a0}'))]);
        assert_eq!(slips("name: Sở\u{a0}A\n"), []);
        assert_eq!(
            slips("name: “Sở A: tỉnh”\n"),
            [(1, 7, Slip::CurlyQuote('“'))]
        );
        assert_eq!(slips("a: 1\n\u{feff}b: 2\n"), [(2, 1, Slip::Bom)]);
        assert_eq!(
            slips("agency:so-tttt\n  - id:abc\nurl: http://x\n"),
            [
                (
                    1,
                    8,
                    Slip::NoSpace {
                        key: "agency".into()
                    }
                ),
                (2, 8, Slip::NoSpace { key: "id".into() })
            ]
        );
        assert_eq!(
            slips("levels: { huyen: 127,5 }\n"),
            [(
                2 - 1,
                18,
                Slip::DecimalComma {
                    typed: "127,5".into(),
                    fixed: "127.5".into()
                }
            )]
        );
        assert_eq!(
            slips("partners: [a,b]\nperiod: { from: 2019, to: 2020 }\n"),
            []
        );
        assert_eq!(slips("name: \"x, 1,5\"\n"), []);
    }

    #[test]
    fn a_tab_lines_the_field_up_with_its_siblings() {
        let (text, _) = tidy("l:\n  - a: 1\n\tb: 2\nm:\n\tn: 3\n", 0);
        assert_eq!(text, "l:\n  - a: 1\n    b: 2\nm:\n  n: 3\n");
    }

    #[test]
    fn repairs_read_as_meant() {
        let (text, _) = tidy("a:\u{a0}1\nb: “x: y”\nc: { d: 1,5 }\n", 0);
        let node = yaml::parse(&text, 0).unwrap().unwrap();
        let Kind::Map(e) = node.kind else { panic!() };
        let texts: Vec<String> = e
            .iter()
            .map(|(_, v)| match &v.kind {
                Kind::Scalar { text, .. } => text.clone(),
                Kind::Map(m) => format!("{:?}", m[0].1.kind),
                Kind::Seq(_) => String::new(),
            })
            .collect();
        assert_eq!(texts[0], "1");
        assert_eq!(texts[1], "x: y");
        assert!(texts[2].contains("1.5"), "{texts:?}");
    }

    #[test]
    fn a_decimal_comma_with_thousands_dots_reads_as_the_hint_says() {
        let src = "c: { total: 820, planned: 1.820,5, spent: 0 }\n";
        let (text, found) = tidy(src, 0);
        assert_eq!(text, "c: { total: 820, planned: 1820.5 , spent: 0 }\n");
        assert_eq!(text.len(), src.len());
        assert!(matches!(
            &found[..],
            [Found { slip: Slip::DecimalComma { typed, fixed }, .. }]
                if typed == "1.820,5" && fixed == "1820.5"
        ));
    }

    #[test]
    fn a_syntax_error_hides_only_its_own_part() {
        let src = "a: 1\nb: [1, 2\nc: 3\nlist:\n  - x: 1\n  - y: [\n  - z: 3\n";
        let r = parse_recovering(src, 1);
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert_eq!(r.broken, ["b", "list"]);
        let Some(Node {
            kind: Kind::Map(e), ..
        }) = r.node
        else {
            panic!()
        };
        let keys: Vec<&str> = e
            .iter()
            .filter_map(|(k, _)| yaml::key_text(k).map(String::as_str))
            .collect();
        assert_eq!(keys, ["a", "c", "list"]);
        let Kind::Seq(items) = &e[2].1.kind else {
            panic!()
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].pos.line, 8);
    }
}
