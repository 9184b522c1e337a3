//! The authenticated user.

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::User;
use crate::generated::operations as ops;

/// The authenticated user (`client.user()`).
#[derive(Debug, Clone)]
pub struct Users {
    client: Client,
}

impl Users {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// The user the access token belongs to (`GET /user`).
    pub async fn get(self) -> Result<User, Error> {
        Ok(ops::get_user(self.client.api()).await?.data)
    }
}
