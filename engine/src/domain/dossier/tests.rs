//! Lifecycle tests: every action from every status, and the scenarios of DESIGN.md §5 and §7.

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::calendar::tests::{at, vn_calendar};
use crate::domain::calendar::{Calendar, Timeliness};
use crate::domain::procedure::{Procedure, Registry, ReturnMethod, Role, parse_procedure};

const AGENCY: &str = "000.00.31.H26";
const POLICE: &str = "000.00.32.H26";
const OTHER_AGENCY: &str = "000.00.40.H26";

const REGISTRY: &str = r#"
[fields]
HOTICH = "Hộ tịch"
[paper_types]
GCS = "Giấy chứng sinh"
GKS = "Giấy khai sinh"
[agency_kinds]
commune_peoples_committee = "UBND xã"
commune_police = "Công an xã"
"#;

fn procedure_with(extra: &str, steps: &str) -> Procedure {
    let text = format!(
        r#"
code = "1.001193"
version = 1
name = "Đăng ký khai sinh"
field = "Hộ tịch"
field_code = "HOTICH"
level = "commune"
agency_kind = "commune_peoples_committee"
online = "full"
processing_time = {{ working_days = 3 }}
return_methods = ["counter", "electronic"]
results = [{{ kind = "certificate", name = "Giấy khai sinh", repository_type = "GKS" }}]
{extra}
steps = [{steps}]

[[component]]
id = "to_khai"
name = "Tờ khai"
required = true
[[component]]
id = "giay_chung_sinh"
name = "Giấy chứng sinh"
required = true
reusable = ["GCS"]
[[component]]
id = "cccd"
name = "Căn cước của người đi đăng ký"
required = true
in_person_only = true
"#
    );
    let registry = Registry::from_toml(REGISTRY).unwrap();
    parse_procedure("test.toml", &text, &registry).unwrap_or_else(|p| panic!("{p:#?}"))
}

const FULL_FLOW: &str = r#"
  { id = "receive",  kind = "receive",  role = "reception_clerk", share = 0.05 },
  { id = "assign",   kind = "assign",   role = "division_head",   share = 0.05 },
  { id = "appraise", kind = "appraise", role = "specialist",      share = 0.40 },
  { id = "residence", kind = "consult", role = "specialist",      share = 0.15, agency_kind = "commune_police" },
  { id = "review",   kind = "approve",  role = "division_head",   share = 0.10, on_disagree = "appraise" },
  { id = "sign",     kind = "sign",     role = "agency_leader",   share = 0.10, on_disagree = "review" },
  { id = "seal",     kind = "seal",     role = "records_clerk",   share = 0.05 },
  { id = "return",   kind = "return",   role = "reception_clerk", share = 0.10 },
"#;

fn procedure() -> Procedure {
    procedure_with(r#"on_supplement = "pause""#, FULL_FLOW)
}

fn staff(id: &str, role: Role) -> Actor {
    staff_of(id, role, AGENCY)
}

fn staff_of(id: &str, role: Role, agency: &str) -> Actor {
    Actor::Staff { id: id.into(), name: format!("Cán bộ {id}"), role, agency: agency.into() }
}

fn clerk() -> Actor {
    staff("clerk", Role::ReceptionClerk)
}
fn head() -> Actor {
    staff("head", Role::DivisionHead)
}
fn specialist() -> Actor {
    staff("spec", Role::Specialist)
}
fn leader() -> Actor {
    staff("leader", Role::AgencyLeader)
}
fn records() -> Actor {
    staff("records", Role::RecordsClerk)
}
fn police() -> Actor {
    staff_of("police", Role::Specialist, POLICE)
}
fn citizen() -> Actor {
    Actor::Citizen { id: "031190012345".into(), name: "Nguyễn Thị Hường".into() }
}

fn applicant() -> Applicant {
    Applicant {
        name: "Nguyễn Thị Hường".into(),
        id_kind: IdKind::PersonalId,
        id_number: "031190012345".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 5, 17),
        sex: Some(crate::domain::codes::Sex::Female),
        address: Some("Hồng Bàng, Hải Phòng".into()),
        phone: Some("0912345678".into()),
        email: None,
    }
}

fn submission(channel: Channel, components: &[&str]) -> Submission {
    Submission {
        id: "d-1".into(),
        procedure_code: "1.001193".into(),
        procedure_version: 1,
        agency: AGENCY.into(),
        channel,
        applicant: applicant(),
        summary: "Đăng ký khai sinh cho con Nguyễn Minh An".into(),
        code: None,
        form_data: Default::default(),
        portal_id: None,
        signed_in_with_vneid: false,
        members: Vec::new(),
        bundle: None,
        components: components
            .iter()
            .map(|id| ComponentState {
                id: id.to_string(),
                provided: true,
                digitisation: Digitisation::Digitised,
                paper: Some(format!("paper-{id}")),
                handed_in_as: None,
                count: None,
            })
            .collect(),
    }
}

/// A dossier with its history, driven by real decisions through a test clock.
struct Case {
    procedure: Procedure,
    calendar: Calendar,
    now: DateTime<Utc>,
    events: Vec<Event>,
    dossier: Dossier,
}

impl Case {
    fn submitted_with(procedure: Procedure, components: &[&str]) -> Case {
        let calendar = vn_calendar();
        let now = at("2026-11-23T08:00:00+07:00");
        let ctx = Context::new(now, citizen(), &calendar);
        let events = decide_submission(&procedure, submission(Channel::Online, components), &ctx).unwrap();
        let dossier = fold(&events).unwrap();
        Case { procedure, calendar, now, events, dossier }
    }

    fn submitted() -> Case {
        Case::submitted_with(procedure(), &["to_khai", "giay_chung_sinh"])
    }

    fn try_act(&self, actor: Actor, action: Action) -> Result<Vec<Event>, Rejection> {
        let ctx = Context {
            consulted_agency_kind: Some("commune_police".into()),
            ..Context::new(self.now, actor, &self.calendar)
        }
        .expecting(self.dossier.version);
        decide(&self.dossier, &self.procedure, action, &ctx)
    }

