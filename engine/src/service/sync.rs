//! The status-sync message to the national portal (DVCQG), built from a dossier and its history
//! (`ports::portal::message`). Written to the outbox in the transaction of every status or due-date change of
//! a dossier that has its code; a dossier without one (a counter dossier whose identity check failed) sends
//! nothing until reception gives it a code, and then its whole history goes out under that code.

use chrono::{DateTime, Utc};

use super::posts::Posts;
use crate::domain::actor::Actor;
use crate::domain::calendar::Calendar;
use crate::domain::dossier::{Change, Digitisation, Dossier, Event, IdKind, Status, control_slip};
use crate::domain::procedure::{Online, Procedure};
use crate::messages::{Lang, text};
use crate::ports::portal::message::{FeeLine, OnlineLevel, ProcessingRow, ResultPaper, SyncMessage, collected};

/// `yyyyMMddHHmmss` in the calendar's timezone (Vietnam time).
pub fn portal_time(calendar: &Calendar, t: DateTime<Utc>) -> String {
    t.with_timezone(&calendar.timezone()).format("%Y%m%d%H%M%S").to_string()
}

/// A procedure's online service level in the portal's terms.
pub fn online_level(online: Online) -> OnlineLevel {
    match online {
        Online::Full => OnlineLevel::Full,
        Online::Partial => OnlineLevel::Partial,
        Online::None => OnlineLevel::InformationOnly,
    }
}

/// What a message is built from besides the dossier.
pub struct Sources<'a> {
    pub procedure: &'a Procedure,
    pub events: &'a [Event],
    pub posts: &'a Posts,
    pub calendar: &'a Calendar,
    /// The public base URL, for the link to the electronic result.
    pub public_url: &'a str,
    /// The bundle's code, for a member of a Decree 63/2024 bundle.
    pub bundle_code: Option<&'a str>,
}

/// The dossier's status message; `None` while it has no code.
pub fn status_message(dossier: &Dossier, from: &Sources<'_>) -> Option<SyncMessage> {
    let code = dossier.code.clone()?;
    let calendar = from.calendar;
    let time = |t: DateTime<Utc>| portal_time(calendar, t);
    let steps = control_slip(from.procedure, from.events, calendar)
        .into_iter()
        .filter_map(|row| {
            let (done_at, done_by, status) = (row.done_at?, row.done_by?, row.status_after?);
            Some(ProcessingRow {
                person: done_by.name().to_string(),
                title: from.posts.title(&done_by),
                done_at: time(done_at),
                division: from.posts.division(&done_by),
                step: text(&format!("step.{}", row.kind), Lang::Vi).to_string(),
                status: status.code(),
                started_at: time(row.started_at),
                due_at: time(row.due_at.or(dossier.due_at).unwrap_or(row.started_at)),
            })
        })
        .collect();
    let provided: Vec<Digitisation> =
        dossier.components.iter().filter(|c| c.provided).map(|c| c.digitisation).collect();
    let digitised = |d: &Digitisation| *d != Digitisation::NotDigitised;
    let reused = |d: &Digitisation| matches!(d, Digitisation::ReusedFromRepository | Digitisation::ReusedFromResult);
    let issued = matches!(dossier.status, Status::ResultReady | Status::Returned);
    let electronic_result = dossier.result_document.as_ref().filter(|_| issued && dossier.result_number.is_some());
    let flag = |b: bool| u8::from(b);
    Some(SyncMessage {
        code,
        portal_id: dossier.portal_id.clone(),
        bundle_code: from.bundle_code.map(str::to_string),
        procedure_code: from.procedure.code.clone(),
        procedure_name: from.procedure.name.clone(),
        field_code: from.procedure.field_code.clone(),
        field_name: from.procedure.field.clone(),
        online_level: online_level(from.procedure.online),
        channel: dossier.channel.code(),
        applicant_name: dossier.applicant.name.clone(),
        applicant_kind: if dossier.applicant.id_kind == IdKind::TaxCode { 2 } else { 1 },
        applicant_id: dossier.applicant.id_number.clone(),
        phone: dossier.applicant.phone.clone(),
        email: dossier.applicant.email.clone(),
        summary: dossier.summary.clone(),
        received: time(dossier.received_at.unwrap_or(dossier.submitted_at)),
        due: dossier.due_at.map(time),
        status: dossier.status.code(),
        returned: dossier.returned_at.map(time),
        agency_name: from.posts.agency_name(&dossier.agency).unwrap_or(&dossier.agency).to_string(),
        agency_id: dossier.agency.clone(),
        steps,
        fees: fee_lines(dossier, from),
        results: if issued {
            let number = dossier.result_number.clone();
            from.procedure
                .results
                .iter()
                .map(|r| ResultPaper { name: r.name.clone(), number: number.clone() })
                .collect()
        } else {
            Vec::new()
        },
        digitised: flag(!provided.is_empty() && provided.iter().all(digitised)),
        has_digitised_component: flag(provided.iter().any(digitised)),
        reused_from_repository: flag(provided.iter().any(reused)),
        signed_in_with_vneid: flag(dossier.signed_in_with_vneid),
        paid_online: if paid_online(from.events) { 2 } else { 0 },
        result_number: electronic_result.and(dossier.result_number.clone()),
        result_url: electronic_result.map(|paper| {
            format!("{}/cong-dan/ho-so/{}/ket-qua/{paper}", from.public_url.trim_end_matches('/'), dossier.id)
        }),
    })
}

