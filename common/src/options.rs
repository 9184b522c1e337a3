//! [`HttpOptions`]: how a provider client sends requests, shared by every provider's builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::client::ApiClientBuilder;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// Transport, retry and time-limit settings a provider's client builder collects and hands to
/// its [`crate::ApiClient`]. Unset values keep the runtime's defaults.
///
/// Provider builders hold one in a field named `http` and get the documented setters
/// (`transport`, `reqwest_client`, `retry`, `attempt_timeout`, `deadline`, `user_agent`) from
/// [`crate::http_options_setters!`], so every provider offers the same knobs with the same words.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct HttpOptions {
    /// Sends requests (default: a pooled `reqwest` client with rustls).
    pub transport: Option<Arc<dyn Transport>>,
    /// Retries (default [`RetryPolicy::default`]).
    pub retry: Option<RetryPolicy>,
    /// Limits each attempt (default 30 s).
    pub attempt_timeout: Option<Duration>,
    /// Limits each whole call, retries and waits included (default 120 s).
    pub deadline: Option<Duration>,
    /// The `User-Agent` header (default `splitkit/<version>`).
    pub user_agent: Option<String>,
}

impl fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpOptions")
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl HttpOptions {
    /// Applies the settings that were set to `builder`.
    pub fn apply(self, mut builder: ApiClientBuilder) -> ApiClientBuilder {
        if let Some(transport) = self.transport {
            builder = builder.transport(transport);
        }
        if let Some(retry) = self.retry {
            builder = builder.retry(retry);
        }
        if let Some(timeout) = self.attempt_timeout {
            builder = builder.attempt_timeout(timeout);
        }
        if let Some(deadline) = self.deadline {
            builder = builder.deadline(deadline);
        }
        if let Some(user_agent) = self.user_agent {
            builder = builder.user_agent(user_agent);
        }
        builder
    }
}

/// Writes the [`HttpOptions`] setters into a provider's builder `impl` block. The builder must
/// have a field `http: HttpOptions`.
///
/// ```
/// use splitkit_common::HttpOptions;
///
/// /// A provider's client builder.
/// pub struct ClientBuilder {
///     http: HttpOptions,
/// }
///
/// impl ClientBuilder {
///     splitkit_common::http_options_setters!();
/// }
///
/// let builder = ClientBuilder { http: HttpOptions::default() }
///     .retry(splitkit_common::RetryPolicy::none())
///     .deadline(std::time::Duration::from_secs(10));
/// assert_eq!(builder.http.deadline, Some(std::time::Duration::from_secs(10)));
/// ```
#[macro_export]
macro_rules! http_options_setters {
    () => {
        /// Sends requests with `transport` (default: a pooled `reqwest` client with rustls):
        /// your own HTTP stack, a proxy layer, or a test double.
        pub fn transport(mut self, transport: ::std::sync::Arc<dyn $crate::Transport>) -> Self {
            self.http.transport = ::std::option::Option::Some(transport);
            self
        }

        /// Sends requests with your own `reqwest` client (proxies, TLS settings, ...).
        pub fn reqwest_client(self, client: $crate::reqwest::Client) -> Self {
            self.transport(::std::sync::Arc::new(
                $crate::ReqwestTransport::with_client(client),
            ))
        }

        /// Retries per `policy` (default: three attempts with exponential backoff). Whatever
        /// the policy, a request that is not safe to repeat is never re-sent once it may have
        /// reached the provider.
        pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
            self.http.retry = ::std::option::Option::Some(policy);
            self
        }

        /// Limits each attempt (default 30 s).
        pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.http.attempt_timeout = ::std::option::Option::Some(timeout);
            self
        }

        /// Limits each whole call, retries and waits included (default 120 s).
        pub fn deadline(mut self, deadline: ::std::time::Duration) -> Self {
            self.http.deadline = ::std::option::Option::Some(deadline);
            self
        }

        /// Sends `user_agent` as the `User-Agent` header (default `splitkit/<version>`).
        pub fn user_agent(
            mut self,
            user_agent: impl ::std::convert::Into<::std::string::String>,
        ) -> Self {
            self.http.user_agent = ::std::option::Option::Some(user_agent.into());
            self
        }
    };
}
