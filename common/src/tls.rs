//! TLS for the default transport, chosen at build time by one of this crate's features.
//!
//! | feature | stack | build cost |
//! |---|---|---|
//! | `rustls-ring` (default) | rustls with the `ring` crypto provider, platform certificate verification | a small C and assembly build inside `ring` (seconds) |
//! | `rustls-aws-lc` | rustls with `aws-lc-rs` (FIPS-capable) | AWS-LC built from C (about a minute) |
//! | `native-tls` | the platform's library (OpenSSL on Linux) | needs the OpenSSL development headers |
//! | none | plain HTTP only | nothing |
//!
//! Every provider crate forwards the same three features. `ring` is the default because it is
//! the quickest sound choice: no pure-Rust crypto provider for rustls is production-ready, and
//! `ring`'s C part builds with any C compiler, without CMake or NASM.
//!
//! With `rustls-ring`, the TLS configuration is handed to each client that
//! [`http_client_builder`] starts; no process-wide crypto provider is installed. Build your own
//! `reqwest` clients from [`http_client_builder`] too: a `reqwest::Client::new()` elsewhere in
//! a program that enables no other TLS stack finds no crypto provider.

use crate::error::Error;

/// A `reqwest` client builder with this crate's TLS stack and the transport's defaults
/// (connect timeout 10 s, idle connections kept 90 s). Start from it to add a proxy, extra
/// roots or other settings, then hand the client to a provider builder's `reqwest_client`.
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
    let builder = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .pool_idle_timeout(std::time::Duration::from_secs(90));
    configure(builder)
}

#[cfg(feature = "rustls-ring")]
fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    use std::sync::Arc;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| Error::Config(format!("could not load the platform's TLS roots: {e}")))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("could not configure TLS: {e}")))?
        .dangerous() // the platform verifier is the standard verifier, not a weakened one
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(config))
}

#[cfg(not(feature = "rustls-ring"))]
fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    // `rustls-aws-lc` and `native-tls` are reqwest's own defaults once enabled; with neither,
    // the client speaks plain HTTP.
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_stack_builds_a_client() {
        let client = http_client_builder().and_then(|b| {
            b.build()
                .map_err(|e| Error::Config(format!("build failed: {e}")))
        });
        assert!(client.is_ok(), "{client:?}");
    }
}
