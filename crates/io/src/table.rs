//! Tables read from CSV files or XLSX sheets, and their errors.
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
        check_headers(&self.name, &self.headers, expected)
    }
}

/// Checks the `headers` of table `name` are exactly `expected`, in order.
fn check_headers(name: &str, headers: &[String], expected: &[&str]) -> Result<(), ImportError> {
    let found: Vec<&str> = headers.iter().map(|h| h.trim()).collect();
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
        name,
        1,
        &column,
        format!(
            "the headers must be exactly '{}' (found '{}')",
            expected.join(","),
            found.join(",")
        ),
    ))
}

/// Where import tables come from.
pub enum Source {
    /// A directory holding `<name>.csv` files.
    Dir(PathBuf),
    /// Named CSV documents held in memory (e.g. an upload).
    Csv(BTreeMap<String, Vec<u8>>),
    /// One CSV file on disk, read as a stream when imported on its own.
    CsvFile(PathBuf),
    /// One XLSX workbook with a sheet per table. Make it with [`Source::xlsx`],
    /// which refuses a workbook too large to read safely.
    Xlsx(Workbook),
}

/// An XLSX workbook held in memory. Each sheet is parsed (and checked for
/// hidden sheets, merged cells and formulas) at most once, however often an
/// import asks about it, and the workbook is hashed at most once.
pub struct Workbook {
    bytes: Vec<u8>,
    sha256: std::sync::OnceLock<String>,
    sheets: std::sync::Mutex<SheetMemo>,
}

type SheetMemo = std::collections::HashMap<String, Result<Option<Arc<Table>>, ImportError>>;

impl Workbook {
    /// The sheet for table `name`, parsed on first use.
    fn sheet(&self, name: &str) -> Result<Option<Arc<Table>>, ImportError> {
        let mut memo = self.sheets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = memo.get(name) {
            return found.clone();
        }
        let read = read_sheet(&self.bytes, name).map(|t| t.map(Arc::new));
        memo.insert(name.to_string(), read.clone());
        read
    }

    fn sha256(&self) -> &str {
        self.sha256
            .get_or_init(|| hex::encode(Sha256::digest(&self.bytes)))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string())
}

fn cannot_read(file: &str, e: std::io::Error) -> ImportError {
    ImportError::file(file, format!("cannot read: {e}"))
}

/// The configuration file's `max_import_mb`, when it sets one.
static CONFIGURED_MAX_IMPORT_MB: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// Sets the import limit a configuration file gives (the environment still
/// wins). Only the first call counts.
pub fn configure_max_import_mb(mb: u64) {
    CONFIGURED_MAX_IMPORT_MB.get_or_init(|| mb);
}

