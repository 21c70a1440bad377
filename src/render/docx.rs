//! The consolidated plan (or one agency's plan) as an editable Word file in
//! the layout of administrative documents (Decree 30/2020): A4, Times New
//! Roman 13, margins 20/20/30/15 mm, the heading block, numbered sections,
//! the signature block and Nơi nhận; tables II.2 and VI as real Word tables
//! with merged headers, subtotals and totals, in landscape sections.
//!
//! docx-rs writes the file. It has no switch for "repeat this row at the
//! top of each page" (`w:tblHeader`), so the header rows are marked with a
//! height no other row has and the flag is added to them in the finished
//! XML: see [`repeat_header_rows`].
//!
//! The body rows of the two long tables (II.2 and the VI annex) are not
//! docx-rs objects: at 10,000 plans (60,000 projects) those objects took
//! 8 GB and the file, stored without compression, 466 MB. They are written
//! as WordprocessingML straight into the compressed archive, row by row
//! ([`RowWriter`]), where a placeholder row of the table stands; their text
//! takes its size, spacing and alignment from paragraph styles (`T15L`…)
//! instead of repeating them in every cell.

use std::io::Write;

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, LineSpacing, PageMargin, PageNum, PageOrientationType,
    Paragraph, Run, RunFonts, Section, Style, StyleType, Table, TableCell, TableRow, VAlignType,
    VMergeType, WidthType,
};
use pulldown_cmark::{Event, Options as MdOptions, Parser, Tag, TagEnd};

use super::document::{QUOC_HIEU, TIEU_NGU, number_line, place_date_line, signer_lines, subtitle};
use super::format::{money, number};
use crate::consolidate::{ByCode, CycleReport, Entry, Totals, split_amount};
use crate::diag::Lang;
use crate::model::{
    Amount, Catalog, CodeName, Plan, Project, SectionKey, Site, SpendingRow, Split, Unit,
};

/// A4 in twentieths of a point.
const A4_W: u32 = 11_906;
const A4_H: u32 = 16_838;
/// 1 mm in twips.
const MM: i32 = 57;
/// The height that marks a header row (see the module's note).
const HEADER_MARK: f32 = 283.0;
/// The height that marks the placeholder row of the first long table's
/// body; the next ones follow (272, …). No row of the document has these.
const BODY_MARK: f32 = 271.0;
/// Body text, 13 pt (half-points).
const BODY: usize = 26;
/// Table text: 10 pt for II.2, 9 pt for the 18-column annex.
const TABLE: usize = 20;
const ANNEX: usize = 15;

fn portrait() -> Section {
    Section::new()
        .page_size(docx_rs::PageSize::new().size(A4_W, A4_H))
        .page_margin(margins())
        .page_orient(PageOrientationType::Portrait)
        .footer(page_footer())
}

fn landscape() -> Section {
    Section::new()
        .page_size(
            docx_rs::PageSize::new()
                .size(A4_H, A4_W)
                .orient(PageOrientationType::Landscape),
        )
        .page_margin(
            PageMargin::new()
                .top(20 * MM)
                .bottom(15 * MM)
                .left(15 * MM)
                .right(15 * MM)
                .header(8 * MM)
                .footer(8 * MM),
        )
        .page_orient(PageOrientationType::Landscape)
        .footer(page_footer())
}

fn margins() -> PageMargin {
    PageMargin::new()
        .top(20 * MM)
        .bottom(20 * MM)
        .left(30 * MM)
        .right(15 * MM)
        .header(10 * MM)
        .footer(10 * MM)
}

fn page_footer() -> Footer {
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .size(24)
            .add_page_num(PageNum::new()),
    )
}

fn text(t: &str) -> Run {
    Run::new().add_text(t)
}

fn para(t: &str) -> Paragraph {
    Paragraph::new()
        .add_run(text(t))
        .align(AlignmentType::Both)
        .indent(None, None, Some(10 * MM), None)
        .line_spacing(LineSpacing::new().after(120))
}

fn centered(t: &str, bold: bool, size: usize) -> Paragraph {
    let mut r = text(t).size(size);
    if bold {
        r = r.bold();
    }
    Paragraph::new()
        .add_run(r)
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().after(0))
}

fn heading(t: &str, level: usize) -> Paragraph {
    let mut r = text(t).bold();
    if level > 1 {
        r = r.italic();
    }
    Paragraph::new()
        .add_run(r)
        .keep_next(true)
        .indent(None, None, Some(10 * MM), None)
        .line_spacing(LineSpacing::new().before(120).after(120))
        .outline_lvl(level - 1)
}

/// Markdown prose as Word paragraphs: paragraphs, list items (with their
/// dash or number), bold and italic; headings inside become bold lines.
fn markdown(md: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let (mut bold, mut italic) = (false, false);
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut item_prefix: Option<String> = None;
    let flush = |runs: &mut Vec<Run>, out: &mut Vec<Paragraph>, prefix: Option<String>| {
        if runs.is_empty() {
            return;
        }
        let mut p = Paragraph::new()
            .align(AlignmentType::Both)
            .indent(None, None, Some(10 * MM), None)
            .line_spacing(LineSpacing::new().after(120));
        if let Some(pre) = prefix {
            p = p.add_run(text(&pre));
        }
        for r in runs.drain(..) {
            p = p.add_run(r);
        }
        out.push(p);
    };
    for ev in Parser::new_ext(
        md,
        MdOptions::ENABLE_TABLES | MdOptions::ENABLE_STRIKETHROUGH,
    ) {
        match ev {
            Event::Start(Tag::List(start)) => lists.push(start),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                flush(&mut runs, &mut out, item_prefix.take());
                item_prefix = Some(match lists.last_mut() {
                    Some(Some(n)) => {
                        let s = format!("{n}. ");
                        *n += 1;
                        s
                    }
                    _ => "- ".to_string(),
                });
            }
            Event::Start(Tag::Strong) | Event::Start(Tag::Heading { .. }) => bold = true,
            Event::End(TagEnd::Strong) => bold = false,
            Event::Start(Tag::Emphasis) => italic = true,
            Event::End(TagEnd::Emphasis) => italic = false,
            Event::Text(t) | Event::Code(t) => {
                let mut r = text(&t);
                if bold {
                    r = r.bold();
                }
                if italic {
                    r = r.italic();
                }
                runs.push(r);
            }
            Event::SoftBreak => runs.push(text(" ")),
            Event::HardBreak => runs.push(Run::new().add_break(BreakType::TextWrapping)),
            Event::End(TagEnd::Heading(_)) => {
                bold = false;
                flush(&mut runs, &mut out, None);
            }
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => {
                flush(&mut runs, &mut out, item_prefix.take());
            }
            Event::End(TagEnd::TableCell) => runs.push(text(" | ")),
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                flush(&mut runs, &mut out, None);
            }
            _ => {}
        }
    }
    flush(&mut runs, &mut out, item_prefix.take());
    out
}

