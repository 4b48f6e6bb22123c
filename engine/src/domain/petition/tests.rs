//! The petition clocks across a weekend and Tết, and every action's rule.

use super::*;
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::calendar::Timeliness;
use crate::domain::calendar::tests::{at, vn_calendar};
use crate::domain::procedure::Role;

const AGENCY: &str = "000.31.01.H26";

fn staff(id: &str, role: Role) -> Actor {
    Actor::Staff { id: id.into(), name: id.into(), role, agency: AGENCY.into() }
}

fn petitioner() -> Actor {
    Actor::Citizen { id: String::new(), name: "Nguyễn Thị Hoa".into() }
}

fn filing() -> Filing {
    Filing {
        id: "p1".into(),
        code: "PA-000.31.01.H26-270203-0001".into(),
        agency: AGENCY.into(),
        subject: Subject::Conduct,
        title: "Cán bộ hẹn trả kết quả nhiều lần".into(),
        content: "Tôi nộp hồ sơ từ tháng trước, đến hẹn vẫn chưa có kết quả.".into(),
        petitioner: Petitioner {
            name: "Nguyễn Thị Hoa".into(),
            id_number: None,
            phone: Some("0912 345 678".into()),
            email: None,
            address: None,
        },
        channel: PetitionChannel::Online,
        dossier_id: None,
        dossier_code: None,
        procedure_code: None,
        officer: None,
        repeats: None,
        portal_id: None,
    }
}

/// Filed on Wednesday 3 February 2027 at 09:00, the day before Tết's holidays (4-10 February).
fn filed() -> Petition {
    let calendar = vn_calendar();
    let ctx = PetitionContext {
        now: at("2027-02-03T09:00:00+07:00"),
        actor: petitioner(),
        calendar: &calendar,
        expected_version: None,
    };
    fold(&file(filing(), &ctx).unwrap()).unwrap()
}

fn act(petition: &Petition, actor: Actor, now: &str, action: PetitionAction) -> Result<Petition, Refusal> {
    let calendar = vn_calendar();
    let ctx = PetitionContext { now: at(now), actor, calendar: &calendar, expected_version: Some(petition.version) };
    let events = decide(petition, action, &ctx)?;
    Ok(events.iter().fold(Some(petition.clone()), apply).unwrap())
}

fn accept(p: &Petition, now: &str) -> Petition {
    act(p, staff("clerk", Role::ReceptionClerk), now, PetitionAction::Accept { classification: None }).unwrap()
}

#[test]
fn the_clocks_skip_the_weekend_and_tet() {
    let p = filed();
    assert_eq!(p.status, PetitionStatus::Filed);
    assert_eq!(p.classification, Classification::Conduct);
    // 6.5 h left on the 3rd; the 4th-10th are holidays and a weekend; 8 h on Thursday the 11th; 1.5 h on the 12th.
    assert_eq!(p.decision_due_at, at("2027-02-12T09:00:00+07:00"));
    assert_eq!(p.information_due_at, at("2027-02-17T09:00:00+07:00"));
    assert_eq!(p.answer_due_at, Some(at("2027-03-03T09:00:00+07:00")));
    assert_eq!(p.next_due(), Some(p.decision_due_at));
}

#[test]
fn asking_for_information_pauses_the_answer_clock_until_it_comes() {
    let p = accept(&filed(), "2027-02-11T08:00:00+07:00");
    let asked = act(
        &p,
        staff("clerk", Role::ReceptionClerk),
        "2027-02-11T09:00:00+07:00",
        PetitionAction::RequestInformation { question: "Xin cho biết mã hồ sơ.".into() },
    )
    .unwrap();
    assert_eq!(asked.status, PetitionStatus::InformationRequested);
    assert_eq!(asked.answer_due_at, None, "paused: no due instant while waiting");
    let again = act(
        &asked,
        staff("clerk", Role::ReceptionClerk),
        "2027-02-11T10:00:00+07:00",
        PetitionAction::RequestInformation { question: "Thêm nữa".into() },
    );
    assert!(matches!(again, Err(Refusal::WrongStatus { .. })));
    // Paused from Thursday 09:00 to Monday 09:00: 6.5 h + 8 h + 1.5 h, two working days, move the due instant.
    let told = act(
        &asked,
        petitioner(),
        "2027-02-15T09:00:00+07:00",
        PetitionAction::ProvideInformation { reply: "Mã hồ sơ 000.31.01.H26-270105-0001".into() },
    )
    .unwrap();
    assert_eq!(told.status, PetitionStatus::Accepted, "back where it was");
    assert_eq!(told.answer_due_at, Some(at("2027-03-05T09:00:00+07:00")));
    let twice = act(
        &told,
        staff("clerk", Role::ReceptionClerk),
        "2027-02-15T10:00:00+07:00",
        PetitionAction::RequestInformation { question: "Lần hai".into() },
    );
    assert_eq!(twice.unwrap_err(), Refusal::InformationAlreadyRequested);
}

