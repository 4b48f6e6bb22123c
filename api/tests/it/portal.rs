//! The national portal link against its strict simulator: status sync in order and exactly once through
//! outages, refusals parked dead and re-driven by an administrator, dossiers routed from the portal, and
//! reconciliation.

use std::time::Duration;

use chrono::TimeDelta;
use motcua_api::sim::{self, faults::FaultRequest};
use motcua_engine::adapters::outside::{Endpoint, Outside};
use motcua_engine::adapters::portal::PortalClient;
use motcua_engine::jobs::dispatcher;
use motcua_engine::ports::portal::NationalPortal;
use motcua_engine::service::{ServiceError, Services};
use motcua_engine::store::outbox;
use motcua_engine::wiring::outbound;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    Backend, HONG_BANG, Launch, ManualClock, TestServer, assert_problem, hong_bang, new_dossier, sample_pdf,
};

const TOKEN: &str = "portal-test-token";

pub fn start_portal() -> sim::Running {
    let settings = sim::portal::Settings {
        token: TOKEN.into(),
        motcua_url: "http://127.0.0.1:9".into(),
        client_id: "portal".into(),
        client_secret: String::new(),
    };
    sim::spawn(std::net::TcpListener::bind("127.0.0.1:0").unwrap(), sim::portal::routes(settings)).unwrap()
}

pub fn portal_outside(portal: &sim::Running) -> Outside {
    Outside {
        portal: Some(Endpoint { url: portal.url.clone(), token: TOKEN.into() }),
        timeout: Duration::from_millis(700),
        ..Outside::default()
    }
}

