//! The OpenAPI 3.1 document: this description, the bearer scheme, and every path the server declares
//! (`server::routes`) with the schemas of its bodies.

use std::sync::OnceLock;

use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "motcua API", description = "Hệ thống thông tin giải quyết thủ tục hành chính — one-stop-shop procedures. Errors are application/problem+json with a stable `code`."),
    components(schemas(super::problem::Problem)),
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

/// The codes a problem and a bad field may carry, listed in their schemas: a client can switch on them.
/// Applied once the routes have added their schemas (which include `Problem` and `FieldError`).
pub struct StableCodes;

impl Modify for StableCodes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{Object, Schema, Type};
        use utoipa::openapi::{RefOr, schema::ObjectBuilder};
        let codes = |all: Vec<&'static str>, description: &str| {
            RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(all))
                    .description(Some(description))
                    .build(),
            ))
        };
        let Some(components) = openapi.components.as_mut() else { return };
        let mut set = |schema: &str, values: Vec<&'static str>, description: &str| {
            if let Some(RefOr::T(Schema::Object(Object { properties, .. }))) = components.schemas.get_mut(schema) {
                properties.insert("code".into(), codes(values, description));
            }
        };
        let mut api: Vec<&str> = motcua_engine::messages::api_codes().collect();
        api.sort_unstable();
        let mut all: Vec<&str> = motcua_engine::messages::codes().collect();
        all.sort_unstable();
        set("Problem", api, "The stable code of the problem (its texts are in the message catalogue).");
        set("FieldError", all, "The stable code of what is wrong with the field.");
    }
}

/// Problems are `application/problem+json`, and any operation may answer with the problems every route can
/// give (a malformed request, a missing or refused token, an unknown id, a body too large, invalid fields, a
/// fault or an unavailable database): each operation lists them.
pub struct ProblemResponses;

const COMMON_PROBLEMS: [(&str, &str); 8] = [
    ("400", "The request is malformed"),
    ("401", "No valid token"),
    ("403", "The caller may not do this"),
    ("404", "Not found, or not the caller's to see"),
    ("413", "The body is too large"),
    ("422", "Some fields are invalid"),
    ("500", "A fault of the server"),
    ("503", "The database is unavailable"),
];

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = || ContentBuilder::new().schema(Some(RefOr::Ref(Ref::from_schema_name("Problem")))).build();
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                for response in responses.values_mut() {
                    if let RefOr::T(response) = response
                        && let Some(content) = response.content.shift_remove("application/json")
                    {
                        let is_problem =
                            matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"));
                        let media = if is_problem { "application/problem+json" } else { "application/json" };
                        response.content.insert(media.to_string(), content);
                    }
                }
                let conditional =
                    operation.parameters.iter().flatten().any(|p| p.name.eq_ignore_ascii_case("If-Match"));
                let extra = conditional.then_some([
                    ("409", "Someone acted on it first (the version changed), or the action conflicts with its state"),
                    ("428", "If-Match is required"),
                ]);
                for (status, description) in COMMON_PROBLEMS.into_iter().chain(extra.into_iter().flatten()) {
                    responses.entry(status.to_string()).or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(description)
                                .content("application/problem+json", problem())
                                .build(),
                        )
                    });
                }
            }
        }
    }
}

/// The document, built once from the routes the server declares.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(super::server::api_doc)
}

/// This document (OpenAPI 3.1).
#[utoipa::path(tag = "operations", responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn serve_document() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
