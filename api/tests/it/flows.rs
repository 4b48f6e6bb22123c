//! The other ways through the lifecycle (DESIGN.md §5), through HTTP: supplement and resubmission, refusal at
//! reception, stop with reasons, disagreement loops, withdrawal, and inter-agency consultation.

use crate::support::{
    Backend, HONG_BANG, TestServer, Ward, assert_problem, error_fields, hong_bang, instant, new_dossier,
    tuesday_morning,
};
use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A man born in 1985 (see `new_dossier`).
const APPLICANT: &str = "031085001234";
/// A woman born in 1990.
const APPLICANT_F: &str = "031190012345";
/// Police of Hồng Bàng ward and of Lê Chân ward (commune_police), and the city's social insurance.
const LAND_OFFICE: &str = "000.00.25.H26";
const TAX: &str = "000.00.30.H26";

/// A household business registration (1.001612) received and assigned: status 4 at `appraise`.
async fn at_appraisal(server: &TestServer, ward: &Ward) -> Value {
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, APPLICANT)).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("appraise")));
    d
}

fn id(d: &Value) -> &str {
    d["id"].as_str().unwrap()
}

fn kinds(history: &Value) -> Vec<String> {
    history["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

/// (step, outcome) of every control slip row.
fn slip(history: &Value) -> Vec<(String, Option<String>)> {
    history["control_slip"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["step"].as_str().unwrap().to_string(), row["outcome"].as_str().map(str::to_string)))
        .collect()
}

/// The specialist asks once for a supplement listing a component: status 5, the clock stops; the clerk hands
/// the paper in: back to 4 at the same step, and (1.001612 restarts on supplement) the whole legal time runs
/// again from the resubmission. A second request at this stage is refused.
async fn supplement_and_resubmission(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let d = at_appraisal(&server, &ward).await;
    let due_at_reception = instant(&d["due_at"]);

    server.advance(TimeDelta::hours(1));
    let supplement = json!({"action": "request_supplement",
        "items": [{"component": "giay_de_nghi", "reason": "Giấy đề nghị thiếu chữ ký của chủ hộ"}]});
    let other_specialist = server.token("hongbang.chuyenvien2").await;
    assert_problem(&server.act(&other_specialist, &d, supplement.clone()).await, 403, "dossier.not_assignee");
    let d = server.act_ok(&ward.specialist, &d, supplement.clone()).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(5), Some("appraise")));
    assert_eq!(d["supplement"]["items"][0]["component"], "giay_de_nghi");
    assert_eq!(d["supplement"]["resume_to"], 4);
    // Form 02 for the applicant: the missing paper by name, with its reason.
    let form = crate::documents::form_text(&server, &ward.clerk, &d, "02").await;
    for expected in ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Giấy đề nghị thiếu chữ ký của chủ hộ"]
    {
        assert!(form.contains(expected), "form 02 lacks {expected:?}: {form}");
    }
    let intervals = d["clock"]["intervals"].as_array().unwrap();
    assert!(intervals.iter().all(|i| !i["to"].is_null()), "the legal clock is stopped: {intervals:?}");

    // Nothing moves while the dossier waits for the applicant.
    let appraise = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện"}});
    assert_problem(&server.act(&ward.specialist, &d, appraise.clone()).await, 409, "dossier.wrong_status");

    server.advance(TimeDelta::hours(2));
    let resubmit = json!({"action": "resubmit"});
    // The component found wanting needs its new paper first.
    assert_problem(&server.act(&ward.clerk, &d, resubmit.clone()).await, 422, "dossier.missing_component");
    let d = server.attach_new_paper(&ward.clerk, &d, "giay_de_nghi").await;
    assert_eq!(d["components"][0]["digitisation"], 1);
    assert_problem(&server.act(&ward.specialist, &d, resubmit.clone()).await, 403, "dossier.forbidden_role");
    let d = server.act_ok(&ward.clerk, &d, resubmit).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("appraise")));
    assert_eq!(d["assignee"]["id"].as_str(), Some(ward.specialist_id.as_str()), "the same specialist goes on");
    assert!(d["supplement"].is_null());
    let due_after = instant(&d["due_at"]);
    let budget = server.services.calendar.day_length() * 3;
    assert_eq!(due_after, server.services.calendar.add(server.now(), budget), "3 working days from resubmission");
    assert!(due_after > due_at_reception, "{due_after} after {due_at_reception}");

    // Once per stage (Decree 61/2018 Art. 9): a second request is refused.
    assert_problem(&server.act(&ward.specialist, &d, supplement).await, 409, "dossier.supplement_already_requested");
    let d = server.act_ok(&ward.specialist, &d, appraise).await;
    assert_eq!(d["step"], "review");

    let history = server.history(&ward.clerk, id(&d)).await;
    assert_eq!(
        kinds(&history),
        ["submitted", "received", "assigned", "supplement_requested", "paper_attached", "resubmitted", "appraised"]
    );
    let requested = &history["events"][3]["event"]["change"];
    assert_eq!(requested["items"][0]["reason"], "Giấy đề nghị thiếu chữ ký của chủ hộ");
    server.stop().await;
}

