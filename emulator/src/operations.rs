//! Every operation the emulator answers, named as the providers' API documents (and the
//! splitkit crates' `openapi.yaml`) name them. Faults target operations by these names, and the
//! request log records them.

use crate::webhooks::Provider;

/// One operation of a provider's API: its method, its path template below the provider's base
/// URL (as the provider documents it, e.g. `/payments/{payment_ref}`), and its operation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Operation {
    /// The provider.
    pub provider: Provider,
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The path template below the provider's base URL.
    pub path: &'static str,
    /// The operation id (`createPayment`, `createSession`, ...).
    pub id: &'static str,
}

const fn op(
    provider: Provider,
    method: &'static str,
    path: &'static str,
    id: &'static str,
) -> Operation {
    Operation {
        provider,
        method,
        path,
        id,
    }
}

use Provider::{Ante, FairShare, Splitable, Zepto};

/// Every operation the emulator serves, by provider, in the order of each provider's document.
/// Zepto's OAuth host (`/zepto/go`) has two more: `oauthAuthorize` (`GET /oauth/authorize`) and
/// `oauthToken` (`POST /oauth/token`), below its own base URL.
pub const OPERATIONS: &[Operation] = &[
    op(Ante, "POST", "/sessions", "createSession"),
    op(Ante, "GET", "/sessions", "listSessions"),
    op(Ante, "GET", "/sessions/{sessionId}", "getSession"),
    op(
        Ante,
        "POST",
        "/sessions/{sessionId}/cancel",
        "cancelSession",
    ),
    op(
        Ante,
        "POST",
        "/sessions/{sessionId}/remind",
        "remindSession",
    ),
    op(Ante, "GET", "/merchants/me", "getMerchant"),
    op(Ante, "GET", "/webhooks", "listWebhookEndpoints"),
    op(Ante, "POST", "/webhooks", "createWebhookEndpoint"),
    op(Ante, "DELETE", "/webhooks/{id}", "deleteWebhookEndpoint"),
    op(FairShare, "POST", "/split-sessions", "createSplitSession"),
    op(FairShare, "GET", "/split-sessions/{id}", "getSplitSession"),
    op(
        FairShare,
        "POST",
        "/split-sessions/{id}/expected-contributors",
        "setExpectedContributors",
    ),
    op(Splitable, "POST", "/api/splits", "createSplit"),
    op(
        Splitable,
        "GET",
        "/api/splits/{split_id}/paid_members",
        "listPaidMembers",
    ),
    op(
        Zepto,
        "GET",
        "/agreements/outgoing",
        "listOutgoingAgreements",
    ),
    op(Zepto, "GET", "/agreements/{agreement_ref}", "getAgreement"),
    op(
        Zepto,
        "DELETE",
        "/agreements/{agreement_ref}",
        "cancelAgreement",
    ),
    op(Zepto, "GET", "/bank_accounts", "listBankAccounts"),
    op(Zepto, "GET", "/bank_connections", "listBankConnections"),
    op(Zepto, "GET", "/bank_connections/{id}", "getBankConnection"),
    op(
        Zepto,
        "DELETE",
        "/bank_connections/{id}",
        "removeBankConnection",
    ),
    op(Zepto, "POST", "/contacts/anyone", "addContact"),
    op(Zepto, "GET", "/contacts", "listContacts"),
    op(Zepto, "GET", "/contacts/{id}", "getContact"),
    op(Zepto, "DELETE", "/contacts/{id}", "removeContact"),
    op(Zepto, "PATCH", "/contacts/{id}", "updateContact"),
    op(
        Zepto,
        "POST",
        "/contacts/{id}/refresh_balance",
        "refreshContactBankConnection",
    ),
    op(
        Zepto,
        "POST",
        "/contacts/receivable",
        "addReceivableContact",
    ),
    op(
        Zepto,
        "PATCH",
        "/contacts/{contact_id}/receivable",
        "updateReceivableContact",
    ),
    op(
        Zepto,
        "POST",
        "/contacts/{contact_id}/receivable/disable",
        "disableReceivableContact",
    ),
    op(
        Zepto,
        "POST",
        "/contacts/{contact_id}/receivable/activate",
        "reactivateReceivableContact",
    ),
    op(Zepto, "POST", "/open_agreements", "createOpenAgreement"),
    op(Zepto, "GET", "/open_agreements", "listOpenAgreements"),
    op(
        Zepto,
        "POST",
        "/open_agreements/{open_agreement_ref}/activate",
        "activateOpenAgreement",
    ),
    op(
        Zepto,
        "POST",
        "/open_agreements/{open_agreement_ref}/close",
        "closeOpenAgreement",
    ),
    op(Zepto, "POST", "/payment_requests", "createPaymentRequest"),
    op(
        Zepto,
        "GET",
        "/payment_requests/{payment_request_ref}",
        "getPaymentRequest",
    ),
    op(
        Zepto,
        "DELETE",
        "/payment_requests/{payment_request_ref}",
        "cancelPaymentRequest",
    ),
    op(
        Zepto,
        "GET",
        "/payment_requests/collections",
        "listPaymentRequestCollections",
    ),
    op(
        Zepto,
        "GET",
        "/payment_requests/receivables",
        "listPaymentRequestReceivables",
    ),
    op(Zepto, "POST", "/payments", "createPayment"),
    op(Zepto, "GET", "/payments", "listPayments"),
    op(Zepto, "GET", "/payments/{payment_ref}", "getPayment"),
    op(Zepto, "POST", "/payouts/{ref}/retry", "retryPayout"),
    op(Zepto, "DELETE", "/payouts/{ref}", "voidPayout"),
    op(
        Zepto,
        "POST",
        "/payouts/{ref}/void",
        "voidPayoutWithDetails",
    ),
    op(
        Zepto,
        "POST",
        "/credits/{credit_ref}/refunds",
        "issueRefund",
    ),
    op(Zepto, "GET", "/refunds/outgoing", "listOutgoingRefunds"),
    op(Zepto, "GET", "/refunds/{refund_ref}", "getRefund"),
    op(
        Zepto,
        "POST",
        "/simulate/incoming_payid_payment",
        "simulateIncomingPayIdPayment",
    ),
    op(
        Zepto,
        "POST",
        "/simulate/incoming_npp_payid_payment",
        "simulateIncomingNppPayIdPayment",
    ),
    op(
        Zepto,
        "POST",
        "/simulate/incoming_npp_bban_payment",
        "simulateIncomingNppBbanPayment",
    ),
    op(
        Zepto,
        "POST",
        "/simulate/incoming_de_payment",
        "simulateIncomingDePayment",
    ),
    op(Zepto, "GET", "/transactions", "listTransactions"),
    op(Zepto, "POST", "/transfers", "createTransfer"),
    op(Zepto, "GET", "/transfers", "listTransfers"),
    op(Zepto, "GET", "/transfers/{transfer_ref}", "getTransfer"),
    op(
        Zepto,
        "POST",
        "/unassigned_agreements",
        "proposeUnassignedAgreement",
    ),
    op(
        Zepto,
        "GET",
        "/unassigned_agreements",
        "listUnassignedAgreements",
    ),
    op(
        Zepto,
        "GET",
        "/unassigned_agreements/{unassigned_agreement_ref}",
        "getUnassignedAgreement",
    ),
    op(
        Zepto,
        "DELETE",
        "/unassigned_agreements/{unassigned_agreement_ref}",
        "deleteUnassignedAgreement",
    ),
    op(Zepto, "GET", "/user", "getUser"),
    op(Zepto, "GET", "/webhooks", "listWebhooks"),
    op(
        Zepto,
        "GET",
        "/webhooks/{webhook_id}/deliveries",
        "listWebhookDeliveries",
    ),
    op(
        Zepto,
        "GET",
        "/webhook_deliveries/{id}",
        "getWebhookDelivery",
    ),
    op(
        Zepto,
        "POST",
        "/webhook_deliveries/{id}",
        "resendWebhookDelivery",
    ),
    op(
        Zepto,
        "POST",
        "/webhook_deliveries/{id}/redeliver",
        "redeliverWebhookDelivery",
    ),
];