/// A table cell of text.
fn cell(t: &str, size: usize, bold: bool, align: AlignmentType) -> TableCell {
    let mut r = text(t).size(size);
    if bold {
        r = r.bold();
    }
    TableCell::new()
        .add_paragraph(
            Paragraph::new()
                .add_run(r)
                .align(align)
                .line_spacing(LineSpacing::new().after(0).before(0)),
        )
        .vertical_align(VAlignType::Top)
}

fn head_cell(t: &str, size: usize) -> TableCell {
    cell(t, size, true, AlignmentType::Center).vertical_align(VAlignType::Center)
}

fn num_cell(t: &str, size: usize, bold: bool) -> TableCell {
    cell(t, size, bold, AlignmentType::Right)
}

fn header_row(cells: Vec<TableCell>) -> TableRow {
    TableRow::new(cells).cant_split().row_height(HEADER_MARK)
}

/// A long table of a landscape section: fixed column widths (`grid`, in
/// twips), narrow cell margins.
fn landscape_table(rows: Vec<TableRow>, grid: Vec<usize>) -> Table {
    let w = grid.iter().sum();
    Table::new(rows)
        .set_grid(grid)
        .width(w, WidthType::Dxa)
        .layout(docx_rs::TableLayoutType::Fixed)
        .margins(docx_rs::TableCellMargins::new().margin(20, 50, 20, 50))
}

/// The row that stands for a long table's body until [`pack`] writes it.
fn placeholder(mark: f32) -> TableRow {
    TableRow::new(vec![TableCell::new()]).row_height(mark)
}

/// Alignment of a cell's text in the long tables' body rows.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

impl Align {
    const ALL: [(Align, AlignmentType, char); 3] = [
        (Align::Left, AlignmentType::Left, 'L'),
        (Align::Center, AlignmentType::Center, 'C'),
        (Align::Right, AlignmentType::Right, 'R'),
    ];

    fn letter(self) -> char {
        match self {
            Align::Left => 'L',
            Align::Center => 'C',
            Align::Right => 'R',
        }
    }
}

/// The paragraph styles of the long tables' cells: `T<size><L|C|R>`, the
/// size in half-points, no spacing before or after.
fn table_styles(d: Docx) -> Docx {
    let mut d = d;
    for size in [TABLE, ANNEX] {
        for (_, align, letter) in Align::ALL {
            let id = format!("T{size}{letter}");
            d = d.add_style(
                Style::new(id.clone(), StyleType::Paragraph)
                    .name(id)
                    .size(size)
                    .align(align)
                    .line_spacing(LineSpacing::new().after(0).before(0)),
            );
        }
    }
    d
}

/// Writes the body rows of a long table as WordprocessingML, one row at a
/// time, into the archive's compressed stream.
struct RowWriter<'w> {
    out: &'w mut dyn Write,
    size: usize,
    row: String,
}

impl<'w> RowWriter<'w> {
    fn new(out: &'w mut dyn Write, size: usize) -> Self {
        RowWriter {
            out,
            size,
            row: String::with_capacity(4096),
        }
    }

    /// A cell of text over `span` grid columns.
    fn text(&mut self, t: &str, bold: bool, align: Align, span: usize) {
        use std::fmt::Write as _;
        if self.row.is_empty() {
            self.row.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        }
        self.row.push_str("<w:tc>");
        if span > 1 {
            let _ = write!(self.row, "<w:tcPr><w:gridSpan w:val=\"{span}\"/></w:tcPr>");
        }
        let _ = write!(
            self.row,
            "<w:p><w:pPr><w:pStyle w:val=\"T{}{}\"/></w:pPr>",
            self.size,
            align.letter()
        );
        if !t.is_empty() {
            self.row.push_str("<w:r>");
            if bold {
                self.row.push_str("<w:rPr><w:b/><w:bCs/></w:rPr>");
            }
            self.row.push_str("<w:t xml:space=\"preserve\">");
            self.row.push_str(&crate::escape::xml(t));
            self.row.push_str("</w:t></w:r>");
        }
        self.row.push_str("</w:p></w:tc>");
    }

    /// A cell of a number, right-aligned.
    fn num(&mut self, t: &str, bold: bool) {
        self.text(t, bold, Align::Right, 1);
    }

    /// Ends the row and writes it out.
    fn end(&mut self) -> std::io::Result<()> {
        self.row.push_str("</w:tr>");
        self.out.write_all(self.row.as_bytes())?;
        self.row.clear();
        Ok(())
    }
}

/// One line of II.1: name, unit, prior-year target and estimate, goal.
type IndicatorRow = (
    String,
    Unit,
    Option<rust_decimal::Decimal>,
    Option<rust_decimal::Decimal>,
    Option<rust_decimal::Decimal>,
);

