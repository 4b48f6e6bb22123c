//! The citizen pages through HTTP (the browser tests in tests/e2e drive the same pages in Chromium): sign-in with
//! the national e-identity (the provider's own page to pick a citizen), online submission through the guided
//! form (refused input kept with its errors, files stored once, a summary, the confirmation with the code), my
//! dossiers, withdrawal guarded by the CSRF token, the result download and the service rating, once.

use motcua_engine::domain::dossier::Status;
use motcua_engine::domain::identity::CitizenIdentity;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::pages::{Jar, input_value, open, send_form, send_multipart, sign_in_citizen, with_idp};
use crate::support::{Backend, HONG_BANG, hong_bang, return_electronically, sample_pdf};

const HUONG: &str = "031190012345";
const PROCEDURE: &str = "1.001612";

async fn citizen_submits_online_and_rates(backend: Backend) {
    let (server, idp) = with_idp(backend, None).await;
    let mut jar = Jar::checking();
    sign_in_citizen(&server, &mut jar, HUONG).await;
    let mine = open(&server, &mut jar, "/cong-dan").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Nguyễn Thị Hường") && mine.body.contains("<th scope=\"col\">"), "{}", mine.body);
    let csrf = jar.get("motcua_csrf");

    // The procedure page links to the form; the form is prefilled from the verified identity.
    let procedure = open(&server, &mut jar, &format!("/thu-tuc/{PROCEDURE}")).await;
    assert!(procedure.body.contains(&format!("href=\"/thu-tuc/{PROCEDURE}/nop\"")), "{}", procedure.body);
    let form = open(&server, &mut jar, &format!("/thu-tuc/{PROCEDURE}/nop")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"Nguyễn Thị Hường\" readonly") && form.body.contains(HUONG), "{}", form.body);
    assert!(form.body.contains("<option value=\"female\" selected>"), "sex from the personal id");
    assert!(form.body.contains(&format!("<option value=\"{HONG_BANG}\">")), "the receiving agencies");
    assert!(form.body.contains("<label for=\"f-components-giay-de-nghi\">"), "a labelled file input per paper");

    // A wrong phone number: refused, with everything kept and the error next to the field; the file is stored
    // once and travels on as its upload id.
    let path = format!("/thu-tuc/{PROCEDURE}/nop");
    let uploads_before = server.count("uploads").await;
    let pdf = sample_pdf();
    let typed = [
        ("csrf", csrf.as_str()),
        ("step", "review"),
        ("agency", HONG_BANG),
        ("applicant.birth_date", "1990-05-17"),
        ("applicant.sex", "female"),
        ("applicant.address", "12 Hoàng Văn Thụ, Hồng Bàng"),
        ("applicant.phone", "09-not-a-phone"),
        ("applicant.email", "huong@example.vn"),
        ("summary", "Đăng ký hộ kinh doanh Tạp hóa Hường"),
        ("form.return_method", "electronic"),
        ("keep.giay_de_nghi", "1"),
    ];
    let files: [(&str, &str, &[u8]); 1] = [("file.giay_de_nghi", "giay-de-nghi.pdf", &pdf)];
    let refused = send_multipart(&server, &mut jar, &path, &typed, &files).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let page = &refused.body;
    assert!(page.contains("value=\"09-not-a-phone\"") && page.contains("Tạp hóa Hường"), "input kept: {page}");
    assert!(page.contains("value=\"12 Hoàng Văn Thụ, Hồng Bàng\""), "{page}");
    assert!(page.contains(&format!("<option value=\"{HONG_BANG}\" selected>")), "{page}");
    assert!(page.contains("aria-describedby=\"e-applicant-phone\"") && page.contains("id=\"e-applicant-phone\""));
    assert!(page.contains("Số điện thoại không hợp lệ"), "{page}");
    assert!(page.contains("href=\"#f-applicant-phone\""), "the summary links to the field");
    let upload = input_value(page, "upload.giay_de_nghi");
    assert!(!upload.is_empty() && page.contains("giay-de-nghi.pdf"), "the file is kept: {page}");
    assert_eq!(server.count("uploads").await, uploads_before + 1);

    // Corrected: the summary to check, then the submission.
    let mut fixed: Vec<(&str, &str)> = typed.to_vec();
    fixed.retain(|(name, _)| *name != "applicant.phone");
    fixed.push(("applicant.phone", "0912345678"));
    fixed.push(("upload.giay_de_nghi", &upload));
    fixed.push(("upload_name.giay_de_nghi", "giay-de-nghi.pdf"));
    let summary = send_multipart(&server, &mut jar, &path, &fixed, &[]).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert!(summary.body.contains("0912345678") && summary.body.contains("giay-de-nghi.pdf"), "{}", summary.body);
    assert!(summary.body.contains("Ủy ban nhân dân phường Hồng Bàng"), "the agency by name");
    assert!(summary.body.contains("giay-de-nghi.pdf (lưu vào kho)"), "kept in her repository once returned");
    let mut edit = fixed.clone();
    edit.retain(|(name, _)| *name != "step");
    edit.push(("step", "edit"));
    let edited = send_multipart(&server, &mut jar, &path, &edit, &[]).await;
    assert_eq!(edited.status, StatusCode::OK, "back to the form");
    assert!(edited.body.contains("value=\"0912345678\"") && edited.body.contains("giay-de-nghi.pdf"));
    let key = input_value(&summary.body, "key");
    let mut sent = fixed.clone();
    sent.retain(|(name, _)| *name != "step");
    sent.push(("step", "submit"));
    sent.push(("key", &key));
    let done = send_multipart(&server, &mut jar, &path, &sent, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location.starts_with("/cong-dan/ho-so/") && done.location.ends_with("/da-nop"), "{}", done.location);
    let id = done.location.trim_start_matches("/cong-dan/ho-so/").trim_end_matches("/da-nop").to_string();
    assert_eq!(server.count("uploads").await, uploads_before + 1, "the file was stored once");

    // The same summary sent again (a double click) submits nothing more.
    let dossiers = server.count("dossiers").await;
    let again = send_multipart(&server, &mut jar, &path, &sent, &[]).await;
    assert_eq!((again.status, again.location.as_str()), (StatusCode::SEE_OTHER, done.location.as_str()));
    assert_eq!(server.count("dossiers").await, dossiers);

    let confirmation = open(&server, &mut jar, &done.location).await;
    assert_eq!(confirmation.status, StatusCode::OK);
    let services = server.services.clone();
    let citizen = CitizenIdentity { id_number: HUONG.into(), name: "Nguyễn Thị Hường".into(), birth_date: None };
    let (who, which) = (citizen.clone(), id.clone());
    let dossier =
        tokio::task::spawn_blocking(move || services.citizens().my_dossier(&who, &which)).await.unwrap().unwrap();
    assert_eq!(dossier.dossier.status, Status::Submitted);
    assert_eq!(dossier.dossier.applicant.phone.as_deref(), Some("0912345678"));
    let code = dossier.dossier.code.clone().expect("a code at submission");
    assert!(
        confirmation.body.contains(&format!("<strong id=\"dossier-code\">{code}</strong>")),
        "{}",
        confirmation.body
    );
    assert!(confirmation.body.contains(&format!("href=\"/cong-dan/ho-so/{id}\"")));
    let listed = open(&server, &mut jar, "/cong-dan").await;
    assert!(listed.body.contains(&code) && listed.body.contains("Mới đăng ký"), "{}", listed.body);
    let mut other = Jar::checking();
    sign_in_citizen(&server, &mut other, "031085001234").await;
    let theirs = open(&server, &mut other, &format!("/cong-dan/ho-so/{id}")).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "another citizen's dossier is not found");
    assert!(!theirs.body.contains(&code));

    // Withdrawal with a wrong CSRF token: refused before anything is done.
    let page = open(&server, &mut jar, &format!("/cong-dan/ho-so/{id}")).await;
    assert!(page.body.contains("action=\"/cong-dan/ho-so/") && page.body.contains("/rut\""), "{}", page.body);
    let version = dossier.dossier.version.to_string();
    let forged = [("csrf", "f".repeat(64)), ("version", version.clone()), ("reason", "Nộp nhầm".into())];
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = send_form(&server, &mut jar, &format!("/cong-dan/ho-so/{id}/rut"), &forged).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let services = server.services.clone();
    let (who, which) = (citizen.clone(), id.clone());
    let still =
        tokio::task::spawn_blocking(move || services.citizens().my_dossier(&who, &which)).await.unwrap().unwrap();
    assert_eq!(still.dossier.status, Status::Submitted, "not withdrawn");

    // The agency takes it through to the result, returned electronically.
    let ward = hong_bang(&server).await;
    let d = server.dossier(&ward.clerk, &id).await;
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "receive"})).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    return_electronically(&server, &ward, &d, "Đủ điều kiện").await;

    // Her page: the timeline, the result to download, the rating form.
    let page = open(&server, &mut jar, &format!("/cong-dan/ho-so/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Đã trả kết quả") && page.body.contains("Tiếp nhận hồ sơ"), "{}", page.body);
    let href = page
        .body
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .find(|h| h.contains("/ket-qua/"))
        .expect("a result link");
    let result = open(&server, &mut jar, &href).await;
    assert_eq!(result.status, StatusCode::OK);
    assert_eq!(result.content_type, "application/pdf");
    assert_eq!(result.bytes, sample_pdf(), "the result as issued");
    assert!(result.streamed, "sent as it is read, like the API's downloads");
    let mut stranger = Jar::checking();
    assert_eq!(open(&server, &mut stranger, &href).await.status, StatusCode::SEE_OTHER, "signed in only");

    // The rating: the score and the portal's three questions, each required; what was chosen is kept.
    let rate = format!("/cong-dan/ho-so/{id}/danh-gia");
    let partial = [("csrf", csrf.as_str()), ("score", ""), ("reception_satisfied", "co"), ("comment", "Nhanh")];
    let no_score = send_form(&server, &mut jar, &rate, &partial).await;
    assert_eq!(no_score.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_score.body.contains("Chọn mức đánh giá từ 1 đến 5") && no_score.body.contains(">Nhanh</textarea>"));
    assert_eq!(no_score.body.matches("Chọn hài lòng hoặc không hài lòng").count(), 4, "2 in the summary, 2 by fields");
    assert!(no_score.body.contains("value=\"co\" checked"), "the answer given is kept");
    assert!(
        no_score.body.contains("href=\"#f-officer-satisfied\"") && no_score.body.contains("id=\"f-officer-satisfied\"")
    );
    let answers = [("reception_satisfied", "co"), ("result_satisfied", "co"), ("officer_satisfied", "co")];
    let mut full = vec![("csrf", csrf.as_str()), ("score", "5"), ("comment", "Nhanh")];
    full.extend(answers);
    let rated = send_form(&server, &mut jar, &rate, &full).await;
    assert_eq!(
        (rated.status, rated.location.as_str()),
        (StatusCode::SEE_OTHER, format!("/cong-dan/ho-so/{id}").as_str())
    );
    let mut again = vec![("csrf", csrf.as_str()), ("score", "1"), ("comment", "")];
    again.extend(answers);
    let twice = send_form(&server, &mut jar, &rate, &again).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert!(twice.body.contains("Bạn đã đánh giá hồ sơ này") && twice.body.contains("role=\"alert\""));
    assert_eq!(server.count("ratings").await, 1);
    let repository = open(&server, &mut jar, "/cong-dan/kho?kho=dossier_papers").await;
    let kept = repository.body.matches("Giấy đề nghị đăng ký hộ kinh doanh").count();
    assert!(kept >= 1 && repository.body.contains("Giấy chứng nhận đăng ký hộ kinh doanh"), "{}", repository.body);
    let page = open(&server, &mut jar, &format!("/cong-dan/ho-so/{id}")).await;
    assert!(page.body.contains("<strong>5/5</strong>") && !page.body.contains("/danh-gia\""), "{}", page.body);
    assert!(page.body.contains("<dt>Thái độ, trách nhiệm của cán bộ</dt><dd>Hài lòng</dd>"), "{}", page.body);

    idp.stop().await;
    server.stop().await;
}
on_both_backends!(citizen_submits_online_and_rates);