/// Zepto's OAuth host (`/zepto/go`).
pub(crate) const ZEPTO_OAUTH_OPERATIONS: &[Operation] = &[
    op(Zepto, "GET", "/oauth/authorize", "oauthAuthorize"),
    op(Zepto, "POST", "/oauth/token", "oauthToken"),
];

/// Which table of operations a request path is read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    /// A provider's API.
    Api(Provider),
    /// Zepto's OAuth host.
    ZeptoOAuth,
}

impl Surface {
    pub(crate) fn provider(self) -> Provider {
        match self {
            Surface::Api(p) => p,
            Surface::ZeptoOAuth => Provider::Zepto,
        }
    }

    fn operations(self) -> impl Iterator<Item = &'static Operation> {
        let (table, provider) = match self {
            Surface::Api(p) => (OPERATIONS, p),
            Surface::ZeptoOAuth => (ZEPTO_OAUTH_OPERATIONS, Provider::Zepto),
        };
        table.iter().filter(move |o| o.provider == provider)
    }
}

/// Whether `id` names an operation of `provider` (its API or, for Zepto, its OAuth host).
pub(crate) fn is_known(provider: Provider, id: &str) -> bool {
    OPERATIONS
        .iter()
        .chain(ZEPTO_OAUTH_OPERATIONS)
        .any(|o| o.provider == provider && o.id == id)
}