    fn act(&mut self, actor: Actor, action: Action) -> &mut Case {
        let name = action.name();
        let events = self.try_act(actor, action).unwrap_or_else(|r| panic!("{name} refused: {} ({r})", r.code()));
        for event in events {
            self.dossier = apply(self.dossier.clone(), &event);
            self.events.push(event);
        }
        self
    }

    fn later(&mut self, hours: i64) -> &mut Case {
        self.now += TimeDelta::hours(hours);
        self
    }

    fn received() -> Case {
        let mut case = Case::submitted();
        case.act(clerk(), Action::Receive { code: "000.00.31.H26-261123-0001".into(), register_entry: None });
        case
    }

    fn in_process() -> Case {
        let mut case = Case::received();
        case.later(1).act(head(), assign_spec());
        case
    }

    fn result_ready() -> Case {
        let mut case = Case::in_process();
        case.later(2)
            .act(
                specialist(),
                Action::Appraise {
                    proposal: Proposal::Result { summary: "Đủ điều kiện".into() }, document: None
                },
            )
            .act(specialist(), Action::Consult { agency: POLICE.into(), question: "Đăng ký thường trú cho trẻ".into() })
            .later(1)
            .act(police(), Action::Answer { answer: "Đã đăng ký thường trú".into(), favourable: true })
            .act(head(), Action::Approve)
            .later(1)
            .act(leader(), Action::Sign { document: None })
            .act(records(), Action::Seal { number: "123/GKS".into(), document: None });
        case
    }

    fn in_status(status: Status) -> Case {
        match status {
            Status::Submitted => Case::submitted(),
            Status::Received => Case::received(),
            Status::RefusedAtReception => {
                let mut case = Case::submitted();
                case.act(clerk(), Action::RefuseReception { reasons: vec!["Không thuộc thẩm quyền".into()] });
                case
            }
            Status::InProcess => Case::in_process(),
            Status::SupplementRequested => {
                let mut case = Case::in_process();
                case.act(specialist(), supplement_request()).act(citizen(), new_paper("giay_chung_sinh"));
                case
            }
            Status::PaymentRequested => {
                let mut case = Case::in_process();
                case.act(
                    specialist(),
                    Action::RequestPayment {
                        amount_vnd: 8_000, charge: None, reason: Some("lệ phí HĐND tỉnh".into())
                    },
                );
                case
            }
            Status::Withdrawn => {
                let mut case = Case::submitted();
                case.act(citizen(), Action::Withdraw { reason: "Nộp nhầm thủ tục".into() });
                case
            }
            Status::Stopped => {
                let mut case = Case::in_process();
                case.act(leader(), Action::Stop { reasons: vec!["Giấy chứng sinh không hợp lệ".into()] });
                case
            }
            Status::ResultReady => Case::result_ready(),
            Status::Returned => {
                let mut case = Case::result_ready();
                case.act(clerk(), Action::Return { method: ReturnMethod::Counter });
                case
            }
        }
    }
}

fn assign_spec() -> Action {
    Action::Assign { assignee: StaffRef { id: "spec".into(), name: "Cán bộ spec".into() } }
}

fn new_paper(component: &str) -> Action {
    Action::AttachPaper {
        component: component.into(),
        paper_id: format!("paper-{component}-2"),
        digitisation: Digitisation::Digitised,
    }
}

fn supplement_request() -> Action {
    Action::RequestSupplement {
        items: vec![SupplementItem {
            component: Some("giay_chung_sinh".into()),
            reason: "Bản chụp mờ, không đọc được".into(),
        }],
    }
}

/// Every action with the actor entitled to it when the status allows it.
fn every_action(case: &Case) -> Vec<(Actor, Action)> {
    let step_actor = match case.dossier.step.as_deref() {
        Some("assign") => head(),
        Some("appraise") => specialist(),
        _ => clerk(),
    };
    vec![
        (clerk(), Action::Receive { code: "000.00.31.H26-261123-0002".into(), register_entry: None }),
        (clerk(), Action::RefuseReception { reasons: vec!["Sai thẩm quyền".into()] }),
        (step_actor.clone(), supplement_request()),
        (citizen(), Action::Resubmit),
        (clerk(), new_paper("to_khai")),
        (records(), Action::AttachResult { paper_id: "result-1".into(), title: "Giấy khai sinh".into() }),
        (
            step_actor,
            Action::RequestPayment { amount_vnd: 8_000, charge: None, reason: Some("lệ phí HĐND tỉnh".into()) },
        ),
        (clerk(), Action::RecordPayment { amount_vnd: 8_000, reference: "PG-1".into() }),
        (head(), assign_spec()),
        (head(), Action::Reassign { assignee: StaffRef { id: "spec2".into(), name: "Cán bộ spec2".into() } }),
        (
            specialist(),
            Action::Appraise { proposal: Proposal::Result { summary: "Đủ điều kiện".into() }, document: None },
        ),
        (head(), Action::Approve),
        (head(), Action::Disagree { reason: "Cần thẩm định lại".into() }),
        (leader(), Action::Sign { document: None }),
        (records(), Action::Seal { number: "1/GKS".into(), document: None }),
        (leader(), Action::Stop { reasons: vec!["Không đủ điều kiện".into()] }),
        (specialist(), Action::Consult { agency: POLICE.into(), question: "?".into() }),
        (police(), Action::Answer { answer: "OK".into(), favourable: true }),
        (leader(), Action::Extend { new_due: at("2026-12-31T17:00:00+07:00"), reason: "Cần xác minh".into() }),
        (citizen(), Action::Withdraw { reason: "Không cần nữa".into() }),
        (clerk(), Action::Return { method: ReturnMethod::Counter }),
    ]
}

