//! Signing in and out: the chooser (citizens with the national e-identity, staff with a password), the staff
//! sign-in form, and sign-out for both.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use motcua_engine::service::ServiceError;
use serde::Deserialize;

use super::Shell;
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::session::{REFRESH_COOKIE, Visit, local_path, url_escape};
use crate::shell::{render, security_headers};

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    /// Where to go once signed in (a path of this site).
    #[serde(default)]
    tiep: String,
}

impl Next {
    fn or(&self, default: &'static str) -> String {
        local_path(&self.tiep).unwrap_or(default).to_string()
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct Chooser {
    shell: Shell,
    citizen_href: String,
    staff_href: String,
}

/// `/dang-nhap`: citizens go to the national e-identity, staff to their form.
pub async fn chooser(visit: Visit, next: web::Query<Next>) -> Result<HttpResponse, actix_web::Error> {
    let back = url_escape(&next.or("/cong-dan"));
    let page = Chooser {
        shell: visit.shell(visit.lang.t("ui.sign_in_title")),
        citizen_href: format!("/api/v1/auth/citizen/start?return_to={back}"),
        staff_href: format!("/can-bo/dang-nhap?tiep={}", url_escape(&next.or("/can-bo"))),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

#[derive(Template)]
#[template(path = "staff_sign_in.html")]
struct StaffSignIn {
    shell: Shell,
    username: String,
    next: String,
    errors: Errors,
}

/// `GET /can-bo/dang-nhap`.
pub async fn staff_form(visit: Visit, next: web::Query<Next>) -> Result<HttpResponse, actix_web::Error> {
    if visit.staff().is_some() {
        return Ok(visit.see_other(&next.or("/can-bo")));
    }
    let page = StaffSignIn {
        shell: visit.shell(visit.lang.t("ui.staff_sign_in")),
        username: String::new(),
        next: next.or("/can-bo"),
        errors: Errors::default(),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    /// Missing counts as wrong: the answer is the CSRF page, not a parse error.
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
    #[serde(default)]
    tiep: String,
}

/// `POST /can-bo/dang-nhap`: a wrong password shows the form again with the username kept.
pub async fn staff_submit(
    req: actix_web::HttpRequest,
    mut visit: Visit,
    state: web::Data<UiState>,
    form: web::Form<Credentials>,
) -> Result<HttpResponse, actix_web::Error> {
    let form = form.into_inner();
    visit.check_csrf(&form.csrf)?;
    let next = local_path(&form.tiep).unwrap_or("/can-bo").to_string();
    let services = state.services.clone();
    let (username, password) = (form.username.trim().to_string(), form.password);
    let address = {
        let info = req.connection_info();
        services.config.client_address(info.peer_addr(), info.realip_remote_addr()).to_string()
    };
    let outcome = web::block(move || {
        let staff = services.identity().login(&username, &password, &address)?;
        let refresh = services.identity().issue_refresh_token(&staff.id)?;
        Ok::<_, ServiceError>((staff, refresh))
    })
    .await?;
    match outcome {
        Ok((staff, refresh)) => {
            visit.start_staff_session(&state, staff, refresh);
            Ok(visit.see_other(&next))
        }
        Err(e @ ServiceError::Unauthenticated(_)) => {
            let mut errors = Errors::default();
            errors.add("password", visit.lang.t(e.code()));
            let page = StaffSignIn {
                shell: visit.shell(visit.lang.t("ui.staff_sign_in")),
                username: form.username,
                next,
                errors,
            };
            Ok(visit.page(StatusCode::UNAUTHORIZED, render(&page)?))
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOut {
    #[serde(default)]
    csrf: String,
}

/// `POST /dang-xuat`: the refresh token's family is revoked and the cookies cleared.
pub async fn sign_out(
    mut visit: Visit,
    req: HttpRequest,
    state: web::Data<UiState>,
    form: web::Form<SignOut>,
) -> Result<HttpResponse, actix_web::Error> {
    visit.check_csrf(&form.csrf)?;
    if let Some(refresh) = req.cookie(REFRESH_COOKIE).map(|c| c.value().to_string()) {
        let services = state.services.clone();
        // A token already gone is as good as revoked.
        let _ = web::block(move || services.identity().revoke_refresh_token(&refresh)).await?;
    }
    visit.end_session();
    Ok(visit.see_other("/"))
}

/// The end of a citizen's sign-in in a browser: a page that moves on to `return_to` by itself. A redirect
/// straight from the identity provider's site would not carry the SameSite=Strict session cookie; a navigation
/// from this page does.
pub fn continue_to(return_to: &str) -> HttpResponse {
    let target = local_path(return_to).unwrap_or("/");
    let escaped = motcua_engine::text::escape_html(target);
    let body = format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={escaped}\"><title>motcua</title></head>\
         <body><p><a href=\"{escaped}\">Tiếp tục / Continue</a></p></body></html>"
    );
    let mut answer = HttpResponse::Ok();
    answer.content_type("text/html; charset=utf-8");
    security_headers(&mut answer);
    answer.body(body)
}