/// The operation a request is, from its method and its path below the surface's base URL.
/// Literal segments win over parameters (`/agreements/outgoing` is not `getAgreement`);
/// Splitable's `paid_members.json` is `listPaidMembers`.
pub(crate) fn find(surface: Surface, method: &str, path: &str) -> Option<&'static Operation> {
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".json").unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    surface
        .operations()
        .filter(|o| o.method.eq_ignore_ascii_case(method))
        .filter_map(|o| {
            let template: Vec<&str> = o.path.split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (t, s) in template.iter().zip(&segments) {
                if t.starts_with('{') {
                    if s.is_empty() {
                        return None;
                    }
                } else if t == s {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, o))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, o)| o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(surface: Surface, method: &str, path: &str) -> Option<&'static str> {
        find(surface, method, path).map(|o| o.id)
    }

    #[test]
    fn requests_map_to_their_operation() {
        let zepto = Surface::Api(Zepto);
        assert_eq!(
            id(zepto, "GET", "/agreements/outgoing"),
            Some("listOutgoingAgreements")
        );
        assert_eq!(id(zepto, "GET", "/agreements/A.2"), Some("getAgreement"));
        assert_eq!(
            id(zepto, "GET", "/payment_requests/collections"),
            Some("listPaymentRequestCollections")
        );
        assert_eq!(
            id(zepto, "POST", "/webhook_deliveries/x/redeliver"),
            Some("redeliverWebhookDelivery")
        );
        assert_eq!(
            id(zepto, "post", "/webhook_deliveries/x"),
            Some("resendWebhookDelivery")
        );
        assert_eq!(id(zepto, "PUT", "/payments"), None);
        assert_eq!(id(zepto, "GET", "/payments/PB.1/payouts"), None);
        assert_eq!(
            id(
                Surface::Api(Splitable),
                "GET",
                "/api/splits/ab/paid_members.json"
            ),
            Some("listPaidMembers")
        );
        assert_eq!(
            id(Surface::Api(Ante), "GET", "/webhooks"),
            Some("listWebhookEndpoints")
        );
        assert_eq!(
            id(Surface::ZeptoOAuth, "POST", "/oauth/token"),
            Some("oauthToken")
        );
        assert!(is_known(Zepto, "oauthToken"));
        assert!(!is_known(Ante, "createPayment"));
    }

    #[test]
    fn ids_are_unique_per_provider() {
        let mut seen = std::collections::HashSet::new();
        for o in OPERATIONS.iter().chain(ZEPTO_OAUTH_OPERATIONS) {
            assert!(seen.insert((o.provider, o.id)), "{} twice", o.id);
        }
    }
}
