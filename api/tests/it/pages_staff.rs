//! The staff pages through HTTP (the browser tests in tests/e2e drive the same pages in Chromium): sign-in
//! through the form, the reception desk (multipart), the receipt, the whole staff chain through the dossier
//! page, stale versions, CSRF, batch signing, and that each role is offered exactly its own actions.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::pages::{Jar, bytes, post, post_multipart, sign_in, visit};
use crate::support::{Backend, HONG_BANG, TestServer, hong_bang, new_dossier, sample_pdf};

/// Performs an action through the dossier page's form; answers status, location and body.
async fn act(
    server: &TestServer,
    jar: &mut Jar,
    id: &str,
    version: u64,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let csrf = jar.csrf();
    let version = version.to_string();
    let mut form = vec![("csrf", csrf.as_str()), ("version", version.as_str())];
    form.extend_from_slice(fields);
    post(server, jar, &format!("/can-bo/ho-so/{id}/thao-tac"), &form).await
}

async fn state(server: &TestServer, token: &str, id: &str) -> Value {
    server.dossier(token, id).await
}

fn version(d: &Value) -> u64 {
    d["version"].as_u64().unwrap()
}

/// A POST without the CSRF token, or with a wrong one, is refused 403 and changes nothing.
async fn csrf_is_required(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let id = d["id"].as_str().unwrap();
    let mut head = sign_in(&server, "hongbang.truongphong").await;
    let v = version(&d).to_string();
    let path = format!("/can-bo/ho-so/{id}/thao-tac");
    let assign = [("action", "assign"), ("version", v.as_str()), ("assignee", ward.specialist_id.as_str())];
    let (status, _, page) = post(&server, &mut head, &path, &assign).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token");
    assert!(page.contains("Biểu mẫu đã hết hạn"), "{page}");
    let mut wrong = assign.to_vec();
    wrong.push(("csrf", "0000000000000000000000000000000000000000000000000000000000000000"));
    let (status, _, _) = post(&server, &mut head, &path, &wrong).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong token");
    let (status, _, _) = post_multipart(&server, &mut head, &path, &assign, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token in a multipart form either");
    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (status, _, _) = post_multipart(
        &server,
        &mut clerk,
        "/can-bo/tiep-nhan",
        &[("do", "receive"), ("procedure_code", "1.001612")],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the reception desk too");
    let (status, _, _) = post(&server, &mut head, "/can-bo/ky-duyet", &[("action", "approve")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "and batch signing");
    assert_eq!(version(&state(&server, &ward.clerk, id).await), version(&d), "nothing changed");
    server.stop().await;
}
on_both_backends!(csrf_is_required);

/// A clerk signs in through the form, receives a counter dossier at the reception desk with a scan per
/// component (multipart), lands on the dossier page and prints the receipt (a PDF). A refused submission shows
/// the form again with what was typed and the error next to its field.
async fn clerk_receives_at_the_counter(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (status, home) = visit(&server, &mut clerk, "/can-bo").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Hồ sơ chờ tiếp nhận") && home.contains("Hồ sơ chờ trả kết quả"), "{home}");
    assert!(!home.contains("Hồ sơ chờ phê duyệt, ký"), "a clerk has no signing queue");
    let (status, desk) = visit(&server, &mut clerk, "/can-bo/tiep-nhan?thu_tuc=1.001612").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        desk.contains(r#"<label for="f-applicant-name">"#) && desk.contains(r#"name="file.giay_de_nghi""#),
        "{desk}"
    );
    let csrf = clerk.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("do", "receive"),
        ("procedure_code", "1.001612"),
        ("channel", "counter"),
        ("applicant.id_kind", "personal_id"),
        ("applicant.id_number", "031085001234"),
        ("applicant.name", ""),
        ("applicant.birth_date", "1985-03-02"),
        ("applicant.sex", "male"),
        ("applicant.phone", "0983111222"),
        ("received", "giay_de_nghi"),
    ];
    let pdf = sample_pdf();
    let files: [(&str, &str, &[u8]); 1] = [("file.giay_de_nghi", "giay-de-nghi.pdf", &pdf)];
    let (status, _, page) = post_multipart(&server, &mut clerk, "/can-bo/tiep-nhan", &fields, &files).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no name");
    assert!(page.contains(r#"value="031085001234""#), "what was typed stays: {page}");
    assert!(page.contains(r#"aria-describedby="e-f-applicant-name""#) && page.contains("Bắt buộc nhập"), "{page}");

    fields[6] = ("applicant.name", "Trần Văn Nam");
    let (status, location, _) = post_multipart(&server, &mut clerk, "/can-bo/tiep-nhan", &fields, &files).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/can-bo/ho-so/") && location.ends_with("?tb=receive"), "{location}");
    let (status, page) = visit(&server, &mut clerk, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Đã tiếp nhận hồ sơ") && page.contains("Được tiếp nhận"), "{page}");
    assert!(page.contains("000.31.01.H26-") && page.contains("Trần Văn Nam"), "code and applicant: {page}");
    let id = location.trim_start_matches("/can-bo/ho-so/").split('?').next().unwrap().to_string();
    let receipt = format!("/can-bo/ho-so/{id}/bieu-mau/01");
    assert!(page.contains(&format!(r#"<a href="{receipt}">Giấy tiếp nhận hồ sơ và hẹn trả kết quả</a>"#)), "{page}");
    let (status, kind, pdf) = bytes(&server, &mut clerk, &receipt).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF"), "the receipt is a PDF");
    assert!(page.contains(&format!("/can-bo/ho-so/{id}/giay-to/")), "the scan is listed: {page}");
    let scan = page.split(&format!("/can-bo/ho-so/{id}/giay-to/")).nth(1).unwrap().split('"').next().unwrap();
    let (status, _, content) = bytes(&server, &mut clerk, &format!("/can-bo/ho-so/{id}/giay-to/{scan}")).await;
    assert_eq!((status, content), (StatusCode::OK, sample_pdf()));

    // An online dossier waits in the reception queue; the clerk receives it from its page.
    let (_, queue) = visit(&server, &mut clerk, "/can-bo/ho-so?hang=receive").await;
    let online =
        queue.split("<a href=\"/can-bo/ho-so/").nth(1).expect("a dossier to receive").split('"').next().unwrap();
    let (_, page) = visit(&server, &mut clerk, &format!("/can-bo/ho-so/{online}")).await;
    assert!(page.contains(r#"value="receive""#) && page.contains(r#"value="refuse_reception""#), "{page}");
    assert!(!page.contains(r#"value="check_identity""#), "no population database here: no check on offer");
    let before = server.dossier(&server.token("hongbang.tiepnhan").await, online).await;
    let (status, _, _) = act(&server, &mut clerk, online, version(&before), &[("action", "receive")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = server.dossier(&server.token("hongbang.tiepnhan").await, online).await;
    assert_eq!(after["status"], 2);

    // Without a session the pages send to sign-in.
    let (status, _) = visit(&server, &mut Jar::default(), &receipt).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    server.stop().await;
}
on_both_backends!(clerk_receives_at_the_counter);

/// The whole chain through the pages, each role signed in with its own account: assign → appraise → approve →
/// sign → seal → return ends at status 10. Each role is offered only its actions; a stale version is refused
/// with the reload message and changes nothing.
async fn the_staff_chain_through_the_pages(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let id = d["id"].as_str().unwrap().to_string();
    let page_path = format!("/can-bo/ho-so/{id}");

    let mut head = sign_in(&server, "hongbang.truongphong").await;
    let (_, home) = visit(&server, &mut head, "/can-bo").await;
    assert!(home.contains("/can-bo/ho-so?hang=assign"), "{home}");
    let (_, english) = visit(&server, &mut head, &format!("{page_path}?lang=en")).await;
    assert!(english.contains("To assign") || english.contains("Assign"), "{english}");
    assert!(!english.contains("(missing text)") && english.contains(r#"<html lang="en">"#), "{english}");
    let (_, vi) = visit(&server, &mut head, "/can-bo?lang=vi").await;
    assert!(vi.contains("Hồ sơ chờ phân công"), "{vi}");
    let (_, queue) = visit(&server, &mut head, "/can-bo/ho-so?hang=assign").await;
    assert!(queue.contains(&page_path) && queue.contains("làm việc"), "in the queue with its time left: {queue}");
    let (_, page) = visit(&server, &mut head, &page_path).await;
    assert!(page.contains(r#"name="action" value="assign""#) && !page.contains(r#"value="sign""#), "{page}");
    assert!(page.contains("Lê Thị Cúc"), "the ward's specialists to pick from");
    let (status, location, _) =
        act(&server, &mut head, &id, version(&d), &[("action", "assign"), ("assignee", &ward.specialist_id)]).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, format!("{page_path}?tb=assign")));

    // The version the head saw is stale now: refused, with the reload message, and nothing changes.
    let (status, _, page) =
        act(&server, &mut head, &id, version(&d), &[("action", "reassign"), ("assignee", &ward.specialist_id)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Hồ sơ đã được người khác cập nhật, vui lòng tải lại"), "{page}");
    let d = state(&server, &ward.clerk, &id).await;
    assert_eq!(d["assignee"]["id"], ward.specialist_id.as_str());

    let mut specialist = sign_in(&server, "hongbang.chuyenvien").await;
    let (_, page) = visit(&server, &mut specialist, &page_path).await;
    assert!(page.contains(r#"name="action" value="appraise""#) && !page.contains(r#"value="sign""#), "{page}");
    // A refused appraisal keeps what was typed and shows the error by the field.
    let (status, _, page) = act(
        &server,
        &mut specialist,
        &id,
        version(&d),
        &[("action", "appraise"), ("proposal", "result"), ("note", "giữ lại")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"aria-describedby="e-appraise-summary""#) && page.contains("giữ lại"), "{page}");
    let (status, _, _) = act(
        &server,
        &mut specialist,
        &id,
        version(&d),
        &[("action", "appraise"), ("proposal", "result"), ("summary", "Đủ điều kiện cấp giấy chứng nhận")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let d = state(&server, &ward.clerk, &id).await;
    let (_, page) = visit(&server, &mut head, &page_path).await;
    assert!(page.contains(r#"value="approve""#) && page.contains(r#"value="disagree""#), "{page}");
    let (status, _, _) =
        act(&server, &mut head, &id, version(&d), &[("action", "approve"), ("note", "Đồng ý trình ký")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let d = state(&server, &ward.clerk, &id).await;
    let (_, page) = visit(&server, &mut specialist, &page_path).await;
    assert!(!page.contains(r#"name="action" value="sign""#), "a specialist's page does not offer sign");
    assert!(page.contains("Đồng ý trình ký"), "notes show in the history");
    let mut leader = sign_in(&server, "hongbang.lanhdao").await;
    let (_, page) = visit(&server, &mut leader, &page_path).await;
    assert!(page.contains(r#"name="action" value="sign""#), "{page}");
    let (status, _, _) = act(&server, &mut leader, &id, version(&d), &[("action", "sign")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let d = state(&server, &ward.clerk, &id).await;
    let mut records = sign_in(&server, "hongbang.vanthu").await;
    let (status, _, page) = act(&server, &mut records, &id, version(&d), &[("action", "seal"), ("number", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"aria-describedby="e-seal-number""#), "{page}");
    let (status, _, _) =
        act(&server, &mut records, &id, version(&d), &[("action", "seal"), ("number", "15/HKD")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let d = state(&server, &ward.clerk, &id).await;
    assert_eq!(d["status"], 9);
    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (_, desk) = visit(&server, &mut clerk, "/can-bo/tra-ket-qua").await;
    assert!(desk.contains(&format!("/can-bo/ho-so/{id}/thao-tac")), "on the return desk: {desk}");
    let v = version(&d).to_string();
    let csrf = clerk.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("action", "return"),
        ("version", v.as_str()),
        ("method", "counter"),
        ("back", "/can-bo/tra-ket-qua"),
    ];
    let (status, location, _) = post(&server, &mut clerk, &format!("/can-bo/ho-so/{id}/thao-tac"), &form).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/can-bo/tra-ket-qua?tb=return"));
    let d = state(&server, &ward.clerk, &id).await;
    assert_eq!(d["status"], 10, "returned");
    let (_, page) = visit(&server, &mut clerk, &page_path).await;
    assert!(page.contains("Phiếu kiểm soát quá trình giải quyết hồ sơ") && page.contains("Trước hạn"), "{page}");
    let (_, _, slip) = bytes(&server, &mut clerk, &format!("/can-bo/ho-so/{id}/bieu-mau/05")).await;
    assert!(slip.starts_with(b"%PDF"));
    server.stop().await;
}
on_both_backends!(the_staff_chain_through_the_pages);

/// A leader signs several dossiers at once; each is its own action, and the page says what happened to each
/// (a stale one is refused while the others are signed).
async fn a_leader_batch_signs(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let mut ready = Vec::new();
    for id_number in ["031085001234", "031190012345", "031195004321"] {
        let d = server.receive(&ward.clerk, new_dossier("1.001193", HONG_BANG, id_number)).await;
        let proposal = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện"}});
        ready.push(server.act_ok(&ward.specialist, &d, proposal).await);
    }
    let mut leader = sign_in(&server, "hongbang.lanhdao").await;
    let (status, page) = visit(&server, &mut leader, "/can-bo/ky-duyet").await;
    assert_eq!(status, StatusCode::OK);
    for d in &ready {
        assert!(page.contains(&format!("{}:{}", d["id"].as_str().unwrap(), version(d))), "{page}");
    }
    let picks: Vec<String> = ready
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{}:{}", d["id"].as_str().unwrap(), if i == 2 { version(d) - 1 } else { version(d) }))
        .collect();
    let csrf = leader.csrf();
    let mut form = vec![("csrf", csrf.as_str()), ("action", "sign")];
    form.extend(picks.iter().map(|p| ("pick", p.as_str())));
    let (status, _, page) = post(&server, &mut leader, "/can-bo/ky-duyet", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("(2/3)") && page.contains("Hồ sơ đã được người khác cập nhật"), "{page}");
    for (i, d) in ready.iter().enumerate() {
        let after = state(&server, &ward.clerk, d["id"].as_str().unwrap()).await;
        let signed = after["signed"].as_bool().unwrap();
        assert_eq!(signed, i != 2, "{after}");
    }
    let mut specialist = sign_in(&server, "hongbang.chuyenvien").await;
    let (status, _) = visit(&server, &mut specialist, "/can-bo/ky-duyet").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a specialist signs nothing");
    server.stop().await;
}
on_both_backends!(a_leader_batch_signs);

/// The supplement round trip at the counter and the apology, from the dossier page: the specialist asks for a
/// clearer paper (form 02), the clerk scans the new one and hands the supplement in, the leader extends the due
/// date with an apology (form 04).
async fn supplement_and_apology_from_the_dossier_page(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let id = d["id"].as_str().unwrap().to_string();
    let page_path = format!("/can-bo/ho-so/{id}");

    let mut specialist = sign_in(&server, "hongbang.chuyenvien").await;
    let (status, _, page) = act(&server, &mut specialist, &id, version(&d), &[("action", "request_supplement")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "nothing listed");
    assert!(page.contains(r#"aria-describedby="e-request_supplement-items""#), "{page}");
    let fields = [
        ("action", "request_supplement"),
        ("items", "giay_de_nghi"),
        ("reason.giay_de_nghi", "Bản chụp không rõ, đề nghị nộp bản rõ nét"),
    ];
    let (status, _, _) = act(&server, &mut specialist, &id, version(&d), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let d = state(&server, &ward.clerk, &id).await;
    assert_eq!(d["status"], 5);

    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (_, page) = visit(&server, &mut clerk, &page_path).await;
    assert!(page.contains(&format!(r#"href="/can-bo/ho-so/{id}/bieu-mau/02""#)), "form 02 to print: {page}");
    assert!(page.contains(r#"value="attach_paper""#) && page.contains(r#"value="resubmit""#), "{page}");
    let csrf = clerk.csrf();
    let v = version(&d).to_string();
    let fields =
        [("csrf", csrf.as_str()), ("action", "attach_paper"), ("version", v.as_str()), ("component", "giay_de_nghi")];
    let path = format!("/can-bo/ho-so/{id}/thao-tac");
    let (status, _, page) = post_multipart(&server, &mut clerk, &path, &fields, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no file");
    assert!(page.contains(r#"aria-describedby="e-attach_paper-file""#), "{page}");
    let pdf = sample_pdf();
    let files: [(&str, &str, &[u8]); 1] = [("file", "ro-net.pdf", &pdf)];
    let (status, _, _) = post_multipart(&server, &mut clerk, &path, &fields, &files).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let d = state(&server, &ward.clerk, &id).await;
    let (status, _, _) = act(&server, &mut clerk, &id, version(&d), &[("action", "resubmit")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let d = state(&server, &ward.clerk, &id).await;
    assert_eq!(d["status"], 4, "back in process");

    let mut leader = sign_in(&server, "hongbang.lanhdao").await;
    let due = crate::support::instant(&d["due_at"]);
    let later = (due + chrono::TimeDelta::days(3)).with_timezone(&chrono_tz::Asia::Ho_Chi_Minh);
    let new_due = later.format("%Y-%m-%dT%H:%M").to_string();
    let fields = [("action", "extend"), ("new_due", new_due.as_str()), ("reason", "")];
    let (status, _, page) = act(&server, &mut leader, &id, version(&d), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(&format!(r#"value="{new_due}""#)), "the date typed stays: {page}");
    let fields = [("action", "extend"), ("new_due", new_due.as_str()), ("reason", "Cần xác minh thêm")];
    let (status, _, _) = act(&server, &mut leader, &id, version(&d), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = visit(&server, &mut leader, &page_path).await;
    assert!(page.contains(&format!(r#"href="/can-bo/ho-so/{id}/bieu-mau/04""#)), "form 04 to print: {page}");
    let (_, _, pdf) = bytes(&server, &mut leader, &format!("/can-bo/ho-so/{id}/bieu-mau/04")).await;
    assert!(pdf.starts_with(b"%PDF"));
    server.stop().await;
}
on_both_backends!(supplement_and_apology_from_the_dossier_page);

/// A dossier at its consult step (first land registration): the ward's specialist sends the question from the
/// dossier page (only agencies of the step's kind are offered); the land office's specialist finds it in the
/// consult queue and answers, and the dossier moves on.
async fn consultation_through_the_pages(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let d = server.receive(&ward.clerk, new_dossier("1.013978", HONG_BANG, "031085001234")).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let proposal = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện"}});
    let d = server.act_ok(&ward.specialist, &d, proposal).await;
    assert_eq!(d["step"], "cadastre");
    let id = d["id"].as_str().unwrap().to_string();
    let page_path = format!("/can-bo/ho-so/{id}");

    let mut specialist = sign_in(&server, "hongbang.chuyenvien").await;
    let (_, home) = visit(&server, &mut specialist, "/can-bo").await;
    assert!(home.contains("/can-bo/ho-so?hang=consult"), "{home}");
    let (_, page) = visit(&server, &mut specialist, &page_path).await;
    assert!(page.contains(r#"value="consult""#) && page.contains("Văn phòng Đăng ký đất đai"), "{page}");
    assert!(!page.contains(r#"<option value="000.00.30.H26""#), "only agencies of the step's kind: {page}");
    let fields = [("action", "consult"), ("agency", "000.00.25.H26"), ("question", "Đề nghị trích đo địa chính")];
    let (status, _, _) = act(&server, &mut specialist, &id, version(&d), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let d = state(&server, &ward.clerk, &id).await;
    let mut land = sign_in(&server, "datdai.chuyenvien").await;
    let (_, queue) = visit(&server, &mut land, "/can-bo/ho-so?hang=consult").await;
    assert!(queue.contains(&page_path), "in the land office's consult queue: {queue}");
    let (_, page) = visit(&server, &mut land, &page_path).await;
    assert!(page.contains(r#"value="answer""#) && !page.contains(r#"value="consult""#), "{page}");
    let fields = [("action", "answer"), ("answer", "Đã trích đo địa chính"), ("favourable", "yes")];
    let (status, _, _) = act(&server, &mut land, &id, version(&d), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let d = state(&server, &ward.clerk, &id).await;
    assert_eq!(d["step"], "tax", "{d}");
    server.stop().await;
}
on_both_backends!(consultation_through_the_pages);
