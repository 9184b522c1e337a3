//! A request value: operation metadata plus parameters and body, built once per call.

use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};
use std::ops::Range;
use std::time::Duration;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use url::Url;

use crate::error::Error;
use crate::idempotency::IdempotencyKey;
use crate::operation::Operation;

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The body of a request, serialised once and re-sent unchanged on every attempt.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// No body.
    Empty,
    /// `application/json`.
    Json(Bytes),
    /// `application/x-www-form-urlencoded`.
    Form(Bytes),
}

impl Body {
    /// The `Content-Type` the body needs, if any.
    pub fn content_type(&self) -> Option<&'static str> {
        match self {
            Self::Empty => None,
            Self::Json(_) => Some("application/json"),
            Self::Form(_) => Some("application/x-www-form-urlencoded"),
        }
    }

    /// The bytes (empty for [`Body::Empty`]).
    pub fn bytes(&self) -> Bytes {
        match self {
            Self::Empty => Bytes::new(),
            Self::Json(b) | Self::Form(b) => b.clone(),
        }
    }
}

impl fmt::Debug for Body {
    // Bodies can hold personal data and secrets; show their size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Json(b) => write!(f, "Json({} bytes)", b.len()),
            Self::Form(b) => write!(f, "Form({} bytes)", b.len()),
        }
    }
}

/// Where `{name}` is in `template`, searching from byte `from`.
fn placeholder(template: &str, name: &str, from: usize) -> Option<Range<usize>> {
    let mut at = from;
    loop {
        let open = at + template.get(at..)?.find('{')?;
        let after = &template[open + 1..];
        if after.starts_with(name) && after[name.len()..].starts_with('}') {
            return Some(open..open + name.len() + 2);
        }
        at = open + 1;
    }
}

/// Percent-encodes what is written to it as one path segment.
struct SegmentEncoder<'a>(&'a mut String);

impl fmt::Write for SegmentEncoder<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.extend(utf8_percent_encode(text, PATH_SEGMENT));
        Ok(())
    }
}

/// A generated open enum: one variant per value the SDK knows, plus `Unknown` holding a value
/// read from an answer that this SDK does not know.
///
/// `Unknown` values are kept when reading and refused when writing ("strict writer"): in a JSON
/// body their `Serialize` fails, and in a path, query or header parameter the generated request
/// builders call [`ensure_known`] before anything is built.
pub trait OpenEnum: Display {
    /// Whether this is the `Unknown` variant.
    fn is_unknown(&self) -> bool;
}

/// Refuses, with a [`Error::Validation`] naming `parameter`, any value in `values` that is an
/// `Unknown` enum value. Takes one value (`[&v]`), an `Option` (`&opt`) or a list (`&list`).
pub fn ensure_known<'a, E: OpenEnum + 'a>(
    parameter: &'static str,
    values: impl IntoIterator<Item = &'a E>,
) -> Result<(), Error> {
    match values.into_iter().find(|value| value.is_unknown()) {
        Some(value) => Err(Error::validation(
            parameter,
            format!("`{value}` is not a value this SDK knows, so it is not sent"),
        )),
        None => Ok(()),
    }
}

/// One call to one operation, before it is sent.
///
/// Generated code builds it from the operation's parameters; hand-written code can add an
/// idempotency key or call-specific limits before handing it to [`crate::ApiClient`].
#[derive(Clone)]
pub struct Request {
    pub(crate) operation: &'static Operation,
    /// The operation's template until a parameter is filled in.
    pub(crate) path: Cow<'static, str>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) idempotency_key: Option<IdempotencyKey>,
    /// Replaces base URL, path and query: set when following a `Link` header.
    pub(crate) absolute_url: Option<Url>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
}

impl fmt::Debug for Request {
    // Query and header values may be credentials or personal data: names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.operation.id)
            .field("path", &self.path)
            .field(
                "query",
                &self.query.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("body", &self.body)
            .field("idempotency_key", &self.idempotency_key)
            .finish()
    }
}

impl Request {
    /// A request for `operation` with no parameters yet.
    pub fn new(operation: &'static Operation) -> Self {
        Self {
            operation,
            path: Cow::Borrowed(operation.path),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            idempotency_key: None,
            absolute_url: None,
            attempt_timeout: None,
            deadline: None,
        }
    }