/// What both documents (consolidated and one agency's) are made of.
struct Doc<'a> {
    lang: Lang,
    catalog: &'a Catalog,
    names: &'a dyn Fn(&str) -> String,
    year: i32,
    unit: &'static str,
}

impl Doc<'_> {
    fn m(&self, a: Amount) -> String {
        money(a, self.lang)
    }

    /// An amount of a split, "" for none: a blank cell is what the seed's
    /// tables leave where a source gives nothing.
    fn split_cells(&self, w: &mut RowWriter<'_>, list: &[CodeName], split: &Split) {
        for c in list {
            let a = split_amount(split, &c.id.value);
            if a == Amount::ZERO {
                w.num("", false);
            } else {
                w.num(&self.m(a), false);
            }
        }
    }

    fn by_code_cells(&self, w: &mut RowWriter<'_>, list: &[CodeName], b: &ByCode) {
        for c in list {
            w.num(&self.m(b.get(&c.id.value)), true);
        }
    }

    /// The two header rows of the sources columns: "Theo cấp ngân sách"
    /// and "Theo nguồn vốn" over the code lists' names, so that nobody
    /// adds the two groups together.
    fn source_group_cells(&self, size: usize) -> Vec<TableCell> {
        let (l, k) = (self.catalog.levels.len(), self.catalog.kinds.len());
        vec![
            head_cell(&self.t("Theo cấp ngân sách", "By budget level"), size).grid_span(l),
            head_cell(&self.t("Theo nguồn vốn", "By capital kind"), size).grid_span(k),
        ]
    }

    fn source_name_cells(&self, size: usize) -> Vec<TableCell> {
        self.catalog
            .levels
            .iter()
            .chain(&self.catalog.kinds)
            .map(|c| head_cell(&c.name, size))
            .collect()
    }

    fn t(&self, vi: &str, en: &str) -> String {
        match self.lang {
            Lang::Vi => vi.to_string(),
            Lang::En => en.to_string(),
        }
    }

    /// II.1: one row per indicator.
    fn indicators(&self, rows: &[IndicatorRow]) -> Table {
        let y0 = self.year - 1;
        let y = self.year;
        let mut out = vec![header_row(vec![
            head_cell("TT", TABLE),
            head_cell(&self.t("Chỉ tiêu", "Indicator"), TABLE),
            head_cell(
                &self.t(&format!("Chỉ tiêu năm {y0}"), &format!("Target {y0}")),
                TABLE,
            ),
            head_cell(
                &self.t(
                    &format!("Ước thực hiện năm {y0}"),
                    &format!("Estimate {y0}"),
                ),
                TABLE,
            ),
            head_cell(
                &self.t(&format!("Mục tiêu năm {y}"), &format!("Goal {y}")),
                TABLE,
            ),
        ])];
        for (i, (name, unit, target, actual, goal)) in rows.iter().enumerate() {
            let f = |v: &Option<rust_decimal::Decimal>| match v {
                Some(v) if *unit == Unit::Percent => format!("{}%", number(*v, self.lang)),
                Some(v) => number(*v, self.lang),
                None => "—".to_string(),
            };
            out.push(TableRow::new(vec![
                num_cell(&(i + 1).to_string(), TABLE, false),
                cell(name, TABLE, false, AlignmentType::Left),
                num_cell(&f(target), TABLE, false),
                num_cell(&f(actual), TABLE, false),
                num_cell(&f(goal), TABLE, false),
            ]));
        }
        Table::new(out)
            .set_grid(vec![600, 4700, 1300, 1300, 1300])
            .width(9200, WidthType::Dxa)
    }

    /// II.2's header rows, and the placeholder of its body (`mark`), which
    /// [`Doc::spending_rows`] writes.
    fn spending(&self, with_agency: bool, mark: f32) -> Table {
        let (l, k) = (self.catalog.levels.len(), self.catalog.kinds.len());
        let lead = if with_agency { 3 } else { 2 };
        let first = |t: &str| head_cell(t, TABLE).vertical_merge(VMergeType::Restart);
        let cont = || TableCell::new().vertical_merge(VMergeType::Continue);
        let mut h1 = vec![first("TT")];
        if with_agency {
            h1.push(first(&self.t("Cơ quan, đơn vị", "Agency")));
        }
        h1.push(first(&self.t("Nội dung/Nhiệm vụ", "Task")));
        h1.push(first(&self.t(
            &format!("Tổng kinh phí thực hiện năm {}", self.year - 1),
            &format!("Total spent in {}", self.year - 1),
        )));
        h1.extend(self.source_group_cells(TABLE));
        h1.push(first(
            &self.t("Ghi chú (căn cứ Quyết định phê duyệt)", "Note (approval)"),
        ));
        let mut h2: Vec<TableCell> = (0..lead + 1).map(|_| cont()).collect();
        h2.extend(self.source_name_cells(TABLE));
        h2.push(cont());
        let out = vec![header_row(h1), header_row(h2), placeholder(mark)];
        // Landscape text width is about 14,700 twips.
        let src = 780;
        let mut grid = vec![450];
        if with_agency {
            grid.push(1700);
        }
        let fixed: usize = grid.iter().sum::<usize>() + 1000 + src * (l + k) + 2900;
        grid.push(15_000usize.saturating_sub(fixed).max(2000));
        grid.push(1000);
        grid.extend(std::iter::repeat_n(src, l + k));
        grid.push(2900);
        landscape_table(out, grid)
    }

    /// II.2's body by category, with subtotals and the grand total.
    fn spending_rows(
        &self,
        w: &mut RowWriter<'_>,
        rows: &[(&str, &SpendingRow)],
        totals: &Totals,
        with_agency: bool,
    ) -> std::io::Result<()> {
        let (l, k) = (self.catalog.levels.len(), self.catalog.kinds.len());
        let lead = if with_agency { 3 } else { 2 };
        let width = lead + 1 + l + k + 1;
        let mut n = 0;
        for cat in &self.catalog.categories {
            w.text(&cat.name, true, Align::Left, width);
            w.end()?;
            for (agency, r) in rows
                .iter()
                .filter(|(_, r)| r.category.value == cat.id.value)
            {
                n += 1;
                w.num(&n.to_string(), false);
                if with_agency {
                    w.text(&(self.names)(agency), false, Align::Left, 1);
                }
                w.text(&r.task, false, Align::Left, 1);
                w.num(&self.m(r.total.value), false);
                self.split_cells(w, &self.catalog.levels, &r.levels.value);
                self.split_cells(w, &self.catalog.kinds, &r.kinds.value);
                w.text(r.basis.as_deref().unwrap_or(""), false, Align::Left, 1);
                w.end()?;
            }
            let zero = Totals::default();
            let sub = totals.category(&cat.id.value).unwrap_or(&zero);
            let label = format!("{}: {}", self.t("Cộng", "Subtotal"), cat.name);
            w.text(&label, true, Align::Left, lead);
            w.num(&self.m(sub.spending), true);
            self.by_code_cells(w, &self.catalog.levels, &sub.spending_by_level);
            self.by_code_cells(w, &self.catalog.kinds, &sub.spending_by_kind);
            w.text("", false, Align::Left, 1);
            w.end()?;
        }
        w.text(
            &self.t("Tổng cộng", "Grand total"),
            true,
            Align::Center,
            lead,
        );
        w.num(&self.m(totals.spending), true);
        self.by_code_cells(w, &self.catalog.levels, &totals.spending_by_level);
        self.by_code_cells(w, &self.catalog.kinds, &totals.spending_by_kind);
        w.text("", false, Align::Left, 1);
        w.end()
    }

    /// The VI annex: every project by category, subtotals and grand total,
    /// the seed's columns with the sources split by level and by kind.
    /// Its header rows and the placeholder of its body (`mark`), which
    /// [`Doc::annex_rows`] writes.
    fn annex(&self, mark: f32) -> Table {
        let (l, k) = (self.catalog.levels.len(), self.catalog.kinds.len());
        let y = self.year;
        let s = ANNEX;
        let first = |t: &str| head_cell(t, s).vertical_merge(VMergeType::Restart);
        let cont = || TableCell::new().vertical_merge(VMergeType::Continue);
        let h1 = {
            let mut v = vec![
                first("TT"),
                first(&self.t("Tên dự án, nhiệm vụ", "Project or task")),
                first(&self.t("Mục tiêu, quy mô", "Objective, scale")),
                first(&self.t("Thời gian thực hiện", "Period")),
                first(&self.t("Đơn vị chủ trì/ phối hợp", "Lead / partners")),
                head_cell(&self.t("Nội dung/hạng mục công việc", "Work"), s).grid_span(2),
                head_cell(&self.t("Kinh phí", "Cost"), s).grid_span(3),
                head_cell(&self.t("Nguồn kinh phí năm", "Sources in"), s).grid_span(l + k),
                first(&self.t("Ghi chú", "Note")),
            ];
            if let Some(c) = v.get_mut(7) {
                *c = head_cell(
                    &format!(
                        "{} {y}",
                        self.t(
                            "Nguồn kinh phí cần thực hiện năm",
                            "Sources of the amount needed in"
                        )
                    ),
                    s,
                )
                .grid_span(l + k);
            }
            v
        };
        let mut h2: Vec<TableCell> = (0..5).map(|_| cont()).collect();
        h2.push(first(&self.t("Đã triển khai", "Done")));
        h2.push(first(&format!(
            "{} {y}",
            self.t("Cần triển khai năm", "To do in")
        )));
        h2.push(first(&self.t("Tổng kinh phí dự án", "Project total")));
        h2.push(first(&self.t("Đã thực hiện", "Spent")));
        h2.push(first(&format!(
            "{} {y}",
            self.t("Cần thực hiện năm", "Needed in")
        )));
        h2.extend(self.source_group_cells(s));
        h2.push(cont());
        let mut h3: Vec<TableCell> = (0..10).map(|_| cont()).collect();
        h3.extend(self.source_name_cells(s));
        h3.push(cont());
        let out = vec![
            header_row(h1),
            header_row(h2),
            header_row(h3),
            placeholder(mark),
        ];
        // 18 columns across 267 mm of landscape A4: narrow amounts, the
        // text columns share the rest.
        let src = 640;
        let mut grid = vec![380, 1700, 1300, 600, 1100, 1000, 1200, 820, 820, 820];
        grid.extend(std::iter::repeat_n(src, l + k));
        grid.push(
            15_100usize
                .saturating_sub(grid.iter().sum::<usize>())
                .max(500),
        );
        landscape_table(out, grid)
    }

    /// The annex's body: every project by category, subtotals and the
    /// grand total.
    fn annex_rows(
        &self,
        w: &mut RowWriter<'_>,
        projects: &[(&str, &Project)],
        totals: &Totals,
        with_agency: bool,
    ) -> std::io::Result<()> {
        let (l, k) = (self.catalog.levels.len(), self.catalog.kinds.len());
        let width = 11 + l + k;
        let mut n = 0;
        for cat in &self.catalog.categories {
            let mut mine = projects
                .iter()
                .filter(|(_, p)| p.category.value == cat.id.value)
                .peekable();
            if mine.peek().is_none() {
                continue;
            }
            w.text(&cat.name, true, Align::Left, width);
            w.end()?;
            for (agency, p) in mine {
                n += 1;
                let mut name = p.name.clone();
                if with_agency {
                    name = format!("{name} ({})", (self.names)(agency));
                }
                let mut lead = (self.names)(&p.lead.value);
                if !p.partners.is_empty() {
                    let ps: Vec<String> =
                        p.partners.iter().map(|a| (self.names)(&a.value)).collect();
                    lead = format!("{lead}; {}", ps.join(", "));
                }
                let period = if p.period.from.value == p.period.to.value {
                    p.period.from.value.to_string()
                } else {
                    format!("{}–{}", p.period.from.value, p.period.to.value)
                };
                w.num(&n.to_string(), false);
                w.text(&name, false, Align::Left, 1);
                w.text(p.objective.as_deref().unwrap_or(""), false, Align::Left, 1);
                w.text(&period, false, Align::Center, 1);
                w.text(&lead, false, Align::Left, 1);
                w.text(p.done.as_deref().unwrap_or(""), false, Align::Left, 1);
                w.text(p.todo.as_deref().unwrap_or(""), false, Align::Left, 1);
                w.num(&self.m(p.cost.total.value), false);
                w.num(&self.m(p.cost.spent.value), false);
                w.num(&self.m(p.cost.planned.value), false);
                self.split_cells(w, &self.catalog.levels, &p.levels.value);
                self.split_cells(w, &self.catalog.kinds, &p.kinds.value);
                w.text(p.note.as_deref().unwrap_or(""), false, Align::Left, 1);
                w.end()?;
            }
            let zero = Totals::default();
            let sub = totals.category(&cat.id.value).unwrap_or(&zero);
            let label = format!("{}: {}", self.t("Cộng", "Subtotal"), cat.name);
            self.annex_sum_row(w, &label, sub)?;
        }
        self.annex_sum_row(w, &self.t("Tổng cộng", "Grand total"), totals)
    }

    fn annex_sum_row(&self, w: &mut RowWriter<'_>, label: &str, t: &Totals) -> std::io::Result<()> {
        w.text(label, true, Align::Left, 7);
        w.num(&self.m(t.total), true);
        w.num(&self.m(t.spent), true);
        w.num(&self.m(t.planned), true);
        self.by_code_cells(w, &self.catalog.levels, &t.by_level);
        self.by_code_cells(w, &self.catalog.kinds, &t.by_kind);
        w.text("", false, Align::Left, 1);
        w.end()
    }
}

