//! `/can-bo/giay-to?q=…`: staff search the text read on their agencies' papers (scans at the desk, the
//! citizens' uploads), newest first, a page at a time (`sau` carries the last paper's cursor).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::local_time;
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

const PAGE: i64 = 25;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// The cursor of the page (the previous page's last hit).
    #[serde(default)]
    sau: String,
}

pub struct HitLine {
    pub dossier_href: String,
    pub paper_href: String,
    pub paper_title: String,
    pub dossier_code: String,
    pub applicant: String,
    pub added: String,
    /// The lines of the text that hold a searched word.
    pub excerpt: String,
}

#[derive(Template)]
#[template(path = "staff/paper_search.html")]
struct SearchPage {
    shell: Shell,
    q: String,
    searched: bool,
    hits: Vec<HitLine>,
    next: Option<String>,
    errors: Errors,
}

/// The lines of `body` holding any of `words` (folded), at most three.
fn excerpt(body: &str, words: &[String]) -> String {
    body.lines()
        .filter(|line| {
            let folded = motcua_engine::text::words(line);
            words.iter().any(|w| folded.contains(w))
        })
        .take(3)
        .collect::<Vec<_>>()
        .join(" … ")
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let lang = visit.lang;
    let q: String = query.q.chars().take(200).collect();
    let mut errors = Errors::default();
    let mut hits = Vec::new();
    let mut next = None;
    let searched = !q.trim().is_empty();
    let mut status = StatusCode::OK;
    if searched {
        let (services, who, text, after) = (state.services.clone(), staff.clone(), q.clone(), query.sau.clone());
        match web::block(move || services.readings().search(&who, &text, Some(&after), PAGE)).await? {
            Ok((found, next_page)) => {
                let words = motcua_engine::text::words(&q);
                next = next_page;
                hits = found
                    .into_iter()
                    .map(|h| HitLine {
                        dossier_href: format!("/can-bo/ho-so/{}", h.dossier_id),
                        paper_href: format!("/can-bo/ho-so/{}/giay-to/{}", h.dossier_id, h.paper_id),
                        paper_title: h.paper_title,
                        // A dossier not received yet has no code: its link says so.
                        dossier_code: h.dossier_code.unwrap_or_else(|| lang.t("ui.reading.not_received").to_string()),
                        applicant: h.applicant_name,
                        added: local_time(&state.services.calendar, h.added_at.and_utc()),
                        excerpt: excerpt(&h.body, &words),
                    })
                    .collect();
            }
            Err(e) if e.http_status() >= 500 => return Err(PageError::service(&visit, &e).into()),
            Err(e) => {
                errors = Errors::of(lang, &e);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
    }
    let page = SearchPage { shell: visit.shell(lang.t("ui.reading.search")), q, searched, hits, next, errors };
    Ok(visit.page(status, render(&page)?))
}
