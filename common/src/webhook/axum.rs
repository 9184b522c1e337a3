//! axum glue (feature `axum`): an [`Inbox`] as a ready handler, a [`Receipt`] as a response.
//!
//! Nothing here decides anything the plain API does not: the handler reads the body up to the
//! verifier's [`body_limit`](super::Verifier::body_limit) and calls [`Inbox::receive`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::error::WebhookError;
use super::event::Event;
use super::inbox::{Inbox, Receipt};
use super::verifier::Scheme;
use crate::error::BoxError;

impl IntoResponse for Receipt {
    fn into_response(self) -> Response {
        self.status().into_response()
    }
}

/// The future an inbox handler returns.
pub type ReceiptFuture = Pin<Box<dyn Future<Output = Receipt> + Send>>;

impl<S: Scheme> Inbox<S> {
    /// An axum handler for this provider's webhook route: reads the headers and at most
    /// [`body_limit`](super::Verifier::body_limit) bytes of body, then
    /// [`receive`](Inbox::receive)s the delivery with `handle` and answers with the
    /// [`Receipt`]'s status.
    ///
    /// ```
    /// # #[derive(Debug, Default)] struct Ping;
    /// # impl splitkit_common::webhook::Scheme for Ping {
    /// #     type Payload = ();
    /// #     fn provider(&self) -> &'static str { "ping" }
    /// #     fn retry_window(&self) -> std::time::Duration { std::time::Duration::from_secs(60) }
    /// #     fn proof<'a>(&self, _: &'a http::HeaderMap, _: &'a [u8], _: &splitkit_common::webhook::Limits)
    /// #         -> Result<splitkit_common::webhook::Proof<'a>, splitkit_common::webhook::WebhookError> {
    /// #         Ok(splitkit_common::webhook::Proof::SharedSecret("s".into()))
    /// #     }
    /// #     fn decode(&self, _: &http::HeaderMap, _: &[u8]) -> splitkit_common::webhook::Decoded<()> {
    /// #         splitkit_common::webhook::Decoded { id: None, payload: Ok(()) }
    /// #     }
    /// # }
    /// use splitkit_common::webhook::{Event, Inbox, Verifier};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let inbox = Inbox::new(Verifier::<Ping>::new(["s"])?);
    /// let app: axum::Router = axum::Router::new().route(
    ///     "/webhooks/ping",
    ///     axum::routing::post(inbox.into_handler(|event: Event<()>| async move {
    ///         println!("persist {} before answering", event.id);
    ///         Ok::<_, std::io::Error>(())
    ///     })),
    /// );
    /// # Ok(()) }
    /// ```
    pub fn into_handler<F, Fut, E>(
        self,
        handle: F,
    ) -> impl Fn(Request) -> ReceiptFuture + Clone + Send + Sync + 'static
    where
        F: Fn(Event<S::Payload>) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError> + 'static,
        S::Payload: Sync,
    {
        let inbox = Arc::new(self);
        move |request: Request| {
            let inbox = Arc::clone(&inbox);
            let handle = handle.clone();
            Box::pin(async move {
                let (parts, body) = request.into_parts();
                match read_body(body, inbox.verifier().body_limit()).await {
                    Ok(body) => inbox.receive(&parts.headers, &body, handle).await,
                    Err(error) => inbox.reject(error),
                }
            })
        }
    }
}

/// The whole body, or [`WebhookError::BodyTooLarge`] as soon as it passes `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<bytes::Bytes, WebhookError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(WebhookError::BodyTooLarge { limit }),
        Err(_) => Err(WebhookError::MalformedBody {
            reason: "the body could not be read to its end",
        }),
    }
}
