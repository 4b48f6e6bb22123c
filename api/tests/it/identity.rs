//! Signing in from outside: citizens through the national e-identity (the `idp` simulator, OpenID Connect code
//! flow with PKCE) and service accounts with client credentials; then the citizen's own dossiers under `/me`.

use std::time::Duration;

use base64::Engine as _;
use chrono::{TimeDelta, Utc};
use motcua_api::sim;
use motcua_engine::adapters::oidc::{self, OidcClient};
use motcua_engine::adapters::outside::OidcProvider;
use motcua_engine::ports::identity::OidcError;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Backend, HONG_BANG, ManualClock, TestServer, assert_problem, hong_bang, new_dossier, sample_pdf};

pub(crate) const CLIENT_ID: &str = "motcua-test";
pub(crate) const CLIENT_SECRET: &str = "idp-test-secret";
/// The redirect URI registered at the provider: the test servers' public URL is `http://127.0.0.1`.
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1/api/v1/auth/citizen/callback";
/// Demo citizens of fixtures/demo.toml.
const HUONG: &str = "031190012345";
const NAM: &str = "031085001234";
/// A valid personal id that is not a demo citizen, with a level 1 account.
const UNVERIFIED: &str = "031201000888";
/// Test persons (not demo citizens, so without the demo's dossiers), with level 2 accounts.
const TEST_F: &str = "031192055555";
const TEST_M: &str = "031088066666";

pub(crate) fn idp_settings() -> sim::idp::Settings {
    sim::idp::Settings {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uris: vec![REDIRECT_URI.into()],
        issuer: None,
        level_one: vec![UNVERIFIED.into()],
        code_lifetime_secs: 60,
    }
}

pub(crate) fn provider(idp: &sim::Running) -> OidcProvider {
    OidcProvider { issuer: idp.url.clone(), client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.into() }
}

pub(crate) use crate::support::pages::{browser, with_idp};

pub(crate) fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).expect("a Location header").to_string()
}

pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url).unwrap().query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}

/// `start` → the provider's `/authorize` (which approves `login_hint` at once) → the redirect back: answers the
/// query string the provider sends the browser back with.
pub(crate) async fn authorize(server: &TestServer, login_hint: &str) -> String {
    let browser = browser();
    let start = browser
        .get(server.url(&format!("/api/v1/auth/citizen/start?return_to=/ho-so&login_hint={login_hint}")))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::FOUND);
    let to_provider = location(&start);
    for (name, expected) in [("response_type", "code"), ("client_id", CLIENT_ID), ("code_challenge_method", "S256")] {
        assert_eq!(query_param(&to_provider, name).as_deref(), Some(expected), "{to_provider}");
    }
    assert_eq!(query_param(&to_provider, "scope").as_deref(), Some("openid profile"));
    assert_eq!(query_param(&to_provider, "redirect_uri").as_deref(), Some(REDIRECT_URI));
    let back = browser.get(&to_provider).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::FOUND, "{}", back.text().await.unwrap());
    let back = location(&back);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert!(query_param(&back, "code").is_some() && query_param(&back, "state").is_some(), "{back}");
    reqwest::Url::parse(&back).unwrap().query().unwrap().to_string()
}

/// The callback as the browser would call it, asking for JSON.
pub(crate) async fn callback(server: &TestServer, query: &str) -> (StatusCode, Value) {
    let response = browser()
        .get(server.url(&format!("/api/v1/auth/citizen/callback?{query}")))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A citizen signed in through the provider: our access token.
pub(crate) async fn sign_in(server: &TestServer, personal_id: &str) -> String {
    let (status, tokens) = callback(server, &authorize(server, personal_id).await).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens["access_token"].as_str().unwrap().to_string()
}

/// Changes one query parameter.
fn with_param(query: &str, name: &str, value: &str) -> String {
    let mut url = reqwest::Url::parse(&format!("http://x/?{query}")).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().map(|(n, v)| (n.into_owned(), v.into_owned())).collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().map(|(n, v)| (n.as_str(), if n == name { value } else { v.as_str() })));
    url.query().unwrap().to_string()
}

