//! The national portal's side of the service: dossiers it routes to us (idempotent by its id), reconciliation
//! of its view with ours, and the comparison of the national catalogue with our definitions.

use crate::domain::policy::{self, Access, Target};
use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Portal;
use super::requests::{ApplicantInput, ComponentInput, OnlineSubmission};
use super::{FieldError, ServiceError, ServiceResult, Services, sync};
use crate::domain::actor::Actor;
use crate::domain::deadline::ProcessingTime;
use crate::domain::dossier::Dossier;
use crate::domain::identity::{Caller, ServiceIdentity};
use crate::domain::procedure::Catalogue;
use crate::ports::portal::{NationalPortal, NationalProcedure, TimeUnit};
use crate::store::{agencies, dossiers, events, portal_intake};

/// A dossier submitted on the national portal, as the portal routes it to us.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PortalDossier {
    /// The dossier's id on the portal: routing the same id twice gives the same dossier.
    pub portal_id: String,
    pub procedure_code: String,
    /// Electronic id of the agency the applicant chose.
    pub agency: String,
    pub applicant: ApplicantInput,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub form_data: BTreeMap<String, String>,
    #[serde(default)]
    pub papers: Vec<PortalPaper>,
    /// The applicant's portal account is authenticated with the national e-identity (VNeID).
    #[serde(default)]
    pub signed_in_with_vneid: bool,
    /// For an inter-agency bundle: the procedures chosen among its members.
    #[serde(default)]
    pub members: Vec<String>,
}

/// A paper filed on the portal, carried inline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PortalPaper {
    pub component: String,
    pub file_name: String,
    pub content_base64: String,
}

pub enum Routed {
    Created(Box<Dossier>),
    /// The portal sent this dossier before; this is what it became.
    Replayed(Box<Dossier>),
}

/// One dossier whose status at the portal differs from ours.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub code: String,
    pub ours: (u8, Option<String>),
    /// `None`: the portal has never heard of it.
    pub theirs: Option<(u8, Option<String>)>,
    /// What re-sending answered (`None` in a dry run).
    pub resent: Option<Result<(), String>>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Reconciliation {
    pub checked: usize,
    pub differences: Vec<Difference>,
}

/// What differs between a national procedure and ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueDifference {
    pub code: String,
    pub name: String,
    /// Each difference in words, e.g. "processing time: national 10 days, here 7 working days".
    pub differences: Vec<String>,
}

impl Services {
    fn replay_portal(&self, portal_id: &str, hash: &str) -> ServiceResult<Option<Routed>> {
        self.db.read(|conn| {
            let Some(intake) = portal_intake::find(conn, portal_id)? else {
                return Ok(None);
            };
            if intake.request_hash != hash {
                return Err(ServiceError::Conflict("portal.id_reused", portal_id.to_string()));
            }
            let dossier =
                dossiers::get(conn, &intake.dossier_id)?.ok_or(ServiceError::NotFound("dossier.not_found"))?;
            Ok(Some(Routed::Replayed(Box::new(dossier))))
        })
    }

    /// The procedure and agency must exist before any paper is stored.
    fn check_portal_target(&self, input: &PortalDossier) -> ServiceResult<()> {
        let mut errors = Vec::new();
        if self.catalogue.current(&input.procedure_code).is_none() {
            errors
                .push(FieldError::new("procedure_code", "field.unknown_procedure").with_detail(&input.procedure_code));
        }
        if self.db.read(|conn| agencies::get(conn, &input.agency).map_err(ServiceError::from))?.is_none() {
            errors.push(FieldError::new("agency", "field.unknown_agency").with_detail(&input.agency));
        }
        if errors.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(errors)) }
    }

    fn national_portal(&self) -> ServiceResult<&dyn NationalPortal> {
        let missing = "set MOTCUA_PORTAL_URL and MOTCUA_PORTAL_TOKEN";
        self.ports.portal.as_deref().ok_or_else(|| ServiceError::Conflict("portal.not_configured", missing.into()))
    }

    /// Sends the dossier's current status message straight to the portal, under a key of its own (the
    /// original key may be one the portal already dropped as seen) and the dossier's version as sequence.
    fn resend_status(&self, portal: &dyn NationalPortal, dossier: &Dossier) -> Result<(), String> {
        let message = self
            .db
            .read(|conn| {
                let procedure = &*self.procedure_of(dossier)?;
                let history = events::history(conn, &dossier.id)?;
                self.status_message(conn, dossier, procedure, &history)
            })
            .map_err(|e| e.to_string())?
            .ok_or("the dossier has no code yet")?;
        let key = format!("{}:{}:reconcile-{}", dossier.id, dossier.version, self.now().timestamp_millis());
        let body = serde_json::to_string(&message).expect("messages serialize");
        portal.sync_status(&key, dossier.version, &body).map_err(|f| f.reason().to_string())
    }
}

