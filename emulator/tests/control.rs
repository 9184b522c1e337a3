//! The control endpoints, fault injection, and robustness: every answer to bad input is in the
//! provider's own error shape.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use serde_json::{Value, json};
use splitkit_emulator::{Emulator, EmulatorConfig, Provider, seed};

use common::{control, http, start};

#[tokio::test]
async fn describe_lists_urls_seeds_and_settings() {
    let emulator = start(common::config()).await;
    let info: Value = http()
        .get(emulator.control_url())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["base_urls"]["ante"], emulator.ante_base_url());
    assert_eq!(
        info["base_urls"]["zepto_oauth"],
        emulator.zepto_oauth_base_url()
    );
    assert_eq!(
        info["seed"]["ante"]["signing_secret"],
        seed::ANTE_SIGNING_SECRET
    );
    assert_eq!(
        info["seed"]["zepto"]["personal_access_token"],
        seed::ZEPTO_PERSONAL_ACCESS_TOKEN
    );
    assert_eq!(info["operations"], splitkit_emulator::OPERATIONS.len());
    assert_eq!(info["settings"]["lenient"], false);
    assert_eq!(
        info["settings"]["webhook_retry_schedules_ms"]["zepto"][0], 20,
        "the tests' fast schedule"
    );
    assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(emulator.addr().ip().to_string(), "127.0.0.1");
}

