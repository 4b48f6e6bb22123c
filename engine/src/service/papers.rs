//! Papers of dossiers: uploads, attaching them to components (or reusing repository items), results,
//! listing and downloading. Every attachment is an event of the dossier; the file itself is in the blob store.

use crate::domain::policy::{self, Access, Target};
use std::io::Read;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Papers;
use super::requests::ComponentInput;
use super::{FieldError, ServiceError, ServiceResult, Services};
use crate::documents::blobs::{Staged, Stager, UploadLimits};
use crate::documents::signature::SignatureCheck;
use crate::domain::actor::Actor;
use crate::domain::dossier::{Action, ComponentState, Context, Digitisation, Dossier, apply, decide};
use crate::domain::identity::Caller;
use crate::domain::procedure::Procedure;
use crate::store::papers::Paper;
use crate::store::repository::Item;
use crate::store::uploads::Upload;
use crate::store::{DbConnection, dossiers, papers, repository, to_db, uploads};

/// A component's paper, resolved before the dossier exists: the state the dossier records and the row to
/// store once it does.
pub struct ResolvedPaper {
    pub state: ComponentState,
    pub paper: Paper,
    /// The repository item reused, which the dossier is then granted to read.
    pub reused_item: Option<Item>,
}

/// A paper of the result.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResultRequest {
    pub upload: String,
    pub title: String,
}

fn invalid(field: impl Into<String>, code: &'static str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, code)])
}

impl Services {
    /// Resolves the paper a component names: the caller's own upload, or a repository item of the applicant
    /// that the caller may use, valid and of a type the component accepts.
    pub(super) fn resolve_paper(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
        applicant_id: &str,
        procedure: &Procedure,
        input: &ComponentInput,
        field: &str,
    ) -> ServiceResult<ResolvedPaper> {
        let now = self.now();
        let component =
            procedure.component(&input.id).ok_or_else(|| invalid(format!("{field}.id"), "field.unknown_component"))?;
        let base = |blob: &str, size: i64, media: &str, file: &str, source: &str, item: Option<&str>| Paper {
            id: uuid::Uuid::now_v7().to_string(),
            dossier_id: String::new(),
            component_id: Some(component.id.clone()),
            kind: "component".into(),
            source: source.into(),
            blob_sha256: blob.into(),
            size_bytes: size,
            media_type: media.into(),
            file_name: file.into(),
            title: component.name.clone(),
            repository_item_id: item.map(str::to_string),
            added_by: caller.label(),
            added_at: to_db(now),
            keep: input.keep,
        };
        if let Some(upload_id) = &input.upload {
            let upload = uploads::get(conn, upload_id)?
                .filter(|u| u.uploaded_by == caller.label())
                .ok_or_else(|| invalid(format!("{field}.upload"), "field.unknown_upload"))?;
            let source = if matches!(caller, Caller::Staff(_)) { "scan" } else { "upload" };
            if component.applicant_signature && !matches!(caller, Caller::Staff(_)) {
                self.check_applicant_signature(&upload, &format!("{field}.upload"))?;
            }
            let paper =
                base(&upload.blob_sha256, upload.size_bytes, &upload.media_type, &upload.file_name, source, None);
            let state = ComponentState {
                id: component.id.clone(),
                provided: true,
                digitisation: Digitisation::Digitised,
                paper: Some(paper.id.clone()),
                handed_in_as: input.form,
                count: input.count,
            };
            return Ok(ResolvedPaper { state, paper, reused_item: None });
        }
        let item_id =
            input.repository_item.as_deref().ok_or_else(|| invalid(field.to_string(), "field.paper_required"))?;
        let today = self.calendar.local_date(now);
        let item = repository::get(conn, item_id)?
            .filter(|item| item.owner_id == applicant_id && super::repository::usable(item, today))
            .ok_or_else(|| invalid(format!("{field}.repository_item"), "field.unknown_item"))?;
        if !self.may_use_item(conn, caller, &item)? {
            return Err(invalid(format!("{field}.repository_item"), "field.unknown_item"));
        }
        if !item.paper_type.as_ref().is_some_and(|t| component.reusable.contains(t)) {
            return Err(invalid(format!("{field}.repository_item"), "field.not_reusable"));
        }
        let (digitisation, source) = if item.source_kind == "result" {
            (Digitisation::ReusedFromResult, "result")
        } else {
            (Digitisation::ReusedFromRepository, "repository")
        };
        let paper = base(&item.blob_sha256, item.size_bytes, &item.media_type, &item.file_name, source, Some(&item.id));
        // A reused paper is electronic, whatever was said of its form.
        let state = ComponentState {
            id: component.id.clone(),
            provided: true,
            digitisation,
            paper: Some(paper.id.clone()),
            handed_in_as: None,
            count: None,
        };
        Ok(ResolvedPaper { state, paper, reused_item: Some(item) })
    }