/// The largest file an import reads, in bytes: `GOLDTHREAD_MAX_IMPORT_MB`
/// megabytes, else the configuration file's `max_import_mb`, else 128 (room for
/// a million measurement rows several times over). A larger file is refused
/// before it is read.
pub fn max_import_bytes() -> u64 {
    std::env::var("GOLDTHREAD_MAX_IMPORT_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or_else(|| CONFIGURED_MAX_IMPORT_MB.get().copied())
        .filter(|&mb| mb > 0)
        .unwrap_or(128)
        .saturating_mul(1024 * 1024)
}

/// A size for people: `0.3 MB`, or `17 KB` below a tenth of a megabyte.
fn megabytes(bytes: u64) -> String {
    if bytes < 1024 * 1024 / 10 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Refuses a file of `len` bytes when it is larger than [`max_import_bytes`].
pub fn check_size(file: &str, len: u64) -> Result<(), ImportError> {
    let max = max_import_bytes();
    if len > max {
        return Err(ImportError::file(
            file,
            format!(
                "is {}; the largest file goldthread imports is {} (split the file, or raise GOLDTHREAD_MAX_IMPORT_MB)",
                megabytes(len),
                megabytes(max)
            ),
        ));
    }
    Ok(())
}

/// The most files a workbook may hold (a workbook has a few per sheet).
const MAX_WORKBOOK_ENTRIES: usize = 10_000;

/// Checks an XLSX workbook is a zip archive that unpacks to no more than
/// [`max_import_bytes`] in all, counting the bytes it really unpacks to (a
/// "zip bomb" can declare small sizes and expand without limit), so that reading
/// it can never exhaust memory.
fn check_workbook(bytes: &[u8]) -> Result<(), ImportError> {
    let not_xlsx = |e: &dyn std::fmt::Display| {
        ImportError::file("workbook", format!("is not a readable XLSX workbook: {e}"))
    };
    check_size("workbook", bytes.len() as u64)?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    if zip.len() > MAX_WORKBOOK_ENTRIES {
        return Err(ImportError::file(
            "workbook",
            format!(
                "holds {} files; an XLSX workbook holds a few per sheet, so this is not one goldthread reads",
                zip.len()
            ),
        ));
    }
    let max = max_import_bytes();
    let bomb = |how: String| {
        ImportError::file(
            "workbook",
            format!(
                "unpacks to more than {}, the most goldthread reads ({how}; the file itself is {}): it may be a zip bomb; if it is real data, save it as CSV",
                megabytes(max),
                megabytes(bytes.len() as u64)
            ),
        )
    };
    let declared: u64 = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0u64, u64::saturating_add);
    if declared > max {
        return Err(bomb(format!("it says it holds {}", megabytes(declared))));
    }
    let lying = || {
        ImportError::file(
            "workbook",
            format!(
                "unpacks to more than it says it holds ({} in all; the file itself is {}): it may be a zip bomb; if it is real data, save it as CSV",
                megabytes(declared),
                megabytes(bytes.len() as u64)
            ),
        )
    };
    let mut unpacked = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| not_xlsx(&e))?;
        let says = entry.size();
        let mut read = 0u64;
        loop {
            match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    read += n as u64;
                    unpacked += n as u64;
                    if unpacked > max {
                        return Err(bomb(format!("it says it holds {}", megabytes(declared))));
                    }
                }
                // The zip reader itself refuses a part that unpacks beyond what
                // it declares (before handing over the bytes): the lie a zip
                // bomb tells. Its error names the declared size.
                Err(e)
                    if read + buf.len() as u64 > says
                        && e.kind() == std::io::ErrorKind::InvalidData
                        && e.to_string().contains("declared") =>
                {
                    return Err(lying());
                }
                Err(e) => return Err(not_xlsx(&e)),
            }
        }
    }
    Ok(())
}

/// A CSV file on disk as a stream of rows, shown as `file` in errors.
fn open_csv(file: String, path: &Path) -> Result<RowStream<'static>, ImportError> {
    let f = std::fs::File::open(path).map_err(|e| cannot_read(&file, e))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    check_size(&file, total)?;
    RowStream::csv(
        &file,
        Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
        total,
    )
}

impl Source {
    /// An XLSX workbook (e.g. an upload), checked first: no larger than the
    /// import limit, packed or unpacked, so a zip bomb is refused unread.
    pub fn xlsx(bytes: Vec<u8>) -> Result<Source, ImportError> {
        check_workbook(&bytes)?;
        Ok(Source::Xlsx(Workbook {
            bytes,
            sha256: Default::default(),
            sheets: Default::default(),
        }))
    }

    /// CSV documents held in memory (e.g. uploads), each no larger than the
    /// import limit.
    pub fn csv(files: BTreeMap<String, Vec<u8>>) -> Result<Source, ImportError> {
        for (name, bytes) in &files {
            check_size(name, bytes.len() as u64)?;
        }
        Ok(Source::Csv(files))
    }

