//! Workbooks, read from their XML on zip + quick-xml: every sheet becomes a
//! table, merged cells spread over the positions they cover.
//!
//! A number cell is taken from the digits the file stores (`<v>` of the
//! sheet XML), straight into a `Decimal`: no binary float on the way, so an
//! amount is exactly what the file says, including the cached result of a
//! formula and the longer digits a program other than Excel may write (an
//! agency's own software exporting `Decimal`s). calamine would hand every
//! number over as an `f64` first; it stays a test dependency only.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;

use super::source::{Cell, Place, Source, Table, column_name};
use crate::diag::{Lang, tr};

/// Most cells read from one sheet, counting the empty ones between: a plan
/// has a few hundred. Checked before the grid is made.
const MAX_CELLS: usize = 200_000;
/// Most bytes one part of the workbook inflates to (the zip as a whole is
/// bounded before this reader runs).
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// Excel's own limits: a reference beyond them is not a cell.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLS: usize = 16_384;

/// A cell as the sheet stores it, before the grid is made.
struct Stored {
    row: usize,
    col: usize,
    text: String,
    num: Option<Decimal>,
    date: Option<(i32, u32, u32)>,
}

pub(super) fn read(bytes: &[u8], lang: Lang) -> Result<Source, String> {
    let cannot_open = |why: &str| {
        tr!(
            lang,
            "không mở được sổ tính ({why})",
            "the workbook cannot be opened ({why})"
        )
    };
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| cannot_open(&e.to_string()))?;
    let book_path = part(&mut zip, "_rels/.rels")
        .ok()
        .flatten()
        .and_then(|x| {
            relationships(&x)
                .into_iter()
                .find(|(_, ty, _)| ty.ends_with("/officeDocument"))
                .map(|(_, _, target)| resolve("", &target))
        })
        .unwrap_or_else(|| "xl/workbook.xml".to_string());
    let book = part(&mut zip, &book_path)
        .map_err(|e| cannot_open(&e))?
        .ok_or_else(|| cannot_open(&format!("{book_path} missing")))?;
    let dir = book_path
        .rfind('/')
        .map_or(String::new(), |i| book_path[..=i].to_string());
    let rels_path = format!("{dir}_rels/{}.rels", &book_path[dir.len()..]);
    let targets: HashMap<String, String> = part(&mut zip, &rels_path)
        .map_err(|e| cannot_open(&e))?
        .map(|x| {
            relationships(&x)
                .into_iter()
                .filter(|(_, ty, _)| ty.ends_with("/worksheet"))
                .map(|(id, _, target)| (id, resolve(&dir, &target)))
                .collect()
        })
        .unwrap_or_default();
    let (sheets, date1904) = workbook(&book).map_err(|e| cannot_open(&e))?;
    let strings =
        match part(&mut zip, &format!("{dir}sharedStrings.xml")).map_err(|e| cannot_open(&e))? {
            Some(x) => shared_strings(&x).map_err(|e| cannot_open(&e))?,
            None => Vec::new(),
        };
    let dates = match part(&mut zip, &format!("{dir}styles.xml")).map_err(|e| cannot_open(&e))? {
        Some(x) => date_styles(&x).map_err(|e| cannot_open(&e))?,
        None => Vec::new(),
    };
    let mut source = Source::default();
    for (name, id) in sheets {
        // Chart sheets and dialog sheets have no cells.
        let Some(path) = targets.get(&id) else {
            continue;
        };
        let Some(xml) = part(&mut zip, path).map_err(|e| cannot_open(&e))? else {
            continue;
        };
        let too_many = || {
            tr!(
                lang,
                "trang tính \"{name}\" có quá nhiều ô",
                "sheet \"{name}\" has far too many cells"
            )
        };
        let (cells, merges) = sheet(&xml, &strings, &dates, date1904, too_many)?;
        let rows_n = cells.iter().map(|c| c.row + 1).max().unwrap_or(0);
        let cols_n = cells.iter().map(|c| c.col + 1).max().unwrap_or(0);
        if rows_n.saturating_mul(cols_n) > MAX_CELLS {
            return Err(too_many());
        }
        // Rows and columns from A1, so that places are the addresses people see.
        let mut rows: Vec<Vec<Cell>> = (0..rows_n)
            .map(|r| {
                (0..cols_n)
                    .map(|c| Cell {
                        text: String::new(),
                        num: None,
                        date: None,
                        place: place(&name, r, c),
                    })
                    .collect()
            })
            .collect();
        for s in cells {
            if let Some(cell) = rows.get_mut(s.row).and_then(|r| r.get_mut(s.col)) {
                cell.text = s.text;
                cell.num = s.num;
                cell.date = s.date;
            }
        }
        // Merged ranges of a real sheet do not overlap, so together they
        // cover at most the grid; overlapping ones could make the spreading
        // below quadratic.
        let mut spread = 0usize;
        for ((sr, sc), (er, ec)) in merges {
            let Some(first) = rows.get(sr).and_then(|r| r.get(sc)).cloned() else {
                continue;
            };
            let last_row = er.min(rows_n.saturating_sub(1));
            let last_col = ec.min(cols_n.saturating_sub(1));
            spread = spread.saturating_add(
                (last_row + 1)
                    .saturating_sub(sr)
                    .saturating_mul((last_col + 1).saturating_sub(sc)),
            );
            if spread > MAX_CELLS {
                return Err(too_many());
            }
            for (r, row) in rows.iter_mut().enumerate().take(last_row + 1).skip(sr) {
                for (c, cell) in row.iter_mut().enumerate().take(last_col + 1).skip(sc) {
                    if (r, c) != (sr, sc) {
                        cell.text = first.text.clone();
                        cell.num = first.num;
                        cell.date = first.date;
                        cell.place = first.place.clone();
                    }
                }
            }
        }
        source.tables.push(Table {
            rows,
            caption: String::new(),
        });
    }
    Ok(source)
}