#[test]
fn every_action_from_every_status() {
    use Status::*;
    let allowed = |status: Status| -> &'static [&'static str] {
        match status {
            Submitted => &["receive", "refuse_reception", "request_supplement", "withdraw", "attach_paper"],
            Received => {
                &["request_supplement", "request_payment", "assign", "reassign", "stop", "extend", "attach_paper"]
            }
            InProcess => {
                &["request_supplement", "request_payment", "reassign", "appraise", "stop", "extend", "attach_paper"]
            }
            SupplementRequested => &["resubmit", "withdraw", "attach_paper"],
            PaymentRequested => &["record_payment"],
            Stopped | ResultReady => &["return", "attach_result"],
            RefusedAtReception | Withdrawn | Returned => &[],
        }
    };
    for status in Status::ALL {
        let case = Case::in_status(status);
        assert_eq!(case.dossier.status, status);
        for (actor, action) in every_action(&case) {
            let name = action.name();
            let outcome = case.try_act(actor, action);
            if allowed(status).contains(&name) {
                let events = outcome.unwrap_or_else(|r| panic!("{name} in status {status:?} refused: {}", r.code()));
                let next = events.iter().fold(case.dossier.clone(), apply);
                assert!(
                    next.status == status || status.next().contains(&next.status),
                    "{name}: {status:?} -> {:?} is not in the lifecycle table",
                    next.status
                );
            } else {
                let code = outcome.err().map(|r| r.code()).unwrap_or("accepted");
                assert!(
                    code == "dossier.wrong_status" || code == "dossier.wrong_step",
                    "{name} in status {status:?}: expected a status or step refusal, got {code}"
                );
            }
        }
    }
}

#[test]
fn the_default_flow_reaches_returned_on_time_with_a_control_slip() {
    let mut case = Case::result_ready();
    assert_eq!(case.dossier.status, Status::ResultReady);
    assert_eq!(case.dossier.step.as_deref(), Some("return"));
    assert_eq!(case.dossier.result_number.as_deref(), Some("123/GKS"));
    assert_eq!(case.dossier.timeliness, Some(Timeliness::Early));
    assert!(!case.dossier.clock.is_running(), "the legal clock stops at completion");
    case.act(clerk(), Action::Return { method: ReturnMethod::Electronic });
    assert_eq!(case.dossier.status, Status::Returned);
    assert_eq!(case.dossier.step, None);
    // Received Monday 08:00 with 3 working days: due Thursday 08:00.
    assert_eq!(case.dossier.due_at, Some(at("2026-11-26T08:00:00+07:00")));

    let slip = control_slip(&case.procedure, &case.events, &case.calendar);
    let steps: Vec<&str> = slip.iter().map(|r| r.step.as_str()).collect();
    assert_eq!(steps, ["receive", "assign", "appraise", "residence", "review", "sign", "seal", "return"]);
    assert!(slip.iter().all(|r| r.done_at.is_some()));
    assert!(slip.iter().all(|r| matches!(r.timeliness, Some(Timeliness::Early | Timeliness::OnTime))), "{slip:#?}");
    assert_eq!(slip[0].due_at, Some(at("2026-11-23T09:12:00+07:00")), "reception: 5% of 24 h from 08:00");
    assert_eq!(slip[1].due_at, Some(at("2026-11-23T10:24:00+07:00")), "assign: 10% of 24 h from 08:00");
    assert_eq!(slip[2].done_by.as_ref().map(|a| a.name()), Some("Cán bộ spec"));
    assert_eq!(slip[3].done_by.as_ref().map(|a| a.name()), Some("Cán bộ police"));
    let after: Vec<Option<Status>> = slip.iter().map(|r| r.status_after).collect();
    let (received, in_process, ready) = (Some(Status::Received), Some(Status::InProcess), Some(Status::ResultReady));
    assert_eq!(after[..3], [received, in_process, in_process], "each step's outcome as the portal counts it");
    assert_eq!(after[6..], [ready, Some(Status::Returned)], "sealing makes the result ready; returning returns it");
    assert_eq!(fold(&case.events).as_ref(), Some(&case.dossier), "folding the history gives the same state");
}

#[test]
fn counter_reception_and_roles() {
    let mut case = Case::submitted();
    // Wrong role, other agency, and the citizen cannot receive.
    let receive = || Action::Receive { code: "c".into(), register_entry: None };
    assert_eq!(case.try_act(head(), receive()).unwrap_err().code(), "dossier.forbidden_role");
    assert_eq!(
        case.try_act(staff_of("x", Role::ReceptionClerk, OTHER_AGENCY), receive()).unwrap_err().code(),
        "dossier.wrong_agency"
    );
    assert_eq!(case.try_act(citizen(), receive()).unwrap_err().code(), "dossier.forbidden_role");
    case.act(clerk(), receive());
    assert_eq!(case.dossier.status, Status::Received);
    assert_eq!(case.dossier.step.as_deref(), Some("assign"));
    case.act(head(), assign_spec());
    let appraise = || Action::Appraise { proposal: Proposal::Result { summary: "ok".into() }, document: None };
    assert_eq!(case.try_act(staff("spec2", Role::Specialist), appraise()).unwrap_err().code(), "dossier.not_assignee");
    assert_eq!(case.try_act(head(), Action::Approve).unwrap_err().code(), "dossier.wrong_step");
}

#[test]
fn stale_versions_are_refused() {
    let case = Case::submitted();
    let ctx = Context::new(case.now, clerk(), &case.calendar).expecting(case.dossier.version + 1);
    let refused =
        decide(&case.dossier, &case.procedure, Action::Receive { code: "c".into(), register_entry: None }, &ctx)
            .unwrap_err();
    assert_eq!(refused, Rejection::StaleVersion { expected: 2, actual: 1 });
    assert_eq!(refused.http_status(), 409);
}

#[test]
fn deadline_alerts_since_the_page_was_read_do_not_make_it_stale() {
    let mut case = Case::in_process();
    let read = case.dossier.version;
    let nearly = sweep(&case.dossier, at("2026-11-25T09:00:00+07:00"), &case.calendar);
    let overdue = sweep(&apply(case.dossier.clone(), &nearly[0]), at("2026-11-26T09:00:00+07:00"), &case.calendar);
    for alert in nearly.iter().chain(&overdue) {
        case.dossier = apply(case.dossier.clone(), alert);
    }
    assert_eq!(case.dossier.version, read + 2);
    let appraise = || Action::Appraise { proposal: Proposal::Result { summary: "ok".into() }, document: None };
    let as_read = |case: &Case, version: u64| {
        let ctx = Context::new(case.now, specialist(), &case.calendar).expecting(version);
        decide(&case.dossier, &case.procedure, appraise(), &ctx)
    };
    assert!(as_read(&case, read).is_ok(), "only the sweeper's alerts came after the read");
    assert!(as_read(&case, read + 1).is_ok());
    assert_eq!(as_read(&case, read - 1).unwrap_err().code(), "dossier.stale_version", "an action came after it");
    assert_eq!(as_read(&case, read + 3).unwrap_err().code(), "dossier.stale_version", "a version not yet reached");
    // Once a person acts, the alerts before it no longer excuse an older read.
    case.act(specialist(), appraise());
    assert_eq!(case.dossier.trailing_alerts, 0);
    assert_eq!(as_read(&case, read).unwrap_err().code(), "dossier.stale_version");
}

