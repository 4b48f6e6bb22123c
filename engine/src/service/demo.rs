//! Demo data (`motcua serve --demo`): agencies, staff for every role and dossiers in every status, loaded
//! only into an empty database. The dossiers are driven through the same use cases as real work.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::requests::{ApplicantInput, ComponentInput, NewDossier};
use super::{Administration, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::codes::Sex;
use crate::domain::dossier::{Channel, Dossier, IdKind, Proposal, Status, SupplementItem};
use crate::domain::identity::{Caller, CitizenIdentity};
use crate::domain::procedure::{ReturnMethod, Role, StepKind};
use crate::service::requests::ActionRequest;
use crate::store::{agencies, staff};

pub const DEMO_FIXTURE: &str = include_str!("../../../fixtures/demo.toml");
/// The demo's scanned papers and results (one-page PDFs with no legal value).
const SAMPLE_SCAN: &[u8] = include_bytes!("../../../fixtures/papers/mau-giay-to.pdf");
const SAMPLE_RESULT: &[u8] = include_bytes!("../../../fixtures/papers/mau-ket-qua.pdf");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    password: String,
    agency: Vec<DemoAgency>,
    staff: Vec<DemoStaff>,
    citizen: Vec<DemoCitizen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAgency {
    id: String,
    parent: Option<String>,
    level: String,
    kind: String,
    name: String,
    area: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoStaff {
    username: String,
    full_name: String,
    roles: Vec<(String, Role)>,
    #[serde(default)]
    division: Option<String>,
    #[serde(default)]
    deputy: bool,
    #[serde(default)]
    phone: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct DemoCitizen {
    name: String,
    id_number: String,
    birth_date: NaiveDate,
    sex: Sex,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
}

/// A demo account: username, full name, roles as (agency, role).
pub type DemoAccount = (String, String, Vec<(String, Role)>);

/// What was loaded, for the start-up banner.
pub struct DemoSummary {
    pub accounts: Vec<DemoAccount>,
    pub password: String,
    pub dossiers: usize,
}

/// How far a seeded dossier is driven.
#[derive(Clone, Copy)]
enum Target {
    Submitted,
    Withdrawn,
    Received,
    Refused,
    Supplement,
    Payment,
    Stopped,
    /// The leader extends the due date (form 04, the apology with a new date) while it is being appraised.
    Extended,
    AtStep(StepKind),
    Returned,
}

/// The demo's signing keys: when no keyring is configured, one is made under `data_dir/pki` (a demo CA, a personal
/// certificate per leader, a seal per agency, the demo password on the PKCS#12 files) and configured. Real
/// deployments set `MOTCUA_PKI_DIR` to their own keys and trust anchors.
pub fn configure_demo_keyring(config: &mut super::Config, now: chrono::DateTime<chrono::Utc>) -> Result<(), String> {
    if config.pki_dir.is_some() {
        return Ok(());
    }
    let file: DemoFile = toml::from_str(DEMO_FIXTURE).expect("fixtures/demo.toml is valid");
    let (leaders, agencies) = demo_signing_parties();
    let dir = config.data_dir.join("pki");
    crate::signing::demo_keyring(&dir, &leaders, &agencies, &file.password, now).map_err(|e| e.to_string())?;
    config.pki_dir = Some(dir);
    config.pki_password = file.password;
    Ok(())
}

/// A key holder of the demo keyring: (username or agency id, name on the certificate).
pub type KeyHolder = (String, String);

/// The id numbers of the demo's citizens, the applicants of its dossiers.
pub fn demo_applicant_ids() -> Vec<String> {
    let file: DemoFile = toml::from_str(DEMO_FIXTURE).expect("fixtures/demo.toml is valid");
    file.citizen.into_iter().map(|c| c.id_number).collect()
}

/// Who signs in the demo: the leaders as (username, full name) and the agencies as (id, name).
pub fn demo_signing_parties() -> (Vec<KeyHolder>, Vec<KeyHolder>) {
    let file: DemoFile = toml::from_str(DEMO_FIXTURE).expect("fixtures/demo.toml is valid");
    let leaders = file
        .staff
        .iter()
        .filter(|s| s.roles.iter().any(|(_, role)| *role == Role::AgencyLeader))
        .map(|s| (s.username.clone(), s.full_name.clone()))
        .collect();
    let agencies = file.agency.iter().map(|a| (a.id.clone(), a.name.clone())).collect();
    (leaders, agencies)
}

/// The demo asks round amounts whatever the procedure's fees, and says so as a clerk would have to.
const DEMO_FEE_REASON: &str = "Mức thu theo nghị quyết của HĐND tỉnh";

impl Administration<'_> {
    /// Loads the demo into an empty database; `None` when data already exists.
    pub fn load_demo(&self) -> ServiceResult<Option<DemoSummary>> {
        let file: DemoFile = toml::from_str(DEMO_FIXTURE).expect("fixtures/demo.toml is valid");
        let empty =
            self.db.read(|conn| Ok::<_, ServiceError>(staff::count(conn)? == 0 && agencies::all(conn)?.is_empty()))?;
        if !empty {
            return Ok(None);
        }
        self.db.write(|conn| -> ServiceResult<()> {
            for a in &file.agency {
                agencies::insert_if_absent(
                    conn,
                    &agencies::Agency {
                        id: a.id.clone(),
                        parent_id: a.parent.clone(),
                        level: a.level.clone(),
                        kind: a.kind.clone(),
                        name: a.name.clone(),
                        area: a.area.clone(),
                    },
                )?;
            }
            Ok(())
        })?;
        let mut accounts = Vec::new();
        for person in &file.staff {
            for (agency, role) in &person.roles {
                self.identity().create_user(&person.username, &person.full_name, *role, agency, &file.password)?;
                let post = super::accounts::StaffPost {
                    agency: agency.clone(),
                    role: *role,
                    division: person.division.clone(),
                    deputy: person.deputy,
                    phone: person.phone.clone(),
                };
                self.identity().set_post(&person.username, &post)?;
            }
            accounts.push((person.username.clone(), person.full_name.clone(), person.roles.clone()));
        }
        let seeder = Seeder::new(self, &file)?;
        let dossiers = seeder.seed()?;
        Ok(Some(DemoSummary { accounts, password: file.password, dossiers }))
    }
}

struct Seeder<'a> {
    services: &'a Services,
    /// (agency, role) -> staff.
    people: BTreeMap<(String, Role), StaffIdentity>,
    agencies: Vec<agencies::Agency>,
    citizens: Vec<DemoCitizen>,
}

impl<'a> Seeder<'a> {
    fn new(services: &'a Services, file: &DemoFile) -> ServiceResult<Seeder<'a>> {
        let mut people = BTreeMap::new();
        for person in &file.staff {
            let id = services
                .db
                .read(|conn| staff::by_username(conn, &person.username).map_err(ServiceError::from))?
                .map(|row| row.id)
                .ok_or(ServiceError::NotFound("request.not_found"))?;
            let identity = services.identity().staff(&id)?;
            for (agency, role) in &person.roles {
                people.entry((agency.clone(), *role)).or_insert_with(|| identity.clone());
            }
        }
        Ok(Seeder { services, people, agencies: services.agencies()?, citizens: file.citizen.clone() })
    }

    fn person(&self, agency: &str, role: Role) -> ServiceResult<&StaffIdentity> {
        self.people.get(&(agency.to_string(), role)).ok_or(ServiceError::NotFound("request.not_found"))
    }

    fn seed(&self) -> ServiceResult<usize> {
        use StepKind::*;
        let plan: &[(&str, &str, Target)] = &[
            ("000.31.01.H26", "1.001193", Target::Returned),
            ("000.31.01.H26", "1.001193", Target::AtStep(Sign)),
            ("000.31.01.H26", "1.004873", Target::AtStep(Appraise)),
            ("000.31.01.H26", "1.004873", Target::Supplement),
            ("000.31.01.H26", "1.001612", Target::Received),
            ("000.31.01.H26", "1.001612", Target::Payment),
            ("000.31.01.H26", "1.001612", Target::AtStep(Return)),
            ("000.31.01.H26", "1.004873", Target::Stopped),
            ("000.31.01.H26", "1.004873", Target::Extended),
            ("000.31.01.H26", "1.001193", Target::Refused),
            ("000.31.01.H26", "1.004873", Target::Submitted),
            ("000.31.02.H26", "1.001193", Target::Submitted),
            ("000.31.02.H26", "1.001612", Target::Withdrawn),
            ("000.31.02.H26", "1.001193", Target::AtStep(Seal)),
            ("000.31.02.H26", "1.004873", Target::Returned),
            ("000.31.02.H26", "1.001612", Target::AtStep(Appraise)),
            ("000.31.02.H26", "1.004873", Target::Received),
            ("000.00.12.H26", "2.001996", Target::AtStep(Approve)),
            ("000.00.12.H26", "2.001996", Target::Received),
        ];
        let mut count = 0;
        for (i, (agency, procedure, target)) in plan.iter().enumerate() {
            let citizen = &self.citizens[i % self.citizens.len()];
            self.drive(agency, procedure, citizen, *target)?;
            count += 1;
        }
        Ok(count + self.reuse_story()?)
    }

    /// "Hand a paper over once": Hường's marriage is registered and returned (the certificate enters her
    /// repository); she keeps her child's birth-certificate scan there herself; then she submits the birth
    /// bundle online reusing both, uploading only the declaration. The ward receives it.
    fn reuse_story(&self) -> ServiceResult<usize> {
        let services = self.services;
        let ward = "000.31.01.H26";
        let citizen = &self.citizens[0];
        self.drive(ward, "1.000894", citizen, Target::Returned)?;
        let owner =
            CitizenIdentity { id_number: citizen.id_number.clone(), name: citizen.name.clone(), birth_date: None };
        let caller = Caller::Citizen(owner.clone());
        let scan = services.papers().upload_bytes(&caller, "giay-chung-sinh.pdf", SAMPLE_SCAN)?;
        let birth_paper = services.repository().add_own_item(
            &owner,
            super::repository::NewItem {
                upload: scan.id,
                title: "Giấy chứng sinh của con".into(),
                paper_type: Some("GCS".into()),
                issuer: Some("Bệnh viện Phụ sản Hải Phòng".into()),
                issue_date: None,
                valid_until: None,
                store: Some("personal_papers".into()),
                folder: Some("Con".into()),
            },
        )?;
        let items = services.repository().repository_items(&owner, Default::default())?;
        let marriage = items
            .iter()
            .find(|i| i.item.paper_type.as_deref() == Some("GCNKH"))
            .ok_or(ServiceError::NotFound("repository.not_found"))?;
        let declaration = services.papers().upload_bytes(&caller, "to-khai-lien-thong.pdf", SAMPLE_SCAN)?;
        let reuse = |id: &str, item: &str| ComponentInput {
            id: id.into(),
            upload: None,
            repository_item: Some(item.into()),
            keep: false,
            form: None,
            count: None,
        };
        let online = super::requests::OnlineSubmission {
            procedure_code: "2.002621".into(),
            agency: ward.into(),
            applicant: ApplicantInput {
                name: citizen.name.clone(),
                id_kind: IdKind::PersonalId,
                id_number: citizen.id_number.clone(),
                birth_date: Some(citizen.birth_date),
                sex: Some(citizen.sex),
                address: citizen.address.clone(),
                phone: citizen.phone.clone(),
                email: citizen.email.clone(),
            },
            summary: Some("Đăng ký khai sinh, thường trú cho con Nguyễn Minh An".into()),
            components: vec![
                ComponentInput {
                    id: "to_khai_lien_thong".into(),
                    upload: Some(declaration.id),
                    repository_item: None,
                    keep: false,
                    form: None,
                    count: None,
                },
                reuse("giay_chung_sinh", &birth_paper.item.id),
                reuse("gcn_ket_hon_cha_me", &marriage.item.id),
            ],
            form_data: Default::default(),
            // Two of the bundle's four: the birth certificate and permanent residence.
            members: vec!["1.001193".into(), "1.004194".into()],
        };
        let dossier = services.dossiers().submit_online(&owner, online)?;
        let clerk = self.person(ward, Role::ReceptionClerk)?;
        let bundle = self.act(clerk, &dossier, ActionRequest::Receive)?;
        // Reception opened the two members: the ward registers the birth at once; residence waits at the police.
        if let Some(birth) = bundle.member_dossiers.iter().find(|m| m.procedure == "1.001193") {
            let mut member = services.dossiers().dossier(clerk, &birth.dossier_id)?;
            let procedure =
                services.catalogue.current("1.001193").ok_or(ServiceError::NotFound("procedure.not_found"))?;
            while let Some(step) = member.step.as_deref().and_then(|s| procedure.step(s)).cloned() {
                if step.kind == StepKind::Return {
                    break;
                }
                member = self.step_forward(&member, ward, step.kind, &step.agency_kind)?;
            }
        }
        Ok(2 + bundle.member_dossiers.len())
    }

    fn drive(&self, agency: &str, code: &str, citizen: &DemoCitizen, target: Target) -> ServiceResult<()> {
        let services = self.services;
        let procedure = services.catalogue.current(code).ok_or(ServiceError::NotFound("procedure.not_found"))?;
        let clerk = self.person(agency, Role::ReceptionClerk)?;
        let online = matches!(target, Target::Submitted | Target::Refused | Target::Withdrawn);
        let input = NewDossier {
            procedure_code: code.to_string(),
            agency: Some(agency.to_string()),
            channel: Channel::Counter,
            applicant: ApplicantInput {
                name: citizen.name.clone(),
                id_kind: IdKind::PersonalId,
                id_number: citizen.id_number.clone(),
                birth_date: Some(citizen.birth_date),
                sex: Some(citizen.sex),
                address: citizen.address.clone(),
                phone: citizen.phone.clone(),
                email: citizen.email.clone(),
            },
            summary: None,
            components: self.scans(clerk, &procedure, online.then_some(citizen))?,
            form_data: Default::default(),
            note: None,
            members: Vec::new(),
        };
        if online {
            let citizen_id =
                CitizenIdentity { id_number: citizen.id_number.clone(), name: citizen.name.clone(), birth_date: None };
            let online = super::requests::OnlineSubmission {
                procedure_code: input.procedure_code,
                agency: agency.to_string(),
                applicant: input.applicant,
                summary: None,
                components: input.components,
                form_data: input.form_data,
                members: Vec::new(),
            };
            let dossier = self.services.dossiers().submit_online(&citizen_id, online)?;
            let request = match target {
                Target::Refused => ActionRequest::RefuseReception {
                    reasons: vec!["Hồ sơ không thuộc thẩm quyền giải quyết của phường".into()],
                },
                Target::Withdrawn => ActionRequest::Withdraw {
                    reason: "Công dân đề nghị rút hồ sơ để nộp lại sau".into(),
                },
                _ => return Ok(()),
            };
            self.act(clerk, &dossier, request)?;
            return Ok(());
        }
        let mut dossier = self.receive(clerk, input)?;
        loop {
            let step = dossier.step.as_deref().and_then(|s| procedure.step(s)).cloned();
            let Some(step) = step else { return Ok(()) };
            match (target, step.kind) {
                (Target::Received, _) => return Ok(()),
                // A bundle moves with its members.
                (_, StepKind::Bundle) => return Ok(()),
                (Target::AtStep(kind), current) if kind == current => return Ok(()),
                (Target::Supplement, StepKind::Appraise) => {
                    let item = SupplementItem {
                        component: procedure
                            .components
                            .iter()
                            .find(|c| c.required && !c.in_person_only)
                            .map(|c| c.id.clone()),
                        reason: "Bản chụp không rõ, đề nghị nộp bản rõ nét".into(),
                    };
                    let specialist = self.assignee_of(&dossier, agency)?;
                    self.act(&specialist, &dossier, ActionRequest::RequestSupplement { items: vec![item] })?;
                    return Ok(());
                }
                (Target::Payment, StepKind::Appraise) => {
                    let specialist = self.assignee_of(&dossier, agency)?;
                    self.act(
                        &specialist,
                        &dossier,
                        ActionRequest::RequestPayment {
                            amount_vnd: 100_000,
                            charge: None,
                            reason: Some(DEMO_FEE_REASON.into()),
                        },
                    )?;
                    return Ok(());
                }
                (Target::Extended, StepKind::Appraise) => {
                    let leader = self.person(agency, Role::AgencyLeader)?;
                    let due = dossier.due_at.unwrap_or_else(|| self.services.now());
                    let reason = "Cần xác minh tình trạng hôn nhân tại nơi cư trú trước đây".to_string();
                    let extend = ActionRequest::Extend { new_due: due + chrono::TimeDelta::days(3), reason };
                    self.act(leader, &dossier, extend)?;
                    return Ok(());
                }
                (Target::Stopped, StepKind::Appraise) => {
                    let leader = self.person(agency, Role::AgencyLeader)?;
                    let reasons = vec!["Giấy tờ chứng minh không hợp lệ".to_string()];
                    self.act(leader, &dossier, ActionRequest::Stop { reasons })?;
                    return Ok(());
                }
                _ => {}
            }
            dossier = self.step_forward(&dossier, agency, step.kind, &step.agency_kind)?;
            if dossier.status == Status::Returned {
                return Ok(());
            }
        }
    }

    /// Does the natural work of the current step with the right person.
    fn step_forward(
        &self,
        dossier: &Dossier,
        agency: &str,
        kind: StepKind,
        consulted: &Option<String>,
    ) -> ServiceResult<Dossier> {
        match kind {
            StepKind::Assign => {
                let specialist = self.person(agency, Role::Specialist)?;
                self.act(
                    self.person(agency, Role::DivisionHead)?,
                    dossier,
                    ActionRequest::Assign { assignee: specialist.id.clone() },
                )
            }
            StepKind::Appraise => {
                let proposal = Proposal::Result {
                    summary: "Hồ sơ đầy đủ, hợp lệ; đề nghị giải quyết".into()
                };
                self.act(&self.assignee_of(dossier, agency)?, dossier, ActionRequest::Appraise { proposal })
            }
            StepKind::Consult => {
                let kind = consulted.as_deref().unwrap_or_default();
                let other = self
                    .agencies
                    .iter()
                    .filter(|a| a.kind == kind)
                    .find(|a| self.people.contains_key(&(a.id.clone(), Role::Specialist)))
                    .ok_or(ServiceError::NotFound("agency.not_found"))?;
                let question = "Đề nghị phối hợp giải quyết phần việc của cơ quan".to_string();
                let asked = self.act(
                    &self.assignee_of(dossier, agency)?,
                    dossier,
                    ActionRequest::Consult { agency: other.id.clone(), question },
                )?;
                let answer = "Đã giải quyết phần việc được phối hợp".to_string();
                self.act(
                    self.person(&other.id, Role::Specialist)?,
                    &asked,
                    ActionRequest::Answer { answer, favourable: true },
                )
            }
            StepKind::Bundle => Err(ServiceError::Conflict("bundle.waits", dossier.id.clone())),
            StepKind::Approve => self.act(self.person(agency, Role::DivisionHead)?, dossier, ActionRequest::Approve),
            StepKind::Sign => self.act(self.person(agency, Role::AgencyLeader)?, dossier, ActionRequest::Sign),
            StepKind::Seal => {
                // With signing keys the result is the generated document; without, the records clerk scans the
                // result signed on paper, then numbers and seals it.
                let records = self.person(agency, Role::RecordsClerk)?;
                if self.services.keyring.is_some() {
                    let number = format!("{}/{}", dossier.version, dossier.procedure_code);
                    return self.act(records, dossier, ActionRequest::Seal { number });
                }
                let caller = Caller::Staff(records.clone());
                let upload = self.services.papers().upload_bytes(&caller, "ket-qua.pdf", SAMPLE_RESULT)?;
                let title = self
                    .services
                    .catalogue
                    .current(&dossier.procedure_code)
                    .and_then(|p| p.results.first().map(|r| r.name.clone()))
                    .unwrap_or_else(|| "Kết quả giải quyết".into());
                let request = super::papers::ResultRequest { upload: upload.id, title };
                let with_result =
                    self.services.papers().attach_result(&caller, &dossier.id, dossier.version, request)?;
                let number = format!("{}/{}", with_result.version, with_result.procedure_code);
                self.act(records, &with_result, ActionRequest::Seal { number })
            }
            StepKind::Pay => {
                let clerk = self.person(agency, Role::ReceptionClerk)?;
                let amount = self
                    .services
                    .catalogue
                    .current(&dossier.procedure_code)
                    .map_or(0, |p| p.fees.iter().map(|f| f.amount_vnd).sum());
                let requested = self.act(
                    clerk,
                    dossier,
                    ActionRequest::RequestPayment {
                        amount_vnd: amount.max(1),
                        charge: None,
                        reason: Some(DEMO_FEE_REASON.into()),
                    },
                )?;
                let reference = format!("BL-{}", &dossier.id[..8]);
                self.act(clerk, &requested, ActionRequest::RecordPayment { amount_vnd: amount.max(1), reference })
            }
            StepKind::Return => self.act(
                self.person(agency, Role::ReceptionClerk)?,
                dossier,
                ActionRequest::Return { method: ReturnMethod::Counter },
            ),
            StepKind::Receive => Ok(dossier.clone()),
        }
    }

    /// One uploaded scan per required component, by the clerk (counter) or the applicant (online).
    fn scans(
        &self,
        clerk: &StaffIdentity,
        procedure: &crate::domain::procedure::Procedure,
        citizen: Option<&DemoCitizen>,
    ) -> ServiceResult<Vec<ComponentInput>> {
        let caller = match citizen {
            Some(c) => Caller::Citizen(CitizenIdentity {
                id_number: c.id_number.clone(),
                name: c.name.clone(),
                birth_date: None,
            }),
            None => Caller::Staff(clerk.clone()),
        };
        procedure
            .components
            .iter()
            .filter(|c| c.required && !c.in_person_only)
            .map(|c| {
                let upload = self.services.papers().upload_bytes(&caller, &format!("{}.pdf", c.id), SAMPLE_SCAN)?;
                Ok(ComponentInput {
                    id: c.id.clone(),
                    upload: Some(upload.id),
                    repository_item: None,
                    keep: true,
                    form: None,
                    count: None,
                })
            })
            .collect()
    }

    fn assignee_of(&self, dossier: &Dossier, agency: &str) -> ServiceResult<StaffIdentity> {
        match &dossier.assignee {
            Some(assignee) => self.services.identity().staff(&assignee.id),
            None => self.person(agency, Role::Specialist).cloned(),
        }
    }

    fn receive(&self, clerk: &StaffIdentity, input: NewDossier) -> ServiceResult<Dossier> {
        match self.services.dossiers().receive(clerk, input, None)? {
            super::dossiers::Received::Created(dossier) => Ok(*dossier),
            super::dossiers::Received::Replayed { .. } => Err(ServiceError::Conflict("demo.replayed", String::new())),
        }
    }

    fn act(&self, who: &StaffIdentity, dossier: &Dossier, request: ActionRequest) -> ServiceResult<Dossier> {
        self.services.dossiers().act(who, &dossier.id, dossier.version, request, None)
    }
}
