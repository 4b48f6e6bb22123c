//! The public pages through HTTP: the catalogue and its search, a procedure, tracking; Vietnamese first with
//! English on request; a strict Content-Security-Policy on every page. (The browser tests in tests/e2e drive the
//! same pages in Chromium.)

use reqwest::StatusCode;
use serde_json::json;

use crate::support::pages::{Jar, browser, post, visit};
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
    assert_eq!(home.matches("<a href=\"/thu-tuc/").count(), 19, "every procedure of the catalogue");
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
    let (_, _, ward) = page(&server, &format!("/?agency={HONG_BANG}")).await;
    assert!(ward.contains("/thu-tuc/1.001193") && !ward.contains("/thu-tuc/3.000333"), "agency filter");
    assert!(ward.contains(&format!(r#"<option value="{HONG_BANG}" selected>"#)), "the choice is kept");
    let (_, _, civil) = page(&server, "/?field=H%E1%BB%99+t%E1%BB%8Bch").await;
    assert!(civil.contains("/thu-tuc/1.001193") && !civil.contains("/thu-tuc/1.001612"), "field filter: {civil}");

    let (status, _, procedure) = page(&server, "/thu-tuc/1.001612").await;
    assert_eq!(status, StatusCode::OK);
    assert!(procedure.contains("<h1>Đăng ký thành lập hộ kinh doanh</h1>"), "{procedure}");
    assert!(procedure.contains("100.000 đ"), "today's fee, grouped the Vietnamese way");
    assert!(procedure.contains("3 ngày làm việc"));
    let (status, _, _) = page(&server, "/thu-tuc/9.999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // English on request, remembered in a cookie.
    let response = server.client.get(server.url("/thu-tuc/1.001612?lang=en")).send().await.unwrap();
    let cookies: Vec<&str> = response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("lang=en;")), "{cookies:?}");
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

/// Staff sign in through the form: the CSRF token is required, a wrong password keeps the username, a
/// successful sign-in sets HttpOnly SameSite=Strict cookies and goes back only to a path of this site.
async fn staff_sign_in_and_out(backend: Backend) {
    let server = TestServer::start_at(backend, chrono::Utc::now()).await;
    let mut jar = Jar::default();
    let (status, form) = visit(&server, &mut jar, "/can-bo/dang-nhap?tiep=//evil.example").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = jar.get("motcua_csrf");
    assert_eq!(csrf.len(), 43, "a CSRF token cookie: {:?}", jar.cookies);
    assert!(form.contains(&format!(r#"name="csrf" value="{csrf}""#)), "the form repeats it");

    let good = [("username", "hongbang.tiepnhan"), ("password", "motcua-demo"), ("tiep", "//evil.example")];
    let (status, _, page) = post(&server, &mut jar, "/can-bo/dang-nhap", &good).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token: refused");
    assert!(page.contains("Biểu mẫu đã hết hạn"), "{page}");
    assert!(jar.get("motcua_session").is_empty());

    let mut wrong = good.to_vec();
    wrong[1] = ("password", "not-it");
    wrong.push(("csrf", &csrf));
    let (status, _, page) = post(&server, &mut jar, "/can-bo/dang-nhap", &wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains(r#"value="hongbang.tiepnhan""#) && page.contains(r#"aria-invalid="true""#), "{page}");

    let mut right = good.to_vec();
    right.push(("csrf", &csrf));
    let response = browser()
        .post(server.url("/can-bo/dang-nhap"))
        .header("Cookie", jar.header())
        .form(&right)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/can-bo", "not to another site");
    for cookie in response.headers().get_all("set-cookie") {
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    }
    jar.take(response.headers());
    let (_, page) = visit(&server, &mut jar, "/tra-cuu").await;
    assert!(page.contains("Đăng xuất"), "signed in: the page offers sign-out: {:?} {page}", jar.cookies);

    // The access token expired (its cookie gone): the refresh token renews the session, once.
    let old_refresh = jar.get("motcua_refresh");
    jar.cookies.remove("motcua_session");
    let (_, page) = visit(&server, &mut jar, "/tra-cuu").await;
    assert!(page.contains("Đăng xuất") && !jar.get("motcua_session").is_empty(), "renewed");
    assert_ne!(jar.get("motcua_refresh"), old_refresh, "rotated");
    // Another tab of the same browser, renewing at the same moment with the old cookie: still signed in.
    let mut other_tab = Jar::default();
    other_tab.cookies.insert("motcua_refresh".into(), old_refresh.clone());
    let (_, page) = visit(&server, &mut other_tab, "/tra-cuu").await;
    assert!(page.contains("Đăng xuất"), "a second tab is not signed out");
    server.advance(motcua_engine::service::accounts::REFRESH_REUSE_GRACE + chrono::TimeDelta::seconds(1));
    let mut thief = Jar::default();
    thief.cookies.insert("motcua_refresh".into(), old_refresh);
    let (_, page) = visit(&server, &mut thief, "/tra-cuu").await;
    assert!(!page.contains("Đăng xuất"), "a used refresh token signs no one in");
    jar.cookies.remove("motcua_session");
    let (_, page) = visit(&server, &mut jar, "/tra-cuu").await;
    assert!(!page.contains("Đăng xuất"), "its reuse revoked the whole family");

    // Sign out: the cookies go, and the refresh token with them.
    let (_, _, _) = post(&server, &mut jar, "/can-bo/dang-nhap", &right).await;
    let refresh = jar.get("motcua_refresh");
    let (status, location, _) = post(&server, &mut jar, "/dang-xuat", &[("csrf", &csrf)]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    assert!(jar.get("motcua_session").is_empty() && jar.get("motcua_refresh").is_empty(), "{:?}", jar.cookies);
    let mut kept = Jar::default();
    kept.cookies.insert("motcua_refresh".into(), refresh);
    let (_, page) = visit(&server, &mut kept, "/tra-cuu").await;
    assert!(!page.contains("Đăng xuất"), "signed out for good");
    server.stop().await;
}
on_both_backends!(staff_sign_in_and_out);
