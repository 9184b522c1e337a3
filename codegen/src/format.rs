//! Final formatting with `rustfmt`, so that generated files pass `cargo fmt --check`.
//!
//! `prettyplease` output is close to rustfmt's but not identical, and rustfmt also applies the
//! repository's `rustfmt.toml` if there is one. rustfmt reads the text on standard input and is
//! run in the client crate's directory, so it finds the same configuration `cargo fmt` would.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::Error;

/// The rustfmt to run: `$RUSTFMT`, else `rustfmt` from `PATH`.
fn rustfmt_program() -> std::ffi::OsString {
    std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into())
}

/// Formats `text` as Rust 2024 with rustfmt run in `config_dir`; `label` names the file in
/// errors.
pub fn rustfmt(text: &str, config_dir: &Path, label: &str) -> Result<String, Error> {
    let program = rustfmt_program();
    let mut child = Command::new(&program)
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(config_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            Error::in_file(
                label,
                format!(
                    "cannot run {}: {error}; install it with `rustup component add rustfmt` \
                     (or point RUSTFMT at it)",
                    program.to_string_lossy()
                ),
            )
        })?;
    // Write from another thread: rustfmt may fill its output pipe before reading all input.
    let mut stdin = child.stdin.take();
    let input = text.to_owned();
    let writer = std::thread::spawn(move || match stdin.as_mut() {
        Some(stdin) => stdin.write_all(input.as_bytes()),
        None => Ok(()),
    });
    let output = child
        .wait_with_output()
        .map_err(|error| Error::in_file(label, format!("rustfmt failed: {error}")))?;
    let written = writer
        .join()
        .map_err(|_| Error::in_file(label, "rustfmt input writer failed"))?;
    if !output.status.success() {
        return Err(Error::in_file(
            label,
            format!(
                "rustfmt failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    written.map_err(|error| Error::in_file(label, format!("rustfmt input: {error}")))?;
    String::from_utf8(output.stdout)
        .map_err(|_| Error::in_file(label, "rustfmt printed text that is not UTF-8"))
}