#[tokio::test]
async fn injected_faults_answer_in_the_provider_shape_then_stop() {
    let emulator = start(common::config()).await;
    let fault = control(
        &emulator,
        "/faults",
        json!({ "provider": "fairshare", "status": 503, "count": 2, "retry_after": 7 }),
        201,
    )
    .await;
    assert_eq!(fault["remaining"], 2);
    for _ in 0..2 {
        let response = http()
            .get(format!(
                "{}/split-sessions/x",
                emulator.fairshare_base_url()
            ))
            .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "7");
        assert_eq!(
            response.json::<Value>().await.unwrap()["code"],
            "INTERNAL_ERROR"
        );
    }
    let after = http()
        .get(format!(
            "{}/split-sessions/x",
            emulator.fairshare_base_url()
        ))
        .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 404);

    control(
        &emulator,
        "/faults",
        json!({ "provider": "ante", "status": 429, "retry_after": 1 }),
        201,
    )
    .await;
    let limited = http()
        .get(format!("{}/sessions", emulator.ante_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    let body: Value = limited.json().await.unwrap();
    assert!(body["error"].is_string() && body["request_id"].is_string());
    control(
        &emulator,
        "/faults",
        json!({ "provider": "zepto", "status": 500 }),
        201,
    )
    .await;
    let zepto: Value = http()
        .get(format!("{}/user", emulator.zepto_api_base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(zepto["errors"][0]["title"], "Internal Server Error");
    control(
        &emulator,
        "/faults",
        json!({ "provider": "paypal", "status": 500 }),
        400,
    )
    .await;
    control(
        &emulator,
        "/faults",
        json!({ "provider": "ante", "status": 200 }),
        400,
    )
    .await;
}

#[tokio::test]
async fn clock_reset_and_webhook_log_filters() {
    let emulator = start(common::config().fairshare_webhook_url("http://127.0.0.1:9/x")).await;
    let before: Value = http()
        .get(format!("{}/clock", emulator.control_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let moved = control(&emulator, "/clock/advance", json!({ "seconds": 3600 }), 200).await;
    assert_eq!(moved["offset_seconds"], 3600);
    assert!(moved["unix"].as_i64().unwrap() - before["unix"].as_i64().unwrap() >= 3600);
    control(&emulator, "/clock/advance", json!({ "seconds": -5 }), 400).await;

    let created = http()
        .post(format!("{}/split-sessions", emulator.fairshare_base_url()))
        .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
        .json(&json!({ "totalAmountQar": 10, "currency": "QAR", "splitType": "PROPORTIONAL_POOL" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    emulator
        .wait_for_webhook(
            |d| d.provider == Provider::FairShare,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    let log: Value = http()
        .get(format!(
            "{}/webhooks?provider=fairshare&event_type=split_session.created",
            emulator.control_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &log["data"][0];
    assert_eq!(first["provider"], "fairshare");
    assert_eq!(first["url"], "http://127.0.0.1:9/x");
    assert!(
        first["headers"]["x-splitpay-signature"]
            .as_str()
            .unwrap()
            .starts_with("v1=")
    );
    assert!(first["status"].is_null());
    let none: Value = http()
        .get(format!(
            "{}/webhooks?provider=zepto",
            emulator.control_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none["data"].as_array().unwrap().len(), 0);

    control(&emulator, "/reset", json!({}), 200).await;
    assert!(emulator.webhooks_sent().is_empty());
    let clock: Value = http()
        .get(format!("{}/clock", emulator.control_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["offset_seconds"], 0);
    let gone = http()
        .get(format!(
            "{}/split-sessions/{}",
            emulator.fairshare_base_url(),
            created.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
        ))
        .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    control(&emulator, "/ante/sessions/unknown/pay", json!({}), 404).await;
    control(&emulator, "/no/such/thing", json!({}), 404).await;
}

/// A provider, a method, a URL and extra headers.
type Target = (
    &'static str,
    reqwest::Method,
    String,
    Vec<(&'static str, String)>,
);

/// Whether `body` is in `provider`'s error shape.
fn shaped(provider: &str, body: &Value) -> bool {
    match provider {
        "ante" => body["error"].is_string() && body["request_id"].is_string(),
        "fairshare" => body["code"].is_string() && body["message"].is_string(),
        "splitable" => body["error"].is_string(),
        _ => body["errors"].is_string() || body["errors"][0]["title"].is_string(),
    }
}

#[tokio::test]
async fn bad_input_never_breaks_the_emulator_or_the_error_shapes() {
    let emulator = start(common::config()).await;
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"{\"cart\": 5, \"totalAmountQar\": \"ten\", \"payouts\": {}, \"amount\": -1}".to_vec(),
        b"{\"totalAmountQar\": 1e400, \"currency\": 3, \"items\": [null]}".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        "{\"name\": \"\u{1F600}\", \"metadata\": {\"a\": [1]}}"
            .as_bytes()
            .to_vec(),
    ];
    let targets: Vec<Target> = vec![
        (
            "ante",
            reqwest::Method::POST,
            format!("{}/sessions", emulator.ante_base_url()),
            vec![
                (
                    "authorization",
                    format!("Bearer {}", seed::ANTE_TEST_SECRET_KEY),
                ),
                ("x-ante-signature", "zz".into()),
            ],
        ),
        (
            "ante",
            reqwest::Method::POST,
            format!("{}/webhooks", emulator.ante_base_url()),
            vec![(
                "authorization",
                format!("Bearer {}", seed::ANTE_TEST_SECRET_KEY),
            )],
        ),
        (
            "ante",
            reqwest::Method::PATCH,
            format!("{}/sessions/%FF", emulator.ante_base_url()),
            vec![],
        ),
        (
            "fairshare",
            reqwest::Method::POST,
            format!("{}/split-sessions", emulator.fairshare_base_url()),
            vec![("x-splitpay-api-key", seed::FAIRSHARE_API_KEY.into())],
        ),
        (
            "fairshare",
            reqwest::Method::POST,
            format!(
                "{}/split-sessions/x/expected-contributors",
                emulator.fairshare_base_url()
            ),
            vec![("x-splitpay-api-key", seed::FAIRSHARE_API_KEY.into())],
        ),
        (
            "splitable",
            reqwest::Method::POST,
            format!("{}/api/splits", emulator.splitable_base_url()),
            vec![],
        ),
        (
            "splitable",
            reqwest::Method::PUT,
            format!("{}/api/splits", emulator.splitable_base_url()),
            vec![],
        ),
        (
            "zepto",
            reqwest::Method::POST,
            format!("{}/payments", emulator.zepto_api_base_url()),
            vec![(
                "authorization",
                format!("Bearer {}", seed::ZEPTO_PERSONAL_ACCESS_TOKEN),
            )],
        ),
        (
            "zepto",
            reqwest::Method::POST,
            format!("{}/contacts/receivable", emulator.zepto_api_base_url()),
            vec![(
                "authorization",
                format!("Bearer {}", seed::ZEPTO_PERSONAL_ACCESS_TOKEN),
            )],
        ),
        (
            "zepto",
            reqwest::Method::POST,
            format!(
                "{}/simulate/incoming_payid_payment",
                emulator.zepto_api_base_url()
            ),
            vec![(
                "authorization",
                format!("Bearer {}", seed::ZEPTO_PERSONAL_ACCESS_TOKEN),
            )],
        ),
        (
            "zepto",
            reqwest::Method::PUT,
            format!("{}/payments", emulator.zepto_api_base_url()),
            vec![],
        ),
        (
            "zepto",
            reqwest::Method::GET,
            format!(
                "{}/transactions?min_amount=abc&page=-4",
                emulator.zepto_api_base_url()
            ),
            vec![(
                "authorization",
                format!("Bearer {}", seed::ZEPTO_PERSONAL_ACCESS_TOKEN),
            )],
        ),
    ];
    for (provider, method, url, headers) in &targets {
        for body in &bodies {
            let mut request = http()
                .request(method.clone(), url)
                .body(body.clone())
                .header("content-type", "application/json");
            for (name, value) in headers {
                request = request.header(*name, value);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            assert!(
                status.is_client_error() || status == 200,
                "{provider} {method} {url}: {status} {text}"
            );
            let parsed: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{provider} {url}: not JSON: {text}"));
            assert!(
                shaped(provider, &parsed),
                "{provider} {method} {url}: {text}"
            );
        }
    }
    // Still serving.
    let alive = http().get(emulator.control_url()).send().await.unwrap();
    assert_eq!(alive.status(), 200);
}

#[tokio::test]
async fn shutdown_stops_serving_and_config_errors_are_reported() {
    let emulator = start(common::config()).await;
    let url = emulator.control_url();
    emulator.shutdown().await;
    assert!(http().get(&url).send().await.is_err());

    let bad = Emulator::start(EmulatorConfig::default().fairshare_webhook_url("not a url")).await;
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("fairshare_webhook_url")
    );
    let taken = start(common::config()).await;
    let clash = Emulator::start(EmulatorConfig::default().bind(taken.addr())).await;
    assert!(clash.unwrap_err().to_string().contains("could not listen"));
}

#[tokio::test]
async fn faults_target_one_operation_and_can_hang_reset_or_delay() {
    let emulator = start(common::config()).await;
    let get = |path: &str| {
        http()
            .get(format!("{}{path}", emulator.zepto_api_base_url()))
            .bearer_auth(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
    };
    control(
        &emulator,
        "/faults",
        json!({ "provider": "zepto", "operation": "getUser", "type": "reset" }),
        201,
    )
    .await;
    assert_eq!(get("/payments").send().await.unwrap().status(), 200);
    let reset = get("/user").send().await.unwrap_err();
    assert!(!reset.is_timeout() && !reset.is_status(), "{reset:?}");
    assert_eq!(get("/user").send().await.unwrap().status(), 200);

    control(
        &emulator,
        "/faults",
        json!({ "provider": "zepto", "operation": "getUser", "type": "hang", "ms": 5000 }),
        201,
    )
    .await;
    let started = std::time::Instant::now();
    let hung = get("/user")
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(hung.is_timeout(), "{hung:?}");
    assert!(started.elapsed() < Duration::from_secs(2));

    control(
        &emulator,
        "/faults",
        json!({ "provider": "zepto", "operation": "getUser", "type": "delay", "ms": 300 }),
        201,
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(get("/user").send().await.unwrap().status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let log: Value = http()
        .get(format!(
            "{}/requests?operation=getUser",
            emulator.control_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let faults: Vec<(Value, Value)> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["fault"].clone(), r["status"].clone()))
        .collect();
    assert_eq!(
        faults,
        vec![
            (json!("reset"), Value::Null),
            (Value::Null, json!(200)),
            (json!("hang 5000 ms"), Value::Null),
            (json!("delay 300 ms"), json!(200)),
        ]
    );
    control(
        &emulator,
        "/faults",
        json!({ "provider": "zepto", "operation": "createSession", "type": "reset" }),
        400,
    )
    .await;
}

#[tokio::test]
async fn a_control_client_connected_from_outside_follows_the_emulator_clock() {
    use splitkit_common::Clock;
    use splitkit_emulator::control::{Control, ControlError};

    let emulator = start(common::config()).await;
    let remote = Control::connect(emulator.base_url()).unwrap();
    let moved = remote
        .clock()
        .advance(Duration::from_secs(7200))
        .await
        .unwrap();
    assert!(moved.offset >= Duration::from_secs(7200));
    // The remote client's clock (a local copy) and the emulator's agree.
    let gap = remote.clock().unix_seconds() - emulator.clock().unix_seconds();
    assert!(gap.abs() <= 1, "{gap}");
    remote.reset().await.unwrap();
    assert!(remote.clock().current().await.unwrap().offset < Duration::from_secs(1));

    let refused = remote.ante().pay_all("no-such-session").await.unwrap_err();
    assert!(
        matches!(&refused, ControlError::Rejected { status: 404, message } if message.contains("no-such-session")),
        "{refused:?}"
    );
    assert!(matches!(
        Control::connect("ftp://127.0.0.1"),
        Err(ControlError::InvalidUrl(_))
    ));
}
