//! The org importers: the first byte picks the table, the rest is its CSV.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| goldthread_fuzz::csv_family("org", data));
