//! Staff and roles (`/quan-tri/can-bo`): every account with its roles per agency; forms to create an account
//! with a role, give a role, set the post of a role (division, deputy, work phone), set a new password, unlock.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::domain::procedure::Role;
use motcua_engine::domain::title;
use motcua_engine::messages::Lang;
use motcua_engine::service::ServiceError;
use motcua_engine::service::accounts::StaffPost;
use serde::Deserialize;

use super::agencies::Opt;
use super::{Tab, admin, tabs};
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::i18n::UiLang;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

/// All four forms post here; `form` says which.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    division: String,
    /// The deputy checkbox: "1" when ticked.
    #[serde(default)]
    deputy: String,
    #[serde(default)]
    phone: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    xong: String,
    #[serde(default)]
    tk: String,
}

pub struct Account {
    pub username: String,
    pub full_name: String,
    /// Each role as its title, agency and division.
    pub roles: Vec<String>,
    pub phone: String,
    pub state: String,
    pub locked: bool,
    pub unlockable: bool,
}

/// One form of the page: what it shows in its fields and its errors.
pub struct Filled {
    pub form: StaffForm,
    pub errors: Errors,
    pub roles: Vec<Opt>,
    pub agencies: Vec<Opt>,
    pub users: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "admin/staff.html")]
struct Page {
    shell: Shell,
    tabs: Vec<Tab>,
    accounts: Vec<Account>,
    done: Option<String>,
    /// Errors of the unlock buttons of the table.
    unlock_errors: Errors,
    create: Filled,
    grant: Filled,
    post: Filled,
    reset: Filled,
}

fn role_name(lang: UiLang, role: &str) -> &'static str {
    lang.t(&format!("role.{role}"))
}

async fn render_page(
    visit: &Visit,
    state: &UiState,
    form: StaffForm,
    errors: Errors,
    done: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = admin(visit)?;
    let lang = visit.lang;
    let services = state.services.clone();
    let (accounts, agencies) = web::block(move || {
        Ok::<_, ServiceError>((
            services.administration().staff_accounts(&staff)?,
            services.administration().admin_agencies(&staff)?,
        ))
    })
    .await?
    .map_err(|e| PageError::service(visit, &e))?;
    let agency_name =
        |id: &str| agencies.iter().find(|a| a.id == id).map_or_else(|| id.to_string(), |a| a.name.clone());
    let rows = accounts
        .iter()
        .map(|a| Account {
            username: a.username.clone(),
            full_name: a.full_name.clone(),
            roles: a
                .roles
                .iter()
                .map(|held| {
                    let kind = agencies.iter().find(|ag| ag.id == held.agency_id).map_or("", |ag| ag.kind.as_str());
                    // The title of office as papers print it; in English, the role and whether held as a deputy.
                    let title = match (lang.lang, held.role.parse::<Role>()) {
                        (Lang::Vi, Ok(role)) => title::title(role, held.deputy, kind),
                        _ if held.deputy => {
                            format!("{} ({})", role_name(lang, &held.role), lang.t("ui.admin.deputy_short"))
                        }
                        _ => role_name(lang, &held.role).to_string(),
                    };
                    let division = held.division.as_deref().map(|d| format!(", {d}")).unwrap_or_default();
                    format!("{title} — {}{division}", agency_name(&held.agency_id))
                })
                .collect(),
            phone: a.phone.clone().unwrap_or_default(),
            state: if a.locked {
                lang.t("ui.admin.locked").to_string()
            } else if a.failed_logins > 0 {
                lang.t("ui.admin.failed_logins").replace("{n}", &a.failed_logins.to_string())
            } else {
                lang.t("ui.admin.active").to_string()
            },
            locked: a.locked,
            unlockable: a.locked || a.failed_logins > 0,
        })
        .collect();
    let role_opts = |chosen: &str| -> Vec<Opt> {
        Role::ALL
            .iter()
            .map(|r| Opt {
                value: r.as_str().to_string(),
                label: role_name(lang, r.as_str()).to_string(),
                selected: chosen == r.as_str(),
            })
            .collect()
    };
    let agency_opts = |chosen: &str| -> Vec<Opt> {
        agencies
            .iter()
            .map(|a| Opt { value: a.id.clone(), label: format!("{} ({})", a.name, a.id), selected: chosen == a.id })
            .collect()
    };
    let user_opts = |chosen: &str| -> Vec<Opt> {
        accounts
            .iter()
            .map(|a| Opt {
                value: a.username.clone(),
                label: format!("{} ({})", a.full_name, a.username),
                selected: chosen == a.username,
            })
            .collect()
    };
    let active = form.form.clone();
    let mut errors = Some(errors);
    let mut fill = |name: &str| {
        let (form, errors) = if active == name {
            (form.clone(), errors.take().unwrap_or_default())
        } else {
            (StaffForm::default(), Errors::default())
        };
        Filled {
            roles: role_opts(&form.role),
            agencies: agency_opts(&form.agency),
            users: user_opts(&form.username),
            form,
            errors,
        }
    };
    let (create, grant, post, reset) = (fill("create"), fill("role"), fill("post"), fill("password"));
    let unlock_errors = if active == "unlock" { errors.take().unwrap_or_default() } else { Errors::default() };
    let page = Page {
        shell: visit.shell(lang.t("ui.admin.staff")),
        tabs: tabs(lang, "/quan-tri/can-bo"),
        accounts: rows,
        done,
        unlock_errors,
        create,
        grant,
        post,
        reset,
    };
    Ok(visit.page(status, render(&page)?))
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Done>,
) -> Result<HttpResponse, actix_web::Error> {
    let Done { xong, tk } = query.into_inner();
    let key = match xong.as_str() {
        "tao" => Some("ui.admin.done_create"),
        "vai-tro" => Some("ui.admin.done_role"),
        "chuc-danh" => Some("ui.admin.done_post"),
        "mat-khau" => Some("ui.admin.done_password"),
        "mo-khoa" => Some("ui.admin.done_unlock"),
        _ => None,
    };
    let done = key.map(|k| format!("{}: {tk}", visit.lang.t(k)));
    render_page(&visit, &state, StaffForm::default(), Errors::default(), done, StatusCode::OK).await
}