/// The full sign-in over HTTP: PKCE and nonce go out, the code comes back, our token works for the citizen's
/// routes and nothing else; the state is good once; without `Accept: application/json` the token is set in an
/// HttpOnly, SameSite=Strict cookie on the way to `return_to`; the provider's picker page lists demo citizens.
async fn citizen_signs_in_with_pkce(backend: Backend) {
    let (server, idp) = with_idp(backend, None).await;
    let query = authorize(&server, HUONG).await;
    let (status, tokens) = callback(&server, &query).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["return_to"], "/ho-so");
    let citizen = &tokens["citizen"];
    assert_eq!(
        (citizen["personal_id"].as_str(), citizen["name"].as_str(), citizen["level"].as_u64()),
        (Some(HUONG), Some("Nguyễn Thị Hường"), Some(2))
    );
    assert_eq!((citizen["birth_date"].as_str(), citizen["sex"].as_str()), (Some("1990-05-17"), Some("female")));
    let token = tokens["access_token"].as_str().unwrap();
    let (status, mine) = server.get("/api/v1/me/dossiers", token).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let items = mine["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|d| d["applicant"]["id_number"] == HUONG), "the demo's: {mine}");
    let (status, page) = server.get("/api/v1/me/dossiers?limit=2", token).await;
    assert_eq!((status, page["items"].as_array().unwrap().len()), (StatusCode::OK, 2));
    let next = format!("/api/v1/me/dossiers?limit=200&cursor={}", page["next_cursor"].as_str().unwrap());
    assert_eq!(server.get(&next, token).await.1["items"].as_array().unwrap().len(), items.len() - 2);
    assert_problem(&server.get("/api/v1/dossiers", token).await, 403, "request.forbidden");
    assert_problem(&server.get("/api/v1/me/dossiers", "not-a-token").await, 401, "auth.invalid_token");

    // The same redirect back again (a replayed state) is refused.
    assert_problem(&callback(&server, &query).await, 400, "auth.sign_in_unknown");
    assert_problem(&callback(&server, &with_param(&query, "state", "made-up")).await, 400, "auth.sign_in_unknown");

    // A browser: a cookie on the way back to where it started.
    let query = authorize(&server, NAM).await;
    let response = browser().get(server.url(&format!("/api/v1/auth/citizen/callback?{query}"))).send().await.unwrap();
    // A page that moves on by itself: a redirect from the provider's site would not carry a Strict cookie.
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap().to_string();
    let page = response.text().await.unwrap();
    assert!(page.contains("content=\"0;url=/ho-so\""), "{page}");
    assert!(cookie.starts_with("motcua_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    let session = cookie.trim_start_matches("motcua_session=").split(';').next().unwrap();
    assert_eq!(server.get("/api/v1/me/dossiers", session).await.0, StatusCode::OK);

    // Bad starts: another site to return to, a hint that is no personal id.
    let start = |q: &'static str| {
        let url = server.url(&format!("/api/v1/auth/citizen/start?{q}"));
        async move {
            let response = browser().get(url).send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_problem(&start("return_to=//evil.example/").await, 400, "auth.invalid_return_to");
    assert_problem(&start("return_to=https://evil.example/").await, 400, "auth.invalid_return_to");
    assert_problem(&start("login_hint=12345").await, 400, "auth.invalid_login_hint");

    // Without a hint the provider shows its page: demo citizens to pick, as links that carry the request.
    let start = browser().get(server.url("/api/v1/auth/citizen/start")).send().await.unwrap();
    let page = browser().get(location(&start)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Nguyễn Thị Hường") && html.contains(&format!("login_hint={HUONG}")), "{html}");
    assert!(!html.contains("<script"), "no JavaScript");

    let openapi: Value = reqwest::get(server.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    for path in ["/api/v1/auth/citizen/start", "/api/v1/auth/token", "/api/v1/me/dossiers/{id}/withdraw"] {
        assert!(openapi["paths"].get(path).is_some(), "{path} is documented");
    }
    idp.stop().await;
    server.stop().await;
}

/// What must not get through: a spent code, a PKCE verifier that is not the sign-in's, a level 1 account, a
/// sign-in older than 10 minutes, a provider that is down, and ID tokens that were tampered with, signed with
/// another key or carry another nonce.
async fn sign_in_refusals(backend: Backend) {
    let clock = ManualClock::at(&Utc::now().to_rfc3339());
    let (server, idp) = with_idp(backend, Some(clock)).await;

    // A replayed code: signed in with it once; under a fresh sign-in's state the provider refuses it.
    let first = authorize(&server, HUONG).await;
    assert_eq!(callback(&server, &first).await.0, StatusCode::OK);
    let second = authorize(&server, HUONG).await;
    let spent = query_param(&format!("http://x/?{first}"), "code").unwrap();
    assert_problem(&callback(&server, &with_param(&second, "code", &spent)).await, 401, "auth.provider_refused");

    // A wrong verifier: the stored one is changed before the callback, so the provider's PKCE check fails.
    let query = authorize(&server, HUONG).await;
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        let wrong = oidc::new_pkce().verifier;
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("UPDATE sign_in_attempts SET code_verifier = '{wrong}'")),
            &mut *conn,
        )
        .unwrap();
    })
    .await
    .unwrap();
    assert_problem(&callback(&server, &query).await, 401, "auth.provider_refused");

    // Level 1: the provider vouches for the person, but public services need level 2.
    assert_problem(&callback(&server, &authorize(&server, UNVERIFIED).await).await, 403, "auth.level_too_low");

    // Eleven minutes between start and callback.
    let query = authorize(&server, HUONG).await;
    server.advance(TimeDelta::minutes(11));
    assert_problem(&callback(&server, &query).await, 400, "auth.sign_in_expired");

    // The provider down at the callback.
    let query = authorize(&server, HUONG).await;
    let faults = reqwest::Client::new();
    let set = faults.post(format!("{}/_sim/faults", idp.url)).json(&json!({"mode": "error", "count": 1})).send();
    assert_eq!(set.await.unwrap().status(), StatusCode::OK);
    assert_problem(&callback(&server, &query).await, 502, "auth.provider_unavailable");

    // The citizen cancels at the provider: it sends an error back.
    let query = authorize(&server, HUONG).await;
    let cancelled = format!("{}&error=access_denied", with_param(&query, "code", ""));
    assert_problem(&callback(&server, &cancelled).await, 401, "auth.provider_refused");

    // ID tokens, checked by the client as motcua uses it.
    let provider = provider(&idp);
    let url = idp.url.clone();
    tokio::task::spawn_blocking(move || {
        let client = OidcClient::new(provider, Duration::from_secs(5));
        let discovery = client.discover().unwrap();
        let nonce = motcua_engine::random::token(32);
        let token = id_token_from(&url, HUONG, &nonce);
        let verified = client.verify_id_token(&discovery, &token, &nonce).expect("a genuine token verifies");
        assert_eq!((verified.personal_id.as_str(), verified.level), (HUONG, 2));

        let invalid = |token: &str, nonce: &str| match client.verify_id_token(&discovery, token, nonce) {
            Err(OidcError::InvalidToken(why)) => why,
            other => panic!("accepted or wrongly refused: {other:?}"),
        };
        invalid(&token, "another nonce");
        // Another citizen's id put into the payload, the signature kept.
        let parts: Vec<&str> = token.split('.').collect();
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
        claims["sub"] = json!(NAM);
        let forged = format!("{}.{}.{}", parts[0], engine.encode(claims.to_string()), parts[2]);
        invalid(&forged, &nonce);
        // Signed with the client secret (HS256) instead of the provider's key.
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        let key = jsonwebtoken::EncodingKey::from_secret(CLIENT_SECRET.as_bytes());
        invalid(&jsonwebtoken::encode(&header, &claims, &key).unwrap(), &nonce);
        // A signature cut off.
        invalid(&format!("{}.{}.", parts[0], parts[1]), &nonce);
    })
    .await
    .unwrap();
    idp.stop().await;
    server.stop().await;
}

/// Plays the client against the simulator by hand: answers an ID token for `personal_id` with `nonce`.
fn id_token_from(idp: &str, personal_id: &str, nonce: &str) -> String {
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let pkce = oidc::new_pkce();
    let authorize = reqwest::Url::parse_with_params(
        &format!("{idp}/authorize"),
        [
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid profile"),
            ("state", "s"),
            ("nonce", nonce),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
            ("login_hint", personal_id),
        ],
    )
    .unwrap();
    let back = http.get(authorize).send().unwrap();
    let back = back.headers()["location"].to_str().unwrap().to_string();
    let code = query_param(&back, "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", &pkce.verifier),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    let answer: Value = http.post(format!("{idp}/token")).form(&form).send().unwrap().json().unwrap();
    answer["id_token"].as_str().expect("an ID token").to_string()
}

/// The simulator is as strict as the real provider: an unknown client or redirect URI never gets a redirect;
/// other bad requests go back with an OAuth error; a code is good for one try, with the right verifier, from
/// the client it was issued to.
async fn idp_simulator_is_strict(_backend: Backend) {
    let idp = tokio::task::spawn_blocking(|| {
        sim::spawn(std::net::TcpListener::bind("127.0.0.1:0").unwrap(), sim::idp::routes(idp_settings()))
    })
    .await
    .unwrap()
    .unwrap();
    let url = idp.url.clone();
    tokio::task::spawn_blocking(move || {
        let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let pkce = oidc::new_pkce();
        let request = |changes: &[(&str, Option<&str>)]| {
            let mut params = vec![
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT_URI),
                ("scope", "openid profile"),
                ("state", "st"),
                ("nonce", "n"),
                ("code_challenge", pkce.challenge.as_str()),
                ("code_challenge_method", "S256"),
                ("login_hint", HUONG),
            ];
            for (name, value) in changes {
                params.retain(|(n, _)| n != name);
                if let Some(value) = value {
                    params.push((name, value));
                }
            }
            http.get(reqwest::Url::parse_with_params(&format!("{url}/authorize"), &params).unwrap()).send().unwrap()
        };
        let error_back = |response: reqwest::blocking::Response| {
            assert_eq!(response.status(), StatusCode::FOUND);
            let back = response.headers()["location"].to_str().unwrap().to_string();
            assert!(back.starts_with(REDIRECT_URI), "{back}");
            assert_eq!(query_param(&back, "state").as_deref(), Some("st"));
            query_param(&back, "error").unwrap()
        };
        for response in [
            request(&[("client_id", Some("someone-else"))]),
            request(&[("redirect_uri", Some("https://evil.example/cb"))]),
            request(&[("redirect_uri", None)]),
        ] {
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            assert!(response.headers().get("location").is_none());
        }
        assert_eq!(error_back(request(&[("response_type", Some("token"))])), "unsupported_response_type");
        assert_eq!(error_back(request(&[("code_challenge", None)])), "invalid_request");
        assert_eq!(error_back(request(&[("code_challenge_method", Some("plain"))])), "invalid_request");
        assert_eq!(error_back(request(&[("scope", Some("profile"))])), "invalid_scope");
        assert_eq!(error_back(request(&[("login_hint", None), ("prompt", Some("none"))])), "login_required");

        let code_of = |response: reqwest::blocking::Response| {
            query_param(response.headers()["location"].to_str().unwrap(), "code").unwrap()
        };
        let redeem = |code: &str, verifier: &str, secret: &str| {
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", verifier),
            ];
            let response = http.post(format!("{url}/token")).basic_auth(CLIENT_ID, Some(secret)).form(&form).send();
            let response = response.unwrap();
            (response.status(), response.json::<Value>().unwrap())
        };
        let code = code_of(request(&[]));
        let (status, body) = redeem(&code, &pkce.verifier, "wrong secret");
        assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
        let (status, body) = redeem(&code, &oidc::new_pkce().verifier, CLIENT_SECRET);
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
        let (status, body) = redeem(&code, &pkce.verifier, CLIENT_SECRET);
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "spent: {body}");

        let code = code_of(request(&[]));
        let (status, body) = redeem(&code, &pkce.verifier, CLIENT_SECRET);
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["id_token"].as_str().is_some_and(|t| t.split('.').count() == 3));
        let (status, body) = redeem(&code, &pkce.verifier, CLIENT_SECRET);
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "replayed");

        // A JSON body is not what the token endpoint takes.
        let response = http.post(format!("{url}/token")).json(&json!({"grant_type": "authorization_code"})).send();
        assert_eq!(response.unwrap().status(), StatusCode::BAD_REQUEST);
    })
    .await
    .unwrap();
    idp.stop().await;
}

