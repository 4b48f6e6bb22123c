//! An SMS gateway, simulated (`motcua sim sms`): the counterpart of `motcua_engine::adapters::sms`.
//!
//! `POST /messages` takes `{"to", "text", "reference"}` with `Authorization: Bearer {token}` and an
//! `Idempotency-Key`, and is as strict as a brand-name SMS gateway set up for unaccented text:
//! - 401 without the right token; 400 without an `Idempotency-Key` or with a body that is not that JSON;
//! - 422 (with the fields at fault) for a number that is not a Vietnamese mobile number (`0[35789]` or
//!   `+84[35789]` and 8 more digits), an empty text, a text longer than the limit (2 GSM segments by default)
//!   or with characters outside printable ASCII (an accented letter would force UCS-2), a missing reference;
//! - 201 `{"id", "status": "accepted", "segments"}` when taken; the same key again answers the first answer
//!   (200, `Idempotent-Replayed: true`) without a second SMS, and 409 if its body differs.
//!
//! `GET /messages` lists what was taken, in order of arrival. Faults (`/_sim/faults`) apply to both routes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use clap::Args;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// The bearer token motcua must present.
    #[arg(long, default_value = "sms-demo-token")]
    pub token: String,
    /// The longest text taken, in characters (306: two concatenated GSM 7-bit segments).
    #[arg(long, default_value_t = 306)]
    pub max_length: usize,
}

/// One SMS the gateway took.
#[derive(Debug, Clone, Serialize)]
pub struct Sms {
    pub id: String,
    pub to: String,
    pub text: String,
    pub reference: String,
    pub idempotency_key: String,
    pub segments: usize,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Incoming {
    to: String,
    text: String,
    reference: String,
}

#[derive(Default)]
struct Gateway {
    messages: Vec<Sms>,
    /// Idempotency key → the body it came with and the answer given.
    answered: HashMap<String, (Incoming, serde_json::Value)>,
}

#[derive(Clone)]
struct Shared {
    settings: Settings,
    gateway: Arc<Mutex<Gateway>>,
}

pub fn routes(settings: Settings) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    let shared = Shared { settings, gateway: Arc::default() };
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(shared.clone()))
            .route("/messages", web::post().to(send))
            .route("/messages", web::get().to(list));
    }
}

/// A Vietnamese mobile number: `0` or `+84`, then 3, 5, 7, 8 or 9, then 8 digits.
pub fn is_mobile_number(to: &str) -> bool {
    let Some(national) = to.strip_prefix("+84").or_else(|| to.strip_prefix('0')) else { return false };
    national.len() == 9
        && national.bytes().all(|b| b.is_ascii_digit())
        && matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9')
}

/// Segments a GSM 7-bit text takes: one up to 160 characters, else 153 each.
fn segments(text: &str) -> usize {
    let n = text.chars().count();
    if n <= 160 { 1 } else { n.div_ceil(153) }
}

fn check(settings: &Settings, sms: &Incoming) -> Vec<serde_json::Value> {
    let mut errors = Vec::new();
    let mut bad = |field: &str, problem: &str| errors.push(json!({"field": field, "problem": problem}));
    if !is_mobile_number(&sms.to) {
        bad("to", "not a Vietnamese mobile number");
    }
    if sms.text.trim().is_empty() {
        bad("text", "empty");
    } else if sms.text.chars().count() > settings.max_length {
        bad("text", &format!("longer than {} characters", settings.max_length));
    } else if !sms.text.chars().all(|c| matches!(c, ' '..='~' | '\n' | '\r')) {
        bad("text", "characters outside printable ASCII (this channel sends unaccented GSM 7-bit text only)");
    }
    if sms.reference.trim().is_empty() || sms.reference.len() > 200 {
        bad("reference", "must have 1 to 200 characters");
    }
    errors
}

async fn send(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let bearer = req.headers().get("Authorization").and_then(|v| v.to_str().ok());
    if bearer != Some(format!("Bearer {}", shared.settings.token).as_str()) {
        return HttpResponse::Unauthorized().json(json!({"error": "missing or wrong bearer token"}));
    }
    let key = req.headers().get("Idempotency-Key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if key.is_empty() || key.len() > 200 {
        return HttpResponse::BadRequest().json(json!({"error": "Idempotency-Key must have 1 to 200 characters"}));
    }
    let incoming: Incoming = match serde_json::from_slice(&body) {
        Ok(sms) => sms,
        Err(e) => return HttpResponse::BadRequest().json(json!({"error": e.to_string()})),
    };
    let mut gateway = shared.gateway.lock().expect("gateway lock");
    if let Some((first, answer)) = gateway.answered.get(&key) {
        if *first != incoming {
            return HttpResponse::Conflict().json(json!({"error": "this Idempotency-Key came with another message"}));
        }
        return HttpResponse::Ok().insert_header(("Idempotent-Replayed", "true")).json(answer);
    }
    let errors = check(&shared.settings, &incoming);
    if !errors.is_empty() {
        return HttpResponse::UnprocessableEntity().json(json!({"error": "invalid message", "errors": errors}));
    }
    let sms = Sms {
        id: format!("sms-{:06}", gateway.messages.len() + 1),
        segments: segments(&incoming.text),
        to: incoming.to.clone(),
        text: incoming.text.clone(),
        reference: incoming.reference.clone(),
        idempotency_key: key.clone(),
        received_at: Utc::now(),
    };
    let answer = json!({"id": sms.id, "status": "accepted", "segments": sms.segments});
    gateway.messages.push(sms);
    gateway.answered.insert(key, (incoming, answer.clone()));
    HttpResponse::Created().json(answer)
}

async fn list(shared: web::Data<Shared>) -> HttpResponse {
    let gateway = shared.gateway.lock().expect("gateway lock");
    HttpResponse::Ok().json(json!({"messages": gateway.messages}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_texts_are_checked_strictly() {
        assert!(is_mobile_number("0912000111") && is_mobile_number("+84386123456"));
        for bad in ["912000111", "02253123456", "0112345678", "+8491200011", "0912 000 111", "+84 912000111"] {
            assert!(!is_mobile_number(bad), "{bad}");
        }
        let settings = Settings { token: "t".into(), max_length: 306 };
        let sms = |text: &str| Incoming { to: "0912000111".into(), text: text.into(), reference: "r".into() };
        assert!(check(&settings, &sms("Ho so da duoc tiep nhan")).is_empty());
        assert_eq!(check(&settings, &sms("Hồ sơ")).len(), 1, "accented text is refused");
        assert_eq!(check(&settings, &sms(&"a".repeat(307))).len(), 1);
        assert_eq!(check(&settings, &sms(" ")).len(), 1);
        assert_eq!((segments(&"a".repeat(160)), segments(&"a".repeat(161)), segments(&"a".repeat(306))), (1, 2, 2));
    }
}