    /// A directory of CSV files, an `.xlsx` workbook or one CSV file, by path.
    pub fn from_path(path: &Path) -> Result<Source, ImportError> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        check_size(
            &shown,
            std::fs::metadata(path)
                .map_err(|e| cannot_read(&shown, e))?
                .len(),
        )?;
        let mut magic = [0u8; 4];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut magic))
            .map_err(|e| cannot_read(&shown, e))?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
            || magic[..n] == *b"PK\x03\x04"
        {
            let bytes = std::fs::read(path).map_err(|e| cannot_read(&shown, e))?;
            Source::xlsx(bytes)
        } else {
            Ok(Source::CsvFile(path.to_path_buf()))
        }
    }

    /// For a one-table import: the table called `name`, or the only CSV file given
    /// whatever its name.
    pub fn single(&self, name: &str) -> Result<Option<Table>, ImportError> {
        match self {
            Source::Xlsx(_) => self.table(name),
            _ => self.stream(name)?.map(RowStream::into_table).transpose(),
        }
    }

    /// Like [`Source::single`], as a stream of rows: a CSV file is read as it is
    /// validated, never whole (an XLSX sheet is read whole, as the format requires).
    pub fn stream(&self, name: &str) -> Result<Option<RowStream<'_>>, ImportError> {
        match self {
            Source::Csv(files) => {
                let found = if files.len() == 1 {
                    files.iter().next().map(|(file, b)| (file.clone(), b))
                } else {
                    let file = format!("{name}.csv");
                    files
                        .get(&file)
                        .or_else(|| files.get(name))
                        .map(|b| (file, b))
                };
                found
                    .map(|(file, bytes)| {
                        RowStream::csv(&file, Box::new(bytes.as_slice()), bytes.len() as u64)
                    })
                    .transpose()
            }
            Source::CsvFile(path) => open_csv(file_name(path), path).map(Some),
            Source::Dir(dir) => {
                let path = dir.join(format!("{name}.csv"));
                if !path.exists() {
                    return Ok(None);
                }
                open_csv(format!("{name}.csv"), &path).map(Some)
            }
            Source::Xlsx(wb) => Ok(wb
                .sheet(name)?
                .map(|t| RowStream::sheet(t, wb.sha256().to_string()))),
        }
    }

    /// The table called `name` (without extension), if the source has it.
    pub fn table(&self, name: &str) -> Result<Option<Table>, ImportError> {
        let file = format!("{name}.csv");
        match self {
            Source::Dir(dir) => {
                let path = dir.join(&file);
                if !path.exists() {
                    return Ok(None);
                }
                open_csv(file, &path)?.into_table().map(Some)
            }
            Source::Csv(files) => match files.get(&file).or_else(|| files.get(name)) {
                Some(bytes) => read_csv(&file, bytes).map(Some),
                None => Ok(None),
            },
            Source::CsvFile(path) => {
                let shown = file_name(path);
                if shown != file && shown != name {
                    return Ok(None);
                }
                open_csv(shown, path)?.into_table().map(Some)
            }
            Source::Xlsx(wb) => Ok(wb.sheet(name)?.map(|t| (*t).clone())),
        }
    }

    /// Whether table `name` has the column `column` (for the columns a file may
    /// leave out: an import then keeps what is held for them).
    pub fn has_column(&self, name: &str, column: &str) -> bool {
        matches!(self.stream(name), Ok(Some(rows)) if rows.headers.iter().any(|h| h.trim() == column))
    }

    /// Refuses a one-table import whose table `name` has a header but no data
    /// row: importing nothing is a mistake (a file saved before it was filled,
    /// or cut short), and some imports replace what they name. A table that is
    /// absent or unreadable, or whose headers are not `expected` (or the start
    /// of it, for optional last columns), is left for the import to report in
    /// full.
    pub fn require_rows(&self, name: &str, expected: &[&str]) -> Result<(), ImportError> {
        let Ok(Some(mut rows)) = self.stream(name) else {
            return Ok(());
        };
        let found: Vec<&str> = rows.headers.iter().map(|h| h.trim()).collect();
        if found.is_empty() || !expected.starts_with(&found) {
            return Ok(());
        }
        match rows.next_row() {
            None => Err(ImportError::file(
                &rows.name,
                "has a header but no data rows, so there is nothing to import",
            )),
            Some(_) => Ok(()),
        }
    }

    /// SHA-256 of the bytes behind table `name` (the whole workbook for XLSX).
    pub fn sha256(&self, name: &str) -> Result<String, ImportError> {
        let bytes = match self {
            Source::Csv(files) => {
                let mut h = Sha256::new();
                files.values().for_each(|b| h.update(b));
                return Ok(hex::encode(h.finalize()));
            }
            Source::Xlsx(wb) => return Ok(wb.sha256().to_string()),
            Source::Dir(dir) => {
                let file = format!("{name}.csv");
                std::fs::read(dir.join(&file)).map_err(|e| cannot_read(&file, e))?
            }
            Source::CsvFile(path) => {
                std::fs::read(path).map_err(|e| cannot_read(&file_name(path), e))?
            }
        };
        Ok(hex::encode(Sha256::digest(&bytes)))
    }
}

