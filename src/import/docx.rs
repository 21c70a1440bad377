//! Word files: a small reader of `word/document.xml` on zip and
//! quick-xml (the workbook reader uses them too). It keeps what a plan needs:
//! paragraphs with their style (headings, lists), and tables with merged
//! cells (`w:gridSpan` across, `w:vMerge` down) spread over the positions
//! they cover, every cell knowing its table, row and column.

use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::source::{Cell, Place, Prose, Source, Table};
use crate::model::SectionKey;
use crate::model::sections::fold;

/// The document part is at most this big once inflated.
const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Default)]
struct Para {
    style: String,
    text: String,
}

#[derive(Default, Clone)]
struct RawCell {
    text: String,
    span: usize,
    /// `Some(true)`: starts a vertical merge; `Some(false)`: continues one.
    vmerge: Option<bool>,
}

enum Block {
    Para(Para),
    Table(Vec<Vec<RawCell>>),
}

/// An attribute's raw value: the ones read here (style names, spans,
/// `restart`) never hold entities.
fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

fn blocks(xml: &[u8]) -> Result<Vec<Block>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    // Nesting of tables; text of a nested table goes into the outer cell.
    let mut tables: Vec<Vec<Vec<RawCell>>> = Vec::new();
    let mut cell: Option<RawCell> = None;
    let mut para: Option<Para> = None;
    let mut in_text = false;
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("document.xml: {e}"))?;
        let opens = matches!(ev, Event::Start(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "w:p" => {
                    para = Some(Para::default());
                }
                "w:pStyle" => {
                    if let (Some(p), Some(v)) = (para.as_mut(), attr(&e, "w:val")) {
                        p.style = v;
                    }
                }
                "w:t" => in_text = opens,
                "w:tab" => push_text(&mut para, "\t"),
                "w:br" | "w:cr" => push_text(&mut para, "\n"),
                "w:tbl" => {
                    if tables.len() > 32 {
                        return Err("tables nested too deep".into());
                    }
                    tables.push(Vec::new());
                }
                "w:tr" if tables.len() == 1 => {
                    if let Some(t) = tables.last_mut() {
                        t.push(Vec::new());
                    }
                }
                "w:tc" if tables.len() == 1 => {
                    cell = Some(RawCell {
                        span: 1,
                        ..RawCell::default()
                    });
                }
                "w:gridSpan" if tables.len() == 1 => {
                    if let (Some(c), Some(v)) = (cell.as_mut(), attr(&e, "w:val")) {
                        c.span = v.parse().unwrap_or(1).clamp(1, 64);
                    }
                }
                "w:vMerge" if tables.len() == 1 => {
                    if let Some(c) = cell.as_mut() {
                        c.vmerge = Some(attr(&e, "w:val").as_deref() == Some("restart"));
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t.xml10_content().into_owned();
                push_text(&mut para, &s);
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.to_string();
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap_or("")
                        .to_string(),
                };
                push_text(&mut para, &s);
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => {
                    if let Some(p) = para.take() {
                        if let Some(c) = cell.as_mut() {
                            if !c.text.is_empty() {
                                c.text.push('\n');
                            }
                            c.text.push_str(&p.text);
                        } else if tables.is_empty() {
                            out.push(Block::Para(p));
                        }
                    }
                }
                "w:tc" if tables.len() == 1 => {
                    if let (Some(c), Some(t)) = (cell.take(), tables.last_mut())
                        && let Some(row) = t.last_mut()
                    {
                        row.push(c);
                    }
                }
                "w:tbl" => {
                    if let Some(t) = tables.pop()
                        && tables.is_empty()
                    {
                        out.push(Block::Table(t));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn push_text(para: &mut Option<Para>, s: &str) {
    if let Some(p) = para.as_mut() {
        p.text.push_str(s);
    }
}

/// Spreads merged cells over the grid: a cell spanning three columns fills
/// three positions, a cell continuing a vertical merge takes the text of
/// the one above.
fn grid(raw: &[Vec<RawCell>], table: usize) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(raw.len());
    for (r, raw_row) in raw.iter().enumerate() {
        let mut row: Vec<Cell> = Vec::new();
        for rc in raw_row {
            let c = row.len();
            let above = (rc.vmerge == Some(false))
                .then(|| rows.last().and_then(|prev| prev.get(c)).cloned())
                .flatten();
            let cell = above.unwrap_or_else(|| Cell {
                text: rc.text.trim().to_string(),
                num: None,
                date: None,
                place: Place::Table {
                    table,
                    row: r + 1,
                    column: c + 1,
                },
            });
            for _ in 0..rc.span {
                row.push(cell.clone());
            }
        }
        rows.push(row);
    }
    rows
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Before,
    Bases,
    Other,
    Section,
}

/// Starts with a Roman numeral: `III.`, `II.3.`.
fn roman(text: &str) -> bool {
    text.trim_start()
        .chars()
        .next()
        .is_some_and(|c| matches!(c, 'I' | 'V' | 'X'))
        && numbered(text)
}

fn numbered(text: &str) -> bool {
    let t = text.trim_start();
    let token: String = t.chars().take_while(|c| !c.is_whitespace()).collect();
    let core = token.trim_end_matches(['.', ')', ':', '-']);
    !core.is_empty()
        && token.len() > core.len()
        && core
            .chars()
            .all(|c| matches!(c, 'I' | 'V' | 'X' | '.') || c.is_ascii_digit())
}

pub(super) fn read(bytes: &[u8]) -> Result<Source, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut xml = Vec::new();
    zip.by_name("word/document.xml")
        .map_err(|_| "word/document.xml is missing".to_string())?
        .take(MAX_DOCUMENT_BYTES)
        .read_to_end(&mut xml)
        .map_err(|e| e.to_string())?;
    let mut source = Source::default();
    let mut mode = Mode::Before;
    let mut paragraph = 0usize;
    let mut table_n = 0usize;
    let mut recent: Vec<String> = Vec::new();
    let mut intro: Vec<String> = Vec::new();
    for block in blocks(&xml)? {
        match block {
            Block::Table(raw) => {
                table_n += 1;
                let caption = recent.join("\n");
                source.tables.push(Table {
                    rows: grid(&raw, table_n),
                    caption,
                });
                recent.clear();
            }
            Block::Para(p) => {
                paragraph += 1;
                let text = p.text.trim().to_string();
                if text.is_empty() {
                    continue;
                }
                recent.push(text.clone());
                if recent.len() > 2 {
                    recent.remove(0);
                }
                let style = fold(&p.style);
                let heading_style = style.starts_with("heading") || style.starts_with("tieu de");
                let level = style
                    .trim_start_matches("heading")
                    .trim()
                    .parse::<u8>()
                    .unwrap_or(1);
                let looks_heading =
                    text.chars().count() < 200 && (numbered(&text) || heading_style);
                if looks_heading && level <= 2 {
                    let w = fold(&text);
                    let core: String = w
                        .trim_start_matches(|c: char| !c.is_alphabetic())
                        .to_string();
                    let core = core.trim_start_matches(['i', 'v', 'x']);
                    let core = core.trim_start_matches(|c: char| !c.is_alphabetic());
                    // A plain "1. Giải pháp tài chính" inside section V is a
                    // list item, not section V again: plain paragraphs start a
                    // section with a Roman numeral, or as "3. Đánh giá chung"
                    // (II.3), the one section the letter numbers in Arabic.
                    let key = SectionKey::of_heading(&text)
                        .filter(|k| heading_style || roman(&text) || *k == SectionKey::DanhGia);
                    if let Some(key) = key {
                        mode = Mode::Section;
                        source.prose.push(Prose {
                            heading: text.clone(),
                            text: String::new(),
                            place: Place::Paragraph(paragraph),
                        });
                        let _ = key;
                        continue;
                    }
                    if core.starts_with("can cu") {
                        mode = Mode::Bases;
                        continue;
                    }
                    // Other parts of the letter (II, II.1, II.2, VI) end the
                    // section before them; their tables are read on their own.
                    if heading_style
                        || roman(&text)
                        || ["danh gia tong quan", "kinh phi da va dang"]
                            .iter()
                            .any(|h| core.starts_with(h))
                    {
                        mode = Mode::Other;
                        continue;
                    }
                }
                match mode {
                    Mode::Before => intro.push(text),
                    Mode::Bases => {
                        let t = text.trim_start_matches(['-', '–', '•', '+', ' ']).trim();
                        let t = t.trim_end_matches([';', '.']).trim();
                        if !t.is_empty() {
                            source
                                .legal_bases
                                .push((t.to_string(), Place::Paragraph(paragraph)));
                        }
                    }
                    Mode::Other => {}
                    Mode::Section => {
                        if let Some(section) = source.prose.last_mut() {
                            if !section.text.is_empty() {
                                section.text.push_str("\n\n");
                            }
                            if heading_style && level >= 3 {
                                section
                                    .text
                                    .push_str(&"#".repeat(usize::from(level.min(6))));
                                section.text.push(' ');
                            } else if style.contains("list") && !text.starts_with(['-', '*']) {
                                section.text.push_str("- ");
                            }
                            section.text.push_str(&text);
                        }
                    }
                }
            }
        }
    }
    source.preamble = intro.join("\n");
    Ok(source)
}
