//! The pages as a browser uses them, for the page tests: cookies kept by hand in a [`Jar`], no redirect
//! followed (each hop is looked at), urlencoded and multipart forms, staff sign-in through the form and citizen
//! sign-in through the identity provider's pages.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use motcua_api::sim;
use motcua_engine::adapters::outside::Outside;
use reqwest::StatusCode;

use super::{Backend, Launch, ManualClock, TestServer};
use crate::identity::{idp_settings, provider};

/// A browser's cookies, kept by hand: enough for one site over plain HTTP.
#[derive(Default, Clone)]
pub struct Jar {
    pub cookies: BTreeMap<String, String>,
    /// Every HTML page this jar fetches is checked: all its words come from the catalogue, no inline script or
    /// style.
    pub check_pages: bool,
}

impl Jar {
    /// A jar whose HTML pages are checked (see [`Jar::check_pages`]).
    pub fn checking() -> Jar {
        Jar { check_pages: true, ..Jar::default() }
    }

    pub fn take(&mut self, headers: &reqwest::header::HeaderMap) {
        for value in headers.get_all("set-cookie") {
            let value = value.to_str().unwrap();
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (name, content) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") || content.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), content.to_string());
            }
        }
    }

    pub fn header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// A cookie's value, empty when there is none.
    pub fn get(&self, name: &str) -> String {
        self.cookies.get(name).cloned().unwrap_or_default()
    }

    /// The CSRF token the forms repeat.
    pub fn csrf(&self) -> String {
        self.get("motcua_csrf")
    }
}

/// A browser that does not follow redirects: each hop is looked at.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// What came back for a page.
pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
    pub bytes: Vec<u8>,
    pub content_type: String,
    /// Sent as it was produced (chunked, no length announced), as stored files are.
    pub streamed: bool,
}

async fn finish(jar: &mut Jar, response: reqwest::Response) -> Answer {
    jar.take(response.headers());
    let status = response.status();
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (location, content_type) = (header("location"), header("content-type"));
    let streamed = header("transfer-encoding") == "chunked" && header("content-length").is_empty();
    let bytes = response.bytes().await.unwrap().to_vec();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    if jar.check_pages && content_type.starts_with("text/html") {
        // Every word comes from the catalogue: a missing entry shows its placeholder.
        assert!(!body.contains("(chưa có nội dung)") && !body.contains("(missing text)"), "{body}");
        assert!(!body.contains("<script") && !body.contains("style="), "no inline scripts or styles");
    }
    Answer { status, location, body, bytes, content_type, streamed }
}

/// A path of the test server, or a whole URL (another site, such as the identity provider).
fn url(server: &TestServer, path: &str) -> String {
    if path.starts_with("http") { path.to_string() } else { server.url(path) }
}

/// A GET with the jar's cookies.
pub async fn open(server: &TestServer, jar: &mut Jar, path: &str) -> Answer {
    let response = browser().get(url(server, path)).header("Cookie", jar.header()).send().await.unwrap();
    finish(jar, response).await
}

/// A urlencoded POST with the jar's cookies.
pub async fn send_form(server: &TestServer, jar: &mut Jar, path: &str, form: &[(&str, &str)]) -> Answer {
    let response = browser().post(url(server, path)).header("Cookie", jar.header()).form(form).send().await.unwrap();
    finish(jar, response).await
}

