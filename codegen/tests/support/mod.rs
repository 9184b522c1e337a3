//! Helpers shared by the integration tests (a directory module, so not a test crate of its own).

use std::path::{Path, PathBuf};

/// The fixture crate directory: inputs, and the golden output under `src/generated/`.
pub(crate) fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture")
}

/// A temporary repository root holding a copy of the fixture's inputs as crate `name`.
pub(crate) fn temp_root_with_fixture(name: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    let crate_dir = root.path().join(name);
    std::fs::create_dir_all(&crate_dir).expect("crate dir");
    for file in ["openapi.yaml", "codegen.toml"] {
        std::fs::copy(fixture_dir().join(file), crate_dir.join(file)).expect("copy input");
    }
    root
}
