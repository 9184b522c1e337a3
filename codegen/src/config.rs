//! `codegen.toml`: what the OpenAPI document does not say, or says wrongly.
//!
//! Parsing checks only the file's own shape (unknown keys are errors). Whether the names in it
//! exist in the document is checked while lowering, see [`crate::lower`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Error;

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Header that carries an idempotency key, for operations that accept one.
    pub idempotency_header: Option<String>,
    /// The schema the provider answers errors with.
    pub error_schema: Option<String>,
    /// `Schema.field` names of string fields generated as `SecretString`.
    #[serde(default)]
    pub secret_fields: Vec<String>,
    /// Per-operation settings, by `operationId`.
    #[serde(default)]
    pub operations: BTreeMap<String, OperationConfig>,
}

/// `[operations.<operationId>]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationConfig {
    /// The operation honours an idempotency key.
    #[serde(default)]
    pub idempotency_key: bool,
    /// Overrides whether the operation is retry-safe (by default: by its method).
    pub idempotent: Option<bool>,
    /// How the operation's answer points at the next page.
    pub pagination: Option<PaginationConfig>,
}

/// `pagination = { kind = "...", ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum PaginationConfig {
    /// A list that always comes whole, in one answer (no paging), decoded item by item like a
    /// page.
    Unpaged {
        /// The response field holding the items (`""`: the body is the array).
        items: String,
    },
    /// RFC 8288 `Link` header pagination.
    Link {
        /// The response field holding the items (`""`: the body is the array).
        items: String,
    },
    /// A cursor in the body, sent back as a query parameter.
    Cursor {
        /// The response field holding the items (`""`: the body is the array).
        items: String,
        /// The response field holding the next cursor.
        cursor_field: String,
        /// The query parameter that carries the cursor.
        cursor_param: String,
        /// The response field that says whether more pages exist.
        has_more_field: Option<String>,
    },
    /// Numbered pages.
    Page {
        /// The response field holding the items (`""`: the body is the array).
        items: String,
        /// The query parameter that carries the page number.
        page_param: String,
    },
}

impl PaginationConfig {
    /// The response field holding the items.
    pub fn items(&self) -> &str {
        match self {
            Self::Unpaged { items }
            | Self::Link { items }
            | Self::Cursor { items, .. }
            | Self::Page { items, .. } => items,
        }
    }
}

impl Config {
    /// Parses the text of `file` (named in errors).
    pub fn parse(file: &str, text: &str) -> Result<Self, Error> {
        toml::from_str(text).map_err(|error| Error::in_file(file, error.to_string().trim_end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_setting() {
        let config = Config::parse(
            "codegen.toml",
            r#"
idempotency_header = "Idempotency-Key"
error_schema = "ErrorResponse"
secret_fields = ["Endpoint.secret"]

[operations.createPayment]
idempotency_key = true
idempotent = true

[operations.listPayments]
pagination = { kind = "link", items = "" }

[operations.listSessions]
pagination = { kind = "cursor", items = "data", cursor_field = "next", cursor_param = "cursor", has_more_field = "has_more" }

[operations.listThings]
pagination = { kind = "page", items = "data", page_param = "page" }

[operations.listHooks]
pagination = { kind = "unpaged", items = "data" }
"#,
        )
        .expect("valid config");
        assert_eq!(
            config.idempotency_header.as_deref(),
            Some("Idempotency-Key")
        );
        assert_eq!(config.secret_fields, ["Endpoint.secret"]);
        let create = &config.operations["createPayment"];
        assert!(create.idempotency_key);
        assert_eq!(create.idempotent, Some(true));
        assert_eq!(
            config.operations["listPayments"].pagination,
            Some(PaginationConfig::Link {
                items: String::new()
            })
        );
        assert_eq!(
            config.operations["listHooks"].pagination,
            Some(PaginationConfig::Unpaged {
                items: "data".into()
            })
        );
        assert_eq!(
            config.operations["listThings"].pagination,
            Some(PaginationConfig::Page {
                items: "data".into(),
                page_param: "page".into()
            })
        );
    }

    #[test]
    fn rejects_unknown_keys_and_kinds() {
        let error = Config::parse("c.toml", "idempotency_heder = \"X\"").expect_err("typo");
        assert!(error.to_string().starts_with("c.toml: "), "{error}");
        assert!(error.to_string().contains("idempotency_heder"), "{error}");

        let error = Config::parse(
            "c.toml",
            "[operations.a]\npagination = { kind = \"offset\", items = \"\" }",
        )
        .expect_err("unknown kind");
        assert!(error.to_string().contains("offset"), "{error}");

        Config::parse(
            "c.toml",
            "[operations.a]\npagination = { kind = \"link\", items = \"\", page = \"p\" }",
        )
        .expect_err("unknown pagination key");
    }
}
