//! Concurrency through HTTP (DESIGN.md §8): optimistic versions (one winner, the other 409), gap-free daily
//! dossier codes under parallel receptions, and idempotent retries.

use std::collections::BTreeSet;

use crate::support::{Backend, HONG_BANG, TestServer, assert_problem, local, new_dossier};
use futures::future::join;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Splits `000.31.01.H26-261124-0042` into (agency, day, sequence).
fn code_parts(code: &str) -> (String, String, u32) {
    let mut parts = code.rsplitn(3, '-');
    let sequence = parts.next().unwrap();
    let day = parts.next().unwrap();
    let agency = parts.next().unwrap();
    assert_eq!(sequence.len(), 4, "{code}");
    (agency.to_string(), day.to_string(), sequence.parse().unwrap())
}

/// Exactly one of two answers is 200; the other is 409 `dossier.stale_version`. Answers the winner's state.
fn one_winner((a, b): ((StatusCode, Value), (StatusCode, Value))) -> Value {
    let (winner, loser) = if a.0 == StatusCode::OK { (a, b) } else { (b, a) };
    assert_eq!(winner.0, StatusCode::OK, "{}", winner.1);
    assert_problem(&loser, 409, "dossier.stale_version");
    winner.1
}

/// Two clerks receive the same online dossier at once, and two division heads assign the same dossier at
/// once, each time with the same version: one wins, the other gets 409, one event is written, and the
/// loser's rolled-back code allocation leaves no gap.
async fn same_version_one_winner(backend: Backend) {
    let server = TestServer::start(backend).await;
    server.create_staff("hongbang.tiepnhan2", "reception_clerk", HONG_BANG).await;
    server.create_staff("hongbang.truongphong2", "division_head", HONG_BANG).await;
    let clerks = [server.token("hongbang.tiepnhan").await, server.token("hongbang.tiepnhan2").await];
    let heads = [server.token("hongbang.truongphong").await, server.token("hongbang.truongphong2").await];
    let specialists = [server.staff_id("hongbang.chuyenvien").await, server.staff_id("hongbang.chuyenvien2").await];

    for round in 0..3 {
        let online = server.submit_online("1.004873", HONG_BANG, "031190012345").await;
        let events = server.count("events").await;
        let receive = json!({"action": "receive"});
        let received = one_winner(
            join(server.act(&clerks[0], &online, receive.clone()), server.act(&clerks[1], &online, receive)).await,
        );
        assert_eq!(server.count("events").await, events + 1, "round {round}: one reception event");
        assert_eq!(received["status"], 2);
        let current = server.dossier(&clerks[0], online["id"].as_str().unwrap()).await;
        assert_eq!(
            (current["version"].as_u64(), &current["code"]),
            (Some(online["version"].as_u64().unwrap() + 1), &received["code"])
        );

        // The next reception takes the very next number: the loser's allocation was rolled back.
        let next = server.receive(&clerks[0], new_dossier("1.001612", HONG_BANG, "031085001234")).await;
        let (_, _, won) = code_parts(received["code"].as_str().unwrap());
        let (_, _, following) = code_parts(next["code"].as_str().unwrap());
        assert_eq!(following, won + 1, "round {round}: no gap after a lost race");

        let events = server.count("events").await;
        let assign = |i: usize| json!({"action": "assign", "assignee": specialists[i]});
        let assigned =
            one_winner(join(server.act(&heads[0], &next, assign(0)), server.act(&heads[1], &next, assign(1))).await);
        assert_eq!(server.count("events").await, events + 1, "round {round}: one assignment event");
        let current = server.dossier(&heads[0], next["id"].as_str().unwrap()).await;
        assert_eq!(current["assignee"], assigned["assignee"], "the winner's assignment stands");
        assert_eq!(current["version"], assigned["version"]);
    }
    server.stop().await;
}

