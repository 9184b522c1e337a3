//! The emulator's control endpoints (what shoppers, banks and the clock do), in one place: the
//! only module of these tests that knows their paths and bodies, so that it can give way to the
//! emulator's typed control client.

use serde_json::{Value, json};

/// Drives one running emulator through `POST /_emulator/...`.
pub(crate) struct Control {
    base: String,
    http: reqwest::Client,
}

impl Control {
    /// For the emulator whose control URL is `base` (`http://127.0.0.1:PORT/_emulator`).
    pub(crate) fn new(base: String) -> Self {
        let http = splitkit_common::tls::http_client_builder()
            .expect("HTTP client")
            .no_proxy()
            .build()
            .expect("HTTP client");
        Self { base, http }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.post_text(path, body.to_string()).await
    }

    /// Posts JSON text as it is (amounts written as exact JSON numbers).
    async fn post_text(&self, path: &str, body: String) -> Value {
        let url = format!("{}{path}", self.base);
        let response = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "POST {url} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Ante: the organizer opens the group (`group.created`).
    pub(crate) async fn ante_open(&self, session: &str) {
        self.post(&format!("/ante/sessions/{session}/open"), json!({}))
            .await;
    }

    /// Ante: the next `count` members pay their shares.
    pub(crate) async fn ante_pay(&self, session: &str, count: u32) {
        self.post(
            &format!("/ante/sessions/{session}/pay"),
            json!({ "count": count }),
        )
        .await;
    }

    /// Ante: every pending member pays (`group.funded`).
    pub(crate) async fn ante_pay_all(&self, session: &str) {
        self.post(&format!("/ante/sessions/{session}/pay"), json!({}))
            .await;
    }

    /// Ante: the session expires now (`group.expired`).
    pub(crate) async fn ante_expire(&self, session: &str) {
        self.post(&format!("/ante/sessions/{session}/expire"), json!({}))
            .await;
    }

    /// FairShare: one contributor pays (their equal share, or `amount` major units).
    pub(crate) async fn fairshare_contribute(
        &self,
        session: &str,
        name: &str,
        amount: Option<&str>,
    ) {
        let mut body = json!({ "name": name, "email": format!("{name}@example.com") }).to_string();
        if let Some(amount) = amount {
            body = format!(r#"{}, "amount": {amount}}}"#, body.trim_end_matches('}'));
        }
        self.post_text(
            &format!("/fairshare/split-sessions/{session}/contributions"),
            body,
        )
        .await;
    }

    /// FairShare: the dashboard ends a session: `refund`, `cancel` or `expire`.
    pub(crate) async fn fairshare_end(&self, session: &str, how: &str) {
        self.post(
            &format!("/fairshare/split-sessions/{session}/{how}"),
            json!({}),
        )
        .await;
    }

    /// split(able): a team member pays `amount` cents (all that is due when `None`).
    pub(crate) async fn splitable_pay(&self, split: &str, amount: Option<i64>) {
        let body = match amount {
            Some(cents) => json!({ "name": "Dana", "email": "dana@example.com", "amount": cents }),
            None => json!({ "name": "Dana", "email": "dana@example.com" }),
        };
        self.post(&format!("/splitable/splits/{split}/pay"), body)
            .await;
    }

    /// split(able): the split is cancelled (callback `cancelled`).
    pub(crate) async fn splitable_cancel(&self, split: &str) {
        self.post(&format!("/splitable/splits/{split}/cancel"), json!({}))
            .await;
    }

    /// Zepto: runs the processing cycle until nothing moves.
    pub(crate) async fn zepto_process(&self) {
        self.post("/zepto/process", json!({})).await;
    }

    /// Moves the emulator clock forward, applying every expiry that falls due.
    pub(crate) async fn advance_clock(&self, seconds: u64) {
        self.post("/clock/advance", json!({ "seconds": seconds }))
            .await;
    }
}
