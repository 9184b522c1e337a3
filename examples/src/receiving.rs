//! What the example receivers share: serving an axum router on a listener, and printing what
//! became of each delivery around the SDK's ready handler.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::future::Future;
use std::pin::Pin;

use axum::Router;
use axum::extract::Request;
use axum::routing::post;
use splitkit_common::webhook::{Outcome, Receipt};
use tokio::net::TcpListener;

/// The future of an inbox handler (`Inbox::into_handler`).
pub type ReceiptFuture = Pin<Box<dyn Future<Output = Receipt> + Send>>;

/// A router that sends `POST` to any path to `handler`.
pub fn router<H>(handler: H) -> Router
where
    H: Fn(Request) -> ReceiptFuture + Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/", post(handler.clone()))
        .route("/{*path}", post(handler))
}

/// Serves `app` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, app: Router) {
    if let Err(e) = axum::serve(listener, app).await {
        println!("the receiver stopped: {e}");
    }
}

/// `handler`, printing each delivery's outcome and answer and telling `on_outcome` of it.
pub fn observed<H, O>(
    handler: H,
    on_outcome: O,
) -> impl Fn(Request) -> ReceiptFuture + Clone + Send + Sync + 'static
where
    H: Fn(Request) -> ReceiptFuture + Clone + Send + Sync + 'static,
    O: Fn(&Outcome) + Clone + Send + Sync + 'static,
{
    move |request| {
        let receipt = handler(request);
        let on_outcome = on_outcome.clone();
        Box::pin(async move {
            let receipt = receipt.await;
            let status = receipt.status();
            match receipt.outcome() {
                Outcome::Handled { .. } => {}
                Outcome::Duplicate { id } => println!("{id} again: already handled ({status})"),
                Outcome::InProgress { id } => println!("{id}: being handled elsewhere ({status})"),
                Outcome::Rejected(error) => println!("rejected a delivery: {error} ({status})"),
                Outcome::Failed { id, error } => {
                    println!("{id}: handling failed: {error} ({status})")
                }
                _ => println!("answered {status}"),
            }
            on_outcome(receipt.outcome());
            receipt
        })
    }
}
