//! Agreements: arrangements with a Contact under which future Payment Requests within the
//! agreed terms are approved automatically.

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::{Agreement, AgreementStatus};
use crate::generated::operations::{self as ops, ListOutgoingAgreementsParams};
use crate::list::List;

/// Agreements (`client.agreements()`).
#[derive(Debug, Clone)]
pub struct Agreements {
    client: Client,
}

impl Agreements {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Outgoing Agreements (`GET /agreements/outgoing`), filtered by the methods of the list.
    pub fn list(self) -> List<ListOutgoingAgreementsParams, Agreement> {
        List::new(
            self.client,
            ListOutgoingAgreementsParams::default(),
            ops::list_outgoing_agreements_request,
        )
    }

    /// One Agreement by its reference, e.g. `A.2` (`GET /agreements/{agreement_ref}`).
    pub async fn get(self, agreement_ref: &str) -> Result<Agreement, Error> {
        Ok(ops::get_agreement(self.client.api(), agreement_ref)
            .await?
            .data)
    }

    /// Cancels an Agreement (`DELETE /agreements/{agreement_ref}`). The initiator can cancel at
    /// any time; the authoriser only once it was accepted.
    pub async fn cancel(self, agreement_ref: &str) -> Result<(), Error> {
        ops::cancel_agreement(self.client.api(), agreement_ref).await
    }
}

impl List<ListOutgoingAgreementsParams, Agreement> {
    /// Only Agreements whose authoriser is this account (`Contact.data.account.id`).
    pub fn authoriser_id(mut self, id: impl Into<String>) -> Self {
        self.params.authoriser_id = Some(id.into());
        self
    }

    /// Only Agreements with this Contact (`Contact.data.id`).
    pub fn contact_id(mut self, id: impl Into<String>) -> Self {
        self.params.contact_id = Some(id.into());
        self
    }

    /// Only Agreements with one of these statuses.
    pub fn status(mut self, statuses: impl IntoIterator<Item = AgreementStatus>) -> Self {
        self.params.status = Some(statuses.into_iter().collect());
        self
    }
}