#[test]
fn information_may_be_asked_for_only_within_five_working_days() {
    let p = accept(&filed(), "2027-02-11T08:00:00+07:00");
    let late = act(
        &p,
        staff("head", Role::DivisionHead),
        "2027-02-17T09:01:00+07:00",
        PetitionAction::RequestInformation { question: "Xin bổ sung".into() },
    );
    assert_eq!(late.unwrap_err(), Refusal::InformationTooLate { due: at("2027-02-17T09:00:00+07:00") });
}

#[test]
fn a_rejection_is_timed_against_the_two_day_decision_clock() {
    let reject = |now: &str| {
        act(
            &filed(),
            staff("clerk", Role::ReceptionClerk),
            now,
            PetitionAction::Reject { reason: "Không thuộc thẩm quyền".into() },
        )
        .unwrap()
    };
    let on_time = reject("2027-02-12T09:00:00+07:00");
    assert_eq!((on_time.status, on_time.timeliness), (PetitionStatus::Rejected, Some(Timeliness::OnTime)));
    assert_eq!(on_time.handled_at, Some(at("2027-02-12T09:00:00+07:00")));
    assert_eq!(reject("2027-02-11T16:00:00+07:00").timeliness, Some(Timeliness::Early));
    assert_eq!(reject("2027-02-12T09:01:00+07:00").timeliness, Some(Timeliness::Late));
    let empty = act(
        &filed(),
        staff("clerk", Role::ReceptionClerk),
        "2027-02-11T09:00:00+07:00",
        PetitionAction::Reject { reason: "  ".into() },
    );
    assert_eq!(empty.unwrap_err(), Refusal::Empty("reason"));
}

#[test]
fn an_assigned_specialist_answers_and_a_public_answer_is_published_within_two_days() {
    let p = accept(&filed(), "2027-02-11T08:00:00+07:00");
    let assignee = StaffRef { id: "spec".into(), name: "Chuyên viên".into() };
    let answer = PetitionAction::Answer { text: "Đã trả kết quả ngày 15/02.".into(), personal: false };
    let unassigned = act(&p, staff("spec", Role::Specialist), "2027-02-15T08:00:00+07:00", answer.clone());
    assert_eq!(unassigned.unwrap_err(), Refusal::NotAssignee);
    let clerk_assigns = act(
        &p,
        staff("clerk", Role::ReceptionClerk),
        "2027-02-11T09:00:00+07:00",
        PetitionAction::Assign { assignee: assignee.clone() },
    );
    assert!(matches!(clerk_assigns, Err(Refusal::ForbiddenRole { .. })));
    let assigned =
        act(&p, staff("head", Role::DivisionHead), "2027-02-11T09:00:00+07:00", PetitionAction::Assign { assignee })
            .unwrap();
    let other = act(&assigned, staff("other", Role::Specialist), "2027-02-15T08:00:00+07:00", answer.clone());
    assert_eq!(other.unwrap_err(), Refusal::NotAssignee);
    let answered = act(&assigned, staff("spec", Role::Specialist), "2027-03-03T09:00:00+07:00", answer).unwrap();
    assert_eq!(answered.status, PetitionStatus::Answered);
    assert_eq!(answered.timeliness, Some(Timeliness::OnTime), "on the due instant");
    assert_eq!(answered.answer_due_at, Some(at("2027-03-03T09:00:00+07:00")), "the answer keeps the due it met");
    assert_eq!(answered.answer.as_ref().unwrap().by.id, "spec");
    // Wednesday 09:00 + 16 h: Friday 09:00.
    assert_eq!(answered.publish_due_at, Some(at("2027-03-05T09:00:00+07:00")));
    assert_eq!(answered.next_due(), answered.publish_due_at);
    let published =
        act(&answered, staff("leader", Role::AgencyLeader), "2027-03-04T09:00:00+07:00", PetitionAction::Publish)
            .unwrap();
    assert_eq!(published.status, PetitionStatus::Published);
    assert_eq!(published.next_due(), None);
}

#[test]
fn an_answer_after_the_fifteenth_working_day_is_late() {
    let p = accept(&filed(), "2027-02-11T08:00:00+07:00");
    let late = act(
        &p,
        staff("head", Role::DivisionHead),
        "2027-03-03T09:00:01+07:00",
        PetitionAction::Answer { text: "Trả lời".into(), personal: false },
    )
    .unwrap();
    assert_eq!(late.timeliness, Some(Timeliness::Late));
}

