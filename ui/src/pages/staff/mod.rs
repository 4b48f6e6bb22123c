//! Staff pages: the work home with queue counts, queues, the reception desk, the dossier page with its
//! actions, batch approval and signing, the return desk.

mod batch;
mod desk_papers;
mod dossier;
mod paper_search;
mod petition_summary;
mod petitions;
mod reception;
mod work;

use actix_web::web;
use chrono::{DateTime, TimeDelta, Utc};
use motcua_engine::domain::calendar::{Calendar, Timeliness};
use motcua_engine::domain::dossier::{Dossier, Status};
use motcua_engine::domain::procedure::Procedure;

use crate::i18n::UiLang;

/// The staff routes (under `/can-bo`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/can-bo", web::get().to(work::home))
        .route("/can-bo/ho-so", web::get().to(work::queue))
        .route("/can-bo/tra-ket-qua", web::get().to(work::return_desk))
        .route("/can-bo/ho-so/{id}", web::get().to(dossier::page))
        .route("/can-bo/ho-so/{id}/thao-tac", web::post().to(dossier::act))
        .route("/can-bo/ho-so/{id}/bieu-mau/{form}", web::get().to(dossier::form_pdf))
        .route("/can-bo/ho-so/{id}/giay-to/{paper}", web::get().to(dossier::paper))
        .route("/can-bo/tiep-nhan", web::get().to(reception::form))
        .route("/can-bo/tiep-nhan", web::post().to(reception::submit))
        .route("/can-bo/giay-to", web::get().to(paper_search::page))
        .route("/can-bo/ky-duyet", web::get().to(batch::page))
        .route("/can-bo/ky-duyet", web::post().to(batch::submit))
        .route("/can-bo/phan-anh", web::get().to(petitions::queue))
        // Before `{id}`, which would take "tong-hop".
        .route("/can-bo/phan-anh/tong-hop", web::get().to(petition_summary::summary))
        .route("/can-bo/phan-anh/{id}", web::get().to(petitions::page))
        .route("/can-bo/phan-anh/{id}/thao-tac", web::post().to(petitions::act));
}

/// An instant in the calendar's timezone, as people read it.
pub fn local_time(calendar: &Calendar, t: DateTime<Utc>) -> String {
    t.with_timezone(&calendar.timezone()).format("%H:%M %d/%m/%Y").to_string()
}

/// Time left before a due instant, in working time: the words, and a class for the colour that repeats them.
pub struct TimeLeft {
    /// `ok`, `near`, `late`, or empty when the clock does not run.
    pub class: &'static str,
    pub text: String,
}

/// `n` working days, hours or minutes, in words.
fn working_span(lang: UiLang, span: TimeDelta, day: TimeDelta, late: bool) -> String {
    let minutes = span.num_minutes().max(0);
    let day_minutes = day.num_minutes().max(1);
    let (days, rest) = (minutes / day_minutes, minutes % day_minutes);
    let (hours, mins) = (rest / 60, rest % 60);
    let prefix = if late { "late" } else { "left" };
    let (key, a, b) = match (days, hours) {
        (0, 0) => ("minutes", mins.max(1), 0),
        (0, h) => ("hours", h, 0),
        (d, 0) => ("days", d, 0),
        (d, h) => ("days_hours", d, h),
    };
    lang.t(&format!("ui.staff.{prefix}_{key}")).replace("{a}", &a.to_string()).replace("{b}", &b.to_string())
}

/// What a queue or the dossier page says about the time left (DESIGN.md §7): running clock only, nearly due
/// under one working day, overdue past the due instant.
pub fn time_left(lang: UiLang, calendar: &Calendar, now: DateTime<Utc>, dossier: &Dossier) -> TimeLeft {
    let Some(due) = dossier.due_at else {
        return TimeLeft { class: "", text: lang.t("ui.staff.no_due").to_string() };
    };
    if let Some(timeliness) = dossier.timeliness {
        let key = match timeliness {
            Timeliness::Early => "ui.staff.timeliness.early",
            Timeliness::OnTime => "ui.staff.timeliness.on_time",
            Timeliness::Late => "ui.staff.timeliness.late",
        };
        return TimeLeft { class: "", text: lang.t(key).to_string() };
    }
    if !dossier.clock.is_running() {
        return TimeLeft { class: "", text: lang.t("ui.staff.paused").to_string() };
    }
    working_left(lang, calendar, now, due)
}

/// The working time left before `due` (or past it), nearly due under one working day.
pub fn working_left(lang: UiLang, calendar: &Calendar, now: DateTime<Utc>, due: DateTime<Utc>) -> TimeLeft {
    let day = calendar.day_length();
    if now > due {
        let late = calendar.running_between(due, now);
        return TimeLeft { class: "late", text: working_span(lang, late, day, true) };
    }
    let left = calendar.remaining(now, due);
    let class = if calendar.is_nearly_due(now, due) { "near" } else { "ok" };
    TimeLeft { class, text: working_span(lang, left, day, false) }
}

/// One dossier in a list.
pub struct Row {
    pub id: String,
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    pub step: String,
    pub status: &'static str,
    pub due: String,
    pub left: TimeLeft,
    pub version: u64,
}

