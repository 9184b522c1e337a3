//! Command line of `splitkit-codegen`; see the crate README.
//!
//! ```text
//! cargo run --manifest-path codegen/Cargo.toml                  # regenerate every crate
//! cargo run --manifest-path codegen/Cargo.toml -- --check       # exit 1 if anything differs
//! cargo run --manifest-path codegen/Cargo.toml -- --only NAME   # one crate
//! ```
//!
//! Exit status: 0 success, 1 `--check` found differences, 2 an input or usage error.
//! (`cargo run -p splitkit-codegen` is the same as `--manifest-path codegen/Cargo.toml`.)

#![allow(clippy::print_stdout)] // a command-line tool reports on standard output

use std::path::PathBuf;
use std::process::ExitCode;

use splitkit_codegen::output::Drift;
use splitkit_codegen::run::{Mode, Options, find_root, run};
use splitkit_codegen::source::{CONFIG_FILE, SPEC_FILE};

const USAGE: &str = "usage: splitkit-codegen [--check] [--only CRATE_DIR] [--root REPO_ROOT]";

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let report = run(&options);
    for error in &report.errors {
        eprintln!("error: {error}");
    }
    match options.mode {
        Mode::Write => {
            for change in &report.drift {
                match change {
                    Drift::Missing(path) | Drift::Stale(path) => println!("wrote   {path}"),
                    Drift::Extra(path) => println!("deleted {path}"),
                }
            }
            println!(
                "{} crate(s), {} file(s) changed",
                report.crates.len(),
                report.drift.len()
            );
        }
        Mode::Check => {
            for drift in &report.drift {
                println!("{drift}");
            }
            if !report.drift.is_empty() {
                println!("generated code is out of date; run `cargo run -p splitkit-codegen`");
            }
        }
    }
    if !report.errors.is_empty() {
        ExitCode::from(2)
    } else if !report.drift.is_empty() && options.mode == Mode::Check {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut mode = Mode::Write;
    let mut only = None;
    let mut root = None;
    let mut args = args;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--only" => only = Some(args.next().ok_or("--only needs a crate directory")?),
            "--root" => root = Some(PathBuf::from(args.next().ok_or("--root needs a path")?)),
            "-h" | "--help" => return Err("help requested".to_owned()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let root = match root {
        Some(root) => root,
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| format!("cannot read the current directory: {e}"))?;
            find_root(&cwd).ok_or_else(|| {
                format!(
                    "no workspace with client crates (a Cargo.toml with [workspace] beside \
                     directories holding {SPEC_FILE} and {CONFIG_FILE}) in {} or above; \
                     pass --root",
                    cwd.display()
                )
            })?
        }
    };
    Ok(Options { root, mode, only })
}
