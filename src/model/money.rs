//! Exact amounts of money. An [`Amount`] is read from the scalar's own text
//! straight into a `Decimal`: no value ever passes through a float, so
//! `12345678901.2345678` stays exact and ten times `0.1` is exactly `1`.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::MoneyUnit;
use crate::diag::{Lang, tr};

/// An amount in the site's `money_unit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub Decimal);

impl Amount {
    /// Zero, in the scale of the input (no trailing zeros).
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// True below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// True above zero.
    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }
}

impl Add for Amount {
    type Output = Amount;
    fn add(self, rhs: Amount) -> Amount {
        // Sums of real plans are far below Decimal's 7.9e28; saturate rather
        // than panic on adversarial input.
        Amount(self.0.checked_add(rhs.0).unwrap_or(Decimal::MAX))
    }
}

impl Sub for Amount {
    type Output = Amount;
    fn sub(self, rhs: Amount) -> Amount {
        Amount(self.0.checked_sub(rhs.0).unwrap_or(Decimal::MIN))
    }
}

impl Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::ZERO, |a, b| a + b)
    }
}

impl<'a> Sum<&'a Amount> for Amount {
    fn sum<I: Iterator<Item = &'a Amount>>(iter: I) -> Amount {
        iter.copied().sum()
    }
}

impl fmt::Display for Amount {
    /// The machine form: `1234567.5`, as in CSV and JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Why a scalar is not an amount, with the hint to give the editor.
#[derive(Debug, PartialEq, Eq)]
pub enum NumberError {
    /// `1.200.000` or `1,200,000`: thousands separators; holds the fix.
    Grouped(String),
    /// `1,5`: a decimal comma; holds the fix.
    DecimalComma(String),
    /// `1e6` and friends.
    Exponent,
    /// Beyond 28 significant digits.
    TooBig,
    /// Anything else.
    NotANumber,
}

impl NumberError {
    /// The editor-facing explanation and fix.
    pub(crate) fn hint(&self, lang: Lang) -> String {
        match self {
            NumberError::Grouped(fixed) => tr!(
                lang,
                "Viết số không có dấu phân cách hàng nghìn và không có ngoặc kép, dùng dấu chấm cho phần thập phân: `{fixed}`.",
                "Write the number without thousands separators or quotes, with a dot for decimals: `{fixed}`."
            ),
            NumberError::DecimalComma(fixed) => tr!(
                lang,
                "Dùng dấu chấm cho phần thập phân: `{fixed}`.",
                "Use a dot for the decimal part: `{fixed}`."
            ),
            NumberError::Exponent => tr!(
                lang,
                "Viết đầy đủ các chữ số, không dùng dạng lũy thừa (1e6).",
                "Write all the digits out, not an exponent (1e6)."
            ),
            NumberError::TooBig => tr!(
                lang,
                "Số quá lớn: tối đa 28 chữ số.",
                "The number is too large: at most 28 digits."
            ),
            NumberError::NotANumber => tr!(
                lang,
                "Viết một số, ví dụ 1500 hoặc 127.5 (đơn vị theo money_unit của site.yaml).",
                "Write a number, e.g. 1500 or 127.5 (in the site.yaml money_unit)."
            ),
        }
    }
}

/// Reads a decimal number from its YAML text: digits, an optional sign and
/// an optional `.` fraction. Anything else is refused with a reason.
pub(crate) fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    let t = text.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let digits_and = |extra: &[char]| {
        !body.is_empty()
            && body
                .chars()
                .all(|c| c.is_ascii_digit() || extra.contains(&c))
    };
    if digits_and(&['.'])
        && body.matches('.').count() <= 1
        && !body.starts_with('.')
        && !body.ends_with('.')
    {
        let plain = t.strip_prefix('+').unwrap_or(t);
        return Decimal::from_str_exact(plain).map_err(|_| NumberError::TooBig);
    }
    let sign = if t.starts_with('-') { "-" } else { "" };
    // Vietnamese style groups with dots and uses a comma for decimals;
    // English style is the other way round. Both are meant as grouping when
    // every group after the first has three digits.
    for (group, decimal) in [('.', ','), (',', '.'), (' ', ',')] {
        if digits_and(&[group, decimal]) && body.contains(group) {
            let (int, frac) = match body.split_once(decimal) {
                Some((i, f)) => (i, Some(f)),
                None => (body, None),
            };
            let mut groups = int.split(group);
            let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
            if first_ok
                && groups.all(|g| g.len() == 3)
                && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
            {
                let mut fixed = format!("{sign}{}", int.replace(group, ""));
                if let Some(f) = frac {
                    fixed.push('.');
                    fixed.push_str(f);
                }
                return Err(NumberError::Grouped(fixed));
            }
        }
    }
    if digits_and(&[',']) && body.matches(',').count() == 1 {
        return Err(NumberError::DecimalComma(format!(
            "{sign}{}",
            body.replace(',', ".")
        )));
    }
    if digits_and(&['.', 'e', 'E', '-', '+']) && body.contains(['e', 'E']) {
        return Err(NumberError::Exponent);
    }
    Err(NumberError::NotANumber)
}

