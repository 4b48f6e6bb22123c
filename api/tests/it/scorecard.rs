//! The indicator facts (`dossier_facts`, issue 16) against an independent count: the figures the store counts
//! by index equal those counted here from every dossier's folded state, written with each change and filled in
//! again from scratch at start; the daily counts kept from them (periods of whole days) equal them too.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use motcua_engine::domain::calendar::Timeliness;
use motcua_engine::domain::dossier::{Digitisation, Dossier, IdentityOutcome, Proposal, Status};
use motcua_engine::store::facts::{self, PeriodCounts};
use motcua_engine::store::{daily_counts, dossiers};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    Backend, HONG_BANG, LE_CHAN, TestServer, assert_problem, error_fields, hong_bang, new_dossier, tuesday_morning,
};

on_both_backends!(the_facts_count_as_the_dossiers_do_and_are_filled_in_again_at_start);
on_both_backends!(a_leader_scores_her_agency_as_an_independent_count_does_down_to_the_dossiers_that_lost_points);
on_both_backends!(the_scorecard_is_scoped_by_role_and_agency_tree_and_refuses_bad_periods);
on_both_backends!(a_portal_message_waiting_past_the_hour_costs_its_dossier_the_sync_point);
on_both_backends!(the_scorecard_page_shows_the_api_points_and_links_each_lost_point_to_its_dossiers);
on_both_backends!(the_trend_equals_the_scorecard_of_each_month);
on_both_backends!(an_administrator_enters_the_figures_held_outside_and_they_are_scored);

