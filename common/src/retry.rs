//! When to try again, and how long to wait first.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

/// Retry and backoff settings of a client.
///
/// Which failures are retried is fixed by safety, not by this policy: a failure that may have
/// reached the server is retried only when the operation is idempotent or carries an idempotency
/// key (see [`is_retryable_status`]). The policy decides how often and how long to wait.
///
/// Start from [`RetryPolicy::default`] (or [`RetryPolicy::none`]) and change what you need:
///
/// ```
/// use std::time::Duration;
/// use splitkit_common::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200));
/// assert_eq!(policy.max_attempts, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3). `1` disables retries.
    pub max_attempts: u32,
    /// The wait before the first retry (default 500 ms); it doubles on each retry.
    pub initial_backoff: Duration,
    /// The longest computed wait between attempts (default 20 s).
    pub max_backoff: Duration,
    /// The longest `Retry-After` the pipeline waits for (default 60 s). A provider that asks for
    /// more gets no retry: the call fails with the wait it asked for, and the caller decides.
    pub max_retry_after: Duration,
    /// Randomise each wait between half and all of its computed value (default on), so that
    /// many clients do not retry in step.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Makes `attempts` attempts in all, the first included (`1`: no retries).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Waits `wait` before the first retry, doubling on each retry.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// Never waits longer than `wait` between attempts (before a `Retry-After`).
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// Waits for a `Retry-After` of at most `wait`; a longer one ends the call.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Randomises each wait between half and all of its value (`true`, the default), or not.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The wait after failed attempt number `attempt` (1-based), before jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let factor = 1u32 << exponent;
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The wait after failed attempt number `attempt`, jitter applied.
    pub fn delay(&self, attempt: u32) -> Duration {
        let base = self.backoff(attempt);
        if self.jitter && !base.is_zero() {
            let half = base / 2;
            half + base.mul_f64(fastrand::f64()) / 2
        } else {
            base
        }
    }
}

/// Statuses that say "try again later": 408, 429, 500, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Reads `Retry-After` as seconds or as an HTTP-date (relative to `now`).
/// A date in the past means "now"; an unreadable value is ignored.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// How a provider wants one error answer treated, overriding the default rules.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorClass {
    /// Apply the default rules (retry statuses, 401 renewal, ...).
    Default,
    /// The idempotency key was used before; never retried. Surfaces as
    /// [`crate::Error::IdempotencyConflict`].
    IdempotencyConflict {
        /// The reference of the resource created with that key, when the provider says.
        existing_resource: Option<String>,
    },
    /// Safe to retry whatever the method (the provider guarantees nothing was done).
    Retryable,
    /// Never retry.
    Fatal,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let policy = RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.delay(1), Duration::from_millis(500));
        assert_eq!(policy.delay(2), Duration::from_secs(1));
        assert_eq!(policy.delay(3), Duration::from_secs(2));
        assert_eq!(policy.delay(10), Duration::from_secs(20));
        assert_eq!(policy.delay(u32::MAX), Duration::from_secs(20));
    }

    #[test]
    fn jitter_stays_between_half_and_full() {
        let policy = RetryPolicy::default();
        for attempt in 1..6 {
            let base = policy.backoff(attempt);
            for _ in 0..50 {
                let d = policy.delay(attempt);
                assert!(
                    d >= base / 2 && d <= base,
                    "{d:?} outside [{:?}, {base:?}]",
                    base / 2
                );
            }
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));

        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        headers.insert("retry-after", later.parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));

        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        headers.insert("retry-after", earlier.parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));

        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers, now), None);
    }
}
