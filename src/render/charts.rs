//! Charts: horizontal (grouped) bar charts drawn at build time with plotters'
//! SVG backend and inlined in the page.
//!
//! plotters only draws here: every position is computed in this module.
//! Its text-size estimate counts bytes, which makes Vietnamese (two or three
//! bytes a letter) look twice as wide as it is, so labels are measured per
//! character with rough sans-serif advance widths, wrapped at word
//! boundaries onto at most [`MAX_LABEL_LINES`] lines and cut with `…` beyond
//! that. Each bar group is as tall as its label, so nothing overlaps, and the
//! SVG is as tall as its content.
//!
//! Colours come from the Okabe–Ito palette and are never the only cue: the
//! series also differ in shape (solid, hollow with a thick outline, thin),
//! the legend shows the same shapes, and every bar has its value written
//! after it. Bar lengths are computed in `Decimal`; only the final pixel
//! count becomes an integer.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use unicode_normalization::char::is_combining_mark;

use crate::diag::Lang;
use crate::escape::xml as xml_escape;
use crate::model::money::format_grouped;

/// One series of a bar chart.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Series {
    /// Shown in the legend (when there are several series).
    pub(crate) name: String,
    /// One value per label, in the chart's unit.
    pub(crate) values: Vec<Decimal>,
}

/// A horizontal (grouped) bar chart.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Chart {
    /// Unique html id prefix, `[a-z0-9-]`: the `<title>` and `<desc>` get
    /// `<id>-title` and `<id>-desc`.
    pub(crate) id: String,
    /// The accessible name (`<title>`); the page shows its own heading.
    pub(crate) title: String,
    /// The accessible description (`<desc>`).
    pub(crate) desc: String,
    /// One per bar group; may be long, they are wrapped.
    pub(crate) labels: Vec<String>,
    /// One to three series, each with one value per label.
    pub(crate) series: Vec<Series>,
    /// The unit of the values, e.g. `triệu đồng` or `%`.
    pub(crate) unit: String,
    /// Language of the number format.
    pub(crate) lang: Lang,
    /// The caption under the bars, `{unit}` put in by the drawing
    /// (`t.chart_words.unit`, "Đơn vị: {unit}").
    pub(crate) unit_caption: String,
    /// What a chart with nothing to draw says (`t.chart_words.empty`).
    pub(crate) empty_text: String,
}

/// Width of the drawing in SVG user units (it scales with `width="100%"`).
const WIDTH: i32 = 720;
/// Width of the narrow drawing: a phone's column at about 1:1.
const NARROW_WIDTH: i32 = 340;
/// Space between a narrow drawing's label and its bars.
const LABEL_BAR_GAP: i32 = 4;
/// Outer margin.
const PAD: i32 = 12;
/// Share of the width given to the label column, in percent.
const LABEL_COLUMN_PCT: i32 = 40;
/// Gap between the label text and the axis.
const LABEL_GAP: i32 = 10;
/// Font size of labels and legend, px.
const LABEL_PX: i32 = 13;
/// Line height of wrapped labels, px.
const LINE_H: i32 = 17;
/// Font size of the values written after the bars and of the unit caption.
const VALUE_PX: i32 = 12;
/// A label wraps onto at most this many lines, then is cut with `…`.
const MAX_LABEL_LINES: usize = 3;
/// Vertical space between two bar groups.
const GROUP_GAP: i32 = 14;
/// Bar thickness when there is one series.
const SINGLE_BAR_H: i32 = 20;
/// Bar slot thickness when there are several series.
const MULTI_BAR_H: i32 = 15;
/// Space between the bars of one group.
const BAR_GAP: i32 = 3;
/// Outline width of hollow bars.
const OUTLINE: i32 = 2;
/// Space between a bar's end and its value.
const VALUE_GAP: i32 = 5;
/// The shortest bar area we accept before widening the canvas.
const MIN_BAR_AREA: i32 = 120;
/// Legend swatch size.
const SWATCH_W: i32 = 22;
/// Legend row height.
const LEGEND_ROW_H: i32 = 20;
/// Space between legend items.
const LEGEND_ITEM_GAP: i32 = 18;
/// System fonts only; no web font is ever loaded.
const FONT_STACK: &str = "-apple-system, BlinkMacSystemFont, Segoe UI, Roboto, Noto Sans, Helvetica Neue, Arial, Liberation Sans, DejaVu Sans, sans-serif";

