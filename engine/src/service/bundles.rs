//! Inter-agency bundles (Decree 63/2024/NĐ-CP): one dossier at one one-stop desk for several procedures of
//! several agencies, of which the applicant chose some (birth registration with permanent residence, a health
//! insurance card and an identity card for the child, say). Each chosen procedure runs as a member dossier at the
//! agency of its kind serving the bundle's area, with its own code, steps and deadline; the bundle waits at its
//! `bundle` step and is returned, members with it, once every member is finished. All of it happens in the
//! transaction of the change that causes it.

use chrono::{DateTime, Utc};

use super::dossiers::{allocate_code, allocate_register_entry};
use super::{Dossiers, ServiceError, ServiceResult, Services};
use crate::domain::actor::Actor;
use crate::domain::dossier::{
    Action, BundleRef, ComponentState, Context, Dossier, MemberDossier, Status, Submission, apply, decide,
    decide_submission, fold,
};
use crate::domain::procedure::{Procedure, ReturnMethod};
use crate::store::papers::{self, Paper};
use crate::store::{DbConnection, agencies, dossiers};

/// A member of a bundle as the bundle's pages and tracking show it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub procedure_code: String,
    pub procedure_name: String,
    pub code: String,
    pub status: Status,
    pub status_name: &'static str,
    pub due_at: Option<DateTime<Utc>>,
}

/// Who moves bundles and their members: the one-stop system itself.
fn system() -> Actor {
    Actor::System { name: "Liên thông một cửa".into() }
}

impl Services {
    pub(super) fn member_views(&self, conn: &mut DbConnection, bundle: &Dossier) -> ServiceResult<Vec<MemberView>> {
        let mut out = Vec::new();
        for m in &bundle.member_dossiers {
            let member = dossiers::get(conn, &m.dossier_id)?.ok_or(ServiceError::NotFound("dossier.not_found"))?;
            out.push(MemberView {
                procedure_code: m.procedure.clone(),
                procedure_name: self
                    .catalogue
                    .current(&m.procedure)
                    .map_or_else(|| m.procedure.clone(), |p| p.name.clone()),
                code: m.code.clone(),
                status: member.status,
                status_name: member.status.name_vi(),
                due_at: member.due_at,
            });
        }
        Ok(out)
    }

    /// Each paper a chosen member requires must come with the bundle: the paper of the bundle that stands for it
    /// (an unknown or repeated choice is the domain's to refuse).
    pub(super) fn check_member_papers(
        &self,
        bundle: &Procedure,
        chosen: &[String],
        inputs: &[crate::service::requests::ComponentInput],
        errors: &mut Vec<crate::service::FieldError>,
    ) {
        for code in chosen {
            let (Some(member), Some(procedure)) = (bundle.member(code), self.catalogue.current(code)) else {
                continue;
            };
            let needed = procedure.components.iter().filter(|c| c.required && !c.in_person_only);
            for ours in needed.filter_map(|c| member.components.get(&c.id)) {
                if !inputs.iter().any(|i| &i.id == ours) {
                    let name = bundle.component(ours).map_or(ours.as_str(), |c| c.name.as_str());
                    let error = crate::service::FieldError::new("components", "field.paper_required");
                    errors.push(error.with_detail(&format!("{name} ({})", procedure.name)));
                }
            }
        }
    }

    /// After `after` is stored: a bundle just received opens its members; a member just finished moves its
    /// bundle on when it was the last; a bundle just returned returns its members. Answers the dossier as it now
    /// stands (a bundle gains the record of its members).
    pub(super) fn coordinate_bundle(
        &self,
        conn: &mut DbConnection,
        before: Option<&Dossier>,
        after: Dossier,
        procedure: &Procedure,
        now: DateTime<Utc>,
    ) -> ServiceResult<Dossier> {
        if before.is_some_and(|b| b.status == after.status) {
            return Ok(after);
        }
        match (&after.bundle, after.status) {
            (None, Status::Received) if procedure.is_bundle() && after.member_dossiers.is_empty() => {
                self.open_members(conn, after, procedure, now)
            }
            (None, Status::Returned) if procedure.is_bundle() => {
                self.return_members(conn, &after, now)?;
                Ok(after)
            }
            (Some(bundle), Status::ResultReady | Status::Stopped) => {
                self.member_finished(conn, bundle, &after, now)?;
                Ok(after)
            }
            _ => Ok(after),
        }
    }

