//! The national public service portal (DVCQG), simulated. It holds the other end of
//! `motcua_engine::adapters::portal` and is strict the way the portal is:
//! - a status message must carry every field the portal requires, dates as `yyyyMMddHHmmss`, a known status,
//!   and a known channel; each hand-off in `QuaTrinhXuLy` likewise;
//! - a dossier's status may only move the way the lifecycle allows (to a status reachable from the one the
//!   portal holds: messages are sent on changes, so intermediate ones may be skipped);
//! - a message older than the last one applied (`X-Sequence`) is refused; a repeated `Idempotency-Key` is
//!   acknowledged and not applied again.
//!
//! It keeps the portal's view of each dossier (`GET /dossiers/{MaHoSo}`, a page at `/`), publishes the national
//! catalogue (`GET /procedures`), takes repository pushes, and routes dossiers submitted on the portal to motcua
//! (`POST /_sim/route`, signing in with client credentials).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use clap::Args;
use motcua_engine::domain::dossier::Status;
use serde_json::{Value, json};

use motcua_engine::text::escape_html;

use super::Faults;

/// The catalogue the simulated portal publishes.
const CATALOGUE: &str = include_str!("../../../fixtures/portal/catalogue.json");

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// The bearer token motcua must present.
    #[arg(long, default_value = "portal-demo-token")]
    pub token: String,
    /// motcua's base URL, where dossiers submitted on the portal are routed.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub motcua_url: String,
    /// The portal's client id at motcua (a service account with scope `portal`).
    #[arg(long, default_value = "portal")]
    pub client_id: String,
    #[arg(long, default_value = "")]
    pub client_secret: String,
}

/// The portal's view of one dossier.
#[derive(Debug, Clone)]
struct View {
    message: Value,
    sequence: u64,
    /// Every status the portal saw, in order.
    statuses: Vec<u8>,
}

#[derive(Default)]
struct Portal {
    views: BTreeMap<String, View>,
    keys: HashSet<String>,
    repository: Vec<Value>,
    /// Messages refused, newest last, for whoever investigates.
    refusals: Vec<Value>,
}

/// Where dossiers submitted on the portal go, and as whom.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteTarget {
    motcua_url: String,
    client_id: String,
    client_secret: String,
}

#[derive(Clone)]
struct State {
    settings: Settings,
    target: Arc<Mutex<RouteTarget>>,
    portal: Arc<Mutex<Portal>>,
    catalogue: Arc<Value>,
    http: reqwest::Client,
}

pub fn routes(settings: Settings) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    let catalogue: Value = serde_json::from_str(CATALOGUE).expect("the shipped catalogue is JSON");
    let target = RouteTarget {
        motcua_url: settings.motcua_url.clone(),
        client_id: settings.client_id.clone(),
        client_secret: settings.client_secret.clone(),
    };
    let state = State {
        settings,
        target: Arc::new(Mutex::new(target)),
        portal: Arc::default(),
        catalogue: Arc::new(catalogue["procedures"].clone()),
        http: reqwest::Client::new(),
    };
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(state.clone()))
            .route("/", web::get().to(page))
            .route("/dossiers/sync", web::post().to(sync))
            .route("/dossiers", web::get().to(list))
            .route("/dossiers/{code}", web::get().to(view))
            .route("/repository/items", web::post().to(repository))
            .route("/procedures", web::get().to(procedures))
            .route("/_sim/state", web::get().to(state_dump))
            .route("/_sim/route", web::post().to(route_dossier))
            .route("/_sim/route-target", web::post().to(set_route_target));
    }
}

fn refuse(status: u16, code: &str, problems: Vec<String>) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("valid status"))
        .json(json!({ "error": code, "problems": problems }))
}

/// The refusal of a request without motcua's bearer token, if it has none.
fn unauthorised(req: &HttpRequest, state: &State) -> Option<HttpResponse> {
    let expected = format!("Bearer {}", state.settings.token);
    match req.headers().get("Authorization").and_then(|v| v.to_str().ok()) {
        Some(given) if given == expected => None,
        _ => Some(refuse(401, "unauthorized", vec!["missing or wrong bearer token".into()])),
    }
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty())
}