/// Reads CSV bytes: UTF-8 with or without a BOM; blank lines skipped.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, ImportError> {
    RowStream::csv(file, Box::new(bytes), bytes.len() as u64)?.into_table()
}

/// Counts and hashes the bytes read through it (for progress and the audit row).
struct Tap<'a> {
    inner: Box<dyn Read + Send + 'a>,
    read: u64,
    hash: Sha256,
    /// The last byte read, and whether the input has ended.
    last: u8,
    ended: bool,
    /// Where the bytes read leave the CSV quoting (see [`Quoting`]).
    quoting: Quoting,
}

/// The CSV reader's quoting rules, followed byte by byte, so that the end of
/// the input can tell whether a quoted field was left open: a `"` opens a
/// quoted field only at the start of a field (elsewhere it is a character),
/// `""` inside one is a quote, and a lone `"` closes it.
#[derive(Debug, Clone, Copy, Default)]
struct Quoting {
    /// Past the start of the current field (so a `"` is a character).
    in_field: bool,
    in_quotes: bool,
    /// A `"` seen inside quotes: the end of the field, or the first of `""`.
    quote_pending: bool,
}

impl Quoting {
    fn feed(&mut self, b: u8) {
        if self.in_quotes {
            if self.quote_pending {
                self.quote_pending = false;
                if b == b'"' {
                    return;
                }
                self.in_quotes = false;
            } else {
                if b == b'"' {
                    self.quote_pending = true;
                }
                return;
            }
        }
        match b {
            b',' | b'\n' => self.in_field = false,
            b'"' if !self.in_field => {
                self.in_quotes = true;
                self.in_field = true;
            }
            _ => self.in_field = true,
        }
    }

    /// Whether the input, if it ended here, would leave a quoted field open.
    fn open(&self) -> bool {
        self.in_quotes && !self.quote_pending
    }
}

impl Read for Tap<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.hash.update(&buf[..n]);
        for (i, &b) in buf[..n].iter().enumerate() {
            // A byte-order mark is not part of the first field.
            let at = self.read - n as u64 + i as u64;
            if at < 3 && [0xEF, 0xBB, 0xBF][at as usize] == b {
                continue;
            }
            self.quoting.feed(b);
        }
        match n {
            0 => self.ended = !buf.is_empty(),
            _ => self.last = buf[n - 1],
        }
        Ok(n)
    }
}

enum Rows<'a> {
    Csv {
        reader: Box<csv::Reader<Tap<'a>>>,
        record: csv::ByteRecord,
        /// Line breaks inside quoted fields so far: a spreadsheet keeps such a
        /// record on one row, so they do not count as rows.
        embedded: u64,
    },
    Sheet {
        table: Arc<Table>,
        next: usize,
        sha256: String,
    },
}

/// The data rows of one table, read one at a time: a CSV file is never held in
/// memory whole. Each row carries its spreadsheet row number (header = row 1; an
/// empty line is an empty row and is skipped; a quoted field with line breaks
/// stays on one row).
pub struct RowStream<'a> {
    pub name: String,
    pub headers: Vec<String>,
    rows: Rows<'a>,
    total: u64,
    count: usize,
}