    /// Opens one member dossier per chosen procedure, received at once at its agency with the bundle's papers,
    /// and records them on the bundle.
    fn open_members(
        &self,
        conn: &mut DbConnection,
        bundle: Dossier,
        procedure: &Procedure,
        now: DateTime<Utc>,
    ) -> ServiceResult<Dossier> {
        let area = agencies::get(conn, &bundle.agency)?
            .and_then(|a| a.area)
            .ok_or_else(|| ServiceError::Conflict("bundle.no_agency", format!("{} serves no area", bundle.agency)))?;
        let bundle_code = bundle.code.clone().expect("a received dossier has its code");
        let bundle_ref =
            BundleRef { dossier_id: bundle.id.clone(), code: bundle_code.clone(), agency: bundle.agency.clone() };
        let mut opened = Vec::new();
        for member_code in &bundle.chosen_members {
            let spec = procedure.member(member_code).expect("chosen members were checked at submission");
            let member_procedure =
                self.catalogue.current(member_code).ok_or(ServiceError::NotFound("procedure.not_found"))?;
            let agency = agencies::serving(conn, &member_procedure.agency_kind, &area)?.ok_or_else(|| {
                let what = format!("no {} serves area {area}", member_procedure.agency_kind);
                ServiceError::Conflict("bundle.no_agency", what)
            })?;
            let id = uuid::Uuid::now_v7().to_string();
            // The member's papers are the bundle's, as the bundle maps them: copies of the rows, the same blobs.
            let mut components = Vec::new();
            let mut copies = Vec::new();
            for (theirs, ours) in &spec.components {
                let Some(state) = bundle.components.iter().find(|c| &c.id == ours && c.provided) else { continue };
                let paper = match &state.paper {
                    Some(paper_id) => papers::get(conn, &bundle.id, paper_id)?,
                    None => None,
                };
                let copy = paper.map(|p| Paper {
                    id: uuid::Uuid::now_v7().to_string(),
                    dossier_id: id.clone(),
                    component_id: Some(theirs.clone()),
                    source: "bundle".into(),
                    added_by: "system:bundle".into(),
                    ..p
                });
                components.push(ComponentState {
                    id: theirs.clone(),
                    paper: copy.as_ref().map(|p| p.id.clone()),
                    ..state.clone()
                });
                copies.extend(copy);
            }
            let submission = Submission {
                id: id.clone(),
                procedure_code: member_procedure.code.clone(),
                procedure_version: member_procedure.version,
                agency: agency.id.clone(),
                channel: bundle.channel,
                applicant: bundle.applicant.clone(),
                summary: format!("{} (liên thông {bundle_code})", member_procedure.name),
                components,
                code: None,
                form_data: Default::default(),
                portal_id: None,
                signed_in_with_vneid: bundle.signed_in_with_vneid,
                members: Vec::new(),
                bundle: Some(bundle_ref.clone()),
            };
            let ctx = Context::new(now, system(), &self.calendar);
            let mut history = decide_submission(&member_procedure, submission, &ctx)?;
            let submitted = fold(&history).expect("a submission opens a dossier");
            let code = allocate_code(conn, &agency.id, now, &self.calendar)?;
            let register_entry = Some(allocate_register_entry(conn, &agency.id, now, &self.calendar)?);
            let receive = Action::Receive { code: code.clone(), register_entry };
            let received = decide(&submitted, &member_procedure, receive, &ctx.expecting(submitted.version))?;
            let member = received.iter().fold(submitted, apply);
            history.extend(received);
            self.persist(conn, None, &member, &history, &member_procedure, now)?;
            for copy in &copies {
                papers::insert(conn, copy)?;
            }
            opened.push(MemberDossier {
                procedure: member_code.clone(),
                dossier_id: id,
                agency: agency.id,
                code,
                due_at: member.due_at,
            });
        }
        self.system_acts(conn, &bundle, procedure, Action::OpenMembers { members: opened }, now)
    }

