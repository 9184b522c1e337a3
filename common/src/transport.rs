//! Sending bytes: the [`Transport`] trait and its default, [`ReqwestTransport`].

use std::fmt::{self, Debug};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use url::Url;

use crate::error::BoxError;

/// One HTTP request, fully built: the pipeline hands it to a [`Transport`] once per attempt.
#[derive(Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: Url,
    /// The headers. Credential headers are marked sensitive.
    pub headers: HeaderMap,
    /// The body (empty when there is none).
    pub body: Bytes,
    /// How long this attempt may take, when limited: the attempt timeout, or what is left of
    /// the call's deadline when that comes first. The pipeline relies on the transport for it
    /// (it starts no timer of its own around the transport).
    pub timeout: Option<Duration>,
}

impl Debug for HttpRequest {
    // The URL's query and the headers may carry credentials: show neither.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &display_url(&self.url))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The URL without its query string or credentials, safe to log.
pub fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

/// The answer to an [`HttpRequest`].
#[derive(Clone)]
pub struct HttpResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// How a request failed to produce a response; decides whether it may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection was made: the request cannot have reached the server.
    Connect,
    /// The attempt's time ran out; the server may have received the request.
    Timeout,
    /// The request failed after it may have reached the server.
    Request,
    /// The answer's body could not be read.
    Body,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect",
            Self::Timeout => "attempt timed out",
            Self::Request => "request failed",
            Self::Body => "could not read the answer",
        })
    }
}

/// A failure below HTTP: connecting, sending, or reading the answer.
///
/// Its `Display` names the host and the cause found at the bottom of the error chain:
/// `could not connect to api.example.com: connection refused`.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    host: Option<String>,
    source: BoxError,
}

impl TransportError {
    /// A transport error of `kind`. The source must not print credentials (for `reqwest`,
    /// strip the URL with `without_url`).
    pub fn new(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        Self {
            kind,
            host: None,
            source: source.into(),
        }
    }

    /// Names the host (and port) the request went to; the pipeline sets it.
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The host (and port) the request went to, when known.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The cause at the bottom of the error chain, in words: `connection reset`,
    /// `connection refused`, `connection closed before the answer was complete (EOF)`,
    /// `DNS lookup failed: ...`, or the innermost error's own message.
    pub fn cause(&self) -> String {
        root_cause(&*self.source)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.host) {
            (TransportErrorKind::Connect, Some(host)) => write!(f, "could not connect to {host}")?,
            (TransportErrorKind::Timeout, Some(host)) => {
                write!(f, "{host} did not answer in time")?
            }
            (TransportErrorKind::Request, Some(host)) => write!(f, "request to {host} failed")?,
            (TransportErrorKind::Body, Some(host)) => {
                write!(f, "could not read the answer of {host}")?;
            }
            (kind, _) => write!(f, "{kind}")?,
        }
        write!(f, ": {}", self.cause())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// Walks `error`'s source chain and describes what went wrong at its bottom. An I/O error kind
/// that says it in two words wins over the messages of the layers wrapping it.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    let mut io_cause = None;
    let mut dns = false;
    loop {
        dns |= current
            .to_string()
            .to_ascii_lowercase()
            .starts_with("dns error");
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            io_cause = io_kind_words(io.kind()).or(io_cause);
        }
        match current.source() {
            Some(next) => current = next,
            None => break,
        }
    }
    let innermost = current.to_string();
    let cause = match io_cause {
        Some(words) => words.to_owned(),
        None if innermost.contains("connection closed before message completed") => {
            "connection closed before the answer was complete (EOF)".to_owned()
        }
        None => innermost,
    };
    if dns {
        format!("DNS lookup failed: {cause}")
    } else {
        cause
    }
}

fn io_kind_words(kind: std::io::ErrorKind) -> Option<&'static str> {
    use std::io::ErrorKind;
    Some(match kind {
        ErrorKind::ConnectionReset => "connection reset",
        ErrorKind::ConnectionRefused => "connection refused",
        ErrorKind::ConnectionAborted => "connection aborted",
        ErrorKind::NotConnected => "not connected",
        ErrorKind::BrokenPipe => "connection closed while sending (broken pipe)",
        ErrorKind::UnexpectedEof => "connection closed before the answer was complete (EOF)",
        ErrorKind::TimedOut => "timed out",
        ErrorKind::AddrNotAvailable => "address not available",
        ErrorKind::HostUnreachable => "host unreachable",
        ErrorKind::NetworkUnreachable => "network unreachable",
        _ => return None,
    })
}

/// Sends one request and returns the whole answer.
///
/// Implement it to route the SDK through your own HTTP stack, a proxy layer, or a test double.
/// The pipeline calls it once per attempt; it must not retry on its own, and must end the
/// attempt with [`TransportErrorKind::Timeout`] once [`HttpRequest::timeout`] has passed (the
/// call's deadline is enforced through it).
#[async_trait]
pub trait Transport: Send + Sync + Debug {
    /// Sends `request` and reads the whole answer. Must honour `request.timeout`.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;

    /// `Some` only for [`ReqwestTransport`]: the pipeline then calls it directly, without the
    /// boxed future of an `async` trait call per attempt. Leave the default (`None`).
    fn as_reqwest(&self) -> Option<&ReqwestTransport> {
        None
    }
}

/// The default [`Transport`]: one pooled `reqwest` client, reused for every call.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport over a new client from [`crate::tls::http_client_builder`]: connect timeout
    /// 10 s, TLS from the crate feature you chose (rustls with `ring` by default).
    pub fn new() -> Result<Self, crate::Error> {
        let client = crate::tls::http_client_builder()?
            .build()
            .map_err(|e| crate::Error::Config(format!("could not build the HTTP client: {e}")))?;
        Ok(Self { client })
    }

    /// A transport over your own client (proxies, custom TLS roots, ...). Start it from
    /// [`crate::tls::http_client_builder`] to keep the TLS stack this crate was built with.
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

fn classify(error: &reqwest::Error) -> TransportErrorKind {
    if error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_body() || error.is_decode() {
        TransportErrorKind::Body
    } else {
        TransportErrorKind::Request
    }
}

fn wrap(error: reqwest::Error) -> TransportError {
    // `without_url`: a URL may carry an API key in its query string.
    TransportError::new(classify(&error), error.without_url())
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.execute(request).await
    }

    fn as_reqwest(&self) -> Option<&ReqwestTransport> {
        Some(self)
    }
}

impl ReqwestTransport {
    /// [`Transport::send`], as a plain `async fn` the pipeline can call without boxing it.
    pub(crate) async fn execute(
        &self,
        request: HttpRequest,
    ) -> Result<HttpResponse, TransportError> {
        // The parts move into reqwest's request as they are: nothing is copied header by header.
        let mut outgoing = reqwest::Request::new(request.method, request.url);
        *outgoing.headers_mut() = request.headers;
        if !request.body.is_empty() {
            *outgoing.body_mut() = Some(request.body.into());
        }
        *outgoing.timeout_mut() = request.timeout;
        let mut response = self.client.execute(outgoing).await.map_err(wrap)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(wrap)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_query_and_header_values() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer secret-token".parse().unwrap());
        let request = HttpRequest {
            method: Method::GET,
            url: Url::parse("https://user:pw@example.test/x?api_key=secret-key").unwrap(),
            headers,
            body: Bytes::new(),
            timeout: None,
        };
        let shown = format!("{request:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(!shown.contains("pw"), "{shown}");
        assert!(shown.contains("https://example.test/x"), "{shown}");
    }
}
