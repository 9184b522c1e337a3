//! The authenticated user.

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::User;
use crate::generated::operations as ops;

/// The authenticated user (`client.user()`).
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    client: &'a Client,
}

impl<'a> Users<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// The user the access token belongs to (`GET /user`).
    pub async fn get(&self) -> Result<User, Error> {
        Ok(ops::get_user(self.client.api()).await?.data)
    }
}