/// Okabe–Ito colours, in the order series use them. Vermillion comes second
/// rather than orange: the second series is a hollow outline, and orange on
/// white is too faint (2.2:1) for a 2px line; vermillion is 3.9:1.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];
/// Main text colour.
const INK: RGBColor = RGBColor(0x1F, 0x1F, 0x1F);
/// Secondary text (captions), still 7:1 on white.
const MUTED: RGBColor = RGBColor(0x4A, 0x4A, 0x4A);
/// The value axis.
const AXIS: RGBColor = RGBColor(0x76, 0x76, 0x76);
/// Separators between groups.
const RULE: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

/// How a chart is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Labels in a column left of the bars, 720 px wide: screens and print.
    Wide,
    /// Labels above their bars, 340 px wide: phones, where the wide one
    /// would shrink its text to 6 px. The stylesheet shows one or the other.
    Narrow,
}

impl Shape {
    fn width(self) -> i32 {
        match self {
            Shape::Wide => WIDTH,
            Shape::Narrow => NARROW_WIDTH,
        }
    }
}

/// Inline SVG markup (no XML declaration): the wide drawing, then the
/// narrow one, each an `<svg>` of its own with its own title and
/// description.
pub(crate) fn bar_svg(chart: &Chart) -> String {
    let mut out = draw(chart, Shape::Wide);
    out.push_str(&draw(chart, Shape::Narrow));
    out
}

/// One drawing, starting with `<svg`.
fn draw(chart: &Chart, shape: Shape) -> String {
    let drawn = if chart.labels.is_empty() || chart.series.is_empty() {
        None
    } else {
        let layout = Layout::new(chart, shape);
        paint(&layout, chart).map(|svg| (svg, layout.width, layout.height))
    };
    let (body, width, height) = match drawn {
        Some(drawn) => drawn,
        None => {
            let (w, h) = (shape.width(), 48);
            match paint_empty(&chart.empty_text, w, h) {
                Some(svg) => (svg, w, h),
                None => (String::from("<svg>\n</svg>\n"), w, h),
            }
        }
    };
    finish(&body, chart, shape, width, height)
}

/// How a series' bars look; colour is never the only difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BarStyle {
    /// Filled bar.
    Solid,
    /// White bar with a thick coloured outline.
    Hollow,
    /// A filled bar half as thick.
    Thin,
}

impl BarStyle {
    fn of(series: usize) -> BarStyle {
        match series % 3 {
            0 => BarStyle::Solid,
            1 => BarStyle::Hollow,
            _ => BarStyle::Thin,
        }
    }
}

/// The colour of series `i`.
fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// One legend item: the series index, its (possibly cut) name and where it
/// goes.
struct LegendItem {
    series: usize,
    name: String,
    x: i32,
    y: i32,
}

/// One bar group: label lines, top edge and height.
struct Group {
    lines: Vec<String>,
    top: i32,
    height: i32,
}

/// Every position of the drawing, computed before plotters draws anything.
struct Layout {
    shape: Shape,
    width: i32,
    height: i32,
    legend: Vec<LegendItem>,
    groups: Vec<Group>,
    /// x of the value axis (bars start right after it).
    axis_x: i32,
    /// Right edge of the label text.
    label_right: i32,
    /// Length of the longest bar.
    max_bar: i32,
    /// Largest value; bars are `value / max * max_bar` long.
    max_value: Decimal,
    /// Thickness of one bar slot.
    slot_h: i32,
    /// Top and bottom of the axis line.
    plot_top: i32,
    plot_bottom: i32,
    /// Unit caption lines and the y of the first.
    caption: Vec<String>,
    caption_y: i32,
}

