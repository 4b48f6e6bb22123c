//! Notifications to applicants (DESIGN.md §10) through the outbox, with the mail relay (a real SMTP server on
//! loopback) and the SMS gateway simulated in-process: what is said, that it arrives once and in order when the
//! counterparts fail for a while or lose their answers, and that the dossier shows it all.

use std::net::TcpListener;
use std::time::Duration;

use crate::support::{
    Backend, HONG_BANG, LE_CHAN, Launch, ManualClock, TestServer, hong_bang, instant, new_dossier, tuesday_morning,
};
use chrono::{DateTime, TimeDelta, Utc};
use motcua_api::sim::{self, Running, mail::MailSim, mail::Received};
use motcua_engine::adapters::outside::{Endpoint, Outside};
use motcua_engine::jobs::dispatcher::{self, DispatchReport};
use reqwest::StatusCode;
use serde_json::{Value, json};

const APPLICANT: &str = "031085001234";
const APPLICANT_F: &str = "031190012345";
const SMS_TOKEN: &str = "sms-test-token";
const SENDER: &str = "motcua@hongbang.haiphong.gov.vn";

/// A server on a hand-moved clock (Tuesday morning) wired to a mail relay and an SMS gateway on loopback.
struct World {
    server: TestServer,
    mail: MailSim,
    sms: Running,
    http: reqwest::Client,
}

impl World {
    async fn start(backend: Backend) -> World {
        let loopback = || TcpListener::bind("127.0.0.1:0").unwrap();
        let settings =
            sim::mail::Settings { smtp_bind: String::new(), hostname: "mail.sim.invalid".into(), max_size: 1 << 20 };
        let mail = sim::mail::spawn(loopback(), loopback(), settings).unwrap();
        let sms_settings = sim::sms::Settings { token: SMS_TOKEN.into(), max_length: 306 };
        let sms = sim::spawn(loopback(), sim::sms::routes(sms_settings)).unwrap();
        let outside = Outside {
            sms: Some(Endpoint { url: sms.url.clone(), token: SMS_TOKEN.into() }),
            smtp_url: Some(mail.smtp_url.clone()),
            mail_from: format!("UBND phường Hồng Bàng <{SENDER}>"),
            timeout: Duration::from_millis(1500),
            ..Outside::default()
        };
        let clock = ManualClock::at(&tuesday_morning().to_rfc3339());
        let launch = Launch { clock: Some(clock), outbox_max_attempts: 10, outside, ..Launch::default() };
        let server = TestServer::launch(backend, launch).await;
        World { server, mail, sms, http: reqwest::Client::new() }
    }

    async fn stop(self) {
        self.server.stop().await;
        self.mail.stop().await;
        self.sms.stop().await;
    }

    /// One pass of the dispatcher over every configured outside system.
    async fn dispatch(&self) -> DispatchReport {
        let services = self.server.services.clone();
        tokio::task::spawn_blocking(move || {
            dispatcher::dispatch(&services, &motcua_engine::wiring::outbound(&services.config.outside), 100).unwrap()
        })
        .await
        .unwrap()
    }

    /// Dispatches until nothing is due (messages waiting for their backoff stay).
    async fn drain(&self) -> DispatchReport {
        let mut total = DispatchReport::default();
        loop {
            let report = self.dispatch().await;
            if report.claimed == 0 {
                return total;
            }
            total.claimed += report.claimed;
            total.delivered += report.delivered;
            total.retried += report.retried;
            total.dead += report.dead;
        }
    }

    /// Mails about one dossier (their Message-ID carries its id), oldest first.
    fn mails_of(&self, dossier_id: &str) -> Vec<Received> {
        self.mail
            .messages()
            .into_iter()
            .filter(|m| m.message_id.as_deref().is_some_and(|id| id.contains(dossier_id)))
            .collect()
    }

