//! The population database at reception, against the strict simulator (`motcua sim population`) on loopback:
//! match, mismatch and unknown ids at the counter and at the reception of an online dossier, a register that
//! is down or slow (reception goes on, "not verified", the check re-run later), the desk's lookup, and the
//! simulator's own strictness.

use std::time::Duration;

use motcua_api::sim;
use motcua_engine::adapters::outside::{Endpoint, Outside};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, HONG_BANG, Launch, TestServer, assert_problem, new_dossier};

const TOKEN: &str = "population-test-token";

async fn start(backend: Backend) -> (TestServer, sim::Running) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let register =
        sim::spawn(listener, sim::population::routes(sim::population::Settings { token: TOKEN.into() })).unwrap();
    let outside = Outside {
        population: Some(Endpoint { url: register.url.clone(), token: TOKEN.into() }),
        timeout: Duration::from_millis(1500),
        ..Outside::default()
    };
    let server = TestServer::launch(backend, Launch { outside, ..Launch::default() }).await;
    (server, register)
}

/// Registers a person at the simulated register, as `new_dossier` describes them unless `birth_date` differs.
async fn register_person(register: &sim::Running, id_number: &str, birth_date: &str) {
    let body = json!({
        "SoDinhDanh": id_number,
        "HoVaTen": "Nguyễn  văn Thử",
        "NgaySinh": birth_date,
        "GioiTinh": 1,
        "NoiThuongTru": "5 Minh Khai, phường Hồng Bàng, Hải Phòng",
        "QueQuan": "Hải Dương"
    });
    let response =
        reqwest::Client::new().post(format!("{}/_sim/people", register.url)).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
}