/// One part of the zip, inflated within its bound; `None` when absent.
fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<Vec<u8>>, String> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    let mut out = Vec::new();
    entry
        .take(MAX_PART_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{name}: {e}"))?;
    if u64::try_from(out.len()).unwrap_or(u64::MAX) > MAX_PART_BYTES {
        return Err(format!("{name}: too big"));
    }
    Ok(Some(out))
}

/// A target of a relationship, as a path in the zip: relative to the folder
/// of the part that names it, or absolute from the zip's root.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{dir}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// An attribute by its local name (prefixes differ between writers),
/// unescaped.
fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
        })
    })
}

fn xml_error(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// (Id, Type, Target) of every relationship of a `.rels` part.
fn relationships(xml: &[u8]) -> Vec<(String, String, String)> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        buf.clear();
        let Ok(ev) = reader.read_event_into(&mut buf) else {
            break;
        };
        match ev {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    out.push((id, attr(&e, "Type").unwrap_or_default(), target));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The sheets in their order (name, relationship id), and whether dates
/// count from 1904.
fn workbook(xml: &[u8]) -> Result<(Vec<(String, String)>, bool), String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut sheets = Vec::new();
    let mut date1904 = false;
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error("workbook.xml", e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "sheet" => {
                    if let (Some(name), Some(id)) = (attr(&e, "name"), attr(&e, "id")) {
                        sheets.push((name, id));
                    }
                }
                "workbookPr" => {
                    date1904 = matches!(attr(&e, "date1904").as_deref(), Some("1" | "true"));
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((sheets, date1904))
}

/// Text of the `<t>` elements under the current element until its end,
/// leaving out phonetic runs (`<rPh>`), which are not what the cell shows.
fn texts(reader: &mut Reader<&[u8]>, end: &str, what: &str) -> Result<String, String> {
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_t = false;
    let mut phonetic = 0usize;
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(what, e))?
        {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_t = phonetic == 0,
                "rPh" => phonetic += 1,
                _ => {}
            },
            Event::End(e) => {
                let name = e.local_name();
                match name.as_ref() {
                    "t" => in_t = false,
                    "rPh" => phonetic = phonetic.saturating_sub(1),
                    n if n == end => return Ok(unescape_ooxml(&out)),
                    _ => {}
                }
            }
            Event::Text(t) if in_t => {
                out.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) if in_t => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    let name = r.to_string();
                    out.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap_or(""));
                }
            }
            Event::CData(t) if in_t => out.push_str(&t),
            Event::Eof => return Err(format!("{what}: unexpected end")),
            _ => {}
        }
    }
}

