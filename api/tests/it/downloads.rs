//! The scorecard's breakdowns (issue 16) adding up to the scorecard, and the downloads of the reports, the lost
//! points, the queue and the register read back with a spreadsheet reader: the same rows as the JSON, with
//! Vietnamese headings, dates as dates.

use std::collections::BTreeSet;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Backend, HONG_BANG, TestServer, assert_problem};

on_both_backends!(each_breakdown_adds_up_to_the_scorecard_it_breaks_down);
on_both_backends!(reports_and_lists_download_as_csv_and_xlsx_with_the_rows_of_the_json);
on_both_backends!(the_published_statistics_match_the_scorecard_and_name_no_one);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Dates wide enough to hold the whole demo.
const EVERYTHING: &str = "from=2000-01-01&to=2100-12-31";

fn figure(card: &Value, code: &str) -> (u64, u64) {
    let scored = card["scorecard"]["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap();
    (scored["figure"]["numerator"].as_u64().unwrap(), scored["figure"]["denominator"].as_u64().unwrap())
}

fn sum(rows: &[Value], field: &str) -> u64 {
    rows.iter().map(|r| r[field].as_u64().unwrap()).sum()
}

fn row_figure(row: &Value, code: &str) -> (u64, u64) {
    let f = row["figures"].as_array().unwrap().iter().find(|f| f["indicator"] == code).unwrap();
    (f["numerator"].as_u64().unwrap(), f["denominator"].as_u64().unwrap())
}

async fn each_breakdown_adds_up_to_the_scorecard_it_breaks_down(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.token("admin").await;
    let (status, card) = server.get(&format!("/api/v1/reports/scorecard?{EVERYTHING}"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    let (_, received) = figure(&card, "DOSSIER_SYNC");
    let (_, finished) = figure(&card, "SO_HOA_GIAY_TO_GIAI_QUYET");
    let (in_time, counted) = figure(&card, "DOSSIER_ON_TIME");
    assert!(received > 5 && finished > 0, "{card}");
    for by in ["agency", "procedure", "field", "officer", "channel"] {
        let (status, b) =
            server.get(&format!("/api/v1/reports/scorecard/breakdown?{EVERYTHING}&by={by}"), &admin).await;
        assert_eq!(status, StatusCode::OK, "{b}");
        let rows = b["rows"].as_array().unwrap();
        assert!(!rows.is_empty(), "{by}");
        assert_eq!(sum(rows, "received"), received, "{by}");
        assert_eq!(sum(rows, "finished"), finished, "{by}");
        assert_eq!(sum(rows, "finished") + sum(rows, "open"), counted, "{by}");
        let on_time: u64 = rows.iter().map(|r| row_figure(r, "DOSSIER_ON_TIME").0).sum();
        assert_eq!(on_time, in_time, "{by}");
        let keys: BTreeSet<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
        assert_eq!(keys.len(), rows.len(), "{by}: each value once");
        let received_order: Vec<u64> = rows.iter().map(|r| r["received"].as_u64().unwrap()).collect();
        assert!(received_order.windows(2).all(|w| w[0] >= w[1]), "{by}: most received first");
        match by {
            "agency" => assert!(rows.iter().all(|r| r["name"].is_string()), "{b}"),
            "procedure" | "field" => assert!(rows.iter().all(|r| r["name"].is_string()), "{b}"),
            "officer" => {
                let specialist = server.staff_id("hongbang.chuyenvien").await;
                let row =
                    rows.iter().find(|r| r["key"] == specialist.as_str()).expect("the demo's specialist handled work");
                assert!(row["name"].as_str().is_some_and(|n| !n.is_empty()), "{row}");
            }
            _ => assert!(keys.iter().all(|k| ["1", "2", "3"].contains(k)), "{keys:?}"),
        }
    }
    // A specialist reads no reports; an unknown dimension is malformed.
    let specialist = server.token("hongbang.chuyenvien").await;
    let answer = server.get("/api/v1/reports/scorecard/breakdown?by=agency", &specialist).await;
    assert_problem(&answer, 403, "dossier.forbidden_role");
    let answer = server.get("/api/v1/reports/scorecard/breakdown?by=weather", &admin).await;
    assert_problem(&answer, 400, "request.malformed");
}

/// The first sheet of a workbook, as rows of cells.
fn sheet(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

async fn download(server: &TestServer, token: &str, path: &str, content_type: &str) -> Vec<u8> {
    let (status, got, bytes) = server.get_bytes(path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&bytes));
    assert!(got.starts_with(content_type), "{path}: {got}");
    bytes
}

/// Every item of a JSON list, following its cursor.
async fn walk(server: &TestServer, token: &str, path: &str) -> Vec<Value> {
    let (mut found, mut cursor) = (Vec::new(), String::new());
    loop {
        let (status, page) = server.get(&format!("{path}&limit=3&cursor={cursor}"), token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        found.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => return found,
        }
    }
}

async fn reports_and_lists_download_as_csv_and_xlsx_with_the_rows_of_the_json(backend: Backend) {
    let server = TestServer::start(backend).await;
    let leader = server.token("hongbang.lanhdao").await;
    let (_, card) = server.get(&format!("/api/v1/reports/scorecard?{EVERYTHING}"), &leader).await;

    // The scorecard: one row per indicator and the total, figures as numbers.
    let path = format!("/api/v1/reports/scorecard?{EVERYTHING}&format=xlsx");
    let rows = sheet(download(&server, &leader, &path, XLSX).await);
    assert_eq!(text(&rows[0][0]), "Mã chỉ số");
    assert_eq!(text(&rows[0][1]), "Chỉ số");
    assert_eq!(rows.len(), 1 + 17 + 1);
    let on_time = rows.iter().find(|r| text(&r[0]) == "DOSSIER_ON_TIME").unwrap();
    let (n, d) = figure(&card, "DOSSIER_ON_TIME");
    assert_eq!((on_time[2].as_f64(), on_time[3].as_f64()), (Some(n as f64), Some(d as f64)));
    let total = rows.last().unwrap();
    assert_eq!(total[5].as_f64().map(|p| (p * 100.0).round() as u64), card["scorecard"]["points"].as_u64());

    let path = format!("/api/v1/reports/scorecard?{EVERYTHING}&format=csv");
    let csv = String::from_utf8(download(&server, &leader, &path, "text/csv").await).unwrap();
    assert!(csv.starts_with("\u{feff}Mã chỉ số,"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + 17 + 1);
    assert!(csv.lines().any(|l| l.starts_with("DOSSIER_ON_TIME,") && l.contains(&format!(",{n},{d},"))));

    // A breakdown by procedure: a row per procedure, names in Vietnamese.
    let path = format!("/api/v1/reports/scorecard/breakdown?{EVERYTHING}&by=procedure&format=xlsx");
    let rows = sheet(download(&server, &leader, &path, XLSX).await);
    let (_, b) = server.get(&format!("/api/v1/reports/scorecard/breakdown?{EVERYTHING}&by=procedure"), &leader).await;
    assert_eq!(rows.len() - 1, b["rows"].as_array().unwrap().len());
    assert_eq!(text(&rows[1][1]), b["rows"][0]["name"].as_str().unwrap());

    // Each lost set: every dossier the pages list, in their order.
    for set in card["lost"].as_array().unwrap() {
        let name = set["set"].as_str().unwrap();
        let listed = walk(&server, &leader, &format!("/api/v1/reports/scorecard/lost?{EVERYTHING}&set={name}")).await;
        let path = format!("/api/v1/reports/scorecard/lost?{EVERYTHING}&set={name}&format=xlsx");
        let rows = sheet(download(&server, &leader, &path, XLSX).await);
        let codes: Vec<String> = rows.iter().skip(1).map(|r| text(&r[0])).collect();
        let expected: Vec<String> =
            listed.iter().map(|d| d["code"].as_str().or(d["dossier_id"].as_str()).unwrap().to_string()).collect();
        assert_eq!(codes, expected, "{name}");
        // Reception instants are dates a spreadsheet computes with, not text.
        assert!(rows.iter().skip(1).all(|r| matches!(r[5], Data::DateTime(_))), "{name}");
    }

    // The whole system's sets, read agency by agency: each dossier once, as many as the scorecard counts.
    let admin = server.token("admin").await;
    let (_, whole) = server.get(&format!("/api/v1/reports/scorecard?{EVERYTHING}"), &admin).await;
    for set in whole["lost"].as_array().unwrap() {
        let name = set["set"].as_str().unwrap();
        let path = format!("/api/v1/reports/scorecard/lost?{EVERYTHING}&set={name}&format=csv");
        let csv = String::from_utf8(download(&server, &admin, &path, "text/csv").await).unwrap();
        let codes: BTreeSet<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(csv.lines().count() - 1, codes.len(), "{name}: each dossier once");
        assert_eq!(codes.len() as u64, set["dossiers"].as_u64().unwrap(), "{name}");
    }

    // The queue of the agency: the dossiers the JSON pages list, applicants' Vietnamese names intact.
    let clerk = server.token("hongbang.tiepnhan").await;
    let listed = walk(&server, &clerk, &format!("/api/v1/dossiers?agency={HONG_BANG}")).await;
    assert!(listed.len() > 3, "more than a page");
    let path = format!("/api/v1/dossiers?agency={HONG_BANG}&format=xlsx");
    let rows = sheet(download(&server, &clerk, &path, XLSX).await);
    assert_eq!(text(&rows[0][2]), "Người nộp");
    let names: Vec<String> = rows.iter().skip(1).map(|r| text(&r[2])).collect();
    let expected: Vec<String> = listed.iter().map(|d| d["applicant"]["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, expected);
    let path = format!("/api/v1/dossiers?agency={HONG_BANG}&format=csv");
    let csv = String::from_utf8(download(&server, &clerk, &path, "text/csv").await).unwrap();
    assert_eq!(csv.lines().count(), 1 + listed.len());

    // The register: the PDF's rows as a spreadsheet.
    let path = format!("/api/v1/agencies/{HONG_BANG}/register?from=2000-01-01&to=2000-12-31&format=xlsx");
    let rows = sheet(download(&server, &clerk, &path, XLSX).await);
    assert_eq!((rows.len(), text(&rows[0][0])), (1, "Số thứ tự".to_string()), "nothing received in 2000");
    let received: Vec<chrono::NaiveDate> = listed
        .iter()
        .filter_map(|d| d["received_at"].as_str())
        .map(|at| crate::support::instant(&Value::String(at.into())).date_naive())
        .collect();
    let (first, last) = (received.iter().min().unwrap(), received.iter().max().unwrap());
    let path = format!(
        "/api/v1/agencies/{HONG_BANG}/register?from={}&to={}&format=csv",
        *first - chrono::Days::new(1),
        *last + chrono::Days::new(1)
    );
    let csv = String::from_utf8(download(&server, &clerk, &path, "text/csv").await).unwrap();
    assert!(csv.lines().count() > 1, "{csv}");

    // Refusals come before the download starts, as problems: the role, the agency, the format.
    let specialist = server.token("hongbang.chuyenvien").await;
    let answer = server.get("/api/v1/reports/scorecard/lost?set=not_reused&format=csv", &specialist).await;
    assert_problem(&answer, 403, "dossier.forbidden_role");
    let answer = server.get("/api/v1/dossiers?agency=000.31.02.H26&format=xlsx", &clerk).await;
    assert_problem(&answer, 403, "request.forbidden");
    let answer = server.get("/api/v1/reports/scorecard?format=pdf", &leader).await;
    assert_problem(&answer, 400, "request.malformed");
}

async fn the_published_statistics_match_the_scorecard_and_name_no_one(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.token("admin").await;
    let month = server.now().format("%Y-%m").to_string();
    let anonymous = |path: String| {
        let server = &server;
        async move { server.send(reqwest::Method::GET, &path, None, None, &[]).await }
    };
    let (status, published) = anonymous(format!("/api/v1/reports/statistics?month={month}")).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let (_, card) = server.get(&format!("/api/v1/reports/scorecard?period={month}"), &admin).await;
    let total = &published["total"];
    let (_, received) = figure(&card, "DOSSIER_SYNC");
    let (_, finished) = figure(&card, "SO_HOA_GIAY_TO_GIAI_QUYET");
    let (in_time_or_not_due, counted) = figure(&card, "DOSSIER_ON_TIME");
    assert!(received > 0 && finished > 0, "the demo works this month: {card}");
    assert_eq!(total["received"].as_u64(), Some(received));
    let handled = ["finished_early", "finished_on_time", "finished_late"].map(|k| total[k].as_u64().unwrap());
    assert_eq!(handled.iter().sum::<u64>(), finished);
    assert_eq!(total["in_progress"].as_u64(), Some(counted - finished));
    assert!(handled[0] + handled[1] <= in_time_or_not_due);
    let rows = published["rows"].as_array().unwrap();
    assert_eq!(rows.len() as i64, server.count("agencies").await, "every agency, with or without dossiers");
    for field in ["received", "received_online", "finished_early", "finished_on_time", "finished_late", "in_progress"] {
        assert_eq!(sum(rows, field), total[field].as_u64().unwrap(), "{field}");
    }
    // Counts only: no applicant's name or id number is published.
    let (_, queue) = server.get("/api/v1/dossiers?limit=200", &admin).await;
    let text = published.to_string();
    for d in queue["items"].as_array().unwrap() {
        assert!(!text.contains(d["applicant"]["name"].as_str().unwrap()), "{d}");
        assert!(!text.contains(d["applicant"]["id_number"].as_str().unwrap()), "{d}");
    }

    // An agency with those under it; bad months and unknown agencies refused; the download for anyone.
    let (_, department) = anonymous(format!("/api/v1/reports/statistics?month={month}&agency=000.00.20.H26")).await;
    assert_eq!(department["rows"].as_array().unwrap().len(), 3, "{department}");
    let answer = anonymous("/api/v1/reports/statistics?month=2026-13".into()).await;
    assert_problem(&answer, 422, "request.invalid");
    let answer = anonymous("/api/v1/reports/statistics?agency=nowhere".into()).await;
    assert_problem(&answer, 404, "agency.not_found");
    let response =
        reqwest::get(server.url(&format!("/api/v1/reports/statistics?month={month}&format=xlsx"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let rows = sheet(response.bytes().await.unwrap().to_vec());
    assert_eq!(rows.len(), 1 + published["rows"].as_array().unwrap().len() + 1);
    assert_eq!(rows.last().unwrap()[2].as_f64(), Some(received as f64));

    // The page: the same total, in a table anyone can read.
    let response = reqwest::get(server.url(&format!("/thong-ke-cong-khai?thang={month}"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(&format!("<tr data-k=\"total\"><th scope=\"row\">Tổng cộng</th><td>{received}</td>")),
        "{page}"
    );
    let response = reqwest::get(server.url("/thong-ke-cong-khai?thang=11-2026")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
