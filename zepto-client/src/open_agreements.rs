//! Open Agreements: Agreement templates anyone can accept through a link. Each acceptance adds
//! the authoriser to your Contacts and creates an Agreement.
//!
//! Not in Zepto's current API document; may be retired. The operations here follow Zepto's
//! older API reference, which documents them; Zepto's January 2026 document no longer lists
//! them (see the crate's "API generations").

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::{CreateOpenAgreementRequest, Metadata, OpenAgreement, Terms};
use crate::generated::operations::{self as ops, ListOpenAgreementsParams};
use crate::list::List;
use crate::rules;

/// An Open Agreement to create with `POST /open_agreements`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOpenAgreement {
    body: CreateOpenAgreementRequest,
}

impl NewOpenAgreement {
    /// An Open Agreement titled `title` (authorisers see it) with `terms`. Any term may be
    /// `None` for "no limit".
    pub fn new(title: impl Into<String>, terms: Terms) -> Self {
        Self {
            body: CreateOpenAgreementRequest {
                title: title.into(),
                terms,
                metadata: None,
            },
        }
    }

    /// Your own data, stored with the Open Agreement.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Checks every documented rule.
    pub fn validate(&self) -> Result<(), Error> {
        rules::not_empty("title", &self.body.title)
    }

    /// The body that will be sent.
    pub fn body(&self) -> &CreateOpenAgreementRequest {
        &self.body
    }
}

/// Open Agreements (`client.open_agreements()`).
#[derive(Debug, Clone)]
pub struct OpenAgreements {
    client: Client,
}

impl OpenAgreements {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Creates an Open Agreement (`POST /open_agreements`).
    pub async fn create(self, agreement: NewOpenAgreement) -> Result<OpenAgreement, Error> {
        agreement.validate()?;
        Ok(
            ops::create_open_agreement(self.client.api(), &agreement.body)
                .await?
                .data,
        )
    }

    /// Open Agreements (`GET /open_agreements`).
    pub fn list(self) -> List<ListOpenAgreementsParams, OpenAgreement> {
        List::new(
            self.client,
            ListOpenAgreementsParams::default(),
            ops::list_open_agreements_request,
        )
    }

    /// Re-opens a closed Open Agreement (`POST /open_agreements/{ref}/activate`).
    pub async fn activate(self, open_agreement_ref: &str) -> Result<OpenAgreement, Error> {
        Ok(
            ops::activate_open_agreement(self.client.api(), open_agreement_ref)
                .await?
                .data,
        )
    }

    /// Closes an active Open Agreement (`POST /open_agreements/{ref}/close`).
    pub async fn close(self, open_agreement_ref: &str) -> Result<OpenAgreement, Error> {
        Ok(
            ops::close_open_agreement(self.client.api(), open_agreement_ref)
                .await?
                .data,
        )
    }
}
