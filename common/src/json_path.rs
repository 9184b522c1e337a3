//! Where in a JSON document a decoder stopped, read from the document's text.
//!
//! `serde_json` reports a failure with the line and column where it stopped reading. This
//! module walks the text up to that point, keeping the keys and indexes it passes, and names
//! the value being read there: `data[3].amount`, or `.` for the document itself.
//!
//! It replaces re-running the typed decoder with path tracking after a failure. That re-run
//! compiled every model's decoder a second time, wrapped for tracking; this walk is compiled
//! once, whatever the types, and costs nothing until a decode fails.

use std::fmt::Write as _;

/// The path of the value `serde_json` was reading when it returned `error` for `text`.
///
/// Errors without a position (they come from outside the reader) name the document: `.`.
pub(crate) fn of_error(text: &[u8], error: &serde_json::Error) -> String {
    if error.line() == 0 {
        return ".".to_owned();
    }
    let message = error.to_string();
    let about = if CONTAINER_ERRORS.iter().any(|m| message.starts_with(m)) {
        About::Container
    } else if WRONG_CONTAINER_ERRORS
        .iter()
        .any(|m| message.starts_with(m))
    {
        About::ContainerFound
    } else {
        About::Value
    };
    at(text, offset(text, error.line(), error.column()), about)
}

/// What an error is about, from how serde starts its message: where serde_json places an error
/// can mean two things, and only the message tells them apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum About {
    /// An object or array as a whole (a missing field), placed once its end was read.
    Container,
    /// An object or array where another kind of value was expected, placed where it starts.
    ContainerFound,
    /// A value. serde_json places a wrong value right after it; a value that a decoder
    /// refused after reading it (a decoder that reads the raw text), at the end of the
    /// enclosing container, or after the comma that follows it.
    Value,
}

const CONTAINER_ERRORS: [&str; 3] = ["missing field `", "invalid length ", "duplicate field `"];
const WRONG_CONTAINER_ERRORS: [&str; 2] = ["invalid type: map,", "invalid type: sequence,"];

/// The byte offset of serde_json's (1-based line, column) position: the first byte the reader
/// had not yet consumed (its column counts the bytes consumed on that line).
fn offset(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    let mut seen = 1;
    while seen < line {
        match text[start..].iter().position(|&b| b == b'\n') {
            Some(newline) => start += newline + 1,
            None => return text.len(),
        }
        seen += 1;
    }
    (start + column).min(text.len())
}

/// What a container is reading now.
enum Frame {
    /// An object: the current entry's key, as a byte range of the text, whether a key comes
    /// next, and whether the entry has begun (its key read) but its value not ended.
    Object {
        key: Option<(usize, usize)>,
        expect_key: bool,
        open: bool,
    },
    /// An array: the current element's index, and whether it has begun but not ended.
    Array { index: Option<usize>, open: bool },
}

impl Frame {
    /// A value begins inside this container.
    fn begin_value(&mut self) {
        match self {
            Frame::Object { open, .. } => *open = true,
            Frame::Array { index, open } => {
                *index = Some(index.map_or(0, |i| i + 1));
                *open = true;
            }
        }
    }

    /// The current value has ended.
    fn end_value(&mut self) {
        match self {
            Frame::Object { open, .. } | Frame::Array { open, .. } => *open = false,
        }
    }

    /// Names the value read last again (its decoder refused it after reading it).
    fn reopen(&mut self) {
        if self.has_child() {
            match self {
                Frame::Object { open, .. } | Frame::Array { open, .. } => *open = true,
            }
        }
    }

    /// Whether a value has begun inside this container.
    fn has_child(&self) -> bool {
        match self {
            Frame::Object { key, .. } => key.is_some(),
            Frame::Array { index, .. } => index.is_some(),
        }
    }

    fn is_open(&self) -> bool {
        match self {
            Frame::Object { open, .. } | Frame::Array { open, .. } => *open,
        }
    }
}

