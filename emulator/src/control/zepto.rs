//! Zepto's processing cycle, webhook endpoints and tokens, and what its Contacts do.

use std::time::Duration;

use serde::Deserialize;
use serde::Serialize;
use serde_json::{Value, json};

use super::{ControlError, Data, Http, encode};

/// What one run of Zepto's processing cycle did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Processing {
    /// How many cycles ran.
    pub steps: u64,
    /// How many transaction status changes they made.
    pub transitions: u64,
    /// Transactions not yet in a final status (waiting for `matures_at`, say).
    pub unsettled_transactions: u64,
}

/// A Zepto webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ZeptoWebhook {
    /// Its id (`GET /webhooks/{id}/deliveries`).
    pub id: String,
    /// Where it sends.
    pub url: String,
    /// Its `Split-Signature` secret.
    pub signature_secret: String,
    /// The event types it receives (`*`: all).
    pub events: Vec<String>,
}

/// Agreement terms for [`Zepto::accept_agreement`]: every limit optional (none: no limit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgreementTerms {
    per_payout: Limits,
    per_frequency: Frequency,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct Limits {
    min_amount: Option<i64>,
    max_amount: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct Frequency {
    days: Option<i64>,
    max_amount: Option<i64>,
}

impl AgreementTerms {
    /// No limits.
    pub fn unlimited() -> Self {
        Self::default()
    }

    /// Each Payment Request between `min` and `max` cents.
    pub fn per_payout(mut self, min: Option<i64>, max: Option<i64>) -> Self {
        self.per_payout = Limits {
            min_amount: min,
            max_amount: max,
        };
        self
    }

    /// At most `max` cents of Payment Requests within `days` days.
    pub fn per_frequency(mut self, days: i64, max: i64) -> Self {
        self.per_frequency = Frequency {
            days: Some(days),
            max_amount: Some(max),
        };
        self
    }
}

/// Who accepts an Agreement's link ([`Zepto::accept_unassigned_agreement`],
/// [`Zepto::accept_open_agreement`]); they become a Contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Authoriser {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_number: Option<String>,
}

impl Authoriser {
    /// Someone named `name` with `email` (and a sandbox bank account).
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            email: Some(email.into()),
            ..Self::default()
        }
    }

    /// Their bank account (BSB and account number).
    pub fn bank_account(
        mut self,
        branch_code: impl Into<String>,
        account_number: impl Into<String>,
    ) -> Self {
        self.branch_code = Some(branch_code.into());
        self.account_number = Some(account_number.into());
        self
    }
}

/// An Agreement someone accepted through its link.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AcceptedAgreement {
    /// The Agreement (`A.…`).
    pub agreement_ref: String,
    /// The Contact they became.
    pub contact_id: String,
}

/// A Zepto Contact as the control endpoints show it: the API's Contact, plus its Agreements
/// and the balance its bank connection shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ZeptoContact {
    /// The Contact id.
    pub id: String,
    /// Whether it has an accepted Agreement.
    pub agreement_accepted: bool,
    /// Its Agreements (`ref`, `status`).
    pub agreements: Vec<AgreementState>,
    /// What its bank connection shows, in cents (`None` without one).
    pub bank_balance: Option<i64>,
}

/// One Agreement of a [`ZeptoContact`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AgreementState {
    /// `A.…`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// `proposed`, `accepted`, `declined`, `cancelled` or `expended`.
    pub status: String,
}

/// Zepto's processing cycle, webhook endpoints and tokens, and what its Contacts do.
#[derive(Debug, Clone, Copy)]
pub struct Zepto<'a> {
    pub(super) http: &'a Http,
}

