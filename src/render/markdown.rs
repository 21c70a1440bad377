//! Markdown to safe HTML: pulldown-cmark renders, ammonia cleans. Headings
//! get ids from their folded text, so links to sections are stable and
//! readable (`#muc-tieu-ung-dung-cntt`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use crate::model::sections::fold;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Classes pulldown-cmark gives footnotes; the only classes a body keeps,
/// so an author cannot dress a paragraph as the theme's draft banner or
/// skip link.
const FOOTNOTE_CLASSES: [&str; 3] = [
    "footnote-reference",
    "footnote-definition",
    "footnote-definition-label",
];

/// What an author's own id becomes, so that it can never take the place
/// of one the page relies on (`noi-dung`, the skip link's target).
const AUTHOR_ID_PREFIX: &str = "u-";

/// Footnote ids are the author's labels; under this prefix they cannot
/// collide with the page's ids either.
const FOOTNOTE_PREFIX: &str = "fn-";

thread_local! {
    /// The ids the renderer itself gave in the body being cleaned: heading
    /// ids and footnote anchors. Any other id came from raw HTML.
    static OWN_IDS: std::cell::RefCell<HashSet<String>> =
        std::cell::RefCell::new(HashSet::new());
}

/// Whether a URL leads off the site: it has a scheme (`https:`, `data:`)
/// or is protocol-relative (`//host`, and `/\host` that browsers read the
/// same). Browsers drop tabs and newlines in URLs and trim spaces and
/// control characters, so this does too before looking.
pub(crate) fn off_site(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = url.trim_matches(|c: char| c <= ' ');
    let mut chars = url.chars();
    if let (Some(a), Some(b)) = (chars.next(), chars.next())
        && matches!(a, '/' | '\\')
        && matches!(b, '/' | '\\')
    {
        return true;
    }
    let head = url.split(['/', '?', '#']).next().unwrap_or("");
    head.contains(':')
}

/// Keeps an attribute the builder allows, or rewrites or drops it: see
/// [`CLEANER`].
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match attribute {
        "class" => FOOTNOTE_CLASSES
            .contains(&value)
            .then_some(Cow::Borrowed(value)),
        "id" => {
            if OWN_IDS.with(|ids| ids.borrow().contains(value)) {
                Some(Cow::Borrowed(value))
            } else {
                Some(Cow::Owned(format!("{AUTHOR_ID_PREFIX}{value}")))
            }
        }
        // Pages load nothing from elsewhere: a picture from another
        // server would tell it who reads the plan (and from which page).
        "src" if element == "img" && off_site(value) => None,
        _ => Some(Cow::Borrowed(value)),
    }
}

/// The sanitiser: ammonia's safe defaults (no script, style, iframe, form,
/// event handlers or `javascript:` URLs), plus heading ids and footnote
/// anchors. Classes are only footnotes', ids not given by the renderer get
/// [`AUTHOR_ID_PREFIX`], and images from other sites lose their source.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, ["id"]);
    }
    b.add_tag_attributes("sup", ["id", "class"]);
    b.add_tag_attributes("div", ["id", "class"]);
    b.add_tag_attributes("a", ["id"]);
    b.add_tag_attributes("th", ["scope"]);
    b.link_rel(Some("noopener noreferrer"));
    b.attribute_filter(filter_attribute);
    b
});

/// Slug of a heading: folded, ASCII, hyphenated.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in fold(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "muc".to_string()
    } else {
        out.to_string()
    }
}

