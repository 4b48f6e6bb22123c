//! Results as documents (DESIGN.md §9, Decree 30/2020/NĐ-CP): when the specialist appraises, a draft is rendered
//! from the procedure's result template (certificate, licence, or a reasoned refusal letter); the leader's
//! signature, then the number and the agency's seal are added as incremental updates, so each earlier signature
//! stays valid. Every version is a new paper of the dossier, and every step an event naming it.

use chrono::{DateTime, Utc};

use super::forms::paper_applicant;
use super::{ServiceError, ServiceResult, Services, StaffIdentity};
use crate::adapters::forms::{self, ResultDocumentData, ResultTemplate};
use crate::domain::dossier::{Action, Change, Dossier, Event, Proposal};
use crate::domain::procedure::{Procedure, ResultKind, Role};
use crate::domain::title;
use crate::signing::{SignError, Signer, stamp_overlay};
use crate::store::papers::{self, Paper};
use crate::store::{DbConnection, staff, to_db};

impl Services {
    /// Gives the action the id of the document it will produce, if it produces one: a draft at every appraisal;
    /// a signed and a sealed version when keys are configured and there is a draft to sign.
    pub(super) fn plan_document(&self, before: &Dossier, action: &mut Action) {
        let electronic = self.keyring.is_some() && before.result_document.is_some();
        match action {
            Action::Appraise { document, .. } => *document = Some(uuid::Uuid::now_v7().to_string()),
            Action::Sign { document } | Action::Seal { document, .. } if electronic => {
                *document = Some(uuid::Uuid::now_v7().to_string())
            }
            _ => {}
        }
    }

    /// Renders, signs or seals the documents the new events name and stores their blobs; answers the papers,
    /// which `record_documents` writes in the action's transaction. `conn` only reads.
    pub(super) fn make_documents(
        &self,
        conn: &mut DbConnection,
        caller: &StaffIdentity,
        before: &Dossier,
        after: &Dossier,
        new_events: &[Event],
        procedure: &Procedure,
    ) -> ServiceResult<Vec<Paper>> {
        let mut current = None;
        let mut made = Vec::new();
        for event in new_events {
            let (id, source, pdf) = match &event.change {
                Change::Appraised { proposal, document: Some(id) } => {
                    (id, "draft", self.render_draft(conn, after, procedure, proposal, event.at)?)
                }
                Change::Signed { document: Some(id) } => {
                    let signer = self.signer(self.keyring()?.leader(&caller.username))?;
                    let draft = self.current_document(conn, before, &mut current)?;
                    (id, "signed", sign(&*signer, &draft, "Ký ban hành văn bản", event.at)?)
                }
                Change::Sealed { document: Some(id) } => {
                    let signer = self.signer(self.keyring()?.seal(&after.agency))?;
                    let signed = self.current_document(conn, before, &mut current)?;
                    let number = after.result_number.as_deref().unwrap_or_default();
                    let overlay = forms::render_result_number(number).map_err(internal)?;
                    let numbered = stamp_overlay(&signed, &overlay).map_err(internal)?;
                    (id, "sealed", sign(&*signer, &numbered, &format!("Văn thư đóng dấu, số {number}"), event.at)?)
                }
                _ => continue,
            };
            let title = result_title(procedure, after);
            made.push(self.stage_document(
                after,
                id,
                source,
                &title,
                &pdf,
                &format!("staff:{}", caller.id),
                event.at,
            )?);
            current = Some(pdf);
        }
        Ok(made)
    }

    /// Records the papers `make_documents` made, in the action's transaction.
    pub(super) fn record_documents(&self, conn: &mut DbConnection, made: &[Paper]) -> ServiceResult<()> {
        for paper in made {
            papers::insert(conn, paper)?;
        }
        Ok(())
    }

    fn keyring(&self) -> ServiceResult<&dyn crate::signing::Keyring> {
        self.keyring.as_deref().ok_or_else(|| ServiceError::Conflict("signing.no_certificate", "no keyring".into()))
    }

    fn signer(
        &self,
        found: Result<Option<std::sync::Arc<dyn Signer>>, SignError>,
    ) -> ServiceResult<std::sync::Arc<dyn Signer>> {
        found.map_err(internal)?.ok_or_else(|| ServiceError::Conflict("signing.no_certificate", String::new()))
    }

