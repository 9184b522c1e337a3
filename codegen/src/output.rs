//! Writes generated files into `<crate>/src/generated/`, or compares them with what is there.

use std::fmt;
use std::path::Path;

use crate::error::Error;

/// Where generated files live, relative to a client crate's directory.
pub const GENERATED_DIR: &str = "src/generated";

/// One generated file, formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name inside [`GENERATED_DIR`].
    pub name: &'static str,
    /// Its final text.
    pub contents: String,
}

/// How the directory on disk differs from what the generator produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// A file the generator produces is not there.
    Missing(String),
    /// A file is there with other contents (stale, or edited by hand).
    Stale(String),
    /// A file is there that the generator does not produce.
    Extra(String),
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(path) => write!(f, "missing: {path}"),
            Self::Stale(path) => write!(f, "stale:   {path}"),
            Self::Extra(path) => write!(f, "extra:   {path}"),
        }
    }
}

/// Compares `crate_dir/src/generated/` with `files`; `display_dir` names `crate_dir` in
/// reports. Writes nothing.
pub fn check(
    crate_dir: &Path,
    display_dir: &str,
    files: &[GeneratedFile],
) -> Result<Vec<Drift>, Error> {
    let dir = crate_dir.join(GENERATED_DIR);
    let display = |name: &str| format!("{display_dir}/{GENERATED_DIR}/{name}");
    let mut drift = Vec::new();
    for file in files {
        let path = dir.join(file.name);
        match std::fs::read(&path) {
            Ok(existing) if existing == file.contents.as_bytes() => {}
            Ok(_) => drift.push(Drift::Stale(display(file.name))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                drift.push(Drift::Missing(display(file.name)));
            }
            Err(error) => {
                return Err(Error::in_file(
                    display(file.name),
                    format!("cannot be read: {error}"),
                ));
            }
        }
    }
    for name in extra_entries(&dir, files, &display)? {
        drift.push(Drift::Extra(display(&name)));
    }
    Ok(drift)
}

/// Makes `crate_dir/src/generated/` hold exactly `files`: writes those that differ and deletes
/// every other entry. Returns what changed, as [`Drift`] (what was fixed).
pub fn write(
    crate_dir: &Path,
    display_dir: &str,
    files: &[GeneratedFile],
) -> Result<Vec<Drift>, Error> {
    let dir = crate_dir.join(GENERATED_DIR);
    let display = |name: &str| format!("{display_dir}/{GENERATED_DIR}/{name}");
    let changes = check(crate_dir, display_dir, files)?;
    std::fs::create_dir_all(&dir)
        .map_err(|error| Error::in_file(display(""), format!("cannot be created: {error}")))?;
    for file in files {
        let changed = changes.iter().any(|change| {
            matches!(change, Drift::Missing(path) | Drift::Stale(path) if *path == display(file.name))
        });
        if changed {
            std::fs::write(dir.join(file.name), &file.contents).map_err(|error| {
                Error::in_file(display(file.name), format!("cannot be written: {error}"))
            })?;
        }
    }
    for name in extra_entries(&dir, files, &display)? {
        let path = dir.join(&name);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|error| {
            Error::in_file(display(&name), format!("cannot be deleted: {error}"))
        })?;
    }
    Ok(changes)
}

/// Names of entries in `dir` that are not among `files`, sorted.
fn extra_entries(
    dir: &Path,
    files: &[GeneratedFile],
    display: &dyn Fn(&str) -> String,
) -> Result<Vec<String>, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(Error::in_file(
                display(""),
                format!("cannot be listed: {error}"),
            ));
        }
    };
    let mut extra = Vec::new();
    for entry in entries {
        let entry = entry
            .map_err(|error| Error::in_file(display(""), format!("cannot be listed: {error}")))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !files.iter().any(|file| file.name == name) {
            extra.push(name);
        }
    }
    extra.sort();
    Ok(extra)
}
