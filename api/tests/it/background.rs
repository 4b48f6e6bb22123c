//! Background work on both databases: the job queue, the outbox dispatcher, the deadline sweeper, and
//! `motcua audit verify`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use crate::support::{Backend, HONG_BANG, ManualClock, TestServer, assert_problem, new_dossier};
use chrono::TimeDelta;
use diesel::RunQueryDsl;
use motcua_engine::jobs::queue::run_due_jobs;
use motcua_engine::jobs::{Router, dispatcher, sweeper};
use motcua_engine::ports::{Delivery, Failure, Receipt, Sink, topics};
use motcua_engine::service::ServiceError;
use motcua_engine::store::{from_db, jobs, outbox};
use serde_json::json;

/// 300 jobs, 4 workers claiming concurrently: every job is claimed exactly once.
async fn jobs_are_claimed_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        let now = services.now() - TimeDelta::seconds(1);
        for i in 0..300 {
            services
                .db()
                .write(|c| jobs::enqueue(c, "test", Some(&format!("job-{i}")), "{}", now).map_err(ServiceError::from))
                .unwrap();
        }
        // Enqueuing the same unique key again is a no-op.
        assert!(
            !services
                .db()
                .write(|c| jobs::enqueue(c, "test", Some("job-0"), "{}", now).map_err(ServiceError::from))
                .unwrap()
        );
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let services = services.clone();
                std::thread::spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let now = services.now();
                        let claimed = services
                            .db()
                            .write(|c| {
                                jobs::claim(c, &format!("w{w}"), now, TimeDelta::minutes(5), 7, &["test"])
                                    .map_err(ServiceError::from)
                            })
                            .unwrap();
                        if claimed.is_empty() {
                            return mine;
                        }
                        for job in claimed {
                            services
                                .db()
                                .write(|c| jobs::complete(c, job.id, now).map_err(ServiceError::from))
                                .unwrap();
                            mine.push(job.id);
                        }
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for worker in workers {
            all.extend(worker.join().unwrap());
        }
        let unique: BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len(), "a job was claimed twice");
        assert_eq!(unique.len(), 300, "every job ran");
    })
    .await
    .unwrap();
    server.stop().await;
}

/// A sink that fails while `failing` is set and records the status-sync messages it delivered.
#[derive(Default)]
struct RecordingSink {
    failing: Mutex<bool>,
    delivered: Mutex<Vec<(String, String)>>,
}

impl Sink for RecordingSink {
    fn deliver(&self, delivery: &Delivery<'_>) -> Result<Receipt, Failure> {
        if *self.failing.lock().unwrap() {
            return Err(Failure::Transient("portal answered 503".into()));
        }
        if delivery.topic == topics::PORTAL_STATUS {
            // Keys are `{dossier}:{version}`.
            let dossier = delivery.key.split(':').next().unwrap_or_default().to_string();
            self.delivered.lock().unwrap().push((dossier, delivery.key.to_string()));
        }
        Ok(Receipt::Delivered)
    }
}

