//! How numbers, dates and interface strings look on a page.

use rust_decimal::Decimal;

use crate::diag::Lang;
use crate::model::Amount;
use crate::model::money::format_grouped;

/// `1.234.567,5` (vi) or `1,234,567.5` (en). Pages drop the trailing zeros
/// a sum picks up (`127.5 + 1187.5` is `1315.0`); CSV and JSON keep them.
pub(crate) fn money(a: Amount, lang: Lang) -> String {
    format_grouped(a.0.normalize(), lang)
}

/// A change of an amount: `+1.500`, `−250,5` (a true minus sign) or `0`.
pub(crate) fn signed_money(a: Amount, lang: Lang) -> String {
    signed_number(a.0, lang)
}

/// A change of a number, signed as `signed_money` signs amounts.
pub(crate) fn signed_number(d: Decimal, lang: Lang) -> String {
    let text = format_grouped(d.abs().normalize(), lang);
    if d.is_zero() {
        text
    } else if d.is_sign_negative() {
        format!("\u{2212}{text}")
    } else {
        format!("+{text}")
    }
}

/// A number that is not money (indicator values), same grouping.
pub(crate) fn number(d: Decimal, lang: Lang) -> String {
    format_grouped(d.normalize(), lang)
}

pub(crate) use crate::model::date_text as date;

/// Lower-case language code for `<html lang>`.
pub(crate) fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_money_and_dates() {
        let a: Amount = "1234567.5".parse().unwrap();
        assert_eq!(money(a, Lang::Vi), "1.234.567,5");
        assert_eq!(money(a, Lang::En), "1,234,567.5");
        let d = chrono::NaiveDate::from_ymd_opt(2018, 7, 5).unwrap();
        assert_eq!(date(d), "05/07/2018");
        assert_eq!(number(Decimal::new(2750, 2), Lang::Vi), "27,5");
        let d: Amount = "-1250.50".parse().unwrap();
        assert_eq!(signed_money(d, Lang::Vi), "\u{2212}1.250,5");
        assert_eq!(signed_money(a, Lang::En), "+1,234,567.5");
        assert_eq!(signed_money(Amount::ZERO, Lang::Vi), "0");
    }
}