/// The path of the innermost value that `stop` (a byte offset) falls in or right after.
///
/// - A value that starts before the offset and ends at or after it is named: serde reports a
///   wrong value once it has read it.
/// - A container that starts at the offset is named when the error is about finding it
///   ([`About::ContainerFound`]).
/// - An offset right after a closing bracket names the container when the error is about the
///   container, and otherwise the value read last inside it; so does an offset at the comma
///   after a value, or after that comma in an array (see [`About::Value`]).
/// - A key being read names its object. Text that is not JSON ends the walk where it is.
fn at(text: &[u8], stop: usize, about: About) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < text.len() && i < stop {
        match text[i] {
            b'{' | b'[' => {
                if let Some(parent) = stack.last_mut() {
                    parent.begin_value();
                }
                stack.push(if text[i] == b'{' {
                    Frame::Object {
                        key: None,
                        expect_key: true,
                        open: false,
                    }
                } else {
                    Frame::Array {
                        index: None,
                        open: false,
                    }
                });
                i += 1;
            }
            b'}' | b']' => {
                if i + 1 >= stop {
                    // The offset is this container's end: name the container, or the value
                    // read last inside it.
                    // At a comma, in an object, two things look alike: this container's last
                    // value refused once read (its own end was read), and this container
                    // refused as a whole once read (its parent then stops at the comma). The
                    // container is named: the error is inside it, or it.
                    let ambiguous = text.get(stop) == Some(&b',')
                        && stack.len() >= 2
                        && matches!(stack[stack.len() - 2], Frame::Object { .. });
                    if let Some(frame) = stack.last_mut() {
                        if about == About::Container || ambiguous || !frame.has_child() {
                            frame.end_value();
                        } else {
                            frame.reopen();
                        }
                    }
                    break;
                }
                stack.pop();
                if let Some(parent) = stack.last_mut() {
                    parent.end_value();
                }
                i += 1;
            }
            b',' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
                i += 1;
            }
            b':' | b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            _ => {
                let end = token_end(text, i);
                let reading_key = matches!(
                    stack.last(),
                    Some(Frame::Object {
                        expect_key: true,
                        ..
                    })
                );
                if reading_key {
                    if stop <= end {
                        // Stopped inside or right after a key: the object is named.
                        break;
                    }
                    if let Some(Frame::Object {
                        key,
                        expect_key,
                        open,
                    }) = stack.last_mut()
                    {
                        // From its key on, the entry's value is what is being read.
                        *key = Some((i, end));
                        *expect_key = false;
                        *open = true;
                    }
                } else {
                    if let Some(parent) = stack.last_mut() {
                        parent.begin_value();
                    }
                    if stop <= end {
                        // Stopped inside or right after this value: it is named.
                        break;
                    }
                    if let Some(parent) = stack.last_mut() {
                        parent.end_value();
                    }
                }
                i = end;
            }
        }
    }
    if i == stop {
        let after_comma = text[..i]
            .iter()
            .rev()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b',');
        match (text.get(i), stack.last_mut()) {
            (Some(b'{' | b'['), Some(frame)) if about == About::ContainerFound => {
                frame.begin_value();
            }
            // At the comma after a value (objects), or past it (arrays): that value's decoder
            // refused it after reading it.
            (Some(b','), Some(frame)) => frame.reopen(),
            (Some(_), Some(frame @ Frame::Array { .. })) if after_comma => frame.reopen(),
            _ => {}
        }
    }
    render(text, &stack)
}

/// The end (exclusive) of the string or scalar token that starts at `start`.
fn token_end(text: &[u8], start: usize) -> usize {
    if text[start] == b'"' {
        let mut i = start + 1;
        while i < text.len() {
            match text[i] {
                b'\\' => i += 2,
                b'"' => return i + 1,
                _ => i += 1,
            }
        }
        return text.len();
    }
    let mut i = start + 1;
    while i < text.len()
        && !matches!(
            text[i],
            b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"' | b' ' | b'\t' | b'\n' | b'\r'
        )
    {
        i += 1;
    }
    i
}

