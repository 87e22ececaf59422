//! Money is integer pence. These functions turn user-facing pound amounts into
//! pence and back, exactly (no floating point).

use crate::ParseError;

/// Parses an amount in pounds with at most two decimal places (`1234`, `1234.5`,
/// `1234.56`, `-12.30`) into pence. A leading `£` and thousands separators are
/// accepted on input; anything else is refused.
pub fn parse_pounds(s: &str) -> Result<i64, ParseError> {
    let original = s.trim();
    let bad = || ParseError(format!("'{original}' is not an amount in pounds"));
    let mut t = original;
    let negative = if let Some(rest) = t.strip_prefix('-') {
        t = rest;
        true
    } else {
        false
    };
    t = t.strip_prefix('£').unwrap_or(t);
    let t: String = t.chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return Err(bad());
    }
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t.as_str(), ""),
    };
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) || (t.contains('.') && frac.is_empty()) {
        return Err(bad());
    }
    if frac.len() > 2 {
        return Err(ParseError(format!(
            "'{original}' has more than 2 decimal places (money is kept to the penny)"
        )));
    }
    let pounds: i64 = whole
        .parse()
        .map_err(|_| ParseError(format!("'{original}' is too large")))?;
    let pence_part: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    let total = pounds
        .checked_mul(100)
        .and_then(|p| p.checked_add(pence_part))
        .ok_or_else(|| ParseError(format!("'{original}' is too large")))?;
    Ok(if negative { -total } else { total })
}

/// Formats pence as plain pounds for files: `123456` → `1234.56`, `100` → `1`.
/// Whole pounds are written without decimals so that exports stay tidy and
/// re-import to the same value.
pub fn format_pounds_plain(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    if abs.is_multiple_of(100) {
        format!("{sign}{}", abs / 100)
    } else {
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// Formats pence for people: `£1,234,567` or `£1,234.50`, negatives as `−£12.00`.
pub fn format_pounds_display(pence: i64) -> String {
    let sign = if pence < 0 { "−" } else { "" };
    let abs = pence.unsigned_abs();
    let pounds = abs / 100;
    let digits = pounds.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if abs.is_multiple_of(100) {
        format!("{sign}£{grouped}")
    } else {
        format!("{sign}£{grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_pounds_exactly() {
        let cases = [
            ("0", 0),
            ("1", 100),
            ("1.5", 150),
            ("1.05", 105),
            ("1234567.89", 123_456_789),
            ("£1,250", 125_000),
            ("-12.30", -1230),
            (" 7 ", 700),
        ];
        for (input, pence) in cases {
            assert_eq!(parse_pounds(input).unwrap(), pence, "{input}");
        }
    }

    #[test]
    fn refuses_what_is_not_money() {
        for bad in [
            "",
            "abc",
            "1.234",
            "1.",
            ".5",
            "1e3",
            "12,3x",
            "--1",
            "99999999999999999999",
        ] {
            assert!(parse_pounds(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            parse_pounds("1.234").unwrap_err().0,
            "'1.234' has more than 2 decimal places (money is kept to the penny)"
        );
    }

    #[test]
    fn displays() {
        assert_eq!(format_pounds_display(123_456_789), "£1,234,567.89");
        assert_eq!(format_pounds_display(100_000_000), "£1,000,000");
        assert_eq!(format_pounds_display(-1200), "−£12");
        assert_eq!(format_pounds_plain(-5), "-0.05");
    }

    proptest! {
        #[test]
        fn plain_format_round_trips(p in -10_000_000_000i64..10_000_000_000i64) {
            prop_assert_eq!(parse_pounds(&format_pounds_plain(p)).unwrap(), p);
        }
    }
}
