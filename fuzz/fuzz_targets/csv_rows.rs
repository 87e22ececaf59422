//! The CSV reader under every importer: rows, row numbers, encodings, quoting.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| goldthread_fuzz::csv_rows(data));