impl MoneyUnit {
    /// How many đồng one of this unit is.
    pub(crate) fn in_dong(self) -> Decimal {
        match self {
            MoneyUnit::Dong => Decimal::ONE,
            MoneyUnit::NghinDong => Decimal::from(1_000),
            MoneyUnit::TrieuDong => Decimal::from(1_000_000),
            MoneyUnit::TyDong => Decimal::from(1_000_000_000),
        }
    }
}

/// Unit words an amount may end with, folded (no diacritics, lower case),
/// longest first so that `trieu dong` wins over `dong`.
const UNIT_WORDS: &[(&str, MoneyUnit)] = &[
    ("nghin dong", MoneyUnit::NghinDong),
    ("ngan dong", MoneyUnit::NghinDong),
    ("trieu dong", MoneyUnit::TrieuDong),
    ("ty dong", MoneyUnit::TyDong),
    ("nghin", MoneyUnit::NghinDong),
    ("ngan", MoneyUnit::NghinDong),
    ("trieu", MoneyUnit::TrieuDong),
    ("ty", MoneyUnit::TyDong),
    ("dong", MoneyUnit::Dong),
    ("vnd", MoneyUnit::Dong),
];

/// Reads an amount as people in Vietnam write it, in a spreadsheet cell or
/// a form, and converts it to `unit`: `1.234.567,5`, `1 234 567,5` (any
/// Unicode space), `127,5`, `1234567.5`, optionally followed by a unit word
/// (`đồng`, `nghìn đồng`, `triệu`, `tỷ đồng`; without one the number is
/// already in `unit`).
///
/// Vietnamese usage comes first where the text is ambiguous: one comma is
/// the decimal mark (`1,234` is 1.234) and dots between groups of three
/// digits group thousands (`1.234` is 1234). `1,234,567.5` is read as
/// English only when both marks are there in that order. The result is
/// exact: a conversion that cannot be represented is `TooBig`, and one to
/// a larger unit keeps every digit (`1.500 đồng` is `0.0015` triệu).
pub(crate) fn parse_vietnamese_amount(text: &str, unit: MoneyUnit) -> Result<Decimal, NumberError> {
    let folded = super::sections::fold(text).to_lowercase();
    let mut body = folded.trim();
    let mut from = unit;
    for (word, u) in UNIT_WORDS {
        if let Some(rest) = body.strip_suffix(word)
            && rest.ends_with(|c: char| c.is_ascii_digit() || c.is_whitespace())
        {
            body = rest.trim_end();
            from = *u;
            break;
        }
    }
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let (sign, digits) = match compact.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", compact.strip_prefix('+').unwrap_or(&compact)),
    };
    let number = read_marks(digits).ok_or_else(|| {
        if digits.contains(['e', 'E']) {
            NumberError::Exponent
        } else {
            NumberError::NotANumber
        }
    })?;
    let value =
        Decimal::from_str_exact(&format!("{sign}{number}")).map_err(|_| NumberError::TooBig)?;
    let scaled = value
        .checked_mul(from.in_dong())
        .and_then(|d| d.checked_div(unit.in_dong()))
        .ok_or(NumberError::TooBig)?;
    Ok(scaled.normalize())
}