/// Messages of one dossier go out in order, are retried with backoff, parked dead after the limit, and can be
/// re-driven.
async fn outbox_order_retries_and_dead_messages(backend: Backend) {
    let clock = ManualClock::at("2026-11-23T08:00:00+07:00");
    let server = TestServer::start_with(backend, clock.clone(), 3).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let head = server.token("hongbang.truongphong").await;
    let d = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031090012399")).await;
    let specialist = server.staff_id("hongbang.chuyenvien").await;
    let d = server.act_ok(&head, &d, json!({"action": "assign", "assignee": specialist})).await;
    let id = d["id"].as_str().unwrap().to_string();

    let services = server.services.clone();
    let sink = Arc::new(RecordingSink::default());
    let router = Router::new().route(motcua_engine::ports::topics::PORTAL_STATUS, sink.clone());
    let (ids, sink2) = (id.clone(), sink.clone());
    tokio::task::spawn_blocking(move || {
        // Everything fails: after 3 attempts (with backoff) the first message of each dossier is dead.
        *sink2.failing.lock().unwrap() = true;
        for _ in 0..3 {
            let report = dispatcher::dispatch(&services, &router, 500).unwrap();
            assert!(report.claimed > 0);
            // Nothing is retried before its backoff has passed.
            assert_eq!(dispatcher::dispatch(&services, &router, 500).unwrap().claimed, 0);
            clock.advance(TimeDelta::hours(2));
        }
        let stats = services.db().read(|c| outbox::stats(c).map_err(ServiceError::from)).unwrap();
        assert!(stats.dead > 0, "{stats:?}");
        assert_eq!(
            dispatcher::dispatch(&services, &router, 500).unwrap().claimed,
            0,
            "dead messages block their dossier"
        );
        let rows = services.db().read(|c| outbox::for_dossier(c, &ids).map_err(ServiceError::from)).unwrap();
        assert!(rows[0].dead && rows[0].last_error.as_deref() == Some("portal answered 503"));
        assert!(
            rows[1..].iter().all(|r| !r.dead && r.delivered_at.is_none()),
            "later messages wait behind the dead one"
        );

        // The portal is back: re-drive the dead messages; everything goes out, in order per dossier.
        *sink2.failing.lock().unwrap() = false;
        let dead: Vec<i64> = {
            #[derive(diesel::QueryableByName)]
            struct Id {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                id: i64,
            }
            let mut conn = services.db().conn().unwrap();
            let rows: Vec<Id> = diesel::sql_query("SELECT id FROM outbox WHERE dead").load(&mut *conn).unwrap();
            rows.into_iter().map(|r| r.id).collect()
        };
        for message in dead {
            assert!(
                services
                    .db()
                    .write(|c| outbox::redrive(c, message, services.now()).map_err(ServiceError::from))
                    .unwrap()
            );
        }
        while dispatcher::dispatch(&services, &router, 500).unwrap().claimed > 0 {}
        let by_topic = services.db().read(|c| outbox::stats_by_topic(c).map_err(ServiceError::from)).unwrap();
        let sync = &by_topic.iter().find(|(t, _)| t == motcua_engine::ports::topics::PORTAL_STATUS).unwrap().1;
        assert_eq!((sync.pending, sync.dead), (0, 0));
    })
    .await
    .unwrap();
    let delivered = sink.delivered.lock().unwrap().clone();
    let mut per_dossier: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (dossier, key) in delivered {
        let version: u64 = key.rsplit_once(':').unwrap().1.parse().unwrap();
        per_dossier.entry(dossier).or_default().push(version);
    }
    for (dossier, versions) in &per_dossier {
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{dossier} delivered out of order: {versions:?}");
    }
    assert_eq!(per_dossier[&id].len(), 2, "one message for the reception (status 2), one for the assignment (2 -> 4)");
    server.stop().await;
}

/// Nearly due and overdue are raised once each while the clock runs, and a person who read the dossier just
/// before them can still act on it.
async fn sweeper_raises_each_alert_once(backend: Backend) {
    // Monday 08:00 in Vietnam; 1.001612 has 3 working days: due Thursday 08:00.
    let clock = ManualClock::at("2026-11-23T08:00:00+07:00");
    let server = TestServer::start_with(backend, clock.clone(), 10).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let d = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031090012399")).await;
    assert_eq!(d["due_at"], "2026-11-26T01:00:00Z");
    let id = d["id"].as_str().unwrap().to_string();
    let services = server.services.clone();
    let kinds = tokio::task::spawn_blocking(move || {
        let alerts_of = |services: &motcua_engine::service::Services| -> Vec<String> {
            let events = services
                .db()
                .read(|c| motcua_engine::store::events::history(c, &id).map_err(ServiceError::from))
                .unwrap();
            events.iter().map(|e| e.change.name().to_string()).filter(|k| k == "nearly_due" || k == "overdue").collect()
        };
        sweeper::sweep(&services, 1000).unwrap();
        assert!(alerts_of(&services).is_empty(), "three days left");
        clock.set("2026-11-25T10:00:00+07:00"); // less than 8 working hours left
        sweeper::sweep(&services, 1000).unwrap();
        sweeper::sweep(&services, 1000).unwrap();
        assert_eq!(alerts_of(&services), ["nearly_due"]);
        clock.set("2026-11-26T09:00:00+07:00");
        sweeper::sweep(&services, 1000).unwrap();
        sweeper::sweep(&services, 1000).unwrap();
        alerts_of(&services)
    })
    .await
    .unwrap();
    assert_eq!(kinds, ["nearly_due", "overdue"]);
    // The head of division read the dossier before both alerts; the alerts change nothing she acts on, so her
    // assignment stands. A version older than her read (or not yet reached) is still a conflict.
    let head = server.token("hongbang.truongphong").await;
    let specialist = server.staff_id("hongbang.chuyenvien").await;
    let assign = json!({"action": "assign", "assignee": specialist});
    let mut older = d.clone();
    older["version"] = json!(d["version"].as_u64().unwrap() - 1);
    let mut ahead = d.clone();
    ahead["version"] = json!(d["version"].as_u64().unwrap() + 3);
    for stale in [&older, &ahead] {
        assert_problem(&server.act(&head, stale, assign.clone()).await, 409, "dossier.stale_version");
    }
    let assigned = server.act_ok(&head, &d, assign.clone()).await;
    assert_eq!(assigned["version"].as_u64(), Some(d["version"].as_u64().unwrap() + 3), "two alerts, one assignment");
    // Now a person has acted since: the read from before the alerts is stale.
    assert_problem(&server.act(&head, &d, assign).await, 409, "dossier.stale_version");
    server.stop().await;
}

