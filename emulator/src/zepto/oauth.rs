//! Zepto's OAuth2 endpoints on the UI host (`/zepto/go/oauth/...`): an authorisation endpoint
//! that approves at once and redirects with a one-time code, and a token endpoint for the
//! authorization-code and refresh-token grants, with refresh-token rotation.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use time::OffsetDateTime;

use super::*;
use crate::seed;
use crate::server::{Shaped, Shared, json as json_response};
use crate::util;

/// The scopes Zepto documents.
pub(crate) const SCOPES: [&str; 12] = [
    "public",
    "agreements",
    "bank_accounts",
    "bank_connections",
    "contacts",
    "open_agreements",
    "payments",
    "payment_requests",
    "refunds",
    "transfers",
    "transactions",
    "offline_access",
];

/// How long an authorisation code lives (Doorkeeper's default, 10 minutes).
const CODE_TTL_MINUTES: i64 = 10;

/// The OAuth host, mounted at `/zepto/go`.
pub(crate) fn oauth_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/token", axum::routing::post(token))
        .fallback(|| async {
            oauth_error(
                StatusCode::NOT_FOUND,
                "not_found",
                "No such page on the emulated Zepto UI host",
            )
        })
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response.extensions_mut().insert(Shaped);
    response
}

fn with_params(base: &str, params: &[(&str, &str)]) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    let query = params
        .iter()
        .map(|(k, v)| format!("{k}={}", util::encode_component(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{base}{separator}{query}")
}

/// `GET /oauth/authorize?response_type=code&client_id&redirect_uri&scope&state`: the user is
/// taken to have signed in and approved; redirects to `redirect_uri` with `code` (and `state`).
async fn authorize(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let query = util::form_map(query.unwrap_or_default().as_bytes());
    let client_id = query
        .get("client_id")
        .map(String::as_str)
        .unwrap_or_default();
    if !util::secret_eq(client_id, seed::ZEPTO_CLIENT_ID) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client (client_id).",
        );
    }
    let Some(redirect_uri) = query.get("redirect_uri").filter(|r| !r.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request is missing the redirect_uri parameter.",
        );
    };
    if !seed::zepto_redirect_uri_allowed(redirect_uri) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "The redirect uri included is not valid: the emulator accepts http(s) URIs on 127.0.0.1, localhost or [::1].",
        );
    }
    let state = query.get("state").cloned();
    let fail = |error: &str, description: &str| {
        let mut params = vec![("error", error), ("error_description", description)];
        if let Some(s) = &state {
            params.push(("state", s));
        }
        redirect(&with_params(redirect_uri, &params))
    };
    if query.get("response_type").map(String::as_str) != Some("code") {
        return fail(
            "unsupported_response_type",
            "The authorization server does not support this response type (use response_type=code).",
        );
    }
    let scopes: Vec<String> = query
        .get("scope")
        .map(|s| {
            s.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .filter(|s: &Vec<String>| !s.is_empty())
        .unwrap_or_else(|| vec!["public".to_string()]);
    if let Some(unknown) = scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        return fail(
            "invalid_scope",
            &format!("The requested scope is invalid, unknown, or malformed: {unknown}"),
        );
    }
    let code = util::random_hex(64);
    shared.run(|st, cx| {
        st.zepto.codes.insert(
            code.clone(),
            AuthCode {
                redirect_uri: redirect_uri.clone(),
                scopes,
                expires_at: cx.now + time::Duration::minutes(CODE_TTL_MINUTES),
            },
        );
    });
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &state {
        params.push(("state", s));
    }
    redirect(&with_params(redirect_uri, &params))
}