fn is_portal_time(text: &str) -> bool {
    text.len() == 14 && NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").is_ok()
}

/// Everything wrong with a status message, as the portal lists it.
pub fn check_message(message: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(object) = message.as_object() else {
        return vec!["the message is not a JSON object".into()];
    };
    let text = |field: &str, problems: &mut Vec<String>| match object.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Null) | None => {
            problems.push(format!("{field}: required"));
            None
        }
        Some(_) => {
            problems.push(format!("{field}: must be a non-empty string"));
            None
        }
    };
    for field in ["MaHoSo", "MaTTHC", "TenTTHC", "ChuHoSo", "SoGiayToChuHoSo", "TrichYeuHoSo", "DonViXuLy"] {
        text(field, &mut problems);
    }
    let status = object.get("TrangThaiHoSo").and_then(Value::as_u64);
    let status = match status.and_then(|s| u8::try_from(s).ok()).and_then(Status::from_code) {
        Some(s) => Some(s),
        None => {
            problems.push("TrangThaiHoSo: must be a status 1-10".into());
            None
        }
    };
    if !matches!(object.get("KenhThucHien").and_then(Value::as_u64), Some(1..=3)) {
        problems.push("KenhThucHien: must be 1, 2 or 3".into());
    }
    let date = |field: &str, required: bool, problems: &mut Vec<String>| match object.get(field) {
        Some(Value::String(s)) if is_portal_time(s) => {}
        Some(Value::Null) | None if !required => {}
        Some(Value::Null) | None => problems.push(format!("{field}: required")),
        Some(other) => problems.push(format!("{field}: {other} is not a yyyyMMddHHmmss time")),
    };
    date("NgayTiepNhan", true, &mut problems);
    let received =
        status.is_some_and(|s| !matches!(s, Status::Submitted | Status::RefusedAtReception | Status::Withdrawn));
    let running = status.is_some_and(|s| matches!(s, Status::Received | Status::InProcess));
    date("NgayHenTra", running, &mut problems);
    let returned = status == Some(Status::Returned);
    date("NgayTra", returned, &mut problems);
    if !returned && object.get("NgayTra").is_some_and(|v| !v.is_null()) {
        problems.push("NgayTra: only a returned dossier (status 10) has a return time".into());
    }
    match object.get("QuaTrinhXuLy") {
        Some(Value::Array(steps)) => {
            if received && steps.is_empty() {
                problems.push("QuaTrinhXuLy: a received dossier has at least one hand-off".into());
            }
            for (i, step) in steps.iter().enumerate() {
                for field in ["NguoiXuLy", "ChucDanh", "NoiDungXuLy", "PhongBanXuLy"] {
                    if step.get(field).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                        problems.push(format!("QuaTrinhXuLy[{i}].{field}: required"));
                    }
                }
                for field in ["ThoiDiemXuLy", "NgayBatDau"] {
                    if !step.get(field).and_then(Value::as_str).is_some_and(is_portal_time) {
                        problems.push(format!("QuaTrinhXuLy[{i}].{field}: must be a yyyyMMddHHmmss time"));
                    }
                }
                let step_status = step.get("TrangThai").and_then(Value::as_u64);
                if step_status.and_then(|s| u8::try_from(s).ok()).and_then(Status::from_code).is_none() {
                    problems.push(format!("QuaTrinhXuLy[{i}].TrangThai: must be a status 1-10"));
                }
            }
        }
        _ => problems.push("QuaTrinhXuLy: required (a list)".into()),
    }
    problems
}

/// Whether the lifecycle leads from `from` to `to` (in any number of steps; staying put is a due-date change).
pub fn reachable(from: Status, to: Status) -> bool {
    let mut seen = vec![from];
    let mut frontier = vec![from];
    while let Some(s) = frontier.pop() {
        for &n in s.next() {
            if !seen.contains(&n) {
                seen.push(n);
                frontier.push(n);
            }
        }
    }
    seen.contains(&to)
}

