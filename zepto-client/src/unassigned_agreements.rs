//! Unassigned Agreements: Agreements with no authoriser yet, accepted once through a link
//! within a time limit.
//!
//! Not in Zepto's current API document; may be retired. The operations here follow Zepto's
//! older API reference, which documents them; Zepto's January 2026 document no longer lists
//! them (see the crate's "API generations").

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::{
    Metadata, ProposeUnassignedAgreementRequest, Terms, UnassignedAgreement,
};
use crate::generated::operations::{self as ops, ListUnassignedAgreementsParams};
use crate::list::List;

/// An Unassigned Agreement to propose with `POST /unassigned_agreements`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUnassignedAgreement {
    body: ProposeUnassignedAgreementRequest,
}

impl NewUnassignedAgreement {
    /// An Unassigned Agreement with `terms` that can be accepted for `expiry_in_seconds`.
    pub fn new(expiry_in_seconds: i64, terms: Terms) -> Self {
        Self {
            body: ProposeUnassignedAgreementRequest {
                expiry_in_seconds,
                single_use: None,
                terms,
                metadata: None,
            },
        }
    }

    /// Whether the Agreement is single-use: it becomes `expended` once one Payment Request is
    /// approved under it. A single-use Agreement's `per_payout` minimum and maximum must be
    /// equal and its `per_frequency` amount null. Not sent unless set.
    pub fn single_use(mut self, single_use: bool) -> Self {
        self.body.single_use = Some(single_use);
        self
    }

    /// Your own data, stored with the Agreement.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Checks every documented rule.
    pub fn validate(&self) -> Result<(), Error> {
        if self.body.expiry_in_seconds <= 0 {
            return Err(Error::validation(
                "expiry_in_seconds",
                format!(
                    "must be a positive number of seconds, got {}",
                    self.body.expiry_in_seconds
                ),
            ));
        }
        if self.body.single_use == Some(true) {
            let terms = &self.body.terms;
            let payout = &terms.per_payout;
            if payout.min_amount != payout.max_amount {
                return Err(Error::validation(
                    "terms.per_payout",
                    format!(
                        "a single-use Agreement needs equal min_amount and max_amount, got {:?} and {:?}",
                        payout.min_amount, payout.max_amount
                    ),
                ));
            }
            let frequency = &terms.per_frequency;
            if let Some(max) = frequency.max_amount {
                return Err(Error::validation(
                    "terms.per_frequency.max_amount",
                    format!("a single-use Agreement needs a null per_frequency amount, got {max}"),
                ));
            }
        }
        Ok(())
    }

    /// The body that will be sent.
    pub fn body(&self) -> &ProposeUnassignedAgreementRequest {
        &self.body
    }
}

/// Unassigned Agreements (`client.unassigned_agreements()`).
#[derive(Debug, Clone)]
pub struct UnassignedAgreements {
    client: Client,
}

impl UnassignedAgreements {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Proposes an Unassigned Agreement (`POST /unassigned_agreements`); share its `link`.
    pub async fn create(
        self,
        agreement: NewUnassignedAgreement,
    ) -> Result<UnassignedAgreement, Error> {
        agreement.validate()?;
        Ok(
            ops::propose_unassigned_agreement(self.client.api(), &agreement.body)
                .await?
                .data,
        )
    }

    /// Unassigned Agreements not accepted yet (`GET /unassigned_agreements`).
    pub fn list(self) -> List<ListUnassignedAgreementsParams, UnassignedAgreement> {
        List::new(
            self.client,
            ListUnassignedAgreementsParams::default(),
            ops::list_unassigned_agreements_request,
        )
    }

    /// One Unassigned Agreement by its reference, e.g. `A.4k`
    /// (`GET /unassigned_agreements/{ref}`).
    pub async fn get(self, unassigned_agreement_ref: &str) -> Result<UnassignedAgreement, Error> {
        Ok(
            ops::get_unassigned_agreement(self.client.api(), unassigned_agreement_ref)
                .await?
                .data,
        )
    }

    /// Deletes an Unassigned Agreement that has no authoriser yet
    /// (`DELETE /unassigned_agreements/{ref}`).
    pub async fn delete(self, unassigned_agreement_ref: &str) -> Result<(), Error> {
        ops::delete_unassigned_agreement(self.client.api(), unassigned_agreement_ref).await
    }
}
