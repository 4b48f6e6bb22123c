//! Fault injection shared by every simulator. A test (or a person trying the demo) tells a simulator to
//! misbehave through `POST /_sim/faults`:
//! - `{"mode": "timeout", "count": 2, "ms": 3000}`: the next 2 requests are answered only after 3 s (and then
//!   handled normally, as a slow real server would: the caller has given up and will send again);
//! - `{"mode": "error", "count": 3}`: the next 3 requests get 503 without being handled;
//! - `{"mode": "answer_twice", "count": 1}`: the next request is handled, but the answer is lost (500), so the
//!   caller sends it again; simulators that call us back send their callback twice;
//! - `{"mode": "down", "seconds": 5}`: every request gets 503 for 5 s;
//! - `{"mode": "distant", "ms": 20}`: every request is handled after 20 ms, as a server across the country
//!   would answer (the outbox benchmark's portal), until another plan replaces it;
//! - `{"mode": "none"}`: back to normal. `GET /_sim/faults` shows the plan and counts what was injected.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    None,
    Timeout,
    Error,
    AnswerTwice,
    Down,
    Distant,
}

/// What `POST /_sim/faults` takes.
#[derive(Debug, Clone, Deserialize)]
pub struct FaultRequest {
    pub mode: Mode,
    /// How many requests the fault applies to (timeout, error, answer_twice); default 1.
    pub count: Option<u32>,
    /// How long a timeout holds the answer; default 30 s.
    pub ms: Option<u64>,
    /// How long the simulator is down.
    pub seconds: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Injected {
    pub timeouts: u32,
    pub errors: u32,
    pub answered_twice: u32,
    pub down: u32,
}

#[derive(Debug)]
struct Plan {
    mode: Mode,
    remaining: u32,
    delay: Duration,
    down_until: Option<Instant>,
    injected: Injected,
}

/// What the middleware decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Handle,
    Delay(Duration),
    Refuse,
    HandleAndLoseAnswer,
}

/// The fault plan of one simulator.
#[derive(Clone)]
pub struct Faults(Arc<Mutex<Plan>>);

impl Default for Faults {
    fn default() -> Self {
        Faults(Arc::new(Mutex::new(Plan {
            mode: Mode::None,
            remaining: 0,
            delay: Duration::from_secs(30),
            down_until: None,
            injected: Injected::default(),
        })))
    }
}

impl Faults {
    pub fn set(&self, request: &FaultRequest) {
        let mut plan = self.0.lock().expect("fault plan lock");
        plan.mode = request.mode;
        plan.remaining = request.count.unwrap_or(1);
        plan.delay = Duration::from_millis(request.ms.unwrap_or(30_000));
        plan.down_until =
            (request.mode == Mode::Down).then(|| Instant::now() + Duration::from_secs(request.seconds.unwrap_or(10)));
    }

    /// Decides for the next request, consuming one count of the fault.
    pub fn decide(&self) -> Decision {
        let mut plan = self.0.lock().expect("fault plan lock");
        if let Some(until) = plan.down_until {
            if Instant::now() < until {
                plan.injected.down += 1;
                return Decision::Refuse;
            }
            plan.down_until = None;
            plan.mode = Mode::None;
        }
        if plan.mode == Mode::Distant {
            return Decision::Delay(plan.delay);
        }
        if plan.mode == Mode::None || plan.mode == Mode::Down || plan.remaining == 0 {
            return Decision::Handle;
        }
        plan.remaining -= 1;
        match plan.mode {
            Mode::Timeout => {
                plan.injected.timeouts += 1;
                Decision::Delay(plan.delay)
            }
            Mode::Error => {
                plan.injected.errors += 1;
                Decision::Refuse
            }
            Mode::AnswerTwice => {
                plan.injected.answered_twice += 1;
                Decision::HandleAndLoseAnswer
            }
            Mode::None | Mode::Down | Mode::Distant => Decision::Handle,
        }
    }

    /// For simulators that call us: whether the next callback is to be sent twice.
    pub fn take_duplicate_callback(&self) -> bool {
        self.decide() == Decision::HandleAndLoseAnswer
    }

    fn report(&self) -> serde_json::Value {
        let plan = self.0.lock().expect("fault plan lock");
        let down = plan.down_until.is_some_and(|u| Instant::now() < u);
        serde_json::json!({ "mode": plan.mode, "remaining": plan.remaining, "down": down, "injected": plan.injected })
    }
}

/// Applies the plan to every request outside `/_sim/`.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let faults = req.app_data::<web::Data<Faults>>().cloned();
    let control = req.path().starts_with("/_sim/");
    let decision = match (&faults, control) {
        (Some(faults), false) => faults.decide(),
        _ => Decision::Handle,
    };
    match decision {
        Decision::Handle => Ok(next.call(req).await?.map_into_boxed_body()),
        Decision::Delay(delay) => {
            actix_web::rt::time::sleep(delay).await;
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Decision::Refuse => {
            let response = HttpResponse::ServiceUnavailable().json(serde_json::json!({"error": "simulated outage"}));
            Ok(req.into_response(response))
        }
        Decision::HandleAndLoseAnswer => {
            let handled = next.call(req).await?;
            let (req, _) = handled.into_parts();
            let response = HttpResponse::InternalServerError().json(serde_json::json!({"error": "answer lost"}));
            Ok(ServiceResponse::new(req, response))
        }
    }
}

async fn set(faults: web::Data<Faults>, body: web::Json<FaultRequest>) -> HttpResponse {
    faults.set(&body);
    HttpResponse::Ok().json(faults.report())
}

async fn show(faults: web::Data<Faults>) -> HttpResponse {
    HttpResponse::Ok().json(faults.report())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/faults", web::post().to(set)).route("/_sim/faults", web::get().to(show));
}
