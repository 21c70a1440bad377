//! What a workbook or a Word file says, before it is understood as a plan:
//! tables of cells that know where they are, prose by section, and the
//! labelled values of a "general information" block.

use rust_decimal::Decimal;

use crate::diag::{Lang, tr};

/// Where something is in the source file, as the person who wrote it would
/// look for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// A workbook cell: sheet and A1 address.
    Cell { sheet: String, cell: String },
    /// A Word table cell, all 1-based.
    Table {
        table: usize,
        row: usize,
        column: usize,
    },
    /// A Word paragraph, 1-based.
    Paragraph(usize),
    /// A workbook sheet or the document as a whole.
    Whole(String),
}

impl Place {
    /// `VI!K12`, `bảng 3, dòng 4, cột 5`, `đoạn 12`.
    pub(crate) fn label(&self, lang: Lang) -> String {
        match self {
            Place::Cell { sheet, cell } => format!("{}!{cell}", sheet_ref(sheet)),
            Place::Table { table, row, column } => tr!(
                lang,
                "bảng {table}, dòng {row}, cột {column}",
                "table {table}, row {row}, column {column}"
            ),
            Place::Paragraph(n) => tr!(lang, "đoạn {n}", "paragraph {n}"),
            Place::Whole(what) => what.clone(),
        }
    }
}

/// A sheet name as a formula would write it: quoted when it has spaces.
pub(crate) fn sheet_ref(sheet: &str) -> String {
    if sheet
        .chars()
        .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
    {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    }
}

/// `A`, `Z`, `AA` for 0, 25, 26.
pub(crate) fn column_name(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + u8::try_from(col % 26).unwrap_or(0));
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// One cell: its text as shown, and its exact number or date when the
/// source stores one.
#[derive(Clone, Debug)]
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) num: Option<Decimal>,
    /// (year, month, day) of a date cell.
    pub(crate) date: Option<(i32, u32, u32)>,
    pub(crate) place: Place,
}

impl Cell {
    pub(crate) fn is_empty(&self) -> bool {
        self.num.is_none() && self.date.is_none() && self.text.trim().is_empty()
    }
}

/// A table: a sheet of a workbook or a table of a Word file, merged cells
/// already spread over every position they cover.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    pub(crate) rows: Vec<Vec<Cell>>,
    /// The text just before the table (a title, "Đơn vị tính: tỷ đồng").
    pub(crate) caption: String,
}

/// Prose under one heading of the letter.
#[derive(Clone, Debug)]
pub(crate) struct Prose {
    /// The heading as written.
    pub(crate) heading: String,
    pub(crate) text: String,
    pub(crate) place: Place,
}

/// Everything read from a file.
#[derive(Clone, Debug, Default)]
pub(crate) struct Source {
    pub(crate) tables: Vec<Table>,
    pub(crate) prose: Vec<Prose>,
    /// Text of the plan before its first section (the introduction).
    pub(crate) intro: String,
    /// Lines before the plan proper (a Word file's letterhead and title),
    /// where the agency and year are named.
    pub(crate) preamble: String,
    /// Section I of a Word plan: one basis a line.
    pub(crate) legal_bases: Vec<(String, Place)>,
}