    /// SMS the gateway took about one dossier (their reference is the outbox key), oldest first.
    async fn sms_of(&self, dossier_id: &str) -> Vec<Value> {
        let all: Value =
            self.http.get(format!("{}/messages", self.sms.url)).send().await.unwrap().json().await.unwrap();
        all["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["reference"].as_str().is_some_and(|r| r.starts_with(dossier_id)))
            .cloned()
            .collect()
    }

    async fn fault(&self, url: &str, plan: Value) -> Value {
        let response = self.http.post(format!("{url}/_sim/faults")).json(&plan).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn notifications(&self, token: &str, dossier_id: &str) -> Vec<Value> {
        let (status, body) = self.server.get(&format!("/api/v1/dossiers/{dossier_id}/notifications"), token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["notifications"].as_array().unwrap().clone()
    }
}

fn id(d: &Value) -> String {
    d["id"].as_str().unwrap().to_string()
}

/// A counter reception body whose applicant can be told apart in the mailbox.
fn dossier_for(id_number: &str, email: &str, phone: &str) -> Value {
    let mut body = new_dossier("1.001612", HONG_BANG, id_number);
    body["applicant"]["email"] = json!(email);
    body["applicant"]["phone"] = json!(phone);
    body
}

/// "16 giờ 30 phút, ngày 25 tháng 11 năm 2026", as the notices word due dates.
fn words(at: DateTime<Utc>) -> String {
    motcua_engine::adapters::forms::vn_date_time(at, chrono_tz::Asia::Ho_Chi_Minh)
}

fn part<'a>(mail: &'a Received, content_type: &str) -> &'a str {
    let part = mail.parts.iter().find(|p| p.content_type == content_type);
    &part.unwrap_or_else(|| panic!("no {content_type} part in {:?}", mail.raw)).text
}

fn plain_ascii(text: &str) -> bool {
    text.chars().all(|c| matches!(c, ' '..='~' | '\n'))
}

/// Reception: the applicant gets one e-mail (subject and both parts carry the dossier code and the due date in
/// Vietnamese words, diacritics intact; the HTML links to tracking) and one unaccented SMS; the dossier lists
/// both as delivered, to staff of its agency and to the applicant, not to another ward.
async fn receipt_by_email_and_sms(backend: Backend) {
    let world = World::start(backend).await;
    let server = &world.server;
    let ward = hong_bang(server).await;
    let d = server.receive(&ward.clerk, dossier_for(APPLICANT, "nguyen.thu@example.vn", "0912000111")).await;
    let (dossier, code, due) = (id(&d), d["code"].as_str().unwrap().to_string(), instant(&d["due_at"]));

    let pending = world.notifications(&ward.clerk, &dossier).await;
    let states: Vec<(&str, &str, &str)> = pending
        .iter()
        .map(|n| (n["channel"].as_str().unwrap(), n["kind"].as_str().unwrap(), n["status"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("email", "receipt", "pending"), ("sms", "receipt", "pending")]);

    let report = world.drain().await;
    assert!(report.delivered >= 2, "{report:?}");

    let mails = world.mails_of(&dossier);
    assert_eq!(mails.len(), 1, "one receipt by mail: {mails:#?}");
    let mail = &mails[0];
    assert_eq!(
        (mail.mail_from.as_str(), mail.rcpt_to.as_slice()),
        (SENDER, ["nguyen.thu@example.vn".to_string()].as_slice())
    );
    assert_eq!(mail.message_id.as_deref(), Some(format!("<{dossier}.2.email@hongbang.haiphong.gov.vn>").as_str()));
    assert_eq!(mail.parse_error, None, "{}", mail.raw);
    assert_eq!(mail.content_type.as_deref(), Some("multipart/alternative"));
    assert!(mail.from.as_deref().unwrap().contains("UBND phường Hồng Bàng"), "{:?}", mail.from);
    assert!(mail.to.as_deref().unwrap().contains("Nguyễn Văn Thử"), "{:?}", mail.to);
    let subject = mail.subject.as_deref().unwrap();
    assert_eq!(subject, format!("Hồ sơ {code} đã được tiếp nhận"));
    let due_words = words(due);
    assert!(due_words.contains("tháng"), "{due_words}");
    let text = part(mail, "text/plain");
    let html = part(mail, "text/html");
    let tracking = format!("http://127.0.0.1/tra-cuu?ma={code}");
    for expected in
        [code.as_str(), due_words.as_str(), "Kính gửi Ông/Bà Nguyễn Văn Thử", "Ngày hẹn trả kết quả", &tracking]
    {
        assert!(text.contains(expected), "the plain text lacks {expected:?}:\n{text}");
        assert!(html.contains(expected), "the HTML lacks {expected:?}:\n{html}");
    }
    assert!(html.contains(&format!("<a href=\"{tracking}\">")), "{html}");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">"), "{html}");

