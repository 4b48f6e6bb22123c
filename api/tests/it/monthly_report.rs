//! The one-stop shop's monthly report (issue 16): it balances (what was to handle is what was handled, withdrawn
//! or still in progress), a month carries over what the month before left in progress, a refusal and a
//! withdrawal after reception each land in their column, and the PDF, the XLSX and the page's links give the same
//! figures as the JSON, for anyone.

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::documents::{poppler, text_of};
use crate::support::{Backend, HONG_BANG, TestServer, Ward, assert_problem, hong_bang, new_dossier};

on_both_backends!(the_monthly_report_balances_and_puts_refusals_and_withdrawals_in_their_columns);

const FIGURES: [&str; 13] = [
    "to_handle",
    "carried_over",
    "received_online",
    "received_in_person",
    "handled",
    "handled_early",
    "handled_on_time",
    "handled_late",
    "refused",
    "withdrawn",
    "in_progress",
    "in_progress_within",
    "in_progress_overdue",
];

fn n(row: &Value, field: &str) -> u64 {
    row[field].as_u64().unwrap_or_else(|| panic!("{field} in {row}"))
}

/// Each row and the total add up as the report's note says, and the rows add up to the total.
fn assert_balanced(report: &Value) {
    let rows = report["rows"].as_array().unwrap();
    for row in rows.iter().chain([&report["total"]]) {
        assert_eq!(
            n(row, "to_handle"),
            n(row, "carried_over") + n(row, "received_online") + n(row, "received_in_person")
        );
        assert_eq!(n(row, "to_handle"), n(row, "handled") + n(row, "withdrawn") + n(row, "in_progress"), "{row}");
        assert_eq!(n(row, "handled"), n(row, "handled_early") + n(row, "handled_on_time") + n(row, "handled_late"));
        assert!(n(row, "refused") <= n(row, "handled"), "{row}");
        assert_eq!(n(row, "in_progress"), n(row, "in_progress_within") + n(row, "in_progress_overdue"), "{row}");
    }
    for field in FIGURES {
        assert_eq!(rows.iter().map(|r| n(r, field)).sum::<u64>(), n(&report["total"], field), "{field}");
    }
}

/// A business registration of the ward, received at the counter and assigned to its specialist.
async fn assigned(server: &TestServer, ward: &Ward) -> Value {
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031190012345")).await;
    server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await
}