impl Layout {
    fn new(chart: &Chart, shape: Shape) -> Layout {
        let n_series = chart.series.len();
        let base_width = shape.width();
        let (axis_x, label_right, label_w) = match shape {
            Shape::Wide => {
                let axis_x = WIDTH * LABEL_COLUMN_PCT / 100;
                (axis_x, axis_x - LABEL_GAP, axis_x - LABEL_GAP - PAD)
            }
            // Labels span the drawing above their bars.
            Shape::Narrow => (PAD, NARROW_WIDTH - PAD, NARROW_WIDTH - 2 * PAD),
        };

        // Room for the widest value text decides the longest bar; a
        // pathological value (28 digits) widens the canvas instead of
        // running off it.
        let widest_value = chart
            .series
            .iter()
            .flat_map(|s| s.values.iter())
            .map(|v| text_px(&format_grouped(v.normalize(), chart.lang), VALUE_PX))
            .max()
            .unwrap_or(0);
        let mut width = base_width;
        let mut max_bar = base_width - PAD - axis_x - OUTLINE - VALUE_GAP - widest_value;
        if max_bar < MIN_BAR_AREA {
            width += MIN_BAR_AREA - max_bar;
            max_bar = MIN_BAR_AREA;
        }
        let max_value = chart
            .series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(Decimal::ZERO, Decimal::max);

        let mut y = PAD;

        // Legend: one row of swatch + name per series, wrapping onto more
        // rows when the names are long. None for a single series.
        let mut legend = Vec::new();
        if n_series > 1 {
            let row_w = width - 2 * PAD;
            let name_max = row_w - SWATCH_W - 6;
            let mut x = PAD;
            for (i, s) in chart.series.iter().enumerate() {
                let name = ellipsize(s.name.trim(), name_max, LABEL_PX);
                let item_w = SWATCH_W + 6 + text_px(&name, LABEL_PX);
                if x > PAD && x + item_w > PAD + row_w {
                    x = PAD;
                    y += LEGEND_ROW_H;
                }
                legend.push(LegendItem {
                    series: i,
                    name,
                    x,
                    y,
                });
                x += item_w + LEGEND_ITEM_GAP;
            }
            y += LEGEND_ROW_H + 8;
        }

        let slot_h = if n_series == 1 {
            SINGLE_BAR_H
        } else {
            MULTI_BAR_H
        };
        let n = i32::try_from(n_series).unwrap_or(i32::MAX / 64);
        let bars_h = n * slot_h + (n - 1) * BAR_GAP;

        let plot_top = y;
        y += GROUP_GAP / 2;
        let mut groups = Vec::with_capacity(chart.labels.len());
        for label in &chart.labels {
            let lines = wrap(label, label_w, LABEL_PX, MAX_LABEL_LINES);
            let n_lines = i32::try_from(lines.len()).unwrap_or(1);
            let height = match shape {
                Shape::Wide => (n_lines * LINE_H).max(bars_h),
                Shape::Narrow => n_lines * LINE_H + LABEL_BAR_GAP + bars_h,
            };
            groups.push(Group {
                lines,
                top: y,
                height,
            });
            y += height + GROUP_GAP;
        }
        let plot_bottom = y - GROUP_GAP / 2;

        let caption = if chart.unit.trim().is_empty() {
            Vec::new()
        } else {
            let unit = chart.unit.trim();
            let text = super::theme::fill(&chart.unit_caption, &[("unit", unit)]);
            wrap(&text, width - PAD - axis_x, VALUE_PX, 2)
        };
        let caption_y = plot_bottom + 6;
        let caption_h = i32::try_from(caption.len()).unwrap_or(0) * (VALUE_PX + 4);
        let height = caption_y + caption_h + PAD;

        Layout {
            shape,
            width,
            height,
            legend,
            groups,
            axis_x,
            label_right,
            max_bar,
            max_value,
            slot_h,
            plot_top,
            plot_bottom,
            caption,
            caption_y,
        }
    }