    let sms = world.sms_of(&dossier).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    let text = sms[0]["text"].as_str().unwrap();
    let local = due.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%H:%M %d/%m/%Y").to_string();
    assert_eq!(sms[0]["to"], "0912000111");
    assert!(plain_ascii(text), "{text}");
    for expected in [code.as_str(), "da tiep nhan ho so", &format!("Hen tra ket qua: {local}"), &tracking] {
        assert!(text.contains(expected), "the SMS lacks {expected:?}: {text}");
    }
    assert_eq!(sms[0]["reference"], format!("{dossier}:2:sms"));

    // The dossier's log: both delivered at the first attempt, to the applicant's addresses.
    let log = world.notifications(&ward.clerk, &dossier).await;
    let rows: Vec<(&str, &str, &str, i64)> = log
        .iter()
        .map(|n| {
            (
                n["channel"].as_str().unwrap(),
                n["recipient"].as_str().unwrap(),
                n["status"].as_str().unwrap(),
                n["attempts"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("email", "nguyen.thu@example.vn", "delivered", 1), ("sms", "0912000111", "delivered", 1)]);
    assert_eq!(log[0]["subject"], subject);
    let citizen = server.citizen_token(APPLICANT, "Nguyễn Văn Thử");
    assert_eq!(world.notifications(&citizen, &dossier).await.len(), 2, "the applicant sees them too");
    let other_ward = server.token("lechan.tiepnhan").await;
    let (status, _) = server.get(&format!("/api/v1/dossiers/{dossier}/notifications"), &other_ward).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{LE_CHAN} cannot see a Hồng Bàng dossier");
    let stranger = server.citizen_token(APPLICANT_F, "Người Khác");
    let (status, _) = server.get(&format!("/api/v1/dossiers/{dossier}/notifications"), &stranger).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An address the mailer cannot use is parked dead at once, visibly; the SMS still goes.
    let bad = server.receive(&ward.clerk, dossier_for(APPLICANT_F, "thu@@example.vn", "0386123456")).await;
    world.drain().await;
    let log = world.notifications(&ward.clerk, &id(&bad)).await;
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64()), (Some("dead"), Some(1)), "{log:?}");
    assert!(log[0]["last_error"].as_str().unwrap().contains("thu@@example.vn"), "{log:?}");
    assert_eq!(log[1]["status"], "delivered");
    let citizen_view = world.notifications(&server.citizen_token(APPLICANT_F, "Thử"), &id(&bad)).await;
    assert!(citizen_view[0]["last_error"].is_null(), "errors are for staff: {citizen_view:?}");
    world.stop().await;
}