    /// The operation this request calls.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// Fills the `{name}` placeholder of the path with `value`, percent-encoded as one segment.
    pub fn path_param(mut self, name: &str, value: impl Display) -> Self {
        let template = &*self.path;
        let Some(first) = placeholder(template, name, 0) else {
            return self;
        };
        // Written straight into the new path, encoded as it is formatted.
        let mut path = String::with_capacity(template.len() + 32);
        path.push_str(&template[..first.start]);
        let start = path.len();
        let _ = write!(SegmentEncoder(&mut path), "{value}");
        let encoded = start..path.len();
        let mut rest = first.end;
        while let Some(next) = placeholder(template, name, rest) {
            path.push_str(&template[rest..next.start]);
            path.extend_from_within(encoded.clone());
            rest = next.end;
        }
        path.push_str(&template[rest..]);
        self.path = Cow::Owned(path);
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: impl Display) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt<T: Display>(self, name: &str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Adds an array query parameter: `name=a&name=b` when `explode`, else `name=a,b`.
    /// An empty list adds nothing.
    pub fn query_list<I>(mut self, name: &str, values: I, explode: bool) -> Self
    where
        I: IntoIterator,
        I::Item: Display,
    {
        if explode {
            for v in values {
                self = self.query(name, v);
            }
            self
        } else {
            let mut joined = String::new();
            for (i, v) in values.into_iter().enumerate() {
                if i > 0 {
                    joined.push(',');
                }
                let _ = write!(joined, "{v}");
            }
            if joined.is_empty() {
                self
            } else {
                self.query(name, joined)
            }
        }
    }

    /// Replaces the value of a query parameter (or adds it).
    pub fn set_query(mut self, name: &str, value: impl Display) -> Self {
        self.query.retain(|(k, _)| k != name);
        self.query(name, value)
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Display) -> Self {
        self.headers.push((name.to_owned(), value.to_string()));
        self
    }

    /// Adds a header when `value` is `Some`.
    pub fn header_opt<T: Display>(self, name: &str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }

    /// Sets a JSON body.
    pub fn json_body<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::validation("body", format!("could not be encoded as JSON: {e}")))?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets a form-urlencoded body from a flat struct or map.
    pub fn form_body<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let text = serde_urlencoded::to_string(body)
            .map_err(|e| Error::validation("body", format!("could not be form-encoded: {e}")))?;
        self.body = Body::Form(Bytes::from(text));
        Ok(self)
    }

    /// Sets a form-urlencoded body from ordered pairs (for fields that a struct cannot name,
    /// such as numbered line items).
    pub fn form_pairs<K, V, I>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            form.append_pair(k.as_ref(), v.as_ref());
        }
        self.body = Body::Form(Bytes::from(form.finish()));
        self
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Uses your own idempotency key instead of a generated one. Only operations that accept a
    /// key take one; for the others the call fails with a validation error before sending.
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// The idempotency key set so far (the pipeline creates one at send time when none is set).
    pub fn idempotency_key_value(&self) -> Option<&IdempotencyKey> {
        self.idempotency_key.as_ref()
    }

    /// Limits each attempt of this call to `timeout` (overrides the client's setting).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Limits the whole call, retries included, to `deadline` (overrides the client's setting).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The same request aimed at an absolute URL (a `Link` header's `next`).
    pub(crate) fn with_absolute_url(mut self, url: Url) -> Self {
        self.absolute_url = Some(url);
        self.query.clear();
        self
    }

    /// The URL this request goes to, below `base`.
    pub(crate) fn url(&self, base: &Url) -> Result<Url, Error> {
        if let Some(url) = &self.absolute_url {
            return Ok(url.clone());
        }
        if let Some(start) = self.path.find('{') {
            return Err(Error::Config(format!(
                "{}: path parameter left unfilled in `{}` at byte {start}",
                self.operation.id, self.path
            )));
        }
        // The base's scheme and host stay as parsed; only the path is set (and checked).
        let mut url = base.clone();
        match base.path().trim_end_matches('/') {
            "" => url.set_path(&self.path),
            prefix => url.set_path(&format!("{prefix}{}", self.path)),
        }
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{Method, Pagination};

    static GET_THING: Operation = Operation {
        id: "getThing",
        method: Method::Get,
        path: "/things/{thing_id}/parts",
        idempotent: true,
        idempotency_key: false,
        pagination: Pagination::None,
    };

    #[test]
    fn builds_url_with_encoded_path_and_query() {
        let base = Url::parse("https://api.example.test/api/v1/").unwrap();
        let url = Request::new(&GET_THING)
            .path_param("thing_id", "a/b c")
            .query("per_page", 100)
            .query_list("status", ["paid", "failed"], false)
            .query_list("ref", ["x", "y"], true)
            .query_opt("missing", None::<&str>)
            .query_list("empty", Vec::<String>::new(), false)
            .url(&base)
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://api.example.test/api/v1/things/a%2Fb%20c/parts?per_page=100&status=paid%2Cfailed&ref=x&ref=y"
        );
    }

    #[test]
    fn unfilled_path_parameter_is_an_error() {
        let base = Url::parse("https://api.example.test").unwrap();
        let err = Request::new(&GET_THING).url(&base).unwrap_err();
        assert!(err.to_string().contains("unfilled"), "{err}");
    }

    #[test]
    fn form_pairs_keep_order_and_encode() {
        let req = Request::new(&GET_THING)
            .form_pairs([("item_name_1", "Tea & cake"), ("amount_1", "450")]);
        assert_eq!(
            req.body().bytes(),
            Bytes::from_static(b"item_name_1=Tea+%26+cake&amount_1=450")
        );
    }

    #[test]
    fn unknown_enum_values_are_refused_by_parameter_name() {
        struct Status(&'static str);
        impl Display for Status {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
        impl OpenEnum for Status {
            fn is_unknown(&self) -> bool {
                self.0 != "paid"
            }
        }
        assert!(ensure_known("status", [&Status("paid")]).is_ok());
        assert!(ensure_known("status", &None::<Status>).is_ok());
        let err = ensure_known("status", &vec![Status("paid"), Status("bogus")]).unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "status"),
            "{err:?}"
        );
        assert!(err.to_string().contains("`bogus`"), "{err}");
    }

    #[test]
    fn debug_shows_names_not_values() {
        let req = Request::new(&GET_THING)
            .query("api_key", "secret-value")
            .header("X-Key", "secret-value");
        assert!(!format!("{req:?}").contains("secret-value"));
    }
}