    /// Bar length in px for a value: `value / max * max_bar`, in Decimal,
    /// rounded, at least 1 px for any positive value; negatives and an
    /// all-zero chart give 0.
    fn bar_len(&self, value: Decimal) -> i32 {
        if value <= Decimal::ZERO || self.max_value <= Decimal::ZERO {
            return 0;
        }
        let len = value
            .checked_div(self.max_value)
            .and_then(|share| share.checked_mul(Decimal::from(self.max_bar)))
            .map(|px| px.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
            .and_then(|px| px.to_i32())
            .unwrap_or(0);
        len.clamp(1, self.max_bar.max(1))
    }
}

/// The text style of plotters for a size in px. plotters' SVG backend
/// writes `font-size` as `size / 1.24`, so we hand it `px * 1.24`.
fn font(px: i32, color: &'static RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FONT_STACK), f64::from(px) * 1.24).into_font())
        .color(color)
        .pos(Pos::new(h, v))
}

type Drawing<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// Draws the chart; `None` if plotters fails (it does not on a String).
fn paint(layout: &Layout, chart: &Chart) -> Option<String> {
    let mut buf = String::new();
    {
        let size = (
            u32::try_from(layout.width).ok()?,
            u32::try_from(layout.height).ok()?,
        );
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        draw_all(&root, layout, chart)
            .and_then(|()| root.present())
            .ok()?;
    }
    Some(buf)
}

fn draw_all(root: &Drawing<'_>, layout: &Layout, chart: &Chart) -> DrawResult {
    for item in &layout.legend {
        let mid = item.y + LEGEND_ROW_H / 2;
        let swatch_h = layout.slot_h.min(14);
        draw_bar(
            root,
            BarStyle::of(item.series),
            &colour(item.series),
            item.x,
            mid - swatch_h / 2,
            SWATCH_W,
            swatch_h,
        )?;
        root.draw(&Text::new(
            item.name.as_str(),
            (item.x + SWATCH_W + 6, mid),
            font(LABEL_PX, &INK, HPos::Left, VPos::Center),
        ))?;
    }

    let n = i32::try_from(chart.series.len()).unwrap_or(0);
    let bars_h = n * layout.slot_h + (n - 1) * BAR_GAP;
    for (g, group) in layout.groups.iter().enumerate() {
        if g > 0 {
            let rule_y = group.top - GROUP_GAP / 2;
            root.draw(&Rectangle::new(
                [(PAD, rule_y), (layout.width - PAD, rule_y + 1)],
                RULE.filled(),
            ))?;
        }
        // Wide: the label block and the bar block are both centred in the
        // group. Narrow: the label on top, the bars under it, with their
        // own stretch of axis.
        let lines_h = i32::try_from(group.lines.len()).unwrap_or(1) * LINE_H;
        let (mut line_mid, label_x, align, mut slot_top) = match layout.shape {
            Shape::Wide => (
                group.top + (group.height - lines_h) / 2 + LINE_H / 2,
                layout.label_right,
                HPos::Right,
                group.top + (group.height - bars_h) / 2,
            ),
            Shape::Narrow => (
                group.top + LINE_H / 2,
                PAD,
                HPos::Left,
                group.top + lines_h + LABEL_BAR_GAP,
            ),
        };
        for line in &group.lines {
            root.draw(&Text::new(
                line.as_str(),
                (label_x, line_mid),
                font(LABEL_PX, &INK, align, VPos::Center),
            ))?;
            line_mid += LINE_H;
        }
        if layout.shape == Shape::Narrow {
            root.draw(&Rectangle::new(
                [
                    (layout.axis_x, slot_top - 2),
                    (layout.axis_x + 1, slot_top + bars_h + 2),
                ],
                AXIS.filled(),
            ))?;
        }
        for (s, series) in chart.series.iter().enumerate() {
            if let Some(value) = series.values.get(g) {
                let len = layout.bar_len(*value);
                let x0 = layout.axis_x + 1;
                draw_bar(
                    root,
                    BarStyle::of(s),
                    &colour(s),
                    x0,
                    slot_top,
                    len,
                    layout.slot_h,
                )?;
                root.draw(&Text::new(
                    format_grouped(value.normalize(), chart.lang),
                    (x0 + len + VALUE_GAP, slot_top + layout.slot_h / 2),
                    font(VALUE_PX, &INK, HPos::Left, VPos::Center),
                ))?;
            }
            slot_top += layout.slot_h + BAR_GAP;
        }
    }

    // The value axis, drawn last so bars of zero length still show a base
    // (the narrow drawing has one stretch per group, above).
    if layout.shape == Shape::Wide {
        root.draw(&Rectangle::new(
            [
                (layout.axis_x, layout.plot_top),
                (layout.axis_x + 1, layout.plot_bottom),
            ],
            AXIS.filled(),
        ))?;
    }

    let mut y = layout.caption_y;
    for line in &layout.caption {
        root.draw(&Text::new(
            line.as_str(),
            (layout.axis_x, y),
            font(VALUE_PX, &MUTED, HPos::Left, VPos::Top),
        ))?;
        y += VALUE_PX + 4;
    }
    Ok(())
}

/// One bar (or legend swatch) of `len` px starting at `x`, in a slot of
/// `slot_h` px starting at `top`.
fn draw_bar(
    root: &Drawing<'_>,
    style: BarStyle,
    color: &RGBColor,
    x: i32,
    top: i32,
    len: i32,
    slot_h: i32,
) -> DrawResult {
    if len <= 0 {
        return Ok(());
    }
    match style {
        BarStyle::Solid => {
            root.draw(&Rectangle::new(
                [(x, top), (x + len, top + slot_h)],
                color.filled(),
            ))?;
        }
        BarStyle::Hollow => {
            // plotters' SVG rect has no stroke width, so the outline is a
            // filled bar with a white one inside it.
            root.draw(&Rectangle::new(
                [(x, top), (x + len, top + slot_h)],
                color.filled(),
            ))?;
            if len > 2 * OUTLINE + 1 {
                root.draw(&Rectangle::new(
                    [
                        (x + OUTLINE, top + OUTLINE),
                        (x + len - OUTLINE, top + slot_h - OUTLINE),
                    ],
                    WHITE.filled(),
                ))?;
            }
        }
        BarStyle::Thin => {
            let h = (slot_h / 2).max(4);
            let t = top + (slot_h - h) / 2;
            root.draw(&Rectangle::new([(x, t), (x + len, t + h)], color.filled()))?;
        }
    }
    Ok(())
}

/// A small drawing that says there is nothing to show.
fn paint_empty(text: &str, w: i32, h: i32) -> Option<String> {
    let mut buf = String::new();
    {
        let size = (u32::try_from(w).ok()?, u32::try_from(h).ok()?);
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.draw(&Text::new(
            text,
            (w / 2, h / 2),
            font(LABEL_PX, &MUTED, HPos::Center, VPos::Center),
        ))
        .and_then(|()| root.present())
        .ok()?;
    }
    Some(buf)
}

/// Replaces plotters' `<svg width height viewBox>` tag by a scalable one with
/// its accessible name and description, and tidies the font sizes.
fn finish(body: &str, chart: &Chart, shape: Shape, width: i32, height: i32) -> String {
    let rest = if body.starts_with("<svg") {
        body.find('>').map_or("", |end| &body[end + 1..])
    } else {
        body
    };
    let (id, class) = match shape {
        Shape::Wide => (xml_escape(&chart.id), "chart-wide"),
        Shape::Narrow => (format!("{}-n", xml_escape(&chart.id)), "chart-narrow"),
    };
    let mut out = String::with_capacity(rest.len() + 512);
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" style=\"max-width:{width}px;height:auto;background:#fff\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{FONT_STACK}\">\n"
    ));
    out.push_str(&format!(
        "<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>",
        xml_escape(&chart.title),
        xml_escape(&chart.desc)
    ));
    tidy(rest, &mut out);
    out
}