impl<'a> RowStream<'a> {
    /// A stream over CSV bytes from `input` (`total` bytes long, for progress).
    pub fn csv(
        file: &str,
        input: Box<dyn Read + Send + 'a>,
        total: u64,
    ) -> Result<Self, ImportError> {
        let tap = Tap {
            inner: input,
            read: 0,
            hash: Sha256::new(),
            last: 0,
            ended: false,
            quoting: Quoting::default(),
        };
        // Records end at a line feed only (a carriage return before it is taken
        // off the last field below), so that the reader's line count after a
        // record is the same for CRLF and LF files.
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(tap);
        let mut s = RowStream {
            name: file.to_string(),
            headers: Vec::new(),
            rows: Rows::Csv {
                reader: Box::new(reader),
                record: csv::ByteRecord::new(),
                embedded: 0,
            },
            total,
            count: 0,
        };
        match s.next_raw() {
            Some(Ok((_, mut headers))) => {
                if let Some(first) = headers.first_mut()
                    && let Some(rest) = first.strip_prefix('\u{feff}')
                {
                    *first = rest.to_string();
                }
                if headers.iter().any(|h| h.contains('\r')) {
                    return Err(ImportError::file(
                        file,
                        "ends its lines with a carriage return alone (an old Mac format), so it reads as one line; save it as CSV UTF-8",
                    ));
                }
                if headers.iter().all(|h| h.trim().is_empty()) {
                    return Err(match s.next_row() {
                        None => ImportError::file(file, "is empty (a header row is required)"),
                        Some(_) => {
                            ImportError::file(file, "row 1 is blank: the header must be on row 1")
                        }
                    });
                }
                s.headers = headers;
                Ok(s)
            }
            Some(Err(e)) => Err(e),
            None => Err(ImportError::file(
                file,
                "is empty (a header row is required)",
            )),
        }
    }

    fn sheet(table: Arc<Table>, sha256: String) -> Self {
        RowStream {
            name: table.name.clone(),
            headers: table.headers.clone(),
            total: table.rows.len() as u64,
            rows: Rows::Sheet {
                table,
                next: 0,
                sha256,
            },
            count: 0,
        }
    }

