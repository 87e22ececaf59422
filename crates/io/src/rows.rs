//! Reading rows of a table by column name, with every problem reported as
//! `file:row:column: message`. Shared by every importer.
use crate::table::{ImportError, Source, Table};
use goldthread_domain::money::parse_pounds;
use goldthread_domain::{Code, Email, OutcomeKind};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// Reads one row's cells by column name, collecting errors.
pub(crate) struct Row<'a> {
    pub(crate) file: &'a str,
    pub(crate) number: usize,
    headers: &'a [&'a str],
    cells: &'a [String],
    errors: &'a mut Vec<ImportError>,
}

impl Row<'_> {
    pub(crate) fn raw(&self, col: &str) -> &str {
        self.headers
            .iter()
            .position(|h| *h == col)
            .and_then(|i| self.cells.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    pub(crate) fn error(&mut self, col: &str, msg: impl Into<String>) {
        self.errors
            .push(ImportError::at(self.file, self.number, col, msg));
    }

    pub(crate) fn required(&mut self, col: &str) -> Option<String> {
        let v = self.raw(col).to_string();
        if v.is_empty() {
            self.error(col, "is required");
            None
        } else {
            Some(v)
        }
    }

    pub(crate) fn optional(&self, col: &str) -> String {
        self.raw(col).to_string()
    }

    pub(crate) fn parsed<T: FromStr>(&mut self, col: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let v = self.required(col)?;
        match v.parse::<T>() {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(col, e.to_string());
                None
            }
        }
    }

    pub(crate) fn code(&mut self, col: &str) -> Option<Code> {
        let v = self.required(col)?;
        Code::parse(&v).map_err(|e| self.error(col, e.0)).ok()
    }

    pub(crate) fn email(&mut self, col: &str, required: bool) -> Option<Option<Email>> {
        let v = self.raw(col).to_string();
        if v.is_empty() {
            if required {
                self.error(col, "is required");
                return None;
            }
            return Some(None);
        }
        Email::parse(&v)
            .map(Some)
            .map_err(|e| self.error(col, e.0))
            .ok()
    }

    pub(crate) fn codes(&mut self, col: &str) -> Option<Vec<Code>> {
        let v = self.raw(col).to_string();
        let mut out = Vec::new();
        let mut ok = true;
        for part in v.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match Code::parse(part) {
                Ok(c) if out.contains(&c) => {
                    self.error(col, format!("'{c}' is listed twice"));
                    ok = false;
                }
                Ok(c) => out.push(c),
                Err(e) => {
                    self.error(col, e.0);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Reports `email` if it is not one of `people`.
    pub(crate) fn known_person(
        &mut self,
        col: &str,
        email: Option<&Email>,
        people: &BTreeSet<Email>,
    ) {
        if let Some(e) = email
            && !people.contains(e)
        {
            self.error(
                col,
                format!("unknown person '{e}' (add them to people.csv)"),
            );
        }
    }

    /// Reports every code in `codes` that is not a known outcome.
    pub(crate) fn known_outcomes(
        &mut self,
        col: &str,
        codes: &Option<Vec<Code>>,
        kinds: &BTreeMap<Code, OutcomeKind>,
    ) {
        for o in codes.iter().flatten() {
            if !kinds.contains_key(o) {
                self.error(col, format!("unknown outcome code '{o}'"));
            }
        }
    }

    /// Remembers `key` as seen on this row; if an earlier row had it, reports this
    /// row as a duplicate of that one and returns true.
    pub(crate) fn duplicate<K: Ord>(
        &mut self,
        seen: &mut BTreeMap<K, usize>,
        col: &str,
        key: K,
        shown: &str,
    ) -> bool {
        match seen.get(&key) {
            Some(first) => {
                let msg = format!("{shown} is a duplicate of row {first}");
                self.error(col, msg);
                true
            }
            None => {
                seen.insert(key, self.number);
                false
            }
        }
    }

    pub(crate) fn money(&mut self, col: &str) -> Option<i64> {
        let v = self.required(col)?;
        match parse_pounds(&v) {
            Ok(p) if p < 0 => {
                self.error(
                    col,
                    format!("'{v}' is negative; amounts must be zero or more"),
                );
                None
            }
            Ok(p) => Some(p),
            Err(e) => {
                self.error(col, e.0);
                None
            }
        }
    }
}

/// The one table of a single-table import: `name.csv`, the only CSV given, or the
/// sheet `name`; its absence is an error.
pub(crate) fn required_table(source: &Source, name: &str) -> Result<Table, Vec<ImportError>> {
    match source.single(name) {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(vec![missing_table(name)]),
        Err(e) => Err(vec![e]),
    }
}

/// The error for a single-table import without its table.
pub(crate) fn missing_table(name: &str) -> ImportError {
    ImportError::file(name, format!("found no {name}.csv (or sheet '{name}')"))
}

/// `out` when there were no errors, else every error.
pub(crate) fn done<T>(errors: Vec<ImportError>, out: T) -> Result<T, Vec<ImportError>> {
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Runs `f` over every row of `table` (if present), after checking its headers.
pub(crate) fn each_row(
    table: &Option<Table>,
    headers: &[&str],
    errors: &mut Vec<ImportError>,
    mut f: impl FnMut(&mut Row<'_>),
) {
    let Some(t) = table else { return };
    if let Err(e) = t.expect_headers(headers) {
        errors.push(e);
        return;
    }
    for (number, cells) in &t.rows {
        one_row(&t.name, headers, *number, cells, errors, &mut f);
    }
}

/// Runs `f` over one row, unless it has more fields than `headers`.
pub(crate) fn one_row(
    file: &str,
    headers: &[&str],
    number: usize,
    cells: &[String],
    errors: &mut Vec<ImportError>,
    f: &mut impl FnMut(&mut Row<'_>),
) {
    if cells.len() > headers.len() && cells[headers.len()..].iter().any(|c| !c.trim().is_empty()) {
        errors.push(ImportError::row(
            file,
            number,
            format!(
                "has {} fields but the header has {}",
                cells.len(),
                headers.len()
            ),
        ));
        return;
    }
    let mut row = Row {
        file,
        number,
        headers,
        cells,
        errors,
    };
    f(&mut row);
}

impl Row<'_> {
    /// A date written `YYYY-MM-DD`; `None` when invalid, `Some(None)` when empty
    /// and not `required`.
    pub(crate) fn date(&mut self, col: &str, required: bool) -> Option<Option<time::Date>> {
        let v = self.raw(col).to_string();
        if v.is_empty() {
            if required {
                self.error(col, "is required");
                return None;
            }
            return Some(None);
        }
        time::Date::parse(&v, &time::format_description::well_known::Iso8601::DATE)
            .map(Some)
            .map_err(|_| self.error(col, format!("'{v}' is not a date (use YYYY-MM-DD)")))
            .ok()
    }

    /// An exact decimal (no exponent, no float rounding); `None` when empty or invalid.
    pub(crate) fn decimal(&mut self, col: &str, required: bool) -> Option<Option<Decimal>> {
        let v = self.raw(col).to_string();
        if v.is_empty() {
            if required {
                self.error(col, "is required");
                return None;
            }
            return Some(None);
        }
        let plain = v.strip_prefix(['-', '+']).unwrap_or(&v);
        let is_plain = !plain.is_empty()
            && plain.chars().all(|c| c.is_ascii_digit() || c == '.')
            && plain.matches('.').count() <= 1
            && plain.chars().any(|c| c.is_ascii_digit());
        match Decimal::from_str(&v).ok().filter(|_| is_plain) {
            Some(d) => Some(Some(d.normalize())),
            None => {
                self.error(
                    col,
                    format!("'{v}' is not a number (write an exact decimal such as 71.25)"),
                );
                None
            }
        }
    }
}
