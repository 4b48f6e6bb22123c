//! Authorization through HTTP (DESIGN.md §11): every dossier endpoint × every role × own or other agency,
//! sign-in (missing and bad tokens, lock-out, refresh-token rotation, logout), and the audit of denials.

use crate::support::{Backend, HONG_BANG, LE_CHAN, TestServer, assert_problem, error_fields, local, new_dossier};
use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Expected answer: HTTP status and problem code ("" for a success).
type Cell = (u16, &'static str);
const OK: Cell = (200, "");
const CREATED: Cell = (201, "");
const FORBIDDEN_ROLE: Cell = (403, "dossier.forbidden_role");
const FORBIDDEN: Cell = (403, "request.forbidden");
const NOT_FOUND: Cell = (404, "dossier.not_found");
/// A clerk of another agency names an agency outside their scope: a field error on `agency`.
const AGENCY_OUT_OF_SCOPE: Cell = (422, "request.invalid");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// A Hồng Bàng user on a Hồng Bàng dossier.
    Own,
    /// A Lê Chân user on a Hồng Bàng dossier.
    Other,
}
use Scope::{Other, Own};

const ENDPOINTS: [&str; 6] = [
    "POST /dossiers",
    "GET /dossiers",
    "GET /dossiers?agency=000.31.01.H26",
    "GET /dossiers/{id}",
    "POST /dossiers/{id}/actions (assign)",
    "GET /dossiers/{id}/history",
];