/// With `on_supplement = "pause"` (first land registration, 1.013978) the time spent waiting is not counted:
/// the due instant moves later by exactly the working time the dossier waited.
async fn supplement_pauses_the_clock(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let d = server.receive(&ward.clerk, new_dossier("1.013978", HONG_BANG, APPLICANT_F)).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    assert_eq!(d["step"], "appraise");
    let due_before = instant(&d["due_at"]);

    server.advance(TimeDelta::hours(1));
    let d = server
        .act_ok(
            &ward.specialist,
            &d,
            json!({"action": "request_supplement",
                "items": [{"component": "don_dang_ky", "reason": "Đơn đăng ký thiếu chữ ký"}]}),
        )
        .await;
    assert_eq!(d["status"], 5);
    server.advance(TimeDelta::hours(2));
    let d = server.attach_new_paper(&ward.clerk, &d, "don_dang_ky").await;
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "resubmit"})).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("appraise")));
    assert_eq!(instant(&d["due_at"]), due_before + TimeDelta::hours(2), "two working hours of waiting are added");
    server.stop().await;
}

/// An online dossier (status 1) refused at reception with reasons (form 03): status 3, terminal.
async fn refusal_at_reception(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let before = server.writes().await;
    let d = server.submit_online("1.004873", HONG_BANG, APPLICANT_F).await;
    assert_eq!((d["status"].as_u64(), d["channel"].as_str()), (Some(1), Some("online")));
    assert!(d["code"].is_string(), "an online dossier is coded at submission, so the applicant can track it");

    let (status, queue) = server.get("/api/v1/dossiers?status=1&channel=online&limit=200", &ward.clerk).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue["items"].as_array().unwrap().iter().any(|item| item["id"] == d["id"]), "in the reception queue");

    let refuse = json!({"action": "refuse_reception",
        "reasons": ["Hồ sơ không thuộc thẩm quyền giải quyết của phường", "Tờ khai không có chữ ký"],
        "note": "Phiếu từ chối mẫu 03"});
    assert_problem(
        &server.act(&ward.clerk, &d, json!({"action": "refuse_reception", "reasons": []})).await,
        422,
        "dossier.empty_field",
    );
    assert_problem(&server.act(&ward.specialist, &d, refuse.clone()).await, 403, "dossier.forbidden_role");
    let d = server.act_ok(&ward.clerk, &d, refuse).await;
    assert_eq!(d["status"], 3);
    assert!(d["received_at"].is_null() && d["due_at"].is_null(), "a refused dossier is never received: {d}");
    // Form 03 states every reason.
    let form = crate::documents::form_text(&server, &ward.clerk, &d, "03").await;
    for expected in ["Hồ sơ không thuộc thẩm quyền giải quyết của phường", "Tờ khai không có chữ ký"]
    {
        assert!(form.contains(expected), "form 03 lacks {expected:?}: {form}");
    }

    // Terminal: whatever comes next is refused and changes nothing.
    let after_refusal = server.writes().await;
    for action in [
        json!({"action": "receive"}),
        json!({"action": "withdraw", "reason": "Công dân rút hồ sơ"}),
        json!({"action": "request_supplement", "items": [{"reason": "Bổ sung"}]}),
        json!({"action": "refuse_reception", "reasons": ["Lần nữa"]}),
    ] {
        assert_problem(&server.act(&ward.clerk, &d, action).await, 409, "dossier.wrong_status");
    }
    assert_eq!(server.writes().await, after_refusal);
    assert_eq!(
        after_refusal,
        (before.0 + 1, before.1 + 2, before.2 + 4),
        "1 dossier, 2 events; 2 portal syncs and the refusal by mail and SMS"
    );

    let history = server.history(&ward.clerk, id(&d)).await;
    assert_eq!(kinds(&history), ["submitted", "reception_refused"]);
    assert_eq!(history["events"][1]["note"], "Phiếu từ chối mẫu 03");
    assert_eq!(history["events"][1]["event"]["change"]["reasons"][1], "Tờ khai không có chữ ký");
    server.stop().await;
}