fn previous(month: NaiveDate) -> NaiveDate {
    let (y, m) = if month.month() == 1 { (month.year() - 1, 12) } else { (month.year(), month.month() - 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

async fn the_monthly_report_balances_and_puts_refusals_and_withdrawals_in_their_columns(backend: Backend) {
    let server = TestServer::start(backend).await;
    let anonymous = |path: String| {
        let server = &server;
        async move { server.send(reqwest::Method::GET, &path, None, None, &[]).await }
    };
    let today = server.now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive();
    let month = today.with_day(1).unwrap();
    let path = |m: NaiveDate, rest: &str| format!("/api/v1/reports/monthly?month={}{rest}", m.format("%Y-%m"));

    // Every month the demo reaches balances, and each carries over what the one before left in progress.
    let mut before: Option<Value> = None;
    let mut m = previous(previous(previous(month)));
    while m <= month {
        let (status, report) = anonymous(path(m, "")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_balanced(&report);
        if let Some(before) = &before {
            assert_eq!(n(&report["total"], "carried_over"), n(&before["total"], "in_progress"), "{m}");
        }
        before = Some(report);
        m = m.checked_add_months(chrono::Months::new(1)).unwrap();
    }
    let start = before.unwrap();
    assert!(n(&start["total"], "to_handle") > 0, "the demo works this month: {start}");

    // A dossier refused and one withdrawn after reception (waiting for a supplement): each in its column, and the
    // withdrawn one is no longer in progress.
    let ward = hong_bang(&server).await;
    let refused = assigned(&server, &ward).await;
    server.act_ok(&ward.leader, &refused, json!({"action": "stop", "reasons": ["Ngành nghề bị cấm kinh doanh"]})).await;
    let withdrawn = assigned(&server, &ward).await;
    let supplement = json!({"action": "request_supplement", "items": [{"component": "giay_de_nghi", "reason": "Mờ"}]});
    let withdrawn = server.act_ok(&ward.specialist, &withdrawn, supplement).await;
    let withdrawn =
        server.act_ok(&ward.clerk, &withdrawn, json!({"action": "withdraw", "reason": "Công dân rút hồ sơ"})).await;
    assert_eq!(withdrawn["status"], 7);
    let (_, after) = anonymous(path(month, "")).await;
    assert_balanced(&after);
    let delta = |field: &str| n(&after["total"], field) - n(&start["total"], field);
    assert_eq!(
        FIGURES.map(delta),
        [2, 0, 0, 2, 1, delta("handled_early"), delta("handled_on_time"), delta("handled_late"), 1, 1, 0, 0, 0],
        "{after}"
    );
    assert_eq!(delta("handled_early") + delta("handled_on_time") + delta("handled_late"), 1);

    // The ward alone, the ward's department tree, an unknown agency, a bad month.
    let (_, ward_report) = anonymous(path(month, &format!("&agency={HONG_BANG}"))).await;
    assert_balanced(&ward_report);
    assert!(n(&ward_report["total"], "withdrawn") >= 1 && n(&ward_report["total"], "refused") >= 1);
    assert_eq!(ward_report["agency"]["id"], HONG_BANG);
    assert_problem(&anonymous(path(month, "&agency=nowhere")).await, 404, "agency.not_found");
    assert_problem(&anonymous("/api/v1/reports/monthly?month=2026-13".into()).await, 422, "request.invalid");
    assert_problem(
        &anonymous("/api/v1/reports/monthly?month=9999-12&format=pdf".into()).await,
        400,
        "request.malformed",
    );
    // A month far ahead: what is in progress now is carried over into it, nothing else happens in it.
    let (status, far) = anonymous("/api/v1/reports/monthly?month=9999-12".into()).await;
    assert_eq!(status, StatusCode::OK, "{far}");
    assert_balanced(&far);
    let in_progress = n(&after["total"], "in_progress");
    assert_eq!([n(&far["total"], "carried_over"), n(&far["total"], "to_handle")], [in_progress, in_progress]);
    assert_eq!(n(&far["total"], "handled") + n(&far["total"], "withdrawn"), 0);

    // The spreadsheet: a row per field and the total, the same figures.
    let response = reqwest::get(server.url(&path(month, "&format=xlsx"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    let sheet: Vec<Vec<Data>> = book.worksheet_range_at(0).unwrap().unwrap().rows().map(<[Data]>::to_vec).collect();
    let rows = after["rows"].as_array().unwrap();
    assert_eq!(sheet.len(), 1 + rows.len() + 1);
    assert_eq!(sheet[0][2].to_string(), "Tổng số hồ sơ phải giải quyết");
    let last = sheet.last().unwrap();
    assert_eq!(last[1].to_string(), "Tổng cộng");
    for (i, field) in FIGURES.iter().enumerate() {
        assert_eq!(last[2 + i].as_f64(), Some(n(&after["total"], field) as f64), "{field}");
    }
    for (row, line) in rows.iter().zip(&sheet[1..]) {
        assert_eq!(line[1].to_string(), row["field"].as_str().filter(|f| !f.is_empty()).unwrap_or("Khác"));
        assert_eq!(line[2].as_f64(), Some(n(row, "to_handle") as f64));
    }

    // The PDF: the title, the month, every field and the total's figures, as Vietnamese text.
    let pdf_path = format!("/api/v1/reports/monthly/pdf?month={}", month.format("%Y-%m"));
    let response = reqwest::get(server.url(&pdf_path)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap().to_vec();
    let text = text_of(&pdf);
    assert!(text.contains("BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"), "{text}");
    let last_day = month.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
    assert!(text.contains(&format!("Từ ngày {} đến ngày {}", month.format("%d/%m/%Y"), last_day.format("%d/%m/%Y"))));
    for row in rows {
        assert!(text.contains(row["field"].as_str().unwrap()), "{row}: {text}");
    }
    let layout = poppler("pdftotext", &["-enc", "UTF-8", "-layout"], &pdf);
    let line = layout.lines().find(|l| l.contains("Tổng cộng")).expect("a total line");
    let printed: Vec<&str> = line.split_whitespace().skip(2).collect();
    let total: Vec<String> = FIGURES.iter().map(|f| n(&after["total"], f).to_string()).collect();
    assert_eq!(printed, total, "{layout}");

    // The public page links the three downloads, which answer for anyone.
    let page = reqwest::get(server.url("/thong-ke-cong-khai")).await.unwrap().text().await.unwrap();
    for format in ["pdf", "xlsx", "csv"] {
        let href = format!("/thong-ke-cong-khai/bao-cao-thang?thang={}&amp;dinh-dang={format}", month.format("%Y-%m"));
        assert!(page.contains(&href), "{href}: {page}");
        let response = reqwest::get(server.url(&href.replace("&amp;", "&"))).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{format}");
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(disposition.contains(&format!(".{format}")), "{disposition}");
    }
    let response = reqwest::get(server.url("/thong-ke-cong-khai/bao-cao-thang?thang=13-2026")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
