//! Reading papers (OCR): every uploaded or scanned file is read by a background job (reception is never slowed
//! by the recogniser); the desk shows what its clerk's scans say and where they disagree with what she typed; a
//! new dossier's papers are checked against what was stated (the applicant, the e-form) and the disagreements
//! wait on the dossier for the clerk's decision; staff search the read text of their agencies' papers.

use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::background::{JobKind, schedule};
use super::{Readings, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::codes::Sex;
use crate::domain::dossier::{Channel, Dossier};
use crate::domain::identity::Caller;
use crate::domain::policy::{Access, Target, staff_may};
use crate::domain::reading::{self, Found, Mismatch, PaperKind, Problem, Stated};
use crate::ports::reader::ReadError;
use crate::store::readings::{self, Check, Hit, Reading};
use crate::store::{DbConnection, StoreResult, audit, papers, to_db, uploads};

/// Reads one stored file and keeps what it says.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReadPaper {
    pub blob_sha256: String,
    pub media_type: String,
}

impl JobKind for ReadPaper {
    const NAME: &'static str = "read_paper";
    const MAX_ATTEMPTS: i32 = 3;

    fn run(self, services: &Services) -> ServiceResult<()> {
        services.readings().read(&self.blob_sha256, &self.media_type).map(drop)
    }
}

/// Holds a new (or supplemented) dossier's papers against what was stated; the findings wait for the clerk.
#[derive(Debug, Serialize, Deserialize)]
pub struct CheckPapers {
    pub dossier_id: String,
}

impl JobKind for CheckPapers {
    const NAME: &'static str = "check_papers";
    const MAX_ATTEMPTS: i32 = 3;

    fn run(self, services: &Services) -> ServiceResult<()> {
        services.readings().check_dossier(&self.dossier_id).map(drop)
    }
}

/// Queues the reading of a newly stored file, in the transaction that records it, when a reader is set up and
/// reads its kind.
pub(super) fn queue_reading(
    services: &Services,
    conn: &mut DbConnection,
    blob: &str,
    media_type: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if services.ports.reader.as_ref().is_some_and(|r| r.reads(media_type)) {
        let job = ReadPaper { blob_sha256: blob.into(), media_type: media_type.into() };
        schedule(conn, &job, Some(&format!("{}:{blob}", ReadPaper::NAME)), now)?;
    }
    Ok(())
}

/// Queues the check of a dossier's papers after a change that brought papers (its creation, a supplement).
pub(super) fn queue_check(
    services: &Services,
    conn: &mut DbConnection,
    dossier: &Dossier,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if services.ports.reader.is_some() {
        let key = format!("{}:{}:{}", CheckPapers::NAME, dossier.id, dossier.version);
        schedule(conn, &CheckPapers { dossier_id: dossier.id.clone() }, Some(&key), now)?;
    }
    Ok(())
}

/// What was read on one paper, as the pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaperText {
    pub found: Found,
    /// Empty: the scan reads well.
    pub problems: Vec<Problem>,
    pub pages: i32,
    pub text: String,
    #[serde(serialize_with = "crate::store::serialize_utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub read_at: chrono::NaiveDateTime,
}

impl From<Reading> for PaperText {
    fn from(r: Reading) -> Self {
        PaperText {
            found: serde_json::from_str(&r.found).unwrap_or_default(),
            problems: serde_json::from_str(&r.problems).unwrap_or_default(),
            pages: r.pages,
            text: r.body,
            read_at: r.read_at,
        }
    }
}

/// A clerk's held scan and what was read on it so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldScan {
    pub upload_id: String,
    pub file_name: String,
    /// `None`: not read yet (or not readable).
    pub text: Option<PaperText>,
    /// Being read: a reader is set up, reads this kind of file, and has not read it yet.
    pub pending: bool,
}

/// The problems of a scan: the worst of its pages' (each kind once).
fn problems_of(pages: &[Vec<reading::Word>]) -> Vec<Problem> {
    let mut all: Vec<Problem> = Vec::new();
    for page in pages {
        for problem in reading::assess(page) {
            if !all.iter().any(|p| p.code() == problem.code()) {
                all.push(problem);
            }
        }
    }
    all
}

/// What a person stated, from a dossier's applicant.
pub fn stated_by(applicant: &crate::domain::dossier::Applicant) -> Stated {
    Stated {
        name: Some(applicant.name.clone()),
        id_number: Some(applicant.id_number.clone()),
        birth_date: applicant.birth_date,
        sex: applicant.sex,
        address: applicant.address.clone(),
    }
}

/// What the e-form states of the person a birth paper is about (the birth registration's declaration).
fn stated_in_form(form: &std::collections::BTreeMap<String, String>) -> Option<Stated> {
    let name = form.get("ho_ten").filter(|v| !v.trim().is_empty())?;
    Some(Stated {
        name: Some(name.clone()),
        id_number: None,
        birth_date: form.get("ngay_sinh").and_then(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(d, "%d/%m/%Y")).ok()
        }),
        sex: match form.get("gioi_tinh").map(|s| crate::text::fold(s)).as_deref() {
            Some("nam") => Some(Sex::Male),
            Some("nu") => Some(Sex::Female),
            _ => None,
        },
        address: None,
    })
}

