//! [`ResponseFixture`]: a response as a provider's API sends it, for tests of code that calls
//! the API through a mock server ([`wiremock`]). Each provider crate's `testing` module builds
//! these from its provider's documented examples, with typed setters for the common fields.

use serde::Serialize;
use serde_json::Value;
use wiremock::{Request, Respond, ResponseTemplate};

/// A response a provider's API would send: a status, headers and a body, the body written
/// byte for byte as the provider writes it (its field names, its number forms). It answers a
/// `wiremock` mock directly: `Mock::given(..).respond_with(fixture)`.
///
/// ```
/// use serde_json::json;
/// use splitkit_common::testing::ResponseFixture;
///
/// let fixture = ResponseFixture::json(json!({ "data": { "ref": "PB.1", "amount": 100 } }))
///     .set("/data/amount", 2_500)
///     .with_status(201);
/// assert_eq!(fixture.to_bytes(), br#"{"data":{"amount":2500,"ref":"PB.1"}}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseFixture {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    Json(Value),
    Text { text: String, content_type: String },
    Empty,
}

impl ResponseFixture {
    /// `200` with `value` as its JSON body (`Content-Type: application/json`).
    pub fn json(value: Value) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: Body::Json(value),
        }
    }

    /// `200` with a body already written (exact decimals, a form, ...).
    pub fn text(text: impl Into<String>, content_type: &str) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: Body::Text {
                text: text.into(),
                content_type: content_type.to_string(),
            },
        }
    }

    /// `204 No Content`.
    pub fn no_content() -> Self {
        Self {
            status: 204,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// Answers with `status` instead.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the JSON body's field at `pointer` (RFC 6901, `/data/payouts/0/amount`) to
    /// `value`, creating the objects on the way. A pointer through something that is not an
    /// object (or an array index beyond its end) changes nothing; so does a body that is not
    /// JSON.
    pub fn set(mut self, pointer: &str, value: impl Serialize) -> Self {
        if let (Body::Json(body), Ok(value)) = (&mut self.body, serde_json::to_value(value))
            && let Some(slot) = slot(body, pointer)
        {
            *slot = value;
        }
        self
    }

    /// Removes the JSON body's field at `pointer` (a provider that leaves a field out).
    pub fn remove(mut self, pointer: &str) -> Self {
        if let Body::Json(body) = &mut self.body
            && let Some((parent, last)) = pointer.rsplit_once('/')
            && let Some(Value::Object(map)) = body.pointer_mut(parent)
        {
            map.remove(&unescape(last));
        }
        self
    }

    /// The status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The JSON body (`None` for a written or empty body).
    pub fn body(&self) -> Option<&Value> {
        match &self.body {
            Body::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The body's bytes, as sent.
    pub fn to_bytes(&self) -> Vec<u8> {
        match &self.body {
            Body::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            Body::Text { text, .. } => text.clone().into_bytes(),
            Body::Empty => Vec::new(),
        }
    }

    /// The `wiremock` answer.
    pub fn respond(&self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        template = match &self.body {
            Body::Json(_) => template.set_body_raw(self.to_bytes(), "application/json"),
            Body::Text { text, content_type } => {
                template.set_body_raw(text.clone().into_bytes(), content_type)
            }
            Body::Empty => template,
        };
        for (name, value) in &self.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        template
    }
}

impl Respond for ResponseFixture {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        ResponseFixture::respond(self)
    }
}

/// Defines a provider's fixture type: a newtype over [`ResponseFixture`] whose answer is
/// `$body` (a `serde_json::Value`) and whose fields live below the JSON pointer `$root` (`""`
/// when the object is the whole body, `"/data"` when the provider wraps it), with `set`,
/// `remove`, `with_status`, `item` (the object below `$root`), `From<_> for ResponseFixture`
/// and `wiremock::Respond`, and a constructor function `$ctor` documented as the type.
///
/// Typed setters go in an `impl` of the type, each a `set` of one pointer.
#[macro_export]
macro_rules! response_fixture {
    ($(#[$doc:meta])* $name:ident, $ctor:ident, $root:literal, $body:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name($crate::testing::ResponseFixture);

        $(#[$doc])*
        pub fn $ctor() -> $name {
            $name($crate::testing::ResponseFixture::json($body))
        }

        impl $name {
            /// Sets the field at the JSON pointer `pointer` below the object
            /// (`"/status"`, `"/group/members/0/status"`).
            pub fn set(self, pointer: &str, value: impl ::serde::Serialize) -> Self {
                Self(self.0.set(&format!("{}{pointer}", $root), value))
            }

            /// Leaves the field at `pointer` below the object out.
            pub fn remove(self, pointer: &str) -> Self {
                Self(self.0.remove(&format!("{}{pointer}", $root)))
            }

            /// Answers with `status` instead of the operation's success status.
            pub fn with_status(self, status: u16) -> Self {
                Self(self.0.with_status(status))
            }

            /// The object alone (for lists and webhook bodies).
            pub fn item(&self) -> ::serde_json::Value {
                self.0
                    .body()
                    .and_then(|b| b.pointer($root))
                    .cloned()
                    .unwrap_or_default()
            }
        }

        impl ::core::convert::From<$name> for $crate::testing::ResponseFixture {
            fn from(fixture: $name) -> Self {
                fixture.0
            }
        }

        impl $crate::testing::wiremock::Respond for $name {
            fn respond(
                &self,
                _request: &$crate::testing::wiremock::Request,
            ) -> $crate::testing::wiremock::ResponseTemplate {
                self.0.respond()
            }
        }
    };
}

/// Typed setters of a [`response_fixture!`] type, each setting one JSON pointer:
/// `response_fixture_setters!(Payment { /// doc
/// amount("/payouts/0/amount"): i64; })`.
#[macro_export]
macro_rules! response_fixture_setters {
    ($name:ident { $($(#[$doc:meta])* $method:ident($pointer:literal): $ty:ty;)* }) => {
        impl $name {
            $(
                $(#[$doc])*
                pub fn $method(self, value: $ty) -> Self {
                    self.set($pointer, value)
                }
            )*
        }
    };
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The place `pointer` names in `value`, with missing object members created as `null`.
fn slot<'a>(value: &'a mut Value, pointer: &str) -> Option<&'a mut Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let mut current = value;
    for token in pointer.strip_prefix('/')?.split('/').map(unescape) {
        current = match current {
            Value::Object(map) => map.entry(token).or_insert(Value::Null),
            Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
            Value::Null => {
                *current = Value::Object(serde_json::Map::new());
                match current {
                    Value::Object(map) => map.entry(token).or_insert(Value::Null),
                    _ => return None,
                }
            }
            _ => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn set_and_remove_follow_json_pointers() {
        let fixture = ResponseFixture::json(json!({ "data": { "payouts": [{ "amount": 1 }] } }))
            .set("/data/payouts/0/amount", 7)
            .set("/data/metadata/order", "42")
            .set("/data/payouts/3/amount", 9)
            .set("/data/payouts/0/amount/deeper", 9)
            .remove("/data/missing")
            .set("/a~1b", true);
        assert_eq!(
            fixture.body(),
            Some(&json!({
                "data": { "payouts": [{ "amount": 7 }], "metadata": { "order": "42" } },
                "a/b": true,
            }))
        );
        let removed = fixture.remove("/data/metadata");
        assert!(
            removed
                .body()
                .is_some_and(|b| b["data"].get("metadata").is_none())
        );
    }

    #[test]
    fn written_bodies_stay_as_written() {
        let fixture = ResponseFixture::text(r#"{"total":200.00}"#, "application/json")
            .set("/total", 1)
            .with_status(201)
            .with_header("x-request-id", "r1");
        assert_eq!(fixture.to_bytes(), br#"{"total":200.00}"#);
        assert_eq!(fixture.status(), 201);
        assert!(ResponseFixture::no_content().to_bytes().is_empty());
    }
}
