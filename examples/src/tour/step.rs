//! Printing steps and turning failures into one readable line.

use std::fmt::Display;

/// A failed step, as the line the tour prints.
pub type Outcome<T = ()> = Result<T, String>;

/// Prints the heading of a provider's flow.
pub fn heading(text: &str) {
    println!("\n== {text}");
}

/// Prints a step that happened.
pub fn done(text: impl Display) {
    println!("  - {text}");
}

/// Fails the flow with `what` unless `ok`.
pub fn check(ok: bool, what: impl Display) -> Outcome {
    if ok {
        println!("  ok: {what}");
        Ok(())
    } else {
        Err(format!("expected: {what}"))
    }
}

/// Adds what the tour was doing to an error.
pub trait Context<T> {
    /// `Err(e)` becomes `Err("<doing>: <e>")`.
    fn doing(self, doing: &str) -> Outcome<T>;
}

impl<T, E: Display> Context<T> for Result<T, E> {
    fn doing(self, doing: &str) -> Outcome<T> {
        self.map_err(|e| format!("{doing}: {e}"))
    }
}

/// Drives the emulator's control endpoints (what a shopper or a bank would do).
pub async fn control(url: &str, body: &str) -> Outcome<serde_json::Value> {
    let response = crate::http_client()?
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .doing(url)?;
    let status = response.status();
    let bytes = response.bytes().await.doing(url)?;
    if !status.is_success() {
        return Err(format!(
            "{url} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    if bytes.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(&bytes).doing(url)
}
