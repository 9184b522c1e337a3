//! The emulator's clock: real time plus an offset that `POST /_emulator/clock/advance` moves.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::SystemTime;

use time::OffsetDateTime;

/// How far ahead of real time the emulator clock may run: 100 years.
pub(crate) const MAX_OFFSET_SECONDS: i64 = 100 * 366 * 86_400;

/// The emulator's notion of now: the system time plus an offset that only grows.
///
/// Expiries (Ante sessions, FairShare sessions, Splitable splits, Zepto tokens, codes and
/// idempotency keys) and webhook timestamps read this clock. It implements
/// [`splitkit_common::Clock`], so a test that advanced the clock can still verify a webhook:
/// `SignatureVerifier::new(secret).clock(emulator.clock())`.
#[derive(Debug, Default)]
pub struct EmulatorClock {
    offset_ms: AtomicI64,
}

impl EmulatorClock {
    /// The current emulator time.
    pub fn now(&self) -> OffsetDateTime {
        let real = OffsetDateTime::now_utc();
        real.checked_add(time::Duration::milliseconds(self.offset_ms()))
            .unwrap_or(real)
    }

    /// How far the emulator clock runs ahead of real time, in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }

    /// Current emulator time in whole Unix seconds.
    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// Moves the clock forward by `seconds` (negative values are ignored: time never runs back),
    /// to at most 100 years ahead of real time.
    pub(crate) fn advance(&self, seconds: i64) {
        let ms = seconds.max(0).saturating_mul(1000);
        let _ = self
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |current| {
                Some(current.saturating_add(ms).min(MAX_OFFSET_SECONDS * 1000))
            });
    }

    /// Sets the offset (a mirror of a remote emulator's clock follows it this way).
    pub(crate) fn set_offset_ms(&self, offset_ms: i64) {
        self.offset_ms.store(
            offset_ms.clamp(0, MAX_OFFSET_SECONDS * 1000),
            Ordering::SeqCst,
        );
    }

    /// Sets the offset back to zero.
    pub(crate) fn reset(&self) {
        self.offset_ms.store(0, Ordering::SeqCst);
    }
}

impl splitkit_common::Clock for EmulatorClock {
    fn now(&self) -> SystemTime {
        let offset = self.offset_ms();
        let base = SystemTime::now();
        let delta = std::time::Duration::from_millis(offset.unsigned_abs());
        if offset >= 0 {
            base.checked_add(delta).unwrap_or(base)
        } else {
            base.checked_sub(delta).unwrap_or(base)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitkit_common::Clock;

    #[test]
    fn advance_moves_both_views() {
        let clock = EmulatorClock::default();
        let before = clock.unix();
        clock.advance(3600);
        assert!(clock.unix() - before >= 3600);
        assert!(Clock::unix_seconds(&clock) - before >= 3600);
        clock.advance(-50);
        assert_eq!(clock.offset_ms(), 3_600_000);
        for _ in 0..20 {
            clock.advance(10 * 366 * 86_400);
        }
        assert_eq!(clock.offset_ms(), MAX_OFFSET_SECONDS * 1000);
        assert!(clock.now().year() < 2300);
        clock.reset();
        assert_eq!(clock.offset_ms(), 0);
    }
}