/// Counts `all` by the indicators' definitions, straight from their states.
fn independent(all: &[Dossier], from: DateTime<Utc>, to: DateTime<Utc>, at: DateTime<Utc>) -> PeriodCounts {
    let mut c = PeriodCounts::default();
    for d in all {
        let provided: Vec<Digitisation> = d.components.iter().filter(|c| c.provided).map(|c| c.digitisation).collect();
        if d.received_at.is_some_and(|r| r >= from && r < to) {
            c.received += 1;
            c.received_online += u64::from(d.channel == motcua_engine::domain::dossier::Channel::Online);
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
            c.finished_early += u64::from(!late && d.timeliness == Some(Timeliness::Early));
            c.finished_digitised +=
                u64::from(!provided.is_empty() && provided.iter().all(|p| *p != Digitisation::NotDigitised));
            let issued = matches!(d.status, Status::ResultReady | Status::Returned);
            c.finished_electronic_result +=
                u64::from(issued && d.result_document.is_some() && d.result_number.is_some());
            c.finished_refused += u64::from(matches!(d.proposal, Some(Proposal::Refusal { .. })));
        }
        let withdrawn_in = |from, to| d.withdrawn_at.is_some_and(|w| w >= from && w < to);
        c.withdrawn += u64::from(d.received_at.is_some() && withdrawn_in(from, to));
        let open = d.received_at.is_some_and(|r| r < at)
            && d.completed_at.is_none_or(|f| f >= at)
            && d.withdrawn_at.is_none_or(|w| w >= at);
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
    let c = facts::count(&mut conn, None, from, to, at, motcua_engine::ports::topics::PORTAL_STATUS).unwrap();
    PeriodCounts {
        fully_online_eligible: 0,
        fully_online: 0,
        paid_online: 0,
        reuse_eligible: 0,
        reused_of_eligible: 0,
        finished_paper_result: 0,
        finished_in_time_not_satisfied: 0,
        sync_late: 0,
        ..c
    }
}

/// The daily counts differ from a count over the facts in no row.
async fn assert_no_drift(server: &TestServer, when: &str) {
    let services = server.services.clone();
    let drift = tokio::task::spawn_blocking(move || daily_counts::drift(&mut services.db().conn().unwrap()).unwrap())
        .await
        .unwrap();
    assert_eq!(drift, 0, "daily counts drifted from the facts: {when}");
}

/// The local midnight `days` after today's (Vietnam), the bound of a period the daily counts sum.
fn midnight(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let day = daily_counts::day_of(now) + TimeDelta::days(days);
    (day.and_time(NaiveTime::MIN) - TimeDelta::hours(7)).and_utc()
}

async fn all_dossiers(server: &TestServer) -> Vec<Dossier> {
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
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
    .unwrap()
}

/// A dossier of the ward refused by its leader, and one withdrawn while waiting for a supplement after reception.
async fn refuse_one_withdraw_one(server: &TestServer) {
    let ward = hong_bang(server).await;
    for withdraw in [false, true] {
        let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031190012345")).await;
        let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
        if withdraw {
            let items = json!([{"component": "giay_de_nghi", "reason": "Bản chụp mờ"}]);
            let d = server.act_ok(&ward.specialist, &d, json!({"action": "request_supplement", "items": items})).await;
            server.act_ok(&ward.clerk, &d, json!({"action": "withdraw", "reason": "Công dân rút hồ sơ"})).await;
        } else {
            server.act_ok(&ward.leader, &d, json!({"action": "stop", "reasons": ["Không đủ điều kiện"]})).await;
        }
    }
}

async fn the_facts_count_as_the_dossiers_do_and_are_filled_in_again_at_start(backend: Backend) {
    let server = TestServer::start(backend).await;
    refuse_one_withdraw_one(&server).await;
    let all = all_dossiers(&server).await;
    assert!(all.iter().any(|d| d.completed_at.is_some()) && all.iter().any(|d| d.completed_at.is_none()));
    assert!(all.iter().any(|d| d.received_at.is_some() && d.withdrawn_at.is_some()));
    let now = server.now();
    // The whole history; the last 30 days; a window that ends in the past, so that what was open then differs;
    // the same as whole local days, summed from the daily counts.
    let periods = [
        (now - TimeDelta::days(3650), now + TimeDelta::days(1), now),
        (now - TimeDelta::days(30), now + TimeDelta::days(1), now),
        (now - TimeDelta::days(3650), now - TimeDelta::days(2), now - TimeDelta::days(2)),
        (midnight(now, -3650), midnight(now, 1), now),
        (midnight(now, -30), midnight(now, 1), now),
        (midnight(now, -30), midnight(now, 0), midnight(now, 0).min(now)),
    ];
    assert!(daily_counts::whole_days(periods[3].0, periods[3].1).is_some());
    for (from, to, at) in periods {
        assert_eq!(stored(&server, from, to, at), independent(&all, from, to, at), "{from} .. {to} at {at}");
    }
    assert_eq!(server.count("dossier_facts").await, server.count("dossiers").await);
    assert!(server.count("daily_counts").await > 0);
    assert_no_drift(&server, "as written").await;

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
    assert_no_drift(&server, "refilled").await;

    // Facts written before they knew a refusal (migration 15 leaves those of finished dossiers underived): derived
    // again at start, the same figures.
    let services = server.services.clone();
    let (underived, derived) = tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        let reset = "UPDATE dossier_facts SET refused = NULL WHERE finished_at IS NOT NULL";
        let underived = diesel::RunQueryDsl::execute(diesel::sql_query(reset), &mut *conn).unwrap();
        (underived, services.fill_missing_facts().unwrap())
    })
    .await
    .unwrap();
    assert!(underived > 0);
    assert_eq!(derived, underived);
    for (from, to, at) in periods {
        assert_eq!(stored(&server, from, to, at), independent(&all, from, to, at), "derived: {from} .. {to}");
    }
    assert_no_drift(&server, "derived again").await;
}

