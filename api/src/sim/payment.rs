//! The payment platform, simulated. It holds the other end of `motcua_engine::adapters::payment` and is strict
//! the way a payment platform is:
//! - `Authorization: Bearer {token}` or 401; the merchant code must be ours (403 otherwise);
//! - `POST /orders` takes exactly `merchant`, `order_id` (`MC-` + 32 hex digits + `-` + a sequence),
//!   `amount_vnd` (a positive whole number of đồng), `dossier_code`, `description` (1-255 characters),
//!   `callback_url` and `return_url` (http or https), with `Idempotency-Key` equal to the order id. The same
//!   order again answers 200 with the same pay URL; the same id with another amount is a 409;
//! - `GET /pay/{order}` is the citizen's page (HTML, a form with one button, no script); `POST /pay/{order}`
//!   pays, then calls motcua back with the signed notification. If the callback fails (5xx, no connection) it
//!   is sent again a few times, a moment apart, as payment platforms do; with the `answer_twice` fault it is
//!   sent twice at once;
//! - `POST /refunds` takes `merchant`, `refund_id` (`RF-…`), `order_id` (a paid order, 404/409 otherwise),
//!   `amount_vnd` (at most what was paid, 422 otherwise) and `reason`, with `Idempotency-Key` = refund id.
//!
//! For tests and demos: `POST /_sim/pay/{order}` pays without the page; `GET /_sim/orders`, `/_sim/refunds`
//! and `/_sim/callbacks` show what the platform holds and every callback attempt with its answer.
//! `POST /_sim/callback-base {"url": …}` (or `--callback-base`) sends callbacks to another origin than the one
//! in the order's callback URL, for a motcua the platform reaches at another address than its public one (a
//! proxy in front of it, or a test server on a loopback port).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use clap::Args;
use motcua_engine::adapters::payment::sign;
use motcua_engine::ports::payment::{Notification, SIGNATURE_HEADER};
use motcua_engine::text::escape_html;
use serde::Serialize;
use serde_json::{Value, json};

use super::Faults;

/// How often a failed callback is sent in all, and the pause between attempts.
const CALLBACK_ATTEMPTS: u32 = 4;
const CALLBACK_PAUSE: Duration = Duration::from_millis(300);

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// The bearer token motcua must present.
    #[arg(long, default_value = "payment-demo-token")]
    pub token: String,
    /// motcua's merchant code at the platform.
    #[arg(long, default_value = "MOTCUA-DEMO")]
    pub merchant: String,
    /// The HMAC-SHA256 key the callbacks are signed with (motcua's MOTCUA_PAYMENT_SECRET).
    #[arg(long, default_value = "payment-demo-secret")]
    pub secret: String,
    /// Where callbacks really go (scheme, host and port replace those of the order's callback URL).
    #[arg(long)]
    pub callback_base: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Order {
    order_id: String,
    amount_vnd: u64,
    dossier_code: String,
    description: String,
    callback_url: String,
    return_url: String,
    pay_url: String,
    status: &'static str,
    transaction_id: Option<String>,
    paid_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Refund {
    refund_id: String,
    order_id: String,
    amount_vnd: u64,
    reason: String,
}

#[derive(Debug, Clone, Serialize)]
struct CallbackAttempt {
    order_id: String,
    attempt: u32,
    /// The HTTP status motcua answered, if it answered.
    status: Option<u16>,
    error: Option<String>,
}

#[derive(Default)]
struct Platform {
    orders: BTreeMap<String, Order>,
    refunds: BTreeMap<String, Refund>,
    callbacks: Vec<CallbackAttempt>,
    /// Order-creation requests handled (accepted or not), to see retries.
    order_requests: u64,
    transactions: u64,
    callback_base: Option<reqwest::Url>,
}

#[derive(Clone)]
struct State {
    settings: Settings,
    platform: Arc<Mutex<Platform>>,
    http: reqwest::Client,
}

pub fn routes(settings: Settings) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("an HTTP client");
    let platform = Platform {
        callback_base: settings.callback_base.as_deref().and_then(|u| reqwest::Url::parse(u).ok()),
        ..Platform::default()
    };
    let state = State { settings, platform: Arc::new(Mutex::new(platform)), http };
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(state.clone()))
            .app_data(web::JsonConfig::default().error_handler(|e, _| {
                let response = HttpResponse::BadRequest().json(json!({"error": e.to_string()}));
                actix_web::error::InternalError::from_response(e, response).into()
            }))
            .route("/orders", web::post().to(create_order))
            .route("/orders/{order}", web::get().to(show_order))
            .route("/refunds", web::post().to(create_refund))
            .route("/pay/{order}", web::get().to(pay_page))
            .route("/pay/{order}", web::post().to(pay_form))
            .route("/_sim/pay/{order}", web::post().to(pay_now))
            .route("/_sim/orders", web::get().to(list_orders))
            .route("/_sim/refunds", web::get().to(list_refunds))
            .route("/_sim/callbacks", web::get().to(list_callbacks))
            .route("/_sim/callback-base", web::post().to(set_callback_base));
    }
}