/// The supplement request lists every item with its reason (once, in one message); a refusal at reception
/// lists every reason; an extension apologises with the date first promised and the new one.
async fn supplement_refusal_and_apology(backend: Backend) {
    let world = World::start(backend).await;
    let server = &world.server;
    let ward = hong_bang(server).await;

    // Supplement: two items, one of them a component named as the procedure names it.
    let d = server.receive(&ward.clerk, dossier_for(APPLICANT, "bo.sung@example.vn", "0912000222")).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let items = json!([
        {"component": "giay_de_nghi", "reason": "Giấy đề nghị thiếu chữ ký của chủ hộ"},
        {"reason": "Bản sao hợp đồng thuê địa điểm kinh doanh <có chứng thực>"}
    ]);
    let d = server.act_ok(&ward.specialist, &d, json!({"action": "request_supplement", "items": items})).await;
    assert_eq!(d["status"], 5);
    world.drain().await;
    let mails = world.mails_of(&id(&d));
    assert_eq!(mails.len(), 2, "the receipt, then the supplement request");
    let request = &mails[1];
    assert!(request.subject.as_deref().unwrap().contains("yêu cầu bổ sung, hoàn thiện hồ sơ"), "{:?}", request.subject);
    let (text, html) = (part(request, "text/plain"), part(request, "text/html"));
    for expected in
        ["Giấy đề nghị thiếu chữ ký của chủ hộ", "1. ", "2. Bản sao hợp đồng thuê địa điểm kinh doanh <có chứng thực>"]
    {
        assert!(text.contains(expected), "the plain text lacks {expected:?}:\n{text}");
    }
    assert!(html.contains("<li>Bản sao hợp đồng thuê địa điểm kinh doanh &#60;có chứng thực&#62;</li>"), "{html}");
    assert!(!html.contains("<có chứng thực>"), "text is escaped in HTML: {html}");
    let sms = world.sms_of(&id(&d)).await;
    assert_eq!(sms.len(), 2);
    let text = sms[1]["text"].as_str().unwrap();
    assert!(plain_ascii(text) && text.contains("can bo sung"), "{text}");
    assert!(text.contains("Giay de nghi thieu chu ky cua chu ho"), "{text}");
    let kinds: Vec<Value> = world.notifications(&ward.clerk, &id(&d)).await.iter().map(|n| n["kind"].clone()).collect();
    assert_eq!(kinds, ["receipt", "receipt", "supplement_request", "supplement_request"]);

    // Refusal of an online dossier: every reason, and no code to quote yet.
    let online = server.submit_online("1.004873", HONG_BANG, APPLICANT_F).await;
    let reasons = ["Hồ sơ không thuộc thẩm quyền giải quyết của phường", "Tờ khai không có chữ ký"];
    server.act_ok(&ward.clerk, &online, json!({"action": "refuse_reception", "reasons": reasons})).await;
    world.drain().await;
    let mails = world.mails_of(&id(&online));
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(mails[0].subject.as_deref().unwrap().contains("không được tiếp nhận"), "{:?}", mails[0].subject);
    for reason in reasons {
        assert!(part(&mails[0], "text/plain").contains(reason), "{reason}");
        assert!(part(&mails[0], "text/html").contains(&format!("<li>{reason}</li>")), "{reason}");
    }
    let sms = world.sms_of(&id(&online)).await;
    assert!(sms[0]["text"].as_str().unwrap().contains("Ly do: Ho so khong thuoc tham quyen"), "{sms:?}");

    // Extension: the apology carries both dates.
    let d = server.receive(&ward.clerk, dossier_for(APPLICANT, "xin.loi@example.vn", "0912000333")).await;
    let first_due = instant(&d["due_at"]);
    let new_due = first_due + TimeDelta::days(7);
    let reason = "Cần xác minh thêm địa điểm kinh doanh với tổ dân phố";
    server
        .act_ok(&ward.leader, &d, json!({"action": "extend", "new_due": new_due.to_rfc3339(), "reason": reason}))
        .await;
    world.drain().await;
    let mails = world.mails_of(&id(&d));
    assert_eq!(mails.len(), 2);
    let apology = &mails[1];
    assert!(apology.subject.as_deref().unwrap().starts_with("Thư xin lỗi và hẹn lại ngày trả kết quả"));
    let text = part(apology, "text/plain");
    for expected in [reason, &words(first_due), &words(new_due), "Ngày hẹn trả kết quả mới"] {
        assert!(text.contains(expected), "the apology lacks {expected:?}:\n{text}");
    }
    let sms = world.sms_of(&id(&d)).await;
    let local = new_due.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%H:%M %d/%m/%Y").to_string();
    assert!(sms[1]["text"].as_str().unwrap().contains(&format!("Hen lai: {local}")), "{sms:?}");
    world.stop().await;
}

/// The relay refuses connections (421) and then holds its greeting past our timeout; the gateway is down for a
/// while: each failure is retried after its backoff, never sooner; in the end each notice arrived exactly once.
async fn outages_are_retried_until_delivered_once(backend: Backend) {
    let world = World::start(backend).await;
    let server = &world.server;
    let ward = hong_bang(server).await;
    // The demo's own notices go first, so the faults below strike this dossier's.
    world.drain().await;
    world.fault(&world.mail.http.url, json!({"mode": "error", "count": 2})).await;
    world.fault(&world.sms.url, json!({"mode": "down", "seconds": 1})).await;
    let d = server.receive(&ward.clerk, dossier_for(APPLICANT, "mat.ket.noi@example.vn", "0912000444")).await;
    let dossier = id(&d);

    let report = world.drain().await;
    assert_eq!((report.delivered, report.retried), (0, 2), "{report:?}");
    let log = world.notifications(&ward.clerk, &dossier).await;
    assert!(log.iter().all(|n| n["status"] == "pending" && n["attempts"] == 1), "{log:?}");
    assert!(log[0]["last_error"].as_str().unwrap().contains("421"), "{log:?}");
    assert!(log[1]["last_error"].as_str().unwrap().contains("503"), "{log:?}");
    assert_eq!(world.dispatch().await.claimed, 0, "nothing is retried before its backoff");

    // Second attempt: the relay refuses again; the gateway is back once its outage is over.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    server.advance(TimeDelta::seconds(3));
    let report = world.drain().await;
    assert_eq!((report.delivered, report.retried), (1, 1), "{report:?}");

    // Third attempt: the relay accepts the connection but answers too late; the client gives up.
    world.fault(&world.mail.http.url, json!({"mode": "timeout", "count": 1, "ms": 2500})).await;
    server.advance(TimeDelta::seconds(5));
    assert_eq!(world.drain().await.retried, 1);
    let log = world.notifications(&ward.clerk, &dossier).await;
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64()), (Some("pending"), Some(3)), "{log:?}");
    assert!(log[0]["last_error"].as_str().unwrap().contains("timed out"), "{log:?}");

    server.advance(TimeDelta::seconds(9));
    assert_eq!(world.drain().await.delivered, 1);
    // The late greeting of the abandoned connection must not have produced a mail.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(world.mails_of(&dossier).len(), 1, "exactly one mail");
    assert_eq!(world.sms_of(&dossier).await.len(), 1, "exactly one SMS");
    let log = world.notifications(&ward.clerk, &dossier).await;
    let states: Vec<(&str, i64)> =
        log.iter().map(|n| (n["status"].as_str().unwrap(), n["attempts"].as_i64().unwrap())).collect();
    assert_eq!(states, [("delivered", 4), ("delivered", 2)]);
    let injected = world.fault(&world.mail.http.url, json!({"mode": "none"})).await;
    assert_eq!(
        (injected["injected"]["errors"].as_u64(), injected["injected"]["timeouts"].as_u64()),
        (Some(2), Some(1))
    );
    world.stop().await;
}