/// Renders `text` to clean HTML. Headings are shifted down by `shift`
/// levels (a body's `###` under the page's own `h2` stays `h3`), and ids
/// are made unique with `used`, shared across a page.
pub(crate) fn to_html(text: &str, used: &mut HashSet<String>) -> String {
    let mut events: Vec<Event<'_>> = Parser::new_ext(text, options()).collect();
    let mut own: HashSet<String> = HashSet::new();
    // The next number to try after each base id: a body of 20,000 `### a`
    // would otherwise try 2, 3, … again for every heading (quadratic).
    let mut next: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            // Give headings without an explicit id one from their text.
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let (level, classes, attrs) = (*level, classes.clone(), attrs.clone());
                let explicit = id.as_ref().map(|s| s.to_string());
                let mut title = String::new();
                for e in &events[i + 1..] {
                    match e {
                        Event::Text(t) | Event::Code(t) => title.push_str(t),
                        Event::End(TagEnd::Heading(_)) => break,
                        _ => {}
                    }
                }
                let base = explicit.unwrap_or_else(|| slug(&title));
                let mut candidate = base.clone();
                if !used.insert(candidate.clone()) {
                    let n = next.entry(base.clone()).or_insert(2);
                    loop {
                        candidate = format!("{base}-{n}");
                        *n += 1;
                        if used.insert(candidate.clone()) {
                            break;
                        }
                    }
                }
                own.insert(candidate.clone());
                events[i] = Event::Start(Tag::Heading {
                    level: clamp(level),
                    id: Some(CowStr::from(candidate)),
                    classes,
                    attrs,
                });
            }
            Event::End(TagEnd::Heading(level)) => {
                events[i] = Event::End(TagEnd::Heading(clamp(*level)));
            }
            Event::FootnoteReference(label) => {
                let id = format!("{FOOTNOTE_PREFIX}{label}");
                own.insert(id.clone());
                events[i] = Event::FootnoteReference(CowStr::from(id));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let id = format!("{FOOTNOTE_PREFIX}{label}");
                own.insert(id.clone());
                events[i] = Event::Start(Tag::FootnoteDefinition(CowStr::from(id)));
            }
            // A picture from another site becomes a link to it, its text
            // the picture's description: nothing is loaded from there.
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if off_site(dest_url) => {
                events[i] = Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest_url.clone(),
                    title: title.clone(),
                    id: id.clone(),
                });
                // Its own end, past any picture nested in its description.
                let mut depth = 0usize;
                let end = events[i + 1..].iter().position(|e| match e {
                    Event::Start(Tag::Image { .. }) => {
                        depth += 1;
                        false
                    }
                    Event::End(TagEnd::Image) if depth > 0 => {
                        depth -= 1;
                        false
                    }
                    Event::End(TagEnd::Image) => true,
                    _ => false,
                });
                if let Some(end) = end {
                    events[i + 1 + end] = Event::End(TagEnd::Link);
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    // A Markdown table's header cells head their columns; say so for
    // screen readers (an author's own `<th scope>` is kept).
    let raw = raw
        .replace("<th>", "<th scope=\"col\">")
        .replace("<th style=", "<th scope=\"col\" style=");
    OWN_IDS.with(|ids| *ids.borrow_mut() = own);
    let clean = CLEANER.clean(&raw).to_string();
    OWN_IDS.with(|ids| ids.borrow_mut().clear());
    clean
}

/// The page owns h1 and h2; body headings start at h3.
fn clamp(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => HeadingLevel::H3,
        l => l,
    }
}

/// Whether `text` reads as Vietnamese: more than one letter in a hundred
/// is one only Vietnamese uses here (đ, ă, ơ, ư, or a letter with a tone
/// mark from the Latin Extended Additional block). Plans are written in
/// Vietnamese whatever the interface language; an English page marks their
/// prose `lang="vi"` so screen readers read it in Vietnamese.
pub(crate) fn looks_vietnamese(text: &str) -> bool {
    let (mut letters, mut vietnamese) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if matches!(
            c,
            'đ' | 'Đ' | 'ă' | 'Ă' | 'ơ' | 'Ơ' | 'ư' | 'Ư' | '\u{1EA0}'..='\u{1EF9}'
        ) {
            vietnamese += 1;
        }
    }
    letters > 0 && vietnamese * 100 > letters
}

