//! The national population database (CSDLQG về dân cư), simulated. It holds the other end of
//! `motcua_engine::adapters::population` and is strict the way the register is:
//! - `Authorization: Bearer {token}` or 401;
//! - `POST /citizens/verify` takes exactly `SoDinhDanh` (12 digits with a known province code and a valid
//!   century-and-sex digit), `HoVaTen` (1-100 characters), `NgaySinh` (ISO 8601 date, not in the future) and
//!   `GioiTinh` (1 Nam, 2 Nữ); anything missing, malformed or unknown is a 400;
//! - an id it has no person for is a 404; otherwise 200 with each field's match (names compared without
//!   regard to case or repeated spaces, never without diacritics) and the person's record for prefilling.
//!
//! The register starts with the demo citizens of `fixtures/demo.toml`; tests and demos add or correct people
//! with `POST /_sim/people` (the same strictness) and see how often it was asked at `GET /_sim/people`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use clap::Args;
use motcua_engine::adapters::population::{WireAnswer, WireFields, WirePerson};
use motcua_engine::domain::codes::PersonalId;
use serde_json::{Value, json};

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// The bearer token motcua must present.
    #[arg(long, default_value = "population-demo-token")]
    pub token: String,
}

#[derive(Default)]
struct Register {
    people: BTreeMap<String, WirePerson>,
    /// Verification requests answered (whatever the answer).
    asked: u64,
}

#[derive(Clone)]
struct State {
    settings: Settings,
    register: Arc<Mutex<Register>>,
}

fn demo_people() -> BTreeMap<String, WirePerson> {
    super::demo_citizens()
        .into_iter()
        .map(|c| {
            let person = WirePerson {
                id_number: c.id_number.clone(),
                name: c.name,
                birth_date: c.birth_date,
                sex: if c.sex == motcua_engine::domain::codes::Sex::Female { 2 } else { 1 },
                permanent_address: c.address,
                place_of_origin: Some("Hải Phòng".into()),
            };
            (c.id_number, person)
        })
        .collect()
}

pub fn routes(settings: Settings) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    let state = State { settings, register: Arc::new(Mutex::new(Register { people: demo_people(), asked: 0 })) };
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(state.clone()))
            .app_data(web::JsonConfig::default().error_handler(|e, _| {
                let response = HttpResponse::BadRequest().json(json!({"error": e.to_string()}));
                actix_web::error::InternalError::from_response(e, response).into()
            }))
            .route("/citizens/verify", web::post().to(verify))
            .route("/_sim/people", web::post().to(add_person))
            .route("/_sim/people", web::get().to(people));
    }
}

fn bad(detail: impl Into<String>) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"error": detail.into()}))
}

fn authorized(req: &HttpRequest, state: &State) -> bool {
    let expected = format!("Bearer {}", state.settings.token);
    req.headers().get("Authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

/// The four fields, checked as the register checks them.
struct Asked {
    id_number: String,
    name: String,
    birth_date: NaiveDate,
    sex: u8,
}

fn read_person_fields(body: &Value, allowed: &[&str]) -> Result<Asked, String> {
    let object = body.as_object().ok_or("the body must be a JSON object")?;
    if let Some(unknown) = object.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("unknown field {unknown}"));
    }
    let text = |field: &str| -> Result<String, String> {
        object.get(field).and_then(Value::as_str).map(str::to_string).ok_or_else(|| format!("{field} is required"))
    };
    let id_number = text("SoDinhDanh")?;
    PersonalId::parse(&id_number).map_err(|e| format!("SoDinhDanh: {e}"))?;
    let name = text("HoVaTen")?;
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err("HoVaTen must have 1 to 100 characters".into());
    }
    let date = text("NgaySinh")?;
    let birth_date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .ok()
        .filter(|_| date.len() == 10)
        .ok_or("NgaySinh must be an ISO 8601 date (YYYY-MM-DD)")?;
    if birth_date > chrono::Utc::now().date_naive() {
        return Err("NgaySinh is in the future".into());
    }
    let sex = match object.get("GioiTinh").and_then(Value::as_u64) {
        Some(code @ (1 | 2)) => code as u8,
        Some(_) => return Err("GioiTinh must be 1 (Nam) or 2 (Nữ)".into()),
        None => return Err("GioiTinh is required".into()),
    };
    Ok(Asked { id_number, name, birth_date, sex })
}

/// Names compare as the register's clerks would: case and spacing aside, letters and diacritics exactly.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    norm(a) == norm(b)
}

async fn verify(state: web::Data<State>, req: HttpRequest, body: web::Json<Value>) -> HttpResponse {
    if !authorized(&req, &state) {
        return HttpResponse::Unauthorized().json(json!({"error": "invalid token"}));
    }
    let asked = match read_person_fields(&body, &["SoDinhDanh", "HoVaTen", "NgaySinh", "GioiTinh"]) {
        Ok(asked) => asked,
        Err(e) => return bad(e),
    };
    let mut register = state.register.lock().expect("register lock");
    register.asked += 1;
    let Some(person) = register.people.get(&asked.id_number).cloned() else {
        return HttpResponse::NotFound().json(json!({"error": "not_found", "SoDinhDanh": asked.id_number}));
    };
    let fields = WireFields {
        name: same_name(&person.name, &asked.name),
        birth_date: person.birth_date == asked.birth_date,
        sex: person.sex == asked.sex,
    };
    HttpResponse::Ok().json(WireAnswer { id_number: asked.id_number, fields, person })
}

/// Adds or corrects a person: the four fields plus `NoiThuongTru` and `QueQuan`.
async fn add_person(state: web::Data<State>, body: web::Json<Value>) -> HttpResponse {
    let allowed = ["SoDinhDanh", "HoVaTen", "NgaySinh", "GioiTinh", "NoiThuongTru", "QueQuan"];
    let asked = match read_person_fields(&body, &allowed) {
        Ok(asked) => asked,
        Err(e) => return bad(e),
    };
    let optional = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_string);
    let person = WirePerson {
        id_number: asked.id_number.clone(),
        name: asked.name.trim().to_string(),
        birth_date: asked.birth_date,
        sex: asked.sex,
        permanent_address: optional("NoiThuongTru"),
        place_of_origin: optional("QueQuan"),
    };
    state.register.lock().expect("register lock").people.insert(asked.id_number, person.clone());
    HttpResponse::Created().json(person)
}

async fn people(state: web::Data<State>) -> HttpResponse {
    let register = state.register.lock().expect("register lock");
    HttpResponse::Ok().json(json!({"asked": register.asked, "people": register.people.values().collect::<Vec<_>>()}))
}
