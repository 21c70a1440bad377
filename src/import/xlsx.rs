//! Workbooks, read with calamine: every sheet becomes a table, merged
//! cells spread over the positions they cover.
//!
//! A number cell of a workbook *is* an IEEE double (that is how Excel and
//! LibreOffice keep and save it), so its exact value is the shortest decimal
//! that reads back as that double: `{}` of the f64, parsed as a `Decimal`.
//! That is the number the person typed and sees, up to Excel's own 15
//! digits, and no arithmetic is ever done on the double.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;

use super::source::{Cell, Place, Source, Table, column_name};
use crate::diag::{Lang, tr};

/// Most cells read from one sheet: a plan has a few hundred.
const MAX_CELLS: usize = 200_000;

fn exact(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    Decimal::from_str_exact(&format!("{f}")).ok()
}

pub(super) fn read(bytes: &[u8], lang: Lang) -> Result<Source, String> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        tr!(
            lang,
            "không mở được sổ tính ({e})",
            "the workbook cannot be opened ({e})"
        )
    })?;
    let mut source = Source::default();
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        let Some((r0, c0)) = range.start() else {
            continue;
        };
        let (h, w) = range.get_size();
        if h.saturating_mul(w) > MAX_CELLS {
            return Err(tr!(
                lang,
                "trang tính \"{name}\" có quá nhiều ô",
                "sheet \"{name}\" has far too many cells"
            ));
        }
        // Rows and columns from A1, so that places are the addresses people see.
        let rows_n = r0 as usize + h;
        let cols_n = c0 as usize + w;
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
        for (r, row) in range.rows().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let cell = &mut rows[r + r0 as usize][c + c0 as usize];
                match value {
                    Data::Empty => {}
                    Data::String(s) => cell.text = s.clone(),
                    Data::Float(f) => {
                        cell.num = exact(*f);
                        cell.text = format!("{f}");
                    }
                    Data::Int(i) => {
                        cell.num = Some(Decimal::from(*i));
                        cell.text = i.to_string();
                    }
                    Data::Bool(b) => cell.text = b.to_string(),
                    Data::DateTime(d) => {
                        let (y, m, day, ..) = d.to_ymd_hms_milli();
                        cell.date = Some((i32::from(y), u32::from(m), u32::from(day)));
                    }
                    Data::DateTimeIso(s) | Data::DurationIso(s) => cell.text = s.clone(),
                    Data::Error(e) => cell.text = format!("{e}"),
                }
            }
        }
        for dim in book.merge_cells_by_sheet_name(&name).unwrap_or_default() {
            let (sr, sc) = (dim.start.0 as usize, dim.start.1 as usize);
            let Some(first) = rows.get(sr).and_then(|r| r.get(sc)).cloned() else {
                continue;
            };
            let last_row = (dim.end.0 as usize).min(rows_n.saturating_sub(1));
            let last_col = (dim.end.1 as usize).min(cols_n.saturating_sub(1));
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
