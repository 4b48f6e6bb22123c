//! Inter-agency bundles (Decree 63/2024) end to end: a citizen chooses 2 of the 4 procedures of the birth
//! bundle; reception opens one member dossier at each procedure's own agency, with its own code and deadline;
//! the bundle waits for both, is returned with them, and the strict portal holds each member under its own code
//! with the bundle's.

use motcua_engine::service::ServiceError;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::portal::{drain, portal_outside, start_portal};
use crate::support::{Backend, HONG_BANG, Launch, TestServer, assert_problem, hong_bang, sample_pdf};

const SOCIAL_INSURANCE: &str = "000.00.35.H26";
const APPLICANT: &str = "031190012345";

/// The birth bundle filed online with `members` chosen, as the demo's Nguyễn Thị Hường.
async fn file_bundle(server: &TestServer, members: &[&str]) -> (StatusCode, Value) {
    let citizen = server.citizen_token(APPLICANT, "Nguyễn Thị Hường");
    let mut ids = Vec::new();
    for name in ["to-khai.pdf", "giay-chung-sinh.pdf"] {
        let (status, upload) = server.upload(&citizen, name, sample_pdf()).await;
        assert_eq!(status, StatusCode::CREATED, "{upload}");
        ids.push(upload["id"].as_str().unwrap().to_string());
    }
    let body = json!({
        "procedure_code": "3.000722", "agency": HONG_BANG,
        "applicant": {"name": "Nguyễn Thị Hường", "id_number": APPLICANT, "birth_date": "1990-05-17", "sex": "female"},
        "components": [{"id": "to_khai_lien_thong", "upload": ids[0]}, {"id": "giay_chung_sinh", "upload": ids[1]}],
        "members": members,
    });
    server.send(reqwest::Method::POST, "/api/v1/me/dossiers", Some(&citizen), Some(body), &[]).await
}

async fn bundle_with_two_of_four_members(backend: Backend) {
    let portal = start_portal();
    let server = TestServer::launch(backend, Launch { outside: portal_outside(&portal), ..Launch::default() }).await;
    drain(&server).await;
    let ward = hong_bang(&server).await;

    // One procedure alone is no bundle, and birth registration cannot be left out.
    let (status, alone) = file_bundle(&server, &["1.001193"]).await;
    assert_problem(&(status, alone), 422, "dossier.bundle_choice");
    let (status, without) = file_bundle(&server, &["1.004194", "1.011467"]).await;
    assert_problem(&(status, without), 422, "dossier.bundle_choice");

    // Birth registration and the child's health insurance card: 2 of 4.
    let (status, filed) = file_bundle(&server, &["1.001193", "1.011467"]).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let bundle = server.dossier(&ward.clerk, filed["id"].as_str().unwrap()).await;
    let bundle = server.act_ok(&ward.clerk, &bundle, json!({"action": "receive"})).await;
    assert_eq!((bundle["status"].as_u64(), bundle["step"].as_str()), (Some(2), Some("members")));
    let members = bundle["member_dossiers"].as_array().unwrap().clone();
    let agencies: Vec<(&str, &str)> =
        members.iter().map(|m| (m["procedure"].as_str().unwrap(), m["agency"].as_str().unwrap())).collect();
    assert_eq!(agencies, [("1.001193", HONG_BANG), ("1.011467", SOCIAL_INSURANCE)], "each at its own agency");
    for m in &members {
        assert!(m["code"].as_str().unwrap().starts_with(m["agency"].as_str().unwrap()), "its own agency's code");
    }
    let latest = members.iter().map(|m| m["due_at"].as_str().unwrap().to_string()).max().unwrap();
    assert_eq!(bundle["due_at"].as_str().unwrap(), latest, "the bundle is due when its last member is");

    // The ward registers the birth: the bundle still waits.
    let birth = server.dossier(&ward.clerk, members[0]["dossier_id"].as_str().unwrap()).await;
    assert_eq!((birth["status"].as_u64(), birth["bundle"]["code"].clone()), (Some(2), bundle["code"].clone()));
    assert_eq!(birth["components"].as_array().unwrap().len(), 2, "the bundle's papers, mapped to the member's");
    let appraise = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện"}});
    let birth = server.act_ok(&ward.specialist, &birth, appraise.clone()).await;
    let birth = server.act_ok(&ward.leader, &birth, json!({"action": "sign"})).await;
    let (_, scan) = server.upload(&ward.records, "giay-khai-sinh.pdf", sample_pdf()).await;
    let (id, version) = (birth["id"].as_str().unwrap().to_string(), birth["version"].to_string());
    let result = json!({"upload": scan["id"], "title": "Giấy khai sinh"});
    let (status, birth) = server
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/dossiers/{id}/results"),
            Some(&ward.records),
            Some(result),
            &[("If-Match", &version)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{birth}");
    let birth = server.act_ok(&ward.records, &birth, json!({"action": "seal", "number": "15/GKS"})).await;
    assert_eq!(birth["status"], 9);
    let waiting = server.dossier(&ward.clerk, bundle["id"].as_str().unwrap()).await;
    assert_eq!(waiting["status"], 2, "the card is not issued yet");

    // Social insurance issues the card: the last member finished, the bundle's result is ready.
    let (insurer, director) = (server.token("bhxh.chuyenvien").await, server.token("bhxh.giamdoc").await);
    let card = server.dossier(&insurer, members[1]["dossier_id"].as_str().unwrap()).await;
    let card = server.act_ok(&insurer, &card, appraise).await;
    let card = server.act_ok(&director, &card, json!({"action": "sign"})).await;
    assert_eq!(card["status"], 9);
    let ready = server.dossier(&ward.clerk, bundle["id"].as_str().unwrap()).await;
    assert_eq!((ready["status"].as_u64(), ready["step"].as_str()), (Some(9), Some("return")));

    // Returned at the desk: every member with it.
    let returned = server.act_ok(&ward.clerk, &ready, json!({"action": "return", "method": "counter"})).await;
    assert_eq!(returned["status"], 10);
    for m in &members {
        let services = server.services.clone();
        let id = m["dossier_id"].as_str().unwrap().to_string();
        let member = tokio::task::spawn_blocking(move || {
            services.db().read(|c| motcua_engine::store::dossiers::get(c, &id).map_err(ServiceError::from)).unwrap()
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(member.status.code(), 10, "{} returned with the bundle", m["procedure"]);
    }

    // The portal holds the bundle and each member under its own code, the members naming the bundle.
    drain(&server).await;
    let state: Value = reqwest::get(format!("{}/_sim/state", portal.url)).await.unwrap().json().await.unwrap();
    assert_eq!(state["refusals"], json!([]));
    let seen = |code: &str| {
        state["dossiers"].as_array().unwrap().iter().find(|v| v["MaHoSo"] == code).cloned().expect("synced")
    };
    assert_eq!(seen(bundle["code"].as_str().unwrap())["TrangThaiHoSo"], 10);
    for m in &members {
        let view = seen(m["code"].as_str().unwrap());
        assert_eq!(view["TrangThaiHoSo"], 10);
        assert_eq!(view["HoSo"]["MaHoSoLienThong"], bundle["code"]);
        assert_eq!(view["HoSo"]["MaTTHC"], m["procedure"]);
    }
    server.stop().await;
    portal.stop().await;
}
on_both_backends!(bundle_with_two_of_four_members);
