//! The admin pages through HTTP (the browser tests in tests/e2e drive the same pages in Chromium): the leaders'
//! dashboard against counts computed here from the dossiers the API lists; agencies and staff accounts added
//! through the forms; procedure definitions checked and published; dead outbox messages re-driven.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::pages::{Jar, post, post_multipart, sign_in, visit};
use crate::support::{Backend, HONG_BANG, LE_CHAN, TestServer, hong_bang, new_dossier, repo_path, tuesday_morning};

/// The number in a dashboard table cell: the row of `agency` (or `total`), the column `key`.
fn cell(page: &str, agency: &str, key: &str) -> String {
    let row_start = page.find(&format!(r#"<tr data-agency="{agency}">"#)).unwrap_or_else(|| panic!("no row {agency}"));
    let row = &page[row_start..];
    let row = &row[..row.find("</tr>").unwrap()];
    let marker = format!(r#"<td data-k="{key}">"#);
    let start = row.find(&marker).unwrap_or_else(|| panic!("no {key} in {row}")) + marker.len();
    row[start..start + row[start..].find("</td>").unwrap()].to_string()
}

/// What the dashboard must show for a set of dossiers, counted here from the API's JSON without the engine:
/// received in November 2026 (Hải Phòng time); finished early (local date before the legal due date), on time
/// (not after the legal due instant) or late; online; components provided, digitised (1-3), reused (2-3).
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    received: u64,
    in_progress: u64,
    early: u64,
    on_time: u64,
    late: u64,
    online: u64,
    components: u64,
    digitised: u64,
    reused: u64,
}

fn at(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str().map(|t| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc))
}

fn expected(dossiers: &[Value]) -> Expected {
    let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let local_date = |t: DateTime<Utc>| t.with_timezone(&Ho_Chi_Minh).date_naive();
    let mut e = Expected::default();
    for d in dossiers {
        let Some(received) = at(&d["received_at"]) else { continue };
        if !(first..=last).contains(&local_date(received)) {
            continue;
        }
        e.received += 1;
        if d["channel"] == "online" {
            e.online += 1;
        }
        for c in d["components"].as_array().unwrap().iter().filter(|c| c["provided"] == true) {
            e.components += 1;
            let level = c["digitisation"].as_u64().unwrap();
            e.digitised += u64::from(level >= 1);
            e.reused += u64::from(level >= 2);
        }
        let due = at(&d["original_due_at"]).or_else(|| at(&d["due_at"]));
        match (at(&d["completed_at"]), due) {
            (Some(done), Some(due)) if local_date(done) < local_date(due) => e.early += 1,
            (Some(done), Some(due)) if done <= due => e.on_time += 1,
            (Some(_), Some(_)) => e.late += 1,
            (Some(_), None) => e.on_time += 1,
            (None, _) => e.in_progress += u64::from([2, 4, 5, 6].contains(&d["status"].as_u64().unwrap())),
        }
    }
    e
}

/// Every dossier of the caller's queue scope, page after page.
async fn all_dossiers(server: &TestServer, token: &str, agency: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/dossiers?agency={agency}&limit=100&cursor={c}"),
            None => format!("/api/v1/dossiers?agency={agency}&limit=100"),
        };
        let (status, page) = server.get(&path, token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return items,
        }
    }
}

fn assert_line(page: &str, agency: &str, e: &Expected) {
    let n = |k: &str| cell(page, agency, k).parse::<u64>().unwrap_or_else(|_| panic!("{agency} {k}"));
    let got = (n("received"), n("in_progress"), n("early"), n("on_time"), n("late"));
    assert_eq!(got, (e.received, e.in_progress, e.early, e.on_time, e.late), "{agency}: {e:?}");
    let fraction = |k: &str| cell(page, agency, k).rsplit_once('(').unwrap().1.trim_end_matches(')').to_string();
    assert_eq!(fraction("online"), format!("{}/{}", e.online, e.received), "{agency}");
    assert_eq!(fraction("digitised"), format!("{}/{}", e.digitised, e.components), "{agency}");
    assert_eq!(fraction("reused"), format!("{}/{}", e.reused, e.components), "{agency}");
}

