//! The indicator facts (`dossier_facts`, issue 16) against an independent count: the figures the store counts
//! by index equal those counted here from every dossier's folded state, written with each change and filled in
//! again from scratch at start.

use chrono::{DateTime, TimeDelta, Utc};
use motcua_engine::domain::calendar::Timeliness;
use motcua_engine::domain::dossier::{Digitisation, Dossier, IdentityOutcome, Status};
use motcua_engine::store::dossiers;
use motcua_engine::store::facts::{self, PeriodCounts};

use crate::support::{Backend, TestServer};

on_both_backends!(the_facts_count_as_the_dossiers_do_and_are_filled_in_again_at_start);

/// Counts `all` by the indicators' definitions, straight from their states.
fn independent(all: &[Dossier], from: DateTime<Utc>, to: DateTime<Utc>, at: DateTime<Utc>) -> PeriodCounts {
    let mut c = PeriodCounts::default();
    for d in all {
        let provided: Vec<Digitisation> = d.components.iter().filter(|c| c.provided).map(|c| c.digitisation).collect();
        if d.received_at.is_some_and(|r| r >= from && r < to) {
            c.received += 1;
            c.fee_due += u64::from(d.payment.is_some());
            c.reused += u64::from(provided.iter().any(|p| p.is_reuse()));
            c.population_data +=
                u64::from(d.identity_check.as_ref().is_some_and(|i| matches!(i.outcome, IdentityOutcome::Match)));
        }
        if d.completed_at.is_some_and(|f| f >= from && f < to) {
            c.finished += 1;
            let supplements = d.supplements_before_reception + d.supplements_after_reception;
            let late = supplements > 1 || d.timeliness == Some(Timeliness::Late);
            c.finished_in_time += u64::from(!late);
            c.finished_digitised +=
                u64::from(!provided.is_empty() && provided.iter().all(|p| *p != Digitisation::NotDigitised));
            let issued = matches!(d.status, Status::ResultReady | Status::Returned);
            c.finished_electronic_result +=
                u64::from(issued && d.result_document.is_some() && d.result_number.is_some());
        }
        let open = d.received_at.is_some_and(|r| r < at) && d.completed_at.is_none_or(|f| f >= at);
        if open {
            c.open += 1;
            c.open_not_due += u64::from(d.original_due_at.or(d.due_at).is_none_or(|due| due >= at));
        }
    }
    c
}

/// The store's counts, keeping only what `independent` counts (the rest needs the catalogue).
fn stored(server: &TestServer, from: DateTime<Utc>, to: DateTime<Utc>, at: DateTime<Utc>) -> PeriodCounts {
    let mut conn = server.services.db().conn().unwrap();
    let c = facts::count(&mut conn, None, from, to, at).unwrap();
    PeriodCounts {
        fully_online_eligible: 0,
        fully_online: 0,
        paid_online: 0,
        reuse_eligible: 0,
        reused_of_eligible: 0,
        finished_paper_result: 0,
        ..c
    }
}

async fn the_facts_count_as_the_dossiers_do_and_are_filled_in_again_at_start(backend: Backend) {
    let server = TestServer::start(backend).await;
    let services = server.services.clone();
    let all: Vec<Dossier> = tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Text)]
            id: String,
        }
        let ids: Vec<Id> = diesel::RunQueryDsl::load(diesel::sql_query("SELECT id FROM dossiers"), &mut *conn).unwrap();
        ids.iter().map(|i| dossiers::get(&mut conn, &i.id).unwrap().unwrap()).collect()
    })
    .await
    .unwrap();
    assert!(all.iter().any(|d| d.completed_at.is_some()) && all.iter().any(|d| d.completed_at.is_none()));
    let now = server.now();
    // The whole history; the last 30 days; a window that ends in the past, so that what was open then differs.
    let periods = [
        (now - TimeDelta::days(3650), now + TimeDelta::days(1), now),
        (now - TimeDelta::days(30), now + TimeDelta::days(1), now),
        (now - TimeDelta::days(3650), now - TimeDelta::days(2), now - TimeDelta::days(2)),
    ];
    for (from, to, at) in periods {
        assert_eq!(stored(&server, from, to, at), independent(&all, from, to, at), "{from} .. {to} at {at}");
    }
    assert_eq!(server.count("dossier_facts").await, server.count("dossiers").await);

    // Dropped and filled in again, as for dossiers stored before the facts existed: the same figures.
    let services = server.services.clone();
    let filled = tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        diesel::RunQueryDsl::execute(diesel::sql_query("DELETE FROM dossier_facts"), &mut *conn).unwrap();
        services.fill_missing_facts().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(filled as i64, server.count("dossiers").await);
    for (from, to, at) in periods {
        assert_eq!(stored(&server, from, to, at), independent(&all, from, to, at), "refilled: {from} .. {to}");
    }
}