    /// The document the next signature goes on: the one just produced in this change, else the dossier's
    /// result document as it stood before the change.
    fn current_document(
        &self,
        conn: &mut DbConnection,
        before: &Dossier,
        produced: &mut Option<Vec<u8>>,
    ) -> ServiceResult<Vec<u8>> {
        if let Some(pdf) = produced.take() {
            return Ok(pdf);
        }
        let id = before.result_document.as_deref().unwrap_or_default();
        let paper = papers::get(conn, &before.id, id)?
            .ok_or_else(|| ServiceError::Conflict("signing.failed", "no draft to sign".into()))?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut self.blobs.open(&paper.blob_sha256)?, &mut bytes)
            .map_err(|e| ServiceError::Internal(format!("reading the result document: {e}")))?;
        Ok(bytes)
    }

    fn render_draft(
        &self,
        conn: &mut DbConnection,
        dossier: &Dossier,
        procedure: &Procedure,
        proposal: &Proposal,
        at: DateTime<Utc>,
    ) -> ServiceResult<Vec<u8>> {
        let header = self.paper_header(conn, &dossier.agency, at)?;
        let leader = staff::with_role(conn, &dossier.agency, Role::AgencyLeader.as_str())?;
        let deputy = match &leader {
            Some(leader) => staff::posts_of(conn, &[&leader.id])?
                .iter()
                .any(|p| p.agency_id == dossier.agency && p.role == Role::AgencyLeader.as_str() && p.deputy),
            None => false,
        };
        let (template, content, reasons) = match proposal {
            Proposal::Refusal { reasons } => (ResultTemplate::RefusalLetter, Vec::new(), reasons.clone()),
            Proposal::Result { summary } => {
                let licence = procedure.results.first().is_some_and(|r| r.kind == ResultKind::Licence);
                let template = if licence { ResultTemplate::Licence } else { ResultTemplate::Certificate };
                (template, vec![summary.clone()], Vec::new())
            }
        };
        let data = ResultDocumentData {
            header,
            template,
            title: result_title(procedure, dossier),
            legal_basis: procedure.legal_basis.clone(),
            applicant: paper_applicant(dossier),
            dossier_code: dossier.code.clone().unwrap_or_default(),
            procedure_name: procedure.name.clone(),
            received_at: dossier.received_at.unwrap_or(dossier.submitted_at),
            content,
            reasons,
            signer_title: title::signature_block(deputy, &procedure.agency_kind),
            signer_name: leader.map(|l| l.full_name).unwrap_or_default(),
            recipients: vec![dossier.applicant.name.clone(), "Lưu: VT, hồ sơ.".into()],
        };
        forms::render_result(&data).map_err(internal)
    }

    /// Stores a document's blob (content-addressed: a blob whose paper is never recorded is only unreferenced)
    /// and answers its paper, to record.
    #[allow(clippy::too_many_arguments)]
    fn stage_document(
        &self,
        dossier: &Dossier,
        id: &str,
        source: &str,
        title: &str,
        pdf: &[u8],
        added_by: &str,
        at: DateTime<Utc>,
    ) -> ServiceResult<Paper> {
        let file_name = format!("ket-qua-{source}.pdf");
        let mut stager = self.papers().stager(&file_name)?;
        stager.write(pdf)?;
        let blob = self.blobs.commit(stager.finish()?)?;
        Ok(Paper {
            id: id.to_string(),
            dossier_id: dossier.id.clone(),
            component_id: None,
            kind: "result".into(),
            source: source.into(),
            blob_sha256: blob.sha256,
            size_bytes: blob.size as i64,
            media_type: blob.media_type.mime().to_string(),
            file_name,
            title: title.to_string(),
            repository_item_id: None,
            added_by: added_by.to_string(),
            added_at: to_db(at),
            keep: true,
        })
    }
}

/// The result's name: the procedure's first result, or the refusal letter when the proposal is a refusal.
fn result_title(procedure: &Procedure, dossier: &Dossier) -> String {
    match (&dossier.proposal, procedure.results.first()) {
        (Some(Proposal::Refusal { .. }), _) | (_, None) => "Văn bản trả lời từ chối giải quyết hồ sơ".into(),
        (_, Some(result)) => result.name.clone(),
    }
}

fn sign(signer: &dyn Signer, pdf: &[u8], reason: &str, at: DateTime<Utc>) -> ServiceResult<Vec<u8>> {
    signer.sign_pdf(pdf, reason, at).map_err(internal)
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}
