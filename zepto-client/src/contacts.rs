//! Contacts: your address book. Every transaction is with a Contact.

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::{
    AddContactRequest, AddReceivableContactRequest, Contact, Metadata, UpdateContactRequest,
    UpdateReceivableContactRequest,
};
use crate::generated::operations::{self as ops, ListContactsParams};
use crate::list::List;
use crate::rules::{self, MAX_CONTACT_EMAIL, MAX_CONTACT_NAME};

/// A Contact to add with `POST /contacts/anyone`: someone you pay. (Such Contacts cannot be
/// debited.)
///
/// Every field is set by name, so a BSB cannot end up in the account number:
///
/// ```
/// use zepto_client::contacts::NewContact;
///
/// let contact = NewContact::new()
///     .name("Hunter Thompson")
///     .email("hunter@batcountry.com")
///     .branch_code("123456")
///     .account_number("13048322");
/// assert!(contact.validate().is_ok());
/// assert!(NewContact::new().name("No Bank").validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    body: AddContactRequest,
}

impl Default for NewContact {
    fn default() -> Self {
        Self::new()
    }
}

impl NewContact {
    /// A Contact with nothing set yet: [`Self::name`], [`Self::email`], [`Self::branch_code`]
    /// and [`Self::account_number`] are required.
    pub fn new() -> Self {
        Self {
            body: AddContactRequest {
                name: String::new(),
                email: String::new(),
                branch_code: String::new(),
                account_number: String::new(),
                metadata: None,
            },
        }
    }

    /// The Contact's name (at most 140 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = name.into();
        self
    }

    /// The Contact's email (at most 256 characters).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.body.email = email.into();
        self
    }

    /// The BSB of the Contact's bank account (`branch_code`).
    pub fn branch_code(mut self, branch_code: impl Into<String>) -> Self {
        self.body.branch_code = branch_code.into();
        self
    }

    /// The Contact's bank account number.
    pub fn account_number(mut self, account_number: impl Into<String>) -> Self {
        self.body.account_number = account_number.into();
        self
    }

    /// Your own data, stored with the Contact.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Checks that every required field is set and the documented limits.
    pub fn validate(&self) -> Result<(), Error> {
        let b = &self.body;
        for (field, value) in [
            ("name", &b.name),
            ("email", &b.email),
            ("branch_code", &b.branch_code),
            ("account_number", &b.account_number),
        ] {
            if value.is_empty() {
                return Err(Error::validation(
                    field,
                    format!("is required: set it with NewContact::{field}"),
                ));
            }
            rules::not_empty(field, value)?;
        }
        rules::length("name", &b.name, 1, MAX_CONTACT_NAME, true)?;
        rules::length("email", &b.email, 1, MAX_CONTACT_EMAIL, true)?;
        Ok(())
    }

    /// The body that will be sent.
    pub fn body(&self) -> &AddContactRequest {
        &self.body
    }
}

/// Changes to a Contact (`PATCH /contacts/{id}`); only the fields set are sent.
///
/// Bank details cannot change while the Contact has an accepted Agreement, and changing them
/// drops the Contact's bank connections.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactUpdate {
    body: UpdateContactRequest,
}

impl ContactUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new name (at most 140 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    /// A new email (at most 256 characters).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.body.email = Some(email.into());
        self
    }

    /// A new bank account (BSB and account number).
    pub fn bank_account(
        mut self,
        branch_code: impl Into<String>,
        account_number: impl Into<String>,
    ) -> Self {
        self.body.branch_code = Some(branch_code.into());
        self.body.account_number = Some(account_number.into());
        self
    }

    /// New metadata (replaces the old).
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), Error> {
        let b = &self.body;
        if let Some(name) = &b.name {
            rules::not_empty("name", name)?;
            rules::length("name", name, 1, MAX_CONTACT_NAME, true)?;
        }
        if let Some(email) = &b.email {
            rules::not_empty("email", email)?;
            rules::length("email", email, 1, MAX_CONTACT_EMAIL, true)?;
        }
        Ok(())
    }

    /// The body that will be sent.
    pub fn body(&self) -> &UpdateContactRequest {
        &self.body
    }
}

/// A Receivable Contact to add with `POST /contacts/receivable`: someone who pays you to a
/// PayID of their own.
///
/// Give [`NewReceivableContact::payid_email`] for an on-demand PayID (state `pending`, then
/// `active` within seconds, or `failed`; in the sandbox an email containing `+failure` fails),
/// or [`NewReceivableContact::payid_email_domain`] to take a pre-registered PayID from a pool.
/// When both are given Zepto ignores the pool.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReceivableContact {
    body: AddReceivableContactRequest,
}