/// The dashboard's numbers equal counts computed here from the dossiers the API lists: the demo's dossiers
/// plus one finished late (past the due instant on the test clock) and one still in progress. Leaders see
/// their agency, the administrator every agency; others are refused.
async fn dashboard_counts_what_the_api_lists(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    // One dossier finished late: received today, sealed two weeks later.
    let late = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let late = server.act_ok(&ward.head, &late, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let appraise = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện cấp"}});
    let late = server.act_ok(&ward.specialist, &late, appraise).await;
    let late = server.act_ok(&ward.head, &late, json!({"action": "approve"})).await;
    let late = server.act_ok(&ward.leader, &late, json!({"action": "sign"})).await;
    server.advance(TimeDelta::days(14));
    let late = server.act_ok(&ward.records, &late, json!({"action": "seal", "number": "99/HKD"})).await;
    assert_eq!(late["status"], 9);
    // One in progress.
    server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;

    let mut expected_all = Expected::default();
    for (leader, agency) in [("hongbang.lanhdao", HONG_BANG), ("lechan.lanhdao", LE_CHAN)] {
        let token = server.token(leader).await;
        let e = expected(&all_dossiers(&server, &token, agency).await);
        let mut jar = sign_in(&server, leader).await;
        let (status, page) = visit(&server, &mut jar, "/can-bo/thong-ke?tu=2026-11-01&den=2026-11-30").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_line(&page, agency, &e);
        assert!(!page.contains(r#"<tr data-agency="000.31.02.H26">"#) || agency == LE_CHAN, "only their agency");
        // The default period is this month: the test clock is now in December.
        let (_, default) = visit(&server, &mut jar, "/can-bo/thong-ke").await;
        // Shown as people write dates here, whatever the browser's language.
        assert!(default.contains(r#"value="01/12/2026""#) && default.contains(r#"value="31/12/2026""#));
        // Charts are SVG in the page, labelled for screen readers, with the table beside them.
        assert!(page.contains(r#"<svg viewBox="#) && page.contains(r#"role="img""#), "{page}");
        assert!(page.contains(r#"<title id="chart-outcomes-title">"#) && page.contains("aria-labelledby=\"chart-"));
        assert!(page.contains(r#"<th scope="col">"#) && page.contains(r#"<th scope="row">"#));
        assert!(!page.contains("<script") && !page.contains("style="), "CSP-friendly");
        // Another agency's figures are refused.
        let other = if agency == HONG_BANG { LE_CHAN } else { HONG_BANG };
        let (status, _) = visit(&server, &mut jar, &format!("/can-bo/thong-ke?co-quan={other}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        expected_all.received += e.received;
        expected_all.late += e.late;
    }
    assert!(expected_all.late >= 1, "the late dossier counts as late");

    // The administrator sees every agency; each line matches, and a period without dossiers shows zeros.
    let mut admin = sign_in(&server, "admin").await;
    let (status, page) = visit(&server, &mut admin, "/can-bo/thong-ke?tu=2026-11-01&den=2026-11-30").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"<tr data-agency="000.31.01.H26">"#) && page.contains(r#"<tr data-agency="000.31.02.H26">"#)
    );
    let leader = server.token("hongbang.lanhdao").await;
    assert_line(&page, HONG_BANG, &expected(&all_dossiers(&server, &leader, HONG_BANG).await));
    let (_, october) = visit(&server, &mut admin, "/can-bo/thong-ke?tu=2026-10-01&den=2026-10-31").await;
    assert_eq!(cell(&october, "total", "received"), "0");
    // A bad date keeps what was typed and says what is wrong next to the field.
    let (status, bad) = visit(&server, &mut admin, "/can-bo/thong-ke?tu=2026-13-45").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains(r#"value="2026-13-45""#) && bad.contains(r#"aria-describedby="e-tu""#), "{bad}");

    // Staff without a leader's role are refused; visitors are sent to sign in.
    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (status, _) = visit(&server, &mut clerk, "/can-bo/thong-ke").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = visit(&server, &mut Jar::default(), "/can-bo/thong-ke").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    server.stop().await;
}
on_both_backends!(dashboard_counts_what_the_api_lists);

/// Rows of the audit log for an action.
async fn audited(server: &TestServer, action: &'static str) -> i64 {
    server.count_sql(format!("SELECT COUNT(*) AS n FROM audit_log WHERE action = '{action}'")).await
}

/// An administrator adds an agency and a staff account through the forms: the CSRF token is required, a bad
/// form keeps what was typed and shows each error by its field, every change is audited. Others get a 403.
async fn agencies_and_staff_through_the_forms(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut leader = sign_in(&server, "hongbang.lanhdao").await;
    for path in ["/quan-tri", "/quan-tri/co-quan", "/quan-tri/can-bo", "/quan-tri/thu-tuc", "/quan-tri/lich"] {
        let (status, page) = visit(&server, &mut leader, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Chỉ quản trị hệ thống được thực hiện"), "{page}");
    }
    let csrf = leader.csrf();
    let (status, _, _) =
        post(&server, &mut leader, "/quan-tri/co-quan", &[("csrf", &csrf), ("id", "000.31.09.H26")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut admin = sign_in(&server, "admin").await;
    let (status, page) = visit(&server, &mut admin, "/quan-tri/co-quan").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("000.31.01.H26") && page.contains(r#"<label for="f-id">"#));
    let csrf = admin.csrf();
    let good = [
        ("id", "000.31.09.H26"),
        ("name", "Ủy ban nhân dân phường Thử Nghiệm"),
        ("level", "commune"),
        ("kind", "commune_peoples_committee"),
        ("parent", "000.00.00.H26"),
    ];
    let (status, _, page) = post(&server, &mut admin, "/quan-tri/co-quan", &good).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token: refused");
    assert!(page.contains("Biểu mẫu đã hết hạn"), "{page}");

    let bad = [
        ("csrf", csrf.as_str()),
        ("id", "31-09"),
        ("name", "Phường Gõ Sai"),
        ("level", "district"),
        ("kind", "commune_peoples_committee"),
        ("parent", ""),
    ];
    let (status, _, page) = post(&server, &mut admin, "/quan-tri/co-quan", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"value="31-09""#) && page.contains(r#"value="Phường Gõ Sai""#), "kept: {page}");
    assert!(page.contains(r#"aria-describedby="h-id e-id""#) && page.contains(r#"id="e-level""#), "{page}");
    assert!(page.contains(r##"<a href="#f-id">"##), "the summary links to the field");
    assert!(page.contains(r#"<option value="commune_peoples_committee" selected>"#));

    let mut with_token = good.to_vec();
    with_token.push(("csrf", &csrf));
    let (status, location, _) = post(&server, &mut admin, "/quan-tri/co-quan", &with_token).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/quan-tri/co-quan?them=000.31.09.H26"));
    let (_, page) = visit(&server, &mut admin, &location).await;
    assert!(page.contains("Ủy ban nhân dân phường Thử Nghiệm") && page.contains(r#"role="status""#));
    let (status, _, page) = post(&server, &mut admin, "/quan-tri/co-quan", &with_token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the same id twice");
    assert!(page.contains("Đã có cơ quan với mã này"), "{page}");
    assert_eq!(audited(&server, "agency_add").await, 1);

    // A staff account in the new agency: a short password and a missing role are shown by their fields.
    let (_, page) = visit(&server, &mut admin, "/quan-tri/can-bo").await;
    assert!(page.contains("hongbang.tiepnhan") && page.contains("Công chức tiếp nhận và trả kết quả"), "{page}");
    let create = |password: &'static str, role: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("form", "create".to_string()),
            ("username", "thunghiem.tiepnhan".to_string()),
            ("full_name", "Trần Thị Thử".to_string()),
            ("password", password.to_string()),
            ("role", role.to_string()),
            ("agency", "000.31.09.H26".to_string()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let refused = as_refs(&create("short", ""));
    let refused: Vec<(&str, &str)> = refused.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, page) = post(&server, &mut admin, "/quan-tri/can-bo", &refused).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"value="thunghiem.tiepnhan""#) && page.contains(r#"value="Trần Thị Thử""#), "{page}");
    assert!(page.contains(r#"id="e-create-password""#) && page.contains(r#"id="e-create-role""#), "{page}");
    assert!(!page.contains(r#"value="short""#), "a password is never sent back");
    let accepted = as_refs(&create("mat-khau-moi-1", "reception_clerk"));
    let accepted: Vec<(&str, &str)> = accepted.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, _) = post(&server, &mut admin, "/quan-tri/can-bo", &accepted).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/quan-tri/can-bo?xong=tao&tk=thunghiem.tiepnhan"));
    let (status, _) = server.login("thunghiem.tiepnhan", "mat-khau-moi-1").await;
    assert_eq!(status, StatusCode::OK, "the new account signs in");
    let (status, _, page) = post(&server, &mut admin, "/quan-tri/can-bo", &accepted).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Tên này đã được dùng"), "{page}");

    // A second role, a new password, an unlock.
    let role = [
        ("csrf", csrf.as_str()),
        ("form", "role"),
        ("username", "thunghiem.tiepnhan"),
        ("role", "records_clerk"),
        ("agency", "000.31.09.H26"),
    ];
    let (status, _, _) = post(&server, &mut admin, "/quan-tri/can-bo", &role).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, token) = server.login("thunghiem.tiepnhan", "mat-khau-moi-1").await;
    assert_eq!(token["staff"]["roles"].as_array().map(Vec::len), Some(2), "{token}");
    for _ in 0..3 {
        server.login("thunghiem.tiepnhan", "wrong-password").await;
    }
    assert_eq!(server.login("thunghiem.tiepnhan", "mat-khau-moi-1").await.0, StatusCode::TOO_MANY_REQUESTS);
    let (_, page) = visit(&server, &mut admin, "/quan-tri/can-bo").await;
    assert!(page.contains("Đang phải chờ do đăng nhập sai"), "slowed after three failures");
    let unlock = [("csrf", csrf.as_str()), ("form", "unlock"), ("username", "thunghiem.tiepnhan")];
    let (status, _, _) = post(&server, &mut admin, "/quan-tri/can-bo", &unlock).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = server.login("thunghiem.tiepnhan", "mat-khau-moi-1").await;
    assert_eq!(status, StatusCode::OK, "the wait ended by the administrator");
    let reset = [
        ("csrf", csrf.as_str()),
        ("form", "password"),
        ("username", "thunghiem.tiepnhan"),
        ("password", "doi-mat-khau-2"),
    ];
    let (status, _, _) = post(&server, &mut admin, "/quan-tri/can-bo", &reset).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = server.login("thunghiem.tiepnhan", "doi-mat-khau-2").await;
    assert_eq!(status, StatusCode::OK, "the new password works");
    for action in ["staff_create", "staff_role_add", "staff_unlock", "staff_password_reset"] {
        assert_eq!(audited(&server, action).await, 1, "{action}");
    }

    // The calendar in use, for a chosen year.
    let (status, page) = visit(&server, &mut admin, "/quan-tri/lich?nam=2027").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Asia/Ho_Chi_Minh") && page.contains("07:30–11:30"), "{page}");
    let (status, _) = visit(&server, &mut admin, "/quan-tri/lich?nam=hai-nghin").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await;
}
on_both_backends!(agencies_and_staff_through_the_forms);

/// A definition with problems lists every one and stores nothing; the fixed definition publishes a new version
/// that new dossiers use, while a dossier received before keeps its version.
/// A new password set by the administrator ends the account's sessions: a page signed in before goes back to
/// the sign-in (its access token is of an old generation, its refresh token revoked).
async fn a_new_password_ends_every_session(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut clerk = sign_in(&server, "hongbang.vanthu").await;
    assert_eq!(visit(&server, &mut clerk, "/can-bo").await.0, StatusCode::OK);
    let mut admin = sign_in(&server, "admin").await;
    let csrf = admin.csrf();
    let reset = [
        ("csrf", csrf.as_str()),
        ("form", "password"),
        ("username", "hongbang.vanthu"),
        ("password", "mat-khau-moi-9"),
    ];
    assert_eq!(post(&server, &mut admin, "/quan-tri/can-bo", &reset).await.0, StatusCode::SEE_OTHER);
    let after = crate::support::pages::open(&server, &mut clerk, "/can-bo").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "signed out");
    assert!(after.location.starts_with("/can-bo/dang-nhap"), "{}", after.location);
    server.stop().await;
}

async fn procedure_definitions_checked_and_published(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let before = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let old_version = before["procedure_version"].as_u64().unwrap();
    let mut admin = sign_in(&server, "admin").await;
    let csrf = admin.csrf();
    let (status, page) = visit(&server, &mut admin, "/quan-tri/thu-tuc").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<tr data-code="1.001612">"#), "{page}");

    let original =
        std::fs::read_to_string(repo_path("procedures/1.001612-household-business-registration.toml")).unwrap();
    let new_version = old_version + 1;
    let fixed = original.replacen(&format!("version = {old_version}"), &format!("version = {new_version}"), 1);
    assert_ne!(fixed, original);
    let level = fixed.lines().find(|l| l.starts_with("level = ")).unwrap();
    let broken = fixed.replacen(level, r#"level = "district""#, 1).replacen("share = 0.", "share = 0.9", 1);
    let stored = server.count("procedures").await;

    let (status, _, page) = post_multipart(
        &server,
        &mut admin,
        "/quan-tri/thu-tuc",
        &[("action", "publish")],
        &[("definition", "hkd.toml", broken.as_bytes())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token: refused");
    assert!(page.contains("Biểu mẫu đã hết hạn"));
    let fields = [("csrf", csrf.as_str()), ("action", "publish")];
    let (status, _, page) = post_multipart(
        &server,
        &mut admin,
        "/quan-tri/thu-tuc",
        &fields,
        &[("definition", "hkd.toml", broken.as_bytes())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("<code>unknown_level</code>") && page.contains("<code>shares_sum</code>"),
        "every problem: {page}"
    );
    assert!(page.contains("hkd.toml, dòng "), "with the line: {page}");
    let textarea = &page[page.find(r#"id="f-source""#).unwrap()..];
    assert!(textarea[..textarea.find("</textarea>").unwrap()].contains("district"), "the text comes back to be fixed");
    assert_eq!(server.count("procedures").await, stored, "nothing stored");
    assert_eq!(server.services.catalogue.current("1.001612").unwrap().version as u64, old_version);

    // Checked (pasted into the text area): valid, still nothing stored; then published.
    let check = [("csrf", csrf.as_str()), ("action", "check"), ("source", fixed.as_str())];
    let (status, _, page) = post_multipart(&server, &mut admin, "/quan-tri/thu-tuc", &check, &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Định nghĩa hợp lệ"), "{page}");
    assert_eq!(server.count("procedures").await, stored);
    let publish = [("csrf", csrf.as_str()), ("action", "publish"), ("source", fixed.as_str())];
    let (status, location, _) = post_multipart(&server, &mut admin, "/quan-tri/thu-tuc", &publish, &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, format!("/quan-tri/thu-tuc?cong-bo=1.001612%40{new_version}").as_str())
    );
    assert_eq!(server.count("procedures").await, stored + 1);
    assert_eq!(audited(&server, "procedure_publish").await, 1);
    let (_, page) = visit(&server, &mut admin, &location).await;
    assert!(page.contains(&format!(r#"<td data-k="version">{new_version}</td>"#)), "{page}");
    // The same version again is refused: a published version never changes.
    let (status, _, page) = post_multipart(&server, &mut admin, "/quan-tri/thu-tuc", &publish, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("version_not_newer"), "{page}");

    // New dossiers use the new version; the one received before keeps its own.
    let after = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    assert_eq!(after["procedure_version"].as_u64(), Some(new_version));
    let kept = server.dossier(&ward.clerk, before["id"].as_str().unwrap()).await;
    assert_eq!(kept["procedure_version"].as_u64(), Some(old_version));
    let kept = server.act_ok(&ward.head, &kept, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    assert_eq!(kept["procedure_version"].as_u64(), Some(old_version), "still handled under its version");
    let (status, public) = visit(&server, &mut Jar::default(), "/thu-tuc/1.001612").await;
    assert_eq!(status, StatusCode::OK, "{public}");

    // Another process publishes the next version (it is only in the shared store): this one catches up when
    // it syncs, once.
    let next_version = new_version as u32 + 1;
    let next = fixed.replacen(&format!("version = {new_version}"), &format!("version = {next_version}"), 1);
    let services = server.services.clone();
    let (before_sync, synced, again) = tokio::task::spawn_blocking(move || {
        let now = services.now();
        services
            .db()
            .write(|conn| motcua_engine::store::procedures::record(conn, "1.001612", next_version, "HKD", &next, now))
            .unwrap();
        let before_sync = services.catalogue.current("1.001612").unwrap().version;
        (before_sync, services.sync_catalogue().unwrap(), services.sync_catalogue().unwrap())
    })
    .await
    .unwrap();
    assert_eq!((before_sync as u64, synced, again), (new_version, 1, 0));
    assert_eq!(server.services.catalogue.current("1.001612").unwrap().version, next_version);
    server.stop().await;
}
on_both_backends!(procedure_definitions_checked_and_published, a_new_password_ends_every_session);

/// Dead messages show on the outbox page with their counts per topic; re-driving one and all of them through
/// the page puts them back in line (audited), and needs the CSRF token.
async fn outbox_redrive_through_the_page(backend: Backend) {
    use motcua_engine::store::outbox::{self, Filter, Message, NewMessage};
    let server = TestServer::start(backend).await;
    let services = server.services.clone();
    // Three messages of a topic no dispatcher delivers, parked dead as if the receiver had refused them.
    let ids: Vec<i64> = tokio::task::spawn_blocking(move || {
        let now = services.now();
        services
            .db()
            .write(|conn| {
                for n in 0..3 {
                    let message = NewMessage {
                        dossier_id: None,
                        topic: "test.refused",
                        key: format!("test-refused-{n}"),
                        payload: "{}".into(),
                    };
                    outbox::enqueue(conn, message, now)?;
                }
                let filter = Filter { topic: Some("test.refused".into()), limit: 10, ..Filter::default() };
                let mut ids = Vec::new();
                for entry in outbox::list(conn, &filter)? {
                    let message = Message {
                        id: entry.id,
                        dossier_id: None,
                        topic: entry.topic,
                        message_key: entry.message_key,
                        payload: entry.payload,
                        attempts: 1,
                        created_at: now.naive_utc(),
                    };
                    outbox::mark_failed(conn, &message, "422 refused by the receiver", now, 10, true)?;
                    ids.push(entry.id);
                }
                Ok::<_, motcua_engine::store::StoreError>(ids)
            })
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(ids.len(), 3);

    let mut admin = sign_in(&server, "admin").await;
    let csrf = admin.csrf();
    let (status, page) = visit(&server, &mut admin, "/quan-tri/hop-thu-di?trang-thai=dead&chu-de=test.refused").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<tr data-topic="test.refused">"#), "{page}");
    assert_eq!(page.matches("422 refused by the receiver").count(), 3, "{page}");
    let dead = |page: &str| {
        let row = &page[page.find(r#"<tr data-topic="test.refused">"#).unwrap()..];
        let start = row.find(r#"<td data-k="dead">"#).unwrap() + r#"<td data-k="dead">"#.len();
        row[start..start + row[start..].find('<').unwrap()].to_string()
    };
    assert_eq!(dead(&page), "3");

    let one = ids[0].to_string();
    let (status, _, _) = post(&server, &mut admin, "/quan-tri/hop-thu-di/gui-lai", &[("id", one.as_str())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token: refused");
    let (status, location, _) =
        post(&server, &mut admin, "/quan-tri/hop-thu-di/gui-lai", &[("csrf", csrf.as_str()), ("id", one.as_str())])
            .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/quan-tri/hop-thu-di?gui-lai=1"));
    let (_, page) = visit(&server, &mut admin, "/quan-tri/hop-thu-di?chu-de=test.refused").await;
    assert_eq!(dead(&page), "2");
    let (status, _, _) =
        post(&server, &mut admin, "/quan-tri/hop-thu-di/gui-lai", &[("csrf", csrf.as_str()), ("id", one.as_str())])
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no longer dead");
    let all = [("csrf", csrf.as_str()), ("topic", "test.refused")];
    let (status, location, _) = post(&server, &mut admin, "/quan-tri/hop-thu-di/gui-lai", &all).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/quan-tri/hop-thu-di?gui-lai=2&chu-de=test.refused")
    );
    let (_, page) = visit(&server, &mut admin, &location).await;
    assert_eq!(dead(&page), "0");
    assert_eq!(audited(&server, "outbox_redrive").await, 3);

    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (status, _) = visit(&server, &mut clerk, "/quan-tri/hop-thu-di").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.stop().await;
}
on_both_backends!(outbox_redrive_through_the_page);

/// A dead job shows on the jobs page with its error and the counts of its kind; running it again through the
/// page puts it back in line (audited), and needs the CSRF token.
async fn dead_jobs_rerun_through_the_page(backend: Backend) {
    use motcua_engine::jobs::queue::run_due_jobs;
    use motcua_engine::store::jobs;
    let server = TestServer::start(backend).await;
    let services = server.services.clone();
    let id = tokio::task::spawn_blocking(move || {
        let now = services.now();
        let enqueue = |c: &mut _| jobs::enqueue(c, "render_form", Some("garbled"), r#"{"dossier":1}"#, now);
        services.db().write(enqueue).unwrap();
        run_due_jobs(&services, "test", 500).unwrap();
        let dead = jobs::Filter { state: Some(jobs::State::Dead), limit: 10, ..Default::default() };
        let rows = services.db().read(|c| jobs::list(c, &dead)).unwrap();
        assert_eq!(rows.len(), 1);
        rows[0].id
    })
    .await
    .unwrap();

    let mut admin = sign_in(&server, "admin").await;
    let csrf = admin.csrf();
    let (status, page) = visit(&server, &mut admin, "/quan-tri/viec-nen?trang-thai=dead").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!(r#"<tr data-id="{id}">"#)), "{page}");
    assert!(page.contains("unreadable payload"), "{page}");
    let dead_count = |page: &str| {
        let row = &page[page.find(r#"<tr data-kind="render_form">"#).unwrap()..];
        let start = row.find(r#"<td data-k="dead">"#).unwrap() + r#"<td data-k="dead">"#.len();
        row[start..start + row[start..].find('<').unwrap()].to_string()
    };
    assert_eq!(dead_count(&page), "1");
    let one = id.to_string();
    let (status, _, _) = post(&server, &mut admin, "/quan-tri/viec-nen/chay-lai", &[("id", one.as_str())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token: refused");
    let form = [("csrf", csrf.as_str()), ("id", one.as_str())];
    let (status, location, _) = post(&server, &mut admin, "/quan-tri/viec-nen/chay-lai", &form).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/quan-tri/viec-nen?chay-lai=1"));
    let (_, page) = visit(&server, &mut admin, &location).await;
    assert_eq!(dead_count(&page), "0");
    assert_eq!(audited(&server, "job_redrive").await, 1);

    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (status, _) = visit(&server, &mut clerk, "/quan-tri/viec-nen").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.stop().await;
}
on_both_backends!(dead_jobs_rerun_through_the_page);

/// The calendar changed from the administration page: a day off added is a new version in use at once, audited;
/// a dossier's deadline computed before keeps its calendar, one received after counts the day off; a change that
/// changes nothing, or comes without grounds, is refused beside its field and makes no version.
async fn calendar_changes_are_versions_and_keep_computed_deadlines(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let before = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031090012399")).await;
    let due_before = before["due_at"].as_str().unwrap().to_string();
    let mut admin = sign_in(&server, "admin").await;
    let csrf = admin.csrf();
    let (status, page) = visit(&server, &mut admin, "/quan-tri/lich?nam=2026").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("đang dùng"), "the version in use is marked: {page}");

    // Refused: a Sunday is off already; grounds are required. Nothing is made.
    let long_note = "x".repeat(10_000);
    for (date, note, field) in [
        ("29/11/2026", "Nghỉ bù", "date"),
        ("25/11/2026", "", "note"),
        ("31/12/9999", "Nghỉ bù", "date"),
        ("25/11/2026", long_note.as_str(), "note"),
    ] {
        let form = [("csrf", csrf.as_str()), ("change", "add_holiday"), ("date", date), ("note", note)];
        let (status, _, page) = post(&server, &mut admin, "/quan-tri/lich", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{date} {note:?}");
        assert!(page.contains(&format!(r#"id="e-{field}""#)), "the error beside {field}: {page}");
        assert!(page.contains(&format!(r#"value="{date}""#)), "what was typed is kept");
    }
    assert_eq!(server.count("calendars").await, 1);

    // Wednesday 25/11/2026 becomes a day off (version 2).
    let form =
        [("csrf", csrf.as_str()), ("change", "add_holiday"), ("date", "25/11/2026"), ("note", "Quyết định nghỉ bù")];
    let (status, location, _) = post(&server, &mut admin, "/quan-tri/lich", &form).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/quan-tri/lich?nam=2026&phien_ban=2"));
    assert_eq!(server.services.calendar.version(), 2);
    let wednesday = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    assert!(!server.services.calendar.is_working_day(wednesday), "in use at once");
    let (_, page) = visit(&server, &mut admin, "/quan-tri/lich?nam=2026&phien_ban=2").await;
    assert!(page.contains("25/11/2026") && page.contains("Quyết định nghỉ bù"), "{page}");
    assert_eq!(audited(&server, "calendar_add_holiday").await, 1);

    // The deadline computed before stays; one computed now counts the day off: one working day later.
    let again = server.dossier(&ward.clerk, before["id"].as_str().unwrap()).await;
    assert_eq!(again["due_at"].as_str().unwrap(), due_before, "a computed deadline does not move");
    let after = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031090012398")).await;
    let (due_before, due_after) = (
        DateTime::parse_from_rfc3339(&due_before).unwrap().with_timezone(&Ho_Chi_Minh),
        DateTime::parse_from_rfc3339(after["due_at"].as_str().unwrap()).unwrap().with_timezone(&Ho_Chi_Minh),
    );
    let calendar = &server.services.calendar;
    assert_eq!(due_after.date_naive(), calendar.next_working_day_after(due_before.date_naive()));
    assert_eq!(due_after.time(), due_before.time());
    let version_of = |d: &Value| server.services.deadline_calendar(d["id"].as_str().unwrap()).unwrap();
    assert_eq!((version_of(&before), version_of(&after)), (Some(1), Some(2)));
    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (_, page) = visit(&server, &mut clerk, &format!("/can-bo/ho-so/{}", after["id"].as_str().unwrap())).await;
    assert!(page.contains("theo lịch làm việc phiên bản 2"), "the dossier page names its calendar");

    // Taken back: version 3, the calendar as it was.
    let form = [("csrf", csrf.as_str()), ("change", "remove_holiday"), ("date", "25/11/2026"), ("note", "Hủy")];
    let (status, _, _) = post(&server, &mut admin, "/quan-tri/lich", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(server.services.calendar.is_working_day(wednesday));
    assert_eq!(server.count("calendars").await, 3);
    server.stop().await;
}
on_both_backends!(calendar_changes_are_versions_and_keep_computed_deadlines);

/// At start, a calendar file that differs from the one last taken in (a new release's holidays, an edited file)
/// becomes the next version; once an administrator has changed the calendar, her version stays in use.
async fn a_changed_calendar_file_is_taken_in_unless_an_administrator_changed_it_since(backend: Backend) {
    let server = TestServer::start(backend).await;
    assert_eq!(server.services.calendar.version(), 1);
    let shipped = std::fs::read_to_string(repo_path("fixtures/calendar.toml")).unwrap();
    let folder = std::env::temp_dir().join(format!("motcua-calendar-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let with_day_off = |day: &str| {
        let calendar = motcua_engine::domain::calendar::Calendar::from_toml(&shipped).unwrap();
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let changed = calendar.changed(motcua_engine::domain::calendar::DayChange::AddHoliday(day)).unwrap();
        let path = folder.join(format!("{day}.toml"));
        std::fs::write(&path, changed.to_toml()).unwrap();
        path
    };
    let restart = |file: std::path::PathBuf| {
        let mut config = server.services.config.clone();
        config.calendar_file = Some(file);
        let clock = server.services.clock.clone();
        tokio::task::spawn_blocking(move || {
            motcua_engine::service::Services::start(config, clock, Default::default()).unwrap().calendar.version()
        })
    };
    let first_file = with_day_off("2027-03-02");
    assert_eq!(restart(first_file.clone()).await.unwrap(), 2, "a new file is the next version");
    assert_eq!(restart(first_file.clone()).await.unwrap(), 2, "the same file again changes nothing");

    let admin = server.services.identity().staff(&server.staff_id("admin").await).unwrap();
    server.services.refresh_calendar(true).unwrap();
    let day = NaiveDate::from_ymd_opt(2027, 3, 3).unwrap();
    let services = server.services.clone();
    let made = tokio::task::spawn_blocking(move || {
        services
            .administration()
            .change_calendar_day(&admin, motcua_engine::domain::calendar::DayChange::AddHoliday(day), "Nghỉ bù")
            .unwrap()
            .version
    })
    .await
    .unwrap();
    assert_eq!(made, 3);
    assert_eq!(restart(with_day_off("2027-03-04")).await.unwrap(), 3, "the administrator's version stays");
    assert_eq!(server.count("calendars").await, 3);
    let _ = std::fs::remove_dir_all(&folder);
    server.stop().await;
}
on_both_backends!(a_changed_calendar_file_is_taken_in_unless_an_administrator_changed_it_since);
