//! The prose of a plan: its Markdown body cut at level-2 headings, each
//! heading recognised by its words (case, diacritics, Unicode form and
//! leading numbering ignored).

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use unicode_normalization::char::is_combining_mark;

use crate::diag::Pos;

/// The body sections a plan must have, in the seed's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum SectionKey {
    /// II.3 assessment, difficulties, proposals.
    DanhGia,
    /// III goals.
    MucTieu,
    /// IV content.
    DinhHuong,
    /// V solutions.
    GiaiPhap,
    /// VII organisation.
    ToChuc,
}

impl SectionKey {
    pub(crate) const ALL: [SectionKey; 5] = [
        SectionKey::DanhGia,
        SectionKey::MucTieu,
        SectionKey::DinhHuong,
        SectionKey::GiaiPhap,
        SectionKey::ToChuc,
    ];

    /// The key of the contract (`danh-gia`, …).
    pub(crate) fn id(self) -> &'static str {
        match self {
            SectionKey::DanhGia => "danh-gia",
            SectionKey::MucTieu => "muc-tieu",
            SectionKey::DinhHuong => "dinh-huong",
            SectionKey::GiaiPhap => "giai-phap",
            SectionKey::ToChuc => "to-chuc",
        }
    }

    /// The words a heading starts with, folded.
    fn words(self) -> &'static str {
        match self {
            SectionKey::DanhGia => "danh gia chung",
            SectionKey::MucTieu => "muc tieu",
            SectionKey::DinhHuong => "dinh huong",
            SectionKey::GiaiPhap => "giai phap",
            SectionKey::ToChuc => "to chuc thuc hien",
        }
    }

    /// The heading to write, for messages and scaffolds.
    pub(crate) fn heading(self) -> &'static str {
        match self {
            SectionKey::DanhGia => "Đánh giá chung",
            SectionKey::MucTieu => "Mục tiêu",
            SectionKey::DinhHuong => "Định hướng",
            SectionKey::GiaiPhap => "Giải pháp",
            SectionKey::ToChuc => "Tổ chức thực hiện",
        }
    }

    /// Recognises a heading's text.
    pub(crate) fn of_heading(title: &str) -> Option<SectionKey> {
        let folded = fold_heading(title);
        SectionKey::ALL.into_iter().find(|k| {
            folded
                .strip_prefix(k.words())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
    }
}

/// Folds text for comparison: NFD, combining marks dropped, `đ` as `d`,
/// lower case, punctuation as spaces, spaces collapsed. Used for headings
/// and for the search index alike, so `ha tang` finds `Hạ tầng`.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        // Marks are dropped whatever their order, so each character can be
        // decomposed on its own, without NFD's buffering and reordering.
        unicode_normalization::char::decompose_canonical(c, |d| {
            if is_combining_mark(d) {
                return;
            }
            match d {
                'đ' | 'Đ' => out.push('d'),
                _ => out.extend(d.to_lowercase()),
            }
        });
    }
    out
}

fn collapse(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn fold_heading(title: &str) -> String {
    collapse(strip_numbering(&fold(title)))
}

/// Drops leading numbering such as `iii.`, `3)`, `ii.3.`, `iv -`, `a:`.
fn strip_numbering(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        let token_len = t
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(t.len());
        let token = &t[..token_len];
        let numbering = !token.is_empty()
            && (token.chars().all(|c| c.is_ascii_digit())
                || token.chars().all(|c| "ivxlcdm".contains(c))
                || token.len() == 1);
        let after = t[token_len..].trim_start();
        match after.chars().next() {
            Some(p @ ('.' | ')' | '-' | ':' | '–')) if numbering => {
                s = &after[p.len_utf8()..];
            }
            _ => return t,
        }
    }
}

/// A level-2 section of a body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Section {
    pub(crate) key: Option<SectionKey>,
    pub(crate) title: String,
    pub(crate) pos: Pos,
    /// Byte range of the section's content (after its heading) in the body.
    pub(crate) content: Range<usize>,
}

/// A Markdown body and its level-2 sections.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Body {
    pub(crate) text: String,
    /// Byte range of what comes before the first level-2 heading.
    pub(crate) preamble: Range<usize>,
    pub(crate) sections: Vec<Section>,
    /// Line of the file the body starts on.
    pub(crate) first_line: usize,
}

