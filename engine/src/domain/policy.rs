//! Who may see, list or do what (DESIGN.md §11: role × agency × ownership). The one place every access question
//! is answered: by the domain's decisions, the service's use cases, the work queues and the pages alike. Pure:
//! the caller and what the store knows of the target come in, a yes or no goes out.

use super::actor::Actor;
use super::dossier::{Channel, Dossier, Rejection, Submission};
use super::identity::{Caller, CitizenIdentity, ServiceIdentity, StaffIdentity};
use super::procedure::Role;

/// The scope a service account needs to exchange with us as the national portal.
pub const PORTAL_SCOPE: &str = "portal";

/// What a caller asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read a dossier: its state, history, papers and forms.
    SeeDossier,
    /// Receive a new dossier at an agency's one-stop desk (counter or post).
    Receive,
    /// List an agency's dossiers (queues, search) and read its register (form 06).
    ListAgency,
    /// Work a step of an agency's dossiers in a role.
    Handle(Role),
    /// An agency's dashboard and reports.
    Reports,
    /// Look people up in the population database at a desk.
    LookUpPopulation,
    /// Agencies, staff, procedures, calendars, the outbox and background jobs.
    Administer,
    /// Exchange with us as the national portal: route dossiers, push and pull repository papers.
    ExchangeAsPortal,
    /// Read or reuse a paper of a data repository.
    UseRepositoryItem,
}

/// What it is asked of.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Dossier(&'a Dossier),
    /// An agency, by its electronic id.
    Agency(&'a str),
    /// Any agency, or none in particular (the administration, the portal link).
    Anywhere,
    RepositoryItem(&'a ItemAccess<'a>),
}

/// What the store knows of who may read a repository item.
#[derive(Debug, Clone, Copy)]
pub struct ItemAccess<'a> {
    pub owner: &'a str,
    /// The agency that issued it (a result of one of its dossiers).
    pub issuer_agency: Option<&'a str>,
    /// Agencies the owner shared it with.
    pub shared_with_agencies: &'a [String],
    /// Dossiers the owner shared it with.
    pub shared_with_dossiers: &'a [Dossier],
    pub shared_with_portal: bool,
}

/// Whether `caller` may do `access` to `target`.
pub fn may(caller: &Caller, access: Access, target: Target<'_>) -> bool {
    match caller {
        Caller::Staff(staff) => staff_may(staff, access, target),
        Caller::Citizen(citizen) => citizen_may(citizen, access, target),
        Caller::Service(service) => service_may(service, access, target),
    }
}

pub fn staff_may(staff: &StaffIdentity, access: Access, target: Target<'_>) -> bool {
    let in_agency = |agency: &str| staff.roles.iter().any(|(a, _)| a == agency);
    let holds_in = |agency: &str, role: Role| staff.holds(agency, role);
    match (access, target) {
        (Access::SeeDossier, Target::Dossier(d)) => {
            // Its agency; an agency consulted on it (now or before); the one-stop desk of its bundle.
            in_agency(&d.agency)
                || d.consultation.as_ref().is_some_and(|c| in_agency(&c.agency))
                || d.consulted_agencies.iter().any(|a| in_agency(a))
                || d.bundle.as_ref().is_some_and(|b| in_agency(&b.agency))
        }
        (Access::Receive, Target::Agency(a)) => holds_in(a, Role::ReceptionClerk),
        (Access::ListAgency, Target::Agency(a)) => in_agency(a),
        (Access::Handle(role), Target::Agency(a)) => role != Role::Admin && holds_in(a, role),
        (Access::Handle(role), Target::Dossier(d)) => role != Role::Admin && holds_in(&d.agency, role),
        (Access::Reports, Target::Agency(a)) => {
            staff.holds_anywhere(Role::Admin) || holds_in(a, Role::AgencyLeader) || holds_in(a, Role::DivisionHead)
        }
        (Access::Reports, Target::Anywhere) => {
            staff.roles.iter().any(|(_, r)| matches!(r, Role::Admin | Role::AgencyLeader | Role::DivisionHead))
        }
        (Access::Receive, Target::Anywhere) | (Access::LookUpPopulation, Target::Anywhere) => {
            staff.holds_anywhere(Role::ReceptionClerk)
        }
        (Access::Handle(role), Target::Anywhere) => role != Role::Admin && staff.holds_anywhere(role),
        (Access::Administer, Target::Anywhere) => staff.holds_anywhere(Role::Admin),
        (Access::UseRepositoryItem, Target::RepositoryItem(item)) => {
            item.issuer_agency.is_some_and(in_agency)
                || item.shared_with_agencies.iter().any(|a| in_agency(a))
                || item.shared_with_dossiers.iter().any(|d| staff_may(staff, Access::SeeDossier, Target::Dossier(d)))
        }
        _ => false,
    }
}

