//! Fees through the payment platform, against the strict simulator (`motcua sim payment`) on loopback: the
//! order goes out through the outbox (also through a 5xx and a timeout: one order at the platform), the
//! citizen pays, the signed callback resumes processing; tampered, unknown, wrong-amount and repeated
//! callbacks; a refund after the dossier is stopped; the simulator's own strictness.

use std::time::Duration;

use chrono::TimeDelta;
use motcua_api::sim;
use motcua_engine::adapters::outside::{Endpoint, Outside, PaymentEndpoint};
use motcua_engine::adapters::payment::sign;
use motcua_engine::jobs::dispatcher::{self, DispatchReport};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    Backend, HONG_BANG, Launch, ManualClock, TestServer, Ward, assert_problem, hong_bang, instant, new_dossier,
};

const TOKEN: &str = "payment-test-token";
const MERCHANT: &str = "MOTCUA-TEST";
const SECRET: &str = "payment-test-secret";

fn settings() -> sim::payment::Settings {
    sim::payment::Settings {
        token: TOKEN.into(),
        merchant: MERCHANT.into(),
        secret: SECRET.into(),
        callback_base: None,
    }
}

/// A server on a hand-moved clock with the platform configured, the simulator calling it back, and the
/// demo's own orders already delivered (so injected faults strike the test's order).
async fn start(backend: Backend) -> (TestServer, sim::Running) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let platform = sim::spawn(listener, sim::payment::routes(settings())).unwrap();
    let outside = Outside {
        payment: Some(PaymentEndpoint {
            endpoint: Endpoint { url: platform.url.clone(), token: TOKEN.into() },
            merchant: MERCHANT.into(),
            secret: SECRET.into(),
        }),
        timeout: Duration::from_millis(1000),
        ..Outside::default()
    };
    let clock = ManualClock::at("2026-11-24T08:00:00+07:00");
    let server = TestServer::launch(backend, Launch { outside, clock: Some(clock), ..Launch::default() }).await;
    post(&platform, "/_sim/callback-base", json!({"url": server.base})).await;
    let drained = dispatch(&server).await;
    assert_eq!(drained.dead, 0, "{drained:?}");
    (server, platform)
}

async fn post(platform: &sim::Running, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new().post(format!("{}{path}", platform.url)).json(&body).send().await.unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap()
}

async fn sim_get(platform: &sim::Running, path: &str) -> Value {
    reqwest::get(format!("{}{path}", platform.url)).await.unwrap().json().await.unwrap()
}

async fn dispatch(server: &TestServer) -> DispatchReport {
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        dispatcher::dispatch(&services, &motcua_engine::wiring::outbound(&services.config.outside), 100).unwrap()
    })
    .await
    .unwrap()
}

/// A household business registration received, assigned, and at appraisal.
async fn at_appraisal(server: &TestServer, ward: &Ward, id_number: &str) -> Value {
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, id_number)).await;
    server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await
}