/// The heading block: issuer and number on the left, Quốc hiệu, Tiêu ngữ,
/// place and date on the right, in a table without borders.
fn heading_block(d: &crate::model::DocumentMeta) -> Table {
    let left = TableCell::new()
        .add_paragraph(centered(&d.issuer.to_uppercase(), true, BODY))
        .add_paragraph(centered("________", false, BODY))
        .add_paragraph(centered(&number_line(d), false, BODY))
        .width(3600, WidthType::Dxa);
    let right = TableCell::new()
        .add_paragraph(centered(QUOC_HIEU, true, 24))
        .add_paragraph(centered(TIEU_NGU, true, BODY))
        .add_paragraph(centered("______________________", false, BODY))
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&place_date_line(d)).italic())
                .align(AlignmentType::Center),
        )
        .width(5800, WidthType::Dxa);
    Table::without_borders(vec![TableRow::new(vec![left, right])])
        .set_grid(vec![3600, 5800])
        .width(9400, WidthType::Dxa)
}

/// Nơi nhận on the left, the signer on the right.
fn signature_block(d: &crate::model::DocumentMeta, lang: Lang) -> Table {
    let mut left = TableCell::new().width(4200, WidthType::Dxa).add_paragraph(
        Paragraph::new().add_run(
            text(match lang {
                Lang::Vi => "Nơi nhận:",
                Lang::En => "Recipients:",
            })
            .bold()
            .italic()
            .size(24),
        ),
    );
    for r in &d.recipients {
        left = left.add_paragraph(
            Paragraph::new()
                .add_run(text(&format!("- {r};")).size(22))
                .line_spacing(LineSpacing::new().after(0)),
        );
    }
    let mut right = TableCell::new().width(5200, WidthType::Dxa);
    for l in signer_lines(d) {
        right = right.add_paragraph(centered(&l, true, BODY));
    }
    for _ in 0..4 {
        right = right.add_paragraph(centered("", false, BODY));
    }
    if let Some(name) = d.signer.as_ref().and_then(|s| s.name.as_deref()) {
        right = right.add_paragraph(centered(name, true, BODY));
    }
    Table::without_borders(vec![TableRow::new(vec![left, right]).cant_split()])
        .set_grid(vec![4200, 5200])
        .width(9400, WidthType::Dxa)
}

