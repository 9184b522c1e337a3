//! Test doubles shared by the integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use splitkit_common::operation::{Method, Operation, Pagination};
use splitkit_common::{
    HttpRequest, HttpResponse, RetryPolicy, Transport, TransportError, TransportErrorKind,
};

/// What the scripted transport does for one attempt.
#[derive(Debug, Clone)]
pub enum Step {
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: &'static str,
    },
    Fail(TransportErrorKind),
    Hang,
}

pub fn respond(status: u16, body: &'static str) -> Step {
    Step::Respond {
        status,
        headers: Vec::new(),
        body,
    }
}

pub fn respond_with(status: u16, headers: Vec<(&'static str, String)>, body: &'static str) -> Step {
    Step::Respond {
        status,
        headers,
        body,
    }
}

/// A transport that plays a script and records what it was sent.
#[derive(Debug, Default)]
pub struct Scripted {
    steps: Mutex<VecDeque<Step>>,
    pub sent: Mutex<Vec<HttpRequest>>,
}

impl Scripted {
    pub fn new(steps: Vec<Step>) -> Self {
        Self {
            steps: Mutex::new(steps.into()),
            sent: Mutex::new(Vec::new()),
        }
    }

    pub fn sent_count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }

    pub fn header_values(&self, name: &str) -> Vec<Option<String>> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.headers.get(name).map(|v| v.to_str().unwrap().to_owned()))
            .collect()
    }
}

#[async_trait]
impl Transport for Scripted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.lock().unwrap().push(request.clone());
        let step = self.steps.lock().unwrap().pop_front().unwrap_or(Step::Hang);
        match step {
            Step::Respond {
                status,
                headers,
                body,
            } => {
                let mut map = HeaderMap::new();
                for (k, v) in headers {
                    map.append(
                        HeaderName::from_static(k),
                        HeaderValue::from_str(&v).unwrap(),
                    );
                }
                Ok(HttpResponse {
                    status: StatusCode::from_u16(status).unwrap(),
                    headers: map,
                    body: Bytes::from_static(body.as_bytes()),
                })
            }
            Step::Fail(kind) => Err(TransportError::new(kind, "scripted failure")),
            Step::Hang => {
                // Honour the attempt timeout like a real transport.
                match request.timeout {
                    Some(t) => {
                        tokio::time::sleep(t).await;
                        Err(TransportError::new(
                            TransportErrorKind::Timeout,
                            "scripted hang",
                        ))
                    }
                    None => std::future::pending().await,
                }
            }
        }
    }
}

/// Retries without jitter, so waits can be asserted exactly.
pub fn exact_retry() -> RetryPolicy {
    RetryPolicy::default().jitter(false)
}

/// Retries with waits short enough for real-time tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .jitter(false)
}

pub static CREATE_PAYMENT: Operation = Operation {
    id: "createPayment",
    method: Method::Post,
    path: "/payments",
    idempotent: false,
    idempotency_key: true,
    pagination: Pagination::None,
};

pub static CREATE_SESSION: Operation = Operation {
    id: "createSession",
    method: Method::Post,
    path: "/sessions",
    idempotent: false,
    idempotency_key: false,
    pagination: Pagination::None,
};

pub static GET_PAYMENT: Operation = Operation {
    id: "getPayment",
    method: Method::Get,
    path: "/payments/{payment_ref}",
    idempotent: true,
    idempotency_key: false,
    pagination: Pagination::None,
};

pub static LIST_PAYMENTS: Operation = Operation {
    id: "listPayments",
    method: Method::Get,
    path: "/payments",
    idempotent: true,
    idempotency_key: false,
    pagination: Pagination::Link { items: "data" },
};

pub static LIST_SESSIONS: Operation = Operation {
    id: "listSessions",
    method: Method::Get,
    path: "/sessions",
    idempotent: true,
    idempotency_key: false,
    pagination: Pagination::Cursor {
        items: "data",
        cursor_field: "next_cursor",
        cursor_param: "cursor",
        has_more_field: Some("has_more"),
    },
};

pub static LIST_NUMBERED: Operation = Operation {
    id: "listNumbered",
    method: Method::Get,
    path: "/numbered",
    idempotent: true,
    idempotency_key: false,
    pagination: Pagination::PageNumber {
        items: "",
        page_param: "page",
    },
};
