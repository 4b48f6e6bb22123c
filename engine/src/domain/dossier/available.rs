//! What a person may do to a dossier as it stands: the actions `decide` would let them try, derived from
//! `decide` itself so that the two can never disagree. Each candidate action is decided with placeholder data
//! for each of the person's roles; a refusal that is about who acts, the status or the step means the action
//! is not theirs now, while a refusal about the data (an empty reason, a missing paper) means it is theirs and
//! the form will ask for what is missing.

use chrono::{DateTime, Utc};

use super::action::{Action, Context};
use super::decide::decide;
use super::model::{Digitisation, Dossier, IdentityOutcome, Proposal};
use super::rejection::Rejection;
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::calendar::Calendar;
use crate::domain::procedure::{Procedure, ReturnMethod};

/// Whether a refusal says the action is not the actor's to take now (as opposed to bad or missing data).
pub fn refuses_the_actor(rejection: &Rejection) -> bool {
    use Rejection::*;
    matches!(
        rejection,
        WrongStatus { .. }
            | StaleVersion { .. }
            | ForbiddenRole { .. }
            | WrongAgency
            | NotAssignee
            | NotOwner
            | WrongStep { .. }
            | SupplementAlreadyRequested
            | AwaitingAnswer
            | NotConsulted
            | ProcedureMismatch
            | NotOnline
            | IdentityMismatch
    )
}

/// One probe per action a person can take on an existing dossier, with placeholder data. Where `decide`
/// checks data before the actor (the seal's number), the placeholder is valid so the actor is checked.
fn probes(now: DateTime<Utc>) -> Vec<Action> {
    let nobody = || StaffRef { id: String::new(), name: String::new() };
    vec![
        Action::Receive { code: "probe".into(), register_entry: None },
        Action::CheckIdentity { outcome: IdentityOutcome::Match, registered: None },
        Action::RefuseReception { reasons: Vec::new() },
        Action::RequestSupplement { items: Vec::new() },
        Action::AttachPaper {
            component: String::new(),
            paper_id: String::new(),
            digitisation: Digitisation::Digitised,
        },
        Action::Resubmit,
        Action::Assign { assignee: nobody() },
        Action::Reassign { assignee: nobody() },
        Action::Appraise { proposal: Proposal::Result { summary: String::new() }, document: None },
        Action::Approve,
        Action::Disagree { reason: String::new() },
        Action::Sign { document: None },
        Action::AttachResult { paper_id: String::new(), title: String::new() },
        Action::Seal { number: "probe".into(), document: None },
        Action::Consult { agency: String::new(), question: String::new() },
        Action::Answer { answer: String::new(), favourable: true },
        Action::RequestPayment { amount_vnd: 0, charge: None, reason: None },
        Action::RecordPayment { amount_vnd: 0, reference: String::new() },
        Action::Extend { new_due: now, reason: String::new() },
        Action::Stop { reasons: Vec::new() },
        Action::Withdraw { reason: String::new() },
        Action::Return { method: ReturnMethod::Counter },
    ]
}