/// The SMS a dossier's applicant was sent when it was returned: its text.
async fn invitation_sms(server: &crate::support::TestServer, dossier_id: &str) -> Option<String> {
    let sent = server.outbox_payloads("notify.sms", &format!("'{dossier_id}'")).await;
    sent.iter().find(|p| p["kind"] == "rating_invitation").map(|p| p["text"].as_str().unwrap().to_string())
}

/// Returned at the counter, a dossier's applicant is sent a link (SMS and e-mail) to rate the service without
/// signing in: the page names the dossier by code and procedure only, asks the score and the portal's three
/// questions, refuses what is missing, takes the rating once, and a "not satisfied" answer with a good score
/// still counts against the satisfaction indicator. A wrong or expired link is a page not found.
async fn a_returned_dossier_is_rated_through_the_link_sent_with_its_result(backend: Backend) {
    let server = crate::support::TestServer::start_at(backend, crate::support::tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let mut body = crate::support::new_dossier(PROCEDURE, HONG_BANG, HUONG);
    body["applicant"]["phone"] = json!("0912 345 678");
    body["applicant"]["email"] = json!("huong@example.invalid");
    let d = server.receive(&ward.clerk, body).await;
    let id = d["id"].as_str().unwrap().to_string();
    assert!(invitation_sms(&server, &id).await.is_none(), "no invitation before the return");
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    return_electronically(&server, &ward, &d, "Đủ điều kiện").await;
    let text = invitation_sms(&server, &id).await.expect("an invitation to rate");
    let link = text.split_whitespace().find(|w| w.contains("/danh-gia/")).unwrap().to_string();
    let path = &link[link.find("/danh-gia/").unwrap()..];
    assert_eq!(server.count_sql(format!("SELECT COUNT(*) AS n FROM outbox WHERE topic = 'notify.email' AND dossier_id = '{id}' AND payload LIKE '%{path}%'")).await, 1, "by e-mail too");

    let mut jar = Jar::checking();
    let page = open(&server, &mut jar, path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let code = d["code"].as_str().unwrap();
    assert!(page.body.contains(code) && page.body.contains("Thái độ, trách nhiệm của cán bộ"), "{}", page.body);
    assert!(
        !page.body.contains("Nguyễn Thị Hường") && !page.body.contains(HUONG),
        "no personal data on the link's page"
    );
    let csrf = jar.get("motcua_csrf");
    let missing = send_form(&server, &mut jar, path, &[("csrf", &csrf), ("score", "4")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Chọn hài lòng hoặc không hài lòng") && missing.body.contains("value=\"4\" checked"));
    let forged = send_form(&server, &mut jar, path, &[("csrf", "x"), ("score", "4")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(server.count("ratings").await, 0);

    let answers = [("reception_satisfied", "co"), ("result_satisfied", "co"), ("officer_satisfied", "khong")];
    let mut form = vec![("csrf", csrf.as_str()), ("score", "4"), ("comment", "Cán bộ chưa hướng dẫn rõ")];
    form.extend(answers);
    let rated = send_form(&server, &mut jar, path, &form).await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert!(rated.body.contains("Cảm ơn Ông/Bà đã đánh giá") && rated.body.contains("<dd>Không hài lòng</dd>"));
    let counted = |sql: &str| server.count_sql(format!("SELECT COUNT(*) AS n FROM {sql}"));
    assert_eq!(counted(&format!("ratings WHERE dossier_id = '{id}' AND via = 'link' AND score = 4")).await, 1);
    assert_eq!(counted(&format!("dossier_facts WHERE dossier_id = '{id}' AND rated_low")).await, 1, "not satisfied");
    // The leader finds it among the month's "not satisfied" ratings, by agency and by officer alike.
    let query = format!("agency={HONG_BANG}&period=2026-11");
    let (_, low) = server.get(&format!("/api/v1/reports/ratings/low?{query}"), &ward.leader).await;
    let listed = low["items"].as_array().unwrap();
    assert!(listed.iter().any(|r| r["dossier_id"] == json!(id) && r["officer_satisfied"] == json!(false)), "{low}");
    for by in ["agency", "procedure", "officer", "channel"] {
        let (status, rows) =
            server.get(&format!("/api/v1/reports/scorecard/breakdown?{query}&by={by}"), &ward.leader).await;
        assert_eq!(status, StatusCode::OK, "{rows}");
        let low: u64 = rows["rows"].as_array().unwrap().iter().map(|r| r["rated_low"].as_u64().unwrap()).sum();
        assert_eq!(low, 1, "by {by}: {rows}");
    }
    let twice = send_form(&server, &mut jar, path, &form).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.body.contains("Bạn đã đánh giá hồ sơ này"));
    let reread = open(&server, &mut jar, path).await;
    assert!(reread.body.contains("<strong>4/5</strong>") && !reread.body.contains("name=\"score\""));

    // A token never given, and the link once expired: not found, nothing told apart.
    let wrong = open(&server, &mut jar, "/danh-gia/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    server.advance(chrono::TimeDelta::days(motcua_engine::service::ratings::LINK_DAYS + 1));
    assert_eq!(open(&server, &mut jar, path).await.status, StatusCode::NOT_FOUND);
    server.stop().await;
}
on_both_backends!(a_returned_dossier_is_rated_through_the_link_sent_with_its_result);

/// A supplement answered on her page: the requested paper uploaded and the dossier sent back at the version the
/// page showed; her repository lists, moves, shares, trashes and restores a paper she adds.
async fn supplement_and_repository(backend: Backend) {
    let (server, idp) = with_idp(backend, None).await;
    let mut jar = Jar::checking();
    sign_in_citizen(&server, &mut jar, HUONG).await;
    let csrf = jar.get("motcua_csrf");
    let ward = hong_bang(&server).await;
    let d = server.receive(&ward.clerk, crate::support::new_dossier(PROCEDURE, HONG_BANG, HUONG)).await;
    let id = d["id"].as_str().unwrap().to_string();
    let items = json!([{"component": "giay_de_nghi", "reason": "Thiếu chữ ký chủ hộ"}]);
    let d = server.act_ok(&ward.head, &d, json!({"action": "request_supplement", "items": items})).await;
    assert_eq!(d["status"], 5);

    let page = open(&server, &mut jar, &format!("/cong-dan/ho-so/{id}")).await;
    assert!(page.body.contains("Thiếu chữ ký chủ hộ") && page.body.contains("name=\"file.giay_de_nghi\""));
    let version = input_value(&page.body, "version");
    let pdf = sample_pdf();
    let path = format!("/cong-dan/ho-so/{id}/bo-sung");
    let stale = send_multipart(&server, &mut jar, &path, &[("csrf", &csrf), ("version", "1")], &[]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "an old version is refused: {}", stale.body);
    let files: [(&str, &str, &[u8]); 1] = [("file.giay_de_nghi", "bo-sung.pdf", &pdf)];
    let sent = send_multipart(&server, &mut jar, &path, &[("csrf", &csrf), ("version", &version)], &files).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let d = server.dossier(&ward.clerk, &id).await;
    assert_eq!(d["status"], 4, "back in process");
    let page = open(&server, &mut jar, &format!("/cong-dan/ho-so/{id}")).await;
    assert!(page.body.contains("Đang xử lý") && !page.body.contains("name=\"file.giay_de_nghi\""), "{}", page.body);

    // A fee asked for: the amount and the order's state (no payment platform here, so no link to pay).
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "request_payment", "amount_vnd": 100000})).await;
    assert_eq!(d["status"], 6);
    let page = open(&server, &mut jar, &format!("/cong-dan/ho-so/{id}")).await;
    assert!(page.body.contains("100.000 đ") && page.body.contains("Chờ tạo lệnh thanh toán"), "{}", page.body);
    let english = open(&server, &mut jar, &format!("/cong-dan/ho-so/{id}?lang=en")).await;
    assert!(english.body.contains("Payment requested") && english.body.contains("Progress"), "{}", english.body);
    let english = open(&server, &mut jar, "/cong-dan").await;
    assert!(english.body.contains("<html lang=\"en\">") && english.body.contains("Your dossiers, newest first"));
    open(&server, &mut jar, "/cong-dan?lang=vi").await;

    // Her repository: add a paper, move it, share it, trash and restore it.
    let repository = open(&server, &mut jar, "/cong-dan/kho").await;
    assert_eq!(repository.status, StatusCode::OK);
    let fields = [("csrf", csrf.as_str()), ("title", ""), ("store", "personal_papers")];
    let refused = send_multipart(&server, &mut jar, "/cong-dan/kho", &fields, &[("file", "cccd.pdf", &pdf)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"e-title\""), "{}", refused.body);
    let fields = [("csrf", csrf.as_str()), ("title", "Căn cước"), ("paper_type", "CCCD"), ("store", "personal_papers")];
    let added = send_multipart(&server, &mut jar, "/cong-dan/kho", &fields, &[("file", "cccd.pdf", &pdf)]).await;
    assert_eq!((added.status, added.location.as_str()), (StatusCode::SEE_OTHER, "/cong-dan/kho?kho=personal_papers"));
    let listed = open(&server, &mut jar, &added.location).await;
    let item = listed.body.split("id=\"item-").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    let act = |action: &str| format!("/cong-dan/kho/{item}/{action}");
    let moved = send_form(
        &server,
        &mut jar,
        &act("chuyen"),
        &[("csrf", &csrf), ("store", "personal_papers"), ("folder", "Giấy tờ tùy thân")],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let shared =
        send_form(&server, &mut jar, &act("chia-se"), &[("csrf", &csrf), ("kind", "agency"), ("grantee", HONG_BANG)])
            .await;
    assert_eq!(shared.status, StatusCode::SEE_OTHER);
    let listed = open(&server, &mut jar, "/cong-dan/kho?kho=personal_papers").await;
    assert!(listed.body.contains("Giấy tờ tùy thân") && listed.body.contains("/bo-chia-se"), "{}", listed.body);
    let download = open(&server, &mut jar, &act("tai-ve")).await;
    assert_eq!((download.status, download.bytes == pdf), (StatusCode::OK, true));
    let purge_early = send_form(&server, &mut jar, &act("xoa-han"), &[("csrf", &csrf)]).await;
    assert_eq!(purge_early.status, StatusCode::CONFLICT, "only from the trash");
    assert_eq!(send_form(&server, &mut jar, &act("xoa"), &[("csrf", &csrf)]).await.status, StatusCode::SEE_OTHER);
    let trash = open(&server, &mut jar, "/cong-dan/kho?thung-rac=1").await;
    assert!(trash.body.contains("Căn cước") && trash.body.contains("/khoi-phuc"), "{}", trash.body);
    assert_eq!(send_form(&server, &mut jar, &act("khoi-phuc"), &[("csrf", &csrf)]).await.status, StatusCode::SEE_OTHER);
    let back = open(&server, &mut jar, "/cong-dan/kho?kho=personal_papers").await;
    assert!(back.body.contains("Căn cước"), "restored");

    // The paper is offered when a procedure accepts its type, and reused in a submission.
    let path = format!("/thu-tuc/{PROCEDURE}/nop");
    let form = open(&server, &mut jar, &path).await;
    let pick = format!("repo:{item}");
    assert!(form.body.contains(&format!("name=\"source.giay_to_phap_ly_ca_nhan\" value=\"{pick}\"")), "{}", form.body);
    let fields = [
        ("csrf", csrf.as_str()),
        ("step", "review"),
        ("agency", HONG_BANG),
        ("form.return_method", "counter"),
        ("source.giay_to_phap_ly_ca_nhan", pick.as_str()),
    ];
    let files: [(&str, &str, &[u8]); 1] = [("file.giay_de_nghi", "de-nghi.pdf", &pdf)];
    let summary = send_multipart(&server, &mut jar, &path, &fields, &files).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert!(summary.body.contains("Từ kho dữ liệu: Căn cước"), "{}", summary.body);
    let mut sent: Vec<(&str, &str)> = fields.iter().filter(|(n, _)| *n != "step").copied().collect();
    let upload = input_value(&summary.body, "upload.giay_de_nghi");
    sent.extend([("step", "submit"), ("upload.giay_de_nghi", upload.as_str())]);
    let done = send_multipart(&server, &mut jar, &path, &sent, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let new_id = done.location.trim_start_matches("/cong-dan/ho-so/").trim_end_matches("/da-nop").to_string();
    let d = server.dossier(&ward.clerk, &new_id).await;
    let reused = d["components"].as_array().unwrap().iter().find(|c| c["id"] == "giay_to_phap_ly_ca_nhan").cloned();
    assert_eq!(reused.unwrap()["digitisation"], 2, "reused from the repository: {d}");

    // She withdraws it: a reason is needed (kept error at the field), then it is withdrawn.
    let page = open(&server, &mut jar, &format!("/cong-dan/ho-so/{new_id}")).await;
    let version = input_value(&page.body, "version");
    let withdraw = format!("/cong-dan/ho-so/{new_id}/rut");
    let empty =
        send_form(&server, &mut jar, &withdraw, &[("csrf", &csrf), ("version", &version), ("reason", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("aria-describedby=\"e-reason\"") && empty.body.contains("Bắt buộc nhập"));
    let reason = [("csrf", csrf.as_str()), ("version", version.as_str()), ("reason", "Nộp nhầm thủ tục")];
    let withdrawn = send_form(&server, &mut jar, &withdraw, &reason).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER, "{}", withdrawn.body);
    let page = open(&server, &mut jar, &format!("/cong-dan/ho-so/{new_id}")).await;
    assert!(
        page.body.contains("Công dân yêu cầu rút hồ sơ") && page.body.contains("Nộp nhầm thủ tục"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/rut\""), "nothing more to withdraw");

    idp.stop().await;
    server.stop().await;
}
on_both_backends!(supplement_and_repository);

/// Birth registration online with the interactive declaration: the form is prefilled from the identity, bad
/// values come back next to their fields, and the filled-in e-form stands for the paper declaration, so the
/// ward receives the dossier with only the birth certificate attached; both sides see the declaration.
async fn birth_registration_with_the_e_form(backend: Backend) {
    let (server, _idp) = with_idp(backend, None).await;
    let mut jar = Jar::checking();
    sign_in_citizen(&server, &mut jar, HUONG).await;
    let csrf = jar.get("motcua_csrf");
    let path = "/thu-tuc/1.001193/nop";
    let form = open(&server, &mut jar, path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Tờ khai điện tử"), "{}", form.body);
    assert!(
        form.body.contains(
            r#"id="f-form-data-nguoi-yeu-cau" name="form_data.nguoi_yeu_cau" type="text" value="Nguyễn Thị Hường""#
        ),
        "prefilled from the identity: {}",
        form.body
    );

    let pdf = sample_pdf();
    let files: [(&str, &str, &[u8]); 1] = [("file.giay_chung_sinh", "giay-chung-sinh.pdf", &pdf)];
    let mut typed = vec![
        ("csrf", csrf.as_str()),
        ("step", "review"),
        ("agency", HONG_BANG),
        ("applicant.sex", "female"),
        ("form.return_method", "counter"),
        ("form_data.nguoi_yeu_cau", "Nguyễn Thị Hường"),
        ("form_data.quan_he", "Mẹ"),
        ("form_data.ho_ten", "Trần Minh An"),
        ("form_data.ngay_sinh", "31/02/2026"),
        ("form_data.gioi_tinh", "Trai"),
        ("form_data.dan_toc", "Kinh"),
        ("form_data.quoc_tich", "Việt Nam"),
        ("form_data.noi_sinh", "Bệnh viện Phụ sản Hải Phòng"),
    ];
    let refused = send_multipart(&server, &mut jar, path, &typed, &files).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let page = &refused.body;
    assert!(page.contains("id=\"e-f-form-data-ngay-sinh\"") && page.contains("Ngày không hợp lệ"), "{page}");
    assert!(page.contains("id=\"e-f-form-data-gioi-tinh\""), "the choice is checked: {page}");
    assert!(page.contains("value=\"Trần Minh An\""), "input kept");
    assert!(!page.contains("id=\"e-f-components-to-khai\""), "the e-form stands for the paper declaration");
    let upload = input_value(page, "upload.giay_chung_sinh");

    typed.retain(|(name, _)| !matches!(*name, "form_data.ngay_sinh" | "form_data.gioi_tinh"));
    // Typed as people write dates here, dd/mm/yyyy; kept as an ISO date.
    typed.extend([("form_data.ngay_sinh", "20/11/2026"), ("form_data.gioi_tinh", "Nam")]);
    typed.extend([("upload.giay_chung_sinh", upload.as_str()), ("upload_name.giay_chung_sinh", "giay-chung-sinh.pdf")]);
    let summary = send_multipart(&server, &mut jar, path, &typed, &[]).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert!(summary.body.contains("<dt>Quan hệ với người được đăng ký khai sinh</dt><dd>Mẹ</dd>"), "{}", summary.body);
    let key = input_value(&summary.body, "key");
    typed.retain(|(name, _)| *name != "step");
    typed.extend([("step", "submit"), ("key", key.as_str())]);
    let done = send_multipart(&server, &mut jar, path, &typed, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let id = done.location.trim_start_matches("/cong-dan/ho-so/").trim_end_matches("/da-nop").to_string();
    let mine = open(&server, &mut jar, &format!("/cong-dan/ho-so/{id}")).await;
    assert!(mine.body.contains("<dt>Ngày, tháng, năm sinh</dt><dd>20/11/2026</dd>"), "{}", mine.body);
    assert!(mine.body.contains("Tờ khai đăng ký khai sinh theo mẫu: Đã khai trên tờ khai điện tử"), "{}", mine.body);

    // The ward receives it without a paper declaration, and its page shows the e-form.
    let ward = hong_bang(&server).await;
    let d = server.dossier(&ward.clerk, &id).await;
    assert_eq!(d["form_data"]["ho_ten"], "Trần Minh An");
    assert_eq!(d["form_data"]["ngay_sinh"], "2026-11-20");
    let received = server.act_ok(&ward.clerk, &d, json!({"action": "receive"})).await;
    assert_eq!(received["status"], 2, "{received}");
    let mut clerk = crate::support::pages::sign_in(&server, "hongbang.tiepnhan").await;
    let (_, staff_page) = crate::support::pages::visit(&server, &mut clerk, &format!("/can-bo/ho-so/{id}")).await;
    assert!(staff_page.contains("<dt>Họ, chữ đệm, tên người được đăng ký khai sinh</dt><dd>Trần Minh An</dd>"));

    // The e-form rendered as the declaration it stands for, stored with the dossier, on the receipt's list.
    let services = server.services.clone();
    tokio::task::spawn_blocking(
        move || {
            while motcua_engine::jobs::queue::run_due_jobs(&services, "test", 50).unwrap() > 0 {}
        },
    )
    .await
    .unwrap();
    let (_, papers) = server.get(&format!("/api/v1/dossiers/{id}/papers"), &ward.clerk).await;
    let declaration = papers
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == format!("declaration-{id}"))
        .unwrap_or_else(|| panic!("the declaration is a paper of the dossier: {papers}"));
    assert_eq!((&declaration["kind"], &declaration["component_id"]), (&json!("form"), &json!("to_khai")));
    let path = format!("/api/v1/dossiers/{id}/papers/declaration-{id}/content");
    let (status, content_type, pdf) = server.get_bytes(&path, &ward.clerk).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "application/pdf"));
    let text = crate::documents::text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Kính gửi: Ủy ban nhân dân phường Hồng Bàng",
        "Họ, chữ đệm, tên người được đăng ký khai sinh: Trần Minh An",
        "Ngày, tháng, năm sinh: 20/11/2026",
        "Nơi sinh: Bệnh viện Phụ sản Hải Phòng",
        "Tôi cam đoan",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let (_, _, receipt) = server.get_bytes(&format!("/api/v1/dossiers/{id}/forms/01"), &ward.clerk).await;
    let receipt = crate::documents::text_of(&receipt);
    assert!(receipt.contains("Tờ khai đăng ký khai sinh theo mẫu (biểu mẫu điện tử"), "{receipt}");
    server.stop().await;
}
on_both_backends!(birth_registration_with_the_e_form);