/// Dispatches until nothing is left to deliver, moving the hand-moved clock past each backoff.
pub async fn drain(server: &TestServer) {
    let services = server.services.clone();
    let clock = server.clock.clone();
    tokio::task::spawn_blocking(move || {
        let router = outbound(&services.config.outside);
        for _ in 0..200 {
            let report = dispatcher::dispatch(&services, &router, 100).unwrap();
            if report.claimed == 0 {
                if pending(&services, &router.topics()) == 0 {
                    return;
                }
                // Past the backoff on our clock; and a little real time for a simulator that is down.
                if let Some(clock) = &clock {
                    clock.advance(TimeDelta::hours(2));
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        let dead = outbox::Filter { state: Some(outbox::State::Dead), limit: 20, ..Default::default() };
        let dead = services.db().read(|c| outbox::list(c, &dead).map_err(ServiceError::from)).unwrap();
        let errors: Vec<_> = dead.iter().map(|m| (&m.topic, &m.last_error)).collect();
        panic!("the outbox did not drain: {} pending; dead: {errors:?}", pending(&services, &router.topics()));
    })
    .await
    .unwrap();
}

/// Messages still to deliver in `topics`.
pub fn pending(services: &Services, topics: &[String]) -> i64 {
    let by_topic = services.db().read(|c| outbox::stats_by_topic(c).map_err(ServiceError::from)).unwrap();
    by_topic.iter().filter(|(t, _)| topics.contains(t)).map(|(_, s)| s.pending).sum()
}

fn stats(services: &Services) -> outbox::OutboxStats {
    services.db().read(|c| outbox::stats(c).map_err(ServiceError::from)).unwrap()
}

async fn portal_state(portal: &sim::Running) -> Value {
    reqwest::get(format!("{}/_sim/state", portal.url)).await.unwrap().json().await.unwrap()
}

fn view<'a>(state: &'a Value, code: &str) -> &'a Value {
    state["dossiers"].as_array().unwrap().iter().find(|v| v["MaHoSo"] == code).unwrap_or_else(|| panic!("{state}"))
}

async fn set_fault(portal: &sim::Running, fault: Value) {
    let request: FaultRequest = serde_json::from_value(fault).unwrap();
    portal.faults.set(&request);
}

/// A dossier walked receive → assign → appraise → approve → sign → seal → return, with the portal failing in
/// every way in between: it ends with the portal holding exactly our statuses, each message applied once.
async fn status_sync_survives_outages(backend: Backend) {
    let portal = start_portal();
    let clock = ManualClock::at("2026-11-24T08:00:00+07:00");
    let launch = Launch { clock: Some(clock.clone()), outside: portal_outside(&portal), ..Launch::default() };
    let server = TestServer::launch(backend, launch).await;
    drain(&server).await; // the demo's own dossiers first: the portal accepts every one of them
    let ward = hong_bang(&server).await;
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let code = d["code"].as_str().unwrap().to_string();

    set_fault(&portal, json!({"mode": "error", "count": 2})).await;
    drain(&server).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    set_fault(&portal, json!({"mode": "timeout", "count": 1, "ms": 1500})).await;
    drain(&server).await;
    let proposal = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện"}});
    let d = server.act_ok(&ward.specialist, &d, proposal).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "approve"})).await;
    set_fault(&portal, json!({"mode": "answer_twice", "count": 3})).await;
    drain(&server).await;
    let d = server.act_ok(&ward.leader, &d, json!({"action": "sign"})).await;
    let d = server.act_ok(&ward.records, &d, json!({"action": "seal", "number": "7/HKD"})).await;
    set_fault(&portal, json!({"mode": "down", "seconds": 1})).await;
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "return", "method": "counter"})).await;
    drain(&server).await;
    assert_eq!(d["status"], 10);

    let state = portal_state(&portal).await;
    assert_eq!(state["refusals"], json!([]), "the portal refused nothing");
    let seen = view(&state, &code);
    assert_eq!(seen["TrangThaiHoSo"], 10);
    // Status messages go out on changes of status or due date: received, in process, result ready, returned.
    assert_eq!(seen["CacTrangThai"], json!([2, 4, 9, 10]));
    assert_eq!(seen["Sequence"], d["version"]);
    let ours = server.services.clone();
    let sent = tokio::task::spawn_blocking(move || {
        let id = d["id"].as_str().unwrap().to_string();
        ours.db().read(|c| outbox::for_dossier(c, &id).map_err(ServiceError::from)).unwrap()
    })
    .await
    .unwrap();
    let sync: Vec<_> = sent.iter().filter(|m| m.topic == motcua_engine::ports::topics::PORTAL_STATUS).collect();
    assert!(sync.iter().all(|m| m.delivered_at.is_some() && !m.dead), "{sync:?}");
    let services = server.services.clone();
    let by_topic = tokio::task::spawn_blocking(move || {
        services.db().read(|c| outbox::stats_by_topic(c).map_err(ServiceError::from)).unwrap()
    })
    .await
    .unwrap();
    let delivered: i64 = by_topic
        .iter()
        .filter(|(t, _)| t.starts_with("portal.") || t == "repository.sync")
        .map(|(_, s)| s.delivered)
        .sum();
    assert_eq!(state["keys"].as_i64().unwrap(), delivered, "each message applied once, however often it was sent");
    let last = &seen["HoSo"];
    assert_eq!(last["NgayTra"].as_str().unwrap().len(), 14);
    assert_eq!(last["QuaTrinhXuLy"].as_array().unwrap().len(), 7, "one hand-off per step: {last}");
    server.stop().await;
    portal.stop().await;
}
on_both_backends!(status_sync_survives_outages);