impl Body {
    /// Cuts `text`, which starts on line `first_line` of its file.
    pub(crate) fn new(text: &str, first_line: usize) -> Body {
        let mut headings: Vec<(Range<usize>, String)> = Vec::new();
        let mut current: Option<(usize, String)> = None;
        let parser = Parser::new_ext(
            text,
            Options::ENABLE_TABLES
                | Options::ENABLE_FOOTNOTES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_HEADING_ATTRIBUTES,
        );
        for (event, range) in parser.into_offset_iter() {
            match event {
                Event::Start(Tag::Heading {
                    level: HeadingLevel::H2,
                    ..
                }) => current = Some((range.start, String::new())),
                Event::Text(t) | Event::Code(t) => {
                    if let Some((_, title)) = current.as_mut() {
                        title.push_str(&t);
                    }
                }
                Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                    if let Some((start, title)) = current.take() {
                        headings.push((start..range.end, title.trim().to_string()));
                    }
                }
                _ => {}
            }
        }
        let mut sections = Vec::with_capacity(headings.len());
        for (i, (range, title)) in headings.iter().enumerate() {
            let before = &text[..range.start];
            let line = first_line + before.matches('\n').count();
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let end = headings.get(i + 1).map_or(text.len(), |(r, _)| r.start);
            sections.push(Section {
                key: SectionKey::of_heading(title),
                title: title.clone(),
                pos: Pos::new(line, col),
                content: range.end.min(end)..end,
            });
        }
        let preamble_end = headings.first().map_or(text.len(), |(r, _)| r.start);
        Body {
            text: text.to_string(),
            preamble: 0..preamble_end,
            sections,
            first_line,
        }
    }

    /// Whether a section holds nothing a reader would see: only headings,
    /// blank lines and `<!-- … -->` comments (the scaffold's guidance).
    pub(crate) fn is_blank(&self, section: &Section) -> bool {
        let mut rest = &self.text[section.content.clone()];
        let mut visible = String::new();
        while let Some(start) = rest.find("<!--") {
            visible.push_str(&rest[..start]);
            rest = match rest[start..].find("-->") {
                Some(end) => &rest[start + end + 3..],
                None => "",
            };
        }
        visible.push_str(rest);
        visible
            .lines()
            .map(str::trim)
            .all(|l| l.is_empty() || l.starts_with('#'))
    }

    /// A line that looks like the heading of `key` but is not a level-2
    /// heading: `### Mục tiêu`, `# Mục tiêu`, `**V. GIẢI PHÁP**`. Gives its
    /// position and text.
    pub(crate) fn near_heading(&self, key: SectionKey) -> Option<(Pos, String)> {
        self.text.lines().enumerate().find_map(|(i, line)| {
            let t = line.trim();
            let hashes = t.chars().take_while(|c| *c == '#').count();
            let inner = t[hashes..].trim();
            let bold = ["**", "__"]
                .iter()
                .find_map(|m| inner.strip_prefix(m).and_then(|x| x.strip_suffix(m)));
            let words = match (hashes, bold) {
                (2, None) => return None,
                (_, Some(b)) => b.trim(),
                (0, None) => return None,
                (_, None) => inner,
            };
            (SectionKey::of_heading(words) == Some(key))
                .then(|| (Pos::new(self.first_line + i, 1), t.to_string()))
        })
    }

    /// The first section with `key`.
    pub(crate) fn section(&self, key: SectionKey) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == Some(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_recognised_by_their_words() {
        let k = SectionKey::of_heading;
        assert_eq!(
            k("III. Mục tiêu ứng dụng CNTT năm 2019"),
            Some(SectionKey::MucTieu)
        );
        assert_eq!(
            k("II.3. Đánh giá chung; khó khăn"),
            Some(SectionKey::DanhGia)
        );
        assert_eq!(k("3) ĐÁNH GIÁ CHUNG"), Some(SectionKey::DanhGia));
        assert_eq!(k("IV - Định hướng nội dung"), Some(SectionKey::DinhHuong));
        assert_eq!(k("V: Giải pháp thực hiện"), Some(SectionKey::GiaiPhap));
        assert_eq!(k("VII. Tổ chức thực hiện"), Some(SectionKey::ToChuc));
        assert_eq!(k("dinh huong"), Some(SectionKey::DinhHuong));
        assert_eq!(k("Mục tiêuxyz"), None);
        assert_eq!(k("Phụ lục"), None);
    }

    /// `fold` decomposes character by character; it must agree with NFD of
    /// the whole text, marks dropped, on every form of Vietnamese and on
    /// marks out of canonical order.
    #[test]
    fn fold_agrees_with_whole_text_nfd() {
        use unicode_normalization::UnicodeNormalization;
        let reference = |t: &str| -> String {
            t.nfd()
                .filter(|c| !is_combining_mark(*c))
                .flat_map(|c| match c {
                    'đ' | 'Đ' => vec!['d'],
                    c => c.to_lowercase().collect(),
                })
                .collect()
        };
        let samples = [
            "Hạ tầng kỹ thuật, ĐÀO TẠO nguồn nhân lực; Ứng dụng CNTT!",
            "a\u{0323}\u{0302} e\u{0302}\u{0323} o\u{031B}\u{0301}",
            "Ǆ ǅ ǆ İ ß ﬁ Ω Å 가나 ΐ",
            "",
        ];
        for t in samples {
            for form in [t.to_string(), t.nfc().collect(), t.nfd().collect()] {
                assert_eq!(fold(&form), reference(&form), "{form:?}");
            }
        }
    }

    #[test]
    fn unicode_forms_do_not_matter() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Tổ chức thực hiện".nfd().collect();
        let nfc: String = "Tổ chức thực hiện".nfc().collect();
        assert_ne!(nfd, nfc);
        assert_eq!(SectionKey::of_heading(&nfd), Some(SectionKey::ToChuc));
        assert_eq!(fold("Đào tạo"), "dao tao");
        assert_eq!(fold("Hạ tầng"), "ha tang");
    }

    #[test]
    fn sections_carry_lines_and_content() {
        let text = "Intro\n\n## III. Mục tiêu\n\nGoals.\n\n## Khác\nx\n";
        let b = Body::new(text, 10);
        assert_eq!(b.sections.len(), 2);
        assert_eq!(b.sections[0].pos, Pos { line: 12, col: 1 });
        assert_eq!(b.sections[0].key, Some(SectionKey::MucTieu));
        assert_eq!(&text[b.sections[0].content.clone()], "\nGoals.\n\n");
        assert_eq!(&text[b.preamble.clone()], "Intro\n\n");
        assert_eq!(b.sections[1].key, None);
    }

    #[test]
    fn level_three_headings_and_code_blocks_are_not_sections() {
        let b = Body::new("### Mục tiêu\n```\n## Mục tiêu\n```\n", 1);
        assert!(b.sections.is_empty());
    }
}
