//! The consolidated plan as the administrative document UBND tỉnh issues
//! (Decree 30/2020's layout): its heading block, its numbered sections from
//! `_plan.md`, its signature block. Shared by the printed page and the Word
//! file, so both say the same thing.

use chrono::{Datelike, NaiveDate};

use super::context::{DocHeading, DocLabels};
use super::theme::Theme;
use crate::model::{Body, CycleMeta, DocumentMeta, SectionKey};

/// The national name and motto every administrative document carries.
pub(crate) const QUOC_HIEU: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
/// Tiêu ngữ.
pub(crate) const TIEU_NGU: &str = "Độc lập - Tự do - Hạnh phúc";

/// `Số: 123/KH-UBND`, or a blank to fill in by hand before it is issued.
pub(crate) fn number_line(d: &DocumentMeta) -> String {
    match &d.number {
        Some(n) => format!("Số: {n}"),
        None => "Số:        /KH-UBND".to_string(),
    }
}

/// `Quảng Ngãi, ngày 20 tháng 12 năm 2018`, with blanks until it is dated.
pub(crate) fn place_date_line(d: &DocumentMeta) -> String {
    let place = &d.place;
    match d.date {
        Some(date) => format!(
            "{place}, ngày {:02} tháng {:02} năm {}",
            date.day(),
            date.month(),
            date.year()
        ),
        None => format!("{place}, ngày     tháng     năm"),
    }
}

/// The lines of the signer's capacity ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH").
pub(crate) fn signer_lines(d: &DocumentMeta) -> Vec<String> {
    d.signer.as_ref().map_or_else(Vec::new, |s| {
        s.title
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    })
}

/// Context of `partials/doc-heading.html` and `partials/doc-signature.html`:
/// none without `document:`, so the page prints its ordinary heading.
pub(crate) fn heading_context<'m>(meta: &'m CycleMeta, theme: &Theme) -> Option<DocHeading<'m>> {
    let d = meta.document.as_ref()?;
    Some(DocHeading {
        issuer: d.issuer.to_uppercase(),
        quoc_hieu: QUOC_HIEU,
        tieu_ngu: TIEU_NGU,
        number: number_line(d),
        place_date: place_date_line(d),
        issued: d.number.is_some() && d.date.is_some(),
        kind: "KẾ HOẠCH",
        signer: signer_lines(d),
        signer_name: d.signer.as_ref().and_then(|s| s.name.as_deref()),
        recipients: &d.recipients,
        labels: DocLabels {
            recipients: theme.tf("document", "recipients", &[]),
            unissued: theme.tf("document", "unissued", &[]),
        },
    })
}

/// The title under "KẾ HOẠCH": the cycle's title without a leading "Kế
/// hoạch", as administrative documents set it.
pub(crate) fn subtitle(title: &str) -> String {
    let t = title.trim();
    if !crate::model::sections::fold(t).starts_with("ke hoach ") {
        return t.to_string();
    }
    // Skip the two words "Kế hoạch", whatever Unicode form their letters are in.
    let rest = t
        .split_once(char::is_whitespace)
        .and_then(|(_, r)| r.trim_start().split_once(char::is_whitespace))
        .map_or("", |(_, r)| r);
    rest.trim().to_string()
}

/// The department's text of one numbered section, `None` when `_plan.md`
/// lacks it (W106).
pub(crate) fn section_markdown(body: &Body, key: SectionKey) -> Option<&str> {
    body.section(key).map(|s| &body.text[s.content.clone()])
}

/// Calendar days between two dates, as a deadline counts them.
pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtitle_drops_the_leading_word() {
        assert_eq!(
            subtitle("Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi năm 2019"),
            "ứng dụng CNTT tỉnh Quảng Ngãi năm 2019"
        );
        assert_eq!(subtitle("Chương trình X"), "Chương trình X");
    }

    #[test]
    fn days_are_calendar_days() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(days_between(d(2018, 7, 31), d(2018, 8, 3)), 3);
        assert_eq!(days_between(d(2018, 7, 31), d(2018, 7, 31)), 0);
    }
}
