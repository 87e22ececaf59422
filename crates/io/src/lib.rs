//! Reading and writing goldthread's spreadsheet formats: a directory of CSV files or
//! one XLSX workbook with a sheet per file. Validation is all-or-nothing and every
//! problem is reported as `file:row:column: message`, with the row number a
//! spreadsheet shows (header = row 1, first data row = row 2).
#![forbid(unsafe_code)]

pub mod actions;
pub mod assessment;
pub mod benefits;
pub mod commissioning;
pub mod engagement;
pub mod framework;
pub mod generate;
pub mod org;
pub mod performance;
pub mod programmes;
pub mod review;
pub mod risks;
mod rows;
pub mod spreadsheet;
pub mod table;

pub use table::{ImportError, Source, Table};