impl NewReceivableContact {
    /// A Receivable Contact called `name` (3 to 140 characters) with `email` (6 to 256).
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            body: AddReceivableContactRequest {
                name: name.into(),
                email: email.into(),
                payid_email: None,
                payid_email_domain: None,
                metadata: None,
            },
        }
    }

    /// The PayID email to register on demand (6 to 256 characters).
    pub fn payid_email(mut self, email: impl Into<String>) -> Self {
        self.body.payid_email = Some(email.into());
        self
    }

    /// The email domain of the PayID pool to take a PayID from (3 to 254 characters).
    pub fn payid_email_domain(mut self, domain: impl Into<String>) -> Self {
        self.body.payid_email_domain = Some(domain.into());
        self
    }

    /// Your own data, stored with the Contact.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), Error> {
        let b = &self.body;
        rules::length("name", &b.name, 3, MAX_CONTACT_NAME, true)?;
        rules::length("email", &b.email, 6, MAX_CONTACT_EMAIL, true)?;
        if let Some(email) = &b.payid_email {
            rules::length("payid_email", email, 6, 256, true)?;
        }
        if let Some(domain) = &b.payid_email_domain {
            rules::length("payid_email_domain", domain, 3, 254, false)?;
        }
        Ok(())
    }

    /// The body that will be sent.
    pub fn body(&self) -> &AddReceivableContactRequest {
        &self.body
    }
}

/// Contacts (`client.contacts()`).
#[derive(Debug, Clone)]
pub struct Contacts {
    client: Client,
}

impl Contacts {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Adds a Contact you can pay (`POST /contacts/anyone`).
    pub async fn create(self, contact: NewContact) -> Result<Contact, Error> {
        contact.validate()?;
        Ok(ops::add_contact(self.client.api(), &contact.body)
            .await?
            .data)
    }

    /// Contacts (`GET /contacts`), filtered by the methods of the list.
    pub fn list(self) -> List<ListContactsParams, Contact> {
        List::new(
            self.client,
            ListContactsParams::default(),
            ops::list_contacts_request,
        )
    }

    /// One Contact by its ID (`GET /contacts/{id}`).
    pub async fn get(self, id: &str) -> Result<Contact, Error> {
        Ok(ops::get_contact(self.client.api(), id).await?.data)
    }

    /// Removes a Contact (`DELETE /contacts/{id}`). Removing a Receivable Contact deactivates
    /// its PayIDs.
    pub async fn remove(self, id: &str) -> Result<(), Error> {
        ops::remove_contact(self.client.api(), id).await
    }

    /// Changes a Contact (`PATCH /contacts/{id}`).
    pub async fn update(self, id: &str, update: ContactUpdate) -> Result<Contact, Error> {
        update.validate()?;
        Ok(ops::update_contact(self.client.api(), id, &update.body)
            .await?
            .data)
    }

    /// Asks for a fresh balance through the Contact's bank connection
    /// (`POST /contacts/{id}/refresh_balance`).
    ///
    /// Not in Zepto's current API document; may be retired.
    pub async fn refresh_bank_connection(self, id: &str) -> Result<(), Error> {
        ops::refresh_contact_bank_connection(self.client.api(), id).await
    }

    /// Adds a Receivable Contact with a PayID (`POST /contacts/receivable`).
    pub async fn create_receivable(self, contact: NewReceivableContact) -> Result<Contact, Error> {
        contact.validate()?;
        Ok(
            ops::add_receivable_contact(self.client.api(), &contact.body)
                .await?
                .data,
        )
    }

    /// Changes the PayID name (the name payers see) of an active Receivable Contact
    /// (`PATCH /contacts/{id}/receivable`). `payid_name` must be printable ASCII. Zepto
    /// accepts the change (202) and applies it to the PayID registration.
    pub async fn update_payid_name(self, id: &str, payid_name: &str) -> Result<(), Error> {
        rules::not_empty("contact_id", id)?;
        rules::not_empty("payid_name", payid_name)?;
        rules::printable_ascii("payid_name", payid_name)?;
        let body = UpdateReceivableContactRequest {
            payid_name: payid_name.to_owned(),
        };
        ops::update_receivable_contact(self.client.api(), id, &body).await
    }

    /// Disables a Receivable Contact's PayID (`POST /contacts/{id}/receivable/disable`).
    pub async fn disable_receivable(self, id: &str) -> Result<(), Error> {
        ops::disable_receivable_contact(self.client.api(), id).await
    }

    /// Reactivates a Receivable Contact's PayID (`POST /contacts/{id}/receivable/activate`).
    pub async fn reactivate_receivable(self, id: &str) -> Result<(), Error> {
        ops::reactivate_receivable_contact(self.client.api(), id).await
    }
}

impl List<ListContactsParams, Contact> {
    /// Contacts whose name contains `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.params.name = Some(name.into());
        self
    }

    /// Contacts whose nickname contains `nickname`.
    pub fn nickname(mut self, nickname: impl Into<String>) -> Self {
        self.params.nickname = Some(nickname.into());
        self
    }

    /// Contacts whose email contains `email`.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.params.email = Some(email.into());
        self
    }

    /// The Contact with this bank account ID.
    pub fn bank_account_id(mut self, id: impl Into<String>) -> Self {
        self.params.bank_account_id = Some(id.into());
        self
    }

    /// Contacts whose bank account has this BSB.
    pub fn bank_account_branch_code(mut self, branch_code: impl Into<String>) -> Self {
        self.params.bank_account_branch_code = Some(branch_code.into());
        self
    }

    /// Contacts whose bank account has this number.
    pub fn bank_account_account_number(mut self, account_number: impl Into<String>) -> Self {
        self.params.bank_account_account_number = Some(account_number.into());
        self
    }
}
