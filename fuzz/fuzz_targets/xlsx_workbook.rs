//! Any bytes as an uploaded XLSX workbook, read as every import table.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| goldthread_fuzz::xlsx_workbook(data));
