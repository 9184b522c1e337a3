//! Test support (feature `testing`): the drift a provider's answers plausibly go through, as
//! functions that rewrite a documented example, so each provider crate can check that its models
//! read every variant (its `tests/drift.rs`); and [`ResponseFixture`], the response type of
//! each provider crate's `testing` fixtures for `wiremock`.
//!
//! Each function returns a changed copy and leaves the input alone. Keys named in
//! `free_form` hold user data (metadata): their contents are never touched, since a provider
//! passes them through as the merchant sent them.

use std::fmt::Debug;

mod response;

pub use response::ResponseFixture;
/// The `wiremock` crate the fixtures answer (for the [`response_fixture!`](crate::response_fixture) macro).
pub use wiremock;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::Error;

/// Every integer and decimal number as a JSON string holding its text (`12` → `"12"`).
pub fn numbers_as_strings(value: &Value, free_form: &[&str]) -> Value {
    map_leaves(value, free_form, &|leaf| match leaf {
        Value::Number(n) => Some(Value::String(n.to_string())),
        _ => None,
    })
}

/// Every boolean as the string `"true"` or `"false"`.
pub fn booleans_as_strings(value: &Value, free_form: &[&str]) -> Value {
    map_leaves(value, free_form, &|leaf| match leaf {
        Value::Bool(b) => Some(Value::String(b.to_string())),
        _ => None,
    })
}

/// Every RFC 3339 date-time with a space for the `T` and `+00:00` for a `Z`
/// (`2021-09-02T02:24:50Z` → `2021-09-02 02:24:50+00:00`).
pub fn spaced_timestamps(value: &Value, free_form: &[&str]) -> Value {
    map_leaves(value, free_form, &|leaf| {
        let text = leaf.as_str()?;
        if !looks_like_date_time(text) {
            return None;
        }
        let mut spaced = format!("{} {}", &text[..10], &text[11..]);
        if spaced.ends_with(['Z', 'z']) {
            spaced.pop();
            spaced.push_str("+00:00");
        }
        Some(Value::String(spaced))
    })
}

/// Every object with two fields it did not have: a string and a nested object with an array.
pub fn with_unknown_fields(value: &Value, free_form: &[&str]) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                let item = if free_form.contains(&key.as_str()) {
                    item.clone()
                } else {
                    with_unknown_fields(item, free_form)
                };
                out.insert(key.clone(), item);
            }
            out.insert("x_drift_note".into(), Value::String("added later".into()));
            out.insert(
                "x_drift_details".into(),
                serde_json::json!({"nested": [1, "two", null, {"deep": true}], "n": 1.5}),
            );
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| with_unknown_fields(item, free_form))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The JSON pointers of the fields in `example` that `document` (an OpenAPI 3.0 document as
/// JSON) lets a provider send as `null` or leave out: those not in their schema's `required`,
/// or marked `nullable`. `schema` names the component `example` is an instance of. Follows
/// `$ref`s, single-`$ref` `allOf`s and array `items`; fields the schema does not describe are
/// skipped.
pub fn optional_fields(document: &Value, schema: &str, example: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let root = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
    collect_optional(document, &root, example, "", &mut found);
    found
}

fn collect_optional(
    document: &Value,
    schema: &Value,
    value: &Value,
    pointer: &str,
    found: &mut Vec<String>,
) {
    let schema = resolve(document, schema);
    match value {
        Value::Object(map) => {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|names| names.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (key, item) in map {
                let Some(property) = schema["properties"].get(key) else {
                    continue;
                };
                let nullable =
                    property["nullable"] == true || resolve(document, property)["nullable"] == true;
                let path = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if nullable || !required.contains(&key.as_str()) {
                    found.push(path.clone());
                }
                collect_optional(document, property, item, &path, found);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let path = format!("{pointer}/{index}");
                collect_optional(document, &schema["items"], item, &path, found);
            }
        }
        _ => {}
    }
}

/// `schema` with `$ref`s and single-`$ref` `allOf`s followed (at most 32 steps).
fn resolve<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let reference = match (&schema["$ref"], &schema["allOf"]) {
            (Value::String(r), _) => r.as_str(),
            (_, Value::Array(all)) if all.len() == 1 => match all[0]["$ref"].as_str() {
                Some(r) => r,
                None => return schema,
            },
            _ => return schema,
        };
        match reference
            .strip_prefix('#')
            .and_then(|p| document.pointer(p))
        {
            Some(target) => schema = target,
            None => return &Value::Null,
        }
    }
    schema
}

