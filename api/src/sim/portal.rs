//! The national public service portal (DVCQG), simulated. It holds the other end of
//! `motcua_engine::adapters::portal` and is strict the way the portal is:
//! - a status message must be exactly the portal's sync message (`ports::portal::message`, no unknown field):
//!   a dossier code as `MaHoSo` (of the agency in `MaDonViXuLy`), a field code, dates as `yyyyMMddHHmmss`, a
//!   known status and channel, every processing row with its person, title, division and legal end, fees as
//!   charged, 0/1 flags consistent with each other, and the portal's own id on every dossier it routed;
//! - a dossier's status may only move the way the lifecycle allows (to a status reachable from the one the
//!   portal holds: messages are sent on changes, so intermediate ones may be skipped);
//! - a message older than the last one applied (`X-Sequence`) is refused; a repeated `Idempotency-Key` is
//!   acknowledged and not applied again.
//!
//! It keeps the portal's view of each dossier (`GET /dossiers/{MaHoSo}`, a page at `/`), publishes the national
//! catalogue (`GET /procedures`), takes repository pushes, and routes dossiers submitted on the portal to motcua
//! (`POST /_sim/route`, signing in with client credentials). Its petition desk (`petitions`) does the same for
//! petitions (`POST /petitions/sync`, `POST /_sim/route-petition`, `GET /_sim/petitions`).

use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use clap::Args;
use motcua_engine::domain::codes::DossierCode;
use motcua_engine::domain::dossier::Status;
use motcua_engine::ports::portal::message::{OnlineLevel, SyncMessage, collected};
use serde_json::{Value, json};

use motcua_engine::text::escape_html;

use super::Faults;

mod petitions;

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
    /// The idempotency key of every message applied, in the order applied.
    keys: Vec<String>,
}

