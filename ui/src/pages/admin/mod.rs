//! The leaders' dashboard and the administration pages.

mod agencies;
mod calendar;
mod chart;
mod dashboard;
mod entered;
mod jobs;
mod outbox;
mod procedures;
mod scorecard;
mod staff;

use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::domain::policy::{Access, Target, staff_may};
use motcua_engine::service::StaffIdentity;
use motcua_engine::service::stats::Share;

use super::Shell;
use crate::error::PageError;
use crate::i18n::UiLang;
use crate::session::Visit;
use crate::shell::render;
use motcua_engine::messages::Lang;

/// The dashboard (`/can-bo/thong-ke`) and administration (`/quan-tri`) routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/can-bo/thong-ke", web::get().to(dashboard::page))
        .route("/can-bo/diem-766", web::get().to(scorecard::page))
        .route("/can-bo/diem-766/mat-diem", web::get().to(scorecard::lost))
        .route("/can-bo/diem-766/tai-ve", web::get().to(scorecard::download))
        .route("/can-bo/diem-766/danh-gia-thap", web::get().to(scorecard::low_ratings))
        .route("/can-bo/diem-766/nhap-so-lieu", web::get().to(entered::page))
        .route("/can-bo/diem-766/nhap-so-lieu", web::post().to(entered::submit))
        .route("/quan-tri", web::get().to(index))
        .route("/quan-tri/co-quan", web::get().to(agencies::page))
        .route("/quan-tri/co-quan", web::post().to(agencies::add))
        .route("/quan-tri/can-bo", web::get().to(staff::page))
        .route("/quan-tri/can-bo", web::post().to(staff::submit))
        .route("/quan-tri/thu-tuc", web::get().to(procedures::page))
        .route("/quan-tri/thu-tuc", web::post().to(procedures::upload))
        .route("/quan-tri/lich", web::get().to(calendar::page))
        .route("/quan-tri/lich", web::post().to(calendar::change))
        .route("/quan-tri/hop-thu-di", web::get().to(outbox::page))
        .route("/quan-tri/hop-thu-di/gui-lai", web::post().to(outbox::redrive))
        .route("/quan-tri/viec-nen", web::get().to(jobs::page))
        .route("/quan-tri/viec-nen/chay-lai", web::post().to(jobs::redrive));
}

/// The signed-in administrator; anyone else is sent to sign in or shown a 403 page.
fn admin(visit: &Visit) -> Result<StaffIdentity, actix_web::Error> {
    let staff = visit.require_staff()?;
    if !staff_may(&staff, Access::Administer, Target::Anywhere) {
        return Err(PageError::new(visit, 403, "admin.forbidden", String::new()).into());
    }
    Ok(staff)
}

/// A section link of the administration.
pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

const SECTIONS: [(&str, &str); 6] = [
    ("/quan-tri/co-quan", "ui.admin.agencies"),
    ("/quan-tri/can-bo", "ui.admin.staff"),
    ("/quan-tri/thu-tuc", "ui.admin.procedures"),
    ("/quan-tri/lich", "ui.admin.calendar"),
    ("/quan-tri/hop-thu-di", "ui.admin.outbox"),
    ("/quan-tri/viec-nen", "ui.admin.jobs"),
];

/// The administration's sections, `current` marked.
fn tabs(lang: UiLang, current: &str) -> Vec<Tab> {
    SECTIONS.iter().map(|(href, key)| Tab { href, label: lang.t(key), current: *href == current }).collect()
}

/// A share in the reader's notation: `66,7 %` or `66.7%`; a dash for an empty whole.
pub fn percent(lang: UiLang, share: Share) -> String {
    let Some(per_thousand) = share.per_thousand() else {
        return "—".into();
    };
    let (whole, tenth) = (per_thousand / 10, per_thousand % 10);
    match lang.lang {
        Lang::Vi => format!("{whole},{tenth} %"),
        Lang::En => format!("{whole}.{tenth}%"),
    }
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct Index {
    shell: Shell,
    tabs: Vec<Tab>,
}

async fn index(visit: Visit) -> Result<HttpResponse, actix_web::Error> {
    admin(&visit)?;
    let page = Index { shell: visit.shell(visit.lang.t("ui.admin.title")), tabs: tabs(visit.lang, "") };
    Ok(visit.page(actix_web::http::StatusCode::OK, render(&page)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_the_local_way() {
        let vi = UiLang { lang: Lang::Vi, chosen: false };
        let en = UiLang { lang: Lang::En, chosen: false };
        assert_eq!(percent(vi, Share { part: 2, whole: 3 }), "66,7 %");
        assert_eq!(percent(en, Share { part: 1, whole: 8 }), "12.5%");
        assert_eq!(percent(en, Share::default()), "—");
    }

    /// Every `ui.admin.` key written in these pages' sources and templates (and the ones they compose) is in
    /// the catalogue, in both languages.
    #[test]
    fn every_text_is_catalogued() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("agencies.rs"),
            include_str!("calendar.rs"),
            include_str!("dashboard.rs"),
            include_str!("entered.rs"),
            include_str!("jobs.rs"),
            include_str!("outbox.rs"),
            include_str!("procedures.rs"),
            include_str!("scorecard.rs"),
            include_str!("staff.rs"),
            include_str!("../../../templates/admin/_errors.html"),
            include_str!("../../../templates/admin/_tabs.html"),
            include_str!("../../../templates/admin/agencies.html"),
            include_str!("../../../templates/admin/calendar.html"),
            include_str!("../../../templates/admin/dashboard.html"),
            include_str!("../../../templates/admin/index.html"),
            include_str!("../../../templates/admin/jobs.html"),
            include_str!("../../../templates/admin/outbox.html"),
            include_str!("../../../templates/admin/scorecard.html"),
            include_str!("../../../templates/admin/scorecard_lost.html"),
            include_str!("../../../templates/admin/scorecard_ratings.html"),
            include_str!("../../../templates/admin/scorecard_entered.html"),
            include_str!("../../../templates/admin/procedures.html"),
            include_str!("../../../templates/admin/staff.html"),
        ];
        let mut keys: Vec<String> = Vec::new();
        for source in sources {
            for (start, _) in source.match_indices("\"ui.admin.") {
                let key: String = source[start + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                    .collect();
                if !key.ends_with('.') && !key.ends_with('_') {
                    keys.push(key);
                }
            }
        }
        for level in ["province", "department", "commune"] {
            keys.push(format!("ui.admin.level.{level}"));
        }
        for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
            keys.push(format!("ui.admin.weekday.{day}"));
        }
        for i in motcua_engine::domain::scorecard::INDICATORS {
            keys.push(format!("ui.admin.indicator_{}", i.code.to_ascii_lowercase()));
        }
        assert!(keys.len() > 100, "{}", keys.len());
        let en = UiLang { lang: Lang::En, chosen: false };
        for key in keys {
            assert_ne!(en.t(&key), "(missing text)", "{key}");
        }
    }
}