/// The scored figure of `code` in a scorecard answer, as (numerator, denominator).
fn rate(card: &Value, code: &str) -> (u64, u64) {
    let scored = card["scorecard"]["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap();
    (scored["figure"]["numerator"].as_u64().unwrap(), scored["figure"]["denominator"].as_u64().unwrap())
}

/// Every dossier of a lost set, a page of two at a time.
async fn walk_lost(server: &TestServer, token: &str, query: &str, set: &str) -> Vec<Value> {
    let (mut found, mut cursor) = (Vec::new(), String::new());
    loop {
        let path = format!("/api/v1/reports/scorecard/lost?{query}&set={set}&limit=2&cursor={cursor}");
        let (status, page) = server.get(&path, token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        found.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => return found,
        }
    }
}

async fn a_leader_scores_her_agency_as_an_independent_count_does_down_to_the_dossiers_that_lost_points(
    backend: Backend,
) {
    let server = TestServer::start(backend).await;
    let leader = server.token("hongbang.lanhdao").await;
    // Dates wide enough to hold the whole demo: what is open is counted now.
    let query = "from=2000-01-01&to=2100-12-31";
    let (status, card) = server.get(&format!("/api/v1/reports/scorecard?{query}"), &leader).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert_eq!((card["agency"]["id"].as_str(), card["agencies"].as_u64()), (Some(HONG_BANG), Some(1)));

    let mine: Vec<Dossier> = all_dossiers(&server).await.into_iter().filter(|d| d.agency == HONG_BANG).collect();
    let far = |days| server.now() + TimeDelta::days(days);
    let c = independent(&mine, far(-100_000), far(100_000), server.now());
    assert!(c.received > 5 && c.finished > 0 && c.open > 0, "the demo holds work of every kind: {c:?}");
    assert_eq!(rate(&card, "DOSSIER_ON_TIME"), (c.finished_in_time + c.open_not_due, c.finished + c.open));
    assert_eq!(rate(&card, "CITIZEN_DATA_CONNECTED_DOSSIER"), (c.population_data, c.received));
    assert_eq!(rate(&card, "SO_HOA_GIAY_TO_GIAI_QUYET"), (c.finished_digitised, c.finished));
    assert_eq!(rate(&card, "SYNCED_WITH_DVCQG_PERSONAL_STORAGE"), (c.reused, c.received));
    // Points are the formula's: 20 × n / d, rounded half up to hundredths.
    let (n, d) = rate(&card, "DOSSIER_ON_TIME");
    let on_time = card["scorecard"]["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "DOSSIER_ON_TIME");
    assert_eq!(on_time.unwrap()["points"].as_u64(), Some((2 * 2000 * n + d) / (2 * d)));
    let total: u64 =
        card["scorecard"]["groups"].as_array().unwrap().iter().map(|g| g["points"].as_u64().unwrap()).sum();
    assert_eq!(card["scorecard"]["points"].as_u64(), Some(total));

    // A "not satisfied" rating of a dossier finished in time costs the satisfaction indicator that dossier.
    let (satisfied, finished) = rate(&card, "DOSSIER_RECEIVING_SATISFACTION");
    assert_eq!((satisfied, finished), (c.finished_in_time, c.finished), "no rating yet is low");
    let in_time = mine
        .iter()
        .find(|d| d.completed_at.is_some() && d.timeliness != Some(Timeliness::Late))
        .expect("a dossier finished in time")
        .clone();
    let services = server.services.clone();
    let rated = in_time.id.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        let rating = motcua_engine::store::ratings::Rating {
            dossier_id: in_time.id.clone(),
            applicant_id: in_time.applicant.id_number.clone(),
            agency_id: in_time.agency.clone(),
            procedure_code: in_time.procedure_code.clone(),
            score: 1,
            comment: Some("Chờ lâu".into()),
            rated_at: chrono::Utc::now().naive_utc(),
            reception_satisfied: Some(true),
            result_satisfied: Some(true),
            officer_satisfied: Some(false),
            via: motcua_engine::store::ratings::VIA_PAGE.into(),
        };
        motcua_engine::store::ratings::insert(&mut conn, &rating).unwrap();
    })
    .await
    .unwrap();
    let (_, card) = server.get(&format!("/api/v1/reports/scorecard?{query}"), &leader).await;
    assert_eq!(rate(&card, "DOSSIER_RECEIVING_SATISFACTION"), (satisfied - 1, finished));
    let unhappy = walk_lost(&server, &leader, query, "not_satisfied").await;
    assert_eq!(unhappy.iter().map(|d| d["dossier_id"].as_str().unwrap()).collect::<Vec<_>>(), vec![rated.as_str()]);
    // The rating counts for the agency and the officer who handled the dossier, and is listed with its comment.
    let (_, by_officer) = server.get(&format!("/api/v1/reports/scorecard/breakdown?{query}&by=officer"), &leader).await;
    let rows = by_officer["rows"].as_array().unwrap();
    let officer = rows.iter().find(|r| r["rated_low"] == 1).expect("the officer of the dossier rated 1");
    assert_eq!((officer["rated"].as_u64(), officer["rating_average"].as_u64()), (Some(1), Some(100)), "{officer}");
    assert_eq!(rows.iter().map(|r| r["rated"].as_u64().unwrap()).sum::<u64>(), 1);
    let (status, low) = server.get(&format!("/api/v1/reports/ratings/low?{query}"), &leader).await;
    assert_eq!(status, StatusCode::OK, "{low}");
    let items = low["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{low}");
    assert_eq!(
        (items[0]["dossier_id"].as_str(), items[0]["comment"].as_str()),
        (Some(rated.as_str()), Some("Chờ lâu"))
    );
    // The officer is the breakdown's (the empty key for a dossier never assigned to one).
    assert_eq!(items[0]["handler_id"].as_str().unwrap_or(""), officer["key"].as_str().unwrap());
    assert_eq!(items[0]["handler_name"], officer["name"]);
    let answer = server.get(&format!("/api/v1/reports/ratings/low?{query}&agency={LE_CHAN}"), &leader).await;
    assert_problem(&answer, 403, "dossier.wrong_agency");
    {
        use crate::support::pages::{sign_in, visit};
        let mut browser = sign_in(&server, "hongbang.lanhdao").await;
        let (status, page) = visit(&server, &mut browser, "/can-bo/diem-766/danh-gia-thap?ky=2026").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rated_this_year = chrono::Utc::now().format("%Y").to_string() == "2026";
        assert_eq!(page.contains("Chờ lâu"), rated_this_year, "{page}");
    }

    // Each lost set lists as many dossiers as the scorecard says, each once, all of the agency.
    let sets = card["lost"].as_array().unwrap();
    assert!(sets.iter().any(|s| s["set"] == "no_population_data"), "{card}");
    for set in sets {
        let name = set["set"].as_str().unwrap();
        let listed = walk_lost(&server, &leader, query, name).await;
        assert_eq!(listed.len() as u64, set["dossiers"].as_u64().unwrap(), "{name}");
        let ids: std::collections::BTreeSet<&str> = listed.iter().map(|d| d["dossier_id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), listed.len(), "{name}: each dossier once");
        assert!(listed.iter().all(|d| d["agency_id"] == HONG_BANG), "{name}");
        if name == "no_population_data" {
            for d in &listed {
                let state = mine.iter().find(|m| m.id == d["dossier_id"].as_str().unwrap()).unwrap();
                let found = state.identity_check.as_ref().is_some_and(|i| matches!(i.outcome, IdentityOutcome::Match));
                assert!(!found, "{d}");
            }
        }
    }
    assert_no_drift(&server, "after the ratings").await;
}

async fn the_scorecard_is_scoped_by_role_and_agency_tree_and_refuses_bad_periods(backend: Backend) {
    let server = TestServer::start(backend).await;
    let leader = server.token("hongbang.lanhdao").await;
    let specialist = server.token("hongbang.chuyenvien").await;
    let admin = server.token("admin").await;
    let get = |path: String, token: String| {
        let server = &server;
        async move { server.get(&path, &token).await }
    };
    assert_problem(&get("/api/v1/reports/scorecard".into(), specialist.clone()).await, 403, "dossier.forbidden_role");
    assert_problem(
        &get(format!("/api/v1/reports/scorecard?agency={LE_CHAN}"), leader.clone()).await,
        403,
        "dossier.wrong_agency",
    );
    assert_problem(
        &get("/api/v1/reports/scorecard/lost?set=finished_late&agency=000.31.02.H26".into(), leader.clone()).await,
        403,
        "dossier.wrong_agency",
    );
    assert_problem(
        &get("/api/v1/reports/scorecard?agency=nowhere".into(), admin.clone()).await,
        404,
        "agency.not_found",
    );

    // The administrator scores the whole system, or the province with every agency under it.
    let agencies = server.count("agencies").await as u64;
    let (status, whole) = get("/api/v1/reports/scorecard?period=2026".into(), admin.clone()).await;
    assert_eq!(status, StatusCode::OK, "{whole}");
    assert_eq!((whole["agency"].is_null(), whole["agencies"].as_u64()), (true, Some(agencies)));
    assert_eq!((whole["from"].as_str(), whole["to"].as_str()), (Some("2026-01-01"), Some("2026-12-31")));
    let (_, province) =
        get("/api/v1/reports/scorecard?period=2026-Q4&agency=000.00.00.H26".into(), admin.clone()).await;
    assert_eq!(province["agencies"].as_u64(), Some(agencies), "every demo agency is under the province");
    assert_eq!((province["from"].as_str(), province["to"].as_str()), (Some("2026-10-01"), Some("2026-12-31")));
    let (_, department) = get("/api/v1/reports/scorecard?period=2026-11&agency=000.00.20.H26".into(), admin).await;
    assert_eq!(department["agencies"].as_u64(), Some(3), "the department and its two units: {department}");

    // Bad periods and cursors: 422 naming the field; an unknown set: 400.
    for (query, field) in [
        ("period=2026-13", "period"),
        ("period=9999-Q5", "period"),
        ("period=2026-11&from=2026-11-01&to=2026-11-30", "period"),
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("from=2026-11-01", "from"),
    ] {
        let answer = get(format!("/api/v1/reports/scorecard?{query}"), leader.clone()).await;
        assert_problem(&answer, 422, "request.invalid");
        assert_eq!(error_fields(&answer.1), vec![field.to_string()], "{query}");
    }
    let answer = get("/api/v1/reports/scorecard/lost?set=finished_late&cursor=garbage".into(), leader.clone()).await;
    assert_eq!(error_fields(&answer.1), vec!["cursor".to_string()]);
    assert_problem(
        &get("/api/v1/reports/scorecard/lost?set=nope".into(), leader.clone()).await,
        400,
        "request.malformed",
    );
    // The last day of year 9999 and an oversized page are answered, not failed.
    let (status, far) = get("/api/v1/reports/scorecard?period=9999-12".into(), leader.clone()).await;
    assert_eq!((status, far["scorecard"]["indicators"].as_array().map(Vec::len)), (StatusCode::OK, Some(17)));
    let (status, _) = get("/api/v1/reports/scorecard/lost?set=not_reused&limit=100000".into(), leader).await;
    assert_eq!(status, StatusCode::OK);
}

/// The dossiers of `agency` received and with a portal message written before `before` still undelivered,
/// counted here from the outbox's rows.
async fn waiting_since_before(server: &TestServer, agency: &'static str, before: DateTime<Utc>) -> u64 {
    use diesel::prelude::*;
    use motcua_engine::store::schema::outbox;
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        let waiting: Vec<(Option<String>, chrono::NaiveDateTime)> = outbox::table
            .filter(outbox::topic.eq("portal.status_sync").and(outbox::delivered_at.is_null()))
            .select((outbox::dossier_id, outbox::created_at))
            .load(&mut *conn)
            .unwrap();
        let ids: std::collections::BTreeSet<String> =
            waiting.into_iter().filter(|(_, created)| created.and_utc() < before).filter_map(|(id, _)| id).collect();
        ids.iter()
            .filter(|id| {
                let d = dossiers::get(&mut conn, id).unwrap().unwrap();
                d.agency == agency && d.received_at.is_some()
            })
            .count() as u64
    })
    .await
    .unwrap()
}

