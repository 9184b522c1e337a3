//! `--check` and the write mode on a temporary repository tree, through the library and
//! through the binary.

mod support;

use std::process::Command;

use splitkit_codegen::output::{Drift, GENERATED_DIR};
use splitkit_codegen::run::{Mode, Options, run};

fn options(root: &std::path::Path, mode: Mode) -> Options {
    Options {
        root: root.to_path_buf(),
        mode,
        only: None,
    }
}

#[test]
fn check_reports_missing_stale_and_extra_files() {
    let root = support::temp_root_with_fixture("demo-client");
    // A directory with only one of the two inputs is not a client crate.
    std::fs::create_dir_all(root.path().join("half")).expect("dir");
    std::fs::write(root.path().join("half/openapi.yaml"), "not: [valid").expect("write");
    let generated = root.path().join("demo-client").join(GENERATED_DIR);
    let display = |name: &str| format!("demo-client/{GENERATED_DIR}/{name}");

    let report = run(&options(root.path(), Mode::Check));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.crates, ["demo-client"]);
    assert_eq!(
        report.drift,
        [
            Drift::Missing(display("mod.rs")),
            Drift::Missing(display("models.rs")),
            Drift::Missing(display("operations.rs")),
        ]
    );
    assert!(!generated.exists(), "--check must not write");

    assert_eq!(run(&options(root.path(), Mode::Write)).drift.len(), 3);
    assert_eq!(run(&options(root.path(), Mode::Check)).drift, []);

    // A hand edit, an extra file and a deleted file.
    let models = generated.join("models.rs");
    let mut text = std::fs::read_to_string(&models).expect("read");
    text.push_str("// a hand edit\n");
    std::fs::write(&models, text).expect("write");
    std::fs::write(generated.join("old.rs"), "// left over\n").expect("write");
    std::fs::remove_file(generated.join("operations.rs")).expect("remove");
    assert_eq!(
        run(&options(root.path(), Mode::Check)).drift,
        [
            Drift::Stale(display("models.rs")),
            Drift::Missing(display("operations.rs")),
            Drift::Extra(display("old.rs")),
        ]
    );

    // Writing repairs all three, and deletes the extra file.
    assert_eq!(run(&options(root.path(), Mode::Write)).drift.len(), 3);
    assert!(!generated.join("old.rs").exists());
    assert_eq!(run(&options(root.path(), Mode::Check)).drift, []);
}

#[test]
fn only_selects_one_crate_and_refuses_others() {
    let root = support::temp_root_with_fixture("demo-client");
    let mut only = options(root.path(), Mode::Check);
    only.only = Some("demo-client".into());
    assert_eq!(run(&only).crates, ["demo-client"]);
    only.only = Some("nowhere".into());
    let report = run(&only);
    assert_eq!(
        report.errors[0].to_string(),
        "nowhere: not a client crate: it needs both openapi.yaml and codegen.toml"
    );
}

#[test]
fn binary_exit_codes_follow_the_readme() {
    let binary = env!("CARGO_BIN_EXE_splitkit-codegen");
    let root = support::temp_root_with_fixture("demo-client");
    let root_arg = root.path().to_str().expect("utf-8 temp path");

    let check = Command::new(binary)
        .args(["--root", root_arg, "--check"])
        .output()
        .expect("runs");
    assert_eq!(check.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.contains(&format!("missing: demo-client/{GENERATED_DIR}/models.rs")),
        "{stdout}"
    );

    let write = Command::new(binary)
        .args(["--root", root_arg])
        .output()
        .expect("runs");
    assert_eq!(write.status.code(), Some(0), "{write:?}");
    let check = Command::new(binary)
        .args(["--root", root_arg, "--check"])
        .output()
        .expect("runs");
    assert_eq!(check.status.code(), Some(0), "{check:?}");

    // An error in a document: exit 2, the place named, no panic.
    let spec = root.path().join("demo-client/openapi.yaml");
    let text = std::fs::read_to_string(&spec).expect("read");
    std::fs::write(
        &spec,
        text.replace(
            "format: int32\n  schemas:",
            "format: int32\n  schemas:\n    Bad:\n      not: {type: string}",
        ),
    )
    .expect("write");
    let failed = Command::new(binary)
        .args(["--root", root_arg, "--check"])
        .output()
        .expect("runs");
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("demo-client/openapi.yaml: #/components/schemas/Bad: not not supported"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let usage = Command::new(binary).arg("--bogus").output().expect("runs");
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn without_root_the_binary_finds_the_workspace_it_is_run_in() {
    let binary = env!("CARGO_BIN_EXE_splitkit-codegen");
    let root = support::temp_root_with_fixture("demo-client");
    std::fs::write(
        root.path().join("Cargo.toml"),
        "[workspace]\nmembers = [\"demo-client\"]\n",
    )
    .expect("write");
    let nested = root.path().join("demo-client/src");
    std::fs::create_dir_all(&nested).expect("mkdir");

    // Run from a directory below the workspace: the generator walks up to it, whatever
    // checkout the binary was built in.
    let write = Command::new(binary)
        .current_dir(&nested)
        .output()
        .expect("runs");
    assert_eq!(write.status.code(), Some(0), "{write:?}");
    assert!(
        root.path()
            .join(format!("demo-client/{GENERATED_DIR}/models.rs"))
            .is_file()
    );
    assert_eq!(
        splitkit_codegen::run::find_root(&nested).as_deref(),
        Some(root.path())
    );

    // Outside any such workspace: a usage error that says how to name the root.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let lost = Command::new(binary)
        .current_dir(elsewhere.path())
        .arg("--check")
        .output()
        .expect("runs");
    assert_eq!(lost.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&lost.stderr).contains("pass --root"),
        "{lost:?}"
    );
}
