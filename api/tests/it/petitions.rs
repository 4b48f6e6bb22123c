//! Petitions (phản ánh, kiến nghị; issue 17) through the API on both databases: filed by anyone with a contact,
//! followed by code and contact, accepted, asked for more information, assigned, answered, rated and published
//! with the portal's simulator holding every status; bad input refused with nothing stored; petitions routed from
//! the portal; and the two Decision 766 petition indicators counted from known petitions.

use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::portal::{drain, portal_outside, start_portal};
use crate::support::{
    Backend, HONG_BANG, Launch, ManualClock, TestServer, assert_problem, error_fields, hong_bang, tuesday_morning,
};

on_both_backends!(
    a_petition_goes_from_filing_to_published_answer_with_the_portal_holding_each_status,
    bad_petitions_are_refused_whole_and_store_nothing,
    the_petition_indicators_count_known_petitions,
    petitions_routed_from_the_portal_are_filed_once,
);

const PHONE: &str = "0912 345 678";

fn petition(title: &str) -> Value {
    json!({
        "agency": HONG_BANG,
        "subject": "conduct",
        "title": title,
        "content": "Tôi nộp hồ sơ đăng ký khai sinh đã quá hẹn mà chưa nhận được kết quả.",
        "name": "Nguyễn Thị Hoa",
        "phone": PHONE,
    })
}

async fn file(server: &TestServer, body: Value) -> (StatusCode, Value) {
    server.send(Method::POST, "/api/v1/petitions", None, Some(body), &[]).await
}

async fn filed(server: &TestServer, title: &str) -> Value {
    let (status, tracking) = file(server, petition(title)).await;
    assert_eq!(status, StatusCode::CREATED, "{tracking}");
    tracking
}

/// `code=…&contact=…`, encoded.
fn follow(code: &str, contact: &str) -> String {
    let url = reqwest::Url::parse_with_params("http://localhost/", &[("code", code), ("contact", contact)]).unwrap();
    url.query().unwrap().to_string()
}

async fn track(server: &TestServer, code: &str, contact: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/petitions/track?{}", follow(code, contact));
    server.send(Method::GET, &path, None, None, &[]).await
}

async fn respond(server: &TestServer, code: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/petitions/track/responses?{}", follow(code, PHONE));
    server.send(Method::POST, &path, None, Some(body), &[]).await
}