pub async fn submit(
    visit: Visit,
    state: web::Data<UiState>,
    form: web::Form<StaffForm>,
) -> Result<HttpResponse, actix_web::Error> {
    visit.check_csrf(&form.csrf)?;
    let staff = admin(&visit)?;
    let mut form = form.into_inner();
    let services = state.services.clone();
    let f = form.clone();
    let outcome = web::block(move || match f.form.as_str() {
        "create" => services
            .administration()
            .admin_create_user(&staff, &f.username, &f.full_name, &f.role, &f.agency, &f.password)
            .map(|_| "tao"),
        "role" => services.administration().grant_role(&staff, &f.username, &f.role, &f.agency).map(|_| "vai-tro"),
        "post" => {
            let post = StaffPost {
                agency: f.agency.clone(),
                role: Role::Admin,
                division: Some(f.division.clone()),
                deputy: f.deputy == "1",
                phone: Some(f.phone.clone()),
            };
            services.administration().admin_set_post(&staff, &f.username, &f.role, post).map(|_| "chuc-danh")
        }
        "password" => {
            services.administration().admin_reset_password(&staff, &f.username, &f.password).map(|_| "mat-khau")
        }
        "unlock" => services.administration().unlock_account(&staff, &f.username).map(|_| "mo-khoa"),
        _ => Err(ServiceError::NotFound("ui.page_not_found")),
    })
    .await?;
    match outcome {
        Ok(done) => {
            let who = crate::session::url_escape(form.username.trim());
            Ok(visit.see_other(&format!("/quan-tri/can-bo?xong={done}&tk={who}")))
        }
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = Errors::of(visit.lang, &e);
            // A password is never sent back to the browser.
            form.password.clear();
            render_page(&visit, &state, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}