    /// The next record, blank or not.
    fn next_raw(&mut self) -> Option<Result<(usize, Vec<String>), ImportError>> {
        match &mut self.rows {
            Rows::Csv {
                reader,
                record,
                embedded,
            } => {
                match reader.read_byte_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {}
                    Err(e) => {
                        let line = e.position().map(|p| p.line()).unwrap_or(0);
                        return Some(Err(ImportError::row(
                            &self.name,
                            (line.saturating_sub(*embedded)) as usize,
                            format!("is not valid CSV: {e}"),
                        )));
                    }
                }
                // The reader now stands just after the record: it began as many
                // lines back as it holds (one more for its own line break, which
                // only the file's last record may lack). Its own start position
                // would count the blank lines before it as part of it.
                let inside: u64 = record
                    .iter()
                    .map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64)
                    .sum();
                let end = reader.position();
                let tap = reader.get_ref();
                let last = tap.ended && end.byte() == tap.read;
                // At the end, a quoted field still open means a quote was
                // opened and never closed (counting quotes is not enough: a
                // stray quote inside an unquoted field is a character).
                if last && tap.quoting.open() {
                    // The reader took every line to the end into the field.
                    let start = end.line().saturating_sub(inside).saturating_sub(*embedded);
                    return Some(Err(ImportError::row(
                        &self.name,
                        start as usize,
                        "a quoted field is never closed (a '\"' is missing), so everything after it was read as one field",
                    )));
                }
                let terminated = !last || tap.last == b'\n';
                let start = end.line().saturating_sub(inside + u64::from(terminated));
                let number = start.saturating_sub(*embedded) as usize;
                *embedded += inside;
                let mut cells = Vec::with_capacity(record.len());
                let fields = record.len();
                for (i, field) in record.iter().enumerate() {
                    let field = match field {
                        [rest @ .., b'\r'] if i + 1 == fields => rest,
                        f => f,
                    };
                    match std::str::from_utf8(field) {
                        Ok(s) => cells.push(crate::spreadsheet::restore(s.to_string())),
                        Err(_) => {
                            return Some(Err(ImportError::file(
                                &self.name,
                                format!(
                                    "is not UTF-8 text (invalid byte on row {number}); save it as CSV UTF-8"
                                ),
                            )));
                        }
                    }
                }
                Some(Ok((number, cells)))
            }
            Rows::Sheet { table, next, .. } => {
                let row = table.rows.get(*next)?.clone();
                *next += 1;
                Some(Ok(row))
            }
        }
    }

    /// The next non-blank data row with its spreadsheet row number.
    pub fn next_row(&mut self) -> Option<Result<(usize, Vec<String>), ImportError>> {
        loop {
            match self.next_raw()? {
                Ok((_, cells)) if cells.iter().all(|c| c.trim().is_empty()) => continue,
                other => {
                    self.count += 1;
                    return Some(other);
                }
            }
        }
    }

    /// How far through the input the stream is, and its size: bytes for a CSV
    /// file, rows for a sheet.
    pub fn progress(&self) -> (u64, u64) {
        match &self.rows {
            Rows::Csv { reader, .. } => (reader.get_ref().read, self.total),
            Rows::Sheet { .. } => (self.count as u64, self.total),
        }
    }

    /// SHA-256 of the bytes read (of the whole file once every row has been read).
    pub fn sha256(&self) -> String {
        match &self.rows {
            Rows::Csv { reader, .. } => hex::encode(reader.get_ref().hash.clone().finalize()),
            Rows::Sheet { sha256, .. } => sha256.clone(),
        }
    }

    /// Checks the headers are exactly `expected`, in order.
    pub fn expect_headers(&self, expected: &[&str]) -> Result<(), ImportError> {
        check_headers(&self.name, &self.headers, expected)
    }

    /// Every remaining row, as a table.
    pub fn into_table(mut self) -> Result<Table, ImportError> {
        let mut rows = Vec::new();
        while let Some(row) = self.next_row() {
            rows.push(row?);
        }
        Ok(Table {
            name: self.name,
            headers: self.headers,
            rows,
        })
    }
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