/// The simulator is strict: it refuses what the real portal would.
async fn portal_refuses_malformed_messages(_backend: Backend) {
    let portal = start_portal();
    let endpoint = Endpoint { url: portal.url.clone(), token: TOKEN.into() };
    let message = json!({
        "MaHoSo": "000.31.01.H26-261124-0001", "MaTTHC": "1.001612", "TenTTHC": "Đăng ký hộ kinh doanh",
        "MaLinhVuc": "HOKINHDOANH", "TenLinhVuc": "Đăng ký hộ kinh doanh", "MucDoDVC": "ToanTrinh",
        "KenhThucHien": 1, "ChuHoSo": "Nguyễn Văn A", "LoaiDoiTuong": 1, "SoGiayToChuHoSo": "031085001234",
        "SoDienThoai": null, "Email": null,
        "TrichYeuHoSo": "Đăng ký hộ kinh doanh", "NgayTiepNhan": "20261124080000", "NgayHenTra": "20261127080000",
        "TrangThaiHoSo": 2, "NgayTra": null, "DonViXuLy": "UBND phường Hồng Bàng", "MaDonViXuLy": "000.31.01.H26",
        "QuaTrinhXuLy": [{"NguoiXuLy": "Trần Văn Bình", "ChucDanh": "Công chức tiếp nhận và trả kết quả",
            "ThoiDiemXuLy": "20261124080000", "PhongBanXuLy": "Bộ phận Một cửa", "NoiDungXuLy": "Tiếp nhận hồ sơ",
            "TrangThai": 2, "NgayBatDau": "20261124080000", "NgayKetThucTheoQuyDinh": "20261124092400"}],
        "DanhSachLePhi": [], "DanhSachGiayToKetQua": [],
        "DuocSoHoa": 1, "HoSoCoThanhPhanSoHoa": 1, "DuocLayTuKhoDMQG": 0, "TaiKhoanDuocXacThucVoiVNeID": 0,
        "DuocThanhToanTrucTuyen": 0, "MaKetQua": null, "DuongDanTepTinKetQua": null,
    });
    let changed = |edit: &dyn Fn(&mut Value)| {
        let mut m = message.clone();
        edit(&mut m);
        m
    };
    let malformed = [
        changed(&|m| drop(m.as_object_mut().unwrap().remove("MaTTHC"))),
        changed(&|m| m["NgayHenTra"] = json!("2026-11-27")),
        changed(&|m| m["TrangThaiHoSo"] = json!(11)),
        // An internal id instead of the dossier code; a field's name instead of its code.
        changed(&|m| m["MaHoSo"] = json!("01a24937-a64b-76e5-92e1-4b568a3c4fea")),
        changed(&|m| m["MaLinhVuc"] = json!("Đăng ký hộ kinh doanh")),
        // A processing row without its legal end; a row without the person who did it.
        changed(&|m| drop(m["QuaTrinhXuLy"][0].as_object_mut().unwrap().remove("NgayKetThucTheoQuyDinh"))),
        changed(&|m| m["QuaTrinhXuLy"][0]["NguoiXuLy"] = json!(" ")),
        // A result number without its link, before the result is ready; paid online with no fee collected online.
        changed(&|m| m["MaKetQua"] = json!("123/GCN")),
        changed(&|m| m["DuocThanhToanTrucTuyen"] = json!(2)),
        // The portal's id of a dossier it never routed; a field the portal does not know.
        changed(&|m| m["MaHoSoDVCQG"] = json!("G22.99-261124-000999")),
        changed(&|m| m["GhiChuKhac"] = json!("x")),
        // A code of another agency than the one named as handling it.
        changed(&|m| m["MaDonViXuLy"] = json!("000.31.02.H26")),
    ];
    let expected = [
        "missing field `MaTTHC`",
        "NgayHenTra",
        "TrangThaiHoSo",
        "MaHoSo",
        "MaLinhVuc",
        "missing field `NgayKetThucTheoQuyDinh`",
        "QuaTrinhXuLy[0].NguoiXuLy: required",
        "MaKetQua",
        "DuocThanhToanTrucTuyen",
        "MaHoSoDVCQG",
        "unknown field `GhiChuKhac`",
        "is not a code of MaDonViXuLy",
    ];
    let count = malformed.len();
    let outcome = tokio::task::spawn_blocking(move || {
        let client = PortalClient::new(&endpoint, Duration::from_secs(5));
        let send = |key: &str, seq: u64, m: &Value| client.sync_status(key, seq, &m.to_string());
        let mut outcomes = vec![send("d:5", 5, &message)];
        for (i, bad) in malformed.iter().enumerate() {
            outcomes.push(send(&format!("d:bad-{i}"), 6, bad));
        }
        let mut older = message.clone();
        older["TrangThaiHoSo"] = json!(4);
        outcomes.push(send("d:4", 4, &older));
        let mut ready = message.clone();
        ready["TrangThaiHoSo"] = json!(9);
        outcomes.push(send("d:8", 8, &ready));
        let mut backwards = message.clone();
        backwards["TrangThaiHoSo"] = json!(4);
        outcomes.push(send("d:9", 9, &backwards));
        outcomes.push(send("d:5", 5, &message));
        outcomes
    })
    .await
    .unwrap();
    use motcua_engine::ports::Failure;
    assert_eq!(outcome[0], Ok(()));
    let reason = |f: &Result<(), Failure>| match f {
        Err(Failure::Rejected(reason)) => reason.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    for (i, expected) in expected.iter().enumerate() {
        let why = reason(&outcome[1 + i]);
        assert!(why.contains(expected), "case {i}: {why} should name {expected}");
    }
    let rest = &outcome[1 + count..];
    assert!(reason(&rest[0]).contains("older"), "a message older than the last applied is refused");
    assert_eq!(rest[1], Ok(()), "2 → 9 skips steps the lifecycle allows");
    assert!(reason(&rest[2]).contains("cannot follow"), "9 → 4 is not a lifecycle move");
    assert_eq!(rest[3], Ok(()), "a repeated key is acknowledged");
    let state = portal_state(&portal).await;
    assert_eq!(state["keys"], 2);
    assert_eq!(state["refusals"].as_array().unwrap().len(), count + 2);
    portal.stop().await;
}
on_both_backends!(portal_refuses_malformed_messages);

/// After the attempt limit a message is dead: it holds back the later ones of its dossier, shows in the admin
/// outbox and the metrics, and an administrator re-drives it.
async fn dead_messages_are_visible_and_redriven(backend: Backend) {
    let portal = start_portal();
    let clock = ManualClock::at("2026-11-24T08:00:00+07:00");
    let launch = Launch {
        clock: Some(clock.clone()),
        outbox_max_attempts: 2,
        outside: portal_outside(&portal),
        ..Launch::default()
    };
    let server = TestServer::launch(backend, launch).await;
    drain(&server).await;
    let ward = hong_bang(&server).await;
    let admin = server.token("admin").await;
    let d = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    set_fault(&portal, json!({"mode": "error", "count": 2})).await;
    let services = server.services.clone();
    let clock2 = clock.clone();
    tokio::task::spawn_blocking(move || {
        let router = outbound(&services.config.outside);
        for _ in 0..2 {
            dispatcher::dispatch(&services, &router, 100).unwrap();
            clock2.advance(TimeDelta::hours(2));
        }
        assert_eq!(dispatcher::dispatch(&services, &router, 100).unwrap().claimed, 0, "dead blocks its dossier");
    })
    .await
    .unwrap();

    let (status, page) = server.get("/api/v1/admin/outbox?state=dead", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let dead = page["items"].as_array().unwrap();
    assert_eq!(dead.len(), 1, "{page}");
    assert_eq!(dead[0]["dossier_id"], d["id"]);
    assert!(dead[0]["last_error"].as_str().unwrap().contains("503"), "{}", dead[0]);
    assert_eq!(page["topics"]["portal.status_sync"]["dead"], 1);
    assert_eq!(page["topics"]["portal.status_sync"]["pending"], 1, "the assignment waits behind it");
    let metrics = server.client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"motcua_outbox_messages{state="dead",topic="portal.status_sync"} 1"#), "{metrics}");

    let (status, _) = server.get("/api/v1/admin/outbox", &ward.clerk).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "administrators only");
    let id = dead[0]["id"].as_i64().unwrap();
    let answer = server
        .send(reqwest::Method::POST, &format!("/api/v1/admin/outbox/{id}/redrive"), Some(&admin), Some(json!({})), &[])
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{answer:?}");
    let again = server
        .send(reqwest::Method::POST, &format!("/api/v1/admin/outbox/{id}/redrive"), Some(&admin), Some(json!({})), &[])
        .await;
    assert_problem(&again, 404, "outbox.not_dead");
    drain(&server).await;
    let state = portal_state(&portal).await;
    assert_eq!(view(&state, d["code"].as_str().unwrap())["CacTrangThai"], json!([2, 4]));
    server.stop().await;
    portal.stop().await;
}
on_both_backends!(dead_messages_are_visible_and_redriven);

fn routed(portal_id: &str, procedure: &str) -> Value {
    use base64::Engine as _;
    json!({
        "portal_id": portal_id,
        "procedure_code": procedure,
        "agency": HONG_BANG,
        "applicant": {"name": "Phạm Thị Lan", "id_number": "031190012345", "birth_date": "1990-05-12", "sex": "female",
                      "phone": "0912345678", "email": "lan@example.vn"},
        "summary": "Đăng ký khai sinh cho con Phạm Minh Khôi",
        "form_data": {"ho_ten_tre": "Phạm Minh Khôi", "ngay_sinh_tre": "2026-11-20"},
        "papers": [
            {"component": "to_khai", "file_name": "to-khai.pdf",
             "content_base64": base64::engine::general_purpose::STANDARD.encode(sample_pdf())},
            {"component": "giay_chung_sinh", "file_name": "chung-sinh.pdf",
             "content_base64": base64::engine::general_purpose::STANDARD.encode(sample_pdf())},
        ],
    })
}

/// A dossier submitted on the portal lands in status 1 in the ward's reception queue, once, whatever the
/// portal repeats; a wrong target stores nothing.
async fn dossiers_routed_from_the_portal(backend: Backend) {
    let server = TestServer::start(backend).await;
    let portal = server.service_token("dvcqg", &["portal"]);
    let post = |body: Value, token: String| {
        let server = &server;
        async move { server.send(reqwest::Method::POST, "/api/v1/portal/dossiers", Some(&token), Some(body), &[]).await }
    };
    let (status, first) = post(routed("G22.99-261124-000123", "1.001193"), portal.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!((first["status"].as_u64(), first["channel"].as_str()), (Some(1), Some("online")));
    assert!(first["code"].as_str().unwrap().starts_with("000.31.01.H26-"), "online dossiers are coded at once");
    assert_eq!(first["form_data"]["ho_ten_tre"], "Phạm Minh Khôi");
    let (status, again) = post(routed("G22.99-261124-000123", "1.001193"), portal.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], first["id"]);

    let mut changed = routed("G22.99-261124-000123", "1.001193");
    changed["summary"] = json!("Khác");
    assert_problem(&post(changed, portal.clone()).await, 409, "portal.id_reused");

    let (dossiers, uploads) = (server.count("dossiers").await, server.count("uploads").await);
    let mut wrong = routed("G22.99-261124-000124", "9.999999");
    wrong["agency"] = json!("000.99.99.H26");
    let answer = post(wrong, portal.clone()).await;
    assert_problem(&answer, 422, "request.invalid");
    let fields = crate::support::error_fields(&answer.1);
    assert!(fields.contains(&"procedure_code".to_string()) && fields.contains(&"agency".to_string()), "{fields:?}");
    assert_eq!((server.count("dossiers").await, server.count("uploads").await), (dossiers, uploads), "nothing stored");

    let other = server.service_token("so-tu-phap", &["repository"]);
    assert_problem(&post(routed("G22.99-261124-000125", "1.001193"), other).await, 403, "portal.forbidden_scope");

    // The clerk finds it in the reception queue and receives it: the code stays the one given at submission.
    let ward = hong_bang(&server).await;
    let (_, queue) = server.get("/api/v1/dossiers?status=1", &ward.clerk).await;
    assert!(queue["items"].as_array().unwrap().iter().any(|d| d["id"] == first["id"]), "{queue}");
    let received = server.act_ok(&ward.clerk, &first, json!({"action": "receive"})).await;
    assert_eq!((received["status"].as_u64(), &received["code"]), (Some(2), &first["code"]));
    server.stop().await;
}
on_both_backends!(dossiers_routed_from_the_portal);

/// The portal lost what we sent (its messages died here): reconciliation finds the difference and re-sends;
/// a second pass finds nothing.
async fn reconciliation_resends_what_differs(backend: Backend) {
    let portal = start_portal();
    let clock = ManualClock::at("2026-11-24T08:00:00+07:00");
    let launch = Launch {
        clock: Some(clock.clone()),
        outbox_max_attempts: 1,
        outside: portal_outside(&portal),
        ..Launch::default()
    };
    let server = TestServer::launch(backend, launch).await;
    drain(&server).await;
    let ward = hong_bang(&server).await;
    let kept = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    drain(&server).await;
    let lost = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031090012399")).await;
    let lost = server.act_ok(&ward.head, &lost, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    set_fault(&portal, json!({"mode": "error", "count": 1})).await;
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        dispatcher::dispatch(&services, &outbound(&services.config.outside), 100).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(stats(&server.services).dead, 1);

    let services = server.services.clone();
    let reconcile = move |dry_run: bool| {
        let services = services.clone();
        tokio::task::spawn_blocking(move || services.portal().reconcile_portal(dry_run).unwrap())
    };
    let dry = reconcile(true).await.unwrap();
    assert_eq!(dry.differences.len(), 1, "{dry:?}");
    assert_eq!(dry.differences[0].code, lost["code"].as_str().unwrap());
    assert_eq!(dry.differences[0].theirs, None);
    assert!(dry.differences[0].resent.is_none());
    let done = reconcile(false).await.unwrap();
    assert_eq!(done.differences[0].resent, Some(Ok(())));
    let state = portal_state(&portal).await;
    assert_eq!(view(&state, lost["code"].as_str().unwrap())["TrangThaiHoSo"], 4);
    assert_eq!(view(&state, kept["code"].as_str().unwrap())["TrangThaiHoSo"], 2);
    let again = reconcile(true).await.unwrap();
    assert!(again.checked >= 2);
    assert_eq!(again.differences.len(), 0, "{again:?}");
    server.stop().await;
    portal.stop().await;
}
on_both_backends!(reconciliation_resends_what_differs);

/// The national catalogue compared with ours: the shipped definitions agree with it (the two limits the law
/// states in days are counted in days here too); a national change of time, unit or online level is reported.
async fn national_catalogue_is_compared(backend: Backend) {
    let portal = start_portal();
    let server = TestServer::start(backend).await;
    let services = server.services.clone();
    let (url, url2) = (portal.url.clone(), portal.url.clone());
    let (agreed, changed) = tokio::task::spawn_blocking(move || {
        let client = PortalClient::new(&Endpoint { url, token: TOKEN.into() }, Duration::from_secs(5));
        let mut national = NationalPortal::catalogue(&client).unwrap();
        let today = services.calendar.local_date(services.now());
        let compare =
            |national: &[_]| motcua_engine::service::portal::compare_catalogue(&services.catalogue, national, today);
        let agreed = compare(&national);
        let criminal_record = national.iter_mut().find(|p| p.code == "3.000333").unwrap();
        criminal_record.time_unit = motcua_engine::ports::portal::TimeUnit::WorkingDays;
        criminal_record.online_level = motcua_engine::ports::portal::message::OnlineLevel::Partial;
        (agreed, compare(&national))
    })
    .await
    .unwrap();
    assert_eq!(agreed, [], "the shipped catalogue agrees with the national one");
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(
        changed[0].differences,
        ["processing time: national 10 working days, here 10 days", "online level: national Partial, here Full"]
    );
    let refused = tokio::task::spawn_blocking(move || {
        NationalPortal::catalogue(&PortalClient::new(
            &Endpoint { url: url2, token: "wrong".into() },
            Duration::from_secs(5),
        ))
    })
    .await
    .unwrap();
    assert!(refused.unwrap_err().to_string().contains("401"));
    server.stop().await;
    portal.stop().await;
}
on_both_backends!(national_catalogue_is_compared);

/// Everything in our store, in id order.
async fn all_dossiers(server: &TestServer) -> Vec<motcua_engine::domain::dossier::Dossier> {
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        services
            .db()
            .read(|c| motcua_engine::store::dossiers::page_by_id(c, None, 10_000).map_err(ServiceError::from))
            .unwrap()
    })
    .await
    .unwrap()
}

