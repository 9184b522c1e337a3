//! A real `redis-server` per test, and a loopback Zepto (token endpoint, `/user`, `/payments`)
//! that counts what it is sent and refuses a spent refresh token with `invalid_grant`.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use splitkit_common::{TokenPair, TokenStore};
use splitkit_redis::Redis;

/// A `redis-server` on 127.0.0.1 at a free port, without persistence; killed when dropped.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one and waits until it answers `PING`. Panics, saying how to install it, when
    /// `redis-server` is missing: these tests need a real Redis and never skip.
    pub fn start() -> Self {
        let mut server = Self {
            port: free_port(),
            child: None,
        };
        server.launch();
        server
    }

    fn launch(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--dir", &std::env::temp_dir().to_string_lossy()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start redis-server ({e}). The splitkit-redis tests run against a real \
                     Redis: install the Debian package (`apt-get install -y redis-server`); \
                     `.ci/run` does this when it is missing"
                )
            });
        self.child = Some(child);
        let started = Instant::now();
        while !self.answers_ping() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not answer on port {} within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        let mut answer = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut answer).is_ok()
            && &answer == b"+PONG\r\n"
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub async fn connect(&self) -> Redis {
        Redis::connect(&self.url()).await.unwrap()
    }

    /// Kills the server (its data goes with it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port nothing listens on at the moment.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the loopback Zepto has seen.
#[derive(Debug, Default)]
pub struct Seen {
    /// The refresh token Zepto accepts next, and the access token it accepts now.
    pub refresh: String,
    pub access: String,
    issued: u32,
    /// Refresh tokens received, in order, with when (including requests left hanging).
    pub received: Vec<(String, Instant)>,
    /// Refresh tokens Zepto processed (rotated, or refused as spent).
    pub processed: Vec<String>,
    pub invalid_grants: u32,
    /// Answer the next refresh request never (it is not processed).
    pub hang_next_refresh: bool,
    pub hanging: u32,
    /// API calls by the bearer token they carried.
    pub calls_by_token: HashMap<String, u32>,
    /// `Idempotency-Key`s of `POST /payments`, in order.
    pub payment_keys: Vec<String>,
    /// Payments made, by key.
    pub payments: HashMap<String, String>,
    /// Leave the first create of a key hanging after recording it.
    pub hang_new_creates: bool,
}

/// The loopback Zepto.
#[derive(Clone)]
pub struct Zepto {
    pub seen: Arc<Mutex<Seen>>,
    pub addr: SocketAddr,
    /// How long a refresh takes to answer.
    pub refresh_delay: Duration,
}

impl Zepto {
    /// Serves on a free port; the account's refresh token is `refresh-1` and its access token
    /// `access-1`.
    pub async fn start(refresh_delay: Duration) -> Self {
        let seen = Arc::new(Mutex::new(Seen {
            refresh: "refresh-1".into(),
            access: "access-1".into(),
            issued: 1,
            ..Seen::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let zepto = Self {
            seen,
            addr,
            refresh_delay,
        };
        let app = Router::new()
            .route("/oauth/token", post(token))
            .route("/user", get(user))
            .route("/payments", post(create_payment))
            .with_state(zepto.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        zepto
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen<T>(&self, f: impl FnOnce(&mut Seen) -> T) -> T {
        f(&mut self.seen.lock().unwrap())
    }

    /// Waits (up to 20 s) until `condition` holds.
    pub async fn wait_for(&self, what: &str, condition: impl Fn(&Seen) -> bool) {
        let started = Instant::now();
        while !self.seen(|s| condition(s)) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "waited 20 s for {what}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn token(State(zepto): State<Zepto>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url_form(&body);
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    let hang = zepto.seen(|s| {
        s.received.push((presented.clone(), Instant::now()));
        if s.hang_next_refresh {
            s.hang_next_refresh = false;
            s.hanging += 1;
            true
        } else {
            false
        }
    });
    if hang {
        // Stuck before processing anything: the refresh token is not spent.
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(zepto.refresh_delay).await;
    zepto.seen(|s| {
        s.processed.push(presented.clone());
        if form.get("grant_type").map(String::as_str) != Some("refresh_token")
            || presented != s.refresh
        {
            s.invalid_grants += 1;
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired, revoked, or was issued to another client."}),
            );
        }
        s.issued += 1;
        s.refresh = format!("refresh-{}", s.issued);
        s.access = format!("access-{}", s.issued);
        json(
            StatusCode::OK,
            serde_json::json!({
                "access_token": s.access, "token_type": "bearer", "expires_in": 7200,
                "refresh_token": s.refresh, "scope": "public"
            }),
        )
    })
}

fn url_form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

async fn user(State(zepto): State<Zepto>, headers: HeaderMap) -> Response {
    let token = bearer(&headers);
    zepto.seen(|s| {
        *s.calls_by_token.entry(token.clone()).or_default() += 1;
        if token == s.access {
            json(StatusCode::OK, serde_json::json!({"data": {"first_name": "Bear"}}))
        } else {
            json(
                StatusCode::UNAUTHORIZED,
                serde_json::json!({"errors": [{"title": "Unauthorized", "detail": "Invalid token"}]}),
            )
        }
    })
}

async fn create_payment(State(zepto): State<Zepto>, headers: HeaderMap) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (existing, hang) = zepto.seen(|s| {
        s.payment_keys.push(key.clone());
        let existing = s.payments.get(&key).cloned();
        if existing.is_none() {
            let reference = format!("PB.{}", s.payments.len() + 1);
            s.payments.insert(key.clone(), reference);
        }
        (existing, s.hang_new_creates)
    });
    match existing {
        Some(reference) => json(
            StatusCode::CONFLICT,
            serde_json::json!({"errors": [{
                "title": "Conflict",
                "detail": "A request with this Idempotency-Key was already processed",
                "meta": {"resource_ref": reference}
            }]}),
        ),
        None if hang => {
            // The payment is made; the answer never leaves (the client is killed meanwhile).
            std::future::pending::<Response>().await
        }
        None => json(StatusCode::INTERNAL_SERVER_ERROR, serde_json::json!({})),
    }
}

/// The account's pair as Zepto issued it, expired `ago` ago.
pub fn expired_pair(ago: Duration) -> TokenPair {
    TokenPair {
        access_token: "access-1".into(),
        refresh_token: Some("refresh-1".into()),
        expires_at: Some(SystemTime::now() - ago),
        scope: Some("public".into()),
    }
}

/// Seeds `store` with the expired pair.
pub async fn seed(store: &impl TokenStore) {
    store
        .save(&expired_pair(Duration::from_secs(10)))
        .await
        .unwrap();
}
