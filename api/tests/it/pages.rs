//! The public pages through HTTP: the catalogue and its search, a procedure, tracking; Vietnamese first with
//! English on request; a strict Content-Security-Policy on every page. (The browser tests in tests/e2e drive the
//! same pages in Chromium.)

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Backend, HONG_BANG, TestServer, hong_bang, new_dossier};

async fn page(server: &TestServer, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = server.client.get(server.url(path)).send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

async fn catalogue_and_procedure_pages(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (status, headers, home) = page(&server, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(r#"<html lang="vi">"#), "Vietnamese first");
    assert_eq!(home.matches("<a href=\"/thu-tuc/").count(), 13, "every procedure of the catalogue");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(!home.contains("<script") && !home.contains("style="), "no inline scripts or styles");

    let (_, _, found) = page(&server, "/?q=khai+sinh").await;
    assert!(found.contains(r#"<a href="/thu-tuc/1.001193">Đăng ký khai sinh</a>"#), "{found}");
    assert!(!found.contains("/thu-tuc/1.001612"), "only what matches");
    let (_, _, none) = page(&server, "/?q=kh%C3%B4ng+c%C3%B3+th%E1%BB%A7+t%E1%BB%A5c+n%C3%A0y").await;
    assert!(none.contains("Không tìm thấy thủ tục phù hợp."));
    let (_, _, communes) = page(&server, "/?level=commune").await;
    assert!(communes.contains("/thu-tuc/1.001193") && !communes.contains("/thu-tuc/3.000333"), "level filter");

    let (status, _, procedure) = page(&server, "/thu-tuc/1.001612").await;
    assert_eq!(status, StatusCode::OK);
    assert!(procedure.contains("<h1>Đăng ký thành lập hộ kinh doanh</h1>"), "{procedure}");
    assert!(procedure.contains("100.000 đ"), "today's fee, grouped the Vietnamese way");
    assert!(procedure.contains("3 ngày làm việc"));
    let (status, _, _) = page(&server, "/thu-tuc/9.999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // English on request, remembered in a cookie.
    let response = server.client.get(server.url("/thu-tuc/1.001612?lang=en")).send().await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    let english = response.text().await.unwrap();
    assert!(english.contains(r#"<html lang="en">"#) && english.contains("3 working days"), "{english}");
    let remembered =
        server.client.get(server.url("/")).header("Cookie", "lang=en").send().await.unwrap().text().await.unwrap();
    assert!(remembered.contains(r#"<html lang="en">"#) && remembered.contains("Find an administrative procedure"));
    let (status, headers, css) = page(&server, "/static/app.css").await;
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (StatusCode::OK, "text/css; charset=utf-8"));
    assert!(css.contains("max-width"));
    server.stop().await;
}
on_both_backends!(catalogue_and_procedure_pages);

/// The receipt's link: code and id number show the status; a wrong id number shows nothing of the dossier.
async fn public_tracking_page(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let code = d["code"].as_str().unwrap();

    let (status, _, form) = page(&server, "/tra-cuu").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(r#"<label for="ma">"#) && form.contains(r#"<label for="id">"#));
    let (status, _, tracked) = page(&server, &format!("/tra-cuu?ma={code}&id=031085001234")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(tracked.contains("Đang xử lý") && tracked.contains("Thẩm định hồ sơ"), "{tracked}");
    let (status, _, wrong) = page(&server, &format!("/tra-cuu?ma={code}&id=031085009999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(wrong.contains(r#"role="alert""#) && !wrong.contains("Đang xử lý"), "{wrong}");
    let (_, _, english) = page(&server, &format!("/tra-cuu?ma={code}&id=031085001234&lang=en")).await;
    assert!(english.contains("In process") && english.contains("Appraisal"), "{english}");
    server.stop().await;
}
on_both_backends!(public_tracking_page);
