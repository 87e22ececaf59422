//! The `goldthread` binary: a thin command line over the application layer.
#![forbid(unsafe_code)]

mod cli;
mod config;
mod demo;

fn main() -> std::process::ExitCode {
    cli::main()
}
