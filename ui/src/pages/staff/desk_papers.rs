//! The reception desk's papers: each picked scan is held as an upload of the clerk's at once (so a refused form
//! keeps it, and its reading starts in the background), and what the held scans say prefills the applicant
//! and is held against what she typed, field by field.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use actix_web::web;
use motcua_engine::domain::codes::Sex;
use motcua_engine::domain::procedure::Procedure;
use motcua_engine::domain::reading::{self, Found, PaperKind, Problem, Stated};
use motcua_engine::service::StaffIdentity;
use motcua_engine::service::readings::HeldScan;

use crate::UiState;
use crate::form::Errors;
use crate::i18n::UiLang;
use crate::posted::Posted;

/// How long "read the papers" waits for the background reading before showing what is read so far.
const READ_WAIT: Duration = Duration::from_secs(25);

/// A held scan as the desk shows it beside its component.
pub struct HeldPaper {
    pub upload: String,
    pub file_name: String,
    /// What kind of paper it was read as, and its fields, in a line ("Căn cước công dân: số …, họ tên …").
    pub summary: Option<String>,
    /// Why the scan is too poor to rely on: rescan it.
    pub problems: Vec<String>,
    /// Still being read.
    pub reading: bool,
}

/// Holds every picked scan (replacing the one held before for its component) and takes the held ones the
/// form carries; by component. A file that cannot be held gets its error beside its input.
pub async fn hold(
    state: &web::Data<UiState>,
    staff: &StaffIdentity,
    f: &Posted,
    procedure: Option<&Procedure>,
    errors: &mut Errors,
    lang: UiLang,
) -> Result<BTreeMap<String, String>, actix_web::Error> {
    let mut held = BTreeMap::new();
    let Some(procedure) = procedure else { return Ok(held) };
    for c in procedure.components.iter().filter(|c| !c.in_person_only) {
        if let Some(file) = f.file(&format!("file.{}", c.id)) {
            let (services, who, name, bytes) =
                (state.services.clone(), staff.clone(), file.name.clone(), file.bytes.clone());
            match web::block(move || services.reception().hold_scan(&who, &name, &bytes)).await? {
                Ok(upload) => {
                    held.insert(c.id.clone(), upload.id);
                }
                Err(e) => errors.add(&format!("file.{}", c.id), lang.t(e.code())),
            }
        } else if !f.text(&format!("held.{}", c.id)).is_empty() {
            held.insert(c.id.clone(), f.text(&format!("held.{}", c.id)).to_string());
        }
    }
    Ok(held)
}

/// The clerk's held scans (only hers: an id from elsewhere is dropped), after waiting for their reading when
/// `wait`; by component.
pub async fn scans(
    state: &web::Data<UiState>,
    staff: &StaffIdentity,
    held: &BTreeMap<String, String>,
    wait: bool,
) -> Result<Vec<(String, HeldScan)>, actix_web::Error> {
    let ids: Vec<String> = held.values().cloned().collect();
    let started = Instant::now();
    let found = loop {
        let (services, who, ids) = (state.services.clone(), staff.clone(), ids.clone());
        let found = web::block(move || services.readings().held_scans(&who, &ids)).await?.unwrap_or_default();
        if !wait || started.elapsed() >= READ_WAIT || !found.iter().any(|s| s.pending) {
            break found;
        }
        actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    };
    Ok(held
        .iter()
        .filter_map(|(component, upload)| {
            found.iter().find(|s| &s.upload_id == upload).map(|s| (component.clone(), s.clone()))
        })
        .collect())
}

/// A problem as the clerk reads it.
pub fn problem_text(lang: UiLang, problem: &Problem) -> String {
    let detail = match problem {
        Problem::LowResolution { letter_height_px } => format!(" ({letter_height_px} px)"),
        Problem::Skewed { degrees } => format!(" ({degrees}°)"),
        Problem::Unreadable { confidence } => format!(" ({confidence} %)"),
        Problem::NoText => String::new(),
    };
    format!("{}{detail}", lang.t(problem.code()))
}

fn kind_name(lang: UiLang, kind: PaperKind) -> &'static str {
    lang.t(match kind {
        PaperKind::IdCard => "ui.reading.kind.id_card",
        PaperKind::BirthCertificate => "ui.reading.kind.birth_certificate",
        PaperKind::BirthNotice => "ui.reading.kind.birth_notice",
        PaperKind::Other => "ui.reading.kind.other",
    })
}

fn sex_text(lang: UiLang, sex: Sex) -> &'static str {
    lang.t(if sex == Sex::Male { "ui.staff.sex.male" } else { "ui.staff.sex.female" })
}