/// The disagreements of one paper with what was stated: an id card is its holder's (the applicant), a birth
/// certificate or notice is the child's (the e-form's).
pub fn disagreements(
    found: &Found,
    applicant: &Stated,
    form: &std::collections::BTreeMap<String, String>,
) -> Vec<(Mismatch, &'static str)> {
    match found.kind {
        PaperKind::IdCard => reading::compare(applicant, found).into_iter().map(|m| (m, "applicant")).collect(),
        PaperKind::BirthCertificate | PaperKind::BirthNotice => stated_in_form(form)
            .map(|stated| reading::compare(&stated, found).into_iter().map(|m| (m, "e_form")).collect())
            .unwrap_or_default(),
        PaperKind::Other => Vec::new(),
    }
}

impl Readings<'_> {
    /// What a stored file says: its reading if it was read, else read now (and kept). `None`: no reader is set
    /// up, or it does not read this kind of file.
    pub fn read(&self, blob: &str, media_type: &str) -> ServiceResult<Option<PaperText>> {
        if let Some(done) = self.db.read(|conn| readings::get(conn, blob).map_err(ServiceError::from))? {
            return Ok(Some(done.into()));
        }
        let Some(reader) = self.ports.reader.clone() else { return Ok(None) };
        let mut bytes = Vec::new();
        self.blobs.open(blob)?.read_to_end(&mut bytes).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let recognised = match reader.read(media_type, &bytes) {
            Ok(r) => r,
            Err(ReadError::NotReadable(_)) => return Ok(None),
            Err(ReadError::Failed(e)) => return Err(ServiceError::Internal(e)),
        };
        let found = reading::find_fields(&recognised.text);
        let problems = problems_of(&recognised.pages);
        let row = Reading {
            blob_sha256: blob.to_string(),
            read_at: to_db(self.now()),
            paper_kind: serde_json::to_value(found.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            found: serde_json::to_string(&found).expect("found serialises"),
            problems: serde_json::to_string(&problems).expect("problems serialise"),
            pages: recognised.pages.len().max(1) as i32,
            search_text: crate::text::words(&recognised.text).join(" "),
            body: recognised.text,
        };
        self.db.write(|conn| readings::put(conn, &row).map_err(ServiceError::from))?;
        tracing::info!(blob, kind = %row.paper_kind, problems = problems.len(), "paper read");
        Ok(Some(row.into()))
    }

    /// The clerk's own held scans and what each says so far (not read yet: `text` is `None`).
    pub fn held_scans(&self, clerk: &StaffIdentity, upload_ids: &[String]) -> ServiceResult<Vec<HeldScan>> {
        let label = Caller::Staff(clerk.clone()).label();
        let reader = self.ports.reader.clone();
        self.db.read(|conn| {
            let mut out = Vec::new();
            for id in upload_ids {
                let Some(upload) = uploads::get(conn, id)?.filter(|u| u.uploaded_by == label) else { continue };
                let text = readings::get(conn, &upload.blob_sha256)?.map(PaperText::from);
                let pending = text.is_none() && reader.as_ref().is_some_and(|r| r.reads(&upload.media_type));
                out.push(HeldScan { upload_id: upload.id, file_name: upload.file_name, text, pending });
            }
            Ok(out)
        })
    }

    /// What was read on each paper of a dossier the caller may see, by paper id.
    pub fn of_dossier(&self, caller: &StaffIdentity, dossier_id: &str) -> ServiceResult<Vec<(String, PaperText)>> {
        let dossier = self.dossiers().dossier(caller, dossier_id)?;
        let papers = self.db.read(|conn| papers::of_dossier(conn, &dossier.id).map_err(ServiceError::from))?;
        self.of_papers(&papers)
    }

    /// What was read on these papers (already read as their reader may see them), by paper id; one query.
    pub fn of_papers(&self, papers: &[papers::Paper]) -> ServiceResult<Vec<(String, PaperText)>> {
        let blobs: Vec<String> = papers.iter().map(|p| p.blob_sha256.clone()).collect();
        let read = self.db.read(|conn| readings::of_blobs(conn, &blobs).map_err(ServiceError::from))?;
        Ok(papers
            .iter()
            .filter_map(|p| {
                let r = read.iter().find(|r| r.blob_sha256 == p.blob_sha256)?;
                Some((p.id.clone(), PaperText::from(r.clone())))
            })
            .collect())
    }

    /// Reads a dossier's current component papers (what is not read yet, now) and replaces its waiting
    /// findings with the disagreements found; how many.
    pub fn check_dossier(&self, dossier_id: &str) -> ServiceResult<usize> {
        let Some(dossier) =
            self.db.read(|conn| crate::store::dossiers::get(conn, dossier_id).map_err(ServiceError::from))?
        else {
            return Ok(0);
        };
        let current: Vec<String> = dossier.components.iter().filter_map(|c| c.paper.clone()).collect();
        let papers: Vec<papers::Paper> = self.db.read(|conn| {
            let all = papers::of_dossier(conn, &dossier.id).map_err(ServiceError::from)?;
            Ok::<_, ServiceError>(all.into_iter().filter(|p| current.contains(&p.id)).collect())
        })?;
        let applicant = stated_by(&dossier.applicant);
        let against = if dossier.channel == Channel::Online { "declared" } else { "typed" };
        let now = self.now();
        let mut checks = Vec::new();
        for paper in &papers {
            let Some(text) = self.read(&paper.blob_sha256, &paper.media_type)? else { continue };
            for (mismatch, whose) in disagreements(&text.found, &applicant, &dossier.form_data) {
                let against = if whose == "e_form" { "e_form" } else { against };
                checks.push(Check {
                    id: uuid::Uuid::now_v7().to_string(),
                    dossier_id: dossier.id.clone(),
                    paper_id: Some(paper.id.clone()),
                    field: mismatch.field,
                    against: against.into(),
                    stated: mismatch.stated,
                    found: mismatch.found,
                    found_at: to_db(now),
                    decision: None,
                    decided_by: None,
                    decided_at: None,
                });
            }
        }
        let found = checks.len();
        self.db.write(|conn| {
            readings::drop_waiting(conn, &dossier.id)?;
            readings::add_checks(conn, &checks)?;
            audit::record(conn, now, "system:reader", "papers_checked", &dossier.id, &format!("{found} mismatch(es)"))?;
            Ok::<_, ServiceError>(())
        })?;
        Ok(found)
    }

    /// The findings of a dossier the caller may see, oldest first.
    pub fn checks(&self, caller: &StaffIdentity, dossier_id: &str) -> ServiceResult<Vec<Check>> {
        let dossier = self.dossiers().dossier(caller, dossier_id)?;
        self.checks_of(&dossier)
    }

    /// The findings of a dossier already read as the caller may see it, oldest first.
    pub fn checks_of(&self, dossier: &Dossier) -> ServiceResult<Vec<Check>> {
        self.db.read(|conn| readings::checks_of(conn, &dossier.id).map_err(ServiceError::from))
    }

    /// The clerk's decision on one waiting finding of a dossier of her desk (`check`, its id), or on every one:
    /// `kept` (what was stated stands) or `corrected` (she has had it put right). Audited; how many were decided.
    pub fn decide(
        &self,
        clerk: &StaffIdentity,
        dossier_id: &str,
        check: Option<&str>,
        decision: &str,
    ) -> ServiceResult<usize> {
        if !matches!(decision, "kept" | "corrected") {
            return Err(ServiceError::Invalid(vec![super::FieldError::new("decision", "field.invalid_choice")]));
        }
        let dossier = self.dossiers().dossier(clerk, dossier_id)?;
        if !staff_may(clerk, Access::Receive, Target::Agency(&dossier.agency)) {
            return Err(ServiceError::Forbidden("dossier.forbidden_role"));
        }
        let now = self.now();
        let by = Caller::Staff(clerk.clone()).label();
        self.db.write(|conn| {
            let decided = readings::decide_waiting(conn, &dossier.id, check, decision, &by, now)?;
            if decided == 0 {
                return Err(ServiceError::NotFound("reading.nothing_waiting"));
            }
            let detail = check.map_or_else(|| decision.to_string(), |id| format!("{decision} {id}"));
            audit::record(conn, now, &by, "papers_check_decided", &dossier.id, &detail)?;
            Ok(decided)
        })
    }

    /// Papers of the caller's agencies whose read text holds every word of `text`, newest first, a page of
    /// `limit` after the cursor `after`; with the cursor of the next page (`None` on the last).
    pub fn search(
        &self,
        caller: &StaffIdentity,
        text: &str,
        after: Option<&str>,
        limit: i64,
    ) -> ServiceResult<(Vec<Hit>, Option<String>)> {
        let words: Vec<String> = crate::text::words(text).into_iter().take(8).collect();
        if words.is_empty() {
            return Err(ServiceError::Invalid(vec![super::FieldError::new("q", "field.required")]));
        }
        let after = match after.filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => match super::cursor::decode(text) {
                Some((Some(at), id)) => Some((to_db(at), id)),
                _ => return Err(ServiceError::Invalid(vec![super::FieldError::new("after", "field.invalid")])),
            },
        };
        let scope: Vec<String> = caller
            .agencies()
            .into_iter()
            .filter(|a| staff_may(caller, Access::ListAgency, Target::Agency(a)))
            .collect();
        let limit = limit.clamp(1, 100);
        let hits = self
            .db
            .read(|conn| readings::search(conn, &words, &scope, after.clone(), limit).map_err(ServiceError::from))?;
        let next = (hits.len() as i64 == limit)
            .then(|| hits.last().map(|h| super::cursor::encode(Some(crate::store::from_db(h.added_at)), &h.paper_id)))
            .flatten();
        Ok((hits, next))
    }
}