#[test]
fn a_personal_answer_is_never_published() {
    let p = accept(&filed(), "2027-02-11T08:00:00+07:00");
    let answered = act(
        &p,
        staff("head", Role::DivisionHead),
        "2027-02-12T09:00:00+07:00",
        PetitionAction::Answer { text: "Trả lời riêng".into(), personal: true },
    )
    .unwrap();
    assert_eq!(answered.publish_due_at, None);
    let publish =
        act(&answered, staff("head", Role::DivisionHead), "2027-02-12T10:00:00+07:00", PetitionAction::Publish);
    assert_eq!(publish.unwrap_err(), Refusal::PersonalAnswer);
}

#[test]
fn the_petitioner_rates_the_answer_once_and_staff_cannot_rate_for_them() {
    let p = accept(&filed(), "2027-02-11T08:00:00+07:00");
    let early =
        act(&p, petitioner(), "2027-02-11T09:00:00+07:00", PetitionAction::Rate { satisfied: true, comment: None });
    assert!(matches!(early, Err(Refusal::WrongStatus { .. })), "nothing to rate before the answer");
    let answered = act(
        &p,
        staff("head", Role::DivisionHead),
        "2027-02-12T09:00:00+07:00",
        PetitionAction::Answer { text: "Trả lời".into(), personal: false },
    )
    .unwrap();
    let by_staff = act(
        &answered,
        staff("head", Role::DivisionHead),
        "2027-02-12T10:00:00+07:00",
        PetitionAction::Rate { satisfied: true, comment: None },
    );
    assert_eq!(by_staff.unwrap_err(), Refusal::NotPetitioner);
    assert!(!answered.is_disputed());
    let rated = act(
        &answered,
        petitioner(),
        "2027-02-12T10:00:00+07:00",
        PetitionAction::Rate { satisfied: false, comment: Some(" Chưa giải quyết dứt điểm ".into()) },
    )
    .unwrap();
    assert!(rated.is_disputed());
    assert_eq!(rated.satisfaction.as_ref().unwrap().comment.as_deref(), Some("Chưa giải quyết dứt điểm"));
    let again =
        act(&rated, petitioner(), "2027-02-12T11:00:00+07:00", PetitionAction::Rate { satisfied: true, comment: None });
    assert_eq!(again.unwrap_err(), Refusal::AlreadyRated);
    let system = Actor::System { name: "motcua".into() };
    let complained =
        act(&answered, system, "2027-02-15T08:00:00+07:00", PetitionAction::ComplainAgain { by: "PA-2".into() })
            .unwrap();
    assert!(complained.is_disputed());
}

#[test]
fn staff_of_another_agency_and_stale_versions_are_refused() {
    let p = filed();
    let outsider =
        Actor::Staff { id: "x".into(), name: "x".into(), role: Role::AgencyLeader, agency: "000.31.02.H26".into() };
    let refused = act(&p, outsider, "2027-02-11T08:00:00+07:00", PetitionAction::Accept { classification: None });
    assert_eq!(refused.unwrap_err(), Refusal::WrongAgency);
    let calendar = vn_calendar();
    let ctx = PetitionContext {
        now: at("2027-02-11T08:00:00+07:00"),
        actor: staff("clerk", Role::ReceptionClerk),
        calendar: &calendar,
        expected_version: Some(7),
    };
    assert_eq!(
        decide(&p, PetitionAction::Accept { classification: Some(Classification::Regulation) }, &ctx).unwrap_err(),
        Refusal::StaleVersion { expected: 7, actual: 1 }
    );
    let reclassified = act(
        &p,
        staff("clerk", Role::ReceptionClerk),
        "2027-02-11T08:00:00+07:00",
        PetitionAction::Accept { classification: Some(Classification::Regulation) },
    )
    .unwrap();
    assert_eq!(reclassified.classification, Classification::Regulation);
}

#[test]
fn a_petition_needs_a_title_and_content_within_bounds() {
    let calendar = vn_calendar();
    let ctx = PetitionContext {
        now: at("2027-02-03T09:00:00+07:00"),
        actor: petitioner(),
        calendar: &calendar,
        expected_version: None,
    };
    let empty = Filing { title: " ".into(), ..filing() };
    assert_eq!(file(empty, &ctx).unwrap_err(), Refusal::Empty("title"));
    let long = Filing { content: "ắ".repeat(CONTENT_MAX + 1), ..filing() };
    assert_eq!(file(long, &ctx).unwrap_err(), Refusal::TooLong { field: "content", max: CONTENT_MAX });
}

#[test]
fn contacts_match_however_they_are_typed() {
    let p = filed();
    assert!(p.is_contact("0912345678"));
    assert!(p.is_contact("+84 912.345.678"));
    assert!(!p.is_contact("0912345679"));
    assert!(!p.is_contact(""));
}