async fn payments(server: &TestServer, token: &str, id: &str) -> Value {
    let (status, body) = server.get(&format!("/api/v1/dossiers/{id}/payments"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Waits (real time) until `ready` holds for the dossier, as the simulator calls back in the background.
async fn wait_for(server: &TestServer, token: &str, id: &str, ready: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let dossier = server.dossier(token, id).await;
        if ready(&dossier) {
            return dossier;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the dossier never got there: {}", server.dossier(token, id).await);
}

/// A callback as the platform would sign it (or not).
async fn callback(server: &TestServer, body: &Value, signature: Option<String>) -> (StatusCode, Value) {
    let text = body.to_string();
    let signature = signature.unwrap_or_else(|| sign(SECRET, text.as_bytes()));
    let (status, _, answer) = server
        .send_full(reqwest::Method::POST, "/api/v1/payments/callback", None, Some(text), &[("X-Signature", &signature)])
        .await;
    (status, answer)
}

fn payment_events(history: &Value) -> Vec<&Value> {
    history["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "payment_recorded").collect()
}

/// request_payment -> the order reaches the platform once despite a 5xx and a timeout -> the citizen pays ->
/// the signed callback records the payment (status 4, clock resumed, due instant moved by the pause).
async fn an_order_is_paid_and_processing_resumes(backend: Backend) {
    let (server, platform) = start(backend).await;
    let ward = hong_bang(&server).await;
    let d = at_appraisal(&server, &ward, "031090012399").await;
    let id = d["id"].as_str().unwrap().to_string();
    let due_before = instant(&d["due_at"]);

    // Fees shown come from the procedure definition.
    let view = payments(&server, &ward.clerk, &id).await;
    assert_eq!(view["total_due_vnd"], 100_000, "{view}");
    assert_eq!(view["fees"][0]["name"], "Lệ phí đăng ký hộ kinh doanh");
    assert!(view["orders"].as_array().unwrap().is_empty());

    let requested =
        server.act_ok(&ward.specialist, &d, json!({"action": "request_payment", "amount_vnd": 100_000})).await;
    assert_eq!(requested["status"], 6);
    assert!(requested["clock"]["intervals"].as_array().unwrap().last().unwrap()["to"].is_string(), "clock paused");
    let view = payments(&server, &ward.clerk, &id).await;
    let order = &view["orders"][0];
    let order_id = order["order_id"].as_str().unwrap().to_string();
    assert_eq!((order["state"].as_str(), order["amount_vnd"].as_i64()), (Some("requested"), Some(100_000)));
    assert!(order["pay_url"].is_null());
    assert!(order_id.starts_with("MC-") && order_id.ends_with(&format!("-{}", requested["version"])), "{order_id}");

    // The platform answers 503 once, then too slowly once: retried with backoff, one order in the end.
    post(&platform, "/_sim/faults", json!({"mode": "error", "count": 1})).await;
    let report = dispatch(&server).await;
    assert_eq!((report.claimed, report.retried), (1, 1), "{report:?}");
    server.advance(TimeDelta::minutes(10));
    post(&platform, "/_sim/faults", json!({"mode": "timeout", "count": 1, "ms": 2500})).await;
    let report = dispatch(&server).await;
    assert_eq!((report.claimed, report.retried), (1, 1), "{report:?}");
    assert_eq!(dispatch(&server).await.claimed, 0, "nothing before its backoff");
    server.advance(TimeDelta::minutes(10));
    let report = dispatch(&server).await;
    assert_eq!((report.claimed, report.delivered), (1, 1), "{report:?}");
    tokio::time::sleep(Duration::from_millis(2000)).await; // the slow request is handled late, as a real server would
    let held = sim_get(&platform, "/_sim/orders").await;
    let ours: Vec<&Value> =
        held["orders"].as_array().unwrap().iter().filter(|o| o["dossier_code"] == requested["code"]).collect();
    assert_eq!(ours.len(), 1, "exactly one order at the platform: {held}");
    assert_eq!(
        (ours[0]["order_id"].as_str(), ours[0]["amount_vnd"].as_u64()),
        (Some(order_id.as_str()), Some(100_000))
    );
    let faults = sim_get(&platform, "/_sim/faults").await;
    assert_eq!((faults["injected"]["errors"].as_u64(), faults["injected"]["timeouts"].as_u64()), (Some(1), Some(1)));

    let view = payments(&server, &ward.clerk, &id).await;
    let pay_url = view["orders"][0]["pay_url"].as_str().unwrap().to_string();
    assert_eq!(pay_url, format!("{}/pay/{order_id}", platform.url));
    assert_eq!(view["orders"][0]["state"], "open");
    // The citizen tracking the dossier sees where to pay.
    let track = format!("/api/v1/track?code={}&id=031090012399", requested["code"].as_str().unwrap());
    let (status, tracked) = server.send(reqwest::Method::GET, &track, None, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{tracked}");
    assert_eq!((tracked["status"].as_u64(), tracked["payment"]["pay_url"].as_str()), (Some(6), Some(pay_url.as_str())));
    let page = reqwest::get(&pay_url).await.unwrap().text().await.unwrap();
    assert!(page.contains("<form method=\"post\"") && page.contains("100000 đồng"), "{page}");

    // A wrong amount, an unknown order and a tampered body are refused and change nothing.
    let paid = json!({"merchant": MERCHANT, "order_id": order_id, "transaction_id": "PG-T1", "amount_vnd": 100_000,
        "status": "paid", "paid_at": "2026-11-24T09:00:00Z"});
    let mut wrong = paid.clone();
    wrong["amount_vnd"] = json!(10_000);
    let (status, body) = callback(&server, &wrong, None).await;
    assert_problem(&(status, body), 422, "dossier.amount_mismatch");
    let mut unknown = paid.clone();
    unknown["order_id"] = json!("MC-00000000000000000000000000000000-1");
    let (status, body) = callback(&server, &unknown, None).await;
    assert_problem(&(status, body), 404, "payment.order_not_found");
    let tampered = callback(&server, &wrong, Some(sign(SECRET, paid.to_string().as_bytes()))).await;
    assert_problem(&tampered, 401, "payment.bad_signature");
    let unsigned =
        server.send_full(reqwest::Method::POST, "/api/v1/payments/callback", None, Some(paid.to_string()), &[]).await;
    assert_problem(&(unsigned.0, unsigned.2), 401, "payment.bad_signature");
    let foreign = callback(&server, &paid, Some(sign("another-secret", paid.to_string().as_bytes()))).await;
    assert_problem(&foreign, 401, "payment.bad_signature");
    assert_eq!(server.dossier(&ward.clerk, &id).await["version"], requested["version"]);

    // A day of the pause later the citizen pays on the platform's page; the callback resumes processing.
    server.advance(TimeDelta::hours(24));
    let response = reqwest::Client::new().post(&pay_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let resumed = wait_for(&server, &ward.clerk, &id, |d| d["status"] == 4).await;
    assert!(resumed["clock"]["intervals"].as_array().unwrap().last().unwrap()["to"].is_null(), "clock running");
    assert_eq!(resumed["payment"]["amount_vnd"], 100_000);
    let reference = resumed["payment"]["reference"].as_str().unwrap().to_string();
    assert!(reference.starts_with("PG"), "{resumed}");
    assert!(instant(&resumed["due_at"]) > due_before, "the paused day moves the due instant");
    let history = server.history(&ward.clerk, &id).await;
    let recorded = payment_events(&history);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["event"]["actor"], json!({"kind": "system", "name": "Nền tảng thanh toán"}));
    let view = payments(&server, &ward.clerk, &id).await;
    assert_eq!(
        (view["orders"][0]["state"].as_str(), view["orders"][0]["transaction_id"].as_str()),
        (Some("paid"), Some(reference.as_str()))
    );
    assert!(view["orders"][0]["paid_at"].is_string());

    // The platform's notification sent again is acknowledged and changes nothing.
    let mut again = paid.clone();
    again["transaction_id"] = json!(reference);
    let (status, answer) = callback(&server, &again, None).await;
    assert_eq!((status, answer["outcome"].as_str()), (StatusCode::OK, Some("already_recorded")), "{answer}");
    assert_eq!(server.dossier(&ward.clerk, &id).await["version"], resumed["version"]);
    server.stop().await;
    platform.stop().await;
}

/// The platform sends its callback twice at once (`answer_twice`): one payment recorded; then the dossier is
/// stopped and the payment refunded through the outbox.
async fn a_duplicate_callback_records_one_payment_and_a_stop_refunds_it(backend: Backend) {
    let (server, platform) = start(backend).await;
    let ward = hong_bang(&server).await;
    let d = at_appraisal(&server, &ward, "031090012399").await;
    let id = d["id"].as_str().unwrap().to_string();
    let requested =
        server.act_ok(&ward.specialist, &d, json!({"action": "request_payment", "amount_vnd": 100_000})).await;
    assert_eq!(dispatch(&server).await.delivered, 1);
    let order_id = payments(&server, &ward.clerk, &id).await["orders"][0]["order_id"].as_str().unwrap().to_string();

    post(&platform, "/_sim/faults", json!({"mode": "answer_twice", "count": 1})).await;
    let paid = post(&platform, &format!("/_sim/pay/{order_id}"), json!({})).await;
    assert_eq!(paid["paid_now"], true);
    let resumed = wait_for(&server, &ward.clerk, &id, |d| d["status"] == 4).await;
    let mut attempts = Value::Null;
    for _ in 0..100 {
        attempts = sim_get(&platform, "/_sim/callbacks").await;
        if attempts.as_array().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let statuses: Vec<u64> = attempts.as_array().unwrap().iter().map(|a| a["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 200], "both copies acknowledged: {attempts}");
    let history = server.history(&ward.clerk, &id).await;
    assert_eq!(payment_events(&history).len(), 1, "one payment recorded");
    assert_eq!(server.dossier(&ward.clerk, &id).await["version"], resumed["version"]);
    assert_eq!(resumed["version"], requested["version"].as_u64().unwrap() + 1);

    // Paying again on the platform calls nobody back.
    let again = post(&platform, &format!("/_sim/pay/{order_id}"), json!({})).await;
    assert_eq!(again["paid_now"], false);

    // The leader stops the paid dossier: the refund is queued in that transaction and delivered once.
    let stopped = server
        .act_ok(&ward.leader, &resumed, json!({"action": "stop", "reasons": ["Ngành nghề kinh doanh bị cấm"]}))
        .await;
    assert_eq!(stopped["status"], 8);
    let view = payments(&server, &ward.clerk, &id).await;
    assert_eq!(view["orders"][0]["state"], "refund_requested", "{view}");
    let refund_id = view["orders"][0]["refund_id"].as_str().unwrap().to_string();
    assert_eq!(refund_id, order_id.replacen("MC-", "RF-", 1));
    post(&platform, "/_sim/faults", json!({"mode": "error", "count": 1})).await;
    assert_eq!(dispatch(&server).await.retried, 1);
    server.advance(TimeDelta::minutes(10));
    assert_eq!(dispatch(&server).await.delivered, 1);
    assert_eq!(dispatch(&server).await.claimed, 0);
    let refunds = sim_get(&platform, "/_sim/refunds").await;
    assert_eq!(refunds.as_array().unwrap().len(), 1, "{refunds}");
    assert_eq!(
        (refunds[0]["order_id"].as_str(), refunds[0]["amount_vnd"].as_u64()),
        (Some(order_id.as_str()), Some(100_000))
    );
    let view = payments(&server, &ward.clerk, &id).await;
    assert_eq!(view["orders"][0]["state"], "refunded");
    assert!(view["orders"][0]["refunded_at"].is_string());
    server.stop().await;
    platform.stop().await;
}

/// A payment the dossier no longer waits for (settled at the counter meanwhile) is refunded, not kept.
async fn a_payment_nobody_waits_for_is_refunded(backend: Backend) {
    let (server, platform) = start(backend).await;
    let ward = hong_bang(&server).await;
    let d = at_appraisal(&server, &ward, "031090012399").await;
    let id = d["id"].as_str().unwrap().to_string();
    let requested =
        server.act_ok(&ward.specialist, &d, json!({"action": "request_payment", "amount_vnd": 100_000})).await;
    assert_eq!(dispatch(&server).await.delivered, 1);
    let order_id = payments(&server, &ward.clerk, &id).await["orders"][0]["order_id"].as_str().unwrap().to_string();
    let cash = json!({"action": "record_payment", "amount_vnd": 100_000, "reference": "BL-0001"});
    let settled = server.act_ok(&ward.clerk, &requested, cash).await;
    assert_eq!(settled["status"], 4);

    post(&platform, &format!("/_sim/pay/{order_id}"), json!({})).await;
    let mut refunded = Value::Null;
    for _ in 0..100 {
        refunded = payments(&server, &ward.clerk, &id).await;
        if refunded["orders"][0]["state"] == "refund_requested" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(refunded["orders"][0]["state"], "refund_requested", "{refunded}");
    assert_eq!(server.dossier(&ward.clerk, &id).await["version"], settled["version"], "the dossier is untouched");
    assert_eq!(dispatch(&server).await.delivered, 1);
    assert_eq!(sim_get(&platform, "/_sim/refunds").await.as_array().unwrap().len(), 1);
    server.stop().await;
    platform.stop().await;
}

/// The simulator refuses what a payment platform would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_platform_is_strict() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let platform = sim::spawn(listener, sim::payment::routes(settings())).unwrap();
    let http = reqwest::Client::new();
    let id = "MC-0192f0a17c3e7d108a3b0123456789ab-7";
    let order = json!({"merchant": MERCHANT, "order_id": id, "amount_vnd": 15000, "dossier_code": "000.31.01.H26-261124-0001",
        "description": "Lệ phí", "callback_url": "http://127.0.0.1:9/api/v1/payments/callback", "return_url": "http://127.0.0.1:9/"});
    let send = |body: Value, token: &str, key: &str| {
        http.post(format!("{}/orders", platform.url))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    assert_eq!(send(order.clone(), TOKEN, id).await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(send(order.clone(), TOKEN, id).await.unwrap().status(), StatusCode::OK, "the same order again");
    let mut other_amount = order.clone();
    other_amount["amount_vnd"] = json!(20000);
    assert_eq!(send(other_amount, TOKEN, id).await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(send(order.clone(), "wrong", id).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let mut foreign = order.clone();
    foreign["merchant"] = json!("SOMEONE-ELSE");
    assert_eq!(send(foreign, TOKEN, id).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(send(order.clone(), TOKEN, "another-key").await.unwrap().status(), StatusCode::BAD_REQUEST);
    for (field, value) in [
        ("amount_vnd", json!(0)),
        ("amount_vnd", json!(-5)),
        ("amount_vnd", json!(150.5)),
        ("amount_vnd", json!("15000")),
        ("order_id", json!("MC-XYZ-1")),
        ("callback_url", json!("ftp://example.vn/cb")),
        ("description", json!("")),
        ("surprise", json!(1)),
    ] {
        let mut body = order.clone();
        body[field] = value;
        let key = body["order_id"].as_str().unwrap_or(id).to_string();
        assert_eq!(send(body.clone(), TOKEN, &key).await.unwrap().status(), StatusCode::BAD_REQUEST, "{body}");
    }
    // Refunds only of paid orders, never more than was paid.
    let refund = json!({"merchant": MERCHANT, "refund_id": "RF-0192f0a17c3e7d108a3b0123456789ab-7", "order_id": id,
        "amount_vnd": 15000, "reason": "Dừng xử lý"});
    let refund_key = "RF-0192f0a17c3e7d108a3b0123456789ab-7";
    let send_refund = |body: Value| {
        http.post(format!("{}/refunds", platform.url))
            .bearer_auth(TOKEN)
            .header("Idempotency-Key", refund_key)
            .json(&body)
            .send()
    };
    assert_eq!(send_refund(refund.clone()).await.unwrap().status(), StatusCode::CONFLICT, "not paid yet");
    let paid = http.post(format!("{}/_sim/pay/{id}", platform.url)).send().await.unwrap();
    assert_eq!(paid.status(), StatusCode::OK);
    let mut too_much = refund.clone();
    too_much["amount_vnd"] = json!(15001);
    assert_eq!(send_refund(too_much).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(send_refund(refund.clone()).await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(send_refund(refund.clone()).await.unwrap().status(), StatusCode::OK, "the same refund again");
    // The callback to an address nobody listens on is retried, a moment apart.
    let mut attempts = Value::Null;
    for _ in 0..50 {
        attempts = http.get(format!("{}/_sim/callbacks", platform.url)).send().await.unwrap().json().await.unwrap();
        if attempts.as_array().unwrap().len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(attempts.as_array().unwrap().len(), 4, "{attempts}");
    assert!(attempts.as_array().unwrap().iter().all(|a| a["status"].is_null()));
    platform.stop().await;
}

on_both_backends!(
    an_order_is_paid_and_processing_resumes,
    a_duplicate_callback_records_one_payment_and_a_stop_refunds_it,
    a_payment_nobody_waits_for_is_refunded,
);