/// The digits of `s` with a `.` decimal point, reading `.` and `,` the
/// Vietnamese way first; `None` when they make no number.
fn read_marks(s: &str) -> Option<String> {
    let ok = |t: &str, extra: &[char]| {
        !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || extra.contains(&c))
    };
    let grouped = |int: &str, mark: char| {
        let mut groups = int.split(mark);
        groups
            .next()
            .is_some_and(|g| (1..=3).contains(&g.len()) && ok(g, &[]))
            && groups.all(|g| g.len() == 3 && ok(g, &[]))
    };
    let with_frac = |int: String, frac: Option<&str>| match frac {
        None => Some(int),
        Some(f) if ok(f, &[]) => Some(format!("{int}.{f}")),
        Some(_) => None,
    };
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    match (dots, commas) {
        (0, 0) => ok(s, &[]).then(|| s.to_string()),
        // `1.234.567,5` and `127,5`.
        (_, 1)
            if s.find('.')
                .is_none_or(|d| s.find(',').is_some_and(|c| d < c)) =>
        {
            let (int, frac) = s.split_once(',')?;
            if dots > 0 && !grouped(int, '.') {
                return None;
            }
            let int = int.replace('.', "");
            ok(&int, &[]).then_some(())?;
            with_frac(int, Some(frac))
        }
        // `1,234,567.5`: English, when both marks say so.
        (1, _)
            if commas > 0
                && s.find(',')
                    .is_some_and(|c| s.find('.').is_some_and(|d| c < d)) =>
        {
            let (int, frac) = s.split_once('.')?;
            grouped(int, ',').then_some(())?;
            with_frac(int.replace(',', ""), Some(frac))
        }
        // `1.234.567`, and `1.234` (a thousand and more, as in Vietnam).
        (_, 0) if grouped(s, '.') => Some(s.replace('.', "")),
        // `127.5`: a decimal point.
        (1, 0) => {
            let (int, frac) = s.split_once('.')?;
            ok(int, &[]).then_some(())?;
            with_frac(int.to_string(), Some(frac))
        }
        _ => None,
    }
}

impl FromStr for Amount {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Amount, NumberError> {
        parse_decimal(s).map(Amount)
    }
}