/// The names (`Action::name`) of the actions any of `actors` (one person in each of their roles) may take on
/// the dossier now, in the order of the lifecycle. Pure: time is an argument.
pub fn available_actions(
    dossier: &Dossier,
    procedure: &Procedure,
    actors: &[Actor],
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> Vec<&'static str> {
    let mut offered = Vec::new();
    for probe in probes(now) {
        let name = probe.name();
        let open = actors.iter().any(|actor| {
            let ctx = Context::new(now, actor.clone(), calendar);
            match decide(dossier, procedure, probe.clone(), &ctx) {
                Ok(_) => true,
                // Only a personal id can be checked with the population database: for any other applicant
                // the check is not on offer.
                Err(Rejection::InvalidApplicant(_)) if name == "check_identity" => false,
                Err(rejection) => !refuses_the_actor(&rejection),
            }
        });
        if open {
            offered.push(name);
        }
    }
    offered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::tests::{at, vn_calendar};
    use crate::domain::dossier::{
        Applicant, Channel, ComponentState, Event, IdKind, Submission, apply, decide_submission, fold,
    };
    use crate::domain::procedure::{Registry, Role, parse_procedure};

    const AGENCY: &str = "000.31.01.H26";

    fn procedure() -> Procedure {
        let registry = Registry::from_toml(
            "[fields]\nHOTICH = \"Hộ tịch\"\n[paper_types]\nGKS = \"Giấy khai sinh\"\n[agency_kinds]\ncommune_peoples_committee = \"UBND xã\"\n",
        )
        .unwrap();
        let text = r#"
code = "1.001193"
version = 1
name = "Đăng ký khai sinh"
field = "Hộ tịch"
field_code = "HOTICH"
level = "commune"
agency_kind = "commune_peoples_committee"
online = "full"
processing_time = { working_days = 3 }
on_supplement = "pause"
return_methods = ["counter"]
results = [{ kind = "certificate", name = "Giấy khai sinh", repository_type = "GKS" }]
steps = [
  { id = "receive",  kind = "receive",  role = "reception_clerk", share = 0.05 },
  { id = "assign",   kind = "assign",   role = "division_head",   share = 0.05 },
  { id = "appraise", kind = "appraise", role = "specialist",      share = 0.55 },
  { id = "review",   kind = "approve",  role = "division_head",   share = 0.10, on_disagree = "appraise" },
  { id = "sign",     kind = "sign",     role = "agency_leader",   share = 0.10, on_disagree = "review" },
  { id = "seal",     kind = "seal",     role = "records_clerk",   share = 0.05 },
  { id = "return",   kind = "return",   role = "reception_clerk", share = 0.10 },
]
[[component]]
id = "to_khai"
name = "Tờ khai"
required = true
"#;
        parse_procedure("test.toml", text, &registry).unwrap_or_else(|p| panic!("{p:#?}"))
    }

    fn staff(role: Role) -> Actor {
        Actor::Staff { id: format!("id-{role}"), name: role.to_string(), role, agency: AGENCY.into() }
    }

    fn now() -> DateTime<Utc> {
        at("2027-01-12T09:00:00+07:00")
    }

    /// A dossier received at the counter (status 2, at the assign step).
    fn received() -> (Dossier, Procedure) {
        let procedure = procedure();
        let calendar = vn_calendar();
        let submission = Submission {
            id: "d-1".into(),
            procedure_code: "1.001193".into(),
            procedure_version: 1,
            agency: AGENCY.into(),
            channel: Channel::Counter,
            applicant: Applicant {
                name: "Nguyễn Thị Hường".into(),
                id_kind: IdKind::PersonalId,
                id_number: "031190012345".into(),
                birth_date: chrono::NaiveDate::from_ymd_opt(1990, 5, 17),
                sex: Some(crate::domain::codes::Sex::Female),
                address: None,
                phone: None,
                email: None,
            },
            summary: "Đăng ký khai sinh".into(),
            code: None,
            form_data: Default::default(),
            portal_id: None,
            signed_in_with_vneid: false,
            members: Vec::new(),
            bundle: None,
            components: vec![ComponentState {
                id: "to_khai".into(),
                provided: true,
                digitisation: Digitisation::Digitised,
                paper: Some("p-1".into()),
                handed_in_as: None,
                count: None,
            }],
        };
        let ctx = Context::new(now(), staff(Role::ReceptionClerk), &calendar);
        let dossier = fold(&decide_submission(&procedure, submission, &ctx).unwrap()).unwrap();
        let events =
            decide(&dossier, &procedure, Action::Receive { code: "X-1".into(), register_entry: None }, &ctx).unwrap();
        (events.iter().fold(dossier, apply), procedure)
    }

    fn act(dossier: Dossier, procedure: &Procedure, actor: Actor, action: Action) -> Dossier {
        let calendar = vn_calendar();
        let ctx = Context::new(now(), actor, &calendar);
        let events: Vec<Event> = decide(&dossier, procedure, action, &ctx).unwrap();
        events.iter().fold(dossier, apply)
    }

    fn offered(dossier: &Dossier, procedure: &Procedure, actors: &[Actor]) -> Vec<&'static str> {
        available_actions(dossier, procedure, actors, now(), &vn_calendar())
    }

    #[test]
    fn each_role_is_offered_exactly_its_work_at_each_step() {
        let (d, p) = received();
        assert_eq!(
            offered(&d, &p, &[staff(Role::DivisionHead)]),
            ["request_supplement", "assign", "reassign", "request_payment"]
        );
        assert!(offered(&d, &p, &[staff(Role::Specialist)]).is_empty());
        let clerk = offered(&d, &p, &[staff(Role::ReceptionClerk)]);
        assert_eq!(clerk, ["check_identity", "attach_paper", "request_payment"]);
        assert_eq!(offered(&d, &p, &[staff(Role::AgencyLeader)]), ["reassign", "extend", "stop"]);

        let specialist = StaffRef { id: "id-specialist".into(), name: "specialist".into() };
        let d = act(d, &p, staff(Role::DivisionHead), Action::Assign { assignee: specialist });
        let mine = offered(&d, &p, &[staff(Role::Specialist)]);
        assert_eq!(mine, ["request_supplement", "appraise", "request_payment"]);
        let other = Actor::Staff { id: "x".into(), name: "x".into(), role: Role::Specialist, agency: AGENCY.into() };
        assert!(!offered(&d, &p, &[other]).contains(&"appraise"), "appraisal is the assignee's own work");

        let proposal = Proposal::Result { summary: "Đủ điều kiện".into() };
        let d = act(d, &p, staff(Role::Specialist), Action::Appraise { proposal, document: None });
        let head = offered(&d, &p, &[staff(Role::DivisionHead)]);
        assert!(head.contains(&"approve") && head.contains(&"disagree") && !head.contains(&"sign"), "{head:?}");
        assert!(!offered(&d, &p, &[staff(Role::Specialist)]).contains(&"approve"));

        let d = act(d, &p, staff(Role::DivisionHead), Action::Approve);
        let leader = offered(&d, &p, &[staff(Role::AgencyLeader)]);
        assert!(leader.contains(&"sign") && leader.contains(&"disagree"), "{leader:?}");
        assert!(!offered(&d, &p, &[staff(Role::Specialist)]).contains(&"sign"), "a specialist never signs");
        assert!(!offered(&d, &p, &[staff(Role::DivisionHead)]).contains(&"sign"));

        let d = act(d, &p, staff(Role::AgencyLeader), Action::Sign { document: None });
        assert_eq!(
            offered(&d, &p, &[staff(Role::RecordsClerk)]),
            ["request_supplement", "attach_result", "seal", "request_payment"]
        );

        let d = act(d, &p, staff(Role::RecordsClerk), Action::Seal { number: "12/GKS".into(), document: None });
        assert_eq!(offered(&d, &p, &[staff(Role::ReceptionClerk)]), ["return"]);
        let d = act(d, &p, staff(Role::ReceptionClerk), Action::Return { method: ReturnMethod::Counter });
        let everyone: Vec<Actor> = Role::ALL.iter().map(|r| staff(*r)).collect();
        assert!(offered(&d, &p, &everyone).is_empty(), "a returned dossier is closed");
    }

    #[test]
    fn another_agency_is_offered_nothing_and_roles_add_up() {
        let (d, p) = received();
        let outsider =
            Actor::Staff { id: "o".into(), name: "o".into(), role: Role::DivisionHead, agency: "000.31.02.H26".into() };
        assert!(offered(&d, &p, &[outsider]).is_empty());
        let both = offered(&d, &p, &[staff(Role::ReceptionClerk), staff(Role::DivisionHead)]);
        assert!(both.contains(&"assign") && both.contains(&"attach_paper"), "{both:?}");
    }

    #[test]
    fn classification_follows_the_rejection() {
        assert!(refuses_the_actor(&Rejection::NotAssignee));
        assert!(refuses_the_actor(&Rejection::IdentityMismatch));
        assert!(!refuses_the_actor(&Rejection::Empty("reason")));
        assert!(!refuses_the_actor(&Rejection::MissingComponent(vec!["x".into()])));
    }
}