/// `value` with the field at `pointer` set to `null` (`null_it`) or removed.
pub fn at_pointer(value: &Value, pointer: &str, null_it: bool) -> Value {
    let mut out = value.clone();
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return out;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(map)) = out.pointer_mut(parent) {
        if null_it {
            map.insert(key, Value::Null);
        } else {
            map.remove(&key);
        }
    }
    out
}

/// The text of the fixture `<dir>/<name>.json`.
pub fn fixture(dir: &str, name: &str) -> std::io::Result<String> {
    std::fs::read_to_string(std::path::Path::new(dir).join(format!("{name}.json")))
}

/// The names (without `.json`) of the fixtures in `dir`, sorted: for a test that every fixture
/// is covered.
pub fn fixture_names(dir: &str) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let file = entry?.file_name();
        if let Some(name) = file.to_str().and_then(|f| f.strip_suffix(".json")) {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Reads `body` as one `T` with the runtime's decoder ([`crate::decode::json`]); gives the
/// value's `Debug` text, so that decoders of different types fit one table for
/// [`check_drift`].
pub fn read_one<T: DeserializeOwned + Debug>(body: &[u8]) -> Result<String, Error> {
    crate::decode::json::<T>("drift", body, &[]).map(|value| format!("{value:?}"))
}

/// Reads `body` as a list answer whose items are under `items` (`""`: the body is the array),
/// item by item as the runtime reads pages ([`crate::decode::list`]); the first item that does
/// not decode is the error.
pub fn read_list<T: DeserializeOwned + Debug>(
    body: &[u8],
    items: &'static str,
) -> Result<String, Error> {
    let page = crate::decode::list::<T>("drift", body, &[], items)?;
    match page.rejected.into_iter().next() {
        None => Ok(format!("{:?}", page.items)),
        Some(bad) => Err(Error::Item(Box::new(bad))),
    }
}

/// What [`check_drift`] needs to know about a provider beyond its examples.
#[derive(Debug, Clone, Copy, Default)]
pub struct DriftSettings<'a> {
    /// Keys whose values are user data (metadata), left as they are.
    pub free_form: &'a [&'a str],
    /// Keys that hold open enums: each is given a value the SDK cannot know.
    pub enum_fields: &'a [&'a str],
    /// The provider's OpenAPI document (as JSON), to find the fields that may be `null` or
    /// absent (see [`optional_fields`]); `None` skips those variants.
    pub document: Option<&'a Value>,
}

/// Decodes `example` (the text of a documented answer, an instance of the component `schema`)
/// with `decode`, then every drift variant of it: numbers and booleans as strings, spaced
/// timestamps and unknown fields (each must decode to a value equal to the original's), an
/// unknown value in every enum field, and every optional field `null` and then absent (each
/// must decode). Returns one line per failure, naming the variant and the error; empty when
/// everything decoded.
pub fn check_drift<T, E>(
    example: &str,
    schema: &str,
    settings: &DriftSettings<'_>,
    decode: impl Fn(&[u8]) -> Result<T, E>,
) -> Vec<String>
where
    T: PartialEq + Debug,
    E: std::fmt::Display,
{
    let mut failures = Vec::new();
    if let Err(error) = decode(example.as_bytes()) {
        return vec![format!("the example itself: {error}")];
    }
    let value: Value = match serde_json::from_str(example) {
        Ok(value) => value,
        Err(error) => return vec![format!("the example is not JSON: {error}")],
    };
    let read = |variant: &Value| decode(variant.to_string().as_bytes());
    // Variants are written from a `Value`, which keeps a decimal's value but not its trailing
    // zeros (`200.00` becomes `200.0`): they are compared with the example written the same way.
    let base = match read(&value) {
        Ok(base) => base,
        Err(error) => return vec![format!("the example, rewritten: {error}")],
    };
    let free = settings.free_form;
    let same = [
        ("numbers as strings", numbers_as_strings(&value, free)),
        ("booleans as strings", booleans_as_strings(&value, free)),
        ("spaced timestamps", spaced_timestamps(&value, free)),
        ("unknown fields", with_unknown_fields(&value, free)),
    ];
    for (name, variant) in &same {
        match read(variant) {
            Ok(decoded) if decoded == base => {}
            Ok(decoded) => failures.push(format!("{name}: decoded differently: {decoded:?}")),
            Err(error) => failures.push(format!("{name}: {error}")),
        }
    }
    // An enum field gets a value no SDK knows; a list of enums, a list of one such value.
    let unknown = Value::String("x_drift_unknown_value".into());
    let unknown_enums = replace_fields(&value, &|key, item| {
        settings.enum_fields.contains(&key).then(|| match item {
            Value::Array(_) => Value::Array(vec![unknown.clone()]),
            Value::Null => Value::Null,
            _ => unknown.clone(),
        })
    });
    if let Err(error) = read(&unknown_enums) {
        failures.push(format!("unknown enum values: {error}"));
    }
    if let Some(document) = settings.document {
        for pointer in optional_fields(document, schema, &value) {
            for (null_it, what) in [(true, "null"), (false, "absent")] {
                if let Err(error) = read(&at_pointer(&value, &pointer, null_it)) {
                    failures.push(format!("{pointer} {what}: {error}"));
                }
            }
        }
    }
    failures
}

