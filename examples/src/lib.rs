//! Runnable programs a merchant can copy (in `src/bin/`), and the tour's flows as a library so
//! that the end-to-end tests (`tests/`) drive exactly what the tour shows.

pub mod neutral;
pub mod receiving;
pub mod tour;

/// An HTTP client for talking to the emulator's control endpoints, started from the SDK
/// runtime's builder so that it carries the TLS stack the SDKs were built with.
pub fn http_client() -> Result<reqwest::Client, String> {
    splitkit_common::tls::http_client_builder()
        .map_err(|e| e.to_string())?
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// The README's code, compiled as doctests (its "Receiving webhooks" handlers).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