/// `data[3].amount`: a segment for each container whose value the walk is inside.
fn render(text: &[u8], stack: &[Frame]) -> String {
    let mut out = String::new();
    let last = stack.len().saturating_sub(1);
    for (depth, frame) in stack.iter().enumerate() {
        // Every outer container is inside its current value (the next frame); the innermost
        // only when that value has begun and not ended.
        if depth == last && !frame.is_open() {
            break;
        }
        match frame {
            Frame::Object {
                key: Some((start, end)),
                ..
            } => {
                if !out.is_empty() {
                    out.push('.');
                }
                let key = key_text(&text[*start..*end]);
                out.push_str(bounded(&key));
            }
            Frame::Object { key: None, .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
            Frame::Array {
                index: Some(index), ..
            } => {
                let _ = write!(out, "[{index}]");
            }
            Frame::Array { index: None, .. } => out.push_str("[?]"),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// The longest key a path shows in full: a path goes into error messages and logs, and a
/// received key can be any length.
const KEY_LIMIT: usize = 64;

/// `key`, cut to [`KEY_LIMIT`] bytes at a character boundary.
fn bounded(key: &str) -> &str {
    let mut end = key.len().min(KEY_LIMIT);
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    &key[..end]
}

/// A key as text: its JSON string unescaped (as is when it is not a valid JSON string).
fn key_text(quoted: &[u8]) -> String {
    if !quoted.contains(&b'\\') && quoted.len() >= 2 {
        return String::from_utf8_lossy(&quoted[1..quoted.len() - 1]).into_owned();
    }
    serde_json::from_slice::<String>(quoted)
        .unwrap_or_else(|_| String::from_utf8_lossy(quoted).into_owned())
}

#[cfg(test)]
mod tests {
    //! The walk is checked against `serde_path_to_error`, which tracks the path while decoding
    //! (what this module replaces): both must name the same place for every failure below.

    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde::de::DeserializeOwned;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Line {
        sku: String,
        amount: u64,
        #[serde(default)]
        tags: BTreeMap<String, u32>,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Kind {
        Goods,
        Fee,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Cart {
        id: String,
        lines: Vec<Line>,
        #[serde(default)]
        owner: Option<Owner>,
        #[serde(default)]
        grid: Vec<Vec<u8>>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Owner {
        name: String,
        #[serde(rename = "e\"mail")]
        email: String,
    }

    /// Read as raw text and refused afterwards, outside serde_json's own reading (as the
    /// decimal and tolerant decoders do): serde_json places such an error at the end of the
    /// enclosing container, or at the comma that follows.
    #[derive(Debug)]
    struct Checked;

    impl<'de> Deserialize<'de> for Checked {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
            if raw.get().contains("bad") {
                return Err(serde::de::Error::custom("refused after reading"));
            }
            Ok(Checked)
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Audit {
        #[serde(default)]
        first: Option<Checked>,
        #[serde(default)]
        list: Vec<Checked>,
        #[serde(default)]
        nested: Option<Box<Audit>>,
        #[serde(default)]
        last: Option<Checked>,
        #[serde(default)]
        either: Option<Either>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Either {
        Number(u32),
        Pair { a: u32, b: u32 },
    }

    /// The path this module gives for `text`'s failure, and the one serde_path_to_error gives.
    fn both<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> (String, String) {
        let fast = serde_json::from_str::<T>(text).unwrap_err();
        let walked = of_error(text.as_bytes(), &fast);
        let mut de = serde_json::Deserializer::from_str(text);
        let tracked = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => e.path().to_string(),
            Ok(_) => ".".to_owned(),
        };
        (walked, tracked)
    }

    #[track_caller]
    fn agrees<T: DeserializeOwned + std::fmt::Debug>(text: &str, expected: &str) {
        let (walked, tracked) = both::<T>(text);
        assert_eq!(walked, tracked, "walk and tracking differ for {text}");
        assert_eq!(walked, expected, "for {text}");
    }

    #[test]
    fn a_wrong_value_is_named_by_its_keys_and_indexes() {
        agrees::<Cart>(
            r#"{"id":"c","lines":[{"sku":"a","amount":1},{"sku":"b","amount":"x"}]}"#,
            "lines[1].amount",
        );
        agrees::<Cart>(
            r#"{"id":"c","lines":[{"sku":"a","amount":-1}]}"#,
            "lines[0].amount",
        );
        agrees::<Cart>(r#"{"id":7,"lines":[]}"#, "id");
        agrees::<Cart>(
            r#"{"id":"c","lines":[],"grid":[[1,2],[3,300]]}"#,
            "grid[1][1]",
        );
        agrees::<Cart>(
            r#"{"id":"c","lines":[{"sku":"a","amount":1,"tags":{"x":1,"y":"2"}}]}"#,
            "lines[0].tags.y",
        );
        agrees::<Cart>(
            r#"{"id":"c","lines":[{"sku":"a","amount":1,"kind":"gift"}]}"#,
            "lines[0].kind",
        );
        agrees::<Cart>(
            r#"{"id":"c","lines":[],"owner":{"name":"n","e\"mail":false}}"#,
            "owner.e\"mail",
        );
        agrees::<Vec<Line>>(
            r#"[{"sku":"a","amount":1},{"sku":null,"amount":1}]"#,
            "[1].sku",
        );
    }

    #[test]
    fn a_wrong_container_is_named_where_it_starts() {
        agrees::<Cart>(r#"{"id":"c","lines":{"sku":"a"}}"#, "lines");
        agrees::<Cart>(r#"{"id":{"a":[1,{"b":2}]},"lines":[]}"#, "id");
        agrees::<Cart>(
            r#"{"id":"c","lines":[{"sku":["a"],"amount":1}]}"#,
            "lines[0].sku",
        );
        agrees::<Cart>(r#"{"id":"c","lines":[],"owner":"me"}"#, "owner");
        agrees::<Cart>(r#"{"id":"c","lines":[],"grid":[[1],{"a":1}]}"#, "grid[1]");
        agrees::<Cart>(
            r#"{"id":"c","lines":[],"grid":[[1], [2,[3]]]}"#,
            "grid[1][1]",
        );
        agrees::<Vec<Line>>(r#"[{"sku":"a","amount":1}, ["b",2,{"x":[1]}]]"#, "[1][2].x");
    }

    #[test]
    fn a_missing_field_names_its_object() {
        agrees::<Cart>(r#"{"id":"c","lines":[{"sku":"a"}]}"#, "lines[0]");
        agrees::<Cart>(r#"{"lines":[]}"#, ".");
        agrees::<Cart>(
            r#"{"id":"c","lines":[{"sku":"a","amount":1}],"owner":{"name":"n"}}"#,
            "owner",
        );
        agrees::<Cart>(
            r#"{"id":"c","lines":[{"sku":"a","amount":1,"tags":{}}, {"amount":2}]}"#,
            "lines[1]",
        );
    }

    #[test]
    fn a_value_refused_after_it_was_read_is_named() {
        agrees::<Audit>(r#"{"first":"bad","last":"ok"}"#, "first");
        agrees::<Audit>(r#"{"first":"ok","last":"bad"}"#, "last");
        agrees::<Audit>(r#"{"first" : "bad" , "last":"ok"}"#, "first");
        agrees::<Audit>(r#"{"list":["ok",{"x":"bad"},"ok"]}"#, "list[1]");
        agrees::<Audit>(r#"{"list":["ok",["bad"]]}"#, "list[1]");
        agrees::<Audit>(
            r#"{"nested":{"nested":{"last":{"v":"bad"}}},"first":"ok"}"#,
            "nested.nested.last",
        );
        agrees::<Audit>(r#"{"nested":{"list":["bad"]}}"#, "nested.list[0]");
        agrees::<Audit>(r#"{"either":"seven","first":"ok"}"#, "either");
        agrees::<Audit>(r#"{"either":{"a":1}}"#, "either");
        agrees::<Audit>(r#"{"either":{"a":1} ,"first":"ok"}"#, "either");
        // A container refused whole, followed by a comma, looks like its last value refused:
        // the container is named, in both cases.
        assert_eq!(
            both::<Audit>(r#"{"either":{"a":1},"first":"ok"}"#),
            ("either".into(), "either".into())
        );
        let (walked, tracked) = both::<Audit>(r#"{"nested":{"last":"bad"},"first":"ok"}"#);
        assert_eq!(
            (walked.as_str(), tracked.as_str()),
            ("nested", "nested.last")
        );
    }

    #[test]
    fn whitespace_lines_and_skipped_values_do_not_move_the_path() {
        let pretty = "{\n  \"ignored\": {\"deep\": [1, {\"x\": \"}]\"}], \"more\": null},\n  \"id\": \"c\",\n  \"lines\": [\n    {\"sku\": \"a\", \"amount\": 1},\n    {\"sku\": \"b\",\n     \"amount\": 2.5}\n  ]\n}";
        agrees::<Cart>(pretty, "lines[1].amount");
        agrees::<Cart>(
            "{\"id\":\"c\",\r\n\t\"lines\" : [ { \"sku\" : \"a\" , \"amount\" : true } ] }",
            "lines[0].amount",
        );
        agrees::<Cart>(
            r#"{"id":"c\"\\","lines":[{"sku":"a\u0022","amount":"1"}]}"#,
            "lines[0].amount",
        );
    }

    /// The runtime's own tolerant and decimal decoders, in a model like the generated ones.
    #[cfg(feature = "decimal")] // the default features have it
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Model {
        id: String,
        #[serde(default, with = "crate::lenient")]
        count: Option<i64>,
        #[serde(default, with = "crate::lenient")]
        flag: Option<bool>,
        #[serde(default, with = "crate::lenient")]
        days: Vec<i64>,
        #[serde(default, with = "crate::lenient")]
        labels: BTreeMap<String, String>,
        #[serde(with = "crate::decimal")]
        total: rust_decimal::Decimal,
        #[serde(default, with = "crate::decimal::option")]
        fee: Option<rust_decimal::Decimal>,
        lines: Vec<Line>,
        #[serde(default)]
        owner: Option<Owner>,
        #[serde(default)]
        either: Option<Either>,
        #[serde(default)]
        children: Vec<Model>,
    }

    /// Every place of `value`, as a list of steps from the root.
    #[cfg(feature = "decimal")] // the default features have it
    fn places(value: &serde_json::Value, at: Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    let mut next = at.clone();
                    next.push(Step::Key(key.clone()));
                    places(child, next, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    let mut next = at.clone();
                    next.push(Step::Index(index));
                    places(child, next, out);
                }
            }
            _ => {}
        }
        out.push(at);
    }

    #[cfg(feature = "decimal")] // the default features have it
    #[derive(Clone, Debug)]
    enum Step {
        Key(String),
        Index(usize),
    }

    #[cfg(feature = "decimal")] // the default features have it
    fn place<'a>(
        value: &'a mut serde_json::Value,
        steps: &[Step],
    ) -> Option<&'a mut serde_json::Value> {
        steps.iter().try_fold(value, |v, step| match step {
            Step::Key(k) => v.get_mut(k.as_str()),
            Step::Index(i) => v.get_mut(*i),
        })
    }

    /// Every value of a valid document replaced in turn by values of other kinds, and every
    /// entry removed in turn, compact and pretty-printed: wherever decoding fails, the walk
    /// names the place that path tracking names.
    #[cfg(feature = "decimal")] // the default features have it
    #[test]
    fn every_replaced_or_removed_value_is_named_as_path_tracking_names_it() {
        let valid = serde_json::json!({
            "id": "m1", "count": "15", "flag": "true", "days": [1, "2"],
            "labels": {"a": "x", "b": 2}, "total": "10.50", "fee": 0.3,
            "lines": [
                {"sku": "a", "amount": 1, "tags": {"t": 1}, "kind": "fee"},
                {"sku": "b", "amount": 2}
            ],
            "owner": {"name": "n", "e\"mail": "e"},
            "either": {"a": 1, "b": 2},
            "children": [{"id": "c1", "total": 1, "lines": [], "days": [3]}]
        });
        let _: Model = serde_json::from_value(valid.clone()).unwrap();
        let replacements = [
            serde_json::json!("bad"),
            serde_json::json!(true),
            serde_json::json!(-1),
            serde_json::json!(1.5),
            serde_json::json!(null),
            serde_json::json!({"q": [1]}),
            serde_json::json!(["bad", {"r": 2}]),
        ];
        let mut all = Vec::new();
        places(&valid, Vec::new(), &mut all);
        let (mut failures, mut inexact) = (0, 0);
        for steps in &all {
            let mut documents = Vec::new();
            for replacement in &replacements {
                let mut doc = valid.clone();
                if let Some(slot) = place(&mut doc, steps) {
                    *slot = replacement.clone();
                }
                documents.push(doc);
            }
            if let Some((Step::Key(key), parent)) = steps.split_last() {
                let mut doc = valid.clone();
                if let Some(serde_json::Value::Object(map)) = place(&mut doc, parent) {
                    map.remove(key);
                }
                documents.push(doc);
            }
            for doc in documents {
                for text in [
                    serde_json::to_string(&doc).unwrap(),
                    serde_json::to_string_pretty(&doc).unwrap(),
                ] {
                    if serde_json::from_str::<Model>(&text).is_err() {
                        failures += 1;
                        let (walked, tracked) = both::<Model>(&text);
                        if walked != tracked {
                            // Only where two failures look alike (see `at`), and then the
                            // container holding the failure is named.
                            inexact += 1;
                            let inside = tracked
                                .strip_prefix(walked.as_str())
                                .is_some_and(|rest| rest.starts_with(['.', '[']));
                            assert!(inside, "{walked} does not hold {tracked}, for {text}");
                        }
                    }
                }
            }
        }
        assert!(failures > 100, "only {failures} documents failed to decode");
        assert!(
            inexact * 20 <= failures,
            "{inexact} of {failures} failures named by their container only"
        );
        println!("{failures} failures, {inexact} named by their container only");
    }

    #[test]
    fn failures_outside_any_value_name_the_document() {
        let trailing = serde_json::from_str::<Cart>(r#"{"id":"c","lines":[]} x"#).unwrap_err();
        assert_eq!(of_error(br#"{"id":"c","lines":[]} x"#, &trailing), ".");
        let custom = <serde_json::Error as serde::de::Error>::custom("no position");
        assert_eq!(of_error(b"{}", &custom), ".");
        agrees::<Cart>("[1]", "[0]");
    }

    #[test]
    fn a_long_key_is_cut_in_the_path() {
        let key = "é".repeat(1000);
        let text = format!(r#"{{"id":"c","lines":[],"owner":{{"{key}":1,"name":5}}}}"#);
        let (walked, _) = both::<Cart>(&text);
        assert_eq!(walked, "owner.name");
        let text = format!(r#"{{"{key}":{{"a":[true]}}}}"#);
        let error =
            serde_json::from_str::<BTreeMap<String, BTreeMap<String, Vec<u8>>>>(&text).unwrap_err();
        let walked = of_error(text.as_bytes(), &error);
        assert_eq!(walked, format!("{}.a[0]", "é".repeat(KEY_LIMIT / 2)));
    }

    #[test]
    fn text_that_is_not_json_does_not_panic() {
        for text in [
            "",
            "{",
            "{\"a\"",
            "[[[",
            "{\"id\":\"unterminated",
            "]}",
            "\"\\",
        ] {
            let error = serde_json::from_str::<Cart>(text).unwrap_err();
            let _ = of_error(text.as_bytes(), &error);
            for stop in 0..=text.len() + 2 {
                for about in [About::Container, About::ContainerFound, About::Value] {
                    let _ = at(text.as_bytes(), stop, about);
                }
            }
        }
    }
}
