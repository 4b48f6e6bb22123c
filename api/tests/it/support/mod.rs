//! Test support: a real motcua server on a loopback port over a fresh database, SQLite or PostgreSQL, loaded
//! with the demo agencies and staff; and an HTTP client speaking to it.
//!
//! PostgreSQL tests need `MOTCUA_TEST_PG_URL` (an admin URL; `scripts/test-all` starts a throwaway server and
//! sets it). Without it they are skipped locally, and fail under CI so that they can never be skipped there.

#![allow(dead_code)]

pub mod pages;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use diesel::RunQueryDsl;
use motcua_api::http::server;
use motcua_engine::domain::procedure::Role;
use motcua_engine::service::dossiers::CitizenIdentity;
use motcua_engine::service::requests::OnlineSubmission;
use motcua_engine::service::{Clock, Config, Services, SystemClock};
use reqwest::StatusCode;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const TEST_PKI_PASSWORD: &str = "test-pki";
/// The keyring entry holding an applicant's personal certificate.
pub const TEST_APPLICANT_KEY: &str = "applicant.031085001234";

/// One keyring per test process (RSA keys take a while to make): the demo's leaders and agency seals.
pub static TEST_PKI: std::sync::LazyLock<PathBuf> = std::sync::LazyLock::new(|| {
    let dir = std::env::temp_dir().join("motcua-tests").join(format!("pki-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (mut people, agencies) = motcua_engine::service::demo::demo_signing_parties();
    // An applicant's own certificate (as a USB token or SIM PKI holds), under the same test CA.
    people.push((TEST_APPLICANT_KEY.into(), "Nguyễn Văn Thử".into()));
    motcua_engine::signing::demo_keyring(&dir, &people, &agencies, TEST_PKI_PASSWORD, Utc::now())
        .expect("the test keyring is made");
    dir
});

/// The token `/metrics` wants from a caller that is not on loopback.
pub const TEST_METRICS_TOKEN: &str = "metrics-test-token";

/// Runs an async test body against both backends, as two test functions.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    if $crate::support::postgres_available() {
                        super::$name($crate::support::Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

pub fn postgres_available() -> bool {
    match std::env::var("MOTCUA_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => true,
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("MOTCUA_TEST_PG_URL is not set under CI: PostgreSQL tests must run")
        }
        _ => {
            eprintln!("skipped: MOTCUA_TEST_PG_URL is not set (scripts/test-all sets it)");
            false
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    format!("motcua_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A fresh database URL for one test.
pub fn fresh_database(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("motcua-tests");
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}", dir.join(format!("{}.db", unique_name())).display())
        }
        Backend::Postgres => {
            let admin = std::env::var("MOTCUA_TEST_PG_URL").expect("checked by postgres_available");
            motcua_engine::store::create_database(&admin, &unique_name()).expect("create database")
        }
    }
}

pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

/// An instant in the calendar's timezone (Asia/Ho_Chi_Minh), e.g. `local("2026-11-24T08:00:00")`.
pub fn local(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{text}+07:00")).expect("an RFC 3339 local time").with_timezone(&Utc)
}

/// A JSON instant of a dossier (e.g. `due_at`).
pub fn instant(value: &Value) -> DateTime<Utc> {
    value.as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).expect("an RFC 3339 instant").with_timezone(&Utc)
}

/// A clock tests move by hand.
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn at(rfc3339: &str) -> Arc<ManualClock> {
        Arc::new(ManualClock(std::sync::Mutex::new(DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc))))
    }

    pub fn set(&self, rfc3339: &str) {
        *self.0.lock().unwrap() = DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc);
    }

    pub fn advance(&self, by: chrono::TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// How a test server is set up; `Launch::default()` is the plain server on the system clock.
pub struct Launch {
    pub clock: Option<Arc<ManualClock>>,
    pub outbox_max_attempts: i32,
    pub pki_dir: Option<PathBuf>,
    pub outside: motcua_engine::adapters::outside::Outside,
    /// `MOTCUA_PUBLIC_URL` (default `http://127.0.0.1`).
    pub public_url: Option<String>,
}

impl Default for Launch {
    fn default() -> Self {
        Launch { clock: None, outbox_max_attempts: 10, pki_dir: None, outside: Default::default(), public_url: None }
    }
}

pub struct TestServer {
    pub base: String,
    pub services: Arc<Services>,
    pub client: reqwest::Client,
    pub backend: Backend,
    /// The hand-moved clock, for servers started with `start_at` or `start_with`.
    pub clock: Option<Arc<ManualClock>>,
    /// The server's state, to mint tokens of kinds that sign in elsewhere (citizens, service accounts).
    pub state: actix_web::web::Data<motcua_api::http::AppState>,
    handle: actix_web::dev::ServerHandle,
}

/// A test that ends without `stop` still stops its server: the server runs on a thread of its own, and would
/// otherwise keep its state, and its database pool's connections, until the test process ends.
impl Drop for TestServer {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Its data folder (uploads, blobs) goes once it has stopped: a whole run leaves gigabytes otherwise.
        let data_dir = self.services.config.data_dir.clone();
        let sqlite_file = self.services.config.database_url.strip_prefix("sqlite://").map(std::path::PathBuf::from);
        std::thread::spawn(move || {
            futures::executor::block_on(handle.stop(false));
            let _ = std::fs::remove_dir_all(data_dir);
            if let Some(file) = sqlite_file {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
            }
        });
    }
}

