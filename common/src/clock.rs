//! Wall-clock time behind a trait, so that expiry and webhook tolerance can be tested.

use std::fmt::Debug;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current wall-clock time.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time in whole seconds since the Unix epoch (negative before 1970).
    fn unix_seconds(&self) -> i64 {
        match self.now().duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        }
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that shows a set time until it is moved; for tests.
#[derive(Debug, Default)]
pub struct ManualClock {
    unix_seconds: AtomicI64,
}

impl ManualClock {
    /// A clock showing `unix_seconds` seconds after the Unix epoch.
    pub fn at(unix_seconds: i64) -> Self {
        Self {
            unix_seconds: AtomicI64::new(unix_seconds),
        }
    }

    /// Sets the time.
    pub fn set(&self, unix_seconds: i64) {
        self.unix_seconds.store(unix_seconds, Ordering::SeqCst);
    }

    /// Moves the time forward by `seconds` (backward when negative).
    pub fn advance(&self, seconds: i64) {
        self.unix_seconds.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        let secs = self.unix_seconds.load(Ordering::SeqCst);
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }

    fn unix_seconds(&self) -> i64 {
        self.unix_seconds.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::at(1_514_772_000);
        assert_eq!(clock.unix_seconds(), 1_514_772_000);
        clock.advance(30);
        assert_eq!(clock.unix_seconds(), 1_514_772_030);
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_514_772_030));
        clock.set(-5);
        assert_eq!(clock.unix_seconds(), -5);
    }
}
