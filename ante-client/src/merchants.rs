//! `GET /merchants/me`.

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models;
use crate::generated::operations as ops;

/// The authenticated merchant: fee rates, sandbox flag, Stripe connected, headless flag and
/// payout currency. Ante names these contents without spelling out every field; the field names
/// here follow the session answer and the `headless_api_enabled` setting, and a field Ante
/// names differently reads as `None`.
pub type Merchant = models::Merchant;

/// Merchant calls; from [`Client::merchants`]. Secret key only.
#[derive(Debug, Clone)]
pub struct Merchants {
    pub(crate) client: Client,
}

impl Merchants {
    /// The merchant the key belongs to (`GET /merchants/me`, scope `merchants:read`). Fails
    /// before sending with a publishable key.
    pub async fn me(self) -> Result<Merchant, Error> {
        self.client.require_secret_key("GET /merchants/me")?;
        let params = ops::GetMerchantParams {
            x_merchant_id: self.client.merchant_header(),
        };
        ops::get_merchant(self.client.api(), &params).await
    }
}
