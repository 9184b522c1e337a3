//! What shoppers, banks and the clock do, through the emulator's typed control client; each
//! helper panics with the emulator's refusal, so a lifecycle test reads as the story it tells.

use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use splitkit_emulator::control::{Contribution, TeamPayment};

/// Drives one running emulator.
pub(crate) struct Control {
    control: splitkit_emulator::control::Control,
}

impl Control {
    /// For this emulator's control client.
    pub(crate) fn new(control: splitkit_emulator::control::Control) -> Self {
        Self { control }
    }

    /// Ante: the organizer opens the group (`group.created`).
    pub(crate) async fn ante_open(&self, session: &str) {
        self.control.ante().open(session).await.expect("Ante open");
    }

    /// Ante: the next `count` members pay their shares.
    pub(crate) async fn ante_pay(&self, session: &str, count: u32) {
        self.control
            .ante()
            .pay_shares(session, count)
            .await
            .expect("Ante shares paid");
    }

    /// Ante: every pending member pays (`group.funded`).
    pub(crate) async fn ante_pay_all(&self, session: &str) {
        self.control
            .ante()
            .pay_all(session)
            .await
            .expect("Ante shares paid");
    }

    /// Ante: the session expires now (`group.expired`).
    pub(crate) async fn ante_expire(&self, session: &str) {
        self.control
            .ante()
            .expire(session)
            .await
            .expect("Ante expiry");
    }

    /// FairShare: one contributor pays (their equal share, or `amount` major units).
    pub(crate) async fn fairshare_contribute(
        &self,
        session: &str,
        name: &str,
        amount: Option<&str>,
    ) {
        let contribution = match amount {
            Some(amount) => Contribution::amount(Decimal::from_str(amount).expect("an amount")),
            None => Contribution::share(),
        };
        self.control
            .fairshare()
            .contribute(
                session,
                contribution.name(name).email(format!("{name}@example.com")),
            )
            .await
            .expect("FairShare contribution");
    }

    /// FairShare: the dashboard ends a session: `refund`, `cancel` or `expire`.
    pub(crate) async fn fairshare_end(&self, session: &str, how: &str) {
        let fairshare = self.control.fairshare();
        let ended = match how {
            "refund" => fairshare.refund(session).await,
            "cancel" => fairshare.cancel(session).await,
            "expire" => fairshare.expire(session).await,
            other => panic!("no FairShare ending called {other}"),
        };
        ended.expect("FairShare session ended");
    }

    /// split(able): a team member pays `amount` cents (all that is due when `None`).
    pub(crate) async fn splitable_pay(&self, split: &str, amount: Option<i64>) {
        let payment = match amount {
            Some(cents) => TeamPayment::amount(cents),
            None => TeamPayment::rest(),
        };
        self.control
            .splitable()
            .pay(split, payment.name("Dana").email("dana@example.com"))
            .await
            .expect("split(able) payment");
    }

    /// split(able): the split is cancelled (callback `cancelled`).
    pub(crate) async fn splitable_cancel(&self, split: &str) {
        self.control
            .splitable()
            .cancel(split)
            .await
            .expect("split(able) cancel");
    }

    /// Zepto: runs the processing cycle until nothing moves.
    pub(crate) async fn zepto_process(&self) {
        self.control
            .zepto()
            .run_processing()
            .await
            .expect("Zepto processing");
    }

    /// Moves the emulator clock forward, applying every expiry that falls due.
    pub(crate) async fn advance_clock(&self, seconds: u64) {
        self.control
            .clock()
            .advance(Duration::from_secs(seconds))
            .await
            .expect("clock advanced");
    }
}