/// Adds `w:tblHeader` to the rows marked as header rows, so Word and
/// LibreOffice repeat them at the top of every page a table runs over.
fn repeat_header_rows(document: Vec<u8>) -> Vec<u8> {
    let Ok(xml) = String::from_utf8(document) else {
        return Vec::new();
    };
    let mark = format!("<w:trHeight w:val=\"{HEADER_MARK}\"");
    let mut out = String::with_capacity(xml.len() + 4096);
    let mut rest = xml.as_str();
    while let Some(i) = rest.find(&mark) {
        out.push_str(&rest[..i]);
        out.push_str("<w:tblHeader />");
        rest = &rest[i..];
        // Copy the mark itself so the search moves on.
        out.push_str(&rest[..mark.len()]);
        rest = &rest[mark.len()..];
    }
    out.push_str(rest);
    out.into_bytes()
}

/// docx-rs numbers paragraphs (`w14:paraId`) from a counter of the thread,
/// which a build shares between the documents it renders there: the same
/// document got other ids in another build, and every publish sent it
/// again. The ids are renumbered in document order, the same every time.
fn renumber_para_ids(parts: &mut [&mut Vec<u8>]) {
    const MARK: &[u8] = b"w14:paraId=\"";
    let mut next: u32 = 1;
    for part in parts.iter_mut() {
        let src = std::mem::take(*part);
        let mut out = Vec::with_capacity(src.len());
        let mut rest = &src[..];
        while let Some(at) = rest.windows(MARK.len()).position(|w| w == MARK) {
            out.extend_from_slice(&rest[..at + MARK.len()]);
            rest = &rest[at + MARK.len()..];
            let end = rest.iter().position(|&c| c == b'"').unwrap_or(0);
            out.extend_from_slice(format!("{next:08X}").as_bytes());
            next += 1;
            rest = &rest[end..];
        }
        out.extend_from_slice(rest);
        **part = out;
    }
}