fn citizen_may(citizen: &CitizenIdentity, access: Access, target: Target<'_>) -> bool {
    match (access, target) {
        (Access::SeeDossier, Target::Dossier(d)) => d.is_owned_by(&citizen.id_number),
        (Access::UseRepositoryItem, Target::RepositoryItem(item)) => item.owner == citizen.id_number,
        _ => false,
    }
}

fn service_may(service: &ServiceIdentity, access: Access, target: Target<'_>) -> bool {
    match (access, target) {
        (Access::ExchangeAsPortal, Target::Anywhere) => service.has_scope(PORTAL_SCOPE),
        (Access::UseRepositoryItem, Target::RepositoryItem(item)) => {
            service.has_scope(PORTAL_SCOPE) && item.shared_with_portal
        }
        _ => false,
    }
}

/// The agencies a staff member may do `access` in: the desks where they receive, the agencies they list.
pub fn agencies_for(staff: &StaffIdentity, access: Access) -> Vec<String> {
    staff.agencies().into_iter().filter(|a| staff_may(staff, access, Target::Agency(a))).collect()
}

/// Which agencies' reports a staff member may read: every agency for an administrator, else their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(Vec<String>),
}

pub fn reports_scope(staff: &StaffIdentity) -> Option<Scope> {
    if staff.holds_anywhere(Role::Admin) {
        return Some(Scope::All);
    }
    let mine = agencies_for(staff, Access::Reports);
    (!mine.is_empty()).then_some(Scope::Only(mine))
}

/// The domain's check of whoever acts on an agency's dossier in one of `roles`: staff of that agency holding
/// one of them.
pub fn check_actor(actor: &Actor, agency: &str, roles: &[Role]) -> Result<(), Rejection> {
    match actor.staff_role() {
        Some((_, their_agency)) if their_agency != agency => Err(Rejection::WrongAgency),
        Some((role, _)) if roles.contains(&role) => Ok(()),
        _ => Err(Rejection::ForbiddenRole { required: roles.to_vec() }),
    }
}

/// Who, besides the agency's staff in the step's roles, may act on a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Besides {
    Nobody,
    /// The system (the payment platform's callback).
    System,
    /// The system, when the dossier is a bundle's member (received and returned with the bundle).
    SystemForMember,
    /// The applicant who owns it (their papers, their withdrawal).
    Owner,
    /// The system alone: nobody on staff (a bundle waiting for its members).
    SystemOnly,
}

/// The domain's check of whoever acts on a dossier: staff of its agency holding one of `roles`, or whom
/// `besides` lets in.
pub fn check_acting(actor: &Actor, dossier: &Dossier, roles: &[Role], besides: Besides) -> Result<(), Rejection> {
    match (actor, besides) {
        (Actor::System { .. }, Besides::System | Besides::SystemOnly) => Ok(()),
        (Actor::System { .. }, Besides::SystemForMember) if dossier.bundle.is_some() => Ok(()),
        (_, Besides::SystemOnly) => Err(Rejection::ForbiddenRole { required: vec![] }),
        (Actor::Citizen { id, .. }, Besides::Owner) if dossier.is_owned_by(id) => Ok(()),
        (Actor::Citizen { .. }, Besides::Owner) => Err(Rejection::NotOwner),
        _ => check_actor(actor, &dossier.agency, roles),
    }
}

/// Who may hand in a new dossier: the applicant themself or the portal for them online; a reception clerk of
/// the agency at the counter or by post; the system alone opens a bundle's members.
pub fn check_submitter(actor: &Actor, submission: &Submission) -> Result<(), Rejection> {
    match (actor, submission.channel) {
        (Actor::System { .. }, _) if submission.bundle.is_some() => Ok(()),
        (_, _) if submission.bundle.is_some() => Err(Rejection::ForbiddenRole { required: vec![] }),
        (Actor::Citizen { id, .. }, Channel::Online) if *id != submission.applicant.id_number => {
            Err(Rejection::NotOwner)
        }
        (Actor::Citizen { .. } | Actor::System { .. }, Channel::Online) => Ok(()),
        (Actor::Staff { .. }, Channel::Counter | Channel::Post) => {
            check_actor(actor, &submission.agency, &[Role::ReceptionClerk])
        }
        (_, _) => Err(Rejection::ForbiddenRole { required: vec![Role::ReceptionClerk] }),
    }
}