/// The trend of `agency` (the caller's own when empty) over `months` to this month: each month's total equals
/// that month's scorecard. Answers how many months scored anything but the empty month's points.
async fn assert_trend_is_monthly_scorecards(server: &TestServer, token: &str, agency: &str, months: u32) -> usize {
    let (status, trend) =
        server.get(&format!("/api/v1/reports/scorecard/trend?agency={agency}&months={months}"), token).await;
    assert_eq!(status, StatusCode::OK, "{trend}");
    let trend = trend.as_array().unwrap();
    assert_eq!(trend.len() as u32, months);
    let mut differing = std::collections::BTreeSet::new();
    for m in trend {
        let month = &m["month"].as_str().unwrap()[..7];
        let (_, card) = server.get(&format!("/api/v1/reports/scorecard?agency={agency}&period={month}"), token).await;
        assert_eq!(m["points"], card["scorecard"]["points"], "{month}: {card}");
        assert_eq!(m["max"], card["scorecard"]["max"], "{month}");
        differing.insert(m["points"].as_u64());
    }
    differing.len()
}

async fn the_trend_equals_the_scorecard_of_each_month(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.token("admin").await;
    assert!(assert_trend_is_monthly_scorecards(&server, &admin, "", 14).await > 1, "the demo scores differently");
    assert_trend_is_monthly_scorecards(&server, &admin, "000.00.20.H26", 3).await;
    let leader = server.token("hongbang.lanhdao").await;
    assert_trend_is_monthly_scorecards(&server, &leader, "", 12).await;
    // Months out of range and months that are none are refused, naming the field.
    for (query, field) in
        [("months=0", "months"), ("months=37", "months"), ("month=2026", "month"), ("month=2026-13", "month")]
    {
        let answer = server.get(&format!("/api/v1/reports/scorecard/trend?{query}"), &leader).await;
        assert_problem(&answer, 422, "request.invalid");
        assert_eq!(error_fields(&answer.1), vec![field.to_string()], "{query}");
    }
    let specialist = server.token("hongbang.chuyenvien").await;
    let answer = server.get("/api/v1/reports/scorecard/trend", &specialist).await;
    assert_problem(&answer, 403, "dossier.forbidden_role");
    assert_no_drift(&server, "the demo").await;
}