    /// A member finished: when every member of its bundle is, the bundle goes to its return step (stopped when
    /// no member gave a result). The bundle's row is locked first, so of two members finishing at once the later
    /// sees the earlier.
    fn member_finished(
        &self,
        conn: &mut DbConnection,
        bundle: &BundleRef,
        member: &Dossier,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let Some(parent) = dossiers::load_for_update(conn, &bundle.dossier_id)? else {
            return Err(ServiceError::NotFound("dossier.not_found"));
        };
        let mut finished = Vec::new();
        for m in &parent.member_dossiers {
            let status = if m.dossier_id == member.id {
                member.status
            } else {
                dossiers::get(conn, &m.dossier_id)?.ok_or(ServiceError::NotFound("dossier.not_found"))?.status
            };
            finished.push(status);
        }
        let done = |s: &Status| matches!(s, Status::ResultReady | Status::Stopped | Status::Returned);
        if !finished.iter().all(done) || !matches!(parent.status, Status::Received | Status::InProcess) {
            return Ok(());
        }
        let all_refused = finished.iter().all(|s| *s == Status::Stopped);
        let procedure = self.procedure_of(&parent)?;
        self.system_acts(conn, &parent, &procedure, Action::MembersDone { all_refused }, now)?;
        Ok(())
    }

    /// The bundle was returned to the applicant: so is every member, the same way where its procedure offers it.
    fn return_members(&self, conn: &mut DbConnection, bundle: &Dossier, now: DateTime<Utc>) -> ServiceResult<()> {
        let method = self.db_return_method(conn, bundle)?;
        for m in &bundle.member_dossiers {
            let Some(member) = dossiers::load_for_update(conn, &m.dossier_id)? else { continue };
            if !matches!(member.status, Status::ResultReady | Status::Stopped) {
                continue;
            }
            let procedure = self.procedure_of(&member)?;
            let offered = procedure.return_methods.contains(&method);
            let method = if offered { method } else { procedure.return_methods[0] };
            self.system_acts(conn, &member, &procedure, Action::Return { method }, now)?;
        }
        Ok(())
    }

    /// How the bundle went back: from its `returned` event.
    fn db_return_method(&self, conn: &mut DbConnection, bundle: &Dossier) -> ServiceResult<ReturnMethod> {
        let history = crate::store::events::history(conn, &bundle.id)?;
        Ok(history
            .iter()
            .rev()
            .find_map(|e| match e.change {
                crate::domain::dossier::Change::Returned { method } => Some(method),
                _ => None,
            })
            .unwrap_or(ReturnMethod::Counter))
    }

    /// The system's own action on a dossier, stored like any other.
    fn system_acts(
        &self,
        conn: &mut DbConnection,
        dossier: &Dossier,
        procedure: &Procedure,
        action: Action,
        now: DateTime<Utc>,
    ) -> ServiceResult<Dossier> {
        let ctx = Context::new(now, system(), &self.calendar).expecting(dossier.version);
        let events = decide(dossier, procedure, action, &ctx)?;
        let after = events.iter().fold(dossier.clone(), apply);
        self.persist(conn, Some(dossier), &after, &events, procedure, now)?;
        self.coordinate_bundle(conn, Some(dossier), after, procedure, now)
    }
}

impl Dossiers<'_> {
    /// Where each member of a bundle stands, for whoever may see the bundle.
    pub fn member_statuses(&self, bundle: &Dossier) -> ServiceResult<Vec<MemberView>> {
        self.db.read(|conn| self.member_views(conn, bundle))
    }
}