/// A payment recorded by the payment platform's callback (a system actor) was paid online; one the reception
/// clerk recorded was paid at the counter.
fn paid_online(events: &[Event]) -> bool {
    events.iter().any(|e| matches!(e.change, Change::PaymentRecorded { .. }) && matches!(e.actor, Actor::System { .. }))
}

/// The fees as charged on this dossier: each payment requested, with how it was paid; with none, the fees the
/// procedure waives (zero on the day of reception). A fee that was never charged is not listed.
fn fee_lines(dossier: &Dossier, from: &Sources<'_>) -> Vec<FeeLine> {
    let single_fee = match from.procedure.fees.as_slice() {
        [only] => Some(only.name.clone()),
        _ => None,
    };
    let mut lines = Vec::new();
    let mut pending: Option<FeeLine> = None;
    for event in from.events {
        match &event.change {
            Change::PaymentRequested { amount_vnd, fee, .. } => {
                lines.extend(pending.take());
                let name = fee.clone().or_else(|| single_fee.clone()).unwrap_or_else(|| "Phí, lệ phí".into());
                pending = Some(FeeLine { name, amount: *amount_vnd, how: collected::NOT_YET.into() });
            }
            Change::PaymentRecorded { .. } => {
                if let Some(mut line) = pending.take() {
                    let online = matches!(event.actor, Actor::System { .. });
                    line.how = if online { collected::ONLINE } else { collected::AT_COUNTER }.into();
                    lines.push(line);
                }
            }
            _ => {}
        }
    }
    lines.extend(pending);
    if lines.is_empty() {
        let day = from.calendar.local_date(dossier.received_at.unwrap_or(dossier.submitted_at));
        lines = from
            .procedure
            .fees
            .iter()
            .filter(|f| f.charge(day, 1) == 0)
            .map(|f| FeeLine { name: f.name.clone(), amount: 0, how: collected::FREE.into() })
            .collect();
    }
    lines
}

impl super::Services {
    /// The dossier's status message as of `history` (its whole history); `None` while it has no code.
    pub(super) fn status_message(
        &self,
        conn: &mut crate::store::DbConnection,
        dossier: &Dossier,
        procedure: &Procedure,
        history: &[Event],
    ) -> super::ServiceResult<Option<SyncMessage>> {
        if dossier.code.is_none() {
            return Ok(None);
        }
        let posts = Posts::load(conn, self.db.agencies(), history, &[&dossier.agency])?;
        let sources = Sources {
            procedure,
            events: history,
            posts: &posts,
            calendar: &self.calendar,
            public_url: &self.config.public_url,
            bundle_code: dossier.bundle.as_ref().map(|b| b.code.as_str()),
        };
        Ok(status_message(dossier, &sources))
    }
}
