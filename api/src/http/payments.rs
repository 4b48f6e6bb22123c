//! Fees and the payment platform: the platform's signed callback, and a dossier's fees and payment orders.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use motcua_engine::ports::payment::Notification;
use motcua_engine::ports::payment::SIGNATURE_HEADER;
use motcua_engine::service::payments::{CallbackAnswer, DossierPayments};

use super::auth::Staff;
use super::problem::Problem;
use super::{AppState, blocking};

/// The payment platform's notification of a payment. No user sign-in: the body must carry the platform's
/// `X-Signature` (hex HMAC-SHA256 of the exact body with the shared secret). 401 for a bad signature, 404 for
/// an unknown order, 422 for an amount that is not the order's; a repeated notification answers 200 and
/// changes nothing.
#[utoipa::path(tag = "payments",
    params(("X-Signature" = String, Header)),
    request_body = Notification,
    responses((status = 200, body = CallbackAnswer), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
#[post("/payments/callback")]
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Problem> {
    let body = body.map_err(|e| Problem::new(400, "request.malformed", e.to_string()))?;
    let signature = req.headers().get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let services = state.services.clone();
    let answer = blocking(move || services.payments().payment_callback(&body, signature.as_deref())).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The fees due today under the procedure definition (zero-fee periods honoured) and the dossier's payment
/// orders: state, the platform's pay URL, when paid, and any refund.
#[utoipa::path(tag = "payments", params(("id" = String, Path)),
    responses((status = 200, body = DossierPayments), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/dossiers/{id}/payments")]
pub async fn of_dossier(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let payments = blocking(move || services.payments().payments_of(&staff.0, &id)).await?;
    Ok(HttpResponse::Ok().json(payments))
}
