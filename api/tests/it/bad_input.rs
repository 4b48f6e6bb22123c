//! Bad input through HTTP: every refusal is a problem+json with a stable code, lists every bad field, and
//! writes nothing. Also the public, operational endpoints.

use crate::support::{Backend, HONG_BANG, TestServer, assert_problem, error_fields, new_dossier};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// POST /api/v1/dossiers with a raw body.
async fn post_raw(server: &TestServer, token: &str, body: String) -> (StatusCode, Value) {
    let (status, headers, body) =
        server.send_full(Method::POST, "/api/v1/dossiers", Some(token), Some(body), &[]).await;
    if !status.is_success() {
        let kind = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(kind, "application/problem+json", "{status}: {body}");
    }
    (status, body)
}

/// Reception requests that are refused: unreadable, unknown fields, invalid values (all listed at once), too
/// large. Nothing is written.
async fn bad_receptions_write_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let writes = server.writes().await;
    let valid = server.with_uploads(Some(&clerk), new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let first_upload = valid["components"][0]["upload"].clone();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = valid.clone();
        change(&mut body);
        body.to_string()
    };

    for malformed in ["{\"procedure_code\": ", "not json", "[1, 2]", ""] {
        assert_problem(&post_raw(&server, &clerk, malformed.to_string()).await, 400, "request.malformed");
    }

    let unknown_field = post_raw(&server, &clerk, with(&|b| b["colour"] = json!("đỏ"))).await;
    assert_problem(&unknown_field, 400, "request.malformed");
    assert!(unknown_field.1["detail"].as_str().unwrap().contains("colour"), "{}", unknown_field.1);
    let nested = post_raw(&server, &clerk, with(&|b| b["applicant"]["nickname"] = json!("Tí"))).await;
    assert_problem(&nested, 400, "request.malformed");
    assert!(nested.1["detail"].as_str().unwrap().contains("nickname"), "{}", nested.1);

    let unknown_procedure = post_raw(&server, &clerk, with(&|b| b["procedure_code"] = json!("9.999999"))).await;
    assert_problem(&unknown_procedure, 422, "request.invalid");
    assert_eq!(error_fields(&unknown_procedure.1), ["procedure_code"]);
    assert_eq!(unknown_procedure.1["errors"][0]["code"], "field.unknown_procedure");

    // A personal id whose century/sex digit says "female, 1900s" for a man, one with 11 digits, one with letters.
    for bad_id in ["031185001234", "03108500123", "03108500123A"] {
        let answer = post_raw(&server, &clerk, with(&|b| b["applicant"]["id_number"] = json!(bad_id))).await;
        assert_problem(&answer, 422, "request.invalid");
        assert_eq!(error_fields(&answer.1), ["applicant.id_number"], "{bad_id}");
        assert_eq!(answer.1["errors"][0]["code"], "field.invalid_personal_id");
    }

    let many = post_raw(
        &server,
        &clerk,
        with(&|b| {
            b["procedure_code"] = json!("9.999999");
            b["applicant"]["id_number"] = json!("123");
            b["applicant"]["name"] = json!("  ");
            b["applicant"]["email"] = json!("khong-phai-email");
            b["applicant"]["phone"] = json!("12ab");
            b["agency"] = json!("000.99.99.H26");
        }),
    )
    .await;
    assert_problem(&many, 422, "request.invalid");
    let mut fields = error_fields(&many.1);
    fields.sort();
    assert_eq!(
        fields,
        ["agency", "applicant.email", "applicant.id_number", "applicant.name", "applicant.phone", "procedure_code"],
        "every bad field at once"
    );
    assert!(
        many.1["errors"].as_array().unwrap().iter().all(|e| e["message_vi"].is_string() && e["message_en"].is_string())
    );

    let unknown_component = post_raw(
        &server,
        &clerk,
        with(&|b| b["components"].as_array_mut().unwrap().push(json!({"id": "giay_khong_co", "upload": first_upload}))),
    )
    .await;
    assert_problem(&unknown_component, 422, "request.invalid");
    assert_eq!(error_fields(&unknown_component.1), ["components[1].id"]);

    // Over 256 KiB: refused before it is read as a dossier.
    let oversized = with(&|b| b["summary"] = json!("a".repeat(300 * 1024)));
    assert_problem(&post_raw(&server, &clerk, oversized).await, 413, "request.too_large");
    // Under the limit but over the field's own limit: a field error.
    let long = post_raw(&server, &clerk, with(&|b| b["summary"] = json!("a".repeat(3000)))).await;
    assert_problem(&long, 422, "request.invalid");
    assert_eq!(error_fields(&long.1), ["summary"]);

    assert_eq!(server.writes().await, writes, "no dossier, event or outbox message was written");
    // The valid body is accepted, so the refusals above were about what they changed.
    assert_eq!(post_raw(&server, &clerk, valid.to_string()).await.0, StatusCode::CREATED);
    server.stop().await;
}

