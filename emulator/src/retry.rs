//! When failed webhook deliveries are tried again: each provider's schedule
//! ([`RetrySchedule`]), and the queue of retries waiting for the emulator clock.
//!
//! Retries are due at emulator times, anchored at the first attempt: with Zepto's schedule the
//! second attempt is due 5 minutes after the first, the third 10 minutes after it, and so on.
//! The emulator clock runs with real time, so a retry happens when its time comes; moving the
//! clock forward (`POST /_emulator/clock/advance`) makes every retry it passes due at once, in
//! order, so a test covers hours of retries in milliseconds.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering as AtomicOrdering};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;

use crate::webhooks::{Job, Provider};

/// The pauses between a provider's attempts to deliver one webhook: after the first attempt
/// fails, the second comes `delays[0]` later, the third `delays[1]` after that, and so on. A
/// schedule of `n` delays makes at most `n + 1` attempts.
///
/// ```
/// use std::time::Duration;
/// use splitkit_emulator::RetrySchedule;
///
/// let zepto = RetrySchedule::zepto();
/// assert_eq!(zepto.attempts(), 13); // the first, then every 5 minutes for an hour
/// assert_eq!(zepto.span(), Duration::from_secs(3600));
/// assert_eq!(RetrySchedule::splitable().attempts(), 25);
/// assert_eq!("5m*3".parse::<RetrySchedule>(), Ok(RetrySchedule::every(Duration::from_secs(300), 3)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RetrySchedule {
    delays: Vec<Duration>,
}

/// The most retries a schedule may hold.
pub(crate) const MAX_RETRIES: usize = 100;

impl RetrySchedule {
    /// A schedule with these pauses.
    pub fn new(delays: impl IntoIterator<Item = Duration>) -> Self {
        Self {
            delays: delays.into_iter().collect(),
        }
    }

    /// No retries: one attempt only.
    pub fn none() -> Self {
        Self::default()
    }

    /// `count` retries, `interval` apart.
    pub fn every(interval: Duration, count: usize) -> Self {
        Self::new(std::iter::repeat_n(interval, count))
    }

    /// Zepto: "failed deliveries auto-retry every 5 minutes for 1 hour" (twelve retries after
    /// the first attempt). Only a delivery that got no HTTP answer at all is retried.
    pub fn zepto() -> Self {
        Self::every(Duration::from_secs(5 * 60), 12)
    }

    /// Splitable: "25 attempts in increasing intervals" (less than a minute, less than a
    /// minute, 1 min, 4 min, 11 min, 22 min, 40 min, about 1 h, ... 3 d, 4 d). The intervals are
    /// delayed_job's default, `n⁴ + 5` seconds after the `n`th failure: 24 retries, the last
    /// about 20 days after the first attempt. Any answer but exactly 200 is retried.
    pub fn splitable() -> Self {
        Self::new((1..=24u64).map(|n| Duration::from_secs(n.pow(4) + 5)))
    }

    /// FairShare does not document its schedule; the emulator retries 8 times, a minute after
    /// the first attempt and twice as long each time after that (1, 2, 4, ... 128 minutes:
    /// about four hours in all). Any answer but a 2xx or 409 is retried.
    pub fn fairshare() -> Self {
        Self::doubling(Duration::from_secs(60), 8)
    }

    /// Ante does not document its schedule; the emulator uses the same one as for FairShare
    /// ([`RetrySchedule::fairshare`]). Any answer but a 2xx is retried.
    pub fn ante() -> Self {
        Self::doubling(Duration::from_secs(60), 8)
    }

    /// The emulator's default schedule for `provider`.
    pub fn for_provider(provider: Provider) -> Self {
        match provider {
            Provider::Ante => Self::ante(),
            Provider::FairShare => Self::fairshare(),
            Provider::Splitable => Self::splitable(),
            Provider::Zepto => Self::zepto(),
        }
    }

    fn doubling(first: Duration, count: u32) -> Self {
        Self::new((0..count).map(|i| first.saturating_mul(1 << i)))
    }

    /// The pauses, in order.
    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// How many attempts at most: the first and one per pause.
    pub fn attempts(&self) -> usize {
        self.delays.len() + 1
    }

    /// From the first attempt to the last.
    pub fn span(&self) -> Duration {
        self.delays
            .iter()
            .fold(Duration::ZERO, |sum, d| sum.saturating_add(*d))
    }