/// Replaces fields: `rule(key, value)` gives the new value, or `None` to keep the field and
/// look inside it.
fn replace_fields(value: &Value, rule: &dyn Fn(&str, &Value) -> Option<Value>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let item = rule(key, item).unwrap_or_else(|| replace_fields(item, rule));
                    (key.clone(), item)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| replace_fields(i, rule)).collect())
        }
        other => other.clone(),
    }
}

/// Applies `change` to every scalar outside the `free_form` keys (`None`: unchanged).
fn map_leaves(
    value: &Value,
    free_form: &[&str],
    change: &dyn Fn(&Value) -> Option<Value>,
) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let item = if free_form.contains(&key.as_str()) {
                        item.clone()
                    } else {
                        map_leaves(item, free_form, change)
                    };
                    (key.clone(), item)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| map_leaves(item, free_form, change))
                .collect(),
        ),
        leaf => change(leaf).unwrap_or_else(|| leaf.clone()),
    }
}

fn looks_like_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
        && b[13] == b':'
        && b[16] == b':'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_drift_changes_what_it_says_and_spares_metadata() {
        let doc = json!({"a": 1, "b": [2.5, true], "at": "2021-09-02T02:24:50Z",
                         "metadata": {"n": 3, "t": "2021-09-02T02:24:50Z"}, "s": "x"});
        let free = ["metadata"];
        assert_eq!(
            numbers_as_strings(&doc, &free),
            json!({"a": "1", "b": ["2.5", true], "at": "2021-09-02T02:24:50Z",
                   "metadata": {"n": 3, "t": "2021-09-02T02:24:50Z"}, "s": "x"})
        );
        assert_eq!(booleans_as_strings(&doc, &free)["b"][1], "true");
        let spaced = spaced_timestamps(&doc, &free);
        assert_eq!(spaced["at"], "2021-09-02 02:24:50+00:00");
        assert_eq!(spaced["metadata"]["t"], "2021-09-02T02:24:50Z");
        let extra = with_unknown_fields(&json!({"x": [{"y": 1}], "metadata": {"k": "v"}}), &free);
        assert_eq!(extra["x"][0]["x_drift_note"], "added later");
        assert_eq!(extra["metadata"], json!({"k": "v"}));
    }

    #[test]
    fn check_drift_reports_what_a_strict_type_cannot_read() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Strict {
            n: i64,
        }
        let decode = |b: &[u8]| serde_json::from_slice::<Strict>(b);
        let settings = DriftSettings::default();
        let failures = check_drift(r#"{"n": 1}"#, "Strict", &settings, decode);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            failures[0].starts_with("numbers as strings: "),
            "{failures:?}"
        );
        assert_eq!(
            check_drift("{}", "Strict", &settings, decode),
            ["the example itself: missing field `n` at line 1 column 2"]
        );
    }

    #[test]
    fn optional_fields_follow_refs_arrays_and_nullable() {
        let document = json!({"components": {"schemas": {
            "List": {"type": "object", "required": ["data"],
                     "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
            "Item": {"type": "object", "required": ["id", "note"],
                     "properties": {"id": {"type": "string"},
                                    "note": {"type": "string", "nullable": true},
                                    "terms": {"allOf": [{"$ref": "#/components/schemas/Terms"}]}}},
            "Terms": {"type": "object", "required": ["days"],
                      "properties": {"days": {"type": "integer"}, "max": {"type": "integer"}}}
        }}});
        let example =
            json!({"data": [{"id": "a", "note": "n", "terms": {"days": 1, "max": 2}, "extra": 1}]});
        assert_eq!(
            optional_fields(&document, "List", &example),
            ["/data/0/note", "/data/0/terms", "/data/0/terms/max"]
        );
        assert_eq!(
            at_pointer(&example, "/data/0/terms/max", false)["data"][0]["terms"],
            json!({"days": 1})
        );
        assert_eq!(
            at_pointer(&example, "/data/0/note", true)["data"][0]["note"],
            Value::Null
        );
    }
}