/// Action requests that are refused: If-Match missing or unreadable, the body unreadable, the action or its
/// fields unknown. Nothing is written.
async fn bad_actions_write_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let head = server.token("hongbang.truongphong").await;
    let dossier = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let specialist = server.staff_id("hongbang.chuyenvien").await;
    let path = format!("/api/v1/dossiers/{}/actions", dossier["id"].as_str().unwrap());
    let version = dossier["version"].to_string();
    let assign = json!({"action": "assign", "assignee": specialist}).to_string();
    let writes = server.writes().await;
    let send = |body: String, headers: Vec<(&'static str, String)>| {
        let path = path.clone();
        let head = head.clone();
        let server = &server;
        async move {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, response_headers, body) =
                server.send_full(Method::POST, &path, Some(&head), Some(body), &headers).await;
            let kind = response_headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
            assert_eq!(kind, "application/problem+json", "{status}: {body}");
            (status, body)
        }
    };

    assert_problem(&send(assign.clone(), vec![]).await, 428, "request.precondition_required");
    for unreadable in ["", "latest", "\"abc\"", "-1", "1.5"] {
        let answer = send(assign.clone(), vec![("If-Match", unreadable.to_string())]).await;
        assert_problem(&answer, 400, "request.malformed");
    }
    let if_match = || vec![("If-Match", version.clone())];
    assert_problem(&send("{\"action\": \"assign\"".into(), if_match()).await, 400, "request.malformed");
    assert_problem(&send("[]".into(), if_match()).await, 400, "request.malformed");
    let unknown = send(json!({"action": "approve_everything"}).to_string(), if_match()).await;
    assert_problem(&unknown, 400, "request.malformed");
    assert!(unknown.1["detail"].as_str().unwrap().contains("approve_everything"), "{}", unknown.1);
    assert_problem(&send(json!({"assignee": specialist}).to_string(), if_match()).await, 400, "request.malformed");
    let extra = send(json!({"action": "assign", "assignee": specialist, "priority": 1}).to_string(), if_match()).await;
    assert_problem(&extra, 400, "request.malformed");
    assert!(extra.1["detail"].as_str().unwrap().contains("priority"), "{}", extra.1);
    assert_problem(&send(json!({"action": "assign"}).to_string(), if_match()).await, 400, "request.malformed");
    let unknown_staff = send(json!({"action": "assign", "assignee": "khong-co"}).to_string(), if_match()).await;
    assert_problem(&unknown_staff, 422, "request.invalid");
    assert_eq!(error_fields(&unknown_staff.1), ["assignee"]);
    let stale = send(assign.clone(), vec![("If-Match", "99".to_string())]).await;
    assert_problem(&stale, 409, "dossier.stale_version");
    let oversized = json!({"action": "assign", "assignee": specialist, "note": "a".repeat(300 * 1024)}).to_string();
    assert_problem(&send(oversized, if_match()).await, 413, "request.too_large");
    assert_eq!(server.writes().await, writes, "no event or outbox message was written");

    // Quoted and weak forms of the version are understood.
    let (status, body) = send_ok(&server, &path, &head, assign, &format!("W/\"{version}\"")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server.stop().await;
}

async fn send_ok(server: &TestServer, path: &str, token: &str, body: String, if_match: &str) -> (StatusCode, Value) {
    let (status, _, body) =
        server.send_full(Method::POST, path, Some(token), Some(body), &[("If-Match", if_match)]).await;
    (status, body)
}