/// OOXML writes characters XML cannot hold as `_xHHHH_` (a carriage return
/// is `_x000D_`).
fn unescape_ooxml(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let code = tail
            .get(2..6)
            .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
            .filter(|_| tail.as_bytes().get(6) == Some(&b'_'))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn shared_strings(xml: &[u8]) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error("sharedStrings.xml", e))?
        {
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                out.push(texts(&mut reader, "si", "sharedStrings.xml")?);
            }
            Event::Empty(e) if e.local_name().as_ref() == "si" => out.push(String::new()),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// For each cell style (`s` of a cell), whether its number format shows a
/// date: Excel's built-in date formats, or a format of the file's own with
/// day or year in it.
fn date_styles(xml: &[u8]) -> Result<Vec<bool>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error("styles.xml", e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode"))
                        && let Ok(id) = id.parse()
                    {
                        custom.insert(id, is_date_format(&code));
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs => {
                    let id: u32 = attr(&e, "numFmtId")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let date = custom
                        .get(&id)
                        .copied()
                        .unwrap_or(matches!(id, 14..=17 | 22 | 27..=36 | 50..=58));
                    out.push(date);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// A format code shows a date when, outside quoted text, escapes and
/// `[...]` (colours, conditions, elapsed hours), it has a day or a year.
fn is_date_format(code: &str) -> bool {
    let mut chars = code.chars();
    let mut quoted = false;
    let mut bracket = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => bracket = true,
            ']' => bracket = false,
            _ if bracket => {}
            'd' | 'D' | 'y' | 'Y' => return true,
            _ => {}
        }
    }
    false
}

/// `B12` as (row, column) from 0.
fn reference(r: &str) -> Option<(usize, usize)> {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut col = 0usize;
    for b in r[..letters].bytes() {
        col = col * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row: usize = r[letters..].parse().ok()?;
    ((1..=MAX_ROWS).contains(&row) && col <= MAX_COLS).then(|| (row - 1, col - 1))
}

/// The number the file stores, digit for digit: `1234.5`, `-0.25`,
/// `1.2345E+17` (Excel's form for very large and very small numbers).
pub(super) fn stored_number(v: &str) -> Option<Decimal> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if v.contains(['e', 'E']) {
        Decimal::from_scientific(v).ok()
    } else {
        Decimal::from_str_exact(v).ok()
    }
}

/// The day a date serial names: whole days since 1899-12-30 (Excel's 1900
/// system, which counts a 29 February 1900 that never was) or 1904-01-01.
fn serial_date(serial: Decimal, date1904: bool) -> Option<(i32, u32, u32)> {
    use chrono::Datelike as _;
    use rust_decimal::prelude::ToPrimitive as _;
    let days = serial.trunc().to_i64()?;
    // 31 December 9999, the last day Excel knows.
    if !(0..=2_958_465).contains(&days) {
        return None;
    }
    let (base, days) = if date1904 {
        (chrono::NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else if days < 60 {
        (chrono::NaiveDate::from_ymd_opt(1899, 12, 31)?, days)
    } else {
        (chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?, days)
    };
    let d = base.checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))?;
    Some((d.year(), d.month(), d.day()))
}

type Merge = ((usize, usize), (usize, usize));

/// The cells of a sheet that hold something, and its merged ranges.
fn sheet(
    xml: &[u8],
    strings: &[String],
    dates: &[bool],
    date1904: bool,
    too_many: impl Fn() -> String,
) -> Result<(Vec<Stored>, Vec<Merge>), String> {
    const WHAT: &str = "worksheet";
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut cells = Vec::new();
    let mut merges = Vec::new();
    // Rows and cells may leave out their reference: then they follow the
    // previous one.
    let mut row: usize = 0;
    let mut next_row: usize = 0;
    let mut next_col: usize = 0;
    loop {
        buf.clear();
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(WHAT, e))?;
        let opens = matches!(ev, Event::Start(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "row" => {
                    row = attr(&e, "r")
                        .and_then(|r| r.parse::<usize>().ok())
                        .filter(|r| (1..=MAX_ROWS).contains(r))
                        .map_or(next_row, |r| r - 1);
                    next_row = row + 1;
                    next_col = 0;
                }
                "c" => {
                    let (r, c) = attr(&e, "r")
                        .and_then(|r| reference(&r))
                        .unwrap_or((row, next_col));
                    next_col = c + 1;
                    let kind = attr(&e, "t").unwrap_or_default();
                    let style: usize = attr(&e, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
                    if !opens {
                        continue;
                    }
                    let (value, inline) = cell_value(&mut reader)?;
                    let mut stored = Stored {
                        row: r,
                        col: c,
                        text: String::new(),
                        num: None,
                        date: None,
                    };
                    match kind.as_str() {
                        "s" => {
                            stored.text = value
                                .trim()
                                .parse::<usize>()
                                .ok()
                                .and_then(|i| strings.get(i))
                                .cloned()
                                .unwrap_or_default();
                        }
                        "inlineStr" => stored.text = inline,
                        "b" => {
                            stored.text = if value.trim() == "1" { "true" } else { "false" }.into();
                        }
                        // Text results of formulas, errors (`#N/A`), ISO dates.
                        "str" | "e" | "d" => stored.text = value,
                        _ => {
                            if value.trim().is_empty() {
                                continue;
                            }
                            match stored_number(&value) {
                                Some(n) if dates.get(style).copied().unwrap_or(false) => {
                                    stored.date = serial_date(n, date1904);
                                    if stored.date.is_none() {
                                        stored.text = value;
                                    }
                                }
                                // Trailing zeros ("1500.0") are how a writer
                                // formats, not digits anyone typed.
                                Some(n) => {
                                    stored.text = n.normalize().to_string();
                                    stored.num = Some(n.normalize());
                                }
                                None => stored.text = value,
                            }
                        }
                    }
                    if stored.text.is_empty() && stored.num.is_none() && stored.date.is_none() {
                        continue;
                    }
                    if cells.len() >= MAX_CELLS {
                        return Err(too_many());
                    }
                    cells.push(stored);
                }
                "mergeCell" => {
                    if let Some(range) = attr(&e, "ref")
                        && let Some((a, b)) = range.split_once(':')
                        && let (Some(a), Some(b)) = (reference(a), reference(b))
                    {
                        if merges.len() >= MAX_CELLS {
                            return Err(too_many());
                        }
                        merges.push(((a.0.min(b.0), a.1.min(b.1)), (a.0.max(b.0), a.1.max(b.1))));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((cells, merges))
}

/// What a `<c>` holds up to its end: the text of `<v>`, and the text of an
/// inline string (`<is>`).
fn cell_value(reader: &mut Reader<&[u8]>) -> Result<(String, String), String> {
    const WHAT: &str = "worksheet";
    let mut buf = Vec::new();
    let mut value = String::new();
    let mut inline = String::new();
    let mut in_v = false;
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(WHAT, e))?
        {
            Event::Start(e) => match e.local_name().as_ref() {
                "v" => in_v = true,
                "is" => inline = texts(reader, "is", WHAT)?,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "v" => in_v = false,
                "c" => return Ok((unescape_ooxml(&value), inline)),
                _ => {}
            },
            Event::Text(t) if in_v => {
                value.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) if in_v => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    value.push(c);
                } else {
                    let name = r.to_string();
                    value.push_str(
                        quick_xml::escape::resolve_predefined_entity(&name).unwrap_or(""),
                    );
                }
            }
            Event::Eof => return Err(format!("{WHAT}: unexpected end")),
            _ => {}
        }
    }
}

fn place(sheet: &str, r: usize, c: usize) -> Place {
    Place::Cell {
        sheet: sheet.to_string(),
        cell: format!(
            "{}{}",
            column_name(u32::try_from(c).unwrap_or(u32::MAX)),
            r + 1
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn stored_digits_become_the_decimal_exactly() {
        for (v, want) in [
            ("1234567890123.45", "1234567890123.45"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("9007199254740993", "9007199254740993"),
            ("1234567890.123456789", "1234567890.123456789"),
            ("1.5E-7", "0.00000015"),
            ("1.2345678901234567E+17", "123456789012345670"),
            ("-0.1", "-0.1"),
        ] {
            assert_eq!(stored_number(v).unwrap().to_string(), want, "{v}");
        }
        assert_eq!(stored_number("abc"), None);
        assert_eq!(stored_number(""), None);
    }

    #[test]
    fn serials_are_the_days_excel_shows() {
        let d = |s: &str| serial_date(Decimal::from_str_exact(s).unwrap(), false);
        assert_eq!(d("1"), Some((1900, 1, 1)));
        assert_eq!(d("61"), Some((1900, 3, 1)));
        assert_eq!(d("45292"), Some((2024, 1, 1)));
        assert_eq!(d("45292.75"), Some((2024, 1, 1)));
        assert_eq!(serial_date(Decimal::from(0), true), Some((1904, 1, 1)));
        assert_eq!(d("99999999999"), None);
    }

    #[test]
    fn date_formats_are_told_from_number_formats() {
        assert!(is_date_format("dd/mm/yyyy"));
        assert!(is_date_format("[$-42A]d mmmm yyyy"));
        assert!(!is_date_format("#,##0.00"));
        assert!(!is_date_format("0.0\" ngày\""));
        assert!(!is_date_format("[h]:mm"));
    }

    /// A workbook of hand-written parts, as any program may write them.
    fn book(sheet: &str, styles: Option<&str>) -> Vec<u8> {
        use std::io::Write as _;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        let mut put = |name: &str, text: &str| {
            zip.start_file(name, opts).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        };
        put(
            "xl/workbook.xml",
            r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="VI" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        put(
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/s.xml"/></Relationships>"#,
        );
        put(
            "xl/sharedStrings.xml",
            "<sst><si><r><t>Tổng </t></r><r><t>kinh phí</t></r><rPh><t>x</t></rPh></si></sst>",
        );
        if let Some(st) = styles {
            put("xl/styles.xml", st);
        }
        put(
            "xl/worksheets/s.xml",
            &format!("<worksheet>{sheet}</worksheet>"),
        );
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_hand_written_workbook_reads_exactly() {
        let bytes = book(
            r#"<sheetData><row r="2"><c r="B2" t="s"><v>0</v></c><c t="inlineStr"><is><t>a &amp; b_x000D_</t></is></c><c r="D2"><v>98765432109.876543210</v></c><c r="E2" s="1"><v>45292</v></c><c r="F2"><f>1/3</f><v>0.33333333333333331</v></c></row><row r="3"><c r="A3"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="B2:B3"/></mergeCells>"#,
            Some(
                r#"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>"#,
            ),
        );
        let source = read(&bytes, Lang::Vi).unwrap();
        let rows = &source.tables[0].rows;
        assert_eq!(rows[1][1].text, "Tổng kinh phí");
        assert_eq!(rows[2][1].text, "Tổng kinh phí", "merged down");
        assert_eq!(rows[1][2].text, "a & b\r");
        assert_eq!(
            rows[1][3].num.unwrap().to_string(),
            "98765432109.87654321",
            "every stored digit, trailing zero dropped"
        );
        assert_eq!(rows[1][4].date, Some((2024, 1, 1)));
        assert_eq!(rows[1][5].num.unwrap().to_string(), "0.33333333333333331");
    }

    #[test]
    fn overlapping_merges_and_far_cells_are_refused() {
        let merges: String = (0..1000)
            .map(|_| r#"<mergeCell ref="A1:Z1000"/>"#)
            .collect();
        let bytes = book(
            &format!(
                r#"<sheetData><row r="1000"><c r="Z1000"><v>1</v></c></row></sheetData><mergeCells>{merges}</mergeCells>"#
            ),
            None,
        );
        assert!(read(&bytes, Lang::Vi).unwrap_err().contains("quá nhiều ô"));
        let bytes = book(
            r#"<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#,
            None,
        );
        assert!(read(&bytes, Lang::Vi).unwrap_err().contains("quá nhiều ô"));
    }

    #[test]
    fn references_and_escapes() {
        assert_eq!(reference("A1"), Some((0, 0)));
        assert_eq!(reference("AB12"), Some((11, 27)));
        assert_eq!(reference("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(reference("XFE1"), None);
        assert_eq!(reference("A0"), None);
        assert_eq!(unescape_ooxml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_ooxml("_x_y"), "_x_y");
    }
}