impl Zepto<'_> {
    /// Runs the processing cycle until nothing moves (Zepto's sandbox runs one a minute):
    /// transactions whose `matures_at` has come go through to `cleared` or fail.
    pub async fn run_processing(&self) -> Result<Processing, ControlError> {
        self.http.post("/zepto/process", json!({})).await
    }

    /// Runs `steps` cycles (each moves every transaction one status on).
    pub async fn run_processing_steps(&self, steps: u32) -> Result<Processing, ControlError> {
        self.http
            .post("/zepto/process", json!({ "steps": steps }))
            .await
    }

    /// Adds a webhook endpoint for every event, signed with the seed secret.
    pub async fn add_webhook(&self, url: &str) -> Result<ZeptoWebhook, ControlError> {
        self.http
            .post("/zepto/webhooks", json!({ "url": url }))
            .await
    }

    /// Adds a webhook endpoint for `events` only, signed with `signature_secret`.
    pub async fn add_webhook_with(
        &self,
        url: &str,
        events: &[&str],
        signature_secret: &str,
    ) -> Result<ZeptoWebhook, ControlError> {
        self.http
            .post(
                "/zepto/webhooks",
                json!({ "url": url, "events": events, "signature_secret": signature_secret }),
            )
            .await
    }

    /// The webhook endpoints.
    pub async fn webhooks(&self) -> Result<Vec<ZeptoWebhook>, ControlError> {
        Ok(self
            .http
            .get::<Data<ZeptoWebhook>>("/zepto/webhooks")
            .await?
            .data)
    }

    /// Removes a webhook endpoint.
    pub async fn remove_webhook(&self, id: &str) -> Result<(), ControlError> {
        self.http
            .delete(&format!("/zepto/webhooks/{}", encode(id)))
            .await
    }

    /// The lifetime of access tokens issued from now on.
    pub async fn set_token_lifetime(&self, lifetime: Duration) -> Result<(), ControlError> {
        self.http
            .post::<Value>(
                "/zepto/token-lifetime",
                json!({ "seconds": lifetime.as_secs() }),
            )
            .await
            .map(drop)
    }

    /// The Contact accepts an Agreement on `terms` (the invitation Zepto's dashboard sends;
    /// the API has no call for it). Returns the Agreement's reference.
    pub async fn accept_agreement(
        &self,
        contact_id: &str,
        terms: AgreementTerms,
    ) -> Result<String, ControlError> {
        #[derive(Deserialize)]
        struct Changed {
            agreement_refs: Vec<String>,
        }
        let changed: Changed = self
            .http
            .post(
                &format!("/zepto/contacts/{}/agreement", encode(contact_id)),
                json!({ "accepted": true, "terms": terms }),
            )
            .await?;
        changed
            .agreement_refs
            .into_iter()
            .next()
            .ok_or_else(|| ControlError::Rejected {
                status: 200,
                message: "no Agreement was made".into(),
            })
    }

    /// Someone accepts an Unassigned Agreement through its link.
    pub async fn accept_unassigned_agreement(
        &self,
        reference: &str,
        authoriser: Authoriser,
    ) -> Result<AcceptedAgreement, ControlError> {
        self.http
            .post(
                &format!("/zepto/unassigned_agreements/{}/accept", encode(reference)),
                json!(authoriser),
            )
            .await
    }

    /// Someone declines an Unassigned Agreement through its link.
    pub async fn decline_unassigned_agreement(&self, reference: &str) -> Result<(), ControlError> {
        self.http
            .post::<Value>(
                &format!("/zepto/unassigned_agreements/{}/decline", encode(reference)),
                json!({}),
            )
            .await
            .map(drop)
    }

    /// Someone accepts an Open Agreement through its link: a new Contact and Agreement.
    pub async fn accept_open_agreement(
        &self,
        reference: &str,
        authoriser: Authoriser,
    ) -> Result<AcceptedAgreement, ControlError> {
        self.http
            .post(
                &format!("/zepto/open_agreements/{}/accept", encode(reference)),
                json!(authoriser),
            )
            .await
    }

    /// The Contact connects their bank (through `links.add_bank_connection`), showing
    /// `balance` cents; with a connection already, its balance changes. Payment Requests to
    /// the Contact are checked against it.
    pub async fn connect_bank(
        &self,
        contact_id: &str,
        balance: i64,
    ) -> Result<String, ControlError> {
        #[derive(Deserialize)]
        struct Connected {
            bank_connection_id: String,
        }
        let connected: Connected = self
            .http
            .post(
                &format!("/zepto/contacts/{}/bank_connection", encode(contact_id)),
                json!({ "balance": balance }),
            )
            .await?;
        Ok(connected.bank_connection_id)
    }

    /// The Contact, with its Agreements and bank balance.
    pub async fn contact(&self, contact_id: &str) -> Result<ZeptoContact, ControlError> {
        self.http
            .get(&format!("/zepto/contacts/{}", encode(contact_id)))
            .await
    }
}