impl TestServer {
    /// A server on the system clock.
    pub async fn start(backend: Backend) -> TestServer {
        TestServer::launch(backend, Launch::default()).await
    }

    /// A server with signing keys for the demo's leaders and agencies, under a demo CA it trusts.
    pub async fn start_signing(backend: Backend) -> TestServer {
        TestServer::launch(backend, Launch { pki_dir: Some(TEST_PKI.clone()), ..Launch::default() }).await
    }

    /// A server whose clock stands still at `now` (demo loading included) until `advance` moves it.
    pub async fn start_at(backend: Backend, now: DateTime<Utc>) -> TestServer {
        TestServer::start_with(backend, Arc::new(ManualClock(std::sync::Mutex::new(now))), 10).await
    }

    /// A server on a hand-moved clock, with the outbox's attempt limit.
    pub async fn start_with(backend: Backend, clock: Arc<ManualClock>, outbox_max_attempts: i32) -> TestServer {
        TestServer::launch(backend, Launch { clock: Some(clock), outbox_max_attempts, ..Launch::default() }).await
    }

    /// A server with everything chosen: clock, outbox limit, signing keys, outside systems.
    pub async fn launch(backend: Backend, launch: Launch) -> TestServer {
        let Launch { clock, outbox_max_attempts, pki_dir, outside, public_url } = launch;
        let service_clock: Arc<dyn Clock> = match &clock {
            Some(clock) => clock.clone(),
            None => Arc::new(SystemClock),
        };
        let database_url = fresh_database(backend);
        let services = tokio::task::spawn_blocking(move || {
            let config = Config {
                database_url,
                database_read_url: None,
                pool_size: 20,
                procedures_dir: Some(repo_path("procedures")),
                calendar_file: None,
                public_url: public_url.unwrap_or_else(|| "http://127.0.0.1".into()),
                outbox_max_attempts,
                outbox_lease_secs: 60,
                data_dir: std::env::temp_dir().join("motcua-tests").join(unique_name()),
                blob_url: None,
                max_file_bytes: 50 * 1024 * 1024,
                max_dossier_bytes: 200 * 1024 * 1024,
                place: "Hải Phòng".into(),
                pki_dir,
                pki_password: TEST_PKI_PASSWORD.into(),
                outside,
                metrics_token: Some(TEST_METRICS_TOKEN.into()),
                trust_forwarded: false,
            };
            let services = motcua_engine::wiring::start(config, service_clock).expect("services start");
            services.administration().load_demo().expect("demo loads").expect("empty database");
            Arc::new(services)
        })
        .await
        .unwrap();
        let state = server::state(services.clone()).unwrap();
        let app_state = state.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let handle = server::spawn(state, listener, 2);
        TestServer { base, services, client: reqwest::Client::new(), backend, clock, state: app_state, handle }
    }

    /// Moves the hand-moved clock forward.
    pub fn advance(&self, by: TimeDelta) {
        self.clock.as_ref().expect("advance needs a server started with start_at or start_with").advance(by);
    }

    /// The server's time.
    pub fn now(&self) -> DateTime<Utc> {
        self.services.now()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signs in; answers the status and the body (tokens or a problem).
    pub async fn login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        let body = serde_json::json!({"username": username, "password": password});
        self.send(reqwest::Method::POST, "/api/v1/auth/login", None, Some(body), &[]).await
    }