/// Plain text of Markdown, for the search index and descriptions.
pub(crate) fn to_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for e in Parser::new_ext(text, options()) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !out.ends_with(' ') => {
                out.push(' ');
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A set for heading ids, pre-filled with the ids the page itself uses.
pub(crate) fn page_ids() -> HashSet<String> {
    [
        "noi-dung", "i", "ii", "ii-1", "ii-2", "ii-3", "iii", "iv", "v", "vi", "vii", "tim-kiem",
        "top",
    ]
    .into_iter()
    .map(String::from)
    .collect::<HashSet<_>>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_is_told_from_english() {
        assert!(looks_vietnamese(
            "Kế hoạch ứng dụng công nghệ thông tin năm 2019"
        ));
        assert!(looks_vietnamese("Đầu tư hạ tầng"));
        assert!(!looks_vietnamese(
            "The plan for information technology in 2019"
        ));
        assert!(!looks_vietnamese("Café résumé naïve"));
        assert!(!looks_vietnamese("2019 — 1.250"));
    }

    fn html(s: &str) -> String {
        to_html(s, &mut HashSet::new())
    }

    #[test]
    fn keeps_formatting_tables_links_lists_images() {
        let h = html(
            "**b** *i* ~~s~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n\n[l](https://x.vn) ![alt](a.png)\n",
        );
        for part in [
            "<strong>b</strong>",
            "<em>i</em>",
            "<del>s</del>",
            "<table>",
            "<td>1</td>",
            "<th scope=\"col\">a</th>",
            "<li>x</li>",
            "href=\"https://x.vn\"",
            "<img src=\"a.png\" alt=\"alt\"",
        ] {
            assert!(h.contains(part), "{part} missing in {h}");
        }
    }

    #[test]
    fn drops_scripts_handlers_and_javascript_urls() {
        let h = html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<iframe src=//evil></iframe><form><input></form><p style=\"color:red\">p</p>\n\n<a href=\"JaVaScRiPt:alert(1)\">y</a>",
        );
        let lower = h.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "<iframe",
            "<form",
            "<input",
            "style=",
        ] {
            assert!(!lower.contains(bad), "{bad} survived in {h}");
        }
    }

    #[test]
    fn headings_get_unique_ids_and_start_at_h3() {
        let mut used = page_ids();
        let h = to_html("## Hạ tầng\n\n### Hạ tầng\n\n#### Đào tạo", &mut used);
        assert!(h.contains("<h3 id=\"ha-tang\">"), "{h}");
        assert!(h.contains("<h3 id=\"ha-tang-2\">"), "{h}");
        assert!(h.contains("<h4 id=\"dao-tao\">"), "{h}");
    }

    #[test]
    fn many_equal_headings_get_consecutive_ids() {
        let mut used = page_ids();
        let h = to_html(&"### a\n\n".repeat(1000), &mut used);
        assert!(h.contains("<h3 id=\"a\">") && h.contains("<h3 id=\"a-1000\">"));
        // Across bodies of one page, the numbers go on.
        let h = to_html("### a\n\n### a {#a-1001}\n", &mut used);
        assert!(
            h.contains("<h3 id=\"a-1001\">") && h.contains("<h3 id=\"a-1001-2\">"),
            "{h}"
        );
    }

    #[test]
    fn author_ids_are_prefixed_and_classes_dropped_but_footnotes_work() {
        let h = html(
            "<div id=\"noi-dung\" class=\"draft-banner\">x</div>\n\nA[^n].\n\n[^n]: B\n\n## T {#top}\n",
        );
        assert!(h.contains("<div id=\"u-noi-dung\">x</div>"), "{h}");
        assert!(
            h.contains("href=\"#fn-n\"") && h.contains("id=\"fn-n\""),
            "{h}"
        );
        assert!(h.contains("class=\"footnote-reference\""), "{h}");
        assert!(
            h.contains("<h3 id=\"top\">"),
            "a Markdown heading's id is the renderer's: {h}"
        );
        assert!(!h.contains("draft-banner"));
    }

    #[test]
    fn pictures_from_elsewhere_are_links_or_lose_their_source() {
        for url in [
            "https://x.vn/a.png",
            "//x.vn/a.png",
            "/\\x.vn/a.png",
            "\\\\x.vn/a.png",
            " https://x.vn/a.png",
            "ht\ttps://x.vn",
            "data:image/png;base64,AA",
        ] {
            assert!(off_site(url), "{url}");
        }
        for url in [
            "a.png",
            "/static/a.png",
            "../a.png",
            "./b/c.png?x=1:2",
            "#a",
        ] {
            assert!(!off_site(url), "{url}");
        }
        let h = html(
            "![Sơ đồ](https://x.vn/a.png) ![![in](//y/b.png)](https://x.vn/c.png)\n\n<img src=\"//x.vn/d.png\" alt=\"d\">",
        );
        assert!(!h.contains("<img src"), "{h}");
        assert!(
            h.contains("<a href=\"https://x.vn/a.png\" rel=\"noopener noreferrer\">Sơ đồ</a>"),
            "{h}"
        );
        assert!(h.contains("<img alt=\"d\">"), "{h}");
    }

    #[test]
    fn plain_text() {
        assert_eq!(to_text("# A\n\nb *c* `d`\n- e"), "A b c d e");
    }
}