/// Reads the token request's parameters: form-urlencoded (what OAuth clients send),
/// multipart (Zepto's curl examples use `-F`) or a JSON object.
fn token_params(headers: &HeaderMap, body: &[u8]) -> BTreeMap<String, String> {
    let original = util::header(headers, "content-type").unwrap_or_default();
    let content_type = original.to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        // The boundary is case-sensitive, so it is read from the header as sent.
        let boundary = original.split(';').map(str::trim).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"').to_string())
        });
        return boundary.map(|b| multipart(body, &b)).unwrap_or_default();
    }
    if content_type.starts_with("application/json") {
        return serde_json::from_slice::<BTreeMap<String, Value>>(body)
            .map(|m| {
                m.into_iter()
                    .filter_map(|(k, v)| match v {
                        Value::String(s) => Some((k, s)),
                        Value::Null => None,
                        other => Some((k, other.to_string())),
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
    util::form_map(body)
}

/// A minimal `multipart/form-data` reader for text fields.
fn multipart(body: &[u8], boundary: &str) -> BTreeMap<String, String> {
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut fields = BTreeMap::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let Some((head, value)) = part
            .split_once("\r\n\r\n")
            .or_else(|| part.split_once("\n\n"))
        else {
            continue;
        };
        let name = head
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("name="))
            .next()
            .map(|n| {
                n.split(['\r', '\n'])
                    .next()
                    .unwrap_or(n)
                    .trim_matches('"')
                    .to_string()
            });
        if let Some(name) = name {
            let value = value
                .strip_suffix("\r\n")
                .or_else(|| value.strip_suffix('\n'))
                .unwrap_or(value);
            fields.insert(name, value.to_string());
        }
    }
    fields
}

fn client_credentials(
    headers: &HeaderMap,
    params: &BTreeMap<String, String>,
) -> Option<(String, String)> {
    if let Some(basic) = util::header(headers, "authorization").and_then(|a| {
        a.strip_prefix("Basic ")
            .or_else(|| a.strip_prefix("basic "))
    }) {
        let decoded = util::base64_decode(basic)?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        return Some((decode(id), decode(secret)));
    }
    Some((
        params.get("client_id")?.clone(),
        params.get("client_secret")?.clone(),
    ))
}

fn token_response(body: &Value) -> Response {
    let mut response = json_response(StatusCode::OK, body);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `POST /oauth/token` with `grant_type=authorization_code` (`code`, `redirect_uri`) or
/// `grant_type=refresh_token` (`refresh_token`); client credentials in the body or HTTP Basic.
async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = token_params(&headers, &body);
    let invalid_client = || {
        oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        )
    };
    let Some((client_id, client_secret)) = client_credentials(&headers, &params) else {
        return invalid_client();
    };
    if !util::secret_eq(&client_id, seed::ZEPTO_CLIENT_ID)
        || !util::secret_eq(&client_secret, seed::ZEPTO_CLIENT_SECRET)
    {
        return invalid_client();
    }
    let invalid_grant = || {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
        )
    };
    let grant_type = params.get("grant_type").map(String::as_str);
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        let scopes = match grant_type {
            Some("authorization_code") => {
                let (Some(code), Some(redirect_uri)) = (params.get("code"), params.get("redirect_uri")) else {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "The request is missing a required parameter (code, redirect_uri).",
                    );
                };
                // A code is single-use: it is gone once presented, even with a wrong redirect URI.
                match st.codes.remove(code) {
                    Some(c) if c.expires_at > cx.now && &c.redirect_uri == redirect_uri => c.scopes,
                    _ => return invalid_grant(),
                }
            }
            Some("refresh_token") => {
                let Some(refresh) = params.get("refresh_token") else {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "The request is missing a required parameter (refresh_token).",
                    );
                };
                // Rotation: a refresh token works once.
                match st.refresh_tokens.remove(refresh) {
                    Some(scopes) => scopes,
                    None => return invalid_grant(),
                }
            }
            Some(_) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server (use authorization_code or refresh_token).",
                );
            }
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The request is missing a required parameter (grant_type).",
                );
            }
        };
        let access = util::random_hex(64);
        let refresh = util::random_hex(64);
        let offline = scopes.iter().any(|s| s == "offline_access");
        let ttl = st.token_ttl;
        let expires_at = (!offline).then(|| {
            time::Duration::try_from(ttl)
                .ok()
                .and_then(|ttl| cx.now.checked_add(ttl))
                .unwrap_or(cx.now + time::Duration::hours(2))
        });
        st.access_tokens.insert(access.clone(), AccessToken { scopes: scopes.clone(), expires_at });
        st.refresh_tokens.insert(refresh.clone(), scopes.clone());
        let mut body = json!({
            "access_token": access,
            "token_type": "bearer",
            "refresh_token": refresh,
            "scope": scopes.join(" "),
            "created_at": cx.now.unix_timestamp(),
        });
        if !offline
            && let Some(obj) = body.as_object_mut() {
                obj.insert("expires_in".into(), json!(ttl.as_secs()));
            }
        token_response(&body)
    })
}

#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Option<OffsetDateTime>,
}

/// Checks the bearer token and its scope; personal access tokens carry every scope.
pub(crate) fn authenticate(
    st: &ZeptoState,
    headers: &HeaderMap,
    now: OffsetDateTime,
    scope: Option<&str>,
) -> Result<(), Response> {
    let token = util::header(headers, "authorization").and_then(|a| {
        a.strip_prefix("Bearer ")
            .or_else(|| a.strip_prefix("bearer "))
            .map(str::trim)
    });
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        let mut response = detailed_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Missing access token: send `Authorization: Bearer <access token>`",
            None,
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"Zepto\""),
        );
        return Err(response);
    };
    if util::secret_eq(token, seed::ZEPTO_PERSONAL_ACCESS_TOKEN) {
        return Ok(());
    }
    let forbidden = |detail: &str| {
        let mut response = detailed_error(StatusCode::FORBIDDEN, "Forbidden", detail, None);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"Zepto\", error=\"invalid_token\""),
        );
        response
    };
    let Some(access) = st.access_tokens.get(token) else {
        return Err(forbidden("The access token is invalid"));
    };
    if access.expires_at.is_some_and(|e| e <= now) {
        return Err(forbidden("The access token expired"));
    }
    if let Some(scope) = scope
        && !access.scopes.iter().any(|s| s == scope)
    {
        return Err(forbidden(&format!(
            "The access token lacks the `{scope}` scope (request it in the authorisation link)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_fields_are_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nrefresh_token\r\n--XyZ\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\nabc\r\n--XyZ--\r\n";
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            HeaderValue::from_static("multipart/form-data; boundary=XyZ"),
        );
        let params = token_params(&headers, body);
        assert_eq!(
            params.get("grant_type").map(String::as_str),
            Some("refresh_token")
        );
        assert_eq!(params.get("client_id").map(String::as_str), Some("abc"));
    }

    #[test]
    fn redirect_params_are_appended() {
        assert_eq!(
            with_params("http://127.0.0.1/cb", &[("code", "a b")]),
            "http://127.0.0.1/cb?code=a+b"
        );
        assert_eq!(
            with_params("http://127.0.0.1/cb?x=1", &[("code", "c")]),
            "http://127.0.0.1/cb?x=1&code=c"
        );
    }

    #[test]
    fn basic_credentials_are_decoded() {
        let mut headers = HeaderMap::new();
        // "id:se cret" with the secret form-encoded, as RFC 6749 asks.
        headers.insert(
            "authorization",
            HeaderValue::from_static("Basic aWQ6c2UrY3JldA=="),
        );
        assert_eq!(
            client_credentials(&headers, &BTreeMap::new()),
            Some(("id".to_string(), "se cret".to_string()))
        );
    }
}