/// The agency leader stops processing with reasons (status 8, a reasoned refusal goes to the return desk);
/// returning the refusal letter ends the dossier (status 10).
async fn stop_with_reasons(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let d = at_appraisal(&server, &ward).await;

    let stop = json!({"action": "stop", "reasons": ["Ngành nghề đăng ký thuộc danh mục cấm kinh doanh"]});
    assert_problem(&server.act(&ward.specialist, &d, stop.clone()).await, 403, "dossier.forbidden_role");
    assert_problem(&server.act(&ward.head, &d, stop.clone()).await, 403, "dossier.forbidden_role");
    assert_problem(
        &server.act(&ward.leader, &d, json!({"action": "stop", "reasons": []})).await,
        422,
        "dossier.empty_field",
    );
    assert_problem(
        &server.act(&ward.leader, &d, json!({"action": "stop", "reasons": ["Trùng", "Trùng"]})).await,
        422,
        "dossier.duplicate_item",
    );
    let d = server.act_ok(&ward.leader, &d, stop).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(8), Some("return")));
    assert!(d["completed_at"].is_string() && d["timeliness"].is_string(), "{d}");

    let appraise = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện"}});
    assert_problem(&server.act(&ward.specialist, &d, appraise).await, 409, "dossier.wrong_status");
    assert_problem(
        &server.act(&ward.records, &d, json!({"action": "return", "method": "counter"})).await,
        403,
        "dossier.forbidden_role",
    );

    let d = server.act_ok(&ward.clerk, &d, json!({"action": "return", "method": "counter"})).await;
    assert_eq!(d["status"], 10);
    assert!(d["step"].is_null() && d["returned_at"].is_string());
    assert_problem(
        &server.act(&ward.clerk, &d, json!({"action": "return", "method": "counter"})).await,
        409,
        "dossier.wrong_status",
    );

    let history = server.history(&ward.clerk, id(&d)).await;
    assert_eq!(kinds(&history), ["submitted", "received", "assigned", "stopped", "returned"]);
    assert_eq!(
        history["events"][3]["event"]["change"]["reasons"][0],
        "Ngành nghề đăng ký thuộc danh mục cấm kinh doanh"
    );
    server.stop().await;
}