/// The scopes a service account may be given a token for: some of its own, never none.
pub fn scopes_granted(service: &ServiceIdentity, requested: &[String]) -> bool {
    !requested.is_empty() && requested.iter().all(|s| service.has_scope(s))
}

#[cfg(test)]
mod tests {
    //! Every actor kind × resource × own/other agency × action: the answers listed are yes, every other no.

    use std::collections::BTreeSet;

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::domain::dossier::{Applicant, BundleRef, Change, Consultation, Event, IdKind, Status, fold};

    const OWN: &str = "own-agency";
    const OTHER: &str = "other-agency";
    const OWNER: &str = "031190012345";

    fn staff(roles: &[(&str, Role)]) -> Caller {
        Caller::Staff(StaffIdentity {
            id: "s".into(),
            username: "s".into(),
            full_name: "S".into(),
            roles: roles.iter().map(|(a, r)| (a.to_string(), *r)).collect(),
            token_generation: 0,
        })
    }

    fn citizen(id: &str) -> Caller {
        Caller::Citizen(CitizenIdentity { id_number: id.into(), name: "C".into(), birth_date: None })
    }

    fn service(scope: &str) -> Caller {
        Caller::Service(ServiceIdentity { name: "svc".into(), scopes: vec![scope.into()] })
    }

    fn actors() -> Vec<(&'static str, Caller)> {
        vec![
            ("admin", staff(&[("province", Role::Admin)])),
            ("clerk", staff(&[(OWN, Role::ReceptionClerk)])),
            ("specialist", staff(&[(OWN, Role::Specialist)])),
            ("head", staff(&[(OWN, Role::DivisionHead)])),
            ("leader", staff(&[(OWN, Role::AgencyLeader)])),
            ("records", staff(&[(OWN, Role::RecordsClerk)])),
            ("other_clerk", staff(&[(OTHER, Role::ReceptionClerk)])),
            ("owner", citizen(OWNER)),
            ("stranger", citizen("001099000001")),
            ("portal", service(PORTAL_SCOPE)),
            ("service", service("statistics")),
        ]
    }

    fn dossier(agency: &str) -> Dossier {
        let submission = Submission {
            id: "d".into(),
            procedure_code: "1.001193".into(),
            procedure_version: 1,
            agency: agency.into(),
            channel: Channel::Online,
            applicant: Applicant {
                name: "Nguyễn Thị Hường".into(),
                id_kind: IdKind::PersonalId,
                id_number: OWNER.into(),
                birth_date: None,
                sex: None,
                address: None,
                phone: None,
                email: None,
            },
            summary: "Khai sinh".into(),
            components: Vec::new(),
            code: None,
            form_data: Default::default(),
            portal_id: None,
            signed_in_with_vneid: false,
            members: Vec::new(),
            bundle: None,
        };
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
        let citizen = Actor::Citizen { id: OWNER.into(), name: "C".into() };
        let mut event = Event::new(at, citizen, Change::Submitted(Box::new(submission)));
        event.status = Some(Status::Submitted);
        fold([&event]).expect("a dossier")
    }

    fn accesses() -> Vec<(&'static str, Access)> {
        vec![
            ("see", Access::SeeDossier),
            ("receive", Access::Receive),
            ("list", Access::ListAgency),
            ("handle_clerk", Access::Handle(Role::ReceptionClerk)),
            ("handle_specialist", Access::Handle(Role::Specialist)),
            ("handle_head", Access::Handle(Role::DivisionHead)),
            ("handle_leader", Access::Handle(Role::AgencyLeader)),
            ("handle_admin", Access::Handle(Role::Admin)),
            ("reports", Access::Reports),
            ("population", Access::LookUpPopulation),
            ("administer", Access::Administer),
            ("portal", Access::ExchangeAsPortal),
            ("item", Access::UseRepositoryItem),
        ]
    }