/// A spreadsheet column's letters: 0 is `A`, 26 is `AA`.
fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(b'A' + r);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
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
    if let Some(meta) = wb.sheets_metadata().iter().find(|m| m.name == sheet)
        && meta.visible != calamine::SheetVisible::Visible
    {
        return Err(ImportError::file(
            name,
            format!(
                "the sheet '{sheet}' is hidden; goldthread imports only what can be seen, so unhide it (or delete it) and import again"
            ),
        ));
    }
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| ImportError::file(name, format!("cannot read sheet: {e}")))?;
    // A problem cell is named by its column's header where it has one.
    let column_name = |col: u32| {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        match (r0, col.checked_sub(c0)) {
            (0, Some(c)) => range
                .get((0, c as usize))
                .map(cell_text)
                .filter(|h| !h.trim().is_empty())
                .map(|h| h.trim().to_string())
                .unwrap_or_else(|| column_letters(col)),
            _ => column_letters(col),
        }
    };
    {
        let merged = wb
            .merge_cells_by_sheet_name(&sheet)
            .map_err(|e| ImportError::file(name, format!("cannot read sheet: {e}")))?;
        if let Some(first) = merged.iter().min_by_key(|d| d.start) {
            let (row, col) = first.start;
            let (end_row, end_col) = first.end;
            return Err(ImportError::at(
                name,
                row as usize + 1,
                &column_name(col),
                format!(
                    "cells {}{}:{}{} are merged; a merged cell keeps its value in one cell only, so unmerge every cell ({} merged area(s)) and import again",
                    column_letters(col),
                    row + 1,
                    column_letters(end_col),
                    end_row + 1,
                    merged.len()
                ),
            ));
        }
    }
    // Values only: a formula's result is whatever the spreadsheet last worked
    // out (or nothing, if it never did), and a formula is how a workbook
    // smuggles a link or command to whoever opens an export of it.
    let formulas = wb
        .worksheet_formula(&sheet)
        .map_err(|e| ImportError::file(name, format!("cannot read sheet: {e}")))?;
    if let Some((row, col, formula)) = formulas.used_cells().find(|(_, _, f)| !f.trim().is_empty())
    {
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        let (row, col) = (r0 + row as u32, c0 + col as u32);
        let shown: String = formula.chars().take(60).collect();
        return Err(ImportError::at(
            name,
            row as usize + 1,
            &column_name(col),
            format!(
                "cell {}{} holds the formula ={shown}; goldthread imports values, not formulas (copy the sheet and paste it as values)",
                column_letters(col),
                row + 1
            ),
        ));
    }
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

    fn csv_error(input: &str) -> String {
        match read_csv("t.csv", input.as_bytes()) {
            Ok(t) => panic!("{input:?} was read: {:?}", t.rows),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn malformed_csv_is_refused_where_it_goes_wrong() {
        assert_eq!(
            csv_error("a,b\n1,2\n3,\"four\n5,6\n"),
            "t.csv:3: a quoted field is never closed (a '\"' is missing), so everything after it was read as one field"
        );
        // A stray quote in an unquoted field makes the count even; the
        // unclosed one is still found, on its own row (found by fuzzing).
        assert_eq!(
            csv_error("a,b\n1,x\"y\n3,\"four\n5,6\n7,8\n"),
            "t.csv:3: a quoted field is never closed (a '\"' is missing), so everything after it was read as one field"
        );
        // Found by fuzzing too: the field opened just before the last line break.
        assert_eq!(
            csv_error("a,b\n1,x\"y,\"\n"),
            "t.csv:2: a quoted field is never closed (a '\"' is missing), so everything after it was read as one field"
        );
        assert!(csv_error("a,b\r1,2\r3,4\r").contains("carriage return alone"));
        assert_eq!(
            csv_error("\n \r\n\n"),
            "t.csv: is empty (a header row is required)"
        );
        assert_eq!(
            csv_error(" \na,b\n1,2\n"),
            "t.csv: row 1 is blank: the header must be on row 1"
        );
        // A quoted field across lines that is closed is fine, and so are quotes
        // doubled inside one.
        let t = read_csv("t.csv", b"a,b\n\"x\ny\",\"say \"\"hi\"\"\"\n").unwrap();
        assert_eq!(t.rows, vec![(2, vec!["x\ny".into(), "say \"hi\"".into()])]);
    }

    #[test]
    fn neutralised_cells_read_back_as_written_before() {
        let t = read_csv("t.csv", b"a,b\n'=1+1,'-x\n'plain,-3\n").unwrap();
        assert_eq!(t.rows[0].1, vec!["=1+1", "-x"]);
        assert_eq!(t.rows[1].1, vec!["'plain", "-3"]);
    }

    #[test]
    fn csv_rows_carry_spreadsheet_numbers() {
        for (input, expected) in [
            ("\u{feff}a,b\n1,2\n\n\"3\n4\",5\n6,7\n", vec![2, 4, 5]),
            ("a,b\n1,2\n\n\"3\n4\",5\n6,7", vec![2, 4, 5]),
            (
                "a,b\r\n\r\n\r\n1,2\r\n\"x\r\ny\r\nz\",3\r\n\n4,5\r\n",
                vec![4, 5, 7],
            ),
            ("a,b\n\"\n\n\",1\n\n\n2,3", vec![2, 5]),
        ] {
            let t = read_csv("x.csv", input.as_bytes()).unwrap();
            assert_eq!(t.headers, vec!["a", "b"]);
            let numbers: Vec<usize> = t.rows.iter().map(|r| r.0).collect();
            assert_eq!(numbers, expected, "{input:?}");
        }
    }

    /// Row numbers as a spreadsheet shows them, by counting line feeds outside
    /// quotes (the streaming reader must agree).
    fn reference_rows(text: &str) -> Vec<usize> {
        let (mut rows, mut row, mut quoted, mut blank) = (Vec::new(), 1, false, true);
        for c in text.chars() {
            match c {
                '"' => {
                    quoted = !quoted;
                    blank = false;
                }
                '\n' if !quoted => {
                    if !blank {
                        rows.push(row);
                    }
                    row += 1;
                    blank = true;
                }
                '\r' => {}
                _ => blank = false,
            }
        }
        if !blank {
            rows.push(row);
        }
        rows.remove(0); // the header
        rows
    }

    proptest::proptest! {
        #[test]
        fn streamed_row_numbers_match_the_spreadsheet(
            records in proptest::collection::vec(
                (0usize..3, proptest::bool::ANY, "[a-z]{1,3}", proptest::bool::ANY),
                0..25,
            ),
            crlf in proptest::bool::ANY,
            trailing in proptest::bool::ANY,
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("a,b{eol}");
            for (i, (blanks, multiline, word, _)) in records.iter().enumerate() {
                text.push_str(&eol.repeat(*blanks));
                if *multiline {
                    text.push_str(&format!("\"{word}{eol}{word}\",x"));
                } else {
                    text.push_str(&format!("{word},y"));
                }
                if i + 1 < records.len() || trailing {
                    text.push_str(eol);
                }
            }
            let t = read_csv("x.csv", text.as_bytes()).unwrap();
            let numbers: Vec<usize> = t.rows.iter().map(|r| r.0).collect();
            proptest::prop_assert_eq!(numbers, reference_rows(&text), "{:?}", text);
            for (_, cells) in &t.rows {
                proptest::prop_assert!(!cells[1].ends_with('\r'));
            }
        }
    }

    /// A workbook with one visible sheet per (name, rows).
    fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        for (name, rows) in sheets {
            let ws = wb.add_worksheet().set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_workbook_sheet_is_parsed_once_however_often_it_is_asked_for() {
        let bytes = workbook(&[
            (
                "people",
                &[&["email", "name"], &["a@x.org", "A"], &["b@x.org", "B"]],
            ),
            ("empty", &[&["email", "name"]]),
        ]);
        let src = Source::xlsx(bytes.clone()).unwrap();
        let Source::Xlsx(wb) = &src else {
            unreachable!()
        };
        let first = wb.sheet("people").unwrap().unwrap();
        assert!(src.has_column("people", "name"));
        assert!(!src.has_column("people", "role"));
        src.require_rows("people", &["email", "name"]).unwrap();
        let again = wb.sheet("people").unwrap().unwrap();
        assert!(Arc::ptr_eq(&first, &again), "parsed once, then kept");
        // Every way of reading it gives the same rows, row numbers and hash.
        let streamed = src.stream("people").unwrap().unwrap();
        assert_eq!(streamed.sha256(), hex::encode(Sha256::digest(&bytes)));
        assert_eq!(src.sha256("people").unwrap(), streamed.sha256());
        let rows = streamed.into_table().unwrap().rows;
        assert_eq!(rows, src.table("people").unwrap().unwrap().rows);
        assert_eq!(
            rows,
            vec![
                (2, vec!["a@x.org".to_string(), "A".to_string()]),
                (3, vec!["b@x.org".to_string(), "B".to_string()]),
            ]
        );
        // A refusal is remembered too, and said the same way each time.
        let e = src.require_rows("empty", &["email", "name"]).unwrap_err();
        assert_eq!(
            src.require_rows("empty", &["email", "name"]).unwrap_err(),
            e
        );
        assert!(src.table("missing").unwrap().is_none());
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