/// Formats a decimal the Vietnamese way: `1.234.567,5`. English pages use
/// `1,234,567.5`. The scale of the input is kept.
pub fn format_grouped(value: Decimal, lang: Lang) -> String {
    let (group, point) = match lang {
        Lang::Vi => ('.', ','),
        Lang::En => (',', '.'),
    };
    let text = value.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(s: &str) -> Amount {
        s.parse().unwrap()
    }

    #[test]
    fn exact_decimals() {
        assert_eq!(
            amount("12345678901.2345678").to_string(),
            "12345678901.2345678"
        );
        let tenth = amount("0.1");
        let sum: Amount = std::iter::repeat_n(tenth, 10).sum();
        assert_eq!(sum, amount("1"));
        assert_eq!(amount("+5"), amount("5"));
        assert!(amount("-3").is_negative());
        assert!(!amount("0").is_negative());
    }

    #[test]
    fn vietnamese_grouping_gets_a_hint() {
        assert_eq!(
            "1.200.000".parse::<Amount>(),
            Err(NumberError::Grouped("1200000".into()))
        );
        assert_eq!(
            "1.200.000,5".parse::<Amount>(),
            Err(NumberError::Grouped("1200000.5".into()))
        );
        assert_eq!(
            "1,200,000".parse::<Amount>(),
            Err(NumberError::Grouped("1200000".into()))
        );
        assert_eq!(
            "1 200 000".parse::<Amount>(),
            Err(NumberError::Grouped("1200000".into()))
        );
        assert_eq!(
            "127,5".parse::<Amount>(),
            Err(NumberError::DecimalComma("127.5".into()))
        );
        assert_eq!("1e6".parse::<Amount>(), Err(NumberError::Exponent));
        assert_eq!("abc".parse::<Amount>(), Err(NumberError::NotANumber));
        assert_eq!(".5".parse::<Amount>(), Err(NumberError::NotANumber));
        assert_eq!("".parse::<Amount>(), Err(NumberError::NotANumber));
        assert_eq!("9".repeat(40).parse::<Amount>(), Err(NumberError::TooBig));
    }

    #[test]
    fn vietnamese_amounts_are_read_and_converted() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        let read = |s: &str, u| parse_vietnamese_amount(s, u);
        use MoneyUnit::*;
        assert_eq!(read("1.234.567,5", Dong), Ok(d("1234567.5")));
        assert_eq!(read("1 234 567,5", Dong), Ok(d("1234567.5")));
        assert_eq!(read("1\u{a0}234\u{a0}567,5", Dong), Ok(d("1234567.5")));
        assert_eq!(read("127,5", TrieuDong), Ok(d("127.5")));
        assert_eq!(read("127.5", TrieuDong), Ok(d("127.5")));
        assert_eq!(read("1.234", Dong), Ok(d("1234")));
        assert_eq!(read("1,234", Dong), Ok(d("1.234")));
        assert_eq!(read("1,234,567.5", Dong), Ok(d("1234567.5")));
        assert_eq!(read("-1.000", Dong), Ok(d("-1000")));
        assert_eq!(read("1.500.000 đồng", TrieuDong), Ok(d("1.5")));
        assert_eq!(read("1.500 đồng", TrieuDong), Ok(d("0.0015")));
        assert_eq!(read("2 tỷ đồng", TrieuDong), Ok(d("2000")));
        assert_eq!(read("2,5 Tỷ", TrieuDong), Ok(d("2500")));
        assert_eq!(read("350 triệu", TrieuDong), Ok(d("350")));
        assert_eq!(read("350 triệu đồng", TyDong), Ok(d("0.35")));
        assert_eq!(read("12 nghìn đồng", Dong), Ok(d("12000")));
        assert_eq!(read("1.23.4", Dong), Err(NumberError::NotANumber));
        assert_eq!(read("1,2,3", Dong), Err(NumberError::NotANumber));
        assert_eq!(read("abc", Dong), Err(NumberError::NotANumber));
        assert_eq!(read("", Dong), Err(NumberError::NotANumber));
        assert_eq!(read("đồng", Dong), Err(NumberError::NotANumber));
        assert_eq!(read("1e6", Dong), Err(NumberError::Exponent));
        assert_eq!(read(&"9".repeat(40), Dong), Err(NumberError::TooBig));
        assert_eq!(
            read(&format!("{} tỷ", "9".repeat(27)), Dong),
            Err(NumberError::TooBig)
        );
    }

    #[test]
    fn grouped_formatting() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(format_grouped(d("1234567.5"), Lang::Vi), "1.234.567,5");
        assert_eq!(format_grouped(d("1234567.5"), Lang::En), "1,234,567.5");
        assert_eq!(format_grouped(d("999"), Lang::Vi), "999");
        assert_eq!(format_grouped(d("-1000"), Lang::Vi), "-1.000");
        assert_eq!(format_grouped(d("0.25"), Lang::Vi), "0,25");
    }
}