async fn a_portal_message_waiting_past_the_hour_costs_its_dossier_the_sync_point(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let leader = server.token("hongbang.lanhdao").await;
    let query = "from=2000-01-01&to=2100-12-31";
    // No worker runs in the test: every portal message of the demo waits.
    let hour = TimeDelta::minutes(60);
    let (_, card) = server.get(&format!("/api/v1/reports/scorecard?{query}"), &leader).await;
    let (synced, received) = rate(&card, "DOSSIER_SYNC");
    let late = waiting_since_before(&server, HONG_BANG, server.now() - hour).await;
    assert_eq!((synced, received), (received - late, received));
    let all = waiting_since_before(&server, HONG_BANG, server.now() + TimeDelta::seconds(1)).await;
    assert!(all > late, "some of the demo's messages were written within the hour: {late} of {all}");
    // The trend weighs the waiting messages as each month's scorecard does.
    assert_trend_is_monthly_scorecards(&server, &leader, "", 12).await;

    // An hour later, every one of them is late, and listed.
    server.advance(hour + TimeDelta::minutes(1));
    let leader = server.token("hongbang.lanhdao").await;
    let (_, card) = server.get(&format!("/api/v1/reports/scorecard?{query}"), &leader).await;
    assert_eq!(rate(&card, "DOSSIER_SYNC"), (received - all, received));
    let listed = walk_lost(&server, &leader, query, "not_synced_on_time").await;
    assert_eq!(listed.len() as u64, all);

    // Delivered now, late: the dispatcher marks their facts, so they stay late once nothing waits; and so does
    // a fill from scratch, from the outbox's record.
    struct Accepting;
    impl motcua_engine::ports::Sink for Accepting {
        fn deliver(
            &self,
            _: &motcua_engine::ports::Delivery,
        ) -> Result<motcua_engine::ports::Receipt, motcua_engine::ports::Failure> {
            Ok(motcua_engine::ports::Receipt::Delivered)
        }
    }
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        use motcua_engine::jobs::{Router, dispatcher};
        let router = Router::new().route("portal.status_sync", std::sync::Arc::new(Accepting));
        while dispatcher::dispatch(&services, &router, 500).unwrap().claimed > 0 {}
    })
    .await
    .unwrap();
    assert_eq!(waiting_since_before(&server, HONG_BANG, server.now() + TimeDelta::seconds(1)).await, 0);
    let (_, card) = server.get(&format!("/api/v1/reports/scorecard?{query}"), &leader).await;
    assert_eq!(rate(&card, "DOSSIER_SYNC"), (received - all, received), "marked late on delivery");
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        diesel::RunQueryDsl::execute(diesel::sql_query("DELETE FROM dossier_facts"), &mut *conn).unwrap();
        services.fill_missing_facts().unwrap()
    })
    .await
    .unwrap();
    let (_, card) = server.get(&format!("/api/v1/reports/scorecard?{query}"), &leader).await;
    assert_eq!(rate(&card, "DOSSIER_SYNC"), (received - all, received), "filled in from the outbox");
}

