//! How deeply a body nests. The HTML sanitiser's parser (html5ever) slows
//! down far worse than linearly with depth: 100 KB of `>` or of `<div>`
//! took over a minute to render while `check` passed at once. A plan never
//! needs more than a few levels (a list in a quote in a table cell), so a
//! body deeper than [`MAX_DEPTH`] is refused at `check`, on the line where
//! it gets too deep, and never reaches the renderer.

use pulldown_cmark::{Event, Options, Parser};

use crate::diag::{Code, Pos, Sink, tr};

/// Deepest nesting a body may have: Markdown blocks and inline markup, and
/// raw HTML elements inside them, counted together.
pub(crate) const MAX_DEPTH: usize = 100;

/// Elements that never nest: void ones, and those whose end tag may be left
/// out (`<p>a<p>b` are siblings, not one inside the other).
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "rt",
    "rp", "colgroup",
];

/// Depth change of a piece of raw HTML: +1 for each opening tag of an
/// element that nests, -1 for each closing one. Returns (change, highest
/// point reached from 0).
fn html_depth(html: &str) -> (isize, isize) {
    let (mut depth, mut high) = (0isize, 0isize);
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        let start = i + at + 1;
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = if closing { start + 1 } else { start };
        let name_len = html[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(html.len() - name_start);
        i = name_start + name_len;
        if name_len == 0 {
            continue;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        if FLAT.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth -= 1;
        } else {
            let end = html[i..].find('>').map_or(html.len(), |e| i + e);
            if !html[i..end].ends_with('/') {
                depth += 1;
                high = high.max(depth);
            }
        }
    }
    (depth, high)
}

/// Reports E005 when `body`, which starts on line `first_line`, nests
/// deeper than [`MAX_DEPTH`]; once per body, where it first does.
pub(crate) fn check(body: &str, first_line: usize, sink: &mut Sink<'_>) {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let (mut blocks, mut html) = (0isize, 0isize);
    let limit = isize::try_from(MAX_DEPTH).unwrap_or(isize::MAX);
    for (event, range) in Parser::new_ext(body, opts).into_offset_iter() {
        let reached = match &event {
            Event::Start(_) => {
                blocks += 1;
                blocks + html
            }
            Event::End(_) => {
                blocks -= 1;
                0
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                let (change, high) = html_depth(t);
                let reached = blocks + html + high;
                html = (html + change).max(0);
                reached
            }
            _ => 0,
        };
        if reached > limit {
            let before = &body[..range.start.min(body.len())];
            let line = first_line + before.matches('\n').count();
            let lang = sink.lang;
            sink.report(
                Code::E005,
                Pos::new(line, 1),
                tr!(
                    lang,
                    "Nội dung lồng nhau quá sâu (quá {MAX_DEPTH} cấp trích dẫn `>`, danh sách hoặc thẻ HTML lồng trong nhau); trang này sẽ không dựng được.",
                    "The text nests too deeply (over {MAX_DEPTH} levels of `>` quotes, lists or HTML tags inside each other); its page could not be built."
                ),
                Some(tr!(
                    lang,
                    "Bớt các cấp lồng nhau từ dòng này: đóng các thẻ HTML đã mở, bỏ bớt dấu `>` ở đầu dòng.",
                    "Flatten the text from this line: close the HTML tags opened, drop extra `>` at the start of lines."
                )),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Lang;

    fn codes(body: &str) -> Vec<(Code, u32)> {
        let mut sink = Sink::new(Lang::Vi, "content/2019/x.md", false);
        check(body, 10, &mut sink);
        sink.into_vec()
            .into_iter()
            .map(|d| (d.code, d.pos.line))
            .collect()
    }

    #[test]
    fn ordinary_bodies_pass() {
        let body = "## I. Đánh giá\n\n> a\n> > b\n\n- x\n  - y\n    - **z** [l](a)\n\n<table><tr><td><p>a<p>b</td></tr></table>\n";
        assert!(codes(body).is_empty());
        assert!(codes(&"<p>a\n".repeat(500)).is_empty());
        assert!(codes(&"<br>".repeat(500)).is_empty());
    }

    #[test]
    fn deep_quotes_and_tags_are_e005_on_their_line() {
        let quotes = format!("intro\n\n{}x\n", ">".repeat(5000));
        assert_eq!(codes(&quotes), vec![(Code::E005, 12)]);
        let divs = format!("a\n\n{}\n", "<div>".repeat(20_000));
        assert_eq!(codes(&divs), vec![(Code::E005, 12)]);
        let inline = format!("a {}\n", "<span>".repeat(200));
        assert_eq!(codes(&inline), vec![(Code::E005, 10)]);
    }

    #[test]
    fn closed_tags_do_not_add_up() {
        assert!(codes(&"<div>a</div>\n\n".repeat(500)).is_empty());
        assert!(codes(&"<span>a</span> ".repeat(500)).is_empty());
    }
}
