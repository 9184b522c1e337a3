//! The capability tables in the crate documentation and the README are the capability data,
//! rendered: when the data changes, this test fails and prints the new table to paste.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

const START: &str = "<!-- capability-table:start -->";
const END: &str = "<!-- capability-table:end -->";

/// The table between the markers of `text`, with `prefix` (`//! ` in Rust docs) removed from
/// every line.
fn documented(text: &str, prefix: &str) -> Option<String> {
    let mut inside = false;
    let mut table = String::new();
    for line in text.lines() {
        let line = line
            .strip_prefix(prefix.trim_end())
            .map_or(line, |rest| rest.strip_prefix(' ').unwrap_or(rest));
        if line.trim() == START {
            inside = true;
        } else if line.trim() == END {
            return inside.then_some(table);
        } else if inside {
            table.push_str(line);
            table.push('\n');
        }
    }
    None
}

fn check(name: &str, text: &str, prefix: &str) {
    let expected = splitkit::capabilities::table();
    let found =
        documented(text, prefix).unwrap_or_else(|| panic!("{name} has no {START} ... {END} block"));
    if found != expected {
        let pasted: String = expected.lines().map(|l| format!("{prefix}{l}\n")).collect();
        panic!(
            "the capability table in {name} differs from the capability data; replace it with:\n{pasted}"
        );
    }
}

#[test]
fn crate_docs_show_the_capability_data() {
    check("src/lib.rs", include_str!("../src/lib.rs"), "//! ");
}

#[test]
fn readme_shows_the_capability_data() {
    check("README.md", include_str!("../README.md"), "");
}

#[test]
fn the_extraction_sees_a_changed_cell() {
    let table = splitkit::capabilities::table();
    let doc: String = format!("{START}\n{table}{END}\n")
        .lines()
        .map(|l| format!("//! {l}\n"))
        .collect();
    assert_eq!(documented(&doc, "//! ").as_deref(), Some(table.as_str()));
    let changed = doc.replacen("| yes |", "| no |", 1);
    assert_ne!(
        documented(&changed, "//! ").as_deref(),
        Some(table.as_str())
    );
}