/// Answers lost after the counterpart acted: the gateway keeps one SMS for the repeated key; the relay keeps both
/// copies of the mail, recognisable by their common Message-ID. While a dossier's first SMS waits for its retry,
/// its next one waits behind it: the gateway receives them in the order they were written.
async fn lost_answers_and_order_per_dossier(backend: Backend) {
    let world = World::start(backend).await;
    let server = &world.server;
    let ward = hong_bang(server).await;
    world.drain().await;
    world.fault(&world.sms.url, json!({"mode": "answer_twice", "count": 1})).await;
    world.fault(&world.mail.http.url, json!({"mode": "answer_twice", "count": 1})).await;
    let d = server.receive(&ward.clerk, dossier_for(APPLICANT, "hai.lan@example.vn", "+84912000555")).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let items = json!([{"component": "giay_de_nghi", "reason": "Bản chụp mờ"}]);
    let d = server.act_ok(&ward.specialist, &d, json!({"action": "request_supplement", "items": items})).await;
    let dossier = id(&d);

    let report = world.drain().await;
    assert_eq!((report.delivered, report.retried), (0, 2), "each topic's first message failed; {report:?}");
    let log = world.notifications(&ward.clerk, &dossier).await;
    let attempts: Vec<i64> = log.iter().map(|n| n["attempts"].as_i64().unwrap()).collect();
    assert_eq!(attempts, [1, 1, 0, 0], "the supplement request waits behind the receipt: {log:?}");

    server.advance(TimeDelta::seconds(3));
    world.drain().await;
    let log = world.notifications(&ward.clerk, &dossier).await;
    assert!(log.iter().all(|n| n["status"] == "delivered"), "{log:?}");

    let sms = world.sms_of(&dossier).await;
    let references: Vec<&str> = sms.iter().map(|m| m["reference"].as_str().unwrap()).collect();
    let receipt_seq = 2;
    let supplement_seq = d["version"].as_u64().unwrap();
    assert_eq!(
        references,
        [format!("{dossier}:{receipt_seq}:sms"), format!("{dossier}:{supplement_seq}:sms")],
        "one SMS per notice, in order"
    );
    assert_eq!(sms[0]["to"], "+84912000555");

    let mails = world.mails_of(&dossier);
    let ids: Vec<&str> = mails.iter().map(|m| m.message_id.as_deref().unwrap()).collect();
    let receipt_id = format!("<{dossier}.{receipt_seq}.email@hongbang.haiphong.gov.vn>");
    let supplement_id = format!("<{dossier}.{supplement_seq}.email@hongbang.haiphong.gov.vn>");
    assert_eq!(
        ids,
        [receipt_id.as_str(), receipt_id.as_str(), supplement_id.as_str()],
        "the resent copy is recognisable"
    );
    assert_eq!(part(&mails[0], "text/plain"), part(&mails[1], "text/plain"), "and identical");
    world.stop().await;
}

on_both_backends!(
    receipt_by_email_and_sms,
    supplement_refusal_and_apology,
    outages_are_retried_until_delivered_once,
    lost_answers_and_order_per_dossier,
);