async fn sync(req: HttpRequest, state: web::Data<State>, body: web::Bytes) -> HttpResponse {
    if let Some(refusal) = unauthorised(&req, &state) {
        return refusal;
    }
    let (Some(key), Some(sequence)) =
        (header(&req, "Idempotency-Key"), header(&req, "X-Sequence").and_then(|s| s.parse::<u64>().ok()))
    else {
        return refuse(400, "invalid", vec!["Idempotency-Key and a numeric X-Sequence are required".into()]);
    };
    let message: Value = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => return refuse(400, "invalid", vec![format!("not JSON: {e}")]),
    };
    let mut portal = state.portal.lock().expect("portal lock");
    if portal.keys.contains(key) {
        return HttpResponse::Ok().json(json!({ "accepted": true, "duplicate": true }));
    }
    let problems = check_message(&message);
    let refused = |portal: &mut Portal, status: u16, code: &str, problems: Vec<String>| {
        portal.refusals.push(json!({ "key": key, "error": code, "problems": problems }));
        refuse(status, code, problems)
    };
    if !problems.is_empty() {
        return refused(&mut portal, 400, "invalid", problems);
    }
    let code = message["MaHoSo"].as_str().expect("checked").to_string();
    let status = message["TrangThaiHoSo"].as_u64().expect("checked") as u8;
    if let Some(view) = portal.views.get(&code) {
        if sequence < view.sequence {
            let why = format!("sequence {sequence} is older than {} already applied", view.sequence);
            return refused(&mut portal, 409, "stale", vec![why]);
        }
        let from = Status::from_code(*view.statuses.last().expect("a view has a status")).expect("stored valid");
        let to = Status::from_code(status).expect("checked");
        if !reachable(from, to) {
            let why = format!("status {} cannot follow {}", to.code(), from.code());
            return refused(&mut portal, 409, "transition", vec![why]);
        }
    }
    portal.keys.insert(key.to_string());
    let view = portal.views.entry(code).or_insert_with(|| View { message: Value::Null, sequence, statuses: vec![] });
    if view.statuses.last() != Some(&status) {
        view.statuses.push(status);
    }
    view.sequence = sequence;
    view.message = message;
    HttpResponse::Ok().json(json!({ "accepted": true, "duplicate": false }))
}

fn view_json(view: &View) -> Value {
    let m = &view.message;
    json!({
        "MaHoSo": m["MaHoSo"], "TrangThaiHoSo": m["TrangThaiHoSo"], "NgayHenTra": m["NgayHenTra"],
        "NgayTra": m["NgayTra"], "Sequence": view.sequence, "CacTrangThai": view.statuses, "HoSo": m,
    })
}

async fn view(req: HttpRequest, state: web::Data<State>, code: web::Path<String>) -> HttpResponse {
    if let Some(refusal) = unauthorised(&req, &state) {
        return refusal;
    }
    match state.portal.lock().expect("portal lock").views.get(code.as_str()) {
        Some(view) => HttpResponse::Ok().json(view_json(view)),
        None => refuse(404, "not_found", vec![format!("no dossier {code}")]),
    }
}

async fn list(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    if let Some(refusal) = unauthorised(&req, &state) {
        return refusal;
    }
    let portal = state.portal.lock().expect("portal lock");
    HttpResponse::Ok().json(portal.views.values().map(view_json).collect::<Vec<_>>())
}

async fn repository(req: HttpRequest, state: web::Data<State>, body: web::Json<Value>) -> HttpResponse {
    if let Some(refusal) = unauthorised(&req, &state) {
        return refusal;
    }
    let Some(key) = header(&req, "Idempotency-Key") else {
        return refuse(400, "invalid", vec!["Idempotency-Key is required".into()]);
    };
    let mut problems = Vec::new();
    for field in ["SoDinhDanhChuSoHuu", "MaGiayTo", "TenGiayTo", "MaHash"] {
        if body.get(field).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
            problems.push(format!("{field}: required"));
        }
    }
    if body
        .get("NgayCap")
        .and_then(Value::as_str)
        .is_none_or(|d| chrono::NaiveDate::parse_from_str(d, "%Y%m%d").is_err())
    {
        problems.push("NgayCap: must be a yyyyMMdd date".into());
    }
    if !problems.is_empty() {
        return refuse(400, "invalid", problems);
    }
    let mut portal = state.portal.lock().expect("portal lock");
    let duplicate = !portal.keys.insert(key.to_string());
    if !duplicate {
        portal.repository.push(body.into_inner());
    }
    HttpResponse::Ok().json(json!({ "accepted": true, "duplicate": duplicate }))
}

