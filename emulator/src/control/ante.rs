//! What Ante's shoppers do.

use serde::Deserialize;
use serde_json::json;

use super::{ControlError, Http, encode};

/// An Ante session as the control endpoints show it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AnteSession {
    /// The session id.
    pub session_id: String,
    /// `pending`, `funded`, `expired` or `cancelled`.
    pub status: String,
    /// The group paying.
    pub group: AnteGroup,
    /// The Stripe transfer once funded (`none` in test mode).
    pub transfer: Option<String>,
}

/// The group of an [`AnteSession`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AnteGroup {
    /// The members, the organizer first.
    pub members: Vec<AnteMember>,
}

/// One member of an Ante group.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AnteMember {
    /// The member id (for [`Ante::pay_share`]).
    pub id: String,
    /// The member's name.
    pub name: String,
    /// Their share, in minor units.
    pub amount_cents: i64,
    /// `pending`, `paid` or `refunded`.
    pub status: String,
}

/// What Ante's shoppers do.
#[derive(Debug, Clone, Copy)]
pub struct Ante<'a> {
    pub(super) http: &'a Http,
}

impl Ante<'_> {
    fn path(session_id: &str, action: &str) -> String {
        format!("/ante/sessions/{}/{action}", encode(session_id))
    }

    /// The organizer opens the group (`group.created`).
    pub async fn open(&self, session_id: &str) -> Result<AnteSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "open"), json!({}))
            .await
    }

    /// Every pending share is paid (`group.funded`).
    pub async fn pay_all(&self, session_id: &str) -> Result<AnteSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "pay"), json!({}))
            .await
    }

    /// One member pays their share (`group.funded` when it was the last).
    pub async fn pay_share(
        &self,
        session_id: &str,
        member_id: &str,
    ) -> Result<AnteSession, ControlError> {
        self.http
            .post(
                &Self::path(session_id, "pay"),
                json!({ "member_id": member_id }),
            )
            .await
    }

    /// The next `count` pending shares are paid.
    pub async fn pay_shares(
        &self,
        session_id: &str,
        count: u32,
    ) -> Result<AnteSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "pay"), json!({ "count": count }))
            .await
    }

    /// The session expires now (`group.expired`; paid shares are refunded).
    pub async fn expire(&self, session_id: &str) -> Result<AnteSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "expire"), json!({}))
            .await
    }
}