    /// Stores resolved papers of a dossier that now exists, and grants the dossier the items it reuses.
    pub(super) fn store_papers(
        &self,
        conn: &mut DbConnection,
        dossier: &Dossier,
        resolved: Vec<ResolvedPaper>,
        caller: &Caller,
        created: bool,
    ) -> ServiceResult<()> {
        let now = self.now();
        // A dossier being created holds no papers yet; otherwise count what it holds.
        let mut total = if created { 0 } else { papers::dossier_bytes(conn, &dossier.id)? };
        for mut r in resolved {
            if r.reused_item.is_none() {
                total += r.paper.size_bytes;
                if total > self.config.max_dossier_bytes as i64 {
                    return Err(invalid("components", "paper.dossier_too_large"));
                }
            }
            r.paper.dossier_id = dossier.id.clone();
            papers::insert(conn, &r.paper)?;
            if let Some(item) = &r.reused_item {
                repository::grant(conn, &item.id, "dossier", &dossier.id, now)?;
                repository::touch(conn, &item.id, now)?;
                repository::log_access(conn, item, &caller.label(), &format!("reused in dossier {}", dossier.id), now)?;
            }
        }
        Ok(())
    }

    pub(super) fn dossier_in_reach(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
        id: &str,
        lock: bool,
    ) -> ServiceResult<Dossier> {
        let dossier = if lock { dossiers::load_for_update(conn, id)? } else { dossiers::get(conn, id)? };
        dossier
            .filter(|d| policy::may(caller, Access::SeeDossier, Target::Dossier(d)))
            .ok_or(ServiceError::NotFound("dossier.not_found"))
    }

    /// Decides an action as the caller (a staff member in one of their roles, or the applicant) and stores it.
    fn act_as(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
        before: &Dossier,
        action: Action,
        expected_version: u64,
        now: DateTime<Utc>,
    ) -> ServiceResult<Dossier> {
        let procedure = &*self.procedure_of(before)?;
        let events = match caller {
            Caller::Staff(staff) => {
                self.decide_as(staff, before, procedure, action, expected_version, None, None, now)?
            }
            Caller::Citizen(citizen) => {
                let actor = Actor::Citizen { id: citizen.id_number.clone(), name: citizen.name.clone() };
                decide(
                    before,
                    procedure,
                    action,
                    &Context::new(now, actor, &self.calendar).expecting(expected_version),
                )?
            }
            Caller::Service(_) => return Err(ServiceError::Forbidden("request.forbidden")),
        };
        let after = events.iter().fold(before.clone(), apply);
        self.persist(conn, Some(before), &after, &events, procedure, now)?;
        Ok(after)
    }

