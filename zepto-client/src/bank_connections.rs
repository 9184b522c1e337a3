//! Bank connections: read-only connections to your Contacts' banking data.
//!
//! Not in Zepto's current API document; may be retired. The operations here follow Zepto's
//! older API reference, which documents them; Zepto's January 2026 document no longer lists
//! them (see the crate's "API generations").

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::{BankConnection, BankConnectionProvider, BankConnectionState};
use crate::generated::operations::{self as ops, ListBankConnectionsParams};
use crate::list::List;

/// Bank connections (`client.bank_connections()`).
#[derive(Debug, Clone)]
pub struct BankConnections {
    client: Client,
}

impl BankConnections {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Bank connections (`GET /bank_connections`).
    pub fn list(self) -> List<ListBankConnectionsParams, BankConnection> {
        List::new(
            self.client,
            ListBankConnectionsParams::default(),
            ops::list_bank_connections_request,
        )
    }

    /// One bank connection by its ID (`GET /bank_connections/{id}`).
    pub async fn get(self, id: &str) -> Result<BankConnection, Error> {
        Ok(ops::get_bank_connection(self.client.api(), id).await?.data)
    }

    /// Removes a bank connection (`DELETE /bank_connections/{id}`).
    pub async fn remove(self, id: &str) -> Result<(), Error> {
        ops::remove_bank_connection(self.client.api(), id).await
    }
}

impl List<ListBankConnectionsParams, BankConnection> {
    /// Only connections made through this provider.
    pub fn provider_name(mut self, provider: BankConnectionProvider) -> Self {
        self.params.provider_name = Some(provider);
        self
    }

    /// Only connections in this state.
    pub fn state(mut self, state: BankConnectionState) -> Self {
        self.params.state = Some(state);
        self
    }
}