fn refuse(status: u16, detail: impl Into<String>) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status).expect("a valid status");
    HttpResponse::build(status).json(json!({"error": detail.into()}))
}

/// Why a merchant call is refused: the status and the platform's words.
struct Refusal(u16, String);

impl Refusal {
    fn new(status: u16, detail: impl Into<String>) -> Refusal {
        Refusal(status, detail.into())
    }

    fn response(self) -> HttpResponse {
        refuse(self.0, self.1)
    }
}

/// Token and merchant, as every merchant call is checked.
fn check_caller(req: &HttpRequest, state: &State, body: &Value) -> Result<(), Refusal> {
    let expected = format!("Bearer {}", state.settings.token);
    if req.headers().get("Authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Err(Refusal::new(401, "invalid token"));
    }
    match body.get("merchant").and_then(Value::as_str) {
        Some(m) if m == state.settings.merchant => Ok(()),
        Some(_) => Err(Refusal::new(403, "unknown merchant")),
        None => Err(Refusal::new(400, "merchant is required")),
    }
}

fn fields<'a>(body: &'a Value, allowed: &[&str]) -> Result<&'a serde_json::Map<String, Value>, Refusal> {
    let object = body.as_object().ok_or_else(|| Refusal::new(400, "the body must be a JSON object"))?;
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(Refusal::new(400, format!("unknown field {unknown}"))),
        None => Ok(object),
    }
}

fn text(object: &serde_json::Map<String, Value>, field: &str, max: usize) -> Result<String, Refusal> {
    match object.get(field).and_then(Value::as_str) {
        Some(t) if !t.trim().is_empty() && t.chars().count() <= max => Ok(t.to_string()),
        _ => Err(Refusal::new(400, format!("{field} must be a text of 1 to {max} characters"))),
    }
}

/// A positive whole number of đồng (`100000`, never `100000.0`, `"100000"` or `0`).
fn amount(object: &serde_json::Map<String, Value>) -> Result<u64, Refusal> {
    match object.get("amount_vnd") {
        Some(Value::Number(n)) if n.is_u64() && n.as_u64() > Some(0) => Ok(n.as_u64().expect("checked")),
        _ => Err(Refusal::new(400, "amount_vnd must be a positive whole number of VND")),
    }
}

fn well_formed_id(id: &str, prefix: &str) -> bool {
    let Some(rest) = id.strip_prefix(prefix) else { return false };
    let Some((hex, sequence)) = rest.split_once('-') else { return false };
    hex.len() == 32
        && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && (1..=9).contains(&sequence.len())
        && sequence.bytes().all(|b| b.is_ascii_digit())
        && !sequence.starts_with('0')
}

fn url(object: &serde_json::Map<String, Value>, field: &str) -> Result<String, Refusal> {
    let value = text(object, field, 2000)?;
    match reqwest::Url::parse(&value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(value),
        _ => Err(Refusal::new(400, format!("{field} must be an http(s) URL"))),
    }
}

fn idempotency_key(req: &HttpRequest, id: &str) -> Result<(), Refusal> {
    match req.headers().get("Idempotency-Key").and_then(|v| v.to_str().ok()) {
        Some(key) if key == id => Ok(()),
        Some(_) => Err(Refusal::new(400, "Idempotency-Key must be the id")),
        None => Err(Refusal::new(400, "Idempotency-Key is required")),
    }
}