impl Portal<'_> {
    /// Creates a dossier the portal routed to us in status 1, in its agency's reception queue. Nothing is stored
    /// when the procedure, the agency or anything else is wrong.
    pub fn receive_from_portal(&self, service: &ServiceIdentity, input: PortalDossier) -> ServiceResult<Routed> {
        if !policy::may(&Caller::Service(service.clone()), Access::ExchangeAsPortal, Target::Anywhere) {
            return Err(ServiceError::Forbidden("portal.forbidden_scope"));
        }
        let portal_id = input.portal_id.trim().to_string();
        if portal_id.is_empty() || portal_id.len() > 100 {
            return Err(ServiceError::Invalid(vec![FieldError::new("portal_id", "field.required")]));
        }
        let hash = hex::encode(Sha256::digest(serde_json::to_vec(&input).expect("requests serialize")));
        if let Some(replayed) = self.replay_portal(&portal_id, &hash)? {
            return Ok(replayed);
        }
        self.check_portal_target(&input)?;
        let caller = Caller::Service(service.clone());
        let mut components = Vec::new();
        for (i, paper) in input.papers.iter().enumerate() {
            let bytes =
                base64::engine::general_purpose::STANDARD.decode(paper.content_base64.trim()).map_err(|_| {
                    ServiceError::Invalid(vec![FieldError::new(
                        format!("papers[{i}].content_base64"),
                        "field.bad_base64",
                    )])
                })?;
            let upload = self.papers().upload_bytes(&caller, &paper.file_name, &bytes)?;
            components.push(ComponentInput {
                id: paper.component.clone(),
                upload: Some(upload.id),
                repository_item: None,
                keep: false,
                form: None,
                count: None,
            });
        }
        let submission = OnlineSubmission {
            procedure_code: input.procedure_code,
            agency: input.agency,
            applicant: input.applicant,
            summary: input.summary,
            components,
            form_data: input.form_data,
            members: input.members,
        };
        let actor = Actor::System { name: service.name.clone() };
        let now = self.now();
        let origin = super::dossiers::Origin {
            portal_id: Some(portal_id.clone()),
            signed_in_with_vneid: input.signed_in_with_vneid,
        };
        let stored = self.submit_online_as(&caller, actor, submission, origin, |conn, dossier| {
            portal_intake::insert(conn, &portal_id, &dossier.id, &hash, now).map_err(ServiceError::from)
        });
        match stored {
            Ok(dossier) => Ok(Routed::Created(Box::new(dossier))),
            // The same dossier routed twice at once: the first one stored wins; answer what it became.
            Err(e) if e.is_unique_violation() => {
                self.replay_portal(&portal_id, &hash)?.ok_or(ServiceError::Conflict("portal.id_reused", portal_id))
            }
            Err(e) => Err(e),
        }
    }

    /// The national procedure catalogue compared with ours (as of today): how many procedures it has, and
    /// what differs, per procedure.
    pub fn compare_national_catalogue(&self) -> ServiceResult<(usize, Vec<CatalogueDifference>)> {
        let national = self
            .national_portal()?
            .catalogue()
            .map_err(|e| ServiceError::Conflict("portal.unavailable", e.to_string()))?;
        let today = self.calendar.local_date(self.now());
        Ok((national.len(), compare_catalogue(&self.catalogue, &national, today)))
    }

    /// Compares the status and dates the portal holds for every coded dossier with ours, and re-sends the
    /// current status message of each that differs (unless `dry_run`).
    pub fn reconcile_portal(&self, dry_run: bool) -> ServiceResult<Reconciliation> {
        let portal = self.national_portal()?;
        let mut report = Reconciliation::default();
        let mut after: Option<String> = None;
        loop {
            let page =
                self.db.read(|conn| dossiers::page_by_id(conn, after.as_deref(), 500).map_err(ServiceError::from))?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            for dossier in page.iter().filter(|d| d.code.is_some()) {
                report.checked += 1;
                let code = dossier.code.clone().expect("filtered");
                let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| sync::portal_time(&self.calendar, t));
                let ours = (dossier.status.code(), time(dossier.due_at));
                let returned = time(dossier.returned_at);
                let view =
                    portal.view(&code).map_err(|e| ServiceError::Conflict("portal.unavailable", e.to_string()))?;
                let theirs = view.as_ref().map(|v| (v.status, v.due.clone()));
                let same = view.as_ref().is_some_and(|v| (v.status, v.due.clone()) == ours && v.returned == returned);
                if same {
                    continue;
                }
                let resent = (!dry_run).then(|| self.resend_status(portal, dossier));
                report.differences.push(Difference { code, ours, theirs, resent });
            }
        }
        Ok(report)
    }
}