/// 50 receptions in one agency at the same time: 50 created dossiers with 50 distinct codes whose daily
/// sequence numbers are consecutive, continuing the numbers the demo already used that day without a gap.
async fn fifty_parallel_receptions(backend: Backend) {
    // A fixed clock keeps every reception (and the demo's) on one day.
    let server = TestServer::start_at(backend, local("2026-11-24T09:00:00")).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let dossiers_before = server.count("dossiers").await;

    let mut bodies = Vec::new();
    for i in 0..50 {
        let id = if i % 2 == 0 { "031085001234" } else { "031190012345" };
        bodies.push(server.with_uploads(Some(&clerk), new_dossier("1.001612", HONG_BANG, id)).await);
    }
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let request = server.client.post(server.url("/api/v1/dossiers")).bearer_auth(&clerk).json(&body);
            tokio::spawn(async move {
                let response = request.send().await.expect("sent");
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        codes.push(body["code"].as_str().unwrap().to_string());
    }
    assert_eq!(server.count("dossiers").await, dossiers_before + 50);
    assert_eq!(codes.iter().collect::<BTreeSet<_>>().len(), 50, "distinct codes");

    let parts: Vec<(String, String, u32)> = codes.iter().map(|c| code_parts(c)).collect();
    assert!(parts.iter().all(|(agency, day, _)| agency == HONG_BANG && day == "261124"), "{codes:?}");
    let mut sequences: Vec<u32> = parts.iter().map(|(_, _, n)| *n).collect();
    sequences.sort_unstable();
    assert!(sequences.windows(2).all(|w| w[1] == w[0] + 1), "consecutive: {sequences:?}");

    // With the demo's receptions of the same day, the agency's numbers run 1, 2, ... without a gap.
    let (status, page) = server.get(&format!("/api/v1/dossiers?agency={HONG_BANG}&limit=200"), &clerk).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page["next_cursor"].is_null());
    let mut all: Vec<u32> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .map(code_parts)
        .filter(|(_, day, _)| day == "261124")
        .map(|(_, _, n)| n)
        .collect();
    all.sort_unstable();
    assert!(all.len() > 50, "the demo received some dossiers that day too");
    assert_eq!(all, (1..=all.len() as u32).collect::<Vec<_>>());
    server.stop().await;
}

/// `Idempotency-Key` makes a retried reception safe: the same key and body create one dossier and the replay
/// answers the same one, also when both requests arrive together; the key with another body is refused.
async fn idempotent_receptions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let body = server.with_uploads(Some(&clerk), new_dossier("1.001612", HONG_BANG, "031085001234")).await.to_string();
    let post = |key: &'static str, body: String| post_with_key(&server, &clerk, key, body);

    let before = server.count("dossiers").await;
    let (status, headers, first) = post("quay-1-lan-1", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(headers.get("idempotent-replayed").is_none());
    let (status, headers, replay) = post("quay-1-lan-1", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{replay}");
    assert_eq!(headers.get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!((&replay["id"], &replay["code"]), (&first["id"], &first["code"]));
    assert_eq!(server.count("dossiers").await, before + 1, "one dossier for two requests");

    // Both copies at once.
    let (a, b) = join(post("quay-1-lan-2", body.clone()), post("quay-1-lan-2", body.clone())).await;
    assert_eq!((a.0, b.0), (StatusCode::CREATED, StatusCode::CREATED), "{} / {}", a.2, b.2);
    assert_eq!(a.2["id"], b.2["id"]);
    assert_ne!(a.2["id"], first["id"]);
    assert_eq!(server.count("dossiers").await, before + 2);

    // The same key with another body.
    let other = server.with_uploads(Some(&clerk), new_dossier("1.001612", HONG_BANG, "031190012345")).await.to_string();
    let events = server.count("events").await;
    let (status, _, problem) = post("quay-1-lan-1", other).await;
    assert_problem(&(status, problem), 409, "request.idempotency_key_reused");
    assert_eq!((server.count("dossiers").await, server.count("events").await), (before + 2, events));

    // Keys belong to their caller: another clerk's same key is a new request.
    server.create_staff("hongbang.tiepnhan2", "reception_clerk", HONG_BANG).await;
    let other_clerk = server.token("hongbang.tiepnhan2").await;
    let their_body =
        server.with_uploads(Some(&other_clerk), new_dossier("1.001612", HONG_BANG, "031085001234")).await.to_string();
    let (status, _, theirs) = post_with_key(&server, &other_clerk, "quay-1-lan-1", their_body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(theirs["id"], first["id"]);
    server.stop().await;
}

async fn post_with_key(
    server: &TestServer,
    token: &str,
    key: &str,
    body: String,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    server.send_full(Method::POST, "/api/v1/dossiers", Some(token), Some(body), &[("Idempotency-Key", key)]).await
}

on_both_backends!(same_version_one_winner, fifty_parallel_receptions, idempotent_receptions);
