//! Static description of one API operation: what the pipeline needs to know to send it safely.

/// The HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// The method as `http` knows it.
    pub fn to_http(self) -> http::Method {
        match self {
            Self::Get => http::Method::GET,
            Self::Post => http::Method::POST,
            Self::Put => http::Method::PUT,
            Self::Patch => http::Method::PATCH,
            Self::Delete => http::Method::DELETE,
            Self::Head => http::Method::HEAD,
            Self::Options => http::Method::OPTIONS,
        }
    }

    /// Whether HTTP defines the method as idempotent (RFC 9110, 9.2.2).
    pub const fn is_idempotent(self) -> bool {
        !matches!(self, Self::Post | Self::Patch)
    }
}

/// How an operation's answer points at the next page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pagination {
    /// Not a list (or a list read as one value).
    None,
    /// A list that always comes whole, in one answer: no next page, but decoded like a page
    /// (an item that cannot be decoded is isolated in `Page::rejected`).
    Unpaged {
        /// The top-level body field holding the items (`""`: the body is the array).
        items: &'static str,
    },
    /// RFC 8288 `Link` header with `rel="next"`, plus `Per-Page` and `Total` headers.
    Link {
        /// The top-level body field holding the items (`""`: the body is the array).
        items: &'static str,
    },
    /// A cursor in the body, sent back as a query parameter.
    Cursor {
        /// The top-level body field holding the items (`""`: the body is the array).
        items: &'static str,
        /// The body field holding the next cursor (`null` or absent at the end).
        cursor_field: &'static str,
        /// The query parameter that carries the cursor.
        cursor_param: &'static str,
        /// A body field that says whether more pages exist, when the provider sends one.
        has_more_field: Option<&'static str>,
    },
    /// Numbered pages: the next page is the current page plus one, until a page is empty
    /// (or the `Total` header says the end is reached).
    PageNumber {
        /// The top-level body field holding the items (`""`: the body is the array).
        items: &'static str,
        /// The query parameter that carries the page number (the first page is 1).
        page_param: &'static str,
    },
}

impl Pagination {
    /// The body field holding the items, when the operation is a list.
    pub const fn items_field(&self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Unpaged { items }
            | Self::Link { items }
            | Self::Cursor { items, .. }
            | Self::PageNumber { items, .. } => Some(items),
        }
    }
}

/// Everything the pipeline needs to know about an operation, fixed at compile time.
///
/// Provider crates hold one `static` per operation, generated from their OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The OpenAPI `operationId`; shows in errors and tracing spans.
    pub id: &'static str,
    /// The method.
    pub method: Method,
    /// The path template below the base URL, with `{name}` placeholders.
    pub path: &'static str,
    /// Whether sending the request twice has the same effect as once; decides retries of
    /// failures that may have reached the server.
    pub idempotent: bool,
    /// Whether the provider honours an idempotency key on this operation. When it does, the
    /// pipeline always sends one (the caller's, or a new UUIDv4), the same on every attempt.
    pub idempotency_key: bool,
    /// How the answer points at the next page.
    pub pagination: Pagination,
}