    /// Signs a demo user in and returns the access token.
    pub async fn token(&self, username: &str) -> String {
        let (status, body) = self
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"username": username, "password": "motcua-demo"})),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let (status, _, body) = self.send_full(method, path, token, body.map(|b| b.to_string()), headers).await;
        (status, body)
    }

    /// Sends a raw body; answers status, headers and the JSON body (or Null).
    pub async fn send_full(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, headers, json)
    }

    /// A download: status, content type and bytes.
    pub async fn get_bytes(&self, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
        let response = self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request sent");
        let status = response.status();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        (status, content_type, response.bytes().await.unwrap().to_vec())
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, Some(token), None, &[]).await
    }

    /// Uploads a file as the token's holder; answers the upload (its `id` attaches it).
    pub async fn upload(&self, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.url(&format!("/api/v1/uploads?name={name}")))
            .bearer_auth(token)
            .body(bytes)
            .send()
            .await
            .expect("request sent");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Gives every component of a new-dossier body without a paper a freshly uploaded scan of the caller.
    pub async fn with_uploads(&self, token: Option<&str>, mut body: Value) -> Value {
        let Some(token) = token else { return body };
        let Some(components) = body.get_mut("components").and_then(|c| c.as_array_mut()) else { return body };
        for component in components.iter_mut() {
            if component.get("upload").is_none() && component.get("repository_item").is_none() {
                let name = format!("{}.pdf", component["id"].as_str().unwrap_or("giay-to"));
                let (status, upload) = self.upload(token, &name, sample_pdf()).await;
                if status == StatusCode::CREATED {
                    component["upload"] = upload["id"].clone();
                }
            }
        }
        body
    }

    /// Uploads a new scan and attaches it to a component (If-Match the dossier's version); answers the dossier.
    pub async fn attach_new_paper(&self, token: &str, dossier: &Value, component: &str) -> Value {
        let (status, upload) = self.upload(token, &format!("{component}.pdf"), sample_pdf()).await;
        assert_eq!(status, StatusCode::CREATED, "{upload}");
        let path = format!("/api/v1/dossiers/{}/papers", dossier["id"].as_str().unwrap());
        let version = dossier["version"].to_string();
        let body = serde_json::json!({"component": component, "upload": upload["id"]});
        let (status, body) =
            self.send(reqwest::Method::POST, &path, Some(token), Some(body), &[("If-Match", &version)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Receives a dossier at the counter (scans uploaded first); answers the created dossier.
    pub async fn receive(&self, token: &str, body: Value) -> Value {
        let body = self.with_uploads(Some(token), body).await;
        let (status, body) = self.send(reqwest::Method::POST, "/api/v1/dossiers", Some(token), Some(body), &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Sends an action with the dossier's version as If-Match.
    pub async fn act(&self, token: &str, dossier: &Value, action: Value) -> (StatusCode, Value) {
        let path = format!("/api/v1/dossiers/{}/actions", dossier["id"].as_str().unwrap());
        let version = dossier["version"].to_string();
        self.send(reqwest::Method::POST, &path, Some(token), Some(action), &[("If-Match", &version)]).await
    }

    /// Like `act`, but the action must succeed; answers the new state.
    pub async fn act_ok(&self, token: &str, dossier: &Value, action: Value) -> Value {
        let (status, body) = self.act(token, dossier, action.clone()).await;
        assert_eq!(status, StatusCode::OK, "{action} -> {body}");
        body
    }

    /// Reads a dossier (as `token`); it must be visible.
    pub async fn dossier(&self, token: &str, id: &str) -> Value {
        let (status, body) = self.get(&format!("/api/v1/dossiers/{id}"), token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// The history (events and control slip) of a dossier; it must be visible.
    pub async fn history(&self, token: &str, id: &str) -> Value {
        let (status, body) = self.get(&format!("/api/v1/dossiers/{id}/history"), token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// A dossier submitted online by its applicant (status 1). There is no citizen route yet: the use case is
    /// called directly.
    pub async fn submit_online(&self, procedure: &str, agency: &str, id_number: &str) -> Value {
        let token = self.citizen_token(id_number, "Nguyễn Văn Thử");
        let mut body = self.with_uploads(Some(&token), new_dossier(procedure, agency, id_number)).await;
        body.as_object_mut().unwrap().remove("channel");
        let input: OnlineSubmission = serde_json::from_value(body).unwrap();
        let citizen =
            CitizenIdentity { id_number: id_number.to_string(), name: input.applicant.name.clone(), birth_date: None };
        let services = self.services.clone();
        let dossier = tokio::task::spawn_blocking(move || services.dossiers().submit_online(&citizen, input))
            .await
            .unwrap()
            .expect("submitted");
        serde_json::to_value(dossier).unwrap()
    }

    /// An access token for a citizen (as the national e-identity sign-in will issue).
    pub fn citizen_token(&self, id_number: &str, name: &str) -> String {
        let citizen = CitizenIdentity { id_number: id_number.to_string(), name: name.to_string(), birth_date: None };
        motcua_api::http::auth::issue_citizen_token(&self.state.keys, &citizen)
    }

    /// An access token for a service account with scopes; the account is created (enabled) if it is not yet.
    pub fn service_token(&self, name: &str, scopes: &[&str]) -> String {
        let own: Vec<String> =
            if scopes.is_empty() { vec!["repository".into()] } else { scopes.iter().map(|s| s.to_string()).collect() };
        tokio::task::block_in_place(|| match self.services.identity().create_service_account(name, &own, None) {
            Ok(_) => {}
            Err(e) if e.code() == "request.invalid" => {} // there already: tokens are minted for it below
            Err(e) => panic!("service account {name}: {e}"),
        });
        let service = motcua_engine::domain::identity::ServiceIdentity {
            name: name.to_string(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        };
        motcua_api::http::auth::issue_service_token(&self.state.keys, &service)
    }

    /// Creates a staff account (password `motcua-demo`) holding `role` in `agency`.
    pub async fn create_staff(&self, username: &str, role: &str, agency: &str) {
        let services = self.services.clone();
        let (username, agency) = (username.to_string(), agency.to_string());
        let role: Role = role.parse().expect("a role name");
        tokio::task::spawn_blocking(move || {
            services
                .identity()
                .create_user(&username, "Cán bộ Kiểm Thử", role, &agency, "motcua-demo")
                .expect("user created")
        })
        .await
        .unwrap();
    }

    /// Rows of the tables a refused request must not touch: (dossiers, events, outbox).
    pub async fn writes(&self) -> (i64, i64, i64) {
        (self.count("dossiers").await, self.count("events").await, self.count("outbox").await)
    }

    pub async fn staff_id(&self, username: &str) -> String {
        let services = self.services.clone();
        let username = username.to_string();
        tokio::task::spawn_blocking(move || {
            services
                .db()
                .read(|conn| {
                    motcua_engine::store::staff::by_username(conn, &username)
                        .map_err(motcua_engine::service::ServiceError::from)
                })
                .unwrap()
                .unwrap()
                .id
        })
        .await
        .unwrap()
    }

    /// Counts rows of a table, to prove that refused requests wrote nothing.
    pub async fn count(&self, table: &'static str) -> i64 {
        self.count_sql(format!("SELECT COUNT(*) AS n FROM {table}")).await
    }

    /// The payloads of the outbox messages of `topic` whose `dossier_id` is `owner` (an SQL expression: a quoted
    /// id, or a subquery), oldest first.
    pub async fn outbox_payloads(&self, topic: &str, owner: &str) -> Vec<Value> {
        #[derive(diesel::QueryableByName)]
        struct Payload {
            #[diesel(sql_type = diesel::sql_types::Text)]
            payload: String,
        }
        let sql = format!("SELECT payload FROM outbox WHERE topic = '{topic}' AND dossier_id = {owner} ORDER BY id");
        let services = self.services.clone();
        let rows: Vec<Payload> = tokio::task::spawn_blocking(move || {
            diesel::RunQueryDsl::load(diesel::sql_query(sql), &mut *services.db().conn().unwrap()).unwrap()
        })
        .await
        .unwrap();
        rows.iter().map(|r| serde_json::from_str(&r.payload).unwrap()).collect()
    }

    /// Rows matching a query `SELECT COUNT(*) AS n …`.
    pub async fn count_sql(&self, sql: String) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let services = self.services.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = services.db().conn().unwrap();
            let row: Count = diesel::sql_query(sql).get_result(&mut *conn).unwrap();
            row.n
        })
        .await
        .unwrap()
    }
}

/// Hồng Bàng ward (demo): a commune People's Committee.
pub const HONG_BANG: &str = "000.31.01.H26";
pub const LE_CHAN: &str = "000.31.02.H26";

/// Asserts a problem+json answer with `status` and the stable `code` (also in `type`).
#[track_caller]
pub fn assert_problem(answer: &(StatusCode, Value), status: u16, code: &str) {
    let (actual, body) = answer;
    assert_eq!((actual.as_u16(), body["code"].as_str()), (status, Some(code)), "{body}");
    assert_eq!(body["type"], format!("urn:motcua:problem:{code}"), "{body}");
}

/// The fields named by a 422's `errors`.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().map_or_else(Vec::new, |errors| {
        errors.iter().map(|e| e["field"].as_str().unwrap_or_default().to_string()).collect()
    })
}

/// A counter reception body for `procedure` with every required (kept) component provided and digitised.
pub fn new_dossier(procedure: &str, agency: &str, id_number: &str) -> Value {
    let procedure_def = std::fs::read_dir(repo_path("procedures"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with(procedure))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .expect("procedure file");
    let definition: toml::Table = toml::from_str(&procedure_def).unwrap();
    let components: Vec<Value> = definition["component"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["required"].as_bool() == Some(true) && c.get("in_person_only").and_then(|v| v.as_bool()) != Some(true)
        })
        .map(|c| serde_json::json!({ "id": c["id"].as_str().unwrap() }))
        .collect();
    let person = motcua_engine::domain::codes::PersonalId::parse(id_number).expect("a valid test id");
    let sex = match person.sex {
        motcua_engine::domain::codes::Sex::Male => "male",
        motcua_engine::domain::codes::Sex::Female => "female",
    };
    serde_json::json!({
        "procedure_code": procedure,
        "agency": agency,
        "channel": "counter",
        "applicant": {
            "name": "Nguyễn Văn Thử",
            "id_kind": "personal_id",
            "id_number": id_number,
            "birth_date": format!("{}-01-15", person.birth_year),
            "sex": sex,
            "phone": "0912000111",
            "email": "thu@example.vn"
        },
        "components": components
    })
}

/// The demo's sample scan: a valid one-page PDF.
pub fn sample_pdf() -> Vec<u8> {
    std::fs::read(repo_path("fixtures/papers/mau-giay-to.pdf")).unwrap()
}

/// Tuesday 24 November 2026, 08:00 in Hải Phòng: a working day, inside the morning session.
pub fn tuesday_morning() -> chrono::DateTime<chrono::Utc> {
    local("2026-11-24T08:00:00")
}

/// The Hồng Bàng ward's staff, signed in.
pub struct Ward {
    pub clerk: String,
    pub head: String,
    pub specialist: String,
    pub leader: String,
    pub records: String,
    pub specialist_id: String,
}

pub async fn hong_bang(server: &TestServer) -> Ward {
    Ward {
        clerk: server.token("hongbang.tiepnhan").await,
        head: server.token("hongbang.truongphong").await,
        specialist: server.token("hongbang.chuyenvien").await,
        leader: server.token("hongbang.lanhdao").await,
        records: server.token("hongbang.vanthu").await,
        specialist_id: server.staff_id("hongbang.chuyenvien").await,
    }
}

/// An assigned dossier of the ward taken through to its result, returned electronically: appraised with
/// `summary`, approved, signed, a result paper attached, sealed, returned (status 10). Answers the dossier.
pub async fn return_electronically(server: &TestServer, ward: &Ward, d: &Value, summary: &str) -> Value {
    let appraise = serde_json::json!({"action": "appraise", "proposal": {"kind": "result", "summary": summary}});
    let d = server.act_ok(&ward.specialist, d, appraise).await;
    let d = server.act_ok(&ward.head, &d, serde_json::json!({"action": "approve"})).await;
    let d = server.act_ok(&ward.leader, &d, serde_json::json!({"action": "sign"})).await;
    let (status, scan) = server.upload(&ward.records, "ket-qua.pdf", sample_pdf()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (id, version) = (d["id"].as_str().unwrap().to_string(), d["version"].to_string());
    let (status, d) = server
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/dossiers/{id}/results"),
            Some(&ward.records),
            Some(serde_json::json!({"upload": scan["id"], "title": "Giấy chứng nhận đăng ký hộ kinh doanh"})),
            &[("If-Match", &version)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let d = server.act_ok(&ward.records, &d, serde_json::json!({"action": "seal", "number": "21/HKD"})).await;
    let d = server.act_ok(&ward.clerk, &d, serde_json::json!({"action": "return", "method": "electronic"})).await;
    assert_eq!(d["status"], 10);
    d
}
