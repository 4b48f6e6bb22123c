//! One online dossier through every outside system, each simulated and each failing once on the way: the portal
//! routes it, the citizen signs in with the e-identity and follows it, the clerk checks the applicant against the
//! population database and receives it, the fee is paid on the payment platform, the result is returned
//! electronically, the applicant is told by mail and SMS; in the end the portal's view equals ours and nothing
//! was lost or sent twice.

use std::time::Duration;

use base64::Engine as _;
use motcua_api::sim::{self, Running};
use motcua_engine::adapters::outside::{Endpoint, Outside, PaymentEndpoint};
use motcua_engine::jobs::dispatcher;
use motcua_engine::service::ServiceError;
use motcua_engine::store::outbox;
use motcua_engine::wiring::outbound;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::identity::{idp_settings, provider, sign_in};
use crate::support::{Backend, HONG_BANG, Launch, TestServer, hong_bang, return_electronically, sample_pdf};

const HUONG: &str = "031190012345";

fn loopback() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap()
}

struct World {
    portal: Running,
    idp: Running,
    population: Running,
    payment: Running,
    sms: Running,
    mail: sim::mail::MailSim,
}

impl World {
    fn start() -> World {
        let portal = sim::spawn(
            loopback(),
            sim::portal::routes(sim::portal::Settings {
                token: "portal-token".into(),
                motcua_url: String::new(),
                client_id: String::new(),
                client_secret: String::new(),
            }),
        )
        .unwrap();
        let idp = sim::spawn(loopback(), sim::idp::routes(idp_settings())).unwrap();
        let population =
            sim::spawn(loopback(), sim::population::routes(sim::population::Settings { token: "pop-token".into() }))
                .unwrap();
        let payment = sim::spawn(
            loopback(),
            sim::payment::routes(sim::payment::Settings {
                token: "pay-token".into(),
                merchant: "MOTCUA-TEST".into(),
                secret: "pay-secret".into(),
                callback_base: None,
            }),
        )
        .unwrap();
        let sms =
            sim::spawn(loopback(), sim::sms::routes(sim::sms::Settings { token: "sms-token".into(), max_length: 306 }))
                .unwrap();
        let settings =
            sim::mail::Settings { smtp_bind: String::new(), hostname: "mail.test.invalid".into(), max_size: 1 << 20 };
        let mail = sim::mail::spawn(loopback(), loopback(), settings).unwrap();
        World { portal, idp, population, payment, sms, mail }
    }

    fn outside(&self) -> Outside {
        Outside {
            portal: Some(Endpoint { url: self.portal.url.clone(), token: "portal-token".into() }),
            population: Some(Endpoint { url: self.population.url.clone(), token: "pop-token".into() }),
            payment: Some(PaymentEndpoint {
                endpoint: Endpoint { url: self.payment.url.clone(), token: "pay-token".into() },
                merchant: "MOTCUA-TEST".into(),
                secret: "pay-secret".into(),
            }),
            sms: Some(Endpoint { url: self.sms.url.clone(), token: "sms-token".into() }),
            smtp_url: Some(self.mail.smtp_url.clone()),
            oidc: Some(provider(&self.idp)),
            timeout: Duration::from_millis(800),
            ..Outside::default()
        }
    }
}