#[test]
fn reception_needs_every_required_component_except_those_shown_in_person() {
    let case = Case::submitted_with(procedure(), &["to_khai"]);
    let refused = case.try_act(clerk(), Action::Receive { code: "c".into(), register_entry: None }).unwrap_err();
    assert_eq!(refused, Rejection::MissingComponent(vec!["giay_chung_sinh".into()]));
}

#[test]
fn submissions_are_checked() {
    let calendar = vn_calendar();
    let procedure = procedure();
    let ctx = Context::new(at("2026-11-23T08:00:00+07:00"), citizen(), &calendar);
    let portal = Context::new(ctx.now, Actor::System { name: "DVCQG".into() }, &calendar);
    let mut bad_id = submission(Channel::Online, &[]);
    bad_id.applicant.id_number = "031190012".into();
    assert_eq!(decide_submission(&procedure, bad_id, &portal).unwrap_err().code(), "dossier.invalid_applicant");
    let mut wrong_year = submission(Channel::Online, &[]);
    wrong_year.applicant.birth_date = chrono::NaiveDate::from_ymd_opt(1991, 1, 1);
    assert_eq!(decide_submission(&procedure, wrong_year, &ctx).unwrap_err().code(), "dossier.invalid_applicant");
    let unknown = submission(Channel::Online, &["passport_photo"]);
    assert_eq!(decide_submission(&procedure, unknown, &ctx).unwrap_err().code(), "dossier.unknown_component");
    let other = Context::new(ctx.now, Actor::Citizen { id: "001225000001".into(), name: "X".into() }, &calendar);
    assert_eq!(
        decide_submission(&procedure, submission(Channel::Online, &[]), &other).unwrap_err().code(),
        "dossier.not_owner"
    );
    let counter_by_citizen = submission(Channel::Counter, &[]);
    assert_eq!(decide_submission(&procedure, counter_by_citizen, &ctx).unwrap_err().code(), "dossier.forbidden_role");
    let offline = procedure_with(r#"on_supplement = "pause""#, FULL_FLOW);
    let offline = Procedure { online: crate::domain::procedure::Online::None, ..offline };
    assert_eq!(
        decide_submission(&offline, submission(Channel::Online, &[]), &ctx).unwrap_err().code(),
        "dossier.not_online"
    );
}

#[test]
fn a_supplement_pauses_the_clock_once_and_resubmission_resumes_it() {
    let mut case = Case::in_process();
    let due_before = case.dossier.due_at.unwrap();
    assert_eq!(
        case.try_act(specialist(), Action::RequestSupplement { items: vec![] }).unwrap_err().code(),
        "dossier.empty_field"
    );
    let twice = Action::RequestSupplement {
        items: vec![
            SupplementItem { component: Some("to_khai".into()), reason: "Thiếu chữ ký".into() },
            SupplementItem { component: Some("to_khai".into()), reason: "Sai ngày".into() },
        ],
    };
    assert_eq!(case.try_act(specialist(), twice).unwrap_err().code(), "dossier.duplicate_item");
    // Monday 09:00: 1 h of the 24 h budget used.
    case.act(specialist(), supplement_request());
    assert_eq!(case.dossier.status, Status::SupplementRequested);
    assert!(!case.dossier.clock.is_running());
    // Resubmission must bring what was asked for.
    assert_eq!(case.try_act(citizen(), Action::Resubmit).unwrap_err().code(), "dossier.missing_component");
    let stranger = Actor::Citizen { id: "001225000001".into(), name: "X".into() };
    assert_eq!(case.try_act(stranger.clone(), new_paper("giay_chung_sinh")).unwrap_err().code(), "dossier.not_owner");
    case.act(citizen(), new_paper("giay_chung_sinh"));
    let resubmit = || Action::Resubmit;
    assert_eq!(case.try_act(stranger, resubmit()).unwrap_err().code(), "dossier.not_owner");
    // Back on Wednesday 07:30: two working days were paused, the due moves by exactly the paused time.
    case.now = at("2026-11-25T07:30:00+07:00");
    case.act(citizen(), resubmit());
    assert_eq!(case.dossier.status, Status::InProcess);
    assert_eq!(case.dossier.step.as_deref(), Some("appraise"));
    let due_after = case.dossier.due_at.unwrap();
    assert!(due_after > due_before);
    // 23 h left from Wednesday 07:30: Wednesday 8 h, Thursday 8 h, Friday 7 h -> Friday 16:00.
    assert_eq!(due_after, at("2026-11-27T16:00:00+07:00"));
    // Only once after reception.
    assert_eq!(
        case.try_act(specialist(), supplement_request()).unwrap_err().code(),
        "dossier.supplement_already_requested"
    );
}

#[test]
fn a_restart_procedure_gives_the_whole_time_again_after_resubmission() {
    let mut case = Case::submitted_with(
        procedure_with(r#"on_supplement = "restart""#, FULL_FLOW),
        &["to_khai", "giay_chung_sinh"],
    );
    case.act(clerk(), Action::Receive { code: "c".into(), register_entry: None })
        .act(head(), assign_spec())
        .later(2)
        .act(specialist(), supplement_request());
    case.now = at("2026-11-30T13:00:00+07:00");
    case.act(citizen(), new_paper("giay_chung_sinh")).act(citizen(), Action::Resubmit);
    // 24 h from Monday 13:00: 4 + 8 + 8 h to Wednesday evening, 4 h on Thursday -> 11:30.
    assert_eq!(case.dossier.due_at, Some(at("2026-12-03T11:30:00+07:00")));
}

#[test]
fn a_supplement_before_reception_returns_to_submitted() {
    let mut case = Case::submitted();
    case.act(clerk(), supplement_request())
        .act(citizen(), new_paper("giay_chung_sinh"))
        .act(citizen(), Action::Resubmit);
    assert_eq!(case.dossier.status, Status::Submitted);
    assert_eq!(case.dossier.due_at, None, "no clock before reception");
    assert_eq!(case.try_act(clerk(), supplement_request()).unwrap_err().code(), "dossier.supplement_already_requested");
}

#[test]
fn payment_pauses_and_must_match_the_request() {
    let mut case = Case::in_process();
    assert_eq!(
        case.try_act(specialist(), Action::RequestPayment { amount_vnd: 0, charge: None, reason: None })
            .unwrap_err()
            .code(),
        "dossier.zero_amount"
    );
    let ask = |amount_vnd, reason: Option<&str>| Action::RequestPayment {
        amount_vnd,
        charge: None,
        reason: reason.map(str::to_string),
    };
    // 2^64 - 1 is refused, not stored; an amount that is no fee of the procedure needs its reason.
    assert_eq!(case.try_act(specialist(), ask(u64::MAX, Some("x"))).unwrap_err().code(), "dossier.amount_too_large");
    assert_eq!(case.try_act(specialist(), ask(8_000, None)).unwrap_err().code(), "dossier.amount_not_a_fee");
    assert_eq!(case.try_act(specialist(), ask(8_000, Some("  "))).unwrap_err().code(), "dossier.amount_not_a_fee");
    let long = "x".repeat(2001);
    assert_eq!(case.try_act(specialist(), ask(8_000, Some(&long))).unwrap_err().code(), "dossier.text_too_long");
    case.act(specialist(), ask(8_000, Some("lệ phí HĐND tỉnh")));
    assert_eq!(case.dossier.status, Status::PaymentRequested);
    assert!(!case.dossier.clock.is_running());
    let pay = |amount| Action::RecordPayment { amount_vnd: amount, reference: "PG-42".into() };
    assert_eq!(
        case.try_act(clerk(), pay(5_000)).unwrap_err(),
        Rejection::AmountMismatch { requested: 8_000, paid: 5_000 }
    );
    let platform = Actor::System { name: "PayGov".into() };
    case.later(24).act(platform, pay(8_000));
    assert_eq!(case.dossier.status, Status::InProcess);
    assert!(case.dossier.clock.is_running());
    assert_eq!(case.dossier.payment.as_ref().and_then(|p| p.reference.as_deref()), Some("PG-42"));
}

#[test]
fn a_fee_is_charged_by_its_schedule() {
    let fees = r#"on_supplement = "pause"
fees = [
  { name = "Phí chứng thực", amount_vnd = 2000, unit = "trang", first_units = 2, then_vnd = 1000, max_vnd = 200000 },
  { name = "Lệ phí", amount_vnd = 50000 },
]"#;
    let mut case = Case::submitted_with(procedure_with(fees, FULL_FLOW), &["to_khai", "giay_chung_sinh"]);
    case.act(clerk(), Action::Receive { code: "c".into(), register_entry: None });
    let charge = |fee: &str, units: Option<u32>| FeeCharge { fee: fee.into(), units };
    let request = |amount_vnd, charge| Action::RequestPayment { amount_vnd, charge: Some(charge), reason: None };
    let refused = |case: &Case, action| case.try_act(clerk(), action).unwrap_err();
    assert_eq!(refused(&case, request(0, charge("Phí khác", Some(1)))), Rejection::UnknownFee("Phí khác".into()));
    assert_eq!(refused(&case, request(0, charge("Phí chứng thực", None))).code(), "dossier.empty_field");
    assert_eq!(
        refused(&case, request(9_000, charge("Phí chứng thực", Some(5)))),
        Rejection::AmountMismatch { requested: 7_000, paid: 9_000 },
        "2 pages at 2.000 and 3 at 1.000"
    );
    case.act(clerk(), request(0, charge("Phí chứng thực", Some(5))));
    assert_eq!(case.dossier.payment.as_ref().map(|p| p.amount_vnd), Some(7_000));
    let Change::PaymentRequested { fee, .. } = &case.events.last().unwrap().change else { panic!() };
    assert_eq!(fee.as_deref(), Some("Phí chứng thực"));
    // The cap and a flat fee, straight from the schedule.
    let schedule = &case.procedure.fees;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    assert_eq!(schedule[0].charge(day, 1_000), 200_000);
    assert_eq!(schedule[0].charge(day, u32::MAX), 200_000, "no overflow");
    assert_eq!(schedule[1].charge(day, 7), 50_000);
    assert_eq!(
        schedule[0].schedule_vi().as_deref(),
        Some("2.000 đồng/trang (trang thứ 1-2), 1.000 đồng/trang từ trang thứ 3, tối đa 200.000 đồng")
    );
}

#[test]
fn a_pay_step_hands_off_once_paid() {
    let steps = r#"
  { id = "receive", kind = "receive", role = "reception_clerk", share = 0.1 },
  { id = "fee",     kind = "pay",     role = "reception_clerk", share = 0.1 },
  { id = "sign",    kind = "sign",    role = "agency_leader",   share = 0.7 },
  { id = "return",  kind = "return",  role = "reception_clerk", share = 0.1 },
"#;
    let mut case =
        Case::submitted_with(procedure_with(r#"on_supplement = "pause""#, steps), &["to_khai", "giay_chung_sinh"]);
    case.act(clerk(), Action::Receive { code: "c".into(), register_entry: None }).act(
        clerk(),
        Action::RequestPayment { amount_vnd: 5_000, charge: None, reason: Some("lệ phí HĐND tỉnh".into()) },
    );
    assert_eq!(case.dossier.status, Status::PaymentRequested);
    case.act(clerk(), Action::RecordPayment { amount_vnd: 5_000, reference: "cash-1".into() });
    assert_eq!(case.dossier.step.as_deref(), Some("sign"));
    case.act(leader(), Action::Sign { document: None });
    assert_eq!(case.dossier.status, Status::ResultReady, "a flow without seal is ready once signed");
}

#[test]
fn disagreement_goes_back_to_the_named_step() {
    let mut case = Case::in_process();
    case.act(
        specialist(),
        Action::Appraise { proposal: Proposal::Result { summary: "Đủ điều kiện".into() }, document: None },
    )
    .act(specialist(), Action::Consult { agency: POLICE.into(), question: "Thường trú?".into() })
    .act(police(), Action::Answer { answer: "Đồng ý".into(), favourable: true });
    assert_eq!(
        case.try_act(head(), Action::Disagree { reason: " ".into() }).unwrap_err().code(),
        "dossier.empty_field"
    );
    case.act(head(), Action::Disagree { reason: "Thiếu căn cứ".into() });
    assert_eq!(case.dossier.step.as_deref(), Some("appraise"));
    case.act(
        specialist(),
        Action::Appraise { proposal: Proposal::Result { summary: "Bổ sung căn cứ".into() }, document: None },
    )
    .act(specialist(), Action::Consult { agency: POLICE.into(), question: "Thường trú?".into() })
    .act(police(), Action::Answer { answer: "Đồng ý".into(), favourable: true })
    .act(head(), Action::Approve)
    .act(leader(), Action::Disagree { reason: "Xem lại".into() });
    assert_eq!(case.dossier.step.as_deref(), Some("review"));
    assert_eq!(
        case.try_act(records(), Action::Seal { number: "1".into(), document: None }).unwrap_err().code(),
        "dossier.wrong_step"
    );
    let slip = control_slip(&case.procedure, &case.events, &case.calendar);
    assert_eq!(slip.iter().filter(|r| r.outcome == Some("disagreed")).count(), 2);
}

#[test]
fn consultation_goes_to_the_right_kind_of_agency_and_waits_for_it() {
    let mut case = Case::in_process();
    case.act(specialist(), Action::Appraise { proposal: Proposal::Result { summary: "ok".into() }, document: None });
    let answer = || Action::Answer { answer: "ok".into(), favourable: true };
    assert_eq!(case.try_act(police(), answer()).unwrap_err().code(), "dossier.not_consulted");
    let ctx = Context {
        consulted_agency_kind: Some("social_insurance".into()),
        ..Context::new(case.now, specialist(), &case.calendar)
    };
    let wrong_kind =
        decide(&case.dossier, &case.procedure, Action::Consult { agency: POLICE.into(), question: "?".into() }, &ctx);
    assert_eq!(wrong_kind.unwrap_err().code(), "dossier.wrong_consulted_agency");
    case.act(specialist(), Action::Consult { agency: POLICE.into(), question: "Thường trú?".into() });
    assert_eq!(
        case.try_act(specialist(), Action::Consult { agency: POLICE.into(), question: "?".into() }).unwrap_err().code(),
        "dossier.awaiting_answer"
    );
    // Only the consulted agency answers.
    assert_eq!(case.try_act(specialist(), answer()).unwrap_err().code(), "dossier.wrong_agency");
    case.act(police(), answer());
    assert_eq!(case.dossier.step.as_deref(), Some("review"));
}

#[test]
fn stop_ends_in_status_8_and_the_letter_is_returned() {
    let mut case = Case::in_status(Status::Stopped);
    assert_eq!(case.dossier.step.as_deref(), Some("return"));
    assert!(matches!(case.dossier.proposal, Some(Proposal::Refusal { .. })));
    assert!(case.dossier.timeliness.is_some());
    case.act(clerk(), Action::Return { method: ReturnMethod::Counter });
    assert_eq!(case.dossier.status, Status::Returned);
}

#[test]
fn a_refusal_proposal_ends_in_status_8_through_the_flow() {
    let mut case = Case::in_process();
    case.act(
        specialist(),
        Action::Appraise {
            proposal: Proposal::Refusal { reasons: vec!["Không đủ điều kiện".into()] }, document: None
        },
    )
    .act(specialist(), Action::Consult { agency: POLICE.into(), question: "?".into() })
    .act(police(), Action::Answer { answer: "Không".into(), favourable: false })
    .act(head(), Action::Approve)
    .act(leader(), Action::Sign { document: None })
    .act(records(), Action::Seal { number: "5/TB".into(), document: None });
    assert_eq!(case.dossier.status, Status::Stopped);
}

#[test]
fn return_method_must_be_offered() {
    let case = Case::result_ready();
    assert_eq!(
        case.try_act(clerk(), Action::Return { method: ReturnMethod::Post }).unwrap_err().code(),
        "dossier.return_method_not_offered"
    );
}

#[test]
fn an_extension_keeps_the_original_due() {
    let mut case = Case::in_process();
    let original = case.dossier.due_at.unwrap();
    let earlier = Action::Extend { new_due: original - TimeDelta::hours(1), reason: "x".into() };
    assert_eq!(case.try_act(leader(), earlier).unwrap_err().code(), "dossier.extension_not_later");
    let new_due = at("2026-12-04T17:00:00+07:00");
    assert_eq!(
        case.try_act(head(), Action::Extend { new_due, reason: "x".into() }).unwrap_err().code(),
        "dossier.forbidden_role"
    );
    case.act(leader(), Action::Extend { new_due, reason: "Cần xác minh thêm".into() });
    assert_eq!(case.dossier.due_at, Some(new_due));
    assert_eq!(case.dossier.original_due_at, Some(original));
}

#[test]
fn an_extension_is_bounded_by_the_processing_time_and_year_9999_is_refused_at_once() {
    let mut case = Case::in_process();
    let original = case.dossier.due_at.unwrap();
    let extend = |new_due| Action::Extend { new_due, reason: "Cần xác minh thêm".into() };
    for far in [at("9999-12-31T17:00:00+07:00"), DateTime::<Utc>::MAX_UTC, original + TimeDelta::days(200)] {
        let refused = case.try_act(leader(), extend(far)).unwrap_err();
        assert_eq!(refused.code(), "dossier.extension_too_long");
        let Rejection::ExtensionTooLong { latest } = refused else { unreachable!() };
        // The latest allowed is the whole processing time again after the current due: accepted.
        assert!(latest > original + TimeDelta::days(30) && latest < original + TimeDelta::days(100), "{latest}");
        assert!(case.try_act(leader(), extend(latest)).is_ok());
    }
    case.act(leader(), extend(original + TimeDelta::days(1)));
}

#[test]
fn late_completion_is_classified_late() {
    let mut case = Case::in_process();
    case.now = at("2026-11-27T10:00:00+07:00");
    case.act(leader(), Action::Stop { reasons: vec!["Hết hạn xác minh".into()] });
    assert_eq!(case.dossier.timeliness, Some(Timeliness::Late));
}

#[test]
fn withdrawal_only_before_reception_or_while_waiting_for_a_supplement() {
    let mut case = Case::in_status(Status::SupplementRequested);
    case.act(citizen(), Action::Withdraw { reason: "Không cần nữa".into() });
    assert_eq!(case.dossier.status, Status::Withdrawn);
    let case = Case::in_process();
    assert_eq!(
        case.try_act(citizen(), Action::Withdraw { reason: "x".into() }).unwrap_err().code(),
        "dossier.wrong_status"
    );
}

#[test]
fn the_sweeper_raises_nearly_due_and_overdue_once_each() {
    let mut case = Case::in_process();
    let calendar = case.calendar.clone();
    assert!(sweep(&case.dossier, at("2026-11-23T10:00:00+07:00"), &calendar).is_empty(), "two days left");
    let nearly = sweep(&case.dossier, at("2026-11-25T09:00:00+07:00"), &calendar);
    assert_eq!(nearly.iter().map(|e| e.change.name()).collect::<Vec<_>>(), ["nearly_due"]);
    case.dossier = apply(case.dossier.clone(), &nearly[0]);
    assert!(sweep(&case.dossier, at("2026-11-25T10:00:00+07:00"), &calendar).is_empty(), "raised once");
    let overdue = sweep(&case.dossier, at("2026-11-26T09:00:00+07:00"), &calendar);
    assert_eq!(overdue[0].change.name(), "overdue");
    case.dossier = apply(case.dossier.clone(), &overdue[0]);
    assert!(sweep(&case.dossier, at("2026-11-27T09:00:00+07:00"), &calendar).is_empty());
    // Paused dossiers are not swept.
    case.act(specialist(), supplement_request());
    assert!(sweep(&case.dossier, at("2026-12-27T09:00:00+07:00"), &calendar).is_empty());
}

#[test]
fn events_round_trip_through_json() {
    let case = Case::result_ready();
    let json = serde_json::to_string(&case.events).unwrap();
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, case.events);
    assert_eq!(fold(&back), Some(case.dossier));
}

/// A discrepancy with the population database blocks reception until a re-run matches; an unavailable
/// register never does; only a reception clerk records checks, and only for a personal id.
#[test]
fn identity_checks_gate_reception_only_on_a_discrepancy() {
    let check = |outcome: IdentityOutcome| Action::CheckIdentity { outcome, registered: None };
    let mut case = Case::submitted();
    let mismatch = IdentityOutcome::Mismatch { fields: vec!["birth_date".into()] };
    assert_eq!(case.try_act(specialist(), check(mismatch.clone())).unwrap_err().code(), "dossier.forbidden_role");
    assert_eq!(
        case.try_act(clerk(), check(IdentityOutcome::Mismatch { fields: vec![] })).unwrap_err().code(),
        "dossier.empty_field"
    );
    case.act(clerk(), check(mismatch));
    let recorded = case.dossier.identity_check.clone().unwrap();
    assert!(recorded.next_actions.contains(&"refuse_reception".to_string()));
    assert!(recorded.next_actions.contains(&"request_supplement".to_string()));
    let receive = Action::Receive { code: "000.00.31.H26-261123-0001".into(), register_entry: None };
    assert_eq!(case.try_act(clerk(), receive.clone()).unwrap_err().code(), "dossier.identity_mismatch");
    case.act(clerk(), check(IdentityOutcome::Match));
    case.act(clerk(), receive);
    assert_eq!(case.dossier.status, Status::Received);

    let mut unverified = Case::submitted();
    unverified.act(clerk(), check(IdentityOutcome::NotVerified { reason: "timed out".into() }));
    unverified.act(clerk(), Action::Receive { code: "000.00.31.H26-261123-0002".into(), register_entry: None });
    unverified.act(clerk(), check(IdentityOutcome::Match));
    assert_eq!(unverified.dossier.identity_check.as_ref().unwrap().outcome, IdentityOutcome::Match);
    assert_eq!(unverified.events.last().unwrap().change.name(), "identity_checked");
    assert_eq!(unverified.events.last().unwrap().status, None, "a check never moves the status");
}

/// A bundle of three procedures, birth registration always among them (Decree 63/2024).
fn bundle_procedure() -> Procedure {
    let text = r#"
code = "2.002621"
version = 1
name = "Liên thông khai sinh"
field = "Hộ tịch"
field_code = "HOTICH"
level = "commune"
agency_kind = "commune_peoples_committee"
online = "full"
processing_time = { working_days = 3 }
on_supplement = "pause"
return_methods = ["counter", "electronic"]
results = [{ kind = "certificate", name = "Giấy khai sinh", repository_type = "GKS" }]
steps = [
  { id = "receive", kind = "receive", role = "reception_clerk", share = 0.05 },
  { id = "members", kind = "bundle",  role = "reception_clerk", share = 0.85 },
  { id = "return",  kind = "return",  role = "reception_clerk", share = 0.10 },
]

[[component]]
id = "to_khai"
name = "Tờ khai liên thông"
required = true

[[member]]
procedure = "1.001193"
required = true
components = { to_khai = "to_khai" }

[[member]]
procedure = "1.004194"
components = { to_khai_cu_tru = "to_khai" }

[[member]]
procedure = "1.011467"
components = { to_khai_bhyt = "to_khai" }
"#;
    parse_procedure("bundle.toml", text, &Registry::from_toml(REGISTRY).unwrap()).unwrap_or_else(|p| panic!("{p:#?}"))
}

fn bundle_case(chosen: &[&str]) -> Result<Case, Rejection> {
    let procedure = bundle_procedure();
    let calendar = vn_calendar();
    let now = at("2026-11-23T08:00:00+07:00");
    let submission = Submission {
        procedure_code: "2.002621".into(),
        members: chosen.iter().map(|c| c.to_string()).collect(),
        ..submission(Channel::Online, &["to_khai"])
    };
    let events = decide_submission(&procedure, submission, &Context::new(now, citizen(), &calendar))?;
    let dossier = fold(&events).unwrap();
    Ok(Case { procedure, calendar, now, events, dossier })
}

#[test]
fn a_bundle_is_chosen_with_its_required_procedure_and_at_least_two() {
    let refused = |chosen: &[&str]| bundle_case(chosen).err().map(|r| r.code());
    assert_eq!(refused(&["1.004194", "1.011467"]), Some("dossier.bundle_choice"), "birth registration is required");
    assert_eq!(refused(&["1.001193"]), Some("dossier.bundle_choice"), "one alone is no bundle");
    assert_eq!(refused(&["1.001193", "9.999999"]), Some("dossier.bundle_choice"), "not a member");
    assert_eq!(refused(&["1.001193", "1.004194", "1.004194"]), Some("dossier.bundle_choice"), "twice");
    assert_eq!(refused(&["1.001193", "1.011467"]), None);
    // A procedure that is no bundle takes no choice.
    let plain = Submission { members: vec!["1.001193".into()], ..submission(Channel::Online, &["to_khai"]) };
    let calendar = vn_calendar();
    let ctx = Context::new(at("2026-11-23T08:00:00+07:00"), citizen(), &calendar);
    assert_eq!(decide_submission(&procedure(), plain, &ctx).unwrap_err().code(), "dossier.bundle_choice");
}

#[test]
fn a_bundle_waits_for_its_members_and_is_due_when_the_last_is() {
    let mut case = bundle_case(&["1.001193", "1.004194"]).unwrap();
    case.act(clerk(), Action::Receive { code: "000.00.31.H26-261123-0001".into(), register_entry: Some(1) });
    assert_eq!((case.dossier.status, case.dossier.step.as_deref()), (Status::Received, Some("members")));
    // Staff cannot move it: only the system, once the members are open and done.
    let stop = Action::Stop { reasons: vec!["x".into()] };
    assert_eq!(case.try_act(leader(), stop).unwrap_err().code(), "dossier.wrong_step");
    let system = Actor::System { name: "Liên thông một cửa".into() };
    assert_eq!(
        case.try_act(clerk(), Action::MembersDone { all_refused: false }).unwrap_err().code(),
        "dossier.forbidden_role"
    );
    let member = |procedure: &str, due: &str| MemberDossier {
        procedure: procedure.into(),
        dossier_id: format!("m-{procedure}"),
        agency: AGENCY.into(),
        code: format!("000.00.31.H26-261123-{}", &procedure[2..6]),
        due_at: Some(at(due)),
    };
    let wrong = Action::OpenMembers { members: vec![member("1.001193", "2026-11-23T17:00:00+07:00")] };
    assert_eq!(case.try_act(system.clone(), wrong).unwrap_err().code(), "dossier.bundle_choice", "open the chosen");
    let members =
        vec![member("1.001193", "2026-11-23T17:00:00+07:00"), member("1.004194", "2026-12-02T17:00:00+07:00")];
    case.act(system.clone(), Action::OpenMembers { members });
    assert_eq!(case.dossier.due_at, Some(at("2026-12-02T17:00:00+07:00")), "due with its last member");
    assert_eq!(case.dossier.member_dossiers.len(), 2);
    case.later(24).act(system.clone(), Action::MembersDone { all_refused: false });
    assert_eq!((case.dossier.status, case.dossier.step.as_deref()), (Status::ResultReady, Some("return")));
    assert_eq!(case.dossier.timeliness, Some(Timeliness::Early));
    case.act(clerk(), Action::Return { method: ReturnMethod::Counter });
    assert_eq!(case.dossier.status, Status::Returned);

    // When no member gave a result, the bundle is stopped.
    let mut refused = bundle_case(&["1.001193", "1.011467"]).unwrap();
    refused.act(clerk(), Action::Receive { code: "000.00.31.H26-261123-0002".into(), register_entry: Some(2) });
    let members =
        vec![member("1.001193", "2026-11-23T17:00:00+07:00"), member("1.011467", "2026-11-26T17:00:00+07:00")];
    refused.act(system.clone(), Action::OpenMembers { members });
    refused.act(system, Action::MembersDone { all_refused: true });
    assert_eq!(refused.dossier.status, Status::Stopped);
}

#[test]
fn a_member_is_received_and_returned_by_the_system_only() {
    let bundle =
        BundleRef { dossier_id: "b-1".into(), code: "000.00.31.H26-261123-0001".into(), agency: AGENCY.into() };
    let system = Actor::System { name: "Liên thông một cửa".into() };
    let calendar = vn_calendar();
    let ctx = Context::new(at("2026-11-23T08:00:00+07:00"), citizen(), &calendar);
    let as_citizen =
        Submission { bundle: Some(bundle.clone()), ..submission(Channel::Counter, &["to_khai", "giay_chung_sinh"]) };
    assert_eq!(decide_submission(&procedure(), as_citizen, &ctx).unwrap_err().code(), "dossier.forbidden_role");
    let member = Submission { bundle: Some(bundle), ..submission(Channel::Counter, &["to_khai", "giay_chung_sinh"]) };
    let ctx = Context::new(at("2026-11-23T08:00:00+07:00"), system.clone(), &calendar);
    let events = decide_submission(&procedure(), member, &ctx).unwrap();
    let mut case = Case {
        procedure: procedure(),
        calendar: vn_calendar(),
        now: at("2026-11-23T08:00:00+07:00"),
        dossier: fold(&events).unwrap(),
        events,
    };
    case.act(system.clone(), Action::Receive { code: "000.00.40.H26-261123-0001".into(), register_entry: Some(1) });
    assert_eq!(case.dossier.status, Status::Received);
    assert!(case.dossier.bundle.is_some());
}
