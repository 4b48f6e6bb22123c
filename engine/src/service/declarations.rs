//! The e-form as a declaration: an e-form filled in online stands for the paper declaration its procedure
//! names (`form_replaces`), so it is rendered as that declaration (for birth registration, the tờ khai of
//! Circular 04/2020/TT-BTP) and stored with the dossier as a paper, listed on the receipt. Rendered by a job
//! queued with the dossier, idempotent by its paper id.

use serde::{Deserialize, Serialize};

use super::background::{JobKind, schedule};
use super::forms::Generated;
use super::{Papers, ServiceError, ServiceResult, Services};
use crate::adapters::forms::{DeclarationData, render_declaration};
use crate::domain::dossier::Dossier;
use crate::domain::procedure::{Procedure, form_entries, replaced_by_form};
use crate::store::papers::{self, Paper};
use crate::store::{DbConnection, StoreResult, dossiers};

#[derive(Debug, Serialize, Deserialize)]
pub struct RenderDeclaration {
    pub dossier_id: String,
}

impl JobKind for RenderDeclaration {
    const NAME: &'static str = "render_declaration";

    fn run(self, services: &Services) -> ServiceResult<()> {
        services.papers().ensure_declaration(&self.dossier_id).map(drop)
    }
}

/// The paper id of a dossier's declaration.
pub fn declaration_paper_id(dossier_id: &str) -> String {
    format!("declaration-{dossier_id}")
}

/// Queues the declaration of a new dossier whose e-form stands for a paper.
pub(super) fn queue_declaration(
    conn: &mut DbConnection,
    dossier: &Dossier,
    procedure: &Procedure,
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    if replaced_by_form(procedure, &dossier.form_data).is_some() {
        let job = RenderDeclaration { dossier_id: dossier.id.clone() };
        schedule(conn, &job, Some(&declaration_paper_id(&dossier.id)), now)?;
    }
    Ok(())
}

/// "Tờ khai đăng ký khai sinh theo mẫu" → "Tờ khai đăng ký khai sinh".
fn declaration_title(component_name: &str) -> String {
    component_name.trim().trim_end_matches("theo mẫu").trim().to_string()
}

impl Papers<'_> {
    /// The dossier's declaration paper, rendered and stored the first time; `None` when its e-form stands for
    /// no paper.
    pub fn ensure_declaration(&self, dossier_id: &str) -> ServiceResult<Option<Paper>> {
        let id = declaration_paper_id(dossier_id);
        if let Some(paper) = self.db.read(|conn| papers::get(conn, dossier_id, &id).map_err(ServiceError::from))? {
            return Ok(Some(paper));
        }
        let dossier = self
            .db
            .read(|conn| dossiers::get(conn, dossier_id).map_err(ServiceError::from))?
            .ok_or(ServiceError::NotFound("dossier.not_found"))?;
        let procedure = self.procedure_of(&dossier)?;
        let Some(component) = replaced_by_form(&procedure, &dossier.form_data) else { return Ok(None) };
        let name = procedure.components.iter().find(|c| c.id == component).map_or(component, |c| c.name.as_str());
        let at = dossier.submitted_at;
        let header = self.db.read(|conn| self.paper_header(conn, &dossier.agency, at))?;
        let data = DeclarationData {
            title: declaration_title(name),
            addressee: format!("Kính gửi: {}", header.agency_name),
            declarant_name: dossier.applicant.name.clone(),
            declarant_id: dossier.applicant.id_number.clone(),
            declarant_address: dossier.applicant.address.clone().unwrap_or_default(),
            lines: form_entries(&procedure, &dossier.form_data),
            dossier_code: dossier.code.clone().unwrap_or_default(),
            place: header.place.clone(),
            declared_on: header.issued_on,
        };
        let pdf = render_declaration(&data).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let generated = Generated {
            id,
            dossier_id,
            component_id: component,
            file_name: "to-khai.pdf".into(),
            title: format!("{} (biểu mẫu điện tử)", data.title),
            at,
            // The declaration is the applicant's paper: kept like the papers she handed in.
            keep: true,
        };
        self.store_generated(generated, &pdf).map(Some)
    }
}