async fn set_fault(register: &sim::Running, fault: Value) {
    let response =
        reqwest::Client::new().post(format!("{}/_sim/faults", register.url)).json(&fault).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn asked(register: &sim::Running) -> u64 {
    let people: Value = reqwest::get(format!("{}/_sim/people", register.url)).await.unwrap().json().await.unwrap();
    people["asked"].as_u64().unwrap()
}

/// A counter reception whose answer is 201 (received, or held at status 1 by a discrepancy).
async fn counter(server: &TestServer, clerk: &str, id_number: &str) -> Value {
    server.receive(clerk, new_dossier("1.001612", HONG_BANG, id_number)).await
}

fn kinds(history: &Value) -> Vec<String> {
    history["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

/// Match, mismatch and unknown id at the counter; the mismatch offers its documented outcomes and blocks
/// reception until refused.
async fn counter_reception_records_the_register_answer(backend: Backend) {
    let (server, register) = start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    register_person(&register, "031090012399", "1990-01-15").await;
    register_person(&register, "031090012400", "1990-02-20").await;

    // Match: received (status 2) with the register's data for prefilling.
    let matched = counter(&server, &clerk, "031090012399").await;
    assert_eq!(matched["status"], 2, "{matched}");
    let check = &matched["identity_check"];
    assert_eq!(check["outcome"]["kind"], "match", "{check}");
    assert_eq!(check["registered"]["permanent_address"], "5 Minh Khai, phường Hồng Bàng, Hải Phòng");
    assert_eq!(check["registered"]["place_of_origin"], "Hải Dương");
    let history = server.history(&clerk, matched["id"].as_str().unwrap()).await;
    assert_eq!(kinds(&history), ["submitted", "identity_checked", "received"]);
    assert_eq!(history["events"][1]["event"]["actor"]["role"], "reception_clerk");

    // Mismatch: the dossier is kept at status 1 without a code, with the differing field and the outcomes.
    let mismatched = counter(&server, &clerk, "031090012400").await;
    assert_eq!(mismatched["status"], 1, "{mismatched}");
    assert!(mismatched["code"].is_null());
    let check = &mismatched["identity_check"];
    assert_eq!(check["outcome"], json!({"kind": "mismatch", "fields": ["birth_date"]}));
    assert_eq!(check["registered"]["birth_date"], "1990-02-20");
    let next: Vec<&str> = check["next_actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(next.contains(&"refuse_reception") && next.contains(&"request_supplement"), "{next:?}");
    // Receiving asks the register again (recorded), and it still disagrees.
    let refused = server.act(&clerk, &mismatched, json!({"action": "receive"})).await;
    assert_problem(&refused, 409, "dossier.identity_mismatch");
    let mismatched = server.dossier(&clerk, mismatched["id"].as_str().unwrap()).await;
    assert_eq!((mismatched["status"].as_u64(), mismatched["version"].as_u64()), (Some(1), Some(3)));
    let reasons = json!({"action": "refuse_reception", "reasons": ["Ngày sinh không khớp CSDL quốc gia về dân cư"]});
    let refused = server.act_ok(&clerk, &mismatched, reasons).await;
    assert_eq!(refused["status"], 3);

    // An id the register does not know.
    let unknown = counter(&server, &clerk, "031090012401").await;
    assert_eq!(
        (unknown["status"].as_u64(), &unknown["identity_check"]["outcome"]["kind"]),
        (Some(1), &json!("not_found"))
    );
    assert!(unknown["identity_check"]["registered"].is_null());

    // The register corrects the person; the clerk checks again, and the dossier can be received.
    register_person(&register, "031090012401", "1990-01-15").await;
    let (status, rechecked) = server
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/dossiers/{}/identity-check", unknown["id"].as_str().unwrap()),
            Some(&clerk),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rechecked}");
    assert_eq!(rechecked["identity_check"]["outcome"]["kind"], "match");
    let received = server.act_ok(&clerk, &rechecked, json!({"action": "receive"})).await;
    assert_eq!(received["status"], 2);
    assert!(received["code"].as_str().is_some());
    server.stop().await;
    register.stop().await;
}

/// A register that is down or too slow never blocks reception: "not verified", and the check is re-run.
async fn an_unavailable_register_never_blocks_reception(backend: Backend) {
    let (server, register) = start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    register_person(&register, "031090012399", "1990-01-15").await;

    set_fault(&register, json!({"mode": "down", "seconds": 60})).await;
    let down = counter(&server, &clerk, "031090012399").await;
    assert_eq!(down["status"], 2, "{down}");
    assert_eq!(down["identity_check"]["outcome"]["kind"], "not_verified");
    assert!(down["identity_check"]["outcome"]["reason"].as_str().unwrap().contains("503"), "{down}");
    assert_eq!(down["identity_check"]["next_actions"], json!(["check_identity"]));

    set_fault(&register, json!({"mode": "timeout", "count": 1, "ms": 3000})).await;
    let slow = counter(&server, &clerk, "031090012399").await;
    assert_eq!(slow["status"], 2);
    assert_eq!(slow["identity_check"]["outcome"], json!({"kind": "not_verified", "reason": "timed out"}));

    // The register is back: the re-run records a match, nothing else changes.
    set_fault(&register, json!({"mode": "none"})).await;
    let path = format!("/api/v1/dossiers/{}/identity-check", down["id"].as_str().unwrap());
    let (status, rechecked) = server.send(reqwest::Method::POST, &path, Some(&clerk), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{rechecked}");
    assert_eq!(rechecked["identity_check"]["outcome"]["kind"], "match");
    assert_eq!(
        (rechecked["status"].as_u64(), rechecked["version"].as_u64()),
        (Some(2), Some(down["version"].as_u64().unwrap() + 1))
    );
    assert_eq!(rechecked["due_at"], down["due_at"]);

    // Only reception clerks check identities.
    let specialist = server.token("hongbang.chuyenvien").await;
    let denied = server.send(reqwest::Method::POST, &path, Some(&specialist), None, &[]).await;
    assert_problem(&denied, 403, "dossier.forbidden_role");
    server.stop().await;
    register.stop().await;
}

/// The register refusing the applicant's data as invalid (here a birth date in the future, which the id's digits
/// allow) is an answer, not an outage: the dossier is held as for a mismatch, not received "not verified".
async fn a_refusal_of_the_data_is_not_an_outage(backend: Backend) {
    let (server, _register) = start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let mut body = new_dossier("1.001612", HONG_BANG, "031230001234");
    body["applicant"]["birth_date"] = json!("2030-01-01");
    let held = server.receive(&clerk, body).await;
    assert_eq!(held["status"], 1, "{held}");
    assert!(held["code"].is_null());
    assert_eq!(held["identity_check"]["outcome"]["kind"], "refused", "{held}");
    assert!(held["identity_check"]["outcome"]["reason"].as_str().unwrap().contains("400"));
    let refused = server.act(&clerk, &held, json!({"action": "receive"})).await;
    assert_problem(&refused, 409, "dossier.identity_mismatch");
    server.stop().await;
}

/// Receiving an online dossier checks its applicant first; a mismatch refuses the receive and stays recorded.
async fn online_reception_checks_the_applicant(backend: Backend) {
    let (server, register) = start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    register_person(&register, "031090012399", "1990-01-15").await;
    register_person(&register, "031090012400", "1991-01-15").await;

    let online = server.submit_online("1.001612", HONG_BANG, "031090012399").await;
    assert!(online["identity_check"].is_null(), "submission alone asks nobody");
    let received = server.act_ok(&clerk, &online, json!({"action": "receive"})).await;
    assert_eq!(received["status"], 2);
    assert_eq!(received["identity_check"]["outcome"]["kind"], "match");
    assert_eq!(received["version"], online["version"].as_u64().unwrap() + 2);

    let before = asked(&register).await;
    let online = server.submit_online("1.001612", HONG_BANG, "031090012400").await;
    let refused = server.act(&clerk, &online, json!({"action": "receive"})).await;
    assert_problem(&refused, 409, "dossier.identity_mismatch");
    assert_eq!(asked(&register).await, before + 1);
    let now = server.dossier(&clerk, online["id"].as_str().unwrap()).await;
    assert_eq!(
        (now["status"].as_u64(), now["version"].as_u64()),
        (Some(1), Some(online["version"].as_u64().unwrap() + 1))
    );
    assert_eq!(now["identity_check"]["outcome"], json!({"kind": "mismatch", "fields": ["birth_date"]}));
    // A stale version asks nobody.
    let stale = server.act(&clerk, &online, json!({"action": "receive"})).await;
    assert_problem(&stale, 409, "dossier.stale_version");
    assert_eq!(asked(&register).await, before + 1);
    let supplement =
        json!({"action": "request_supplement", "items": [{"component": null, "reason": "Làm rõ ngày sinh"}]});
    let asked_again = server.act_ok(&clerk, &now, supplement).await;
    assert_eq!(asked_again["status"], 5);
    server.stop().await;
    register.stop().await;
}

/// The desk's lookup verifies and prefills; clerks only; bad input refused before the register is asked.
async fn the_desk_looks_people_up(backend: Backend) {
    let (server, register) = start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let specialist = server.token("hongbang.chuyenvien").await;
    let audited = server.count("audit_log").await;
    let lookup = |body: Value, token: String| {
        let server = &server;
        async move { server.send(reqwest::Method::POST, "/api/v1/population/lookup", Some(&token), Some(body), &[]).await }
    };
    // A demo citizen, as fixtures/demo.toml has her.
    let huong =
        json!({"id_number": "031190012345", "name": "Nguyễn Thị Hường", "birth_date": "1990-05-17", "sex": "female"});
    let (status, found) = lookup(huong.clone(), clerk.clone()).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["outcome"]["kind"], "match");
    assert_eq!(found["prefill"]["address"], "12 Hoàng Văn Thụ, phường Hồng Bàng, Hải Phòng");
    assert_eq!(found["prefill"]["id_kind"], "personal_id");
    assert_eq!(found["next_actions"], json!(["receive"]));

    let wrong_name =
        json!({"id_number": "031190012345", "name": "Nguyễn Thị Hương", "birth_date": "1990-05-17", "sex": "female"});
    let (_, differs) = lookup(wrong_name, clerk.clone()).await;
    assert_eq!(differs["outcome"], json!({"kind": "mismatch", "fields": ["name"]}));
    assert_eq!(differs["prefill"]["name"], "Nguyễn Thị Hường", "the register's spelling is offered");

    let before = asked(&register).await;
    let inconsistent = json!({"id_number": "031190012345", "name": "X", "birth_date": "1991-05-17", "sex": "female"});
    let (status, body) = lookup(inconsistent, clerk.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(crate::support::error_fields(&body), ["id_number"]);
    let malformed = lookup(
        json!({"id_number": "031190012345", "name": "X", "birth_date": "17/05/1990", "sex": "female"}),
        clerk.clone(),
    )
    .await;
    assert_problem(&malformed, 400, "request.malformed");
    assert_eq!(asked(&register).await, before, "refused lookups ask nobody");

    assert_problem(&lookup(huong.clone(), specialist).await, 403, "dossier.forbidden_role");
    // Two lookups and one denial, each audited.
    assert_eq!(server.count("audit_log").await, audited + 3);
    server.stop().await;
    register.stop().await;
}

/// The simulator refuses what the register would: bad token, malformed ids, dates and sexes, unknown fields.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_register_is_strict() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let register =
        sim::spawn(listener, sim::population::routes(sim::population::Settings { token: TOKEN.into() })).unwrap();
    let http = reqwest::Client::new();
    let verify = |body: Value, token: &str| {
        http.post(format!("{}/citizens/verify", register.url)).bearer_auth(token).json(&body).send()
    };
    let good =
        json!({"SoDinhDanh": "031190012345", "HoVaTen": "NGUYỄN THỊ HƯỜNG", "NgaySinh": "1990-05-17", "GioiTinh": 2});
    let answer = verify(good.clone(), TOKEN).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["KetQua"], json!({"HoVaTen": true, "NgaySinh": true, "GioiTinh": true}));
    assert_eq!(verify(good.clone(), "wrong").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let mut cases = Vec::new();
    for (field, value) in [
        ("SoDinhDanh", json!("03119001234")),
        ("SoDinhDanh", json!("999190012345")),
        ("NgaySinh", json!("1990-5-17")),
        ("NgaySinh", json!("2999-01-01")),
        ("GioiTinh", json!(3)),
        ("GioiTinh", json!("2")),
        ("HoVaTen", json!("  ")),
    ] {
        let mut body = good.clone();
        body[field] = value;
        cases.push(body);
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("GioiTinh");
    cases.push(missing);
    let mut extra = good.clone();
    extra["DiaChi"] = json!("x");
    cases.push(extra);
    for body in cases {
        assert_eq!(verify(body.clone(), TOKEN).await.unwrap().status(), StatusCode::BAD_REQUEST, "{body}");
    }
    let mut unknown = good.clone();
    unknown["SoDinhDanh"] = json!("001099000001");
    assert_eq!(verify(unknown, TOKEN).await.unwrap().status(), StatusCode::NOT_FOUND);
    register.stop().await;
}

on_both_backends!(
    a_refusal_of_the_data_is_not_an_outage,
    counter_reception_records_the_register_answer,
    an_unavailable_register_never_blocks_reception,
    online_reception_checks_the_applicant,
    the_desk_looks_people_up,
);
