//! Token helpers shared by the emitters: identifiers, doc comments, types and `use` lists.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::Ty;

/// An identifier token. Names reaching here come from [`crate::naming`] or are checked
/// component names, so they are valid; anything else is made valid rather than panicking.
pub(crate) fn ident(name: &str) -> Ident {
    let mut text: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if text.is_empty() || text == "_" || text.starts_with(|c: char| c.is_ascii_digit()) {
        text.insert(0, 'x');
    }
    Ident::new(&text, Span::call_site())
}

/// Outer doc attributes (`/// ...`) for `text`, one per line.
pub(crate) fn docs(text: &str) -> TokenStream {
    doc_lines(text)
        .into_iter()
        .map(|line| quote!(#[doc = #line]))
        .collect()
}

/// Inner doc attributes (`//! ...`) for `text`, one per line.
pub(crate) fn inner_docs(text: &str) -> TokenStream {
    doc_lines(text)
        .into_iter()
        .map(|line| quote!(#![doc = #line]))
        .collect()
}

/// Joins doc paragraphs, skipping empty ones.
pub(crate) fn paragraphs<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Width of doc text after `/// `, so that doc lines stay within 100 columns up to two levels
/// of indentation.
const DOC_WIDTH: usize = 88;

/// The lines of a doc comment, each with the leading space `///` comments have.
///
/// Descriptions are Markdown written for humans (often one long line per paragraph, from YAML
/// folded scalars), so they are made safe and tidy for rustdoc: tabs become spaces, runs of
/// blank lines collapse, code blocks, which rustdoc would compile as Rust doctests, are marked
/// `text` (bare fences) or fenced as `text` (indented blocks), and paragraphs and list items
/// are re-wrapped to [`DOC_WIDTH`] (list continuations indented, never lazy).
fn doc_lines(text: &str) -> Vec<String> {
    let marked: Vec<MarkedLine> = mark_code(text)
        .into_iter()
        .map(|(line, is_code)| {
            if is_code {
                (line, true)
            } else {
                (escape_brackets(&line), false)
            }
        })
        .collect();
    reflow(&marked, DOC_WIDTH)
        .into_iter()
        .map(|line| {
            if line.is_empty() {
                line
            } else {
                format!(" {line}")
            }
        })
        .collect()
}

/// One line of a doc comment, and whether it belongs to a code block (kept verbatim).
type MarkedLine = (String, bool);

/// Normalises blank lines and turns every code block into a fenced, non-Rust block.
fn mark_code(text: &str) -> Vec<MarkedLine> {
    let mut lines: Vec<MarkedLine> = Vec::new();
    let mut in_fence = false;
    let mut in_indented_block = false;
    let mut previous_blank = true;
    // Whether the last non-blank line outside a code block belongs to a list, where indented
    // lines continue the item rather than start a code block.
    let mut in_list = false;
    for raw in text.replace('\t', "    ").lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if in_indented_block {
            if line.is_empty() || indent >= 4 {
                lines.push((line.get(4..).unwrap_or("").to_owned(), true));
                continue;
            }
            trim_trailing_blank(&mut lines);
            lines.push(("```".to_owned(), true));
            lines.push((String::new(), false));
            in_indented_block = false;
        }
        if trimmed.starts_with("```") {
            if !in_fence && trimmed.trim_start_matches('`').trim().is_empty() {
                lines.push((format!("{}```text", &line[..indent]), true));
            } else {
                lines.push((line.to_owned(), true));
            }
            in_fence = !in_fence;
            previous_blank = false;
            continue;
        }
        if in_fence {
            lines.push((line.to_owned(), true));
            continue;
        }
        if line.is_empty() {
            if !previous_blank {
                lines.push((String::new(), false));
            }
            previous_blank = true;
            continue;
        }
        if indent >= 4 && previous_blank && !in_list {
            lines.push(("```text".to_owned(), true));
            lines.push((line[4..].to_owned(), true));
            in_indented_block = true;
            previous_blank = false;
            continue;
        }
        if indent == 0 {
            in_list = list_marker(trimmed).is_some();
        } else if list_marker(trimmed).is_some() {
            in_list = true;
        }
        lines.push((line.to_owned(), false));
        previous_blank = false;
    }
    if in_indented_block {
        trim_trailing_blank(&mut lines);
        lines.push(("```".to_owned(), true));
    }
    if in_fence {
        lines.push(("```".to_owned(), true));
    }
    trim_trailing_blank(&mut lines);
    lines
}

/// Escapes `[text]` that rustdoc would take for an intra-doc link (`[DEPRECATED]`), outside
/// code spans. Markdown links (`[text](url)`, `[text][ref]`) and links to a code span
/// (`` [`Payment`] ``, as the generator writes them) are kept.
fn escape_brackets(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c == '`' {
            in_code = !in_code;
        }
        if c == '[' && !in_code {
            let close = chars[index + 1..]
                .iter()
                .position(|&c| c == ']')
                .map(|at| index + 1 + at);
            if let Some(close) = close {
                let inner: String = chars[index + 1..close].iter().collect();
                let next = chars.get(close + 1).copied();
                let is_link = matches!(next, Some('(' | '[' | ':'));
                let is_code_link = inner.len() > 2
                    && inner.starts_with('`')
                    && inner.ends_with('`')
                    && !inner[1..inner.len() - 1].contains('`');
                if !is_link && !is_code_link {
                    out.push_str("\\[");
                    out.push_str(&inner.replace('[', "\\[").replace(']', "\\]"));
                    out.push_str("\\]");
                    index = close + 1;
                    continue;
                }
            }
        }
        out.push(c);
        index += 1;
    }
    out
}

/// Re-wraps paragraphs and list items to `width`; code, headings, tables and quotes stay.
fn reflow(lines: &[MarkedLine], width: usize) -> Vec<String> {
    let mut out = Vec::new();
    // The paragraph or list item being gathered: its first-line prefix, continuation prefix
    // and words.
    let mut unit: Option<(String, String, Vec<String>)> = None;
    let flush = |unit: &mut Option<(String, String, Vec<String>)>, out: &mut Vec<String>| {
        if let Some((first, rest, words)) = unit.take() {
            out.extend(wrap(&words, &first, &rest, width));
        }
    };
    for (line, is_code) in lines {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let verbatim = *is_code || ["#", "|", ">"].iter().any(|p| trimmed.starts_with(p));
        if line.is_empty() || verbatim {
            flush(&mut unit, &mut out);
            out.push(line.clone());
            continue;
        }
        if let Some(marker) = list_marker(trimmed) {
            flush(&mut unit, &mut out);
            let first = format!("{indent}{marker}");
            let rest = " ".repeat(first.len());
            let words = trimmed[marker.len()..]
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            unit = Some((first, rest, words));
            continue;
        }
        match &mut unit {
            Some((_, _, words)) => words.extend(trimmed.split_whitespace().map(str::to_owned)),
            None => {
                let words = trimmed.split_whitespace().map(str::to_owned).collect();
                unit = Some((indent.to_owned(), indent.to_owned(), words));
            }
        }
    }
    flush(&mut unit, &mut out);
    out
}

/// Greedy word wrap; a word longer than the width gets a line of its own.
fn wrap(words: &[String], first: &str, rest: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = first.to_owned();
    let mut has_word = false;
    for word in words {
        let needed = current.chars().count() + usize::from(has_word) + word.chars().count();
        if has_word && needed > width {
            lines.push(std::mem::replace(&mut current, rest.to_owned()));
            has_word = false;
        }
        if has_word {
            current.push(' ');
        }
        current.push_str(word);
        has_word = true;
    }
    lines.push(current.trim_end().to_owned());
    lines
}

fn trim_trailing_blank(lines: &mut Vec<MarkedLine>) {
    while lines.last().is_some_and(|(line, _)| line.is_empty()) {
        lines.pop();
    }
}

/// The list marker a line starts with, with the space after it (`- `, `* `, `12. `).
fn list_marker(line: &str) -> Option<&str> {
    if ["- ", "* ", "+ "]
        .iter()
        .any(|bullet| line.starts_with(bullet))
    {
        return Some(&line[..2]);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = &line[digits..];
    (digits > 0 && (rest.starts_with(". ") || rest.starts_with(") "))).then(|| &line[..digits + 2])
}

/// The `use` declarations a file needs, collected while its items are emitted.
#[derive(Debug, Default)]
pub(crate) struct Imports {
    by_module: BTreeMap<&'static str, BTreeSet<String>>,
}

impl Imports {
    /// Records that `name` from `module` (`splitkit_common`, `std::collections`) is used.
    pub(crate) fn add(&mut self, module: &'static str, name: &str) {
        self.by_module
            .entry(module)
            .or_default()
            .insert(name.to_owned());
    }

    /// The `use` declarations, one per module.
    pub(crate) fn tokens(&self) -> TokenStream {
        self.by_module
            .iter()
            .map(|(module, names)| {
                let module: Vec<Ident> = module.split("::").map(ident).collect();
                let names = names.iter().map(|name| ident(name));
                quote!(use #(#module)::* :: { #(#names),* };)
            })
            .collect()
    }
}

/// The Rust type of `ty`; `named` writes a component's name (plain, or qualified where it
/// would clash with an import).
pub(crate) fn ty_tokens(
    ty: &Ty,
    imports: &mut Imports,
    named: &dyn Fn(&str) -> TokenStream,
) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::Secret => {
            imports.add("splitkit_common", "SecretString");
            quote!(SecretString)
        }
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::Decimal => {
            imports.add("rust_decimal", "Decimal");
            quote!(Decimal)
        }
        Ty::Timestamp => {
            imports.add("splitkit_common", "Timestamp");
            quote!(Timestamp)
        }
        Ty::Date => {
            imports.add("splitkit_common", "Date");
            quote!(Date)
        }
        Ty::Json => quote!(serde_json::Value),
        Ty::Named(name) => named(name),
        Ty::List(item) => {
            let item = ty_tokens(item, imports, named);
            quote!(Vec<#item>)
        }
        Ty::Map(value) => {
            imports.add("std::collections", "BTreeMap");
            let value = ty_tokens(value, imports, named);
            quote!(BTreeMap<String, #value>)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        doc_lines(text)
    }

    #[test]
    fn doc_lines_get_a_leading_space_and_lose_extra_blank_lines() {
        assert_eq!(lines("One.\n\n\n\nTwo.\n"), [" One.", "", " Two."]);
        assert_eq!(lines("\n  \nOnly.\t\n"), [" Only."]);
    }

    #[test]
    fn code_blocks_are_never_doctests() {
        assert_eq!(
            lines("Example:\n\n```\n{\"a\": 1}\n```"),
            [" Example:", "", " ```text", " {\"a\": 1}", " ```"]
        );
        assert_eq!(lines("```json\n{}\n```"), [" ```json", " {}", " ```"]);
        assert_eq!(
            lines("Body:\n\n    {\"a\": 1}\n    {}\n\nAfter."),
            [
                " Body:",
                "",
                " ```text",
                " {\"a\": 1}",
                " {}",
                " ```",
                "",
                " After."
            ]
        );
    }

    #[test]
    fn indented_list_continuations_stay_text() {
        assert_eq!(
            lines("- item\n\n    continued\n"),
            [" - item", "", "     continued"]
        );
    }

    #[test]
    fn paragraphs_and_list_items_are_rewrapped() {
        let long = "word ".repeat(30);
        let wrapped = lines(&long);
        assert!(
            wrapped.iter().all(|line| line.len() <= DOC_WIDTH + 1),
            "{wrapped:?}"
        );
        assert_eq!(wrapped.len(), 2);
        assert_eq!(
            lines(&format!("Intro:\n- {long}\nlazy tail\n| a | b |")),
            [
                " Intro:".to_owned(),
                format!(" - {}", "word ".repeat(17).trim_end()),
                format!("   {} lazy tail", "word ".repeat(13).trim_end()),
                " | a | b |".to_owned(),
            ]
        );
        assert_eq!(lines("1. one\n2. two"), [" 1. one", " 2. two"]);
    }

    #[test]
    fn brackets_that_are_not_links_are_escaped() {
        assert_eq!(
            lines("Retry [DEPRECATED], see [`Payment`], [docs](https://x) and `a[0]`."),
            [" Retry \\[DEPRECATED\\], see [`Payment`], [docs](https://x) and `a[0]`."]
        );
    }

    #[test]
    fn imports_group_by_module() {
        let mut imports = Imports::default();
        imports.add("splitkit_common", "Timestamp");
        imports.add("splitkit_common", "Date");
        imports.add("std::collections", "BTreeMap");
        assert_eq!(
            imports.tokens().to_string(),
            "use splitkit_common :: { Date , Timestamp } ; use std :: collections :: { BTreeMap } ;"
        );
    }

    #[test]
    fn identifiers_are_always_valid() {
        assert_eq!(ident("type_").to_string(), "type_");
        assert_eq!(ident("3ds").to_string(), "x3ds");
        assert_eq!(ident("a-b").to_string(), "a_b");
        assert_eq!(ident("").to_string(), "x");
    }
}
