//! Security level 3, bounded input: every value a caller gives is checked against the domain before anything is
//! stored or computed, with a stable problem code, and the refusal writes nothing.

use crate::support::{Backend, HONG_BANG, TestServer, assert_problem, error_fields, new_dossier};
use reqwest::Method;
use serde_json::{Value, json};

/// A received dossier of the ward, as the leader's and the clerk's tokens see it.
async fn received(server: &TestServer, id_number: &str) -> (String, String, Value) {
    let clerk = server.token("hongbang.tiepnhan").await;
    let leader = server.token("hongbang.lanhdao").await;
    let d = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, id_number)).await;
    (clerk, leader, d)
}

/// Year 9999 and beyond chrono's years are refused as too long an extension at once (no 48 s computation, no
/// panic in the form renderer); what the law allows is accepted.
async fn extensions_are_bounded(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, leader, d) = received(&server, "031085001234").await;
    let writes = server.writes().await;
    for far in ["9999-12-31T17:00:00+07:00", "+262142-12-31T00:00:00Z", "2027-12-31T17:00:00+07:00"] {
        let answer =
            server.act(&leader, &d, json!({"action": "extend", "new_due": far, "reason": "Cần xác minh"})).await;
        match answer.0.as_u16() {
            // chrono cannot read a year past 9999 in RFC 3339: unreadable, not a fault.
            400 => assert_problem(&answer, 400, "request.malformed"),
            _ => assert_problem(&answer, 422, "dossier.extension_too_long"),
        }
    }
    assert_eq!(server.writes().await, writes, "nothing written");
    let due = crate::support::instant(&d["due_at"]);
    let new_due = (due + chrono::TimeDelta::days(14)).to_rfc3339();
    let d = server.act_ok(&leader, &d, json!({"action": "extend", "new_due": new_due, "reason": "Cần xác minh"})).await;
    assert_eq!(crate::support::instant(&d["due_at"]), crate::support::instant(&json!(new_due)));
    server.stop().await;
}

