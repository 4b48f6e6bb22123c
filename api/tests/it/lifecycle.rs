//! The whole default flow through HTTP: receive -> assign -> appraise -> review -> sign -> seal -> return.

use crate::support::{Backend, HONG_BANG, TestServer, new_dossier};
use reqwest::StatusCode;
use serde_json::json;

/// Household business registration (1.001612): the full default flow at a ward.
async fn default_flow_to_returned(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let head = server.token("hongbang.truongphong").await;
    let specialist = server.token("hongbang.chuyenvien").await;
    let leader = server.token("hongbang.lanhdao").await;
    let records = server.token("hongbang.vanthu").await;

    let dossier = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    assert_eq!(dossier["status"], 2);
    assert_eq!(dossier["step"], "assign");
    assert!(dossier["code"].as_str().unwrap().starts_with("000.31.01.H26-"), "{dossier}");
    assert!(dossier["due_at"].is_string());

    let specialist_id = server.staff_id("hongbang.chuyenvien").await;
    let d = server
        .act_ok(&head, &dossier, json!({"action": "assign", "assignee": specialist_id, "note": "Xử lý trong ngày"}))
        .await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(4), Some("appraise")));
    let d = server
        .act_ok(
            &specialist,
            &d,
            json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện cấp"}}),
        )
        .await;
    let d = server.act_ok(&head, &d, json!({"action": "approve"})).await;
    let d = server.act_ok(&leader, &d, json!({"action": "sign"})).await;
    let d = server.act_ok(&records, &d, json!({"action": "seal", "number": "15/HKD"})).await;
    assert_eq!((d["status"].as_u64(), d["step"].as_str()), (Some(9), Some("return")));
    assert_eq!(d["timeliness"], "early");
    let d = server.act_ok(&clerk, &d, json!({"action": "return", "method": "counter"})).await;
    assert_eq!(d["status"], 10);

    let id = d["id"].as_str().unwrap();
    let (status, history) = server.get(&format!("/api/v1/dossiers/{id}/history"), &clerk).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = history["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["submitted", "received", "assigned", "appraised", "approved", "signed", "numbered", "sealed", "returned"]
    );
    let slip = history["control_slip"].as_array().unwrap();
    assert_eq!(slip.len(), 7, "one row per step");
    assert!(slip.iter().all(|row| row["timeliness"] == "early" || row["timeliness"] == "on_time"), "{slip:?}");
    assert_eq!(history["events"][2]["note"], "Xử lý trong ngày");

    // Public tracking: code plus the applicant's id, nothing more personal.
    let code = d["code"].as_str().unwrap();
    let (status, tracked) =
        server.send(reqwest::Method::GET, &format!("/api/v1/track?code={code}&id=031085001234"), None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tracked["status"], 10);
    assert!(tracked.get("applicant").is_none() && !tracked.to_string().contains("Nguyễn Văn Thử"));
    let (status, _) =
        server.send(reqwest::Method::GET, &format!("/api/v1/track?code={code}&id=031190012345"), None, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another person's id tells nothing");

    // The audit chain is intact and every status change was queued for the national portal.
    assert!(server.count("events").await >= 8);
    let services = server.services.clone();
    let report = tokio::task::spawn_blocking(move || {
        let mut conn = services.db().conn().unwrap();
        motcua_engine::store::events::verify(&mut conn).unwrap()
    })
    .await
    .unwrap();
    assert!(report.broken.is_empty(), "{:?}", report.broken);
    server.stop().await;
}

on_both_backends!(default_flow_to_returned);
