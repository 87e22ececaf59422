//! CSV written for people to open in a spreadsheet, made safe against formula
//! ("CSV") injection, following the OWASP guidance: a cell that begins with `=`,
//! `+`, `-`, `@`, a tab or a carriage return is prefixed with an apostrophe, so
//! Excel, LibreOffice and Google Sheets show it as text instead of running it.
//! Plain numbers (`-12.5`, `+3`) are left alone: they cannot run anything and a
//! negative amount must stay a number.
//!
//! goldthread's importers read such a cell back as it was ([`restore`]), so a
//! staff export still round-trips through its import exactly. Open-data feeds are
//! *not* written this way: they keep every value exact and their data package says
//! so.
use crate::framework::ExportError;
use std::borrow::Cow;

/// The characters that make a spreadsheet treat a cell as a formula (or that
/// some spreadsheets strip before doing so).
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `cell` is a plain decimal number, optionally signed, with an optional
/// exponent: such a cell is data in every spreadsheet.
fn plain_number(cell: &str) -> bool {
    let body = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty())
        && digits(whole)
        && digits(fraction)
        && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

/// `cell` as it should be written for a spreadsheet: with an apostrophe before it
/// when it would otherwise be read as a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(TRIGGERS) && !plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell read from CSV with the apostrophe [`neutralise`] added taken off again:
/// `'=SUM(A1)` is read as `=SUM(A1)`. Any other cell is unchanged.
pub fn restore(cell: String) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) => rest.to_string(),
        _ => cell,
    }
}

/// One table as CSV for a spreadsheet: every cell neutralised.
pub fn csv_bytes(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, ExportError> {
    crate::framework::csv_bytes_with(headers, rows, neutralise)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_and_their_disguises_are_neutralised() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            (
                "@SUM(1+1)*cmd|' /C calc'!A0",
                "'@SUM(1+1)*cmd|' /C calc'!A0",
            ),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("+44 1259 450000", "'+44 1259 450000"),
            ("-", "'-"),
            ("-.", "'-."),
            ("-e5", "'-e5"),
            ("1e", "1e"),
        ] {
            assert_eq!(neutralise(cell), written, "{cell:?}");
        }
    }

    #[test]
    fn numbers_and_ordinary_text_are_left_alone() {
        for cell in [
            "",
            "-12.5",
            "+3",
            "-0.25",
            "-.5",
            "-5.",
            "1.5e-3",
            "-2E+10",
            "12",
            "Clackmannanshire",
            "a=b",
            "'quoted'",
            "£1,200",
        ] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn the_export_is_valid_csv_with_neutralised_cells() {
        let bytes = csv_bytes(
            &["code", "note"],
            &[
                vec!["A1".into(), "=1+1".into()],
                vec!["-3".into(), "-x".into()],
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "code,note\nA1,'=1+1\n-3,'-x\n"
        );
    }

    proptest! {
        /// Whatever the cell, what is written never starts a formula, and reading
        /// it back gives the cell exactly (unless the cell itself began with an
        /// apostrophe before a trigger, which reads as the neutralised form does).
        #[test]
        fn neutralised_cells_never_start_a_formula_and_read_back_exactly(
            cell in "[=+@\\-\t\r'a-z0-9. ]{0,12}"
        ) {
            let written = neutralise(&cell).into_owned();
            prop_assert!(!written.starts_with(TRIGGERS) || plain_number(&written));
            let ambiguous = cell.starts_with('\'') && cell[1..].starts_with(TRIGGERS);
            if !ambiguous {
                prop_assert_eq!(restore(written), cell);
            }
        }
    }
}