/// The body of a long table, written where its placeholder row stands.
type Body<'a> = Box<dyn Fn(&mut dyn Write) -> std::io::Result<()> + 'a>;

/// The finished file: docx-rs's parts, the long tables' bodies (in the
/// order of their marks) in place of their placeholders, compressed.
fn pack(docx: Docx, bodies: &[Body<'_>]) -> Result<Vec<u8>, String> {
    let mut xml = docx.build();
    xml.document = repeat_header_rows(std::mem::take(&mut xml.document));
    {
        let mut parts: Vec<&mut Vec<u8>> = vec![&mut xml.document];
        parts.extend(xml.headers.iter_mut());
        parts.extend(xml.footers.iter_mut());
        renumber_para_ids(&mut parts);
    }
    if xml.document.is_empty() {
        return Err("the Word document is not valid UTF-8".to_string());
    }
    // The document around each placeholder row.
    let document = String::from_utf8(std::mem::take(&mut xml.document))
        .map_err(|_| "the Word document is not valid UTF-8".to_string())?;
    let mut pieces: Vec<&str> = Vec::with_capacity(bodies.len() + 1);
    let mut rest = document.as_str();
    for i in 0..bodies.len() {
        let mark = format!("<w:trHeight w:val=\"{}\"", BODY_MARK + i as f32);
        let at = rest
            .find(&mark)
            .ok_or("a table's placeholder row is missing")?;
        let start = rest[..at]
            .rfind("<w:tr>")
            .ok_or("a table's row has no start")?;
        let end = rest[at..]
            .find("</w:tr>")
            .map(|e| at + e + "</w:tr>".len())
            .ok_or("a table's row has no end")?;
        pieces.push(&rest[..start]);
        rest = &rest[end..];
    }
    pieces.push(rest);
    let zipped = (|| -> zip::result::ZipResult<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        // Level 1: a tenth of the stored size, at a fraction of level 6's
        // time on 400 MB of XML. The fixed date keeps a rebuild's bytes
        // identical.
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        let file = |zip: &mut zip::ZipWriter<_>, name: &str, bytes: &[u8]| {
            zip.start_file(name, opts)?;
            zip.write_all(bytes)?;
            Ok::<(), zip::result::ZipError>(())
        };
        file(&mut zip, "[Content_Types].xml", &xml.content_type)?;
        file(&mut zip, "_rels/.rels", &xml.rels)?;
        file(&mut zip, "docProps/app.xml", &xml.doc_props.app)?;
        file(&mut zip, "docProps/core.xml", &xml.doc_props.core)?;
        file(&mut zip, "docProps/custom.xml", &xml.doc_props.custom)?;
        file(&mut zip, "word/_rels/document.xml.rels", &xml.document_rels)?;
        zip.start_file("word/document.xml", opts)?;
        for (i, piece) in pieces.iter().enumerate() {
            zip.write_all(piece.as_bytes())?;
            if let Some(body) = bodies.get(i) {
                body(&mut zip)?;
            }
        }
        file(&mut zip, "word/styles.xml", &xml.styles)?;
        file(&mut zip, "word/settings.xml", &xml.settings)?;
        file(&mut zip, "word/fontTable.xml", &xml.font_table)?;
        file(&mut zip, "word/comments.xml", &xml.comments)?;
        file(&mut zip, "word/numbering.xml", &xml.numberings)?;
        file(
            &mut zip,
            "word/commentsExtended.xml",
            &xml.comments_extended,
        )?;
        file(&mut zip, "word/footnotes.xml", &xml.footnotes)?;
        for (i, h) in xml.headers.iter().enumerate() {
            file(&mut zip, &format!("word/header{}.xml", i + 1), h)?;
            if let Some(rels) = xml.header_rels.get(i) {
                file(
                    &mut zip,
                    &format!("word/_rels/header{}.xml.rels", i + 1),
                    rels,
                )?;
            }
        }
        for (i, f) in xml.footers.iter().enumerate() {
            file(&mut zip, &format!("word/footer{}.xml", i + 1), f)?;
            if let Some(rels) = xml.footer_rels.get(i) {
                file(
                    &mut zip,
                    &format!("word/_rels/footer{}.xml.rels", i + 1),
                    rels,
                )?;
            }
        }
        Ok(zip.finish()?.into_inner())
    })();
    zipped.map_err(|e| e.to_string())
}

fn base_docx() -> Docx {
    let d = Docx::new()
        .default_fonts(
            RunFonts::new()
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman")
                .east_asia("Times New Roman")
                .cs("Times New Roman"),
        )
        .default_size(BODY)
        .page_size(A4_W, A4_H)
        .page_margin(margins())
        .footer(page_footer());
    table_styles(d)
}

/// Numbered section heading followed by the department's (or agency's)
/// text, or a line saying it is missing.
fn prose_section(sec: Section, title: &str, md: Option<&str>, lang: Lang) -> Section {
    let mut sec = sec.add_paragraph(heading(title, 1));
    match md {
        Some(md) => {
            for p in markdown(md) {
                sec = sec.add_paragraph(p);
            }
        }
        None => {
            sec = sec.add_paragraph(para(match lang {
                Lang::Vi => "(Chưa có nội dung.)",
                Lang::En => "(Not written yet.)",
            }))
        }
    }
    sec
}

