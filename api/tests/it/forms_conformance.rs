//! Forms 01-06 of real dossiers (the demo's, driven through the engine) read back with pdftotext: each prints
//! what Circular 01/2018/TT-VPCP asks for, and the control slip and the register agree on early, on time or late
//! for every dossier.

use motcua_engine::domain::calendar::Timeliness;
use motcua_engine::domain::dossier::{Dossier, Status};
use motcua_engine::service::ServiceError;
use reqwest::StatusCode;

use crate::documents::{poppler, text_of};
use crate::support::{Backend, TestServer};

/// The demo's reception clerks, by agency: they may download every form of their agency's dossiers.
const CLERKS: [(&str, &str); 3] = [
    ("000.31.01.H26", "hongbang.tiepnhan"),
    ("000.31.02.H26", "lechan.tiepnhan"),
    ("000.00.12.H26", "taichinh.tiepnhan"),
];

fn label(t: Option<Timeliness>) -> &'static str {
    match t {
        Some(Timeliness::Early) => "Trước hạn",
        Some(Timeliness::OnTime) => "Đúng hạn",
        Some(Timeliness::Late) => "Quá hạn",
        None => "Đang giải quyết",
    }
}

async fn demo_dossiers(server: &TestServer) -> Vec<Dossier> {
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        services
            .db()
            .read(|c| motcua_engine::store::dossiers::page_by_id(c, None, 1000).map_err(ServiceError::from))
            .unwrap()
    })
    .await
    .unwrap()
}

async fn form(server: &TestServer, token: &str, dossier: &Dossier, code: &str) -> Vec<u8> {
    let (status, content_type, pdf) =
        server.get_bytes(&format!("/api/v1/dossiers/{}/forms/{code}", dossier.id), token).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "application/pdf"), "form {code} of {}", dossier.id);
    pdf
}

async fn clerk_of(server: &TestServer, agency: &str) -> String {
    let username = CLERKS.iter().find(|(a, _)| *a == agency).map(|(_, u)| *u).expect("a demo agency");
    server.token(username).await
}

fn assert_contains(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
}

/// Form 05 states each dossier's result as the register (form 06) does, line for line.
async fn control_slip_and_register_agree_for_every_demo_dossier(backend: Backend) {
    let server = TestServer::start(backend).await;
    let dossiers = demo_dossiers(&server).await;
    let received: Vec<&Dossier> = dossiers.iter().filter(|d| d.received_at.is_some()).collect();
    assert!(received.len() >= 15, "{} received demo dossiers", received.len());
    let today = server.services.calendar.local_date(server.now());
    for (agency, _) in CLERKS {
        let clerk = clerk_of(&server, agency).await;
        let path = format!("/api/v1/agencies/{agency}/register?from={today}&to={today}");
        let (status, _, register) = server.get_bytes(&path, &clerk).await;
        assert_eq!(status, StatusCode::OK);
        let layout = poppler("pdftotext", &["-enc", "UTF-8", "-layout"], &register);
        for d in received.iter().filter(|d| d.agency == agency) {
            let slip = text_of(&form(&server, &clerk, d, "05").await);
            let result = label(d.timeliness);
            assert_contains(&slip, &[&format!("Kết quả giải quyết hồ sơ: {result}")]);
            if d.timeliness == Some(Timeliness::Late) {
                assert!(slip.matches("Quá hạn").count() >= 2, "a late dossier has a late step: {slip}");
            }
            // The register row opens with its entry number; its first line carries the result first.
            let entry = d.register_entry.expect("received dossiers are registered").to_string();
            let code = d.code.as_deref().unwrap();
            let row = layout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{entry} ")) && l.contains(&code[..20]))
                .unwrap_or_else(|| panic!("no row {entry} for {code} in:\n{layout}"));
            let finished = d.timeliness.is_some();
            assert_eq!(row.contains(result), finished, "{code}: {result} in {row:?}");
            for other in ["Trước hạn", "Đúng hạn", "Quá hạn"].iter().filter(|l| **l != result) {
                assert!(!row.contains(other), "{code}: {other} in {row:?}");
            }
        }
    }
    server.stop().await;
}
on_both_backends!(control_slip_and_register_agree_for_every_demo_dossier);

/// Forms 01-04 of demo dossiers carry what the circular prints: numbers, the register entry, the copies, the
/// receiving officer's phone, a deputy's signature.
async fn forms_01_to_04_of_demo_dossiers_carry_the_circulars_items(backend: Backend) {
    let server = TestServer::start(backend).await;
    let dossiers = demo_dossiers(&server).await;
    let clerk = clerk_of(&server, "000.31.01.H26").await;
    let ward: Vec<&Dossier> = dossiers.iter().filter(|d| d.agency == "000.31.01.H26").collect();
    let year = server.services.calendar.local_date(server.now()).format("%Y").to_string();

    let received = ward.iter().find(|d| d.status == Status::Received).expect("a received demo dossier");
    let entry = received.register_entry.unwrap();
    let receipt = text_of(&form(&server, &clerk, received, "01").await);
    assert_contains(
        &receipt,
        &[
            &format!("Số: {entry}/TNHS"),
            &format!("Vào Sổ theo dõi hồ sơ, Quyển số: {year}, Số thứ tự: {entry}"),
            "được lập thành 02 liên; 01 liên giao cho cá nhân, tổ chức nộp hồ sơ; 01 liên chuyển kèm theo hồ sơ",
            "Hình thức Số lượng",
        ],
    );

    let supplement = ward.iter().find(|d| d.status == Status::SupplementRequested).expect("a supplement");
    let request = text_of(&form(&server, &clerk, supplement, "02").await);
    assert_contains(
        &request,
        &["Số: 1/PBSHS", "Lê Thị Cúc (Chuyên viên), Phòng Kinh tế, Hạ tầng và Đô thị, số điện thoại 0225 3821 103"],
    );

    let refused = ward.iter().find(|d| d.status == Status::RefusedAtReception).expect("a refusal");
    assert_contains(&text_of(&form(&server, &clerk, refused, "03").await), &["Số: 1/TCHS"]);

    let extended = ward.iter().find(|d| d.original_due_at.is_some()).expect("an extended demo dossier");
    let apology = text_of(&form(&server, &clerk, extended, "04").await);
    assert_contains(&apology, &["Số: 1/PXL", "KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "Hoàng Minh Tuấn"]);

    let returned = ward.iter().find(|d| d.status == Status::Returned).expect("a returned demo dossier");
    let slip = text_of(&form(&server, &clerk, returned, "05").await);
    assert_contains(
        &slip,
        &["Người giao (ký, ghi rõ họ tên)", "Người nhận (ký, ghi rõ họ tên)", "Trung tâm Phục vụ hành chính công"],
    );
    server.stop().await;
}
on_both_backends!(forms_01_to_04_of_demo_dossiers_carry_the_circulars_items);