    /// Refuses an upload that lacks a valid digital signature, saying why (unsigned, altered, untrusted, expired).
    fn check_applicant_signature(&self, upload: &Upload, field: &str) -> ServiceResult<()> {
        let refuse = |code, detail: &str| ServiceError::Invalid(vec![FieldError::new(field, code).with_detail(detail)]);
        let Some(verifier) = &self.verifier else {
            return Err(refuse("paper.signature_invalid", "no trust anchors are configured to check it"));
        };
        let mut reader = self.blobs.open(&upload.blob_sha256)?;
        let check = verifier
            .check(&upload.media_type, &mut reader)
            .map_err(|e| ServiceError::Internal(format!("reading an upload to check its signature: {e}")))?;
        match check {
            SignatureCheck::Valid { .. } => Ok(()),
            SignatureCheck::Unsigned => Err(refuse("paper.signature_required", &upload.file_name)),
            SignatureCheck::Invalid { reason } => Err(refuse("paper.signature_invalid", &reason)),
        }
    }
}

impl Papers<'_> {
    /// A stager for one upload, in the blob store's staging area with the configured size limit.
    pub fn stager(&self, original_name: &str) -> ServiceResult<Stager> {
        let limits = UploadLimits { max_file_bytes: self.config.max_file_bytes };
        Ok(Stager::new(self.blobs.staging_dir(), limits, original_name)?)
    }

    /// Uploads bytes already in memory (fixtures, generated documents) as the caller's.
    pub fn upload_bytes(&self, caller: &Caller, name: &str, bytes: &[u8]) -> ServiceResult<Upload> {
        let mut stager = self.stager(name)?;
        stager.write(bytes)?;
        self.store_upload(caller, stager.finish()?)
    }

    /// Commits a staged upload to the blob store and records it as the caller's.
    pub fn store_upload(&self, caller: &Caller, staged: Staged) -> ServiceResult<Upload> {
        let file_name = staged.file_name.clone();
        let blob = self.blobs.commit(staged)?;
        let upload = Upload {
            id: uuid::Uuid::now_v7().to_string(),
            blob_sha256: blob.sha256,
            size_bytes: blob.size as i64,
            media_type: blob.media_type.mime().to_string(),
            file_name,
            uploaded_by: caller.label(),
            created_at: to_db(self.now()),
        };
        let now = self.now();
        self.db.write(|conn| {
            uploads::insert(conn, &upload)?;
            super::readings::queue_reading(self, conn, &upload.blob_sha256, &upload.media_type, now)
                .map_err(ServiceError::from)
        })?;
        Ok(upload)
    }

    /// Attaches a paper to a component: at submission or resubmission by the applicant, at reception or any
    /// time before completion by the reception clerk (digitisation). Earlier papers stay in the history.
    pub fn attach_paper(
        &self,
        caller: &Caller,
        dossier_id: &str,
        expected_version: u64,
        input: ComponentInput,
    ) -> ServiceResult<Dossier> {
        let now = self.now();
        self.db.write(|conn| {
            let before = self.dossier_in_reach(conn, caller, dossier_id, true)?;
            let procedure = &*self.procedure_of(&before)?;
            if input.upload.is_some() == input.repository_item.is_some() {
                return Err(invalid("upload", "field.paper_required"));
            }
            let resolved = self.resolve_paper(conn, caller, &before.applicant.id_number, procedure, &input, "paper")?;
            let action = Action::AttachPaper {
                component: input.id.clone(),
                paper_id: resolved.paper.id.clone(),
                digitisation: resolved.state.digitisation,
            };
            let after = self.act_as(conn, caller, &before, action, expected_version, now)?;
            self.store_papers(conn, &after, vec![resolved], caller, false)?;
            Ok(after)
        })
    }

    /// Attaches a paper of the result (the signed result, scanned or generated) before it is returned.
    pub fn attach_result(
        &self,
        caller: &Caller,
        dossier_id: &str,
        expected_version: u64,
        request: ResultRequest,
    ) -> ServiceResult<Dossier> {
        let now = self.now();
        self.db.write(|conn| {
            let before = self.dossier_in_reach(conn, caller, dossier_id, true)?;
            let upload = uploads::get(conn, &request.upload)?
                .filter(|u| u.uploaded_by == caller.label())
                .ok_or_else(|| invalid("upload", "field.unknown_upload"))?;
            let paper = Paper {
                id: uuid::Uuid::now_v7().to_string(),
                dossier_id: before.id.clone(),
                component_id: None,
                kind: "result".into(),
                source: "scan".into(),
                blob_sha256: upload.blob_sha256,
                size_bytes: upload.size_bytes,
                media_type: upload.media_type,
                file_name: upload.file_name,
                title: request.title.trim().to_string(),
                repository_item_id: None,
                added_by: caller.label(),
                added_at: to_db(now),
                keep: true,
            };
            let action = Action::AttachResult { paper_id: paper.id.clone(), title: paper.title.clone() };
            let after = self.act_as(conn, caller, &before, action, expected_version, now)?;
            papers::insert(conn, &paper)?;
            Ok(after)
        })
    }

    pub fn of_dossier(&self, caller: &Caller, dossier_id: &str) -> ServiceResult<Vec<Paper>> {
        self.db.read(|conn| {
            let dossier = self.dossier_in_reach(conn, caller, dossier_id, false)?;
            let all = papers::of_dossier(conn, dossier_id)?;
            Ok(all.into_iter().filter(|p| shown_to(caller, &dossier, p)).collect())
        })
    }

    /// A paper's content, read through the blob store (which checks the hash as it reads).
    pub fn paper_content(
        &self,
        caller: &Caller,
        dossier_id: &str,
        paper_id: &str,
    ) -> ServiceResult<(Paper, Box<dyn Read + Send>)> {
        let paper = self.db.read(|conn| {
            let dossier = self.dossier_in_reach(conn, caller, dossier_id, false)?;
            let paper = papers::get(conn, dossier_id, paper_id)?;
            paper.filter(|p| shown_to(caller, &dossier, p)).ok_or(ServiceError::NotFound("paper.not_found"))
        })?;
        let reader = self.blobs.open(&paper.blob_sha256)?;
        Ok((paper, reader))
    }
}