#[derive(Default)]
struct Portal {
    views: BTreeMap<String, View>,
    keys: HashSet<String>,
    /// Deliveries of a key already applied, acknowledged without applying them again.
    duplicates: u64,
    repository: Vec<Value>,
    /// The idempotency key of every repository item taken, in order.
    repository_keys: Vec<String>,
    /// Messages refused, newest last, for whoever investigates.
    refusals: Vec<Value>,
    /// The portal's id of each dossier it routed -> the code motcua gave it (`None` until known: from motcua's
    /// answer or from the first status message carrying the id, whichever comes first).
    routed: BTreeMap<String, Option<String>>,
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
    petitions: Arc<Mutex<petitions::Desk>>,
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
        petitions: Arc::default(),
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
            .route("/_sim/route-target", web::post().to(set_route_target))
            .route("/petitions/sync", web::post().to(petitions::sync))
            .route("/_sim/petitions", web::get().to(petitions::state_dump))
            .route("/_sim/route-petition", web::post().to(petitions::route));
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

/// A field code as the portal knows it: capitals, digits, `.`, `_` or `-` (a name is refused).
fn is_field_code(text: &str) -> bool {
    (2..=30).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Everything wrong with a status message, as the portal lists it; the message when nothing is.
pub fn check_message(body: &[u8]) -> Result<SyncMessage, Vec<String>> {
    let message: SyncMessage = serde_json::from_slice(body).map_err(|e| vec![format!("not a sync message: {e}")])?;
    let mut problems = Vec::new();
    let m = &message;
    let mut required = |field: &str, value: &str| {
        if value.trim().is_empty() {
            problems.push(format!("{field}: required"));
        }
    };
    required("MaTTHC", &m.procedure_code);
    required("TenTTHC", &m.procedure_name);
    required("TenLinhVuc", &m.field_name);
    required("ChuHoSo", &m.applicant_name);
    required("SoGiayToChuHoSo", &m.applicant_id);
    required("TrichYeuHoSo", &m.summary);
    required("DonViXuLy", &m.agency_name);
    match DossierCode::from_str(&m.code) {
        Ok(code) if code.agency.as_str() != m.agency_id => {
            problems.push(format!("MaHoSo: {} is not a code of MaDonViXuLy {}", m.code, m.agency_id))
        }
        Ok(_) => {}
        Err(e) => problems.push(format!("MaHoSo: {e}")),
    }
    if m.bundle_code.as_deref().is_some_and(|c| DossierCode::from_str(c).is_err()) {
        problems.push("MaHoSoLienThong: not a dossier code".into());
    }
    if !is_field_code(&m.field_code) {
        problems.push(format!("MaLinhVuc: `{}` is not a field code", m.field_code));
    }
    let status = Status::from_code(m.status);
    if status.is_none() {
        problems.push("TrangThaiHoSo: must be a status 1-10".into());
    }
    if !(1..=3).contains(&m.channel) {
        problems.push("KenhThucHien: must be 1, 2 or 3".into());
    }
    if m.channel == 2 && m.online_level == OnlineLevel::InformationOnly {
        problems.push("KenhThucHien: 2 (online) for a procedure not offered online".into());
    }
    if !(1..=2).contains(&m.applicant_kind) {
        problems.push("LoaiDoiTuong: must be 1 or 2".into());
    }
    let date = |field: &str, value: Option<&str>, required: bool, problems: &mut Vec<String>| match value {
        Some(s) if is_portal_time(s) => {}
        None if !required => {}
        None => problems.push(format!("{field}: required")),
        Some(other) => problems.push(format!("{field}: {other} is not a yyyyMMddHHmmss time")),
    };
    date("NgayTiepNhan", Some(&m.received), true, &mut problems);
    let received =
        status.is_some_and(|s| !matches!(s, Status::Submitted | Status::RefusedAtReception | Status::Withdrawn));
    let running = status.is_some_and(|s| matches!(s, Status::Received | Status::InProcess));
    date("NgayHenTra", m.due.as_deref(), running, &mut problems);
    let returned = status == Some(Status::Returned);
    date("NgayTra", m.returned.as_deref(), returned, &mut problems);
    if !returned && m.returned.is_some() {
        problems.push("NgayTra: only a returned dossier (status 10) has a return time".into());
    }
    if received && m.steps.is_empty() {
        problems.push("QuaTrinhXuLy: a received dossier has at least one processing row".into());
    }
    for (i, row) in m.steps.iter().enumerate() {
        for (field, value) in [
            ("NguoiXuLy", &row.person),
            ("ChucDanh", &row.title),
            ("NoiDungXuLy", &row.step),
            ("PhongBanXuLy", &row.division),
        ] {
            if value.trim().is_empty() {
                problems.push(format!("QuaTrinhXuLy[{i}].{field}: required"));
            }
        }
        for (field, value) in
            [("ThoiDiemXuLy", &row.done_at), ("NgayBatDau", &row.started_at), ("NgayKetThucTheoQuyDinh", &row.due_at)]
        {
            if !is_portal_time(value) {
                problems.push(format!("QuaTrinhXuLy[{i}].{field}: must be a yyyyMMddHHmmss time"));
            }
        }
        if row.done_at < row.started_at {
            problems.push(format!("QuaTrinhXuLy[{i}].ThoiDiemXuLy: before NgayBatDau"));
        }
        if Status::from_code(row.status).is_none() {
            problems.push(format!("QuaTrinhXuLy[{i}].TrangThai: must be a status 1-10"));
        }
    }
    for (i, fee) in m.fees.iter().enumerate() {
        match fee.how.as_str() {
            collected::FREE if fee.amount != 0 => problems.push(format!("DanhSachLePhi[{i}]: free but MucPhi > 0")),
            collected::FREE => {}
            collected::ONLINE | collected::AT_COUNTER | collected::NOT_YET if fee.amount == 0 => {
                problems.push(format!("DanhSachLePhi[{i}].MucPhi: a charged fee is more than 0"))
            }
            collected::ONLINE | collected::AT_COUNTER | collected::NOT_YET => {}
            other => problems.push(format!("DanhSachLePhi[{i}].HinhThucThu: unknown `{other}`")),
        }
    }
    for (field, value) in [
        ("DuocSoHoa", m.digitised),
        ("HoSoCoThanhPhanSoHoa", m.has_digitised_component),
        ("DuocLayTuKhoDMQG", m.reused_from_repository),
        ("TaiKhoanDuocXacThucVoiVNeID", m.signed_in_with_vneid),
    ] {
        if value > 1 {
            problems.push(format!("{field}: must be 0 or 1"));
        }
    }
    if m.digitised > m.has_digitised_component {
        problems.push("DuocSoHoa: 1 needs HoSoCoThanhPhanSoHoa 1".into());
    }
    if m.paid_online > 2 {
        problems.push("DuocThanhToanTrucTuyen: must be 0, 1 or 2".into());
    }
    if m.paid_online > 0 && !m.fees.iter().any(|f| f.how == collected::ONLINE) {
        problems.push("DuocThanhToanTrucTuyen: paid online, but no fee was collected online".into());
    }
    match (&m.result_number, &m.result_url) {
        (None, None) => {}
        (Some(_), Some(url)) if matches!(status, Some(Status::ResultReady | Status::Returned)) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                problems.push("DuongDanTepTinKetQua: must be an http(s) link".into());
            }
        }
        (Some(_), Some(_)) => problems.push("MaKetQua: only a finished dossier (status 9 or 10) has a result".into()),
        _ => problems.push("MaKetQua and DuongDanTepTinKetQua go together".into()),
    }
    if problems.is_empty() { Ok(message) } else { Err(problems) }
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
    let mut portal = state.portal.lock().expect("portal lock");
    if portal.keys.contains(key) {
        portal.duplicates += 1;
        return HttpResponse::Ok().json(json!({ "accepted": true, "duplicate": true }));
    }
    let refused = |portal: &mut Portal, status: u16, code: &str, problems: Vec<String>| {
        portal.refusals.push(json!({ "key": key, "error": code, "problems": problems }));
        refuse(status, code, problems)
    };
    let message = match check_message(&body) {
        Ok(message) => message,
        Err(problems) => return refused(&mut portal, 400, "invalid", problems),
    };
    // A dossier the portal routed carries the portal's own id back, and no other dossier claims one.
    let routed_as =
        portal.routed.iter().find(|(_, code)| code.as_ref() == Some(&message.code)).map(|(id, _)| id.clone());
    match (&message.portal_id, routed_as) {
        (None, None) => {}
        (Some(given), Some(ours)) if *given == ours => {}
        (Some(given), Some(ours)) => {
            let why = format!("MaHoSoDVCQG {given} is not the portal's id {ours} of {}", message.code);
            return refused(&mut portal, 400, "invalid", vec![why]);
        }
        (None, Some(ours)) => {
            let why = format!("MaHoSoDVCQG: required, the portal routed {} as {ours}", message.code);
            return refused(&mut portal, 400, "invalid", vec![why]);
        }
        (Some(given), None) => match portal.routed.get(given) {
            Some(None) => {
                portal.routed.insert(given.clone(), Some(message.code.clone()));
            }
            Some(Some(other)) => {
                let why = format!("MaHoSoDVCQG {given} belongs to dossier {other}, not {}", message.code);
                return refused(&mut portal, 400, "invalid", vec![why]);
            }
            None => {
                let why = format!("MaHoSoDVCQG: the portal never routed a dossier {given}");
                return refused(&mut portal, 400, "invalid", vec![why]);
            }
        },
    }
    let code = message.code.clone();
    let status = message.status;
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
    let view = portal.views.entry(code).or_insert_with(|| View {
        message: Value::Null,
        sequence,
        statuses: vec![],
        keys: vec![],
    });
    if view.statuses.last() != Some(&status) {
        view.statuses.push(status);
    }
    view.keys.push(key.to_string());
    view.sequence = sequence;
    view.message = serde_json::to_value(&message).expect("messages serialize");
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
    if duplicate {
        portal.duplicates += 1;
    } else {
        portal.repository.push(body.into_inner());
        portal.repository_keys.push(key.to_string());
    }
    HttpResponse::Ok().json(json!({ "accepted": true, "duplicate": duplicate }))
}

