//! The emulator's clock: move it, read it, verify webhooks with it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::{ControlError, Http};
use crate::clock::EmulatorClock;

/// The emulator's clock. It implements [`splitkit_common::Clock`], so a verifier or an SDK
/// client given it (`.clock(emulator.clock())`) agrees with the emulator after the clock moved.
#[derive(Debug)]
pub struct ClockControl {
    pub(super) http: Http,
    /// The emulator's own clock (in process), or a local copy kept in step by every call.
    pub(super) mirror: Arc<EmulatorClock>,
}

/// The emulator's clock, as [`ClockControl::advance`] and [`ClockControl::current`] read it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClockReading {
    /// The emulator's time.
    pub now: OffsetDateTime,
    /// How far ahead of real time it runs.
    pub offset: Duration,
    /// Webhook deliveries waiting for a retry.
    pub pending_webhook_retries: usize,
}

#[derive(Deserialize)]
struct ClockBody {
    unix: i64,
    offset_ms: i64,
    pending_webhook_retries: usize,
}

impl ClockControl {
    /// Moves the clock forward by `by` (whole seconds). Expiries that came due apply (sessions
    /// expire, tokens lapse), and every webhook retry that came due is attempted, in order,
    /// before this returns: a receiver that was down for an hour gets what the provider would
    /// have retried in that hour.
    pub async fn advance(&self, by: Duration) -> Result<ClockReading, ControlError> {
        let body: ClockBody = self
            .http
            .post("/clock/advance", json!({ "seconds": by.as_secs() }))
            .await?;
        Ok(self.read(body))
    }

    /// The emulator's time now.
    pub async fn current(&self) -> Result<ClockReading, ControlError> {
        let body: ClockBody = self.http.get("/clock").await?;
        Ok(self.read(body))
    }

    fn read(&self, body: ClockBody) -> ClockReading {
        self.mirror.set_offset_ms(body.offset_ms);
        ClockReading {
            now: OffsetDateTime::from_unix_timestamp(body.unix)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            offset: Duration::from_millis(u64::try_from(body.offset_ms).unwrap_or(0)),
            pending_webhook_retries: body.pending_webhook_retries,
        }
    }

    /// The emulator's time, without asking it (for an emulator in this process, exact; for
    /// one elsewhere, as of the last call).
    pub fn now_local(&self) -> OffsetDateTime {
        self.mirror.now()
    }
}

impl splitkit_common::Clock for ClockControl {
    fn now(&self) -> SystemTime {
        splitkit_common::Clock::now(&*self.mirror)
    }
}