/// Tampering with one event (after removing the append-only guard, as a database administrator could) is
/// found by `motcua audit verify`, which names the dossier and the event; so are a petition's event and a daily
/// count edited by hand.
async fn audit_verify_names_the_tampered_event(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let d = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031090012399")).await;
    let id = d["id"].as_str().unwrap().to_string();
    let filed = json!({
        "agency": HONG_BANG, "subject": "conduct", "title": "Cán bộ hẹn lại nhiều lần",
        "content": "Tôi đến nộp hồ sơ ba lần đều được hẹn lại.", "name": "Trần Văn Nam", "phone": "0912345678"
    });
    let (status, petition) = server.send(reqwest::Method::POST, "/api/v1/petitions", None, Some(filed), &[]).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{petition}");
    let petition_code = petition["code"].as_str().unwrap().to_string();
    let url = server.services.config.database_url.clone();
    let binary = env!("CARGO_BIN_EXE_motcua");
    let run = |url: &str| {
        std::process::Command::new(binary).args(["audit", "verify"]).env("DATABASE_URL", url).output().unwrap()
    };
    let clean = run(&url);
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stdout));

    let services = server.services.clone();
    let (ids, petition_code) = (id.clone(), petition_code.clone());
    tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        // Events are stored packed; whoever edits the table by hand writes readable JSON over one.
        let update =
            format!("UPDATE events SET payload = '{{\"channel\":\"online\"}}' WHERE dossier_id = '{ids}' AND seq = 1");
        // The guard refuses first.
        assert!(diesel::sql_query(&update).execute(&mut *conn).is_err(), "events are append-only");
        let drop = match services.db().backend() {
            motcua_engine::store::Backend::Postgres => "DROP TRIGGER events_append_only ON events",
            motcua_engine::store::Backend::Sqlite => "DROP TRIGGER events_no_update",
        };
        diesel::sql_query(drop).execute(&mut *conn).unwrap();
        assert_eq!(diesel::sql_query(&update).execute(&mut *conn).unwrap(), 1);
        // A petition's event edited the same way.
        let drop = match services.db().backend() {
            motcua_engine::store::Backend::Postgres => "DROP TRIGGER petition_events_append_only ON petition_events",
            motcua_engine::store::Backend::Sqlite => "DROP TRIGGER petition_events_no_update",
        };
        diesel::sql_query(drop).execute(&mut *conn).unwrap();
        let petition_update = format!(
            "UPDATE petition_events SET payload = '{{}}' WHERE seq = 1 AND petition_id = \
             (SELECT id FROM petitions WHERE code = '{petition_code}')"
        );
        assert_eq!(diesel::sql_query(&petition_update).execute(&mut *conn).unwrap(), 1);
        // A daily count edited by hand no longer equals the facts it is kept from.
        let one = format!("agency_id = '{HONG_BANG}' AND procedure_code = '1.001612' AND received > 0");
        let count = format!(
            "UPDATE daily_counts SET received = received + 1 WHERE {one} AND day = \
             (SELECT MAX(day) FROM daily_counts WHERE {one})"
        );
        assert_eq!(diesel::sql_query(&count).execute(&mut *conn).unwrap(), 1);
    })
    .await
    .unwrap();
    let tampered = run(&url);
    let out = String::from_utf8_lossy(&tampered.stdout);
    assert_eq!(tampered.status.code(), Some(1), "{out}");
    assert!(out.contains(&format!("BROKEN dossier {id} at event 1")), "{out}");
    assert!(out.contains("DRIFT daily counts: 1 (agency, day, procedure) row(s)"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("BROKEN petition ") && l.contains(" at event 1")), "{out}");
    assert!(out.contains("2 broken chain(s)"), "{out}");
    server.stop().await;
}