/// The staff view of the petition of `code`, found in `token`'s queue (any status).
async fn staff_view(server: &TestServer, token: &str, code: &str) -> Value {
    let statuses = "filed,accepted,information_requested,answered,published,rejected";
    let (status, page) = server.get(&format!("/api/v1/petitions?status={statuses}&limit=200"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("{code} in {page}"))
}

async fn act(server: &TestServer, token: &str, petition: &Value, action: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/petitions/{}/actions", petition["id"].as_str().unwrap());
    let version = petition["version"].to_string();
    server.send(Method::POST, &path, Some(token), Some(action), &[("If-Match", &version)]).await
}

async fn act_ok(server: &TestServer, token: &str, petition: &Value, action: Value) -> Value {
    let (status, answer) = act(server, token, petition, action.clone()).await;
    assert_eq!(status, StatusCode::OK, "{action}: {answer}");
    answer
}

/// The SMS queued for the petitioner of `code`, oldest first (their payloads).
async fn sms_to_petitioner(server: &TestServer, code: &str) -> Vec<Value> {
    server.outbox_payloads("notify.sms", &format!("(SELECT id FROM petitions WHERE code = '{code}')")).await
}

async fn a_petition_goes_from_filing_to_published_answer_with_the_portal_holding_each_status(backend: Backend) {
    let portal = start_portal();
    let clock = ManualClock::at(&tuesday_morning().to_rfc3339());
    let launch = Launch { clock: Some(clock), outside: portal_outside(&portal), ..Launch::default() };
    let server = TestServer::launch(backend, launch).await;
    let ward = hong_bang(&server).await;

    let tracking = filed(&server, "Chậm trả kết quả khai sinh").await;
    let code = tracking["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("PA-000.31.01.H26-261124-"), "{code}");
    assert_eq!(tracking["status"], "filed");
    // Filed Tuesday 08:00: decide by Thursday 08:00, answer within 15 working days (Tuesday 15 December).
    assert_eq!(tracking["decision_due_at"], "2026-11-26T01:00:00Z");
    assert_eq!(tracking["answer_due_at"], "2026-12-15T01:00:00Z");

    // The code alone tells nothing; with the contact as typed in any form, the petition.
    assert_problem(&track(&server, &code, "0987654321").await, 404, "petition.not_found");
    assert_problem(&track(&server, &code, "").await, 404, "petition.not_found");
    let (status, seen) = track(&server, &code, "+84912345678").await;
    assert_eq!((status, &seen["code"]), (StatusCode::OK, &json!(code)));

    // Another ward's staff do not see it; the clerk accepts it, a stale version is refused.
    let le_chan = server.token("lechan.tiepnhan").await;
    let (status, queue) = server.get("/api/v1/petitions", &le_chan).await;
    assert!(
        status == StatusCode::OK && queue["items"].as_array().unwrap().iter().all(|p| p["code"] != code),
        "{queue}"
    );
    let p = staff_view(&server, &ward.clerk, &code).await;
    let (status, _) = server.get(&format!("/api/v1/petitions/{}", p["id"].as_str().unwrap()), &le_chan).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let accepted = act_ok(&server, &ward.clerk, &p, json!({"action": "accept"})).await;
    assert_eq!((accepted["status"].as_str(), accepted["classification"].as_str()), (Some("accepted"), Some("conduct")));
    assert_problem(&act(&server, &ward.clerk, &p, json!({"action": "accept"})).await, 409, "petition.stale_version");
    assert_problem(
        &act(&server, &ward.specialist, &accepted, json!({"action": "answer", "text": "Trả lời"})).await,
        403,
        "petition.not_assignee",
    );

    // More information asked on Wednesday, given on Friday: the answer's due moves by the two working days paused.
    server.advance(TimeDelta::days(1));
    let asked = act_ok(
        &server,
        &ward.clerk,
        &accepted,
        json!({"action": "request_information", "question": "Xin cho biết mã hồ sơ."}),
    )
    .await;
    assert_eq!(asked["status"], "information_requested");
    assert!(asked.get("answer_due_at").is_none(), "no due while paused: {asked}");
    server.advance(TimeDelta::days(2));
    let (status, told) = respond(
        &server,
        &code,
        json!({"action": "provide_information", "reply": "Mã hồ sơ 000.31.01.H26-261120-0001"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{told}");
    assert_eq!(
        (told["status"].as_str(), told["answer_due_at"].as_str()),
        (Some("accepted"), Some("2026-12-17T01:00:00Z"))
    );
    assert_problem(
        &respond(&server, &code, json!({"action": "rate", "satisfied": true})).await,
        409,
        "petition.wrong_status",
    );

    // The head assigns the specialist, who answers; the petitioner is not satisfied; the leader publishes.
    let p = staff_view(&server, &ward.head, &code).await;
    let assigned = act_ok(&server, &ward.head, &p, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let answer = "Hồ sơ đã có kết quả ngày 27/11, mời bà đến nhận tại bộ phận một cửa.";
    let answered = act_ok(&server, &ward.specialist, &assigned, json!({"action": "answer", "text": answer})).await;
    assert_eq!((answered["status"].as_str(), answered["timeliness"].as_str()), (Some("answered"), Some("early")));
    let (status, rated) =
        respond(&server, &code, json!({"action": "rate", "satisfied": false, "comment": "Chưa nhận được kết quả"}))
            .await;
    assert_eq!(
        (status, rated["satisfied"].as_bool(), rated["may_rate"].as_bool()),
        (StatusCode::OK, Some(false), Some(false))
    );
    assert_problem(
        &respond(&server, &code, json!({"action": "rate", "satisfied": true})).await,
        409,
        "petition.already_rated",
    );
    let latest = staff_view(&server, &ward.leader, &code).await;
    let published = act_ok(&server, &ward.leader, &latest, json!({"action": "publish"})).await;
    assert_eq!(published["status"], "published");

    // Anyone finds the answer, by words with or without accents, and no personal data with it.
    let (status, found) =
        server.send(Method::GET, "/api/v1/petitions/published?q=CHAM%20tra%20ket%20qua", None, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let items = found["items"].as_array().unwrap();
    assert_eq!((items.len(), &items[0]["code"], &items[0]["answer"]), (1, &json!(code), &json!(answer)));
    let text = found.to_string();
    assert!(!text.contains("Nguyễn Thị Hoa") && !text.contains("0912"), "{text}");
    let (_, none) = server.send(Method::GET, "/api/v1/petitions/published?q=hokhau", None, None, &[]).await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));

    // The history is chained; the portal holds every status in order, with the answer once published.
    let (status, history) =
        server.get(&format!("/api/v1/petitions/{}/history", p["id"].as_str().unwrap()), &ward.head).await;
    let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["change"]["type"].as_str().unwrap()).collect();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        kinds,
        [
            "filed",
            "accepted",
            "information_requested",
            "information_provided",
            "assigned",
            "answered",
            "rated",
            "published"
        ]
    );
    // The petitioner was told by SMS (she gave a mobile number) when asked for information and when answered,
    // each with the follow page's link; the answer quoted.
    let told = sms_to_petitioner(&server, &code).await;
    let kinds: Vec<&str> = told.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["petition_information_requested", "petition_answered"]);
    let link = format!("/phan-anh-kien-nghi/theo-doi?ma={code}");
    assert!(told.iter().all(|m| m["text"].as_str().unwrap().contains(&link)), "{told:?}");
    assert!(told[1]["text"].as_str().unwrap().contains("Ho so da co ket qua ngay 27/11"), "unaccented: {told:?}");
    drain(&server).await;
    let desk: Value = reqwest::get(format!("{}/_sim/petitions", portal.url)).await.unwrap().json().await.unwrap();
    assert_eq!(desk["refusals"], json!([]), "{desk}");
    let held = &desk["petitions"][0];
    assert_eq!(held["statuses"], json!([1, 2, 3, 2, 4, 5]), "{desk}");
    assert_eq!(
        (held["message"]["DanhGia"].as_u64(), held["message"]["NoiDungTraLoi"].as_str()),
        (Some(2), Some(answer))
    );
    assert!(!held["message"].to_string().contains("0912"), "no contact leaves for the portal");
    server.stop().await;
    portal.stop().await;
}

async fn bad_petitions_are_refused_whole_and_store_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let stored = || async {
        (server.count("petitions").await, server.count("petition_events").await, server.count("outbox").await)
    };
    let before = stored().await;
    let mut nothing = petition("Không liên lạc được");
    nothing.as_object_mut().unwrap().remove("phone");
    let answer = file(&server, nothing).await;
    assert_problem(&answer, 422, "request.invalid");
    assert_eq!(error_fields(&answer.1), ["phone"]);

    let mut bad = petition(&"Dài ".repeat(2_500));
    bad["phone"] = json!("12345");
    bad["email"] = json!("khong-phai-thu");
    bad["agency"] = json!("000.99.99.H26");
    bad["dossier_code"] = json!("000.31.01.H26-991231-9999");
    bad["procedure_code"] = json!("9.999999");
    bad["repeats"] = json!("PA-000.31.01.H26-261124-9999");
    let answer = file(&server, bad).await;
    assert_problem(&answer, 422, "request.invalid");
    let mut fields = error_fields(&answer.1);
    fields.sort();
    assert_eq!(
        fields,
        ["agency", "dossier_code", "email", "phone", "procedure_code", "repeats", "title"],
        "{}",
        answer.1
    );

    let answer = file(&server, petition(&"Tiêu đề quá dài ".repeat(700))).await;
    assert_problem(&answer, 422, "request.invalid");
    assert_eq!(error_fields(&answer.1), ["title"]);
    let mut content = petition("Nội dung quá dài");
    content["content"] = json!("ắ".repeat(10_001));
    assert_eq!(error_fields(&file(&server, content).await.1), ["content"]);
    let mut unknown = petition("Trường lạ");
    unknown["priority"] = json!(1);
    assert_problem(&file(&server, unknown).await, 400, "request.malformed");
    let mut subject = petition("Chủ đề lạ");
    subject["subject"] = json!("weather");
    assert_problem(&file(&server, subject).await, 400, "request.malformed");
    assert_eq!(stored().await, before, "nothing stored");

    // Staff actions with bad input change nothing either.
    let ward = hong_bang(&server).await;
    let code = filed(&server, "Thái độ phục vụ").await["code"].as_str().unwrap().to_string();
    let p = staff_view(&server, &ward.clerk, &code).await;
    let versions = server.count("petition_events").await;
    assert_problem(
        &act(&server, &ward.clerk, &p, json!({"action": "reject", "reason": "  "})).await,
        422,
        "request.invalid",
    );
    assert_problem(&act(&server, &ward.clerk, &p, json!({"action": "publish"})).await, 409, "petition.wrong_status");
    assert_problem(
        &act(&server, &ward.clerk, &p, json!({"action": "assign", "assignee": ward.specialist_id})).await,
        403,
        "petition.forbidden_role",
    );
    let accepted = act_ok(&server, &ward.head, &p, json!({"action": "accept"})).await;
    let answer = act(&server, &ward.head, &accepted, json!({"action": "assign", "assignee": "no-such-staff"})).await;
    assert_problem(&answer, 422, "request.invalid");
    let (status, _) = server
        .send(
            Method::POST,
            &format!("/api/v1/petitions/{}/actions", p["id"].as_str().unwrap()),
            Some(&ward.head),
            Some(json!({"action": "publish"})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "If-Match is required");
    assert_eq!(server.count("petition_events").await, versions + 1, "only the acceptance was stored");
    server.stop().await;
}

/// The scored figure of `code` as (numerator, denominator, points).
fn indicator(card: &Value, code: &str) -> (u64, u64, u64) {
    let i = card["scorecard"]["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap();
    (
        i["figure"]["numerator"].as_u64().unwrap(),
        i["figure"]["denominator"].as_u64().unwrap(),
        i["points"].as_u64().unwrap(),
    )
}

async fn the_petition_indicators_count_known_petitions(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let card_path = format!("/api/v1/reports/scorecard?agency={HONG_BANG}&period=2026-11");
    let (status, card) = server.get(&card_path, &ward.leader).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert_eq!(indicator(&card, "PETITION_PROCESSING_ON_TIME"), (0, 0, 600), "none: full marks");
    assert_eq!(indicator(&card, "PETITION_HANDLING_SATISFACTION"), (0, 0, 600));

    // A answered on time and satisfied; B answered on time, not satisfied; C still within its time; D rejected
    // after the two working days.
    let mut by_title = std::collections::BTreeMap::new();
    for title in ["A", "B", "C", "D"] {
        let code = filed(&server, &format!("Phản ánh {title}")).await["code"].as_str().unwrap().to_string();
        by_title.insert(title, code);
    }
    for title in ["A", "B"] {
        let p = staff_view(&server, &ward.head, &by_title[title]).await;
        let p = act_ok(&server, &ward.head, &p, json!({"action": "accept"})).await;
        act_ok(&server, &ward.head, &p, json!({"action": "answer", "text": format!("Trả lời {title}")})).await;
    }
    let rate = |title: &str, satisfied: bool| {
        let path = format!("/api/v1/petitions/track/responses?{}", follow(&by_title[title], PHONE));
        let server = &server;
        async move {
            server.send(Method::POST, &path, None, Some(json!({"action": "rate", "satisfied": satisfied})), &[]).await
        }
    };
    assert_eq!(rate("A", true).await.0, StatusCode::OK);
    assert_eq!(rate("B", false).await.0, StatusCode::OK);
    server.advance(TimeDelta::days(3));
    let d = staff_view(&server, &ward.clerk, &by_title["D"]).await;
    let rejected =
        act_ok(&server, &ward.clerk, &d, json!({"action": "reject", "reason": "Không thuộc thẩm quyền"})).await;
    assert_eq!(rejected["timeliness"], "late");
    let told = sms_to_petitioner(&server, &by_title["D"]).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["kind"], "petition_rejected");
    assert!(told[0]["text"].as_str().unwrap().contains("Ly do: Khong thuoc tham quyen"), "{told:?}");

    let (_, card) = server.get(&card_path, &ward.leader).await;
    // Of the four filed, A and B handled on time and C within its time: 3/4 of 6 points.
    assert_eq!(indicator(&card, "PETITION_PROCESSING_ON_TIME"), (3, 4, 450));
    // Of the three handled, B not satisfied and D late: 1/3.
    assert_eq!(indicator(&card, "PETITION_HANDLING_SATISFACTION"), (1, 3, 200));

    // E complains again about A's answer: A now counts against the agency too.
    let mut again = petition("Phản ánh lại A");
    again["repeats"] = json!(by_title["A"]);
    assert_eq!(file(&server, again).await.0, StatusCode::CREATED);
    let (_, card) = server.get(&card_path, &ward.leader).await;
    assert_eq!(indicator(&card, "PETITION_HANDLING_SATISFACTION"), (0, 3, 0));
    assert_eq!(indicator(&card, "PETITION_PROCESSING_ON_TIME"), (4, 5, 480));
    // Another ward's scorecard holds none of them.
    let (_, other) = server
        .get(
            &format!("/api/v1/reports/scorecard?agency={}&period=2026-11", crate::support::LE_CHAN),
            &server.token("admin").await,
        )
        .await;
    assert_eq!(indicator(&other, "PETITION_PROCESSING_ON_TIME"), (0, 0, 600), "{other}");

    // A petition about a dossier names the officer it was assigned to. The leader's month counts the petitions
    // per agency (the scorecard's parts) and per officer named; a specialist may not see it; no month, no answer.
    let d = server.receive(&ward.clerk, crate::support::new_dossier("1.001612", HONG_BANG, "031090012388")).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let mut about = petition("Cán bộ hẹn lại nhiều lần");
    about["dossier_code"] = d["code"].clone();
    assert_eq!(file(&server, about).await.0, StatusCode::CREATED);
    let (status, summary) = server.get("/api/v1/petitions/summary?month=2026-11", &ward.leader).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let parts = |row: &Value| {
        ["received", "received_handled_in_time", "received_open_in_time", "handled", "handled_lost"]
            .map(|k| row[k].as_u64().unwrap())
    };
    let rows = summary["by_agency"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{summary}");
    assert_eq!((rows[0]["id"].as_str(), parts(&rows[0])), (Some(HONG_BANG), [6, 2, 3, 3, 3]));
    let officers = summary["by_officer"].as_array().unwrap();
    assert_eq!(officers.len(), 1, "{summary}");
    assert_eq!(officers[0]["id"], json!(ward.specialist_id));
    assert!(!officers[0]["name"].as_str().unwrap().is_empty());
    assert_eq!(parts(&officers[0]), [1, 0, 1, 0, 0]);
    let (status, _) = server.get("/api/v1/petitions/summary?month=2026-11", &ward.specialist).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let refused = server.get("/api/v1/petitions/summary?month=2026-13", &ward.leader).await;
    assert_problem(&refused, 422, "request.invalid");
    let le_chan_leader = server.token("lechan.lanhdao").await;
    let (_, theirs) = server.get("/api/v1/petitions/summary?month=2026-11", &le_chan_leader).await;
    assert_eq!(theirs["by_agency"], json!([]), "another ward's leader sees none of them");
    server.stop().await;
}

async fn petitions_routed_from_the_portal_are_filed_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let portal = server.service_token("dvcqg", &["portal"]);
    let post = |body: Value, token: String| {
        let server = &server;
        async move { server.send(Method::POST, "/api/v1/portal/petitions", Some(&token), Some(body), &[]).await }
    };
    let routed = json!({"portal_id": "PAKN-2026-000123", "petition": petition("Phản ánh từ Cổng")});
    let (status, first) = post(routed.clone(), portal.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!((first["channel"].as_str(), first["portal_id"].as_str()), (Some("portal"), Some("PAKN-2026-000123")));
    let (status, again) = post(routed, portal.clone()).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &first["id"]));
    assert_eq!(server.count("petitions").await, 1);
    let mut anonymous = petition("Không có liên lạc");
    anonymous.as_object_mut().unwrap().remove("phone");
    assert_problem(
        &post(json!({"portal_id": "PAKN-2026-000124", "petition": anonymous}), portal.clone()).await,
        422,
        "request.invalid",
    );
    let other = server.service_token("so-tu-phap", &["repository"]);
    let answer = post(json!({"portal_id": "PAKN-2026-000125", "petition": petition("X")}), other).await;
    assert_problem(&answer, 403, "portal.forbidden_scope");
    assert_eq!(server.count("petitions").await, 1, "nothing more stored");
    server.stop().await;
}

/// The pages: anyone files through the form (errors shown next to their fields, what was typed kept) and
/// follows the petition; the clerk accepts it and the head answers from the staff pages; the petitioner rates
/// the answer on the follow page; the published answer is listed for everyone.
async fn petitions_through_the_pages(backend: Backend) {
    use crate::support::pages::{Jar, post, sign_in, visit};
    let server = TestServer::start(backend).await;
    let mut anyone = Jar::checking();
    let (status, form) = visit(&server, &mut anyone, "/phan-anh-kien-nghi/gui?ho-so=&thu-tuc=1.001193").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"thu-tuc\" value=\"1.001193\""), "the procedure it came from is kept");
    let csrf = anyone.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("noi-dung-ve", "procedure"),
        ("co-quan", HONG_BANG),
        ("tieu-de", "Thủ tục khai sinh yêu cầu giấy tờ không cần thiết"),
        ("noi-dung", "Cán bộ yêu cầu nộp bản sao sổ hộ khẩu dù đã bỏ."),
        ("ho-ten", "Trần Văn Bình"),
        ("thu-tuc", "1.001193"),
    ];
    let (status, _, page) = post(&server, &mut anyone, "/phan-anh-kien-nghi/gui", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"e-phone\"") && page.contains("Trần Văn Bình"),
        "the error by its field, the input kept"
    );
    fields.push(("dien-thoai", "0987 654 321"));
    let (status, _, page) = post(&server, &mut anyone, "/phan-anh-kien-nghi/gui", &fields).await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    let start = page.find("PA-000.31.01.H26-").expect("the code is shown");
    let code: String =
        page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-')).collect();
    let page_query = |code: &str, contact: &str| {
        let url = reqwest::Url::parse_with_params("http://localhost/", &[("ma", code), ("lien-he", contact)]).unwrap();
        url.query().unwrap().to_string()
    };
    let follow_path = format!("/phan-anh-kien-nghi/theo-doi?{}", page_query(&code, "0987654321"));
    let (status, page) = visit(&server, &mut anyone, &follow_path).await;
    assert!(status == StatusCode::OK && page.contains("Chờ xem xét"), "{page}");
    let (status, _) =
        visit(&server, &mut anyone, &format!("/phan-anh-kien-nghi/theo-doi?{}", page_query(&code, "0900000000"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The clerk's queue lists it; the clerk accepts it, the head answers it.
    let mut clerk = sign_in(&server, "hongbang.tiepnhan").await;
    let (_, queue) = visit(&server, &mut clerk, "/can-bo/phan-anh").await;
    let at = queue.find(&code).expect("in the clerk's queue");
    let id_start = queue[..at].rfind("/can-bo/phan-anh/").unwrap() + "/can-bo/phan-anh/".len();
    let id: String = queue[id_start..].chars().take_while(|c| *c != '"').collect();
    let page_path = format!("/can-bo/phan-anh/{id}");
    let (status, page) = visit(&server, &mut clerk, &page_path).await;
    assert!(
        status == StatusCode::OK && page.contains("value=\"accept\"") && !page.contains("value=\"answer\""),
        "{page}"
    );
    let csrf = clerk.csrf();
    let act_path = format!("{page_path}/thao-tac");
    let (status, location, _) =
        post(&server, &mut clerk, &act_path, &[("csrf", &csrf), ("version", "1"), ("action", "accept")]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, page_path.as_str()));
    let (status, _, page) =
        post(&server, &mut clerk, &act_path, &[("csrf", &csrf), ("version", "1"), ("action", "accept")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version is refused on the page too: {page}");
    let mut head = sign_in(&server, "hongbang.truongphong").await;
    let csrf = head.csrf();
    let answer = "Đã chấn chỉnh, hồ sơ khai sinh không yêu cầu sổ hộ khẩu.";
    let empty = [("csrf", csrf.as_str()), ("version", "2"), ("action", "answer"), ("text", " ")];
    let (status, _, page) = post(&server, &mut head, &act_path, &empty).await;
    assert!(status == StatusCode::UNPROCESSABLE_ENTITY && page.contains("id=\"e-text\""), "{page}");
    let fields = [("csrf", csrf.as_str()), ("version", "2"), ("action", "answer"), ("text", answer)];
    assert_eq!(post(&server, &mut head, &act_path, &fields).await.0, StatusCode::SEE_OTHER);
    let fields = [("csrf", csrf.as_str()), ("version", "3"), ("action", "publish")];
    assert_eq!(post(&server, &mut head, &act_path, &fields).await.0, StatusCode::SEE_OTHER);

    // The petitioner reads the answer and rates it; the list shows it to everyone.
    let (_, page) = visit(&server, &mut anyone, &follow_path).await;
    assert!(page.contains(answer) && page.contains("name=\"hai-long\""), "{page}");
    let csrf = anyone.csrf();
    let rate = [
        ("csrf", csrf.as_str()),
        ("ma", code.as_str()),
        ("lien-he", "0987654321"),
        ("thao-tac", "danh-gia"),
        ("hai-long", "co"),
    ];
    let (status, _, page) = post(&server, &mut anyone, "/phan-anh-kien-nghi/theo-doi", &rate).await;
    assert!(status == StatusCode::OK && page.contains("Hài lòng") && !page.contains("name=\"hai-long\""), "{page}");
    let (status, list) = visit(&server, &mut anyone, "/phan-anh-kien-nghi?q=ho%20khau").await;
    assert!(status == StatusCode::OK && list.contains(answer) && !list.contains("Trần Văn Bình"), "{list}");

    // The head sees the month per agency (the queue links there); the clerk does not; a month that is none is
    // refused beside its field.
    let (_, queue) = visit(&server, &mut head, "/can-bo/phan-anh").await;
    assert!(queue.contains("href=\"/can-bo/phan-anh/tong-hop\""), "{queue}");
    let (_, queue) = visit(&server, &mut clerk, "/can-bo/phan-anh").await;
    assert!(!queue.contains("/can-bo/phan-anh/tong-hop"), "{queue}");
    let (status, summary) = visit(&server, &mut head, "/can-bo/phan-anh/tong-hop").await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert!(summary.contains("<th scope=\"row\">Ủy ban nhân dân phường Hồng Bàng</th><td>1</td>"), "{summary}");
    assert_eq!(visit(&server, &mut clerk, "/can-bo/phan-anh/tong-hop").await.0, StatusCode::FORBIDDEN);
    let (status, refused) = visit(&server, &mut head, "/can-bo/phan-anh/tong-hop?thang=2026-13").await;
    assert!(status == StatusCode::UNPROCESSABLE_ENTITY && refused.contains("href=\"#f-thang\""), "{refused}");
    server.stop().await;
}
on_both_backends!(petitions_through_the_pages);
