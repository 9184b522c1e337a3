//! Helpers shared by the integration tests: a client aimed at wiremock, and the examples of
//! this crate's `openapi.yaml`.

#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use splitkit_common::{ManualClock, RetryPolicy};
use wiremock::MockServer;
use zepto_client::{Client, ClientBuilder, Environment};

/// 2021-06-05T00:00:00Z: after the documented examples' creation dates, before their
/// `matures_at` dates.
pub const NOW: i64 = 1_622_851_200;

pub const TOKEN: &str = "test-token";

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .max_retry_after(Duration::from_secs(5))
        .jitter(false)
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at(NOW))
}

/// A builder aimed at `server` for both the API and OAuth hosts, with a fixed clock.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(Environment::custom(server.uri(), server.uri()))
        .retry(fast_retry())
        .clock(clock())
}

/// A client with a personal access token.
pub fn client(server: &MockServer) -> Client {
    builder(server)
        .personal_access_token(TOKEN)
        .build()
        .unwrap()
}

fn document() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let text = include_str!("../../openapi.yaml");
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap();
        serde_json::to_value(yaml).unwrap()
    })
}

/// The operation object of `operation_id`, with its method and path.
pub fn operation(operation_id: &str) -> (String, String, &'static serde_json::Value) {
    let paths = document()["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if op["operationId"] == operation_id {
                return (method.to_uppercase(), path.clone(), op);
            }
        }
    }
    panic!("no operation {operation_id} in openapi.yaml")
}

/// Every operationId of the document.
pub fn operation_ids() -> Vec<String> {
    let mut ids = Vec::new();
    for item in document()["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            ids.push(op["operationId"].as_str().unwrap().to_owned());
        }
    }
    ids
}

/// The documented response example of `operation_id` for `status`.
pub fn response_example(operation_id: &str, status: u16) -> Option<serde_json::Value> {
    let (_, _, op) = operation(operation_id);
    let example = &op["responses"][status.to_string()]["content"]["application/json"]["example"];
    (!example.is_null()).then(|| example.clone())
}

/// The documented request-body example of `operation_id`.
pub fn request_example(operation_id: &str) -> Option<serde_json::Value> {
    let (_, _, op) = operation(operation_id);
    let example = &op["requestBody"]["content"]["application/json"]["example"];
    (!example.is_null()).then(|| example.clone())
}

/// The success status the document gives `operation_id` (the first 2xx).
pub fn success_status(operation_id: &str) -> u16 {
    let (_, _, op) = operation(operation_id);
    op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .filter_map(|k| k.parse::<u16>().ok())
        .find(|s| (200..300).contains(s))
        .unwrap()
}

/// Rewrites every `*_at` date-time string in the same RFC 3339 form the SDK writes
/// (`2016-12-19T02:10:56.000Z` -> `2016-12-19T02:10:56Z`), so bodies compare by value.
pub fn normalise_times(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key.ends_with("_at")
                    && let Some(text) = v.as_str()
                    && let Ok(at) = zepto_client::Timestamp::parse(text)
                {
                    *v = serde_json::Value::String(at.to_string());
                } else {
                    normalise_times(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(normalise_times),
        _ => {}
    }
}