/// The inputs of one document.
struct Source<'a> {
    title: &'a str,
    document: Option<&'a crate::model::DocumentMeta>,
    intro: &'a str,
    legal: Vec<&'a String>,
    body: &'a crate::model::Body,
    indicators: Vec<IndicatorRow>,
    spending: Vec<(&'a str, &'a SpendingRow)>,
    projects: Vec<(&'a str, &'a Project)>,
    totals: &'a Totals,
    with_agency: bool,
    signer_org: Option<String>,
}

fn write(doc: &Doc<'_>, s: &Source<'_>) -> Result<Vec<u8>, String> {
    let lang = doc.lang;
    let (y, y0) = (doc.year, doc.year - 1);
    let mut first = portrait();
    match s.document {
        Some(d) => {
            first = first.add_table(heading_block(d));
        }
        None => {
            if let Some(org) = &s.signer_org {
                first = first.add_paragraph(centered(&org.to_uppercase(), true, BODY));
            }
        }
    }
    first = first
        .add_paragraph(centered("", false, BODY))
        .add_paragraph(centered("KẾ HOẠCH", true, 28))
        .add_paragraph(centered(&subtitle(s.title), true, 28))
        .add_paragraph(centered("_______________", false, BODY));
    for p in markdown(s.intro) {
        first = first.add_paragraph(p);
    }
    first = first.add_paragraph(heading(
        &doc.t("I. CĂN CỨ LẬP KẾ HOẠCH", "I. LEGAL BASES"),
        1,
    ));
    for l in &s.legal {
        first = first.add_paragraph(para(&format!("- {l};")));
    }
    first = first
        .add_paragraph(heading(
            &doc.t(
                "II. HIỆN TRẠNG ỨNG DỤNG CNTT TRONG HOẠT ĐỘNG CỦA CƠ QUAN NHÀ NƯỚC",
                "II. CURRENT STATE",
            ),
            1,
        ))
        .add_paragraph(heading(
            &format!(
                "1. {} {y0}",
                doc.t(
                    "Đánh giá tổng quan ước thực hiện các chỉ tiêu theo kế hoạch",
                    "Indicators against the plan of"
                )
            ),
            2,
        ))
        .add_table(doc.indicators(&s.indicators));
    let mut d = base_docx().add_section(first);
    let unit_line = format!("({}: {})", doc.t("Đơn vị tính", "Unit"), doc.unit);
    let wide = landscape()
        .add_paragraph(heading(
            &format!(
                "2. {} {y0}",
                doc.t(
                    "Kinh phí đã và đang thực hiện Kế hoạch đầu tư ứng dụng CNTT năm",
                    "Spending on the plan of"
                )
            ),
            2,
        ))
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&unit_line).italic().size(22))
                .align(AlignmentType::Right),
        )
        .add_table(doc.spending(s.with_agency, BODY_MARK));
    d = d.add_section(wide);
    let mut mid = portrait().add_paragraph(heading(
        &doc.t(
            "3. Đánh giá chung; khó khăn, hạn chế và đề xuất giải pháp",
            "3. Assessment",
        ),
        2,
    ));
    match super::document::section_markdown(s.body, SectionKey::DanhGia) {
        Some(md) => {
            for p in markdown(md) {
                mid = mid.add_paragraph(p);
            }
        }
        None => mid = mid.add_paragraph(para(&doc.t("(Chưa có nội dung.)", "(Not written yet.)"))),
    }
    mid = prose_section(
        mid,
        &format!(
            "{} {y}",
            doc.t("III. MỤC TIÊU ỨNG DỤNG CNTT NĂM", "III. GOALS FOR")
        ),
        super::document::section_markdown(s.body, SectionKey::MucTieu),
        lang,
    );
    mid = prose_section(
        mid,
        &format!(
            "{} {y}",
            doc.t(
                "IV. ĐỊNH HƯỚNG NỘI DUNG XÂY DỰNG KẾ HOẠCH ỨNG DỤNG VÀ PHÁT TRIỂN CNTT NĂM",
                "IV. CONTENT FOR"
            )
        ),
        super::document::section_markdown(s.body, SectionKey::DinhHuong),
        lang,
    );
    mid = prose_section(
        mid,
        &doc.t("V. GIẢI PHÁP THỰC HIỆN", "V. SOLUTIONS"),
        super::document::section_markdown(s.body, SectionKey::GiaiPhap),
        lang,
    );
    mid = mid
        .add_paragraph(heading(
            &doc.t("VI. KINH PHÍ TRIỂN KHAI KẾ HOẠCH", "VI. FUNDING"),
            1,
        ))
        .add_paragraph(para(&format!(
            "{} {y}: {} {}; {}.",
            doc.t("Tổng kinh phí cần thực hiện trong năm", "Total needed in"),
            doc.m(s.totals.planned),
            doc.unit,
            doc.t(
                "chi tiết tại Phụ lục danh mục các dự án, nhiệm vụ kèm theo",
                "see the annex of projects and tasks"
            )
        )));
    d = d.add_section(mid);
    let annex = landscape()
        .add_paragraph(
            centered(
                &format!(
                    "{} {y}",
                    doc.t(
                        "PHỤ LỤC DANH MỤC CÁC DỰ ÁN, NHIỆM VỤ NĂM",
                        "ANNEX: PROJECTS AND TASKS"
                    )
                ),
                true,
                BODY,
            )
            .keep_next(true),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&unit_line).italic().size(22))
                .align(AlignmentType::Right)
                .keep_next(true),
        )
        .add_table(doc.annex(BODY_MARK + 1.0));
    d = d.add_section(annex);
    // The last part is the document's own final section (portrait).
    let mut last: Vec<Paragraph> = vec![heading(
        &doc.t("VII. TỔ CHỨC THỰC HIỆN", "VII. ORGANISATION"),
        1,
    )];
    match super::document::section_markdown(s.body, SectionKey::ToChuc) {
        Some(md) => last.extend(markdown(md)),
        None => last.push(para(&doc.t("(Chưa có nội dung.)", "(Not written yet.)"))),
    }
    for p in last {
        d = d.add_paragraph(p);
    }
    if let Some(dm) = s.document {
        d = d
            .add_paragraph(Paragraph::new())
            .add_table(signature_block(dm, lang));
    }
    let bodies: [Body<'_>; 2] = [
        Box::new(|out| {
            doc.spending_rows(
                &mut RowWriter::new(out, TABLE),
                &s.spending,
                s.totals,
                s.with_agency,
            )
        }),
        Box::new(|out| {
            doc.annex_rows(
                &mut RowWriter::new(out, ANNEX),
                &s.projects,
                s.totals,
                s.with_agency,
            )
        }),
    ];
    pack(d, &bodies)
}

