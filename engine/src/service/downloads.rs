//! The reports and lists as tables to download (issue 16): Vietnamese headings from the message catalogue,
//! instants in the calendar's zone, one row per indicator, breakdown value or dossier. The formats themselves are
//! `adapters::sheets`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::monthly::MonthlyReport;
use super::publication::PublicStatistics;
use super::scorecard::{AgencyScorecard, Breakdown, By};
use crate::adapters::forms::RegisterData;
use crate::adapters::sheets::Cell;
pub use crate::adapters::sheets::Table;
use crate::domain::dossier::Dossier;
use crate::domain::procedure::Catalogue;
use crate::domain::scorecard::{Figure, INDICATORS, Ratio};
use crate::messages::{Lang, text};
use crate::store::facts::LostDossier;

fn vi(code: &str) -> String {
    text(code, Lang::Vi).to_string()
}

fn local(at: Option<DateTime<Utc>>, zone: Tz) -> Cell {
    at.map_or(Cell::Empty, |at| Cell::DateTime(at.with_timezone(&zone).naive_local()))
}

fn share(r: Ratio) -> Cell {
    match r.denominator {
        0 => Cell::Empty,
        d => Cell::Share(r.numerator as f64 / d as f64),
    }
}

fn channel_name(channel: &str) -> String {
    vi(match channel {
        "2" => "ui.staff.channel.2",
        "3" => "ui.staff.channel.3",
        _ => "ui.staff.channel.1",
    })
}

fn indicator_name(code: &str) -> String {
    vi(&format!("ui.admin.indicator_{}", code.to_ascii_lowercase()))
}

/// One row per indicator: its figures, points and maximum, and how many dossiers lost it points.
pub fn scorecard(card: &AgencyScorecard) -> Table {
    let headers = [
        "ui.admin.download_indicator_code",
        "ui.admin.scorecard_indicator",
        "ui.admin.download_numerator",
        "ui.admin.download_denominator",
        "ui.admin.download_rate",
        "ui.admin.scorecard_points",
        "ui.admin.scorecard_max",
        "ui.admin.download_lost_dossiers",
    ]
    .map(vi)
    .to_vec();
    let rows = card
        .scorecard
        .indicators
        .iter()
        .map(|i| {
            let ratio = match i.figure {
                Figure::Rate(r) => Some(r),
                Figure::Payment { paid_online, .. } => Some(paid_online),
                Figure::NotEntered => None,
            };
            let lost: u64 = card.lost.iter().filter(|l| l.indicator == i.code).map(|l| l.dossiers).sum();
            vec![
                i.code.into(),
                indicator_name(i.code).into(),
                ratio.map(|r| r.numerator).into(),
                ratio.map(|r| r.denominator).into(),
                ratio.map_or(Cell::Empty, share),
                i.points.map_or(Cell::Empty, |p| Cell::Hundredths(u64::from(p))),
                Cell::Hundredths(u64::from(i.max)),
                Cell::Count(lost),
            ]
        })
        .chain(std::iter::once(vec![
            Cell::Empty,
            vi("ui.admin.scorecard_total").into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Hundredths(u64::from(card.scorecard.points)),
            Cell::Hundredths(u64::from(card.scorecard.max)),
            Cell::Empty,
        ]))
        .collect();
    Table { headers, rows }
}

/// One row per value: what it received, finished and held open, and the rate of each dossier indicator.
pub fn breakdown(b: &Breakdown) -> Table {
    let key = match b.by {
        By::Agency => "ui.admin.agency",
        By::Procedure => "ui.admin.lost_procedure",
        By::Field => "ui.admin.download_field",
        By::Officer => "ui.admin.download_officer",
        By::Channel => "ui.staff.channel",
    };
    let indicators: Vec<&str> =
        b.rows.first().map(|r| r.figures.iter().map(|f| f.indicator).collect()).unwrap_or_else(|| {
            INDICATORS.iter().map(|i| i.code).filter(|c| *c != "CITIZEN_DATA_CONNECTED_FORMALITY").collect()
        });
    let mut headers = vec![vi(key), vi("ui.admin.download_name")];
    headers.extend(["ui.admin.lost_received", "ui.admin.lost_finished", "ui.admin.download_open"].map(vi));
    headers.extend(indicators.iter().map(|code| format!("{} (%)", indicator_name(code))));
    headers.extend(["ui.admin.rating_count", "ui.admin.rating_average", "ui.admin.rating_low"].map(vi));
    let rows = b
        .rows
        .iter()
        .map(|r| {
            let name = match b.by {
                By::Channel => Some(channel_name(&r.key)),
                _ => r.name.clone(),
            };
            let mut row = vec![r.key.clone().into(), name.into(), r.received.into(), r.finished.into(), r.open.into()];
            row.extend(r.figures.iter().map(|f| share(Ratio::new(f.numerator, f.denominator))));
            row.extend([r.rated.into(), r.rating_average.map_or(Cell::Empty, Cell::Hundredths), r.rated_low.into()]);
            row
        })
        .collect();
    Table { headers, rows }
}

/// The headings of a list of lost-point dossiers; [`lost_row`] gives its rows.
pub fn lost_headers() -> Vec<String> {
    [
        "ui.admin.lost_code",
        "ui.admin.agency",
        "ui.admin.lost_procedure",
        "ui.staff.channel",
        "ui.admin.download_officer",
        "ui.admin.lost_received",
        "ui.admin.lost_due",
        "ui.admin.lost_finished",
    ]
    .map(vi)
    .to_vec()
}