/// A job that keeps failing is tried again after growing pauses and parked dead after its kind's attempts; an
/// unreadable payload is dead at once; a kind this version does not run waits for a worker that does. Dead jobs
/// show in the administration and the metrics, and an administrator puts them back in line.
async fn failing_jobs_are_capped_dead_and_redriven(backend: Backend) {
    let clock = ManualClock::at("2026-11-23T08:00:00+07:00");
    let server = TestServer::start_with(backend, clock.clone(), 10).await;
    let (admin, clerk) = (server.token("admin").await, server.token("hongbang.tiepnhan").await);
    let services = server.services.clone();
    let job = |key: &'static str| {
        let services = services.clone();
        move || {
            let rows = services.db().read(|c| {
                jobs::list(c, &jobs::Filter { limit: 1000, ..Default::default() }).map_err(ServiceError::from)
            });
            rows.unwrap().into_iter().find(|j| j.unique_key.as_deref() == Some(key)).unwrap()
        }
    };
    let (missing, garbled, future) = (job("missing"), job("garbled"), job("future"));
    let (services2, clock2) = (services.clone(), clock.clone());
    let attempts = tokio::task::spawn_blocking(move || {
        let services = services2;
        let now = services.now();
        services
            .db()
            .write(|c| -> Result<(), ServiceError> {
                let render = "render_form";
                let for_nothing = r#"{"dossier_id":"no-such-dossier","form":"receipt","seq":1}"#;
                jobs::enqueue(c, render, Some("missing"), for_nothing, now)?;
                jobs::enqueue(c, render, Some("garbled"), r#"{"dossier":1}"#, now)?;
                jobs::enqueue(c, "a_newer_kind", Some("future"), "{}", now)?;
                Ok(())
            })
            .unwrap();
        let mut seen = Vec::new();
        for _ in 0..6 {
            run_due_jobs(&services, "w", 500).unwrap();
            let m = missing();
            seen.push((m.attempts, m.dead, (from_db(m.run_at) - services.now()).num_seconds()));
            clock2.advance(TimeDelta::hours(1));
        }
        assert!(garbled().dead && garbled().attempts == 1, "an unreadable payload is dead at once");
        assert!(garbled().last_error.unwrap().contains("unreadable payload"));
        let f = future();
        assert!((f.attempts, f.dead, f.done_at) == (0, false, None), "an unknown kind is left alone: {f:?}");
        seen
    })
    .await
    .unwrap();
    // Pauses of 30 s, 1, 2 and 4 minutes, then dead at the fifth attempt; a dead job is not tried again.
    assert_eq!(
        attempts,
        [(1, false, 30), (2, false, 60), (3, false, 120), (4, false, 240), (5, true, 480), (5, true, -3120)]
    );

    let (status, page) = server.get("/api/v1/admin/jobs?state=dead", &admin).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "{page}");
    assert_eq!(page["kinds"]["render_form"]["dead"], 2, "{page}");
    assert_eq!(page["kinds"]["a_newer_kind"]["pending"], 1, "{page}");
    let (status, _) = server.get("/api/v1/admin/jobs", &clerk).await;
    assert_eq!(status, 403);
    let metrics = server.client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("motcua_jobs{state=\"dead\"} 2"), "{metrics}");

    let id = page["items"][0]["id"].as_i64().unwrap();
    let one = format!("/api/v1/admin/jobs/{id}/redrive");
    let redrive = || server.send(reqwest::Method::POST, &one, Some(&admin), Some(json!({})), &[]);
    let (status, body) = redrive().await;
    assert_eq!((status.as_u16(), body["redriven"].as_i64()), (200, Some(1)), "{body}");
    assert_problem(&redrive().await, 404, "job.not_dead");
    let (status, body) = server
        .send(
            reqwest::Method::POST,
            "/api/v1/admin/jobs/redrive",
            Some(&admin),
            Some(json!({"kind": "render_form"})),
            &[],
        )
        .await;
    assert_eq!((status.as_u16(), body["redriven"].as_i64()), (200, Some(1)), "{body}");
    let (_, page) = server.get("/api/v1/admin/jobs?state=pending&kind=render_form", &admin).await;
    let redriven: Vec<_> = page["items"].as_array().unwrap().iter().filter(|j| j["attempts"] == 0).collect();
    assert_eq!(redriven.len(), 2, "back in line with their attempts anew: {page}");
    server.stop().await;
}

on_both_backends!(
    failing_jobs_are_capped_dead_and_redriven,
    jobs_are_claimed_once,
    outbox_order_retries_and_dead_messages,
    sweeper_raises_each_alert_once,
    audit_verify_names_the_tampered_event,
);
