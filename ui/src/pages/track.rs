//! Public tracking by dossier code and the applicant's id number (the link printed on the receipt).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use motcua_engine::service::ServiceError;
use serde::Deserialize;

use super::Shell;
use crate::UiState;
use crate::session::Visit;
use crate::shell::render;

#[derive(Debug, Deserialize)]
pub struct Query {
    #[serde(default)]
    ma: String,
    #[serde(default)]
    id: String,
}

/// One line of what tracking shows.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "track.html")]
struct Track {
    shell: Shell,
    code: String,
    id_number: String,
    /// The dossier's procedure, when found.
    found: Option<String>,
    facts: Vec<Fact>,
    not_found: bool,
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let Query { ma, id } = query.into_inner();
    let (code, id_number) = (ma.trim().to_string(), id.trim().to_string());
    let asked = !code.is_empty() && !id_number.is_empty();
    let services = state.services.clone();
    let tracked = if asked {
        let (c, i) = (code.clone(), id_number.clone());
        match web::block(move || services.dossiers().track(&c, &i)).await? {
            Ok(t) => Some(t),
            Err(ServiceError::NotFound(_)) => None,
            Err(e) => return Err(actix_web::error::ErrorInternalServerError(e)),
        }
    } else {
        None
    };
    let calendar = state.services.calendar.clone();
    let when = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&calendar.timezone()).format("%H:%M %d/%m/%Y").to_string())
    };
    let mut facts = Vec::new();
    let found = tracked.as_ref().map(|t| t.procedure_name.clone());
    if let Some(t) = &tracked {
        facts.push(Fact { label: lang.t("ui.status"), value: lang.t(&format!("status.{}", t.status)).to_string() });
        let mut add = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                facts.push(Fact { label: lang.t(key), value });
            }
        };
        add("ui.received_at", when(t.received_at));
        add("ui.due_at", when(t.due_at));
        add("ui.current_step", t.current_step_kind.as_ref().map(|s| lang.t(&format!("step.{s}")).to_string()));
        add("ui.returned_at", when(t.returned_at));
        if t.result_available {
            add("ui.result_available", Some("✓".into()));
        }
        // A bundle: each of its procedures with its own code and status.
        for m in &t.members {
            let status = lang.t(&format!("status.{}", m.status.code()));
            facts.push(Fact {
                label: lang.t("ui.staff.bundle_member"),
                value: format!("{} — {status} ({})", m.procedure_name, m.code),
            });
        }
    }
    let status = if asked && tracked.is_none() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    let page = Track {
        shell: visit.shell(lang.t("ui.track_title")),
        not_found: asked && tracked.is_none(),
        code,
        id_number,
        found,
        facts,
    };
    Ok(visit.page(status, render(&page)?))
}