/// plotters repeats on every element what is said once on the root or is
/// the default (the font family, `opacity="1"`, `stroke="none"`), puts
/// every text on lines of its own, and writes `font-size="12.999999999999998"`.
/// The consolidated page draws hundreds of elements: this keeps its charts a
/// third lighter for phones. One pass, tag by tag, into `out`.
fn tidy(svg: &str, out: &mut String) {
    let mut rest = svg;
    let mut in_text = false;
    while let Some(lt) = rest.find('<') {
        let between = &rest[..lt];
        out.push_str(if in_text { between.trim() } else { between });
        let Some(len) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt..=lt + len];
        in_text = tag.starts_with("<text");
        tidy_tag(tag, out);
        rest = &rest[lt + len + 1..];
    }
    out.push_str(rest);
}

/// One tag without the attributes that say nothing, its font size rounded
/// to 0.1 px.
fn tidy_tag(tag: &str, out: &mut String) {
    const DROP: [&str; 2] = [" opacity=\"1\"", " stroke=\"none\""];
    const SIZE: &str = " font-size=\"";
    const FAMILY: &str = " font-family=\"";
    let mut rest = tag;
    while let Some(sp) = rest.find(' ') {
        out.push_str(&rest[..sp]);
        rest = &rest[sp..];
        if let Some(d) = DROP.iter().find(|d| rest.starts_with(*d)) {
            rest = &rest[d.len()..];
        } else if rest.starts_with(FAMILY)
            && rest[FAMILY.len()..].starts_with(FONT_STACK)
            && rest[FAMILY.len() + FONT_STACK.len()..].starts_with('"')
        {
            rest = &rest[FAMILY.len() + FONT_STACK.len() + 1..];
        } else if let Some(value) = rest.strip_prefix(SIZE) {
            let end = value.find('"').unwrap_or(value.len());
            out.push_str(SIZE);
            match value[..end].parse::<f64>() {
                Ok(size) => {
                    let tenths = (size * 10.0).round() / 10.0;
                    out.push_str(&format!("{tenths}"));
                }
                Err(_) => out.push_str(&value[..end]),
            }
            rest = &value[end..];
        } else {
            out.push(' ');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
}

/// Rough advance width of a character in thousandths of an em, for common
/// sans-serif fonts, erring wide (DejaVu Sans, the widest fallback).
fn char_em(c: char) -> u32 {
    match c {
        'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '!' | '\'' | '|' => 300,
        ' ' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' | '"' => 420,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 980,
        '…' => 1000,
        '0'..='9' => 640,
        c if c.is_uppercase() => 760,
        _ => 620,
    }
}

/// Estimated width in px of `text` at `px`: per character, not per byte,
/// and combining accents (decomposed Vietnamese) take no width.
fn text_px(text: &str, px: i32) -> i32 {
    px_of(text.chars().map(char_units).sum(), px)
}

/// Width of a character in thousandths of an em: its base letter's, its
/// marks stacking above or below take no room.
fn char_units(c: char) -> u64 {
    if c.is_ascii() {
        return u64::from(char_em(c));
    }
    let mut units = 0;
    unicode_normalization::char::decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            units += u64::from(char_em(d));
        }
    });
    units
}