    /// When attempt `made + 1` is due, `made` attempts after the first at `first_at`; `None`
    /// when the schedule has no more.
    pub(crate) fn next_due(&self, first_at: OffsetDateTime, made: u32) -> Option<OffsetDateTime> {
        let made = usize::try_from(made).ok()?;
        if made == 0 || made > self.delays.len() {
            return None;
        }
        let offset = self.delays[..made]
            .iter()
            .fold(Duration::ZERO, |sum, d| sum.saturating_add(*d));
        first_at.checked_add(time::Duration::try_from(offset).ok()?)
    }
}

/// Reads a schedule: `none`; a provider's name (`zepto`, `splitable`, `fairshare`, `ante`);
/// `DURATION*COUNT` (`5m*12`); or durations separated by commas (`10s,1m,1h`). A duration
/// is a whole number with `ms`, `s`, `m`, `h` or `d`.
impl std::str::FromStr for RetrySchedule {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        if let Some(provider) = Provider::parse(spec) {
            return Ok(Self::for_provider(provider));
        }
        let schedule = match spec {
            "none" | "" => Self::none(),
            _ => match spec.split_once('*') {
                Some((interval, count)) => {
                    let count = count
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("not a count of retries: {count}"))?;
                    Self::every(parse_duration(interval)?, count)
                }
                None => Self::new(
                    spec.split(',')
                        .map(parse_duration)
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            },
        };
        if schedule.delays.len() > MAX_RETRIES {
            return Err(format!("at most {MAX_RETRIES} retries"));
        }
        Ok(schedule)
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("a duration needs a unit (ms, s, m, h, d): {text}"))?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text}"))?;
    let seconds = |factor: u64| Duration::from_secs(n.saturating_mul(factor));
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(seconds(1)),
        "m" => Ok(seconds(60)),
        "h" => Ok(seconds(3600)),
        "d" => Ok(seconds(86_400)),
        _ => Err(format!("unknown unit in {text} (ms, s, m, h or d)")),
    }
}

/// The retry schedule of each provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RetrySchedules {
    pub(crate) ante: RetrySchedule,
    pub(crate) fairshare: RetrySchedule,
    pub(crate) splitable: RetrySchedule,
    pub(crate) zepto: RetrySchedule,
}

impl Default for RetrySchedules {
    fn default() -> Self {
        Self {
            ante: RetrySchedule::ante(),
            fairshare: RetrySchedule::fairshare(),
            splitable: RetrySchedule::splitable(),
            zepto: RetrySchedule::zepto(),
        }
    }
}

impl RetrySchedules {
    pub(crate) fn get(&self, provider: Provider) -> &RetrySchedule {
        match provider {
            Provider::Ante => &self.ante,
            Provider::FairShare => &self.fairshare,
            Provider::Splitable => &self.splitable,
            Provider::Zepto => &self.zepto,
        }
    }

    pub(crate) fn set(&mut self, provider: Provider, schedule: RetrySchedule) {
        match provider {
            Provider::Ante => self.ante = schedule,
            Provider::FairShare => self.fairshare = schedule,
            Provider::Splitable => self.splitable = schedule,
            Provider::Zepto => self.zepto = schedule,
        }
    }
}

/// A delivery waiting for its next attempt.
#[derive(Debug)]
pub(crate) struct Retry {
    pub(crate) due: OffsetDateTime,
    seq: u64,
    pub(crate) job: Job,
    /// The number of the attempt to make (2 for the first retry).
    pub(crate) attempt: u32,
    /// When the first attempt was made: the schedule is anchored there.
    pub(crate) first_at: OffsetDateTime,
}

impl PartialEq for Retry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Retry {}

impl PartialOrd for Retry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Retry {
    /// Reversed, so that the heap's top is the earliest due (and, among equals, the oldest).
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// The most retries waiting at once; beyond it, a failed delivery is not retried (and the
/// delivery log says so).
pub(crate) const MAX_PENDING_RETRIES: usize = 10_000;

/// Retries waiting for their time, and how many are being attempted right now.
#[derive(Debug, Default)]
pub(crate) struct RetryQueue {
    heap: Mutex<BinaryHeap<Retry>>,
    seq: AtomicU64,
    in_flight: AtomicUsize,
    /// Woken when a retry is queued or the clock moves.
    pub(crate) wake: Notify,
    /// Woken when an attempt taken from the queue has finished.
    pub(crate) settled: Notify,
}

impl RetryQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, BinaryHeap<Retry>> {
        self.heap.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues attempt `attempt` of `job`, due at `due`; `false` when the queue is full.
    pub(crate) fn push(
        &self,
        job: Job,
        attempt: u32,
        due: OffsetDateTime,
        first_at: OffsetDateTime,
    ) -> bool {
        {
            let mut heap = self.lock();
            if heap.len() >= MAX_PENDING_RETRIES {
                return false;
            }
            heap.push(Retry {
                due,
                seq: self.seq.fetch_add(1, AtomicOrdering::SeqCst),
                job,
                attempt,
                first_at,
            });
        }
        self.wake.notify_one();
        true
    }

