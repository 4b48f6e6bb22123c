//! No dossier's legal due instant is later than the statutory end: every procedure in `procedures/`, received at
//! every quarter hour of 2026 (every session boundary and the 15:00 cutoff among them), against the oracle.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use motcua_engine::definitions::load_dir;
use motcua_engine::domain::actor::Actor;
use motcua_engine::domain::calendar::Calendar;
use motcua_engine::domain::dossier::{
    Action, Applicant, Channel, ComponentState, Context, Digitisation, IdKind, Submission, decide, decide_submission,
    fold,
};
use motcua_engine::domain::procedure::{Procedure, Role};

use super::statutory::Statute;

const AGENCY: &str = "000.00.31.H26";

fn clerk() -> Actor {
    Actor::Staff {
        id: "clerk".into(), name: "Trần Văn Bình".into(), role: Role::ReceptionClerk, agency: AGENCY.into()
    }
}

/// A counter dossier of `procedure` with every component handed in, submitted (status 1) at `at`.
fn submitted(procedure: &Procedure, calendar: &Calendar, at: DateTime<Utc>) -> motcua_engine::domain::dossier::Dossier {
    let submission = Submission {
        id: format!("sweep-{}", procedure.code),
        procedure_code: procedure.code.clone(),
        procedure_version: procedure.version,
        agency: AGENCY.into(),
        channel: Channel::Counter,
        applicant: Applicant {
            name: "Nguyễn Thị Hường".into(),
            id_kind: IdKind::PersonalId,
            id_number: "031190012345".into(),
            birth_date: None,
            sex: None,
            address: None,
            phone: None,
            email: None,
        },
        summary: procedure.name.clone(),
        components: procedure
            .components
            .iter()
            .map(|c| ComponentState {
                id: c.id.clone(),
                provided: true,
                digitisation: Digitisation::Digitised,
                paper: Some(format!("paper-{}", c.id)),
                handed_in_as: None,
                count: None,
            })
            .collect(),
        code: None,
        form_data: Default::default(),
        portal_id: None,
        signed_in_with_vneid: false,
        // A bundle with all its procedures chosen.
        members: procedure.members.iter().map(|m| m.procedure.clone()).collect(),
        bundle: None,
    };
    let events = decide_submission(procedure, submission, &Context::new(at, clerk(), calendar))
        .unwrap_or_else(|r| panic!("{}: {r:?}", procedure.code));
    fold(&events).expect("a submission opens a dossier")
}

#[test]
fn no_due_instant_of_2026_is_later_than_the_statutory_end() {
    let calendar =
        Calendar::from_toml(include_str!("../../../fixtures/calendar.toml")).expect("the shipped calendar is valid");
    let statute = Statute::new(&calendar);
    let loaded = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../procedures")).expect("procedures load");
    assert_eq!(loaded.invalid_count(), 0, "{:#?}", loaded.reports);
    let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00+07:00").unwrap().with_timezone(&Utc);
    let end = DateTime::parse_from_rfc3339("2027-01-01T00:00:00+07:00").unwrap().with_timezone(&Utc);
    let mut checked = 0;
    for procedure in loaded.catalogue.current_all() {
        let dossier = submitted(&procedure, &calendar, start - Duration::days(1));
        let mut at = start;
        while at < end {
            let ctx = Context::new(at, clerk(), &calendar);
            let events = decide(
                &dossier,
                &procedure,
                Action::Receive { code: "000.00.31.H26-260101-0001".into(), register_entry: None },
                &ctx,
            )
            .unwrap_or_else(|r| panic!("{} at {at}: {r:?}", procedure.code));
            let due = events[0].due_at.expect("reception sets the due instant");
            let statutory = statute.end(at, procedure.processing_time);
            assert!(
                due <= statutory,
                "{} received {}: due {} is after the statutory end {}",
                procedure.code,
                calendar.rfc3339(at),
                calendar.rfc3339(due),
                calendar.rfc3339(statutory)
            );
            checked += 1;
            at += Duration::minutes(15);
        }
    }
    assert!(checked >= 13 * 35_000, "{checked} receptions checked");
}