/// Role, scope, and the expected answer of each endpoint (in the order of `ENDPOINTS`) on a Hồng Bàng dossier
/// waiting at the division head's `assign` step.
const MATRIX: [(&str, Scope, [Cell; 6]); 12] = [
    ("reception_clerk", Own, [CREATED, OK, OK, OK, FORBIDDEN_ROLE, OK]),
    ("division_head", Own, [FORBIDDEN_ROLE, OK, OK, OK, OK, OK]),
    ("specialist", Own, [FORBIDDEN_ROLE, OK, OK, OK, FORBIDDEN_ROLE, OK]),
    ("agency_leader", Own, [FORBIDDEN_ROLE, OK, OK, OK, FORBIDDEN_ROLE, OK]),
    ("records_clerk", Own, [FORBIDDEN_ROLE, OK, OK, OK, FORBIDDEN_ROLE, OK]),
    ("admin", Own, [FORBIDDEN_ROLE, OK, OK, OK, FORBIDDEN_ROLE, OK]),
    ("reception_clerk", Other, [AGENCY_OUT_OF_SCOPE, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
    ("division_head", Other, [FORBIDDEN_ROLE, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
    ("specialist", Other, [FORBIDDEN_ROLE, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
    ("agency_leader", Other, [FORBIDDEN_ROLE, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
    ("records_clerk", Other, [FORBIDDEN_ROLE, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
    ("admin", Other, [FORBIDDEN_ROLE, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
];

/// The demo account holding `role` in the ward (administrators are created by the test).
fn username(role: &str, scope: Scope) -> String {
    let ward = if scope == Own { "hongbang" } else { "lechan" };
    let suffix = match role {
        "reception_clerk" => "tiepnhan",
        "division_head" => "truongphong",
        "specialist" => "chuyenvien",
        "agency_leader" => "lanhdao",
        "records_clerk" => "vanthu",
        "admin" => "quantri",
        other => panic!("unknown role {other}"),
    };
    format!("{ward}.{suffix}")
}

/// Sends one endpoint of the matrix about `dossier` as `token`.
async fn call(
    server: &TestServer,
    endpoint: usize,
    token: Option<&str>,
    dossier: &Value,
    assignee: &str,
) -> (StatusCode, Value) {
    let id = dossier["id"].as_str().unwrap();
    let version = dossier["version"].to_string();
    match endpoint {
        0 => {
            let body = server.with_uploads(token, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
            server.send(Method::POST, "/api/v1/dossiers", token, Some(body), &[]).await
        }
        1 => server.send(Method::GET, "/api/v1/dossiers?limit=200", token, None, &[]).await,
        2 => {
            server.send(Method::GET, &format!("/api/v1/dossiers?agency={HONG_BANG}&limit=200"), token, None, &[]).await
        }
        3 => server.send(Method::GET, &format!("/api/v1/dossiers/{id}"), token, None, &[]).await,
        4 => {
            let action = json!({"action": "assign", "assignee": assignee});
            let path = format!("/api/v1/dossiers/{id}/actions");
            server.send(Method::POST, &path, token, Some(action), &[("If-Match", &version)]).await
        }
        5 => server.send(Method::GET, &format!("/api/v1/dossiers/{id}/history"), token, None, &[]).await,
        _ => unreachable!(),
    }
}

/// Every endpoint × every role × own/other agency. Denials (403, 404) are written to the audit log; allowed
/// requests are not.
async fn endpoint_role_agency_matrix(backend: Backend) {
    let server = TestServer::start(backend).await;
    server.create_staff("hongbang.quantri", "admin", HONG_BANG).await;
    server.create_staff("lechan.quantri", "admin", LE_CHAN).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let assignee = server.staff_id("hongbang.chuyenvien").await;
    let mut tokens = Vec::new();
    for (role, scope, _) in MATRIX {
        tokens.push(server.token(&username(role, scope)).await);
    }

    for ((role, scope, cells), token) in MATRIX.iter().zip(&tokens) {
        // A fresh dossier for each caller, so that a successful action does not change the next row's case.
        let dossier = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031190012345")).await;
        for (endpoint, expected) in cells.iter().enumerate() {
            let case = format!("{role} ({scope:?} agency): {}", ENDPOINTS[endpoint]);
            let audit = server.count("audit_log").await;
            let (status, body) = call(&server, endpoint, Some(token), &dossier, &assignee).await;
            assert_eq!(status.as_u16(), expected.0, "{case}: {body}");
            if !expected.1.is_empty() {
                assert_eq!(body["code"], expected.1, "{case}: {body}");
            }
            let denied = matches!(expected.0, 403 | 404);
            assert_eq!(server.count("audit_log").await, audit + i64::from(denied), "{case}: denials are audited");
            match (endpoint, status.as_u16()) {
                (0, 422) => assert_eq!(error_fields(&body), ["agency"], "{case}"),
                (1 | 2, 200) => {
                    let items = body["items"].as_array().unwrap();
                    let own_agency = if *scope == Own { HONG_BANG } else { LE_CHAN };
                    assert!(items.iter().all(|d| d["agency"] == own_agency), "{case}: only the caller's agency");
                    assert_eq!(items.iter().any(|d| d["id"] == dossier["id"]), *scope == Own, "{case}");
                }
                (3, 200) => assert_eq!(body["id"], dossier["id"], "{case}"),
                (4, 200) => assert_eq!((body["status"].as_u64(), body["step"].as_str()), (Some(4), Some("appraise"))),
                (5, 200) => assert_eq!(body["events"][1]["kind"], "received", "{case}"),
                _ => {}
            }
        }
    }
    server.stop().await;
}

/// Without a token, or with a token that is not ours, no endpoint answers; nothing is written.
async fn missing_and_bad_tokens(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let dossier = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let assignee = server.staff_id("hongbang.chuyenvien").await;
    let writes = server.writes().await;

    // The clerk's token with its signature replaced: well formed, wrongly signed.
    let (unsigned, _) = clerk.rsplit_once('.').unwrap();
    let forged = format!("{unsigned}.c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ");
    for (endpoint, case) in ENDPOINTS.iter().enumerate() {
        assert_problem(&call(&server, endpoint, None, &dossier, &assignee).await, 401, "auth.required");
        for garbage in ["not-a-jwt", "eyJhbGciOiJub25lIn0.e30.", forged.as_str()] {
            let answer = call(&server, endpoint, Some(garbage), &dossier, &assignee).await;
            assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{case} with {garbage}");
            assert_problem(&answer, 401, "auth.invalid_token");
        }
    }
    // Another scheme than Bearer is no token.
    let (status, _, body) = server
        .send_full(Method::GET, "/api/v1/dossiers", None, None, &[("Authorization", &format!("Basic {clerk}"))])
        .await;
    assert_problem(&(status, body), 401, "auth.required");
    assert_eq!(server.writes().await, writes);
    server.stop().await;
}

/// Failed sign-ins slow further tries down and never lock (an attacker could otherwise shut anyone out, the
/// administrator included): three failures from one place make that place wait, doubling; an unknown name gets
/// the same answers; many places guessing one account slow it by seconds at most; every attempt is audited.
async fn failures_slow_down_and_never_lock(backend: Backend) {
    let server = TestServer::start_at(backend, local("2026-11-24T09:00:00")).await;
    let audit = server.count("audit_log").await;
    for name in ["hongbang.vanthu", "khong.ton.tai"] {
        for attempt in 1..=3 {
            let answer = server.login(name, &format!("sai-mat-khau-{attempt}")).await;
            assert_problem(&answer, 401, "auth.invalid_credentials");
        }
        // The right password too must wait; the same answer whether the account exists or not.
        let waiting = server.login(name, "motcua-demo").await;
        assert_problem(&waiting, 429, "auth.throttled");
    }
    let (status, headers, _) = server
        .send_full(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "hongbang.vanthu", "password": "motcua-demo"}).to_string()),
            &[],
        )
        .await;
    assert_eq!((status.as_u16(), headers["retry-after"].to_str().unwrap()), (429, "1"));
    assert_eq!(server.count("audit_log").await, audit + 9, "every attempt is audited");
    assert_eq!(server.login("hongbang.tiepnhan", "motcua-demo").await.0, StatusCode::OK, "others sign in");
    server.advance(TimeDelta::seconds(2));
    let (status, body) = server.login("hongbang.vanthu", "motcua-demo").await;
    assert_eq!(status, StatusCode::OK, "after the wait: {body}");

    // A thousand failures from a thousand places: the owner, from their own, waits 30 seconds at most.
    let services = server.services.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        for i in 0..1000 {
            let _ = services.identity().login("admin", "doan-mo", &format!("10.9.{}.{}", i / 250, i % 250));
        }
        services.identity().login("admin", "motcua-demo", "192.0.2.1").map(|_| ()).map_err(|e| e.code())
    })
    .await
    .unwrap();
    assert_eq!(outcome, Err("auth.throttled"));
    server.advance(TimeDelta::seconds(31));
    let services = server.services.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        services.identity().login("admin", "motcua-demo", "192.0.2.1").map(|_| ()).map_err(|e| e.code())
    })
    .await
    .unwrap();
    assert_eq!(outcome, Ok(()), "never locked out");
    server.stop().await;
}

async fn refresh(server: &TestServer, token: &str) -> (StatusCode, Value) {
    server.send(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": token})), &[]).await
}

/// A refresh token works once and is replaced by a new one of the same family. Used again within the grace
/// (a second tab refreshing at the same moment), it gives that tab a token of its own; after the grace, its reuse
/// is refused and revokes the family, the newer tokens included. Logging out revokes too.
async fn refresh_token_rotation_and_logout(backend: Backend) {
    let server = TestServer::start_at(backend, chrono::Utc::now()).await;
    let (status, signed_in) = server.login("hongbang.truongphong", "motcua-demo").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(signed_in["token_type"], "Bearer");
    assert!(signed_in["expires_in"].as_i64().unwrap() <= 15 * 60);
    let first = signed_in["refresh_token"].as_str().unwrap().to_string();

    let (status, rotated) = refresh(&server, &first).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let second = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    assert_eq!(rotated["staff"]["username"], "hongbang.truongphong");
    let access = rotated["access_token"].as_str().unwrap();
    assert_eq!(server.get("/api/v1/dossiers", access).await.0, StatusCode::OK, "the new access token works");

    // A second tab with the same cookie, a moment later: not signed out, a token of its own.
    let (status, tab) = refresh(&server, &first).await;
    assert_eq!(status, StatusCode::OK, "within the grace: {tab}");
    let tab = tab["refresh_token"].as_str().unwrap().to_string();
    assert!(tab != first && tab != second);

    // The spent token again after the grace: refused, and the whole family is revoked.
    server.advance(motcua_engine::service::accounts::REFRESH_REUSE_GRACE + chrono::TimeDelta::seconds(1));
    let audit = server.count("audit_log").await;
    assert_problem(&refresh(&server, &first).await, 401, "auth.invalid_token");
    assert!(server.count("audit_log").await > audit, "reuse is audited");
    assert_problem(&refresh(&server, &second).await, 401, "auth.invalid_token");
    assert_problem(&refresh(&server, &tab).await, 401, "auth.invalid_token");
    assert_problem(&refresh(&server, "khong-phai-token").await, 401, "auth.invalid_token");

    // Logout: the refresh token (and its family) stops working.
    let (_, signed_in) = server.login("hongbang.truongphong", "motcua-demo").await;
    let third = signed_in["refresh_token"].as_str().unwrap().to_string();
    let (status, rotated) = refresh(&server, &third).await;
    assert_eq!(status, StatusCode::OK);
    let fourth = rotated["refresh_token"].as_str().unwrap().to_string();
    let logout = |token: &str| {
        server.send(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": token})), &[])
    };
    let access = rotated["access_token"].as_str().unwrap().to_string();
    assert_eq!(server.get("/api/v1/dossiers", &access).await.0, StatusCode::OK);
    assert_eq!(logout(&fourth).await.0, StatusCode::NO_CONTENT);
    assert_problem(&refresh(&server, &fourth).await, 401, "auth.invalid_token");
    // Signing out ends the access tokens of the account too, not only at their expiry.
    assert_problem(&server.get("/api/v1/dossiers", &access).await, 401, "auth.invalid_token");
    assert_eq!(logout(&fourth).await.0, StatusCode::NO_CONTENT, "logging out twice is harmless");
    // A session signed in elsewhere is another family and keeps working.
    let (_, elsewhere) = server.login("hongbang.truongphong", "motcua-demo").await;
    assert_eq!(refresh(&server, elsewhere["refresh_token"].as_str().unwrap()).await.0, StatusCode::OK);
    server.stop().await;
}

on_both_backends!(
    endpoint_role_agency_matrix,
    missing_and_bad_tokens,
    failures_slow_down_and_never_lock,
    refresh_token_rotation_and_logout,
);