/// The consolidated plan of a cycle as a Word file.
pub(crate) fn cycle_docx(site: &Site, r: &CycleReport<'_>) -> Result<Vec<u8>, String> {
    let catalog = site.catalog_for(r.year).ok_or("no catalog")?;
    let config = site.config.as_ref().ok_or("no site.yaml")?;
    let lang = config.language;
    let names = |code: &str| {
        site.agency(code)
            .map_or_else(|| code.to_string(), |a| a.name_in(r.year).to_string())
    };
    let doc = Doc {
        lang,
        catalog,
        names: &names,
        year: r.year,
        unit: config.money_unit.label(lang),
    };
    let mut legal: Vec<&String> = r.meta.legal_bases.iter().collect();
    legal.dedup();
    let indicators = r
        .indicators
        .iter()
        .filter(|s| s.reporters > 0 && s.unit != Unit::Text)
        .map(|s| (s.name.clone(), s.unit, s.target, s.actual, s.goal))
        .collect();
    let spending = r
        .plans()
        .flat_map(|(a, p)| p.spending.iter().map(move |s| (a.code.value.as_str(), s)))
        .collect();
    let projects = r
        .plans()
        .flat_map(|(a, p)| {
            let mut ps: Vec<&Project> = p.projects.iter().collect();
            ps.sort_by_key(|p| p.priority.value);
            ps.into_iter().map(move |p| (a.code.value.as_str(), p))
        })
        .collect();
    let body = &r.meta.body;
    let src = Source {
        title: &r.meta.title,
        document: r.meta.document.as_ref(),
        intro: &body.text[body.preamble.clone()],
        legal,
        body,
        indicators,
        spending,
        projects,
        totals: &r.totals,
        with_agency: true,
        signer_org: None,
    };
    write(&doc, &src)
}

/// One agency's plan as a Word file.
pub(crate) fn plan_docx(
    site: &Site,
    r: &CycleReport<'_>,
    e: &Entry<'_>,
    plan: &Plan,
) -> Result<Vec<u8>, String> {
    let catalog = site.catalog_for(r.year).ok_or("no catalog")?;
    let config = site.config.as_ref().ok_or("no site.yaml")?;
    let lang = config.language;
    let names = |code: &str| {
        site.agency(code)
            .map_or_else(|| code.to_string(), |a| a.name_in(r.year).to_string())
    };
    let doc = Doc {
        lang,
        catalog,
        names: &names,
        year: r.year,
        unit: config.money_unit.label(lang),
    };
    let mut legal: Vec<&String> = r.meta.legal_bases.iter().chain(&plan.legal_bases).collect();
    let mut seen = std::collections::HashSet::new();
    legal.retain(|l| seen.insert(l.as_str()));
    let indicators = plan
        .indicators
        .iter()
        .map(|iv| {
            let def = catalog.indicator(&iv.id.value);
            let name = def
                .map(|d| d.name.clone())
                .or_else(|| iv.name.clone())
                .unwrap_or_else(|| iv.id.value.clone());
            let unit = def.map(|d| d.unit).or(iv.unit).unwrap_or(Unit::Percent);
            (
                name,
                unit,
                iv.target.as_ref().map(|v| v.value),
                iv.actual.as_ref().map(|v| v.value),
                iv.goal.as_ref().map(|v| v.value),
            )
        })
        .collect();
    let code = plan.agency.value.as_str();
    let mut projects: Vec<(&str, &Project)> = plan.projects.iter().map(|p| (code, p)).collect();
    projects.sort_by_key(|(_, p)| p.priority.value);
    let title = format!(
        "{} {}: {}",
        doc.t("Kế hoạch ứng dụng CNTT năm", "IT plan"),
        r.year,
        e.agency.name_in(r.year)
    );
    let body = &plan.body;
    let src = Source {
        title: &title,
        document: None,
        intro: &body.text[body.preamble.clone()],
        legal,
        body,
        indicators,
        spending: plan.spending.iter().map(|s| (code, s)).collect(),
        projects,
        totals: &e.totals,
        with_agency: false,
        signer_org: Some(e.agency.name_in(r.year).to_string()),
    };
    write(&doc, &src)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_rows_get_the_repeat_flag_and_nothing_else_does() {
        let xml = format!(
            "<w:tr><w:trPr><w:cantSplit /><w:trHeight w:val=\"{HEADER_MARK}\" w:hRule=\"atLeast\" /></w:trPr></w:tr><w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr>"
        );
        let out = String::from_utf8(repeat_header_rows(xml.into_bytes())).unwrap();
        assert_eq!(out.matches("<w:tblHeader />").count(), 1);
        assert!(out.starts_with("<w:tr><w:trPr><w:cantSplit /><w:tblHeader /><w:trHeight"));
    }

    #[test]
    fn markdown_keeps_lists_and_paragraphs() {
        let ps = markdown("Một **hai**.\n\n- a\n- b\n\n1. x\n2. y\n");
        assert_eq!(ps.len(), 5);
        let texts: Vec<String> = ps.iter().map(|p| p.raw_text()).collect();
        assert_eq!(texts, ["Một hai.", "- a", "- b", "1. x", "2. y"]);
    }
}
