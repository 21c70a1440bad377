//! Exact amounts of money. An [`Amount`] is read from the scalar's own text
//! straight into a `Decimal`: no value ever passes through a float, so
//! `12345678901.2345678` stays exact and ten times `0.1` is exactly `1`.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};
use std::str::FromStr;

use rust_decimal::Decimal;

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

/// The largest number a plan may hold, in the site's unit: 10^15. Every
/// amount and figure beyond it is E005 when the plan is read, so that no
/// sum of a whole province can come near `Decimal`'s 7.9e28 (a site would
/// need some 7.9e13 amounts): overflow is refused at `check`, where the
/// editor sees the file and line, instead of saturating later and wiping
/// the other agencies out of the totals.
pub(crate) const LIMIT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

impl Add for Amount {
    type Output = Amount;
    fn add(self, rhs: Amount) -> Amount {
        // Unreachable for checked sites (see [`LIMIT`]); saturating keeps a
        // program that skipped the check from panicking.
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
                "Viết số không có dấu phân cách hàng nghìn và không có ngoặc kép, dùng dấu chấm cho phần thập phân: {fixed}.",
                "Write the number without thousands separators or quotes, with a dot for decimals: {fixed}."
            ),
            NumberError::DecimalComma(fixed) => tr!(
                lang,
                "Dùng dấu chấm cho phần thập phân: {fixed}.",
                "Use a dot for the decimal part: {fixed}."
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
    fn the_limit_is_ten_to_the_fifteenth() {
        assert_eq!(LIMIT, Decimal::from(1_000_000_000_000_000_i64));
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
    fn grouped_formatting() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(format_grouped(d("1234567.5"), Lang::Vi), "1.234.567,5");
        assert_eq!(format_grouped(d("1234567.5"), Lang::En), "1,234,567.5");
        assert_eq!(format_grouped(d("999"), Lang::Vi), "999");
        assert_eq!(format_grouped(d("-1000"), Lang::Vi), "-1.000");
        assert_eq!(format_grouped(d("0.25"), Lang::Vi), "0,25");
    }
}
