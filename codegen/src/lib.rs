//! `splitkit-codegen`: generates each client crate's `src/generated/` (`mod.rs`, `models.rs`,
//! `operations.rs`) from its `openapi.yaml` and `codegen.toml`.
//!
//! The pipeline, one module per step:
//!
//! 1. [`source`] reads and parses the two files ([`config`] is `codegen.toml`'s shape);
//! 2. [`lower`] checks the document against the supported subset and builds the intermediate
//!    model of [`ir`], naming everything with [`naming`];
//! 3. [`emit`] prints the model as Rust with `quote`/`syn`/`prettyplease`, and [`format`](mod@format) runs
//!    `rustfmt` on the result;
//! 4. [`output`] writes the files or compares them with what is on disk, and [`run`] does all
//!    of it for every client crate of the repository.
//!
//! Every problem in an input is an [`Error`] naming the file and the place in it.

pub mod config;
pub mod emit;
pub mod error;
pub mod format;
pub mod ir;
pub mod lower;
pub mod naming;
pub mod output;
pub mod run;
pub mod source;

use std::path::Path;

pub use error::Error;
pub use output::GeneratedFile;

/// Generates the files of the client crate in `crate_dir`; `display_dir` is how errors name
/// that directory (`zepto-client`).
pub fn generate(crate_dir: &Path, display_dir: &str) -> Result<Vec<GeneratedFile>, Error> {
    let source = source::Source::load(crate_dir, display_dir)?;
    let api = lower::lower(&source)?;
    emit::emit(&api, &source.spec_file)?
        .into_iter()
        .map(|file| {
            let label = format!("{display_dir}/{}/{}", output::GENERATED_DIR, file.name);
            Ok(GeneratedFile {
                name: file.name,
                contents: format::rustfmt(&file.text, crate_dir, &label)?,
            })
        })
        .collect()
}