/// Staff see every paper of a dossier in reach. The applicant sees what was filed and the forms, but a result
/// only once processing is complete, and then only what was issued: attached results and the signed document,
/// never a draft or an unsigned version.
fn shown_to(caller: &Caller, dossier: &Dossier, paper: &Paper) -> bool {
    if !matches!(caller, Caller::Citizen(_)) || paper.kind != "result" {
        return true;
    }
    let issued = dossier.result_papers.contains(&paper.id)
        || (dossier.result_document.as_ref() == Some(&paper.id)
            && matches!(paper.source.as_str(), "signed" | "sealed"));
    dossier.completed_at.is_some() && issued
}

/// What a garbage collection removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Collected {
    pub uploads: usize,
    pub blobs: Vec<String>,
    pub staging_files: usize,
}

impl Papers<'_> {
    /// Removes what nothing refers to once its grace period is over: unattached uploads, their blobs, and
    /// staging files of interrupted uploads.
    pub fn collect_garbage(&self, grace: chrono::TimeDelta) -> ServiceResult<Collected> {
        let cutoff = self.now() - grace;
        let uploads = self.db.write(|conn| uploads::delete_older_than(conn, cutoff).map_err(ServiceError::from))?;
        let referenced = self.repository().referenced_blobs(cutoff)?;
        let older_than = std::time::SystemTime::from(cutoff);
        let blobs = crate::documents::blobs::collect_orphans(self.blobs.as_ref(), &referenced, older_than)?;
        let staging_files = crate::documents::blobs::remove_stale_staging(self.blobs.staging_dir(), older_than)
            .map_err(crate::documents::blobs::BlobError::from)?;
        Ok(Collected { uploads, blobs, staging_files })
    }
}