async fn post(url: String, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(url: String) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

async fn fault(sim: &Running, plan: Value) {
    let (status, _) = post(format!("{}/_sim/faults", sim.url), plan).await;
    assert_eq!(status, StatusCode::OK);
}

/// Delivers the outbox until every routed topic is empty (real time: the simulators fail in real time).
async fn drain(server: &TestServer) {
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        let router = outbound(&services.config.outside);
        for _ in 0..200 {
            if dispatcher::dispatch(&services, &router, 100).unwrap().claimed == 0 {
                if crate::portal::pending(&services, &router.topics()) == 0 {
                    return;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        panic!("the outbox did not drain");
    })
    .await
    .unwrap();
}

/// Waits (real time) until the dossier, as its applicant sees it, satisfies `ready`.
async fn wait_for(server: &TestServer, citizen: &str, id: &str, ready: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let (_, mine) = server.get(&format!("/api/v1/me/dossiers/{id}"), citizen).await;
        if ready(&mine) {
            return mine;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the dossier never got there");
}

async fn whole_online_lifecycle_with_every_simulator(backend: Backend) {
    let world = tokio::task::spawn_blocking(World::start).await.unwrap();
    let server = TestServer::launch(backend, Launch { outside: world.outside(), ..Launch::default() }).await;
    post(format!("{}/_sim/callback-base", world.payment.url), json!({"url": server.base})).await;
    drain(&server).await; // the demo's own messages first
    let services = server.services.clone();
    let account = tokio::task::spawn_blocking(move || {
        services.identity().create_service_account("Cổng DVC quốc gia", &["portal".to_string()], Some("dvcqg")).unwrap()
    })
    .await
    .unwrap();
    let target = json!({"motcua_url": server.base, "client_id": "dvcqg", "client_secret": account.secret});
    post(format!("{}/_sim/route-target", world.portal.url), target).await;

    // 1. Submitted on the national portal, routed to us (twice: the portal lost our first answer).
    let pdf = base64::engine::general_purpose::STANDARD.encode(sample_pdf());
    let submission = json!({
        "portal_id": "G22.99-261124-009001", "procedure_code": "1.001612", "agency": HONG_BANG,
        "applicant": {"name": "Nguyễn Thị Hường", "id_number": HUONG, "birth_date": "1990-05-17", "sex": "female",
                      "phone": "0912345678", "email": "huong@example.vn"},
        "summary": "Đăng ký hộ kinh doanh Tạp hóa Hường",
        "papers": [{"component": "giay_de_nghi", "file_name": "giay-de-nghi.pdf", "content_base64": pdf}],
        "signed_in_with_vneid": true,
    });
    fault(&world.portal, json!({"mode": "answer_twice", "count": 1})).await;
    let (status, routed) = post(format!("{}/_sim/route", world.portal.url), submission).await;
    assert_eq!(status, StatusCode::OK, "the second routing answers the dossier the first created: {routed}");
    let id = routed["id"].as_str().unwrap().to_string();
    assert_eq!(server.count("portal_intake").await, 1);

    // 2. The applicant signs in with the e-identity and finds it.
    let citizen = sign_in(&server, HUONG).await;
    let (_, mine) = server.get("/api/v1/me/dossiers", &citizen).await;
    assert!(mine["items"].as_array().unwrap().iter().any(|d| d["id"] == id.as_str()), "{mine}");

    // 3. The clerk checks her against the population database (down at first: not verified, checked again),
    //    receives the dossier and asks for the fee.
    let ward = hong_bang(&server).await;
    fault(&world.population, json!({"mode": "error", "count": 1})).await;
    let d = server.dossier(&ward.clerk, &id).await;
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "receive"})).await;
    assert_eq!(d["status"], 2);
    assert_eq!(d["identity_check"]["outcome"]["kind"], "not_verified", "{}", d["identity_check"]);
    let (status, checked) = server
        .send(reqwest::Method::POST, &format!("/api/v1/dossiers/{id}/identity-check"), Some(&ward.clerk), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{checked}");
    assert_eq!(checked["identity_check"]["outcome"]["kind"], "match", "{checked}");
    let d = checked;
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "request_payment", "amount_vnd": 100000})).await;
    assert_eq!(d["status"], 6);

    // 4. The order reaches the platform (after a timeout), she pays, the platform calls back twice.
    fault(&world.payment, json!({"mode": "timeout", "count": 1, "ms": 1500})).await;
    fault(&world.portal, json!({"mode": "error", "count": 2})).await;
    fault(&world.sms, json!({"mode": "answer_twice", "count": 2})).await;
    drain(&server).await;
    let orders = get(format!("{}/_sim/orders", world.payment.url)).await;
    let code = d["code"].as_str().unwrap().to_string();
    let ours: Vec<&Value> =
        orders["orders"].as_array().unwrap().iter().filter(|o| o["dossier_code"] == code.as_str()).collect();
    assert_eq!(ours.len(), 1, "one order, though the first request timed out: {orders}");
    let order = ours[0].clone();
    assert_eq!(order["amount_vnd"], 100000);
    let order_id = order["order_id"].as_str().unwrap();
    fault(&world.payment, json!({"mode": "answer_twice", "count": 1})).await;
    let (status, paid) = post(format!("{}/_sim/pay/{order_id}", world.payment.url), json!({})).await;
    assert!(status.is_success(), "{paid}");
    let mine = wait_for(&server, &citizen, &id, |d| d["dossier"]["status"] == 4 || d["status"] == 4).await;
    let history = server.history(&ward.clerk, &id).await;
    let payments = history["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "payment_recorded").count();
    assert_eq!(payments, 1, "one payment however often the platform calls: {mine}");

    // 5. Appraised, approved, signed, sealed, returned electronically; she downloads the result.
    let d = server.dossier(&ward.clerk, &id).await;
    let d = server.act_ok(&ward.head, &d, json!({"action": "assign", "assignee": ward.specialist_id})).await;
    let d = return_electronically(&server, &ward, &d, "Đủ điều kiện đăng ký").await;
    fault(&world.portal, json!({"mode": "down", "seconds": 1})).await;
    drain(&server).await;
    let (status, results) = server.get(&format!("/api/v1/me/dossiers/{id}/results"), &citizen).await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert!(!results.as_array().or(results["items"].as_array()).unwrap().is_empty(), "{results}");

    // 6. The portal's view equals ours, every message applied once, nothing dead.
    assert_eq!(d["code"], code.as_str());
    let state = get(format!("{}/_sim/state", world.portal.url)).await;
    assert_eq!(state["refusals"], json!([]));
    let view = state["dossiers"].as_array().unwrap().iter().find(|v| v["MaHoSo"] == code.as_str()).unwrap();
    assert_eq!(view["TrangThaiHoSo"], 10);
    assert_eq!(view["CacTrangThai"], json!([1, 2, 6, 4, 9, 10]));
    assert_eq!(view["Sequence"], d["version"]);
    // What the portal scores from: its own id carried back, the channel, the VNeID account, the fee paid online
    // through our gateway, the papers digitised.
    let message = &view["HoSo"];
    assert_eq!(message["MaHoSoDVCQG"], "G22.99-261124-009001");
    assert_eq!(message["KenhThucHien"], 2);
    assert_eq!(message["TaiKhoanDuocXacThucVoiVNeID"], 1);
    assert_eq!(message["DuocThanhToanTrucTuyen"], 2);
    let fee = json!([{"TenPhiLePhi": "Lệ phí đăng ký hộ kinh doanh", "MucPhi": 100000, "HinhThucThu": "Trực tuyến"}]);
    assert_eq!(message["DanhSachLePhi"], fee);
    assert_eq!((message["DuocSoHoa"].as_u64(), message["HoSoCoThanhPhanSoHoa"].as_u64()), (Some(1), Some(1)));
    assert_eq!(message["MucDoDVC"], "ToanTrinh");
    assert_eq!(message["MaLinhVuc"], "HOKINHDOANH");
    let services = server.services.clone();
    let dossier_id = id.clone();
    let rows = tokio::task::spawn_blocking(move || {
        services.db().read(|c| outbox::for_dossier(c, &dossier_id).map_err(ServiceError::from)).unwrap()
    })
    .await
    .unwrap();
    assert!(rows.iter().all(|m| m.delivered_at.is_some() && !m.dead), "{rows:?}");
    let topics: Vec<&str> = rows.iter().map(|m| m.topic.as_str()).collect();
    for topic in ["portal.status_sync", "payment.order", "notify.email", "notify.sms"] {
        assert!(topics.contains(&topic), "{topic} in {topics:?}");
    }
    let sms = get(format!("{}/messages", world.sms.url)).await;
    let to_her = sms["messages"].as_array().unwrap().iter();
    let to_her = to_her.filter(|m| m["reference"].as_str().is_some_and(|r| r.starts_with(id.as_str()))).count();
    let sms_rows = rows.iter().filter(|m| m.topic == "notify.sms").count();
    assert_eq!(to_her, sms_rows, "each text once, though the gateway lost answers");

    server.stop().await;
    for running in [world.portal, world.idp, world.population, world.payment, world.sms] {
        running.stop().await;
    }
    tokio::task::spawn_blocking(move || world.mail.stop_blocking()).await.unwrap();
}
on_both_backends!(whole_online_lifecycle_with_every_simulator);