fn px_of(units: u64, px: i32) -> i32 {
    let px = u64::try_from(px).unwrap_or(0);
    i32::try_from((units * px).div_ceil(1000)).unwrap_or(i32::MAX)
}

/// Wraps `text` at word boundaries into lines of at most `max_px`, at most
/// `max_lines` of them; the last one ends with `…` if text was left over.
/// A word wider than a line is broken between characters. Widths add up,
/// so each word is measured once.
fn wrap(text: &str, max_px: i32, px: i32, max_lines: usize) -> Vec<String> {
    let space = char_units(' ');
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_units = 0;
    for word in text.split_whitespace() {
        let word_units: u64 = word.chars().map(char_units).sum();
        let candidate = if line.is_empty() {
            word_units
        } else {
            line_units + space + word_units
        };
        if px_of(candidate, px) <= max_px {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            line_units = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: break it if it is wider than a line.
        let mut piece = String::new();
        let mut piece_units = 0;
        for c in word.chars() {
            let u = char_units(c);
            if !piece.is_empty() && px_of(piece_units + u, px) > max_px {
                lines.push(std::mem::take(&mut piece));
                piece_units = 0;
            }
            piece.push(c);
            piece_units += u;
        }
        line = piece;
        line_units = piece_units;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(ellipsize_forced(&rest, max_px, px));
    }
    lines
}

/// `text` if it fits in `max_px`, else as much of it as fits, then `…`.
fn ellipsize(text: &str, max_px: i32, px: i32) -> String {
    if text_px(text, px) <= max_px {
        text.to_string()
    } else {
        ellipsize_forced(text, max_px, px)
    }
}

/// As much of `text` as fits in `max_px` with `…` after it, cut at a word
/// boundary when one is not too far back.
fn ellipsize_forced(text: &str, max_px: i32, px: i32) -> String {
    let mut kept = String::new();
    let mut units = char_units('…');
    for c in text.chars() {
        units += char_units(c);
        if px_of(units, px) > max_px {
            break;
        }
        kept.push(c);
    }
    // Prefer ending on a whole word if that keeps most of the line.
    if let Some(space) = kept.rfind(' ')
        && kept[..space].chars().count() * 4 >= kept.chars().count() * 3
    {
        kept.truncate(space);
    }
    let trimmed = kept.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–".contains(c));
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    fn chart(labels: &[&str], series: &[(&str, &[&str])]) -> Chart {
        Chart {
            id: "ngan-sach".to_string(),
            title: "Kinh phí theo lĩnh vực <2025> & \"kế hoạch\"".to_string(),
            desc: "Biểu đồ thanh ngang: kinh phí 'dự kiến' của từng lĩnh vực".to_string(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            series: series
                .iter()
                .map(|(name, values)| Series {
                    name: name.to_string(),
                    values: values.iter().map(|v| d(v)).collect(),
                })
                .collect(),
            unit: "triệu đồng".to_string(),
            lang: Lang::Vi,
            unit_caption: "Đơn vị: {unit}".to_string(),
            empty_text: "Không có số liệu để vẽ biểu đồ.".to_string(),
        }
    }

    fn wide(c: &Chart) -> String {
        draw(c, Shape::Wide)
    }

    fn height_of(svg: &str) -> i32 {
        let start = svg.find("viewBox=\"0 0 ").expect("viewBox") + "viewBox=\"0 0 ".len();
        let rest = &svg[start..];
        let end = rest.find('"').expect("quote");
        let (_, h) = rest[..end].split_once(' ').expect("w h");
        h.parse().expect("height")
    }

    /// The text content of every `<text>` element.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let open_end = t.find('>')?;
                let close = t.find("</text>")?;
                Some(t[open_end + 1..close].trim().to_string())
            })
            .collect()
    }

    #[test]
    fn basic_structure_and_escaping() {
        let c = chart(
            &["Hạ tầng kỹ thuật", "Chuyển đổi số"],
            &[("Kế hoạch", &["1234567.5", "250"])],
        );
        let svg = wide(&c);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("viewBox=\"0 0 720 "));
        assert!(!svg.contains("width=\"720\""));
        let open_tag = &svg[..svg.find('>').expect("tag end")];
        assert!(
            !open_tag.contains("height=\""),
            "no fixed height: {open_tag}"
        );
        assert!(svg.contains("width=\"100%\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"ngan-sach-title ngan-sach-desc\""));
        assert!(svg.contains(
            "<title id=\"ngan-sach-title\">Kinh phí theo lĩnh vực &lt;2025&gt; &amp; &quot;kế hoạch&quot;</title>"
        ));
        assert!(svg.contains(
            "<desc id=\"ngan-sach-desc\">Biểu đồ thanh ngang: kinh phí &apos;dự kiến&apos; của từng lĩnh vực</desc>"
        ));
        let t = texts(&svg);
        assert!(t.contains(&"Hạ tầng kỹ thuật".to_string()), "{t:?}");
        assert!(t.contains(&"Chuyển đổi số".to_string()));
        assert!(t.contains(&"1.234.567,5".to_string()), "{t:?}");
        assert!(t.contains(&"250".to_string()));
        assert!(t.contains(&"Đơn vị: triệu đồng".to_string()));
        // One series: no legend.
        assert!(!t.contains(&"Kế hoạch".to_string()));
        assert!(svg.contains("font-size=\"13\""), "{svg}");
        assert!(svg.contains(FONT_STACK));
        // Said once, on the root.
        assert_eq!(svg.matches("font-family").count(), 1, "{svg}");
        assert!(!svg.contains("opacity=\"1\""));
        assert!(svg.contains(">Hạ tầng kỹ thuật</text>"), "{svg}");
        assert!(svg.contains("style=\"max-width:720px;height:auto;background:#fff\""));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn english_grouping() {
        let mut c = chart(&["Infrastructure"], &[("Plan", &["1234567.5"])]);
        c.lang = Lang::En;
        c.unit_caption = "Unit: {unit}".to_string();
        c.unit = "million VND".to_string();
        let t = texts(&wide(&c));
        assert!(t.contains(&"1,234,567.5".to_string()), "{t:?}");
        assert!(t.contains(&"Unit: million VND".to_string()), "{t:?}");
    }

    #[test]
    fn long_label_wraps_and_grows() {
        let short = wide(&chart(&["Hạ tầng"], &[("A", &["10"])]));
        let long_label = "Đầu tư nâng cấp hạ tầng kỹ thuật công nghệ thông tin và trung tâm dữ liệu dùng chung của tỉnh";
        let long = wide(&chart(&[long_label], &[("A", &["10"])]));
        assert!(height_of(&long) > height_of(&short));
        let t = texts(&long);
        let pieces: Vec<&String> = t
            .iter()
            .filter(|s| long_label.contains(s.as_str()))
            .collect();
        assert!(pieces.len() >= 2, "{t:?}");
        // The pieces put back together are the label.
        let joined = pieces
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(joined, long_label);
    }

    #[test]
    fn overlong_label_is_cut_to_three_lines() {
        let label = "rất dài ".repeat(60);
        let lines = wrap(&label, 266, LABEL_PX, MAX_LABEL_LINES);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'), "{lines:?}");
        for line in &lines {
            assert!(text_px(line, LABEL_PX) <= 266, "{line}");
        }
        // A single huge word is broken, not left running off.
        let word = "x".repeat(200);
        for line in wrap(&word, 100, LABEL_PX, 3) {
            assert!(text_px(&line, LABEL_PX) <= 100);
        }
    }

    #[test]
    fn width_counts_chars_not_bytes() {
        let vi = "Chuyển đổi số";
        let ascii = "Chuyen doi so";
        assert_eq!(text_px(vi, 13), text_px(ascii, 13));
        // Decomposed accents are not counted either.
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = vi.nfd().collect();
        assert_eq!(text_px(&nfd, 13), text_px(vi, 13));
    }

    #[test]
    fn three_series_legend() {
        let c = chart(
            &["Cấp tỉnh", "Cấp huyện"],
            &[
                ("Thực hiện 2024", &["100", "50"]),
                ("Kế hoạch 2025", &["120", "60"]),
                ("Ước tính", &["90", "0"]),
            ],
        );
        let svg = wide(&c);
        let t = texts(&svg);
        for name in ["Thực hiện 2024", "Kế hoạch 2025", "Ước tính"] {
            assert!(t.contains(&name.to_string()), "{name} in {t:?}");
        }
        for colour in ["#0072B2", "#D55E00", "#009E73"] {
            assert!(svg.contains(colour), "{colour}");
        }
        // Hollow bars: a white rect inside the coloured one.
        assert!(svg.contains("fill=\"#FFFFFF\""));
    }

    #[test]
    fn bar_lengths_are_proportional() {
        let c = chart(&["a", "b", "c"], &[("A", &["100", "50", "0"])]);
        let layout = Layout::new(&c, Shape::Wide);
        assert_eq!(layout.bar_len(d("100")), layout.max_bar);
        assert_eq!(layout.bar_len(d("50")), (layout.max_bar + 1) / 2);
        assert_eq!(layout.bar_len(d("0")), 0);
        assert_eq!(layout.bar_len(d("-5")), 0);
        assert_eq!(layout.bar_len(d("0.0001")), 1);
    }

    #[test]
    fn zero_values_still_written() {
        let c = chart(&["Một", "Hai"], &[("A", &["0", "0"]), ("B", &["0", "0"])]);
        let svg = wide(&c);
        let zeros = texts(&svg).iter().filter(|s| s.as_str() == "0").count();
        assert_eq!(zeros, 4);
        // Negative values do not panic.
        let neg = chart(&["Một"], &[("A", &["-3"])]);
        assert!(wide(&neg).starts_with("<svg"));
    }

    #[test]
    fn empty_chart() {
        let c = chart(&[], &[("A", &[])]);
        let svg = wide(&c);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<title id=\"ngan-sach-title\">"));
        assert!(svg.contains("viewBox"));
        assert!(texts(&svg).contains(&"Không có số liệu để vẽ biểu đồ.".to_string()));
        let mut no_series = chart(&["a"], &[]);
        no_series.empty_text = "No data to chart.".to_string();
        assert!(texts(&wide(&no_series)).contains(&"No data to chart.".to_string()));
    }

    #[test]
    fn huge_values_stay_on_canvas() {
        let value = "1234567890123456789012345678";
        let c = chart(&["a"], &[("A", &[value, "1"])]);
        for shape in [Shape::Wide, Shape::Narrow] {
            let layout = Layout::new(&c, shape);
            assert!(layout.max_bar >= MIN_BAR_AREA);
            let text = format_grouped(d(value), Lang::Vi);
            let right = layout.axis_x + 1 + layout.max_bar + VALUE_GAP + text_px(&text, VALUE_PX);
            assert!(
                right <= layout.width - PAD,
                "{shape:?}: {right} > {}",
                layout.width
            );
            assert!(texts(&draw(&c, shape)).contains(&text));
        }
    }

    /// Pages get both drawings, each with its own accessible name, and the
    /// same words and figures in each.
    #[test]
    fn a_wide_and_a_narrow_drawing() {
        let c = chart(
            &["Hạ tầng kỹ thuật", "Chuyển đổi số"],
            &[
                ("Kế hoạch", &["1234567.5", "250"]),
                ("Thực hiện", &["10", "0"]),
            ],
        );
        let both = bar_svg(&c);
        assert_eq!(both.matches("<svg").count(), 2);
        let (w, n) = both.split_at(both.rfind("<svg").unwrap());
        assert!(w.contains("class=\"chart-wide\" viewBox=\"0 0 720 "));
        assert!(n.contains("class=\"chart-narrow\" viewBox=\"0 0 340 "));
        assert!(w.contains("aria-labelledby=\"ngan-sach-title ngan-sach-desc\""));
        assert!(n.contains("aria-labelledby=\"ngan-sach-n-title ngan-sach-n-desc\""));
        assert!(n.contains("<title id=\"ngan-sach-n-title\">"));
        let sorted = |svg: &str| {
            let mut t = texts(svg);
            t.sort();
            t
        };
        assert_eq!(sorted(w), sorted(n));
    }

    /// In the narrow drawing a label sits above its bars, wrapped to the
    /// drawing's width, and the text is drawn at its size on a phone.
    #[test]
    fn narrow_labels_span_the_drawing_above_the_bars() {
        let long_label = "Đầu tư nâng cấp hạ tầng kỹ thuật công nghệ thông tin và trung tâm dữ liệu dùng chung của tỉnh";
        let c = chart(&[long_label, "Ngắn"], &[("A", &["10", "5"])]);
        let layout = Layout::new(&c, Shape::Narrow);
        assert_eq!(layout.width, NARROW_WIDTH);
        assert_eq!(layout.axis_x, PAD);
        let g = &layout.groups[0];
        assert!(g.lines.len() >= 2, "{:?}", g.lines);
        for line in &g.lines {
            assert!(text_px(line, LABEL_PX) <= NARROW_WIDTH - 2 * PAD, "{line}");
        }
        let lines_h = i32::try_from(g.lines.len()).unwrap() * LINE_H;
        assert_eq!(g.height, lines_h + LABEL_BAR_GAP + SINGLE_BAR_H);
        let svg = draw(&c, Shape::Narrow);
        assert!(svg.contains("font-size=\"13\""));
    }
}
