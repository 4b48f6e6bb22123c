//! What keeps the hot requests fast at ten million dossiers, checked on the demo: search as Vietnamese users
//! type it (accents and case aside, words or their starts in any order, whole codes and id numbers exact), keyset pages that walk every dossier once
//! in queue order, and (on PostgreSQL) plans that read through an index and sort no table.

use std::collections::BTreeSet;

use motcua_engine::store::{StoreError, dossiers, events, identity, readings};
use serde_json::Value;

use crate::support::{Backend, HONG_BANG, TestServer};

on_both_backends!(search_ignores_accents_and_case, keyset_pages_walk_the_queue_once);

/// The demo applicant with dossiers at Hồng Bàng.
const HUONG: (&str, &str) = ("031190012345", "Nguyễn Thị Hường");

fn codes(body: &Value) -> BTreeSet<String> {
    body["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

async fn search_ignores_accents_and_case(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let (_, exact) = server.get(&format!("/api/v1/dossiers?q={}", HUONG.1), &clerk).await;
    let found = codes(&exact);
    assert!(!found.is_empty(), "the demo applicant has dossiers at Hồng Bàng");
    for typed in ["nguyen thi huong", "NGUYỄN THỊ HƯỜNG", "Nguyen  Thi   Huong", "huong thi", "Hường, Nguyễn!"]
    {
        let (status, body) = server.get(&format!("/api/v1/dossiers?q={}", typed.replace(' ', "+")), &clerk).await;
        assert_eq!(status, 200, "{typed}");
        assert_eq!(codes(&body), found, "{typed} finds the same dossiers");
    }
    // A whole id number and a whole code are looked up exactly, in any case.
    let (_, by_id) = server.get(&format!("/api/v1/dossiers?q={}", HUONG.0), &clerk).await;
    assert!(codes(&by_id).is_superset(&found));
    let coded = exact["items"].as_array().unwrap().iter().find(|d| d["code"].is_string()).expect("a coded dossier");
    let code = coded["code"].as_str().unwrap();
    let (_, by_code) = server.get(&format!("/api/v1/dossiers?q={}", code.to_lowercase()), &clerk).await;
    assert_eq!(codes(&by_code), BTreeSet::from([coded["id"].as_str().unwrap().to_string()]));
    // A fragment of the code, as its words; nothing matches what no dossier holds, nor punctuation alone, nor a
    // part of a word.
    let (_, fragment) = server.get(&format!("/api/v1/dossiers?q={}", &code[14..]), &clerk).await;
    assert!(codes(&fragment).contains(coded["id"].as_str().unwrap()), "{}", &code[14..]);
    for typed in ["khong+co+ai", "%25", "_", "-", "uong", "huo", "nguyen+thi+hu"] {
        let (_, none) = server.get(&format!("/api/v1/dossiers?q={typed}"), &clerk).await;
        assert!(codes(&none).is_empty(), "{typed}: {none}");
    }
    // The catalogue, as the public searches it.
    for typed in ["ket+hon", "KẾT+HÔN", "kết+hôn"] {
        let (_, procedures) = server.get(&format!("/api/v1/procedures?q={typed}"), "").await;
        let names: Vec<&str> =
            procedures["items"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect::<Vec<_>>();
        assert!(names.iter().any(|n| n.contains("kết hôn")), "{typed}: {names:?}");
    }
    server.stop().await;
}

/// Pages of two walk the clerk's whole queue, each dossier once, in the order of the unpaged list: due instant
/// first (none last), then id.
async fn keyset_pages_walk_the_queue_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let (_, all) = server.get("/api/v1/dossiers?limit=200", &clerk).await;
    let all: Vec<Value> = all["items"].as_array().unwrap().clone();
    assert!(all.len() > 4, "enough demo dossiers to page through");
    assert!(all.iter().any(|d| d["due_at"].is_null()) && all.iter().any(|d| d["due_at"].is_string()));
    let mut walked = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = server.get(&format!("/api/v1/dossiers?limit=2{cursor}"), &clerk).await;
        assert_eq!(status, 200);
        walked.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    let ids = |list: &[Value]| list.iter().map(|d| d["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&walked), ids(&all));
    let due: Vec<Option<&str>> = all.iter().map(|d| d["due_at"].as_str()).collect();
    let first_none = due.iter().position(Option::is_none).unwrap();
    assert!(due[first_none..].iter().all(Option::is_none), "dossiers without a due instant come last");
    assert!(all.iter().all(|d| d["agency"] == HONG_BANG || d["consultation"]["agency"] == HONG_BANG));
    server.stop().await;
}

/// On PostgreSQL, each hot query has an index that serves it: with sequential scans and sorts priced out, the
/// plan still shows neither where the index should serve the order (a plan that needs them has no index).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hot_queries_read_through_indexes_on_postgres() {
    if !crate::support::postgres_available() {
        return;
    }
    let server = TestServer::start(Backend::Postgres).await;
    // Pages read in index order: with sequential scans and sorts priced out, a plan that still shows either has
    // no index to serve it.
    let ordered = plans(&server, "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off", |conn| {
        let cursor = dossiers::Cursor { due_at: Some(chrono::Utc::now()), id: "0".into() };
        let mut plans = Vec::new();
        for (name, filter) in [("queue page", queue(None, None)), ("queue next page", queue(None, Some(cursor)))] {
            let [own, consulted]: [String; 2] = dossiers::explain_list(conn, &filter)?.try_into().expect("two parts");
            plans.push((format!("{name} (own)"), own));
            // The consulted part reads the partial index on consultations, which only open ones are in.
            plans.push((format!("{name} (consulted)"), consulted));
        }
        plans.push(("a citizen's dossiers".into(), identity::explain_dossiers_of_applicant(conn, HUONG.0, None)?));
        plans.push(("chain check page".into(), events::explain_verify_page(conn, &("0".into(), 0))?));
        // The search of read papers walks one agency's papers newest first, whatever page it is on.
        let words = vec!["nguyen".to_string()];
        let later = Some((chrono::Utc::now().naive_utc(), "0".to_string()));
        for (name, after) in [("papers search page", None), ("papers search next page", later)] {
            let (newest, _) = readings::explain_search(conn, &words, HONG_BANG, after)?;
            plans.push((name.into(), newest));
        }
        Ok(plans)
    })
    .await;
    for (name, plan) in &ordered {
        assert!(!plan.contains("Seq Scan"), "{name} scans the table:\n{plan}");
        if name.starts_with("papers") {
            assert!(plan.contains("papers_agency_added"), "{name} walks the agency's papers in order:\n{plan}");
        }
        assert!(name.contains("consulted") || !plan.contains("Sort"), "{name} sorts:\n{plan}");
    }
    // Searches sort only their matches, found through an index: a whole id number through its own, and words
    // through the GIN index over the agency and the words (on a table this small the planner may prefer the
    // agency's index; `motcua bench queries` shows the word index at work on millions).
    let searches = plans(&server, "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off", |conn| {
        let mut plans = Vec::new();
        for (name, text) in [("search by name", "Nguyễn Thị Hường"), ("search by id number", HUONG.0)] {
            let [own, _]: [String; 2] =
                dossiers::explain_list(conn, &queue(Some(text), None))?.try_into().expect("two parts");
            plans.push((name.to_string(), own));
        }
        let words = vec!["nguyen".to_string(), HUONG.0.to_string()];
        let (_, indexed) = readings::explain_search(conn, &words, HONG_BANG, None)?;
        plans.push(("papers by the word index".into(), indexed));
        Ok(plans)
    })
    .await;
    // The papers' second step reads the agency's posting lists of the words.
    let papers_plan = &searches[2].1;
    assert!(papers_plan.contains("papers_search"), "{papers_plan}");
    assert!(
        papers_plan.contains("''000.31.01.H26:nguyen'' & ''000.31.01.H26:031190012345''"),
        "each word whole, behind the agency:\n{papers_plan}"
    );
    let (name_plan, id_plan) = (&searches[0].1, &searches[1].1);
    assert!(
        name_plan.contains("array_to_tsvector(string_to_array(((agency_id || ':'::text) || replace(search_text"),
        "{name_plan}"
    );
    assert!(
        name_plan.contains("''000.31.01.H26:nguyen'' & ''000.31.01.H26:thi'' & ''000.31.01.H26:huong''"),
        "each word whole, behind the agency:\n{name_plan}"
    );
    // The id number's equality is what the owner index (checked above with a citizen's dossiers) answers.
    assert!(id_plan.contains("applicant_id = '031190012345'"), "{id_plan}");
    let word_index = server
        .count_sql(
            "SELECT COUNT(*) AS n FROM pg_indexes WHERE indexname = 'dossiers_search' \
             AND indexdef LIKE '%USING gin (array_to_tsvector(string_to_array(((agency_id || %'"
                .into(),
        )
        .await;
    assert_eq!(word_index, 1, "the index of words behind their agency exists");
    server.stop().await;
}

/// On PostgreSQL, every statement the scorecard, the trend, the breakdowns, the lost points and the monthly report
/// run over the facts reads them through an index: with sequential scans priced out, the transaction's own
/// statistics (`pg_stat_xact_user_tables`, `pg_stat_get_xact_numscans`) show no sequential scan of
/// `dossier_facts`, and each period (reception, completion, the backlog, withdrawal) was read by one of its indexes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reports_count_the_facts_through_their_indexes_on_postgres() {
    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;
    use motcua_engine::store::facts::{self, Dimension, Lost};
    if !crate::support::postgres_available() {
        return;
    }
    let server = TestServer::start(Backend::Postgres).await;
    let services = server.services.clone();
    let now = server.now();
    let (sequential, used) = tokio::task::spawn_blocking(move || {
        services.db().write(|conn| {
            conn.batch_execute("SET LOCAL enable_seqscan = off")?;
            let topic = motcua_engine::ports::topics::PORTAL_STATUS;
            let agencies = vec![HONG_BANG.to_string(), crate::support::LE_CHAN.to_string()];
            let list = Some(agencies.as_slice());
            let from = now - chrono::TimeDelta::days(30);
            for by in [Dimension::Agency, Dimension::Procedure, Dimension::Officer, Dimension::Channel] {
                facts::count_by(conn, by, list, from, now, now, topic)?;
                facts::open_by(conn, by, list, from)?;
            }
            let bounds: Vec<_> = (0..4).rev().map(|i| now - chrono::TimeDelta::days(30 * i)).collect();
            facts::count_by_month(conn, list, &bounds, &bounds[1..], topic)?;
            for set in Lost::ALL {
                facts::lost(conn, set, list, from, now, now, None, 50, topic)?;
            }
            #[derive(diesel::QueryableByName)]
            struct Scans {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            #[derive(diesel::QueryableByName)]
            struct Index {
                #[diesel(sql_type = diesel::sql_types::Text)]
                name: String,
            }
            let sequential: Vec<Scans> = diesel::sql_query(
                "SELECT COALESCE(seq_scan, 0) AS n FROM pg_stat_xact_user_tables WHERE relname = 'dossier_facts'",
            )
            .load(conn)?;
            let used: Vec<Index> = diesel::sql_query(
                "SELECT CAST(i.relname AS TEXT) AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
                 WHERE x.indrelid = 'dossier_facts'::regclass AND pg_stat_get_xact_numscans(i.oid) > 0",
            )
            .load(conn)?;
            Ok::<_, StoreError>((
                sequential.iter().map(|s| s.n).sum::<i64>(),
                used.into_iter().map(|i| i.name).collect::<BTreeSet<String>>(),
            ))
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(sequential, 0, "a statement over the facts scans the table; indexes read: {used:?}");
    // Each period is read by one of its indexes: by agency, or (the lost lists) in the list's order. Which one a
    // statement takes on this small table is the planner's choice; the backlog may be read by its own partial
    // index or by the reception index with the open condition.
    let periods: [&[&str]; 4] = [
        &["dossier_facts_received", "dossier_facts_received_order"],
        &["dossier_facts_finished", "dossier_facts_finished_order"],
        &["dossier_facts_open", "dossier_facts_received"],
        &["dossier_facts_withdrawn"],
    ];
    for indexes in periods {
        assert!(indexes.iter().any(|i| used.contains(*i)), "none of {indexes:?} is read: {used:?}");
    }
    server.stop().await;
}

fn queue(text: Option<&str>, after: Option<dossiers::Cursor>) -> dossiers::QueueFilter {
    dossiers::QueueFilter {
        agencies: vec![HONG_BANG.to_string()],
        text: text.map(str::to_string),
        after,
        limit: 51,
        ..Default::default()
    }
}

type Plans = Vec<(String, String)>;

/// Plans gathered in one transaction under the planner `settings`.
async fn plans(
    server: &TestServer,
    settings: &'static str,
    gather: impl FnOnce(&mut motcua_engine::store::DbConnection) -> Result<Plans, StoreError> + Send + 'static,
) -> Plans {
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        services.db().write(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(settings)?;
            gather(conn)
        })
    })
    .await
    .unwrap()
    .unwrap()
}

on_both_backends!(seeded_copies_agree_with_their_history_and_are_measured);

/// The short version of `motcua bench seed`, `bench queries` and `bench papers`: a fresh database grows to a total in two runs,
/// its copies' hash chains verify as the use cases would have written them, and the query benchmark answers
/// every kind without a server error.
async fn seeded_copies_agree_with_their_history_and_are_measured(backend: Backend) {
    let url = crate::support::fresh_database(backend);
    let motcua = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(args)
            .arg("--database-url")
            .arg(&url)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {text}");
        text
    };
    // Blocking calls in an async test: the runtime has other threads, and nothing else runs here.
    let first = motcua(&["bench", "seed", "--dossiers", "40", "--communes", "4"]);
    assert!(first.contains("the database holds 40"), "{first}");
    let second = motcua(&["bench", "seed", "--dossiers", "90", "--communes", "4"]);
    assert!(second.contains("seeded 50 dossiers") && second.contains("the database holds 90"), "{second}");
    assert!(second.contains("bytes per dossier"), "{second}");
    // Each copy's indicator facts are written with it, and about half the returned copies are rated.
    let db = motcua_engine::store::Db::connect(&url, 1).unwrap();
    let count = |table: &'static str| {
        db.read(|conn| {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let n: N =
                diesel::RunQueryDsl::get_result(diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")), conn)?;
            Ok::<_, StoreError>(n.n)
        })
        .unwrap()
    };
    assert_eq!(count("dossier_facts"), 90);
    assert!(count("ratings") > 10, "{} ratings", count("ratings"));
    let queries = motcua(&["bench", "queries", "--requests", "5"]);
    assert!(queries.contains("bench queries: 90 dossiers"), "{queries}");
    assert!(queries.contains("queue search by name") && queries.contains("slowest p99"), "{queries}");
    // The short version of `bench papers`: read id cards are added up to the number asked, then searched.
    let papers = motcua(&["bench", "papers", "--fill", "60", "--requests", "3"]);
    assert!(count("paper_readings") >= 60, "{papers}");
    assert!(papers.contains("a word on every card, page 5") && papers.contains("an applicant's id number"), "{papers}");
    let audit = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &url)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&audit.stdout);
    assert!(audit.status.success() && out.contains(" 0 broken chain(s)"), "{out}");
    assert!(out.contains("90 dossier"), "every copy has its history: {out}");
}

on_both_backends!(the_lifecycle_runs_in_process_with_every_dossier_numbered_once);

/// The short version of `motcua bench lifecycle --in-process`: concurrent threads drive dossiers through the
/// whole flow by calling the use cases; every dossier finishes (receptions numbered side by side), and every
/// chain verifies.
async fn the_lifecycle_runs_in_process_with_every_dossier_numbered_once(backend: Backend) {
    let url = crate::support::fresh_database(backend);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(args)
            .env("DATABASE_URL", &url)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .unwrap()
    };
    let out = run(&["bench", "lifecycle", "--in-process", "--dossiers", "8", "--clients", "4", "--database-url", &url]);
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("actions/s"), "{text}");
    for action in ["receive", "assign", "appraise", "approve", "sign", "seal", "return"] {
        let line = text.lines().find(|l| l.starts_with(action)).unwrap_or_default();
        assert_eq!(line.split_whitespace().nth(1), Some("8"), "{action}: {text}");
    }
    let audit = run(&["audit", "verify"]);
    let verified = String::from_utf8_lossy(&audit.stdout);
    assert!(audit.status.success() && verified.contains(" 0 broken chain(s)"), "{verified}");
}