/// The division head disagrees at review (back to appraisal); later the leader disagrees at signature (back
/// to review). The control slip records both `disagreed` hand-offs, and the dossier still reaches its end.
async fn disagreement_loops(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let d = at_appraisal(&server, &ward).await;
    let appraise = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện cấp"}});

    assert_problem(
        &server.act(&ward.head, &d, json!({"action": "disagree", "reason": "Chưa đến bước xem xét"})).await,
        409,
        "dossier.wrong_step",
    );
    let d = server.act_ok(&ward.specialist, &d, appraise.clone()).await;
    assert_eq!(d["step"], "review");
    assert_problem(
        &server.act(&ward.specialist, &d, json!({"action": "disagree", "reason": "Không đồng ý"})).await,
        403,
        "dossier.forbidden_role",
    );
    assert_problem(
        &server.act(&ward.head, &d, json!({"action": "disagree", "reason": " "})).await,
        422,
        "dossier.empty_field",
    );
    let d = server.act_ok(&ward.head, &d, json!({"action": "disagree", "reason": "Thiếu căn cứ pháp lý"})).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("appraise")));

    let d = server.act_ok(&ward.specialist, &d, appraise).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "approve"})).await;
    assert_eq!(d["step"], "sign");
    let d = server.act_ok(&ward.leader, &d, json!({"action": "disagree", "reason": "Sửa lại trích yếu"})).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("review")));
    let d = server.act_ok(&ward.head, &d, json!({"action": "approve"})).await;
    let d = server.act_ok(&ward.leader, &d, json!({"action": "sign"})).await;
    let d = server.act_ok(&ward.records, &d, json!({"action": "seal", "number": "21/HKD"})).await;
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "return", "method": "counter"})).await;
    assert_eq!(d["status"], 10);

    let history = server.history(&ward.head, id(&d)).await;
    let step = |s: &str, o: &str| (s.to_string(), Some(o.to_string()));
    assert_eq!(
        slip(&history),
        [
            step("receive", "received"),
            step("assign", "assigned"),
            step("appraise", "appraised"),
            step("review", "disagreed"),
            step("appraise", "appraised"),
            step("review", "approved"),
            step("sign", "disagreed"),
            step("review", "approved"),
            step("sign", "signed"),
            step("seal", "sealed"),
            step("return", "returned"),
        ]
    );
    let reasons: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "disagreed")
        .map(|e| e["event"]["change"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["Thiếu căn cứ pháp lý", "Sửa lại trích yếu"]);
    server.stop().await;
}

/// The clerk withdraws dossiers on the applicant's behalf: one submitted online (1 -> 7) and one waiting for
/// a supplement (5 -> 7). A dossier in process cannot be withdrawn; a withdrawn one is closed.
async fn withdrawal(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let withdraw = json!({"action": "withdraw", "reason": "Công dân đề nghị rút hồ sơ"});

    let online = server.submit_online("1.001193", HONG_BANG, APPLICANT_F).await;
    assert_problem(
        &server.act(&ward.clerk, &online, json!({"action": "withdraw", "reason": ""})).await,
        422,
        "dossier.empty_field",
    );
    assert_problem(&server.act(&ward.specialist, &online, withdraw.clone()).await, 403, "dossier.forbidden_role");
    let online = server.act_ok(&ward.clerk, &online, withdraw.clone()).await;
    assert_eq!(online["status"], 7);
    assert_problem(&server.act(&ward.clerk, &online, json!({"action": "receive"})).await, 409, "dossier.wrong_status");

    let d = at_appraisal(&server, &ward).await;
    assert_problem(&server.act(&ward.clerk, &d, withdraw.clone()).await, 409, "dossier.wrong_status");
    let d = server
        .act_ok(
            &ward.specialist,
            &d,
            json!({"action": "request_supplement", "items": [{"component": "giay_de_nghi", "reason": "Bản chụp mờ"}]}),
        )
        .await;
    assert_eq!(d["status"], 5);
    let d = server.act_ok(&ward.clerk, &d, withdraw).await;
    assert_eq!(d["status"], 7);
    assert!(d["step"].is_null(), "a withdrawn dossier leaves the flow: {d}");
    assert_problem(&server.act(&ward.clerk, &d, json!({"action": "resubmit"})).await, 409, "dossier.wrong_status");
    let history = server.history(&ward.clerk, id(&d)).await;
    assert_eq!(kinds(&history).last().map(String::as_str), Some("withdrawn"));
    server.stop().await;
}

