//! Zepto's wire conventions: its two error shapes, `{"data": ...}` answers, Link-header
//! pagination, query strings, JSON bodies and UTC timestamps to the second.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::server::{Shaped, json as json_response};
use crate::util;

/// Where Zepto's errors point for more information.
const DOCS_URL: &str = "https://docs.split.cash/";

/// A detailed Zepto error: `{"errors": [{title, detail, links: {about}, meta?}]}`. Zepto uses
/// it for authentication, request-type and idempotency errors.
pub(crate) fn detailed_error(
    status: StatusCode,
    title: &str,
    detail: &str,
    meta: Option<Value>,
) -> Response {
    let mut error = json!({ "title": title, "detail": detail, "links": { "about": DOCS_URL } });
    if let (Some(meta), Some(obj)) = (meta, error.as_object_mut()) {
        obj.insert("meta".into(), meta);
    }
    json_response(status, &json!({ "errors": [error] }))
}

/// A resource error: `{"errors": "A sentence explaining the error(s)"}`.
pub(crate) fn resource_error(status: StatusCode, sentence: &str) -> Response {
    json_response(status, &json!({ "errors": sentence }))
}

/// An OAuth2 error body (RFC 6749 section 5.2), as the UI host answers.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

pub(super) fn ok(status: StatusCode, data: Value) -> Response {
    json_response(status, &json!({ "data": data }))
}

pub(super) fn no_content() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(Shaped);
    response
}

pub(super) fn not_found(what: &str) -> Response {
    resource_error(StatusCode::NOT_FOUND, &format!("{what} not found"))
}

pub(super) fn ts(t: OffsetDateTime) -> String {
    util::iso_seconds(t)
}

/// Paginates `items` (already in list order) the way Zepto does: `page`, `per_page` (default 25,
/// at most 100), and `Link`, `Per-Page`, `Total` headers.
pub(crate) fn paginate(
    items: Vec<Value>,
    query: &[(String, String)],
    base_url: &str,
    path: &str,
) -> Response {
    let get = |name: &str| {
        query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let per_page = get("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .map_or(25, |p| p.min(100));
    let page = get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let data: Vec<Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let kept: Vec<String> = query
        .iter()
        .filter(|(k, _)| k != "page" && k != "per_page")
        .map(|(k, v)| {
            format!(
                "{}={}",
                util::encode_component(k),
                util::encode_component(v)
            )
        })
        .collect();
    let link_to = |p: usize| {
        let mut params = kept.clone();
        params.push(format!("page={p}"));
        if get("per_page").is_some() {
            params.push(format!("per_page={per_page}"));
        }
        format!("<{base_url}/zepto/api{path}?{}>", params.join("&"))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", link_to(1)));
        links.push(format!("{}; rel=\"prev\"", link_to((page - 1).min(last))));
    }
    links.push(format!("{}; rel=\"last\"", link_to(last)));
    if page < last {
        links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
    }
    let mut response = json_response(StatusCode::OK, &json!({ "data": data }));
    let headers = response.headers_mut();
    for (name, value) in [
        ("link", links.join(", ")),
        ("per-page", per_page.to_string()),
        ("total", total.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}

/// The query string's pairs (for filters and pagination).
pub(crate) fn query_pairs(query: Option<String>) -> Vec<(String, String)> {
    util::form_pairs(query.unwrap_or_default().as_bytes())
}

/// A field-name -> value map of a JSON object body, or a detailed 400.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(detailed_error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "The request body must be a JSON object",
            None,
        )),
        Err(e) => Err(detailed_error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            &format!("The request body is not valid JSON: {e}"),
            None,
        )),
    }
}

/// The JSON object body of a request that takes the documented `fields`. Strict, the body must
/// come as `Content-Type: application/json` (Zepto reads no other) and hold no other field (a
/// misspelt field would be dropped silently by Zepto; the emulator names it instead).
pub(crate) fn request_body(
    headers: &HeaderMap,
    body: &[u8],
    fields: &[&str],
    strict: bool,
) -> Result<Map<String, Value>, Response> {
    if strict && !util::has_content_type(headers, "application/json") {
        return Err(detailed_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type",
            "Send the request body as JSON with `Content-Type: application/json`",
            None,
        ));
    }
    let body = json_object(body)?;
    if strict && let Some(sentence) = util::unknown_fields(body.keys(), fields, "") {
        return Err(resource_error(StatusCode::UNPROCESSABLE_ENTITY, &sentence));
    }
    Ok(body)
}

/// Groups filters by name, splitting comma-separated multi-value filters.
pub(crate) fn multi(query: &[(String, String)], name: &str) -> Option<Vec<String>> {
    let values: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == name || k == &format!("{name}[]"))
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect();
    (!values.is_empty()).then_some(values)
}

/// The last value of a query parameter.
pub(crate) fn single<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Rows of filters keyed by name (for error messages).
pub(crate) type Errors = Vec<String>;

/// Joins validation messages into Zepto's single-sentence resource error (422).
pub(crate) fn unprocessable(errors: &Errors) -> Response {
    resource_error(StatusCode::UNPROCESSABLE_ENTITY, &errors.join(", "))
}
