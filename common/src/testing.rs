//! Test support (feature `testing`): the drift a provider's answers plausibly go through, as
//! functions that rewrite a documented example, so each provider crate can check that its models
//! read every variant (its `tests/drift.rs`).
//!
//! Each function returns a changed copy and leaves the input alone. Keys named in
//! `free_form` hold user data (metadata): their contents are never touched, since a provider
//! passes them through as the merchant sent them.

use serde_json::{Map, Value};

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

/// The value of every field named in `keys`, wherever it is, replaced by `replacement`.
pub fn replace_fields(value: &Value, keys: &[&str], replacement: &Value) -> Value {
    rewrite_fields(value, &|key| {
        keys.contains(&key).then(|| Some(replacement.clone()))
    })
}

/// Every field named in `keys`, wherever it is, removed.
pub fn remove_fields(value: &Value, keys: &[&str]) -> Value {
    rewrite_fields(value, &|key| keys.contains(&key).then_some(None))
}

/// Rewrites fields by name: `rule(key)` gives `None` to keep the field as it is (and
/// look inside it), `Some(None)` to drop it, `Some(Some(v))` to replace it.
fn rewrite_fields(value: &Value, rule: &dyn Fn(&str) -> Option<Option<Value>>) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                match rule(key) {
                    None => {
                        out.insert(key.clone(), rewrite_fields(item, rule));
                    }
                    Some(Some(replacement)) => {
                        out.insert(key.clone(), replacement);
                    }
                    Some(None) => {}
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| rewrite_fields(i, rule)).collect())
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
        assert_eq!(
            replace_fields(&doc, &["s", "n"], &Value::Null),
            json!({"a": 1, "b": [2.5, true], "at": "2021-09-02T02:24:50Z",
                   "metadata": {"n": null, "t": "2021-09-02T02:24:50Z"}, "s": null})
        );
        assert_eq!(
            remove_fields(&json!({"a": {"s": 1, "t": 2}}), &["s"]),
            json!({"a": {"t": 2}})
        );
    }
}
