//! Tables read from CSV files or XLSX sheets, and their errors.
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem with the input. Displays as `file:row:column: message`, leaving out
/// the parts that do not apply.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportError {
    pub file: String,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

impl ImportError {
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        ImportError {
            file: file.into(),
            row: None,
            column: None,
            message: message.into(),
        }
    }
    pub fn at(file: &str, row: usize, column: &str, message: impl Into<String>) -> Self {
        ImportError {
            file: file.into(),
            row: Some(row),
            column: Some(column.into()),
            message: message.into(),
        }
    }
    pub fn row(file: &str, row: usize, message: impl Into<String>) -> Self {
        ImportError {
            file: file.into(),
            row: Some(row),
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, ":{r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ":{c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A table: its display name (e.g. `services.csv`), headers and data rows, each data
/// row with its spreadsheet row number.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// Checks the headers are exactly `expected`, in order.
    pub fn expect_headers(&self, expected: &[&str]) -> Result<(), ImportError> {
        let found: Vec<&str> = self.headers.iter().map(|h| h.trim()).collect();
        if found == expected {
            return Ok(());
        }
        let column = expected
            .iter()
            .zip(found.iter().chain(std::iter::repeat(&"")))
            .find(|(e, f)| e != f)
            .map(|(e, _)| e.to_string())
            .unwrap_or_else(|| found.get(expected.len()).unwrap_or(&"").to_string());
        Err(ImportError::at(
            &self.name,
            1,
            &column,
            format!(
                "the headers must be exactly '{}' (found '{}')",
                expected.join(","),
                found.join(",")
            ),
        ))
    }
}

/// Where import tables come from.
pub enum Source {
    /// A directory holding `<name>.csv` files.
    Dir(PathBuf),
    /// Named CSV documents held in memory (e.g. an upload).
    Csv(BTreeMap<String, Vec<u8>>),
    /// One XLSX workbook with a sheet per table.
    Xlsx(Vec<u8>),
}

impl Source {
    /// A directory of CSV files, or an `.xlsx` workbook, by path.
    pub fn from_path(path: &Path) -> Result<Source, ImportError> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| ImportError::file(&shown, format!("cannot read: {e}")))?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
            || bytes.starts_with(b"PK\x03\x04")
        {
            Ok(Source::Xlsx(bytes))
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or(shown);
            Ok(Source::Csv(BTreeMap::from([(name, bytes)])))
        }
    }

    /// For a one-table import: the table called `name`, or the only CSV file given
    /// whatever its name.
    pub fn single(&self, name: &str) -> Result<Option<Table>, ImportError> {
        if let Source::Csv(files) = self
            && files.len() == 1
        {
            let (file, bytes) = files.iter().next().expect("one file");
            return read_csv(file, bytes).map(Some);
        }
        self.table(name)
    }

    /// The table called `name` (without extension), if the source has it.
    pub fn table(&self, name: &str) -> Result<Option<Table>, ImportError> {
        match self {
            Source::Dir(dir) => {
                let path = dir.join(format!("{name}.csv"));
                if !path.exists() {
                    return Ok(None);
                }
                let file = format!("{name}.csv");
                let bytes = std::fs::read(&path)
                    .map_err(|e| ImportError::file(&file, format!("cannot read: {e}")))?;
                read_csv(&file, &bytes).map(Some)
            }
            Source::Csv(files) => {
                let file = format!("{name}.csv");
                match files.get(&file).or_else(|| files.get(name)) {
                    Some(bytes) => read_csv(&file, bytes).map(Some),
                    None => Ok(None),
                }
            }
            Source::Xlsx(bytes) => read_sheet(bytes, name),
        }
    }
}

/// Reads CSV bytes: UTF-8 with or without a BOM; blank lines skipped.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(ImportError::file(
            file,
            format!(
                "is not UTF-8 text (invalid byte at offset {}); save it as CSV UTF-8",
                e.valid_up_to()
            ),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Table {
        name: file.to_string(),
        ..Table::default()
    };
    let numbers = spreadsheet_rows(bytes);
    for (i, record) in reader.records().enumerate() {
        let line = numbers.get(i).copied().unwrap_or(i + 1);
        let record =
            record.map_err(|e| ImportError::row(file, line, format!("is not valid CSV: {e}")))?;
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if i == 0 {
            table.headers = cells;
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        table.rows.push((line, cells));
    }
    if table.headers.is_empty() {
        return Err(ImportError::file(
            file,
            "is empty (a header row is required)",
        ));
    }
    Ok(table)
}

/// The spreadsheet row number of each non-empty CSV record, in order: rows are
/// counted as a spreadsheet shows them (an empty line is an empty row; a quoted
/// field with line breaks stays in one row).
fn spreadsheet_rows(bytes: &[u8]) -> Vec<usize> {
    let mut rows = Vec::new();
    let (mut row, mut quoted, mut empty) = (1, false, true);
    for &b in bytes {
        match b {
            b'"' => {
                quoted = !quoted;
                empty = false;
            }
            b'\n' if !quoted => {
                if !empty {
                    rows.push(row);
                }
                row += 1;
                empty = true;
            }
            b'\r' => {}
            _ => empty = false,
        }
    }
    if !empty {
        rows.push(row);
    }
    rows
}

fn excel_date(serial: f64) -> Option<String> {
    let base = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    let d = base.checked_add(time::Duration::days(serial.floor() as i64))?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    ))
}

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()).unwrap_or_else(|| d.as_f64().to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

fn read_sheet(bytes: &[u8], name: &str) -> Result<Option<Table>, ImportError> {
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        ImportError::file("workbook", format!("is not a readable XLSX workbook: {e}"))
    })?;
    let sheet = wb
        .sheet_names()
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(name) || s.eq_ignore_ascii_case(&format!("{name}.csv")));
    let Some(sheet) = sheet else { return Ok(None) };
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| ImportError::file(name, format!("cannot read sheet: {e}")))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut table = Table {
        name: name.to_string(),
        ..Table::default()
    };
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        let number = first_row as usize + i + 1;
        if table.headers.is_empty() {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if number != 1 {
                return Err(ImportError::file(
                    name,
                    format!("the header must be on row 1 (found it on row {number})"),
                ));
            }
            let mut headers = cells;
            while headers.last().is_some_and(|h| h.trim().is_empty()) {
                headers.pop();
            }
            table.headers = headers;
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        table.rows.push((number, cells));
    }
    if table.headers.is_empty() {
        return Err(ImportError::file(
            name,
            "is empty (a header row is required)",
        ));
    }
    Ok(Some(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_carry_spreadsheet_numbers() {
        let t = read_csv("x.csv", "\u{feff}a,b\n1,2\n\n\"3\n4\",5\n6,7\n".as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["a", "b"]);
        let numbers: Vec<usize> = t.rows.iter().map(|r| r.0).collect();
        assert_eq!(numbers, vec![2, 4, 5]);
    }

    #[test]
    fn headers_must_match() {
        let t = read_csv("x.csv", b"a,c\n").unwrap();
        let e = t.expect_headers(&["a", "b"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.csv:1:b: the headers must be exactly 'a,b' (found 'a,c')"
        );
    }

    #[test]
    fn non_utf8_is_refused_whole() {
        let e = read_csv("x.csv", b"a\n\xff\n").unwrap_err();
        assert!(e.to_string().starts_with("x.csv: is not UTF-8"), "{e}");
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date(45658.0).unwrap(), "2025-01-01");
    }
}
