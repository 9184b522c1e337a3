//! What Splitable's team members do.

use serde::Deserialize;
use serde_json::json;

use super::{ControlError, Http, encode};

/// A Splitable split as the control endpoints show it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SplitableSplit {
    /// The split id.
    pub split_id: String,
    /// Your invoice.
    pub invoice: String,
    /// `open`, `paid` or `cancelled`.
    pub status: String,
    /// The total, in cents.
    pub total_amount: i64,
    /// Paid so far, in cents.
    pub paid_amount: i64,
    /// The callback's `transaction_id`, once settled.
    pub transaction_id: Option<String>,
}

/// One team member's payment ([`Splitable::pay`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamPayment {
    amount: Option<i64>,
    name: Option<String>,
    email: Option<String>,
}

impl TeamPayment {
    /// Everything still due.
    pub fn rest() -> Self {
        Self::default()
    }

    /// `cents`.
    pub fn amount(cents: i64) -> Self {
        Self {
            amount: Some(cents),
            ..Self::default()
        }
    }

    /// The member's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The member's email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// What Splitable's team members do.
#[derive(Debug, Clone, Copy)]
pub struct Splitable<'a> {
    pub(super) http: &'a Http,
}

impl Splitable<'_> {
    fn path(split_id: &str) -> String {
        format!("/splitable/splits/{}", encode(split_id))
    }

    /// The split, with what was paid.
    pub async fn split(&self, split_id: &str) -> Result<SplitableSplit, ControlError> {
        self.http.get(&Self::path(split_id)).await
    }

    /// A team member pays; the callback (`paid`) goes out when the total is reached.
    pub async fn pay(
        &self,
        split_id: &str,
        payment: TeamPayment,
    ) -> Result<SplitableSplit, ControlError> {
        let body =
            json!({ "amount": payment.amount, "name": payment.name, "email": payment.email });
        self.http
            .post(&format!("{}/pay", Self::path(split_id)), body)
            .await
    }

    /// The split is cancelled (callback `cancelled`).
    pub async fn cancel(&self, split_id: &str) -> Result<SplitableSplit, ControlError> {
        self.http
            .post(&format!("{}/cancel", Self::path(split_id)), json!({}))
            .await
    }
}