/// Service accounts: client credentials by form (in the body or HTTP Basic) or JSON; the token carries the
/// account's scopes (or the requested subset); a wrong secret, an unknown or disabled client get RFC 6749
/// errors with 401.
async fn service_accounts_use_client_credentials(backend: Backend) {
    let server = TestServer::start(backend).await;
    let services = server.services.clone();
    let created = tokio::task::spawn_blocking(move || {
        services.identity().create_service_account("dvcqg", &["portal".into(), "dossiers:read".into()], None).unwrap()
    })
    .await
    .unwrap();
    let (client_id, secret) = (created.account.client_id.clone(), created.secret.clone());
    assert!(created.account.secret_hash.starts_with("$argon2id$"), "only the hash is kept");

    let http = reqwest::Client::new();
    let token_request = |form: Vec<(&'static str, String)>| {
        let request = http.post(server.url("/api/v1/auth/token")).form(&form);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let challenge = response.headers().get("www-authenticate").is_some();
            (status, challenge, response.json::<Value>().await.unwrap())
        }
    };
    let credentials = |secret: &str| {
        vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", client_id.clone()),
            ("client_secret", secret.to_string()),
        ]
    };
    let (status, _, tokens) = token_request(credentials(&secret)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!((tokens["token_type"].as_str(), tokens["expires_in"].as_i64()), (Some("Bearer"), Some(900)));
    assert_eq!(tokens["scope"], "portal dossiers:read");
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let portal_token = token.clone();
    let (status, items) = server.get(&format!("/api/v1/portal/repository/{HUONG}/items"), &token).await;
    assert_eq!(status, StatusCode::OK, "the portal scope reaches the portal's route: {items}");
    assert_problem(&server.get("/api/v1/me/dossiers", &token).await, 403, "request.forbidden");

    // A narrower token: without `portal` the portal's route is refused.
    let mut narrower = credentials(&secret);
    narrower.push(("scope", "dossiers:read".into()));
    let (status, _, tokens) = token_request(narrower).await;
    assert_eq!((status, tokens["scope"].as_str()), (StatusCode::OK, Some("dossiers:read")));
    let token = tokens["access_token"].as_str().unwrap();
    assert_problem(
        &server.get(&format!("/api/v1/portal/repository/{HUONG}/items"), token).await,
        403,
        "request.forbidden",
    );
    let mut wider = credentials(&secret);
    wider.push(("scope", "admin".into()));
    let (status, _, body) = token_request(wider).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")));

    // HTTP Basic, and a JSON body.
    let basic = http
        .post(server.url("/api/v1/auth/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::OK);
    let json_body = json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret});
    let (status, body) = server.send(Method::POST, "/api/v1/auth/token", None, Some(json_body), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Refusals, in RFC 6749's words.
    let (status, challenge, body) = token_request(credentials("not the secret")).await;
    assert_eq!((status, body["error"].as_str(), challenge), (StatusCode::UNAUTHORIZED, Some("invalid_client"), true));
    let unknown = vec![
        ("grant_type", "client_credentials".to_string()),
        ("client_id", "svc_unknown".to_string()),
        ("client_secret", secret.clone()),
    ];
    assert_eq!(token_request(unknown).await.2["error"], "invalid_client");
    let mut password = credentials(&secret);
    password[0].1 = "password".into();
    let (status, _, body) = token_request(password).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
    let both = http
        .post(server.url("/api/v1/auth/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&credentials(&secret))
        .send()
        .await
        .unwrap();
    assert_eq!(both.status(), StatusCode::BAD_REQUEST, "two authentication methods at once");

    // A disabled account's secret no longer works.
    let services = server.services.clone();
    let id = client_id.clone();
    tokio::task::spawn_blocking(move || services.identity().set_service_account_disabled(&id, true).unwrap())
        .await
        .unwrap();
    let (status, _, body) = token_request(credentials(&secret)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    // Nor do the access tokens it was given: a disabled account's token ends within seconds, not at expiry.
    tokio::time::sleep(motcua_api::http::generations::FRESH_FOR).await;
    let items = format!("/api/v1/portal/repository/{HUONG}/items");
    assert_problem(&server.get(&items, &portal_token).await, 401, "auth.invalid_token");
    server.stop().await;
}

/// An online submission body for the citizen `personal_id`, with freshly uploaded papers of theirs.
async fn online_body(server: &TestServer, token: &str, personal_id: &str) -> Value {
    let mut body = new_dossier("1.004873", HONG_BANG, personal_id);
    body.as_object_mut().unwrap().remove("channel");
    server.with_uploads(Some(token), body).await
}

async fn submit(server: &TestServer, token: &str, body: &Value, key: Option<&str>) -> (StatusCode, Value) {
    let headers: Vec<(&str, &str)> = key.map(|k| vec![("Idempotency-Key", k)]).unwrap_or_default();
    server.send(Method::POST, "/api/v1/me/dossiers", Some(token), Some(body.clone()), &headers).await
}

async fn withdraw(server: &TestServer, token: &str, dossier: &Value, reason: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/me/dossiers/{}/withdraw", dossier["id"].as_str().unwrap());
    let version = dossier["version"].to_string();
    server.send(Method::POST, &path, Some(token), Some(json!({"reason": reason})), &[("If-Match", &version)]).await
}

/// A signed-in citizen submits online (status 1, idempotently), finds it among their dossiers with its history,
/// cannot submit for someone else; another citizen neither sees nor withdraws it; the owner withdraws it once.
async fn citizen_submits_sees_and_withdraws(backend: Backend) {
    let (server, idp) = with_idp(backend, None).await;
    let huong = sign_in(&server, TEST_F).await;
    let nam = sign_in(&server, TEST_M).await;
    let body = online_body(&server, &huong, TEST_F).await;
    let before = server.count("dossiers").await;

    let (status, d) = submit(&server, &huong, &body, Some("nop-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    assert_eq!((d["status"].as_u64(), d["channel"].as_str()), (Some(1), Some("online")));
    assert_eq!(d["applicant"]["id_number"], TEST_F);
    assert_eq!(d["procedure_name"], "Cấp Giấy xác nhận tình trạng hôn nhân");
    assert!(d.get("assignee").is_none() && d.get("proposal").is_none(), "no internal fields: {d}");
    let (status, again) = submit(&server, &huong, &body, Some("nop-1")).await;
    assert_eq!((status, &again["id"]), (StatusCode::CREATED, &d["id"]), "a retry gets the first answer");
    let mut other = body.clone();
    other["summary"] = json!("Một hồ sơ khác");
    assert_problem(&submit(&server, &huong, &other, Some("nop-1")).await, 409, "request.idempotency_key_reused");
    assert_eq!(server.count("dossiers").await, before + 1);

    // Submitting in someone else's name.
    let for_nam = online_body(&server, &huong, TEST_M).await;
    assert_problem(&submit(&server, &huong, &for_nam, None).await, 403, "dossier.not_owner");

    let (status, mine) = server.get("/api/v1/me/dossiers", &huong).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["id"], d["id"]);
    let path = format!("/api/v1/me/dossiers/{}", d["id"].as_str().unwrap());
    let (status, detail) = server.get(&path, &huong).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["history"][0]["kind"], "submitted");
    assert_eq!(detail["history"][0]["by"], "applicant");
    assert_eq!(detail["can_withdraw"], true);

    // Another citizen: not found, not listed, not withdrawn.
    assert_problem(&server.get(&path, &nam).await, 404, "dossier.not_found");
    assert_eq!(server.get("/api/v1/me/dossiers", &nam).await.1["items"], json!([]));
    assert_problem(&withdraw(&server, &nam, &d, "Không phải của tôi").await, 404, "dossier.not_found");
    assert_problem(&server.get(&format!("{path}/results"), &nam).await, 404, "dossier.not_found");

    // Withdrawal: the version must be current and a reason given; once withdrawn, never again.
    let (status, no_version) =
        server.send(Method::POST, &format!("{path}/withdraw"), Some(&huong), Some(json!({"reason": "x"})), &[]).await;
    assert_problem(&(status, no_version), 428, "request.precondition_required");
    let stale = json!({"id": d["id"], "version": 0});
    assert_problem(&withdraw(&server, &huong, &stale, "Đổi ý").await, 409, "dossier.stale_version");
    assert_problem(&withdraw(&server, &huong, &d, " ").await, 422, "dossier.empty_field");
    let (status, withdrawn) = withdraw(&server, &huong, &d, "Tôi không còn cần giấy xác nhận").await;
    assert_eq!((status, withdrawn["status"].as_u64()), (StatusCode::OK, Some(7)), "{withdrawn}");
    assert_eq!(withdrawn["can_withdraw"], false);
    assert_problem(&withdraw(&server, &huong, &withdrawn, "Lần nữa").await, 409, "dossier.wrong_status");
    let (_, detail) = server.get(&path, &huong).await;
    let kinds: Vec<&str> = detail["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["submitted", "withdrawn"]);
    assert_eq!(detail["history"][1]["details"]["reason"], "Tôi không còn cần giấy xác nhận");
    assert_eq!(server.get(&format!("{path}/results"), &huong).await.1, json!([]));
    idp.stop().await;
    server.stop().await;
}

/// A clerk asks for a supplement (with an internal note); the citizen sees what is asked but not the note,
/// attaches the new paper, resubmits (status 1 again); the dossier then goes through to its result, which the
/// citizen lists and downloads, and the unsigned draft is not among the results.
async fn citizen_resubmits_after_supplement_and_gets_the_result(backend: Backend) {
    let (server, idp) = with_idp(backend, None).await;
    let ward = hong_bang(&server).await;
    let huong = sign_in(&server, TEST_F).await;
    let (status, d) = submit(&server, &huong, &online_body(&server, &huong, TEST_F).await, None).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let path = format!("/api/v1/me/dossiers/{}", d["id"].as_str().unwrap());

    let staff_view = server.dossier(&ward.clerk, d["id"].as_str().unwrap()).await;
    let request = json!({"action": "request_supplement", "note": "Ghi chú nội bộ: kiểm tra lại",
        "items": [{"component": "to_khai", "reason": "Tờ khai thiếu chữ ký"}]});
    server.act_ok(&ward.clerk, &staff_view, request).await;

    let (status, detail) = server.get(&path, &huong).await;
    assert_eq!((status, detail["status"].as_u64()), (StatusCode::OK, Some(5)), "{detail}");
    assert_eq!(detail["supplement"]["items"][0]["reason"], "Tờ khai thiếu chữ ký");
    assert_eq!(detail["can_resubmit"], true);
    let asked = &detail["history"][1];
    assert_eq!((asked["kind"].as_str(), asked["by"].as_str()), (Some("supplement_requested"), Some("agency")));
    assert_eq!(asked["details"]["items"][0]["component"], "to_khai");
    assert!(!detail.to_string().contains("Ghi chú nội bộ"), "staff notes stay inside: {detail}");

    let resubmit = |dossier: Value| {
        let path = format!("{path}/resubmit");
        let token = huong.clone();
        let server = &server;
        async move {
            let version = dossier["version"].to_string();
            server.send(Method::POST, &path, Some(&token), None, &[("If-Match", &version)]).await
        }
    };
    assert_problem(&resubmit(detail.clone()).await, 422, "dossier.missing_component");
    let d = server.attach_new_paper(&huong, &detail, "to_khai").await;
    let (status, d) = resubmit(d).await;
    assert_eq!((status, d["status"].as_u64()), (StatusCode::OK, Some(1)), "{d}");
    let (_, detail) = server.get(&path, &huong).await;
    let last = detail["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["by"].as_str()), (Some("resubmitted"), Some("applicant")));

    // Through to the result: received, appraised (a draft is rendered), signed on paper, the scan attached.
    let staff_view = server.dossier(&ward.clerk, d["id"].as_str().unwrap()).await;
    let s = server.act_ok(&ward.clerk, &staff_view, json!({"action": "receive"})).await;
    let appraise = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện cấp"}});
    let s = server.act_ok(&ward.specialist, &s, appraise).await;
    assert!(s["result_document"].is_string(), "a draft was rendered: {s}");
    let s = server.act_ok(&ward.leader, &s, json!({"action": "sign"})).await;
    assert_eq!(server.get(&format!("{path}/results"), &huong).await.1, json!([]), "nothing before completion");
    let (status, scan) = server.upload(&ward.records, "ket-qua.pdf", sample_pdf()).await;
    assert_eq!(status, StatusCode::CREATED);
    let title = "Giấy xác nhận tình trạng hôn nhân";
    let version = s["version"].to_string();
    let (status, s) = server
        .send(
            Method::POST,
            &format!("/api/v1/dossiers/{}/results", s["id"].as_str().unwrap()),
            Some(&ward.records),
            Some(json!({"upload": scan["id"], "title": title})),
            &[("If-Match", &version)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let s = server.act_ok(&ward.records, &s, json!({"action": "seal", "number": "15/XNTTHN"})).await;
    assert_eq!(s["status"], 9, "{s}");

    let (status, results) = server.get(&format!("{path}/results"), &huong).await;
    assert_eq!(status, StatusCode::OK);
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 1, "the scanned result only, not the unsigned draft: {results:?}");
    assert_eq!((results[0]["title"].as_str(), results[0]["source"].as_str()), (Some(title), Some("scan")));
    let (status, kind, bytes) = server.get_bytes(results[0]["download"].as_str().unwrap(), &huong).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert_eq!(bytes, sample_pdf());
    let (_, detail) = server.get(&path, &huong).await;
    assert_eq!((detail["status"].as_u64(), detail["result_available"].as_bool()), (Some(9), Some(true)));
    let kinds: Vec<&str> = detail["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(!kinds.contains(&"appraised") && !kinds.contains(&"signed"), "internal steps stay inside: {kinds:?}");
    idp.stop().await;
    server.stop().await;
}

on_both_backends!(
    citizen_signs_in_with_pkce,
    sign_in_refusals,
    idp_simulator_is_strict,
    service_accounts_use_client_credentials,
    citizen_submits_sees_and_withdraws,
    citizen_resubmits_after_supplement_and_gets_the_result,
);