pub fn lost_row(d: &LostDossier, catalogue: &Catalogue, zone: Tz) -> Vec<Cell> {
    vec![
        d.code.clone().unwrap_or_else(|| d.dossier_id.clone()).into(),
        d.agency_id.clone().into(),
        catalogue.current(&d.procedure_code).map_or_else(|| d.procedure_code.clone(), |p| p.name.clone()).into(),
        channel_name(&d.channel.to_string()).into(),
        d.handler_id.clone().into(),
        local(d.received_at, zone),
        local(d.due_at, zone),
        local(d.finished_at, zone),
    ]
}

/// The headings of the queue; [`queue_row`] gives its rows.
pub fn queue_headers() -> Vec<String> {
    [
        "ui.admin.lost_code",
        "ui.admin.lost_procedure",
        "ui.admin.download_applicant",
        "ui.admin.download_status",
        "ui.staff.channel",
        "ui.admin.download_officer",
        "ui.admin.lost_received",
        "ui.admin.lost_due",
        "ui.admin.lost_finished",
    ]
    .map(vi)
    .to_vec()
}

pub fn queue_row(d: &Dossier, catalogue: &Catalogue, zone: Tz) -> Vec<Cell> {
    vec![
        d.code.clone().unwrap_or_else(|| d.id.clone()).into(),
        catalogue.current(&d.procedure_code).map_or_else(|| d.procedure_code.clone(), |p| p.name.clone()).into(),
        d.applicant.name.clone().into(),
        d.status.name_vi().into(),
        channel_name(&d.channel.code().to_string()).into(),
        d.assignee.as_ref().map(|a| a.name.clone()).into(),
        local(d.received_at, zone),
        local(d.due_at, zone),
        local(d.completed_at, zone),
    ]
}

/// The register (form 06) as a table: the circular's columns, one row per dossier.
pub fn register(data: &RegisterData) -> Table {
    let zone = data.header.timezone;
    let headers = [
        "ui.admin.register_entry",
        "ui.admin.lost_code",
        "ui.admin.lost_procedure",
        "ui.admin.download_applicant",
        "ui.admin.register_address",
        "ui.admin.register_phone",
        "ui.admin.agency",
        "ui.admin.lost_received",
        "ui.admin.lost_due",
        "ui.admin.register_result_back",
        "ui.admin.register_returned",
        "ui.admin.download_status",
    ]
    .map(vi)
    .to_vec();
    let rows = data
        .rows
        .iter()
        .map(|r| {
            vec![
                r.entry.map(u64::from).into(),
                r.dossier_code.clone().into(),
                r.procedure_name.clone().into(),
                r.applicant_name.clone().into(),
                r.applicant_address.clone().into(),
                r.applicant_phone.clone().into(),
                r.handling_agency.clone().into(),
                local(Some(r.received_at), zone),
                local(Some(r.due_at), zone),
                local(r.result_back_at, zone),
                local(r.returned_at, zone),
                r.status.clone().into(),
            ]
        })
        .collect();
    Table { headers, rows }
}

/// The published statistics: a row per agency and the total.
pub fn public_statistics(s: &PublicStatistics) -> Table {
    let headers = [
        "ui.admin.agency",
        "ui.admin.download_name",
        "ui.public.stats_received",
        "ui.public.stats_received_online",
        "ui.public.stats_finished_early",
        "ui.public.stats_finished_on_time",
        "ui.public.stats_finished_late",
        "ui.public.stats_in_progress",
    ]
    .map(vi)
    .to_vec();
    let rows = s
        .rows
        .iter()
        .chain(std::iter::once(&s.total))
        .map(|r| {
            let name = if r.agency_id.is_empty() { vi("ui.public.stats_total") } else { r.agency_name.clone() };
            vec![
                r.agency_id.clone().into(),
                name.into(),
                r.received.into(),
                r.received_online.into(),
                r.finished_early.into(),
                r.finished_on_time.into(),
                r.finished_late.into(),
                r.in_progress.into(),
            ]
        })
        .collect();
    Table { headers, rows }
}

/// The one-stop shop's monthly report: a row per field and the total, in the PDF's columns.
pub fn monthly_report(r: &MonthlyReport) -> Table {
    let mut headers = vec![vi("ui.public.monthly_field_code"), vi("ui.public.monthly_field")];
    headers.extend(
        [
            "ui.public.monthly_to_handle",
            "ui.public.monthly_carried_over",
            "ui.public.monthly_received_online",
            "ui.public.monthly_received_in_person",
            "ui.public.monthly_handled",
            "ui.public.monthly_handled_early",
            "ui.public.monthly_handled_on_time",
            "ui.public.monthly_handled_late",
            "ui.public.monthly_refused",
            "ui.public.monthly_withdrawn",
            "ui.public.monthly_in_progress",
            "ui.public.monthly_in_progress_within",
            "ui.public.monthly_in_progress_overdue",
        ]
        .map(vi),
    );
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let name = if row.field.is_empty() { vi("ui.public.monthly_other_field") } else { row.field.clone() };
            (row.field_code.clone(), name, row)
        })
        .chain(std::iter::once((String::new(), vi("ui.public.stats_total"), &r.total)))
        .map(|(code, name, row)| {
            let mut cells: Vec<Cell> = vec![code.into(), name.into()];
            cells.extend(row.figures().map(Cell::from));
            cells
        })
        .collect();
    Table { headers, rows }
}
