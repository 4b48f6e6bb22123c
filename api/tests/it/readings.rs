//! Reading papers on both databases, with the real recogniser (Tesseract with its Vietnamese model, installed
//! by the test command): a scanned id card is read by the background job, the dossier received with it is
//! checked against what was typed, the disagreement waits for the clerk's decision (refused from another ward,
//! recorded once), and the text read is searchable by staff of the dossier's agency only.

use chrono::Datelike;

use crate::support::{Backend, HONG_BANG, TestServer, assert_problem};
use motcua_api::sim::papers::{Condition, demo_id_card, scan};
use motcua_engine::jobs::queue::run_due_jobs;
use rand::SeedableRng;
use reqwest::StatusCode;
use serde_json::json;

/// Runs the queued jobs (the readings and the check) as a worker would.
async fn work(server: &TestServer) {
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || while run_due_jobs(&services, "test", 50).unwrap() > 0 {}).await.unwrap();
}

async fn a_scanned_card_is_read_checked_and_searchable(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let other_ward = server.token("lechan.tiepnhan").await;
    let citizen = motcua_api::sim::demo_citizens().into_iter().next().unwrap();
    let card = demo_id_card(&citizen);
    let scratch = std::env::temp_dir().join(format!("motcua-readings-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let png = scan(&card.pdf, Condition::Clean, &mut rng, &scratch).unwrap();
    let _ = std::fs::remove_dir_all(&scratch);

    let (status, upload) = server.upload(&clerk, "can-cuoc.png", png).await;
    assert_eq!(status, StatusCode::CREATED, "{upload}");
    let upload_id = upload["id"].as_str().unwrap();
    let (status, before) = server.get(&format!("/api/v1/uploads/{upload_id}/reading"), &clerk).await;
    assert_eq!((status, before["pending"].as_bool()), (StatusCode::OK, Some(true)), "queued, not read: {before}");
    let (status, _) = server.get(&format!("/api/v1/uploads/{upload_id}/reading"), &other_ward).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another clerk's upload is none of hers");
    work(&server).await;
    let (_, read) = server.get(&format!("/api/v1/uploads/{upload_id}/reading"), &clerk).await;
    let found = &read["text"]["found"];
    assert_eq!(found["kind"], "id_card", "{read}");
    assert_eq!(found["id_number"], citizen.id_number.as_str());
    assert_eq!(found["birth_date"], citizen.birth_date.to_string());
    assert_eq!(read["text"]["problems"], json!([]), "a clean scan reads well");

    // Received with a mistyped id number (a valid one of another person) and a mistyped day of birth (in the
    // same year: the id number encodes the year).
    let typed = "031190012346";
    let other_day = citizen.birth_date.with_day(if citizen.birth_date.day() == 1 { 2 } else { 1 }).unwrap();
    let body = json!({
        "procedure_code": "1.001612",
        "agency": HONG_BANG,
        "channel": "counter",
        "applicant": {
            "name": citizen.name, "id_kind": "personal_id", "id_number": typed,
            "birth_date": other_day.to_string(), "sex": "female", "address": citizen.address,
        },
        "components": [{"id": "giay_de_nghi"}, {"id": "giay_to_phap_ly_ca_nhan", "upload": upload_id}],
    });
    let dossier = server.receive(&clerk, body).await;
    let id = dossier["id"].as_str().unwrap();
    work(&server).await;
    let (status, checks) = server.get(&format!("/api/v1/dossiers/{id}/paper-checks"), &clerk).await;
    assert_eq!(status, StatusCode::OK, "{checks}");
    let checks = checks.as_array().unwrap();
    let fields: Vec<&str> = checks.iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields.len(), 2, "the id number and the day of birth disagree: {checks:?}");
    let id_check = checks.iter().find(|c| c["field"] == "id_number").expect("the id number's finding");
    assert_eq!(
        (&id_check["stated"], &id_check["found"], &id_check["against"]),
        (&json!(typed), &json!(citizen.id_number), &json!("typed"))
    );
    let day_check = checks.iter().find(|c| c["field"] == "birth_date").expect("the day of birth's finding");
    assert!(checks.iter().all(|c| c["decision"].is_null()), "waiting for the clerk");
    let (_, readings) = server.get(&format!("/api/v1/dossiers/{id}/readings"), &clerk).await;
    assert!(readings.as_array().unwrap().iter().any(|r| r["reading"]["text"].as_str().unwrap().contains("CĂN CƯỚC")));

    // Search: a word of the name without accents and the number, by staff of the ward; not by another ward.
    let family = motcua_engine::text::words(&citizen.name)[0].clone();
    let q = format!("/api/v1/papers/search?q={family}%20{}", citizen.id_number);
    let (status, hits) = server.get(&q, &clerk).await;
    assert_eq!(status, StatusCode::OK, "{hits}");
    assert!(hits["items"].as_array().unwrap().iter().any(|h| h["dossier_id"] == id), "{hits}");
    let (_, none) = server.get(&q, &other_ward).await;
    assert_eq!(none["items"], json!([]), "outside the caller's agencies: {none}");
    assert_problem(&server.get("/api/v1/papers/search?q=%20", &clerk).await, 422, "request.invalid");
    assert_problem(&server.get(&format!("{q}&after=nonsense"), &clerk).await, 422, "request.invalid");

    // The decision: refused when it is none, invisible to another ward, recorded once.
    let path = format!("/api/v1/dossiers/{id}/paper-checks/decision");
    let decide = async |token: &str, decision: &str| {
        server.send(reqwest::Method::POST, &path, Some(token), Some(json!({ "decision": decision })), &[]).await
    };
    assert_problem(&decide(&clerk, "maybe").await, 422, "request.invalid");
    assert_problem(&decide(&other_ward, "kept").await, 404, "dossier.not_found");
    // One finding by its id: the day of birth was typed wrong and has been put right; the other still waits.
    let one = |check: &str| json!({ "decision": "corrected", "check": check });
    let decide_one =
        async |check: &str| server.send(reqwest::Method::POST, &path, Some(&clerk), Some(one(check)), &[]).await;
    assert_problem(&decide_one("no-such-finding").await, 404, "reading.nothing_waiting");
    let (status, decided) = decide_one(day_check["id"].as_str().unwrap()).await;
    assert_eq!((status, decided["decided"].as_u64()), (StatusCode::OK, Some(1)), "{decided}");
    assert_problem(&decide_one(day_check["id"].as_str().unwrap()).await, 404, "reading.nothing_waiting");
    // The rest at once.
    let (status, decided) = decide(&clerk, "kept").await;
    assert_eq!((status, decided["decided"].as_u64()), (StatusCode::OK, Some(1)), "{decided}");
    assert_problem(&decide(&clerk, "kept").await, 404, "reading.nothing_waiting");
    let (_, checks) = server.get(&format!("/api/v1/dossiers/{id}/paper-checks"), &clerk).await;
    let decision_of = |field: &str| checks.as_array().unwrap().iter().find(|c| c["field"] == field).unwrap().clone();
    assert_eq!(decision_of("birth_date")["decision"], "corrected");
    assert_eq!(decision_of("id_number")["decision"], "kept");
    assert!(decision_of("id_number")["decided_by"].as_str().unwrap().starts_with("staff:"));
    server.stop().await;
}

on_both_backends!(a_scanned_card_is_read_checked_and_searchable);

/// More read papers in one ward than the search's first step reads (`readings::WINDOW`, twice over): a word on
/// every paper pages through all of them, each once and newest first; a word on the oldest paper only is found
/// through the word index; a word on a few new papers and many old ones pages from the newest papers into the
/// word index and back; another ward finds none of them.
async fn the_search_reads_past_the_newest_papers(backend: Backend) {
    use motcua_engine::store::papers::{self, Paper};
    use motcua_engine::store::readings::{self, Reading, WINDOW};
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let other_ward = server.token("lechan.tiepnhan").await;
    let (_, queue) = server.get("/api/v1/dossiers?limit=1", &clerk).await;
    let dossier = queue["items"][0]["id"].as_str().unwrap().to_string();
    let count = 2 * usize::try_from(WINDOW).unwrap() + 45;
    let landmark = |i: usize| (i >= 500 && i.is_multiple_of(100)) || i < 40;
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let (cards, read): (Vec<Paper>, Vec<Reading>) = (0..count)
        .map(|i| {
            let blob = format!("{i:064}");
            let rare = if i == 0 { " hiemcothay" } else { "" };
            let mark = if landmark(i) { " mocgioi" } else { "" };
            let text = format!("can cuoc cong dan so {i}{rare}{mark}");
            let paper = Paper {
                id: format!("00000000-0000-7000-8000-{i:012}"),
                dossier_id: dossier.clone(),
                component_id: None,
                kind: "component".into(),
                source: "scan".into(),
                blob_sha256: blob.clone(),
                size_bytes: 1,
                media_type: "image/png".into(),
                file_name: format!("the-{i}.png"),
                title: format!("Giấy {i}"),
                repository_item_id: None,
                added_by: "test".into(),
                // Two papers an instant: the cursor breaks ties by id.
                added_at: start + chrono::TimeDelta::minutes(i64::try_from(i / 2).unwrap()),
                keep: false,
            };
            let reading = Reading {
                blob_sha256: blob,
                read_at: start,
                paper_kind: "other".into(),
                found: "{}".into(),
                problems: "[]".into(),
                pages: 1,
                body: text.clone(),
                search_text: text,
            };
            (paper, reading)
        })
        .unzip();
    // Papers first, then their readings: each paper takes its words when its file is read.
    let db = server.services.db().clone();
    tokio::task::spawn_blocking(move || {
        db.write(|conn| {
            papers::insert_all(conn, &cards)?;
            readings::insert_all(conn, &read)
        })
    })
    .await
    .unwrap()
    .unwrap();

    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let (status, page) = server.get(&format!("/api/v1/papers/search?q=cong+dan&limit=100{after}"), &clerk).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(page["items"].as_array().unwrap().iter().map(|h| h["paper_title"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    let newest_first: Vec<String> = (0..count).rev().map(|i| format!("Giấy {i}")).collect();
    assert_eq!(seen, newest_first, "every paper once, newest first (ties by id)");
    // Three a page: the newest papers hold the first page; the second needs the word index after the cursor.
    let mut marked = Vec::new();
    let mut after = String::new();
    loop {
        let (_, page) = server.get(&format!("/api/v1/papers/search?q=mocgioi&limit=3{after}"), &clerk).await;
        marked.extend(page["items"].as_array().unwrap().iter().map(|h| h["paper_title"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..count).rev().filter(|i| landmark(*i)).map(|i| format!("Giấy {i}")).collect();
    assert_eq!(marked, expected);
    let (_, rare) = server.get("/api/v1/papers/search?q=hiemcothay+cong", &clerk).await;
    let titles: Vec<&str> =
        rare["items"].as_array().unwrap().iter().map(|h| h["paper_title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Giấy 0"], "{rare}");
    let (_, none) = server.get("/api/v1/papers/search?q=hiemcothay", &other_ward).await;
    assert_eq!(none["items"], json!([]));
    server.stop().await;
}

on_both_backends!(the_search_reads_past_the_newest_papers);