/// "Căn cước công dân — số: …; họ tên: …; …".
fn summary(lang: UiLang, found: &Found) -> String {
    let mut parts = Vec::new();
    let mut part = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            parts.push(format!("{}: {value}", lang.t(key)));
        }
    };
    part("ui.staff.field.id_number", found.id_number.clone());
    part("ui.staff.field.name", found.name.clone());
    part("ui.staff.field.birth_date", found.birth_date.map(reading::day));
    part("ui.staff.field.sex", found.sex.map(|s| sex_text(lang, s).to_string()));
    part("ui.staff.field.address", found.address.clone());
    part("ui.reading.field.certificate_number", found.certificate_number.clone());
    part("ui.reading.field.mother_name", found.mother_name.clone());
    part("ui.reading.field.father_name", found.father_name.clone());
    if parts.is_empty() {
        kind_name(lang, found.kind).to_string()
    } else {
        format!("{} — {}", kind_name(lang, found.kind), parts.join("; "))
    }
}

/// The desk's view of its held scans, by component.
pub fn shown(lang: UiLang, scans: &[(String, HeldScan)]) -> BTreeMap<String, HeldPaper> {
    scans
        .iter()
        .map(|(component, scan)| {
            let paper = HeldPaper {
                upload: scan.upload_id.clone(),
                file_name: scan.file_name.clone(),
                summary: scan.text.as_ref().map(|t| summary(lang, &t.found)),
                problems: scan
                    .text
                    .as_ref()
                    .map_or_else(Vec::new, |t| t.problems.iter().map(|p| problem_text(lang, p)).collect()),
                reading: scan.pending,
            };
            (component.clone(), paper)
        })
        .collect()
}

fn title_case(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map_or(String::new(), |first| first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What was typed, as the papers are held against it.
fn typed(input: &BTreeMap<String, String>) -> Stated {
    let get = |k: &str| input.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    Stated {
        name: get("applicant.name"),
        id_number: get("applicant.id_number"),
        birth_date: get("applicant.birth_date").and_then(|d| crate::form::parse_day(&d)),
        sex: match get("applicant.sex").as_deref() {
            Some("male") => Some(Sex::Male),
            Some("female") => Some(Sex::Female),
            _ => None,
        },
        address: get("applicant.address"),
    }
}

/// Fills the applicant's empty fields from the id card read (when `prefill`), then holds every typed field
/// against it; the note beside each field: (text, class) — "ok" filled from the paper, "warn" disagreeing.
pub fn check(
    lang: UiLang,
    scans: &[(String, HeldScan)],
    input: &mut BTreeMap<String, String>,
    prefill: bool,
) -> BTreeMap<String, (String, &'static str)> {
    let mut notes = BTreeMap::new();
    if prefill && input.get("summary").is_none_or(|s| s.trim().is_empty()) {
        // Another paper (a birth certificate to certify, say) names the dossier's subject: its kind, number, name.
        let other = scans
            .iter()
            .filter_map(|(_, s)| s.text.as_ref())
            .map(|t| &t.found)
            .find(|f| f.kind != PaperKind::IdCard && (f.certificate_number.is_some() || f.name.is_some()));
        if let Some(found) = other {
            let mut summary = kind_name(lang, found.kind).to_string();
            if let Some(number) = &found.certificate_number {
                summary.push_str(&format!(" {} {number}", lang.t("ui.reading.number_word")));
            }
            if let Some(name) = &found.name {
                summary.push_str(&format!(" — {name}"));
            }
            input.insert("summary".into(), summary);
            notes.insert("summary".into(), (lang.t("ui.reading.prefilled").to_string(), "ok"));
        }
    }
    let Some((card, file)) = scans.iter().find_map(|(_, s)| {
        s.text.as_ref().filter(|t| t.found.kind == PaperKind::IdCard).map(|t| (t.found.clone(), s.file_name.clone()))
    }) else {
        return notes;
    };
    let values: [(&str, Option<String>); 5] = [
        // Cards print names in capitals; people write them "Nguyễn Thị Hường".
        ("applicant.name", card.name.as_deref().map(title_case)),
        ("applicant.id_number", card.id_number.clone()),
        ("applicant.birth_date", card.birth_date.map(reading::day)),
        ("applicant.sex", card.sex.map(|s| if s == Sex::Male { "male".into() } else { "female".into() })),
        ("applicant.address", card.address.clone()),
    ];
    if prefill {
        for (field, value) in &values {
            let empty = input.get(*field).is_none_or(|v| v.trim().is_empty());
            if let (true, Some(value)) = (empty, value) {
                input.insert(field.to_string(), value.clone());
                notes.insert(field.to_string(), (format!("{} {file}", lang.t("ui.reading.prefilled")), "ok"));
            }
        }
    }
    for mismatch in reading::compare(&typed(input), &card) {
        let shown = if mismatch.field == "sex" {
            sex_text(lang, if mismatch.found == "Nam" { Sex::Male } else { Sex::Female }).to_string()
        } else {
            mismatch.found.clone()
        };
        let note = format!("{} ({file}): {shown}", lang.t("ui.reading.mismatch"));
        notes.insert(format!("applicant.{}", mismatch.field), (note, "warn"));
    }
    notes
}
