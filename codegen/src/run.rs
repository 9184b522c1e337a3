//! Runs the generator over the client crates of a repository.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output::{self, Drift};
use crate::source::{CONFIG_FILE, SPEC_FILE};

/// Whether to write the files or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write `src/generated/` of every crate.
    Write,
    /// Write nothing; report every file that differs.
    Check,
}

/// What one run should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The repository root: client crates are its direct children.
    pub root: PathBuf,
    /// Write or check.
    pub mode: Mode,
    /// Only this crate directory (a name under `root`).
    pub only: Option<String>,
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// The crates processed, by directory name.
    pub crates: Vec<String>,
    /// Files that differed: fixed in [`Mode::Write`], reported in [`Mode::Check`].
    pub drift: Vec<Drift>,
    /// Problems; a crate with an error is skipped, the others still run.
    pub errors: Vec<Error>,
}

/// The client crates under `root`: direct children holding both `openapi.yaml` and
/// `codegen.toml`, sorted by name.
pub fn client_crates(root: &Path) -> Result<Vec<String>, Error> {
    let entries = std::fs::read_dir(root).map_err(|error| {
        Error::in_file(
            root.display().to_string(),
            format!("cannot be listed: {error}"),
        )
    })?;
    let mut crates = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| {
            Error::in_file(
                root.display().to_string(),
                format!("cannot be listed: {error}"),
            )
        })?;
        let path = entry.path();
        if path.join(SPEC_FILE).is_file() && path.join(CONFIG_FILE).is_file() {
            crates.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    crates.sort();
    Ok(crates)
}

/// The repository the generator works on when no `--root` is given: the nearest of `start` and
/// its ancestors that is a Cargo workspace root (a `Cargo.toml` with a `[workspace]` table) and
/// has client crates ([`client_crates`]). Found at run time, so a generator binary built in one
/// checkout works on the checkout it is run in.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        let is_workspace = manifest.lines().any(|line| line.trim() == "[workspace]");
        let has_clients = client_crates(dir).is_ok_and(|crates| !crates.is_empty());
        (is_workspace && has_clients).then(|| dir.to_path_buf())
    })
}

/// Generates (or checks) every client crate selected by `options`.
pub fn run(options: &Options) -> Report {
    let mut report = Report::default();
    let crates = match &options.only {
        Some(only) => {
            let name = only
                .trim_start_matches("./")
                .trim_end_matches('/')
                .to_owned();
            let dir = options.root.join(&name);
            if !dir.join(SPEC_FILE).is_file() || !dir.join(CONFIG_FILE).is_file() {
                report.errors.push(Error::in_file(
                    name,
                    format!("not a client crate: it needs both {SPEC_FILE} and {CONFIG_FILE}"),
                ));
                return report;
            }
            vec![name]
        }
        None => match client_crates(&options.root) {
            Ok(crates) => crates,
            Err(error) => {
                report.errors.push(error);
                return report;
            }
        },
    };
    for name in crates {
        let dir = options.root.join(&name);
        let result = crate::generate(&dir, &name).and_then(|files| match options.mode {
            Mode::Write => output::write(&dir, &name, &files),
            Mode::Check => output::check(&dir, &name, &files),
        });
        match result {
            Ok(drift) => report.drift.extend(drift),
            Err(error) => report.errors.push(error),
        }
        report.crates.push(name);
    }
    report
}