async fn create_order(state: web::Data<State>, req: HttpRequest, body: web::Json<Value>) -> HttpResponse {
    state.platform.lock().expect("platform lock").order_requests += 1;
    let checked = (|| {
        check_caller(&req, &state, &body)?;
        let allowed =
            ["merchant", "order_id", "amount_vnd", "dossier_code", "description", "callback_url", "return_url"];
        let object = fields(&body, &allowed)?;
        let order_id = text(object, "order_id", 64)?;
        if !well_formed_id(&order_id, "MC-") {
            return Err(Refusal::new(400, "order_id must be MC-{32 hex digits}-{sequence}"));
        }
        idempotency_key(&req, &order_id)?;
        let info = req.connection_info();
        Ok(Order {
            amount_vnd: amount(object)?,
            dossier_code: text(object, "dossier_code", 50)?,
            description: text(object, "description", 255)?,
            callback_url: url(object, "callback_url")?,
            return_url: url(object, "return_url")?,
            pay_url: format!("{}://{}/pay/{order_id}", info.scheme(), info.host()),
            order_id,
            status: "open",
            transaction_id: None,
            paid_at: None,
        })
    })();
    let order = match checked {
        Ok(order) => order,
        Err(refused) => return refused.response(),
    };
    let mut platform = state.platform.lock().expect("platform lock");
    if let Some(existing) = platform.orders.get(&order.order_id) {
        if existing.amount_vnd != order.amount_vnd {
            return refuse(409, "this order id was created with another amount");
        }
        return HttpResponse::Ok().json(answer(existing));
    }
    let created = answer(&order);
    platform.orders.insert(order.order_id.clone(), order);
    HttpResponse::Created().json(created)
}

fn answer(order: &Order) -> Value {
    json!({"order_id": order.order_id, "pay_url": order.pay_url, "status": order.status})
}

async fn show_order(state: web::Data<State>, req: HttpRequest, order: web::Path<String>) -> HttpResponse {
    let expected = format!("Bearer {}", state.settings.token);
    if req.headers().get("Authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return refuse(401, "invalid token");
    }
    match state.platform.lock().expect("platform lock").orders.get(order.as_str()) {
        Some(order) => HttpResponse::Ok().json(order),
        None => refuse(404, "no such order"),
    }
}

async fn create_refund(state: web::Data<State>, req: HttpRequest, body: web::Json<Value>) -> HttpResponse {
    let checked = (|| {
        check_caller(&req, &state, &body)?;
        let object = fields(&body, &["merchant", "refund_id", "order_id", "amount_vnd", "reason"])?;
        let refund_id = text(object, "refund_id", 64)?;
        if !well_formed_id(&refund_id, "RF-") {
            return Err(Refusal::new(400, "refund_id must be RF-{32 hex digits}-{sequence}"));
        }
        idempotency_key(&req, &refund_id)?;
        Ok(Refund {
            refund_id,
            order_id: text(object, "order_id", 64)?,
            amount_vnd: amount(object)?,
            reason: text(object, "reason", 500)?,
        })
    })();
    let refund = match checked {
        Ok(refund) => refund,
        Err(refused) => return refused.response(),
    };
    let mut platform = state.platform.lock().expect("platform lock");
    if let Some(existing) = platform.refunds.get(&refund.refund_id) {
        if existing.order_id != refund.order_id || existing.amount_vnd != refund.amount_vnd {
            return refuse(409, "this refund id was used for another refund");
        }
        return HttpResponse::Ok().json(existing);
    }
    let Some(order) = platform.orders.get(&refund.order_id) else { return refuse(404, "no such order") };
    if order.status != "paid" {
        return refuse(409, "the order is not paid");
    }
    let refunded: u64 = platform.refunds.values().filter(|r| r.order_id == refund.order_id).map(|r| r.amount_vnd).sum();
    if refunded + refund.amount_vnd > order.amount_vnd {
        return refuse(422, "more than was paid");
    }
    platform.refunds.insert(refund.refund_id.clone(), refund.clone());
    HttpResponse::Created().json(refund)
}

/// Marks an open order paid; answers the order and whether this call paid it.
fn pay(state: &State, order_id: &str) -> Option<(Order, bool)> {
    let mut platform = state.platform.lock().expect("platform lock");
    platform.transactions += 1;
    let transaction = format!("PG{:010}", platform.transactions);
    let order = platform.orders.get_mut(order_id)?;
    if order.status == "paid" {
        return Some((order.clone(), false));
    }
    order.status = "paid";
    order.transaction_id = Some(transaction);
    order.paid_at = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    Some((order.clone(), true))
}