impl Row {
    pub fn of(lang: UiLang, calendar: &Calendar, now: DateTime<Utc>, d: &Dossier, p: Option<&Procedure>) -> Row {
        Row {
            id: d.id.clone(),
            code: d.code.clone().unwrap_or_else(|| lang.t("ui.staff.no_code").to_string()),
            procedure: p.map_or_else(|| d.procedure_code.clone(), |p| p.name.clone()),
            applicant: d.applicant.name.clone(),
            step: step_name(lang, d, p),
            status: status_name(lang, d.status),
            due: d.due_at.map(|t| local_time(calendar, t)).unwrap_or_default(),
            left: time_left(lang, calendar, now, d),
            version: d.version,
        }
    }
}

pub fn status_name(lang: UiLang, status: Status) -> &'static str {
    lang.t(&format!("status.{}", status.code()))
}

/// The current step in words (its kind's name), or nothing outside the flow.
pub fn step_name(lang: UiLang, d: &Dossier, p: Option<&Procedure>) -> String {
    d.step
        .as_deref()
        .and_then(|id| p.and_then(|p| p.step(id)))
        .map(|s| lang.t(&format!("step.{}", s.kind)).to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_engine::messages::{Lang, find};

    /// Every key the staff sources and templates name, and every key they build from an action, an event, a
    /// queue, a form, a channel or a status, is in the catalogue.
    #[test]
    fn every_text_is_catalogued() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("batch.rs"),
            include_str!("dossier.rs"),
            include_str!("reception.rs"),
            include_str!("work.rs"),
            include_str!("../../../templates/staff/_rows.html"),
            include_str!("../../../templates/staff/batch.html"),
            include_str!("../../../templates/staff/dossier.html"),
            include_str!("../../../templates/staff/home.html"),
            include_str!("../../../templates/staff/queue.html"),
            include_str!("../../../templates/staff/reception.html"),
            include_str!("../../../templates/staff/return_desk.html"),
        ];
        let mut keys: Vec<String> = Vec::new();
        for source in sources {
            for prefix in ["\"ui.", "\"field.", "\"status.", "\"step.", "\"population.", "\"payment.", "\"request."] {
                for (start, _) in source.match_indices(prefix) {
                    let key: String = source[start + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                        .collect();
                    if !key.ends_with('.') && !key.ends_with('_') {
                        keys.push(key);
                    }
                }
            }
        }
        let actions = [
            "receive",
            "check_identity",
            "refuse_reception",
            "request_supplement",
            "attach_paper",
            "resubmit",
            "assign",
            "reassign",
            "appraise",
            "approve",
            "disagree",
            "sign",
            "attach_result",
            "seal",
            "consult",
            "answer",
            "request_payment",
            "record_payment",
            "extend",
            "stop",
            "withdraw",
            "return",
        ];
        for action in actions {
            keys.push(format!("ui.staff.action.{action}"));
            keys.push(format!("ui.staff.done.{action}"));
        }
        for queue in motcua_engine::service::work::Queue::ALL {
            keys.push(format!("ui.staff.queue.{}", queue.slug()));
        }
        for form in motcua_engine::service::forms::FormKind::ALL {
            keys.push(format!("ui.staff.form.{}", form.code()));
        }
        for event in [
            "submitted",
            "received",
            "reception_refused",
            "supplement_requested",
            "resubmitted",
            "paper_attached",
            "result_attached",
            "payment_requested",
            "payment_recorded",
            "identity_checked",
            "assigned",
            "reassigned",
            "appraised",
            "approved",
            "disagreed",
            "signed",
            "numbered",
            "sealed",
            "stopped",
            "consult_requested",
            "consult_answered",
            "extended",
            "withdrawn",
            "returned",
            "nearly_due",
            "overdue",
        ] {
            keys.push(format!("ui.staff.event.{event}"));
        }
        for unit in ["minutes", "hours", "days", "days_hours"] {
            keys.push(format!("ui.staff.left_{unit}"));
            keys.push(format!("ui.staff.late_{unit}"));
        }
        keys.extend(
            ["ui.staff.channel.1", "ui.staff.channel.2", "ui.staff.channel.3", "ui.staff.done.held"].map(String::from),
        );
        keys.extend(["approve", "sign"].map(|a| format!("ui.staff.batch.{a}")));
        let missing: Vec<&String> = keys.iter().filter(|k| find(k).is_none()).collect();
        assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
    }

    #[test]
    fn spans_read_as_working_time() {
        let vi = UiLang { lang: Lang::Vi, chosen: false };
        let day = TimeDelta::hours(8);
        assert_eq!(working_span(vi, TimeDelta::hours(3), day, false), "còn 3 giờ làm việc");
        assert_eq!(working_span(vi, TimeDelta::hours(16), day, true), "quá hạn 2 ngày làm việc");
        assert_eq!(working_span(vi, TimeDelta::hours(19), day, false), "còn 2 ngày 3 giờ làm việc");
        assert_eq!(working_span(vi, TimeDelta::minutes(20), day, false), "còn 20 phút làm việc");
    }
}