/// OpenAPI document, health, readiness, metrics, catalogue search, and unknown routes.
async fn public_and_operational_endpoints(backend: Backend) {
    let server = TestServer::start(backend).await;
    let get = |path: &'static str| server.send_full(Method::GET, path, None, None, &[]);

    let (status, _, openapi) = get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3."), "{}", openapi["openapi"]);
    for path in ["/api/v1/dossiers", "/api/v1/dossiers/{id}/actions", "/api/v1/auth/login", "/api/v1/track"] {
        assert!(openapi["paths"].get(path).is_some(), "{path} is documented");
    }

    assert_eq!(get("/healthz").await.0, StatusCode::OK);
    let (status, _, ready) = get("/readyz").await;
    assert_eq!((status, &ready["status"]), (StatusCode::OK, &json!("ready")));

    let (status, _, found) = get("/api/v1/procedures?q=khai%20sinh").await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = found["items"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"1.001193"), "{codes:?}");
    assert!(!codes.contains(&"1.001612"), "{codes:?}");
    let (status, _, commune) = get("/api/v1/procedures?level=commune").await;
    assert_eq!(status, StatusCode::OK);
    assert!(commune["items"].as_array().unwrap().iter().all(|p| p["level"] == "commune"));
    let (status, _, body) = get("/api/v1/procedures?level=district").await;
    assert_problem(&(status, body.clone()), 422, "request.invalid");
    assert_eq!(error_fields(&body), ["level"]);
    let (status, _, body) = get("/api/v1/procedures?sort=name").await;
    assert_problem(&(status, body), 400, "request.malformed");
    let (status, _, procedure) = get("/api/v1/procedures/1.001193").await;
    assert_eq!((status, &procedure["code"]), (StatusCode::OK, &json!("1.001193")));
    let (status, _, body) = get("/api/v1/procedures/9.999999").await;
    assert_problem(&(status, body), 404, "procedure.not_found");

    for path in ["/api/v1/khong-co", "/khong-co", "/api/v2/dossiers"] {
        let (status, headers, body) = server.send_full(Method::GET, path, None, None, &[]).await;
        assert_problem(&(status, body), 404, "request.not_found");
        assert_eq!(headers.get("content-type").unwrap(), "application/problem+json");
    }

    let (status, headers, _) = get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/plain"));
    let text = server.client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("motcua_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/procedures\""), "requests are counted by route");
    server.stop().await;
}

/// Bad queue filters are refused with the fields named.
async fn bad_queue_filters(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let (status, body) = server.get("/api/v1/dossiers?status=11,2,x&channel=fax", &clerk).await;
    assert_problem(&(status, body.clone()), 422, "request.invalid");
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(fields, ["channel", "status", "status"]);
    assert_problem(&server.get("/api/v1/dossiers?cursor=bm9wZQ", &clerk).await, 422, "request.invalid");
    assert_problem(&server.get("/api/v1/dossiers?due_before=tomorrow", &clerk).await, 400, "request.malformed");
    assert_problem(&server.get("/api/v1/dossiers?colour=red", &clerk).await, 400, "request.malformed");
    server.stop().await;
}

/// A NUL character (which PostgreSQL cannot store) is bad input wherever it comes: in a JSON body, in the
/// address, in a page's form, or through a route that reaches the database some other way. Nothing is written.
async fn nul_characters_are_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let before = server.count("dossiers").await;
    let mut body = new_dossier("1.001612", HONG_BANG, "031090012399");
    body["summary"] = json!("Đăng ký\u{0}");
    assert_problem(&post_raw(&server, &clerk, body.to_string()).await, 400, "request.forbidden_character");
    assert_problem(&server.get("/api/v1/dossiers?q=a%00b", &clerk).await, 400, "request.malformed");
    assert_problem(&server.get("/api/v1/dossiers/x%00y", &clerk).await, 400, "request.malformed");
    let citizen = server.citizen_token("031190012345", "Nguyễn Thị Hường");
    let item = json!({"title": "Giấy\u{0}", "upload": "x"});
    let (status, answer) = server.send(Method::POST, "/api/v1/repository/items", Some(&citizen), Some(item), &[]).await;
    assert_problem(&(status, answer), 400, "request.forbidden_character");
    assert_eq!(server.count("dossiers").await, before);
    // Past the edges (a page's plain form, the command line), the store refuses it on PostgreSQL as bad input,
    // not as a fault; SQLite keeps any text, and finds nothing.
    let services = server.services.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let admin = services.identity().login("admin", "motcua-demo", "test").unwrap();
        let all = motcua_engine::service::background::JobRedrive::AllDead { kind: Some("a\0".into()) };
        services.administration().redrive_jobs(&admin, all).map_err(|e| (e.http_status(), e.code()))
    })
    .await
    .unwrap();
    match backend {
        Backend::Postgres => assert_eq!(outcome, Err((400, "request.malformed"))),
        Backend::Sqlite => assert_eq!(outcome, Ok(0)),
    }
    server.stop().await;
}

on_both_backends!(
    nul_characters_are_refused,
    bad_receptions_write_nothing,
    bad_actions_write_nothing,
    public_and_operational_endpoints,
    bad_queue_filters
);