/// After the demo, the strict portal holds every coded demo dossier under its code, refused nothing, and every
/// processing row names the person who did the step with that person's title and division; the flags the
/// Decision 766 indicators read are there.
async fn every_demo_dossier_reaches_the_portal_as_it_scores(backend: Backend) {
    let portal = start_portal();
    let launch = Launch {
        pki_dir: Some(crate::support::TEST_PKI.clone()),
        outside: portal_outside(&portal),
        ..Launch::default()
    };
    let server = TestServer::launch(backend, launch).await;
    drain(&server).await;
    let state = portal_state(&portal).await;
    assert_eq!(state["refusals"], json!([]), "the portal refused nothing");
    let ours = all_dossiers(&server).await;
    let coded: Vec<_> = ours.iter().filter(|d| d.code.is_some()).collect();
    assert_eq!(state["dossiers"].as_array().unwrap().len(), coded.len(), "every coded dossier, once each");
    let mut rows = Vec::new();
    for d in &coded {
        let seen = view(&state, d.code.as_deref().unwrap());
        assert_eq!(seen["TrangThaiHoSo"], d.status.code(), "{}", d.id);
        let message = &seen["HoSo"];
        assert_eq!(message["MaDonViXuLy"], d.agency.as_str());
        assert!(message["MaLinhVuc"].as_str().unwrap().chars().all(|c| c.is_ascii_uppercase()), "{message}");
        rows.extend(message["QuaTrinhXuLy"].as_array().unwrap().iter().cloned());
    }
    let named = |person: &str| -> Vec<(String, String)> {
        rows.iter()
            .filter(|r| r["NguoiXuLy"] == person)
            .map(|r| (r["ChucDanh"].as_str().unwrap().to_string(), r["PhongBanXuLy"].as_str().unwrap().to_string()))
            .collect()
    };
    let posts = |person: &str, title: &str, division: &str| {
        let seen = named(person);
        assert!(!seen.is_empty(), "{person} did some step");
        assert!(seen.iter().all(|(t, d)| t == title && d == division), "{person}: {seen:?}");
    };
    posts("Trần Văn Bình", "Công chức tiếp nhận và trả kết quả", "Trung tâm Phục vụ hành chính công phường Hồng Bàng");
    posts("Hoàng Minh Tuấn", "Phó Chủ tịch", "Ủy ban nhân dân phường Hồng Bàng");
    posts("Đỗ Thị Hạnh", "Chủ tịch", "Ủy ban nhân dân phường Lê Chân");
    posts("Lê Thị Cúc", "Chuyên viên", "Phòng Kinh tế, Hạ tầng và Đô thị");
    posts("Đặng Thu Hà", "Văn thư", "Văn phòng HĐND và UBND");
    // Each row's outcome: reception leads to 2, sealing to 9, returning to 10.
    for (step, status) in [("Tiếp nhận hồ sơ", 2), ("Vào số, đóng dấu", 9), ("Trả kết quả", 10)] {
        let outcomes: Vec<&Value> = rows.iter().filter(|r| r["NoiDungXuLy"] == step).map(|r| &r["TrangThai"]).collect();
        assert!(!outcomes.is_empty() && outcomes.iter().all(|s| **s == status), "{step}: {outcomes:?}");
    }
    // The flags: the birth bundle reuses her papers and was filed with VNeID; a result returned electronically
    // has its number and link.
    let messages: Vec<&Value> = coded.iter().map(|d| &view(&state, d.code.as_deref().unwrap())["HoSo"]).collect();
    let bundle = messages.iter().find(|m| m["MaTTHC"] == "2.002621").expect("the demo's bundle");
    assert_eq!(
        (bundle["DuocLayTuKhoDMQG"].as_u64(), bundle["TaiKhoanDuocXacThucVoiVNeID"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(messages.iter().any(|m| m["TrangThaiHoSo"] == 10 && m["MaKetQua"].is_string()));
    for m in messages.iter().filter(|m| m["MaKetQua"].is_string()) {
        assert!(m["DuongDanTepTinKetQua"].as_str().unwrap().starts_with("http://127.0.0.1/cong-dan/ho-so/"), "{m}");
    }
    server.stop().await;
    portal.stop().await;
}
on_both_backends!(every_demo_dossier_reaches_the_portal_as_it_scores);

/// A counter dossier the population database disagrees with has no code and sends the portal nothing; once the
/// register is corrected and the dossier received, its whole history goes out under its code, once.
async fn a_dossier_reaches_the_portal_only_with_its_code(backend: Backend) {
    let portal = start_portal();
    let register = sim::spawn(
        std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        sim::population::routes(sim::population::Settings { token: "pop".into() }),
    )
    .unwrap();
    let outside = Outside {
        population: Some(Endpoint { url: register.url.clone(), token: "pop".into() }),
        ..portal_outside(&portal)
    };
    let server = TestServer::launch(backend, Launch { outside, ..Launch::default() }).await;
    drain(&server).await;
    let before = portal_state(&portal).await["dossiers"].as_array().unwrap().len();
    let ward = hong_bang(&server).await;
    // Unknown to the register: held at status 1 without a code.
    let held = server.receive(&ward.clerk, new_dossier("1.001612", HONG_BANG, "031090012401")).await;
    assert_eq!((held["status"].as_u64(), held["code"].is_null()), (Some(1), true), "{held}");
    drain(&server).await;
    let state = portal_state(&portal).await;
    assert_eq!(state["dossiers"].as_array().unwrap().len(), before, "nothing without a code");
    assert!(!state.to_string().contains(held["id"].as_str().unwrap()), "our internal id never reaches the portal");
    // The register learns the person; checked again and received, the dossier goes out with its code.
    let person = json!({"SoDinhDanh": "031090012401", "HoVaTen": "Nguyễn  văn Thử", "NgaySinh": "1990-01-15",
        "GioiTinh": 1, "NoiThuongTru": "5 Minh Khai, phường Hồng Bàng, Hải Phòng", "QueQuan": "Hải Dương"});
    let added = reqwest::Client::new().post(format!("{}/_sim/people", register.url)).json(&person).send().await;
    assert_eq!(added.unwrap().status(), StatusCode::CREATED);
    let id = held["id"].as_str().unwrap();
    let (status, checked) = server
        .send(reqwest::Method::POST, &format!("/api/v1/dossiers/{id}/identity-check"), Some(&ward.clerk), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{checked}");
    let received = server.act_ok(&ward.clerk, &checked, json!({"action": "receive"})).await;
    let code = received["code"].as_str().unwrap().to_string();
    drain(&server).await;
    let state = portal_state(&portal).await;
    assert_eq!(state["refusals"], json!([]));
    let seen = view(&state, &code);
    assert_eq!(seen["CacTrangThai"], json!([2]));
    let rows = seen["HoSo"]["QuaTrinhXuLy"].as_array().unwrap();
    assert_eq!(rows[0]["NoiDungXuLy"], "Tiếp nhận hồ sơ");
    assert_eq!(rows[0]["NguoiXuLy"], "Trần Văn Bình");
    server.stop().await;
    portal.stop().await;
    register.stop().await;
}
on_both_backends!(a_dossier_reaches_the_portal_only_with_its_code);