    /// Takes every retry due at `now`, earliest first, and counts them as in flight until
    /// [`RetryQueue::finished`].
    pub(crate) fn take_due(&self, now: OffsetDateTime) -> Vec<Retry> {
        let mut heap = self.lock();
        let mut due = Vec::new();
        while heap.peek().is_some_and(|r| r.due <= now) {
            if let Some(r) = heap.pop() {
                due.push(r);
            }
        }
        self.in_flight.fetch_add(due.len(), AtomicOrdering::SeqCst);
        due
    }

    /// Marks one taken retry as attempted (its follow-up, if any, already queued).
    pub(crate) fn finished(&self) {
        self.in_flight.fetch_sub(1, AtomicOrdering::SeqCst);
        self.settled.notify_waiters();
    }

    /// When the earliest waiting retry is due.
    pub(crate) fn next_due(&self) -> Option<OffsetDateTime> {
        self.lock().peek().map(|r| r.due)
    }

    /// Whether nothing is due at `now` and nothing is being attempted.
    pub(crate) fn is_settled(&self, now: OffsetDateTime) -> bool {
        self.in_flight.load(AtomicOrdering::SeqCst) == 0
            && self.next_due().is_none_or(|due| due > now)
    }

    /// How many retries wait.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Forgets every waiting retry.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_follow_the_providers() {
        let zepto = RetrySchedule::zepto();
        assert!(
            zepto
                .delays()
                .iter()
                .all(|d| *d == Duration::from_secs(300))
        );
        let splitable = RetrySchedule::splitable();
        assert_eq!(splitable.delays()[0], Duration::from_secs(6));
        assert_eq!(splitable.delays()[3], Duration::from_secs(261)); // "4 min"
        assert_eq!(splitable.delays()[23], Duration::from_secs(331_781)); // "4 d"
        assert!(splitable.span() > Duration::from_secs(20 * 86_400));
        assert_eq!(
            RetrySchedule::fairshare().span(),
            Duration::from_secs(255 * 60)
        );
    }

    #[test]
    fn retries_are_due_from_the_first_attempt() {
        let first = OffsetDateTime::UNIX_EPOCH;
        let zepto = RetrySchedule::zepto();
        assert_eq!(zepto.next_due(first, 0), None);
        assert_eq!(
            zepto.next_due(first, 1),
            Some(first + time::Duration::minutes(5))
        );
        assert_eq!(
            zepto.next_due(first, 12),
            Some(first + time::Duration::hours(1))
        );
        assert_eq!(zepto.next_due(first, 13), None);
        assert_eq!(RetrySchedule::none().next_due(first, 1), None);
    }

    #[test]
    fn specs_parse() {
        assert_eq!(
            "10s,1m".parse::<RetrySchedule>(),
            Ok(RetrySchedule::new([
                Duration::from_secs(10),
                Duration::from_secs(60)
            ]))
        );
        assert_eq!("zepto".parse::<RetrySchedule>(), Ok(RetrySchedule::zepto()));
        assert_eq!("none".parse::<RetrySchedule>(), Ok(RetrySchedule::none()));
        assert_eq!(
            "20ms*3".parse::<RetrySchedule>(),
            Ok(RetrySchedule::every(Duration::from_millis(20), 3))
        );
        assert!("5".parse::<RetrySchedule>().is_err());
        assert!("5x".parse::<RetrySchedule>().is_err());
        assert!("1s*1000".parse::<RetrySchedule>().is_err());
    }

    #[test]
    fn the_queue_hands_out_what_is_due_in_order() {
        let queue = RetryQueue::default();
        let t = OffsetDateTime::UNIX_EPOCH;
        let job = crate::webhooks::tests::job(Provider::Zepto);
        queue.push(job.clone(), 3, t + time::Duration::minutes(10), t);
        queue.push(job.clone(), 2, t + time::Duration::minutes(5), t);
        assert!(queue.take_due(t).is_empty());
        assert!(queue.is_settled(t));
        let due = queue.take_due(t + time::Duration::minutes(10));
        assert_eq!(
            due.iter().map(|r| r.attempt).collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert!(!queue.is_settled(t + time::Duration::minutes(10)));
        queue.finished();
        queue.finished();
        assert!(queue.is_settled(t + time::Duration::minutes(10)));
        assert_eq!(queue.len(), 0);
    }
}