    /// Yes answers as "actor access target"; each line lists the targets for one actor and access.
    const ALLOWED: &str = "
        admin reports agency other_agency anywhere
        admin administer anywhere
        clerk see dossier consulted was_consulted member
        clerk receive agency anywhere
        clerk list agency
        clerk handle_clerk dossier agency anywhere
        clerk population anywhere
        clerk item issued shared_dossier
        specialist see dossier consulted was_consulted member
        specialist list agency
        specialist handle_specialist dossier agency anywhere
        specialist item issued shared_dossier
        head see dossier consulted was_consulted member
        head list agency
        head handle_head dossier agency anywhere
        head reports agency anywhere
        head item issued shared_dossier
        leader see dossier consulted was_consulted member
        leader list agency
        leader handle_leader dossier agency anywhere
        leader reports agency anywhere
        leader item issued shared_dossier
        records see dossier consulted was_consulted member
        records list agency
        records item issued shared_dossier
        other_clerk see foreign consulted was_consulted member
        other_clerk receive other_agency anywhere
        other_clerk list other_agency
        other_clerk handle_clerk foreign consulted was_consulted member other_agency anywhere
        other_clerk population anywhere
        other_clerk item other_issued
        owner see dossier foreign consulted was_consulted member
        owner item issued shared_dossier other_issued for_portal
        portal portal anywhere
        portal item for_portal
    ";

