//! The OpenAPI 3 document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "motcua API", description = "Hệ thống thông tin giải quyết thủ tục hành chính — one-stop-shop procedures. Errors are application/problem+json with a stable `code`."),
    paths(
        super::auth::login,
        super::auth::refresh,
        super::auth::logout,
        super::citizen::token,
        super::citizen::start,
        super::citizen::callback,
        super::citizen::submit,
        super::citizen::list,
        super::citizen::get,
        super::citizen::resubmit,
        super::citizen::withdraw,
        super::citizen::results,
        super::procedures::search,
        super::procedures::get,
        super::dossiers::receive,
        super::dossiers::list,
        super::dossiers::get,
        super::dossiers::act,
        super::dossiers::history,
        super::population::lookup,
        super::population::recheck,
        super::payments::callback,
        super::payments::of_dossier,
        super::dossiers::track,
        super::papers::upload,
        super::papers::attach,
        super::papers::attach_result,
        super::papers::list,
        super::papers::content,
        super::forms::form,
        super::forms::register,
        super::repository::overview,
        super::repository::items,
        super::repository::add,
        super::repository::item,
        super::repository::content,
        super::repository::move_item,
        super::repository::trash,
        super::repository::restore,
        super::repository::purge,
        super::repository::share,
        super::repository::unshare,
        super::repository::access_log,
        super::repository::for_staff,
        super::repository::offers,
        super::repository::portal_push,
        super::repository::portal_pull,
        super::portal::receive,
        super::notifications::list,
        super::admin::outbox,
        super::admin::redrive_one,
        super::admin::redrive_all,
        super::admin::jobs,
        super::admin::redrive_job,
        super::admin::redrive_jobs,
        super::health::healthz,
        super::health::readyz,
        super::health::metrics,
    ),
    components(schemas(super::problem::Problem, super::auth::LoginRequest, super::auth::RefreshRequest, super::auth::Tokens)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", responses((status = 200, body = Object)))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