async fn the_scorecard_page_shows_the_api_points_and_links_each_lost_point_to_its_dossiers(backend: Backend) {
    use crate::support::pages::{sign_in, visit};
    let server = TestServer::start(backend).await;
    let mut leader = sign_in(&server, "hongbang.lanhdao").await;
    let (status, home) = visit(&server, &mut leader, "/can-bo").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(r#"href="/can-bo/diem-766""#), "the leader's navigation links the scorecard");

    let (status, page) = visit(&server, &mut leader, "/can-bo/diem-766").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page.matches("<tr data-indicator=").count(), 17);
    // The total is the API's, in the Vietnamese notation.
    let token = server.token("hongbang.lanhdao").await;
    let (_, card) = server.get("/api/v1/reports/scorecard", &token).await;
    let total = card["scorecard"]["points"].as_u64().unwrap();
    assert!(page.contains(&format!("Tổng điểm: {},{:02}", total / 100, total % 100)), "{total}");
    assert!(page.contains("<svg") && page.contains("Tổng điểm 12 tháng gần nhất"), "the trend is drawn");

    // Every lost set is linked with its count, and its page lists that many dossiers, each linked.
    let sets = card["lost"].as_array().unwrap();
    assert!(!sets.is_empty());
    for set in sets {
        let name = set["set"].as_str().unwrap();
        let start =
            page.find(&format!("/can-bo/diem-766/mat-diem?tap={name}&#38;")).unwrap_or_else(|| panic!("{name}"));
        let href = page[start..start + page[start..].find('"').unwrap()].replace("&#38;", "&");
        let (status, listed) = visit(&server, &mut leader, &href).await;
        assert_eq!(status, StatusCode::OK, "{href}: {listed}");
        assert_eq!(
            listed.matches(r#"<a href="/can-bo/ho-so/"#).count() as u64,
            set["dossiers"].as_u64().unwrap(),
            "{name}"
        );
    }

    // The figures in detail: by agency at first, by officer when chosen, the same rows as the API's, and the
    // scorecard and each table downloadable from the page's session.
    let (_, by_officer) = server.get("/api/v1/reports/scorecard/breakdown?by=officer", &token).await;
    let (_, page) = visit(&server, &mut leader, "/can-bo/diem-766?theo=officer").await;
    let detail = &page[page.find(r#"id="detail-title""#).unwrap()..];
    let rows = by_officer["rows"].as_array().unwrap();
    assert_eq!(detail.matches("<tr><th scope=\"row\">").count(), rows.len(), "{detail}");
    for row in rows.iter().filter(|r| r["name"].is_string()) {
        assert!(detail.contains(row["name"].as_str().unwrap()), "{row}");
    }
    assert!(detail.contains(r#"aria-current="page">Cán bộ"#), "the chosen dimension is marked");
    for href in
        ["/can-bo/diem-766/tai-ve?ky=2026&dinh-dang=csv", "/can-bo/diem-766/tai-ve?theo=field&ky=2026&dinh-dang=csv"]
    {
        let (status, _, bytes) = crate::support::pages::bytes(&server, &mut leader, href).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        assert!(String::from_utf8(bytes).unwrap().starts_with('\u{feff}'), "{href}");
    }
    let (status, _, _) =
        crate::support::pages::bytes(&server, &mut leader, "/can-bo/diem-766/tai-ve?dinh-dang=ods").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A period that is none: the form says so; a specialist may not see the page.
    let (status, page) = visit(&server, &mut leader, "/can-bo/diem-766?ky=2026-13").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Kỳ đánh giá phải là một tháng") && page.contains(r#"aria-invalid="true""#));
    let mut specialist = sign_in(&server, "hongbang.chuyenvien").await;
    let (status, _) = visit(&server, &mut specialist, "/can-bo/diem-766").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) =
        crate::support::pages::bytes(&server, &mut specialist, "/can-bo/diem-766/tai-ve?dinh-dang=xlsx").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn indicator<'a>(card: &'a Value, code: &str) -> &'a Value {
    card["scorecard"]["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap()
}

async fn an_administrator_enters_the_figures_held_outside_and_they_are_scored(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.token("admin").await;
    let leader = server.token("hongbang.lanhdao").await;
    let month = server.now().format("%Y-%m").to_string();
    let card_of = |token: String, query: String| {
        let (server, month) = (&server, &month);
        async move { server.get(&format!("/api/v1/reports/scorecard?period={month}{query}"), &token).await.1 }
    };
    let before = card_of(leader.clone(), String::new()).await;
    assert_eq!(indicator(&before, "PUBLISH_ON_TIME")["figure"]["kind"], "not_entered");
    let max_before = before["scorecard"]["max"].as_u64().unwrap();

    let enter = |token: String, body: Value| {
        let server = &server;
        async move {
            server.send(reqwest::Method::PUT, "/api/v1/reports/scorecard/entered", Some(&token), Some(body), &[]).await
        }
    };
    let figure = |n: u64, d: u64| json!({"agency": HONG_BANG, "month": &month, "indicator": "PUBLISH_ON_TIME", "numerator": n, "denominator": d});
    let (status, stored) = enter(admin.clone(), figure(9, 10)).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    let after = card_of(leader.clone(), String::new()).await;
    let publish = indicator(&after, "PUBLISH_ON_TIME");
    assert_eq!(
        (publish["figure"]["numerator"].as_u64(), publish["figure"]["denominator"].as_u64()),
        (Some(9), Some(10))
    );
    assert_eq!(publish["points"].as_u64(), Some(540), "6 points x 9/10");
    assert_eq!(after["scorecard"]["max"].as_u64(), Some(max_before + 600), "now in the maximum");
    // The province sums what its agencies entered; a correction replaces, it does not add.
    assert_eq!(enter(admin.clone(), figure(10, 10)).await.0, StatusCode::OK);
    let province = card_of(admin.clone(), "&agency=000.00.00.H26".into()).await;
    let publish = indicator(&province, "PUBLISH_ON_TIME");
    assert_eq!(
        (publish["figure"]["numerator"].as_u64(), publish["figure"]["denominator"].as_u64()),
        (Some(10), Some(10))
    );
    assert_trend_is_monthly_scorecards(&server, &leader, "", 3).await;
    let audited = server.count_sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'figure_enter'".into()).await;
    assert_eq!(audited, 2);

    // Only administrators enter; bad figures are refused, naming the field, and nothing is stored.
    assert_problem(&enter(leader.clone(), figure(1, 2)).await, 403, "admin.forbidden");
    for (body, field) in [
        (
            json!({"agency": HONG_BANG, "month": month, "indicator": "DOSSIER_SYNC", "numerator": 1, "denominator": 2}),
            "indicator",
        ),
        (
            json!({"agency": HONG_BANG, "month": "2026-13", "indicator": "PUBLISH_ON_TIME", "numerator": 1, "denominator": 2}),
            "month",
        ),
        (figure(3, 2), "numerator"),
        (figure(1, u64::MAX), "denominator"),
    ] {
        let answer = enter(admin.clone(), body).await;
        assert_problem(&answer, 422, "request.invalid");
        assert_eq!(error_fields(&answer.1), vec![field.to_string()]);
    }
    let answer = enter(
        admin.clone(),
        json!({"agency": "nowhere", "month": &month, "indicator": "PUBLISH_ON_TIME", "numerator": 1, "denominator": 2}),
    )
    .await;
    assert_problem(&answer, 404, "agency.not_found");
    let unchanged = card_of(admin.clone(), "&agency=000.00.00.H26".into()).await;
    assert_eq!(indicator(&unchanged, "PUBLISH_ON_TIME")["figure"]["numerator"].as_u64(), Some(10));

    // The same through the administrator's form: a number that is none names its field; a good one is saved.
    use crate::support::pages::{post, sign_in, visit};
    let mut browser = sign_in(&server, "admin").await;
    let (status, page) = visit(&server, &mut browser, "/can-bo/diem-766/nhap-so-lieu").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(r#"<option value="ELECTRONIC_CERTIFIED_COPY""#) && !page.contains(r#"value="DOSSIER_SYNC""#));
    let csrf = browser.csrf();
    let form = |n: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("agency", HONG_BANG.to_string()),
            ("month", month.clone()),
            ("indicator", "ELECTRONIC_CERTIFIED_COPY".to_string()),
            ("numerator", n.to_string()),
            ("denominator", "4".to_string()),
        ]
    };
    let fields = |f: &[(&'static str, String)]| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let bad = fields(&form("ba"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, page) = post(&server, &mut browser, "/can-bo/diem-766/nhap-so-lieu", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="e-numerator""#), "{page}");
    let good = fields(&form("3"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, _) = post(&server, &mut browser, "/can-bo/diem-766/nhap-so-lieu", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let copies = card_of(leader.clone(), String::new()).await;
    let copy = indicator(&copies, "ELECTRONIC_CERTIFIED_COPY");
    assert_eq!((copy["figure"]["numerator"].as_u64(), copy["figure"]["denominator"].as_u64()), (Some(3), Some(4)));
    let mut leader_browser = sign_in(&server, "hongbang.lanhdao").await;
    let (status, _) = visit(&server, &mut leader_browser, "/can-bo/diem-766/nhap-so-lieu").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