    #[test]
    fn every_actor_resource_agency_and_action() {
        let own = dossier(OWN);
        let foreign = dossier(OTHER);
        // Another agency's dossier on which ours was consulted, and a member of a bundle received at our desk.
        let mut consulted = dossier(OTHER);
        consulted.consultation = Some(Consultation {
            agency: OWN.into(),
            question: "?".into(),
            asked_at: Utc.with_ymd_and_hms(2026, 3, 3, 2, 0, 0).unwrap(),
            answer: None,
        });
        let mut was_consulted = dossier(OTHER);
        was_consulted.consulted_agencies = vec![OWN.into()];
        let mut member = dossier(OTHER);
        member.bundle = Some(BundleRef { dossier_id: "b".into(), code: "B".into(), agency: OWN.into() });
        let shared_dossiers = vec![own.clone()];
        let item = |issuer: Option<&'static str>, dossiers: &'static [Dossier], portal: bool| ItemAccess {
            owner: OWNER,
            issuer_agency: issuer,
            shared_with_agencies: &[],
            shared_with_dossiers: dossiers,
            shared_with_portal: portal,
        };
        let issued = item(Some(OWN), &[], false);
        let other_issued = item(Some(OTHER), &[], false);
        let for_portal = item(None, &[], true);
        let shared_dossier = ItemAccess { shared_with_dossiers: &shared_dossiers, ..item(None, &[], false) };
        let targets: Vec<(&str, Target)> = vec![
            ("dossier", Target::Dossier(&own)),
            ("foreign", Target::Dossier(&foreign)),
            ("consulted", Target::Dossier(&consulted)),
            ("was_consulted", Target::Dossier(&was_consulted)),
            ("member", Target::Dossier(&member)),
            ("agency", Target::Agency(OWN)),
            ("other_agency", Target::Agency(OTHER)),
            ("anywhere", Target::Anywhere),
            ("issued", Target::RepositoryItem(&issued)),
            ("other_issued", Target::RepositoryItem(&other_issued)),
            ("shared_dossier", Target::RepositoryItem(&shared_dossier)),
            ("for_portal", Target::RepositoryItem(&for_portal)),
        ];
        let allowed: BTreeSet<(String, String, String)> = ALLOWED
            .lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                Some((
                    words.next()?.to_string(),
                    words.next()?.to_string(),
                    words.map(String::from).collect::<Vec<_>>(),
                ))
            })
            .flat_map(|(actor, access, targets)| targets.into_iter().map(move |t| (actor.clone(), access.clone(), t)))
            .collect();
        let mut wrong = Vec::new();
        for (actor_name, caller) in actors() {
            for (access_name, access) in accesses() {
                for (target_name, target) in &targets {
                    let expected = allowed.contains(&(actor_name.into(), access_name.into(), target_name.to_string()));
                    if may(&caller, access, *target) != expected {
                        wrong.push(format!("{actor_name} {access_name} {target_name}: expected {expected}"));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn an_item_shared_with_an_agency_is_seen_by_its_staff_only() {
        let agencies = vec![OWN.to_string()];
        let item = ItemAccess {
            owner: OWNER,
            issuer_agency: None,
            shared_with_agencies: &agencies,
            shared_with_dossiers: &[],
            shared_with_portal: false,
        };
        let target = Target::RepositoryItem(&item);
        assert!(may(&staff(&[(OWN, Role::Specialist)]), Access::UseRepositoryItem, target));
        assert!(!may(&staff(&[(OTHER, Role::Specialist)]), Access::UseRepositoryItem, target));
    }

    #[test]
    fn who_acts_on_a_dossier() {
        let own = dossier(OWN);
        let mut member = dossier(OWN);
        member.bundle = Some(BundleRef { dossier_id: "b".into(), code: "B".into(), agency: OTHER.into() });
        let clerk = Actor::Staff { id: "c".into(), name: "C".into(), role: Role::ReceptionClerk, agency: OWN.into() };
        let leader = Actor::Staff { id: "l".into(), name: "L".into(), role: Role::AgencyLeader, agency: OWN.into() };
        let elsewhere =
            Actor::Staff { id: "x".into(), name: "X".into(), role: Role::ReceptionClerk, agency: OTHER.into() };
        let system = Actor::System { name: "platform".into() };
        let owner = Actor::Citizen { id: OWNER.into(), name: "O".into() };
        let stranger = Actor::Citizen { id: "001099000001".into(), name: "S".into() };
        let roles = [Role::ReceptionClerk];
        let answer = |actor: &Actor, dossier: &Dossier, besides| {
            check_acting(actor, dossier, &roles, besides).err().map(|r| r.code()).unwrap_or("yes")
        };
        let forbidden = "dossier.forbidden_role";
        #[rustfmt::skip]
        let table: &[(&Actor, &Dossier, Besides, &str)] = &[
            (&clerk, &own, Besides::Nobody, "yes"),
            (&leader, &own, Besides::Nobody, forbidden),
            (&elsewhere, &own, Besides::Nobody, "dossier.wrong_agency"),
            (&system, &own, Besides::Nobody, forbidden),
            (&owner, &own, Besides::Nobody, forbidden),
            (&system, &own, Besides::System, "yes"),
            (&owner, &own, Besides::System, forbidden),
            (&system, &own, Besides::SystemForMember, forbidden),
            (&system, &member, Besides::SystemForMember, "yes"),
            (&clerk, &member, Besides::SystemForMember, "yes"),
            (&owner, &own, Besides::Owner, "yes"),
            (&stranger, &own, Besides::Owner, "dossier.not_owner"),
            (&clerk, &own, Besides::Owner, "yes"),
            (&system, &own, Besides::Owner, forbidden),
            (&system, &own, Besides::SystemOnly, "yes"),
            (&clerk, &own, Besides::SystemOnly, forbidden),
            (&owner, &own, Besides::SystemOnly, forbidden),
        ];
        for (actor, dossier, besides, expected) in table {
            assert_eq!(answer(actor, dossier, *besides), *expected, "{actor:?} {besides:?}");
        }
    }

    #[test]
    fn who_hands_in_a_dossier() {
        let submission = |channel, bundle: bool| {
            let d = dossier(OWN);
            Submission {
                id: d.id,
                procedure_code: d.procedure_code,
                procedure_version: d.procedure_version,
                agency: d.agency,
                channel,
                applicant: d.applicant,
                summary: d.summary,
                components: Vec::new(),
                code: None,
                form_data: Default::default(),
                portal_id: None,
                signed_in_with_vneid: false,
                members: Vec::new(),
                bundle: bundle.then(|| BundleRef { dossier_id: "b".into(), code: "B".into(), agency: OWN.into() }),
            }
        };
        let clerk = Actor::Staff { id: "c".into(), name: "C".into(), role: Role::ReceptionClerk, agency: OWN.into() };
        let elsewhere =
            Actor::Staff { id: "x".into(), name: "X".into(), role: Role::ReceptionClerk, agency: OTHER.into() };
        let system = Actor::System { name: "portal".into() };
        let owner = Actor::Citizen { id: OWNER.into(), name: "O".into() };
        let stranger = Actor::Citizen { id: "001099000001".into(), name: "S".into() };
        let answer = |actor: &Actor, s: &Submission| check_submitter(actor, s).err().map(|r| r.code()).unwrap_or("yes");
        let forbidden = "dossier.forbidden_role";
        #[rustfmt::skip]
        let table: &[(&Actor, Channel, bool, &str)] = &[
            (&owner, Channel::Online, false, "yes"),
            (&stranger, Channel::Online, false, "dossier.not_owner"),
            (&system, Channel::Online, false, "yes"),
            (&clerk, Channel::Online, false, forbidden),
            (&clerk, Channel::Counter, false, "yes"),
            (&clerk, Channel::Post, false, "yes"),
            (&elsewhere, Channel::Counter, false, "dossier.wrong_agency"),
            (&owner, Channel::Counter, false, forbidden),
            (&system, Channel::Counter, true, "yes"),
            (&clerk, Channel::Counter, true, forbidden),
            (&owner, Channel::Online, true, forbidden),
        ];
        for (actor, channel, bundle, expected) in table {
            assert_eq!(answer(actor, &submission(*channel, *bundle)), *expected, "{actor:?} {channel:?}");
        }
    }
}