/// Calls motcua back for a paid order, in the background: retried on 5xx or no answer, sent twice at once
/// when the `answer_twice` fault is planned.
fn notify(state: &State, faults: &Faults, order: &Order) {
    let notification = Notification {
        merchant: state.settings.merchant.clone(),
        order_id: order.order_id.clone(),
        transaction_id: order.transaction_id.clone().unwrap_or_default(),
        amount_vnd: order.amount_vnd,
        status: "paid".into(),
        paid_at: order.paid_at.clone().unwrap_or_default(),
    };
    let body = serde_json::to_vec(&notification).expect("notifications serialize");
    let base = state.platform.lock().expect("platform lock").callback_base.clone();
    let callback_url = match (reqwest::Url::parse(&order.callback_url), base) {
        (Ok(mut url), Some(base)) => {
            let _ = url.set_scheme(base.scheme());
            let _ = url.set_host(base.host_str());
            let _ = url.set_port(base.port());
            url.to_string()
        }
        _ => order.callback_url.clone(),
    };
    let signature = sign(&state.settings.secret, &body);
    let copies = if faults.take_duplicate_callback() { 2 } else { 1 };
    for _ in 0..copies {
        let (state, body, signature, order) =
            (state.clone(), body.clone(), signature.clone(), (order.order_id.clone(), callback_url.clone()));
        actix_web::rt::spawn(async move {
            let (order_id, callback_url) = order;
            for attempt in 1..=CALLBACK_ATTEMPTS {
                let sent = state
                    .http
                    .post(&callback_url)
                    .header("Content-Type", "application/json")
                    .header(SIGNATURE_HEADER, &signature)
                    .body(body.clone())
                    .send()
                    .await;
                let (status, error) = match &sent {
                    Ok(r) => (Some(r.status().as_u16()), None),
                    Err(e) => (None, Some(e.to_string())),
                };
                let retry = status.is_none_or(|s| s >= 500);
                let record = CallbackAttempt { order_id: order_id.clone(), attempt, status, error };
                state.platform.lock().expect("platform lock").callbacks.push(record);
                if !retry {
                    break;
                }
                actix_web::rt::time::sleep(CALLBACK_PAUSE).await;
            }
        });
    }
}

fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"))
        .body(format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\"><h1>{title}</h1>{body}</body></html>"
        ))
}

async fn pay_page(state: web::Data<State>, order: web::Path<String>) -> HttpResponse {
    let order = state.platform.lock().expect("platform lock").orders.get(order.as_str()).cloned();
    let Some(order) = order else { return refuse(404, "no such order") };
    let details = format!(
        "<p>{}</p><p>Mã hồ sơ: {}</p><p>Số tiền: <strong>{} đồng</strong></p>",
        escape_html(&order.description),
        escape_html(&order.dossier_code),
        order.amount_vnd
    );
    if order.status == "paid" {
        return page(
            "Đã thanh toán",
            &format!("{details}<p>Mã giao dịch: {}</p>", escape_html(&order.transaction_id.unwrap_or_default())),
        );
    }
    let form = format!(
        "<form method=\"post\" action=\"/pay/{}\"><button type=\"submit\">Thanh toán</button></form>",
        escape_html(&order.order_id)
    );
    page("Thanh toán phí, lệ phí", &format!("{details}{form}"))
}

async fn pay_form(state: web::Data<State>, faults: web::Data<Faults>, order: web::Path<String>) -> HttpResponse {
    let Some((order, paid_now)) = pay(&state, &order) else { return refuse(404, "no such order") };
    if paid_now {
        notify(&state, &faults, &order);
    }
    let back = format!("<p><a href=\"{}\">Quay lại Một cửa</a></p>", escape_html(&order.return_url));
    page(
        "Đã thanh toán",
        &format!("<p>Mã giao dịch: {}</p>{back}", escape_html(&order.transaction_id.unwrap_or_default())),
    )
}

async fn pay_now(state: web::Data<State>, faults: web::Data<Faults>, order: web::Path<String>) -> HttpResponse {
    let Some((order, paid_now)) = pay(&state, &order) else { return refuse(404, "no such order") };
    if paid_now {
        notify(&state, &faults, &order);
    }
    HttpResponse::Ok().json(json!({"order": order, "paid_now": paid_now}))
}

async fn list_orders(state: web::Data<State>) -> HttpResponse {
    let platform = state.platform.lock().expect("platform lock");
    HttpResponse::Ok().json(json!({
        "order_requests": platform.order_requests,
        "orders": platform.orders.values().collect::<Vec<_>>(),
    }))
}

async fn list_refunds(state: web::Data<State>) -> HttpResponse {
    let platform = state.platform.lock().expect("platform lock");
    HttpResponse::Ok().json(platform.refunds.values().collect::<Vec<_>>())
}

async fn list_callbacks(state: web::Data<State>) -> HttpResponse {
    HttpResponse::Ok().json(&state.platform.lock().expect("platform lock").callbacks)
}

async fn set_callback_base(state: web::Data<State>, body: web::Json<Value>) -> HttpResponse {
    let url = body.get("url").and_then(Value::as_str).and_then(|u| reqwest::Url::parse(u).ok());
    match url {
        Some(url) if url.host().is_some() => {
            state.platform.lock().expect("platform lock").callback_base = Some(url.clone());
            HttpResponse::Ok().json(json!({"callback_base": url.to_string()}))
        }
        _ => refuse(400, "url must be an absolute http(s) URL"),
    }
}