/// Compares the national catalogue with ours on what the portal publishes: name, field, processing time,
/// online level, fees (as of `today`) and component names. Procedures only one side has are reported too.
pub fn compare_catalogue(
    ours: &Catalogue,
    national: &[NationalProcedure],
    today: NaiveDate,
) -> Vec<CatalogueDifference> {
    let mut report = Vec::new();
    for theirs in national {
        let Some(mine) = ours.current(&theirs.code) else {
            report.push(CatalogueDifference {
                code: theirs.code.clone(),
                name: theirs.name.clone(),
                differences: vec!["not defined here: write its workflow in procedures/ to offer it".into()],
            });
            continue;
        };
        let mut differences = Vec::new();
        let mut differ = |what: &str, national: String, here: String| {
            if national != here {
                differences.push(format!("{what}: national {national}, here {here}"));
            }
        };
        differ("name", theirs.name.clone(), mine.name.clone());
        differ(
            "field",
            format!("{} {}", theirs.field_code, theirs.field),
            format!("{} {}", mine.field_code, mine.field),
        );
        let time = match mine.processing_time {
            ProcessingTime::SameDay { .. } => (0, TimeUnit::WorkingDays),
            ProcessingTime::WorkingDays(days) => (days, TimeUnit::WorkingDays),
            ProcessingTime::WorkingHours(hours) => (hours.div_ceil(8), TimeUnit::WorkingDays),
            ProcessingTime::CalendarDays(days) => (days, TimeUnit::Days),
        };
        let words = |(n, unit): (u32, TimeUnit)| match unit {
            TimeUnit::WorkingDays => format!("{n} working days"),
            TimeUnit::Days => format!("{n} days"),
        };
        differ("processing time", words((theirs.time, theirs.time_unit)), words(time));
        let level = super::sync::online_level(mine.online);
        differ("online level", format!("{:?}", theirs.online_level), format!("{level:?}"));
        let their_fees: Vec<u64> = theirs.fees.iter().map(|f| f.amount).collect();
        let my_fees: Vec<u64> = mine.fees.iter().map(|f| f.amount_on(today)).collect();
        differ("fees (VND)", format!("{their_fees:?}"), format!("{my_fees:?}"));
        let my_components: Vec<&str> = mine.components.iter().map(|c| c.name.as_str()).collect();
        for name in &theirs.components {
            if !my_components.contains(&name.as_str()) {
                differences.push(format!("component only nationally: {name}"));
            }
        }
        for name in &my_components {
            if !theirs.components.iter().any(|n| n == name) {
                differences.push(format!("component only here: {name}"));
            }
        }
        if !differences.is_empty() {
            report.push(CatalogueDifference { code: theirs.code.clone(), name: theirs.name.clone(), differences });
        }
    }
    for mine in ours.current_all() {
        if !national.iter().any(|n| n.code == mine.code) {
            report.push(CatalogueDifference {
                code: mine.code.clone(),
                name: mine.name.clone(),
                differences: vec!["not in the national catalogue".into()],
            });
        }
    }
    report
}