/// First land registration (1.013978) consults the land registration office (cadastre) and then the tax
/// authority. Each consulted agency's specialist answers; an agency sees the dossier only once it is consulted,
/// and keeps seeing it afterwards.
async fn consultation_of_other_agencies(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ward = hong_bang(&server).await;
    let land = server.token("datdai.chuyenvien").await;
    let tax = server.token("thue.chuyenvien").await;

    let d = server.receive(&ward.clerk, new_dossier("1.013978", HONG_BANG, APPLICANT_F)).await;
    let path = format!("/api/v1/dossiers/{}", id(&d));
    assert_problem(&server.get(&path, &land).await, 404, "dossier.not_found");
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let d = server
        .act_ok(
            &ward.specialist,
            &d,
            json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện"}}),
        )
        .await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("cadastre")));
    assert_problem(
        &server.act(&land, &d, json!({"action": "answer", "answer": "Đã đo đạc", "favourable": true})).await,
        404,
        "dossier.not_found",
    );
    assert_problem(
        &server
            .act(&ward.specialist, &d, json!({"action": "answer", "answer": "Tự trả lời", "favourable": true}))
            .await,
        409,
        "dossier.not_consulted",
    );

    let ask = |agency: &str| json!({"action": "consult", "agency": agency, "question": "Đề nghị trích đo địa chính thửa đất"});
    assert_problem(&server.act(&ward.specialist, &d, ask(TAX)).await, 422, "dossier.wrong_consulted_agency");
    let unknown = server.act(&ward.specialist, &d, ask("000.99.99.H26")).await;
    assert_problem(&unknown, 422, "request.invalid");
    assert_eq!(error_fields(&unknown.1), ["agency"]);
    let d = server.act_ok(&ward.specialist, &d, ask(LAND_OFFICE)).await;
    assert_eq!(d["consultation"]["agency"], LAND_OFFICE);
    assert_eq!(d["step"], "cadastre", "the step waits for the answer");
    assert_problem(&server.act(&ward.specialist, &d, ask(LAND_OFFICE)).await, 409, "dossier.awaiting_answer");

    // The consulted office now sees it, in its queue too; the tax authority, not yet consulted, does not.
    assert_eq!(server.dossier(&land, id(&d)).await["id"], d["id"]);
    let (status, queue) = server.get("/api/v1/dossiers", &land).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue["items"].as_array().unwrap().iter().any(|item| item["id"] == d["id"]), "{queue}");
    assert_problem(&server.get(&path, &tax).await, 404, "dossier.not_found");
    let answer = json!({"action": "answer", "answer": "Đã trích đo địa chính", "favourable": true});
    assert_problem(&server.act(&tax, &d, answer.clone()).await, 404, "dossier.not_found");
    assert_problem(&server.act(&ward.specialist, &d, answer.clone()).await, 403, "dossier.wrong_agency");

    let d = server.act_ok(&land, &d, answer).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("tax")));
    assert_eq!(d["consultation"]["answer"], "Đã trích đo địa chính");
    assert_eq!(server.dossier(&land, id(&d)).await["step"], "tax", "still visible once answered");

    let d = server.act_ok(&ward.specialist, &d, ask(TAX)).await;
    let d = server
        .act_ok(&tax, &d, json!({"action": "answer", "answer": "Đã xác định nghĩa vụ tài chính", "favourable": true}))
        .await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("pay")));
    assert_eq!(server.dossier(&land, id(&d)).await["step"], "pay", "the office was consulted: it keeps sight of it");

    let history = server.history(&land, id(&d)).await;
    let answers: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "consult_answered")
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(answers, ["Phan Thị Xuân", "Quách Văn Thịnh"], "each consulted agency's specialist answered");
    server.stop().await;
}

on_both_backends!(
    supplement_and_resubmission,
    supplement_pauses_the_clock,
    refusal_at_reception,
    stop_with_reasons,
    disagreement_loops,
    withdrawal,
    consultation_of_other_agencies,
);