async fn procedures(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    if let Some(refusal) = unauthorised(&req, &state) {
        return refusal;
    }
    HttpResponse::Ok().json(state.catalogue.as_ref())
}

/// Everything the simulated portal holds, for tests and for people trying the demo; with the keys applied to
/// each dossier in order (`applied_keys`), so that a drill can match them with the messages motcua sent.
async fn state_dump(state: web::Data<State>) -> HttpResponse {
    let portal = state.portal.lock().expect("portal lock");
    let dossiers: Vec<Value> = portal
        .views
        .values()
        .map(|view| {
            let mut dossier = view_json(view);
            dossier["applied_keys"] = json!(view.keys);
            dossier
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "dossiers": dossiers,
        "repository": portal.repository,
        "repository_keys": portal.repository_keys,
        "refusals": portal.refusals,
        "keys": portal.keys.len(),
        "duplicates": portal.duplicates,
    }))
}

/// The portal routes a dossier submitted there to motcua: signs in with client credentials, then posts it
/// (twice when the fault plan says so, as a portal retrying after a lost answer would). Answers motcua's answer.
async fn route_dossier(state: web::Data<State>, faults: web::Data<Faults>, body: web::Json<Value>) -> HttpResponse {
    let (base, token) = match sign_in(&state).await {
        Ok(signed_in) => signed_in,
        Err(refusal) => return refusal,
    };
    let token = token.as_str();
    if let Some(id) = body["portal_id"].as_str() {
        state.portal.lock().expect("portal lock").routed.entry(id.to_string()).or_insert(None);
    }
    let times = if faults.take_duplicate_callback() { 2 } else { 1 };
    let mut last = refuse(502, "motcua_unreachable", vec![]);
    for _ in 0..times {
        let sent =
            state.http.post(format!("{base}/api/v1/portal/dossiers")).bearer_auth(token).json(&*body).send().await;
        last = match sent {
            Ok(r) => {
                let status = r.status().as_u16();
                let answer: Value = r.json().await.unwrap_or(Value::Null);
                // Remember which code motcua gave the dossier: its status messages must carry our id back.
                if let (Some(id), Some(code)) = (body["portal_id"].as_str(), answer["code"].as_str()) {
                    state.portal.lock().expect("portal lock").routed.insert(id.to_string(), Some(code.to_string()));
                }
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default()).json(answer)
            }
            Err(e) => refuse(502, "motcua_unreachable", vec![e.to_string()]),
        };
    }
    last
}

/// Signs in at motcua with the portal's client credentials: motcua's base URL and the access token, or the
/// answer to give when that fails.
async fn sign_in(state: &State) -> Result<(String, String), HttpResponse> {
    let settings = state.target.lock().expect("route target lock").clone();
    let base = settings.motcua_url.trim_end_matches('/').to_string();
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
        Ok(r) => return Err(refuse(502, "motcua_sign_in", vec![format!("HTTP {}", r.status())])),
        Err(e) => return Err(refuse(502, "motcua_unreachable", vec![e.to_string()])),
    };
    match token["access_token"].as_str() {
        Some(token) => Ok((base, token.to_string())),
        None => Err(refuse(502, "motcua_sign_in", vec!["no access_token".into()])),
    }
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