/// 2^64 - 1 đồng is refused (it was stored as -1); an amount that is none of the procedure's fees needs a reason;
/// the procedure's own fee needs none.
async fn payment_requests_fit_the_fees(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (clerk, _, d) = received(&server, "031085001234").await;
    let writes = server.writes().await;
    let ask = |amount: Value, reason: Option<&str>| {
        let mut action = json!({"action": "request_payment", "amount_vnd": amount});
        if let Some(reason) = reason {
            action["reason"] = json!(reason);
        }
        action
    };
    assert_problem(&server.act(&clerk, &d, ask(json!(u64::MAX), Some("x"))).await, 422, "dossier.amount_too_large");
    // One more than u64 can hold is not a number the API reads.
    let over = serde_json::from_str::<Value>(r#"{"action": "request_payment", "amount_vnd": 18446744073709551616}"#);
    assert_problem(&server.act(&clerk, &d, over.unwrap()).await, 400, "request.malformed");
    assert_problem(&server.act(&clerk, &d, ask(json!(123_456), None)).await, 422, "dossier.amount_not_a_fee");
    assert_eq!(server.writes().await, writes, "nothing written");
    // 1.001612 charges 100.000 đ.
    let paid = server.act_ok(&clerk, &d, ask(json!(100_000), None)).await;
    assert_eq!(paid["status"], 6);
    server.stop().await;
}

/// Names of 1-100 characters (as the population database requires), addresses and free texts bounded, control
/// and bidirectional formatting characters refused, text stored composed (NFC).
async fn texts_are_bounded_and_canonical(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let writes = server.writes().await;
    let body = server.with_uploads(Some(&clerk), new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let post = |body: Value| server.send(Method::POST, "/api/v1/dossiers", Some(&clerk), Some(body), &[]);

    let mut long = body.clone();
    long["applicant"]["name"] = json!("Nguyễn ".repeat(1_500));
    long["applicant"]["address"] = json!("số 1 ".repeat(100));
    long["summary"] = json!("x".repeat(10_000));
    long["form_data"] = json!({"ghi_chu": "y".repeat(2_001)});
    let answer = post(long).await;
    assert_problem(&answer, 422, "request.invalid");
    let mut fields = error_fields(&answer.1);
    fields.sort();
    assert_eq!(fields, ["applicant.address", "applicant.name", "form_data.ghi_chu", "summary"]);

    for trick in ["Nguyễn\u{202E}nềyugN", "Trần\u{7}Nam", "Lê\u{2066}Bình"] {
        let mut tricked = body.clone();
        tricked["applicant"]["name"] = json!(trick);
        assert_problem(&post(tricked).await, 400, "request.forbidden_character");
    }
    assert_eq!(server.writes().await, writes, "nothing written");

    let mut decomposed = body.clone();
    decomposed["applicant"]["name"] = json!("Trần Văn Nguye\u{302}\u{303}n");
    let (status, d) = post(decomposed).await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["applicant"]["name"], "Trần Văn Nguyễn");
    // The composed name finds it.
    let (_, found) = server.get("/api/v1/dossiers?q=Nguy%E1%BB%85n", &clerk).await;
    assert!(found["items"].as_array().unwrap().iter().any(|i| i["id"] == d["id"]), "{found}");

    // Action texts: 10,000 characters of reason, or 51 reasons, are refused by the domain.
    let leader = server.token("hongbang.lanhdao").await;
    let many: Vec<String> = (0..51).map(|i| format!("Lý do {i}")).collect();
    let stop = server.act(&leader, &d, json!({"action": "stop", "reasons": many})).await;
    assert_problem(&stop, 422, "dossier.too_many_items");
    let withdraw_reason = json!({"action": "stop", "reasons": ["x".repeat(10_000)]});
    assert_problem(&server.act(&leader, &d, withdraw_reason).await, 422, "dossier.text_too_long");
    server.stop().await;
}

/// `%` and `_` in a search are punctuation like any other, never wildcards: a search is the words around them,
/// and punctuation alone matches nothing.
async fn search_text_is_literal(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let mut body = new_dossier("1.001612", HONG_BANG, "031085001234");
    body["summary"] = json!("Giảm 50% lệ phí_ưu đãi");
    let marked = server.receive(&clerk, body).await;
    let plain = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031090012399")).await;
    let ids = |found: &Value| -> Vec<Value> {
        found["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect::<Vec<_>>()
    };
    for (q, expect_marked) in
        [("50%25", true), ("%25", false), ("_", false), ("ph%C3%AD_%C6%B0u", true), ("50%25x", false)]
    {
        let (status, found) = server.get(&format!("/api/v1/dossiers?q={q}"), &clerk).await;
        assert_eq!(status, 200, "{found}");
        let ids = ids(&found);
        assert_eq!(ids.contains(&marked["id"]), expect_marked, "q={q}: {found}");
        assert!(!ids.contains(&plain["id"]), "q={q} matched any text: {found}");
    }
    server.stop().await;
}

/// An online applicant is the person the e-identity verified: another id is refused, another name or birth date
/// is replaced by the identity's.
async fn online_applicants_are_who_signed_in(backend: Backend) {
    let server = TestServer::start(backend).await;
    let verified = motcua_engine::domain::identity::CitizenIdentity {
        id_number: "031085001234".into(),
        name: "Trần Văn Nam".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1985, 3, 2),
    };
    let citizen = motcua_api::http::auth::issue_citizen_token(&server.state.keys, &verified);
    let mut body = server.with_uploads(Some(&citizen), new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    body.as_object_mut().unwrap().remove("channel");
    body["applicant"]["name"] = json!("Người Khác");
    body["applicant"]["birth_date"] = json!("1985-07-07");
    let (status, d) = server.send(Method::POST, "/api/v1/me/dossiers", Some(&citizen), Some(body.clone()), &[]).await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["applicant"]["name"], "Trần Văn Nam");
    assert_eq!(d["applicant"]["birth_date"], "1985-03-02");
    body["applicant"]["id_number"] = json!("031090012399");
    body["applicant"]["birth_date"] = json!("1990-01-15");
    let writes = server.writes().await;
    let other = server.send(Method::POST, "/api/v1/me/dossiers", Some(&citizen), Some(body), &[]).await;
    assert_eq!(other.0, 403, "{}", other.1);
    assert_eq!(server.writes().await, writes);
    server.stop().await;
}

/// HEAD answers as GET without a body; a method an address does not take is 405 with `Allow`; `bearer` in any
/// case; API answers are `no-store` and `nosniff`.
async fn operational_answers(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let client = reqwest::Client::new();
    for path in ["/healthz", "/api/v1/procedures", "/"] {
        let head = client.head(server.url(path)).send().await.unwrap();
        assert_eq!(head.status(), 200, "HEAD {path}");
        assert_eq!(head.bytes().await.unwrap().len(), 0, "HEAD {path} has no body");
    }
    let delete = client.delete(server.url("/api/v1/dossiers")).bearer_auth(&clerk).send().await.unwrap();
    assert_eq!(delete.status(), 405);
    assert_eq!(delete.headers()["allow"], "GET, HEAD, POST");
    assert_eq!(delete.headers()["content-type"], "application/problem+json");
    let put = client.put(server.url("/api/v1/dossiers/x/history")).send().await.unwrap();
    assert_eq!((put.status().as_u16(), put.headers()["allow"].to_str().unwrap()), (405, "GET, HEAD"));
    assert_eq!(client.delete(server.url("/api/v1/no-such-thing")).send().await.unwrap().status(), 404);
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let answer = client
            .get(server.url("/api/v1/dossiers"))
            .header("authorization", format!("{scheme} {clerk}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{scheme}");
        assert_eq!(answer.headers()["cache-control"], "no-store");
        assert_eq!(answer.headers()["x-content-type-options"], "nosniff");
    }
    server.stop().await;
}

/// Served over HTTPS (as `MOTCUA_PUBLIC_URL` says), every answer asks for HTTPS from then on (HSTS) and the
/// session cookies are `Secure`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn over_https_hsts_and_secure_cookies() {
    let launch = crate::support::Launch { public_url: Some("https://motcua.example.vn".into()), ..Default::default() };
    let server = TestServer::launch(Backend::Sqlite, launch).await;
    let answer = reqwest::Client::new().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(answer.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    let page = reqwest::Client::new().get(server.url("/can-bo/dang-nhap")).send().await.unwrap();
    let cookies: Vec<&str> = page.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(!cookies.is_empty() && cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
    server.stop().await;
    let plain = TestServer::start(Backend::Sqlite).await;
    let answer = reqwest::Client::new().get(plain.url("/healthz")).send().await.unwrap();
    assert!(answer.headers().get("strict-transport-security").is_none());
    plain.stop().await;
}

/// SQLite's write lock held by another connection past the busy timeout: 503 with `Retry-After`, not 500, and
/// nothing written; the same request succeeds once the lock is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_locked_database_is_busy_not_broken() {
    use diesel::connection::SimpleConnection;
    let server = TestServer::start(Backend::Sqlite).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let body = server.with_uploads(Some(&clerk), new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let before = server.count("dossiers").await;
    let services = server.services.clone();
    let (locked, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let holder = std::thread::spawn(move || {
        let mut conn = services.db().conn().unwrap();
        conn.batch_execute("BEGIN IMMEDIATE").unwrap();
        locked.0.send(()).unwrap();
        release.1.recv().unwrap();
        conn.batch_execute("ROLLBACK").unwrap();
    });
    locked.1.recv().unwrap();
    let (status, headers, answer) =
        server.send_full(Method::POST, "/api/v1/dossiers", Some(&clerk), Some(body.to_string()), &[]).await;
    release.0.send(()).unwrap();
    holder.join().unwrap();
    assert_eq!((status.as_u16(), answer["code"].as_str()), (503, Some("server.unavailable")), "{answer}");
    assert_eq!(headers["retry-after"], "5");
    assert_eq!(server.count("dossiers").await, before, "nothing written");
    let (status, _) = server.send(Method::POST, "/api/v1/dossiers", Some(&clerk), Some(body), &[]).await;
    assert_eq!(status, 201);
    server.stop().await;
}

/// The security audit log leaves as JSON lines, every sign-in attempt in it, oldest first, by day.
async fn the_audit_log_is_exportable(backend: Backend) {
    let server = TestServer::start(backend).await;
    assert_eq!(server.login("hongbang.vanthu", "sai-mat-khau").await.0, 401);
    assert_eq!(server.login("hongbang.vanthu", "motcua-demo").await.0, 200);
    let export = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["audit", "export"])
            .args(args)
            .env("DATABASE_URL", &server.services.config.database_url)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<Value> =
            String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        lines
    };
    let all = export(&[]);
    let logins: Vec<&Value> =
        all.iter().filter(|e| e["action"] == "login" && e["actor"] == "hongbang.vanthu").collect();
    assert_eq!(logins.iter().map(|e| e["outcome"].as_str().unwrap()).collect::<Vec<_>>(), ["bad_credentials", "ok"]);
    assert!(all.windows(2).all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()), "oldest first");
    assert!(logins[0]["at"].as_str().unwrap().ends_with("+00:00"));
    assert!(export(&["--until", "2000-01-01"]).is_empty());
    assert_eq!(export(&["--since", "2000-01-01"]).len(), all.len());
    server.stop().await;
}

on_both_backends!(
    the_audit_log_is_exportable,
    operational_answers,
    online_applicants_are_who_signed_in,
    extensions_are_bounded,
    payment_requests_fit_the_fees,
    texts_are_bounded_and_canonical,
    search_text_is_literal
);