async fn procedures(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    if let Some(refusal) = unauthorised(&req, &state) {
        return refusal;
    }
    HttpResponse::Ok().json(state.catalogue.as_ref())
}

/// Everything the simulated portal holds, for tests and for people trying the demo.
async fn state_dump(state: web::Data<State>) -> HttpResponse {
    let portal = state.portal.lock().expect("portal lock");
    HttpResponse::Ok().json(json!({
        "dossiers": portal.views.values().map(view_json).collect::<Vec<_>>(),
        "repository": portal.repository,
        "refusals": portal.refusals,
        "keys": portal.keys.len(),
    }))
}

/// The portal routes a dossier submitted there to motcua: signs in with client credentials, then posts it
/// (twice when the fault plan says so, as a portal retrying after a lost answer would). Answers motcua's answer.
async fn route_dossier(state: web::Data<State>, faults: web::Data<Faults>, body: web::Json<Value>) -> HttpResponse {
    let settings = state.target.lock().expect("route target lock").clone();
    let base = settings.motcua_url.trim_end_matches('/');
    let token = state
        .http
        .post(format!("{base}/api/v1/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", settings.client_id.as_str()),
            ("client_secret", settings.client_secret.as_str()),
            ("scope", "portal"),
        ])
        .send()
        .await;
    let token: Value = match token {
        Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
        Ok(r) => return refuse(502, "motcua_sign_in", vec![format!("HTTP {}", r.status())]),
        Err(e) => return refuse(502, "motcua_unreachable", vec![e.to_string()]),
    };
    let Some(token) = token["access_token"].as_str() else {
        return refuse(502, "motcua_sign_in", vec!["no access_token".into()]);
    };
    let times = if faults.take_duplicate_callback() { 2 } else { 1 };
    let mut last = refuse(502, "motcua_unreachable", vec![]);
    for _ in 0..times {
        let sent =
            state.http.post(format!("{base}/api/v1/portal/dossiers")).bearer_auth(token).json(&*body).send().await;
        last = match sent {
            Ok(r) => {
                let status = r.status().as_u16();
                let answer: Value = r.json().await.unwrap_or(Value::Null);
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default()).json(answer)
            }
            Err(e) => refuse(502, "motcua_unreachable", vec![e.to_string()]),
        };
    }
    last
}

/// Points the routing elsewhere (a motcua started after the simulator, as in tests).
async fn set_route_target(state: web::Data<State>, body: web::Json<RouteTarget>) -> HttpResponse {
    *state.target.lock().expect("route target lock") = body.into_inner();
    HttpResponse::NoContent().finish()
}

/// The portal's view as a page: what a citizen on the national portal would see of each dossier.
async fn page(state: web::Data<State>) -> HttpResponse {
    let portal = state.portal.lock().expect("portal lock");
    let rows: String = portal
        .views
        .values()
        .map(|v| {
            let m = &v.message;
            let status = m["TrangThaiHoSo"].as_u64().and_then(|s| Status::from_code(s as u8));
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape_html(m["MaHoSo"].as_str().unwrap_or("")),
                escape_html(m["TenTTHC"].as_str().unwrap_or("")),
                escape_html(m["ChuHoSo"].as_str().unwrap_or("")),
                status.map_or("?".into(), |s| format!("{} – {}", s.code(), s.name_vi())),
                escape_html(m["NgayHenTra"].as_str().unwrap_or("")),
                v.statuses.iter().map(u8::to_string).collect::<Vec<_>>().join(" → "),
            )
        })
        .collect();
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Cổng DVC quốc gia (mô phỏng)</title>\
         <h1>Cổng Dịch vụ công quốc gia — mô phỏng / national portal simulator</h1>\
         <table border=\"1\"><tr><th>Mã hồ sơ</th><th>Thủ tục</th><th>Chủ hồ sơ</th><th>Trạng thái</th>\
         <th>Ngày hẹn trả</th><th>Các trạng thái đã nhận</th></tr>{rows}</table>\
         <p>{} bản ghi kho dữ liệu, {} thông điệp bị từ chối.</p></html>",
        portal.repository.len(),
        portal.refusals.len()
    ))
}