/// A `multipart/form-data` body, as a browser sends a form with files: answers its content type and the body.
/// A file named `*.toml` is sent as `application/toml`, any other as `application/pdf`.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----motcua-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        let kind = if file_name.ends_with(".toml") { "application/toml" } else { "application/pdf" };
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {kind}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A multipart POST with the jar's cookies.
pub async fn send_multipart(
    server: &TestServer,
    jar: &mut Jar,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Answer {
    let (content_type, body) = multipart(fields, files);
    let response = browser()
        .post(url(server, path))
        .header("Cookie", jar.header())
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    finish(jar, response).await
}

/// A GET: answers the status and the page.
pub async fn visit(server: &TestServer, jar: &mut Jar, path: &str) -> (StatusCode, String) {
    let answer = open(server, jar, path).await;
    (answer.status, answer.body)
}

/// A GET of a file: answers the status, the content type and the bytes.
pub async fn bytes(server: &TestServer, jar: &mut Jar, path: &str) -> (StatusCode, String, Vec<u8>) {
    let answer = open(server, jar, path).await;
    (answer.status, answer.content_type, answer.bytes)
}

/// A urlencoded POST: answers the status, the `Location` and the page.
pub async fn post(
    server: &TestServer,
    jar: &mut Jar,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let answer = send_form(server, jar, path, form).await;
    (answer.status, answer.location, answer.body)
}

/// A multipart POST: answers the status, the `Location` and the page.
pub async fn post_multipart(
    server: &TestServer,
    jar: &mut Jar,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (StatusCode, String, String) {
    let answer = send_multipart(server, jar, path, fields, files).await;
    (answer.status, answer.location, answer.body)
}

/// Signs a demo staff account in through the staff sign-in form; answers its cookies.
pub async fn sign_in(server: &TestServer, username: &str) -> Jar {
    let mut jar = Jar::default();
    let (status, _) = visit(server, &mut jar, "/can-bo/dang-nhap").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = jar.csrf();
    let form = [("csrf", csrf.as_str()), ("username", username), ("password", "motcua-demo"), ("tiep", "/can-bo")];
    let (status, location, _) = post(server, &mut jar, "/can-bo/dang-nhap", &form).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/can-bo"), "{username} signs in");
    jar
}

/// The identity provider simulator and a server configured to use it (on the system clock unless given one).
pub async fn with_idp(backend: Backend, clock: Option<Arc<ManualClock>>) -> (TestServer, sim::Running) {
    let idp = tokio::task::spawn_blocking(|| {
        sim::spawn(std::net::TcpListener::bind("127.0.0.1:0").unwrap(), sim::idp::routes(idp_settings()))
    })
    .await
    .unwrap()
    .expect("the simulator starts");
    let outside = Outside { oidc: Some(provider(&idp)), timeout: Duration::from_secs(5), ..Outside::default() };
    let server = TestServer::launch(backend, Launch { outside, clock, ..Launch::default() }).await;
    (server, idp)
}

/// Signs a citizen in as a browser would (on a server from [`with_idp`]): the chooser, the provider's page to
/// pick a demo citizen, the callback's cookie.
pub async fn sign_in_citizen(server: &TestServer, jar: &mut Jar, personal_id: &str) {
    let away = open(server, jar, "/cong-dan").await;
    assert_eq!((away.status, away.location.as_str()), (StatusCode::SEE_OTHER, "/dang-nhap?tiep=/cong-dan"));
    let chooser = open(server, jar, &away.location).await;
    let start = "/api/v1/auth/citizen/start?return_to=/cong-dan";
    assert!(chooser.body.contains(&format!("href=\"{start}\"")), "{}", chooser.body);
    let to_provider = open(server, jar, start).await;
    assert_eq!(to_provider.status, StatusCode::FOUND);
    let picker = open(server, jar, &to_provider.location).await;
    assert_eq!(picker.status, StatusCode::OK);
    let link = picker
        .body
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .find(|href| href.ends_with(&format!("login_hint={personal_id}")))
        .expect("the provider lists the demo citizen");
    let provider_base = to_provider.location.split("/authorize").next().unwrap().to_string();
    let back = open(server, jar, &format!("{provider_base}{link}")).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    // The redirect URI registered at the provider names the public URL (`http://127.0.0.1`): the test server's
    // port is put in, as a proxy in front of it would.
    let callback = back.location.trim_start_matches("http://127.0.0.1");
    assert!(callback.starts_with("/api/v1/auth/citizen/callback?"), "{}", back.location);
    let landed = open(server, jar, callback).await;
    assert_eq!(landed.status, StatusCode::OK);
    assert!(landed.body.contains("content=\"0;url=/cong-dan\""), "{}", landed.body);
    assert!(!jar.get("motcua_session").is_empty(), "the session cookie is set");
}

/// The value of the hidden (or other) input named `name` in a page.
pub fn input_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no input {name} in {page}")) + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}
