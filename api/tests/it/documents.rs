//! Forms and results as PDFs through HTTP (DESIGN.md §9): the receipt printed at reception with its due date and
//! tracking link; a result drafted from its template, signed by the leader, numbered and sealed by the agency,
//! accepted by poppler's `pdfsig`; a tampered copy detected.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{Backend, HONG_BANG, TEST_APPLICANT_KEY, TEST_PKI, TEST_PKI_PASSWORD, TestServer, new_dossier};
use chrono::TimeDelta;
use motcua_engine::documents::signature::SignatureCheck;
use motcua_engine::domain::identity::CitizenIdentity;
use motcua_engine::jobs::queue::run_due_jobs;
use motcua_engine::service::ServiceError;
use motcua_engine::service::requests::OnlineSubmission;
use motcua_engine::signing::{BuiltInSigner, DirectoryKeyring, KeyKind, Signer, self_signed};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Runs a poppler tool over a PDF given on a temp file; answers its standard output.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("motcua-doc-{}-{n}.pdf", std::process::id()));
    std::fs::File::create(&path).unwrap().write_all(pdf).unwrap();
    let _cleanup = Cleanup(path.clone());
    let path = path.to_str().unwrap().to_string();
    let mut command = Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let out = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{tool} runs (poppler-utils): {e}"));
    String::from_utf8(out.stdout).unwrap()
}

struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The PDF's text with every run of white space as one space (lines wrap where the layout wants).
pub fn text_of(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-enc", "UTF-8"], pdf).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A copy with one letter changed in the first object that names `needle`: inside every signed range.
fn tamper(pdf: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut copy = pdf.to_vec();
    let at = copy.windows(needle.len()).position(|w| w == needle).expect("the needle is in the PDF");
    copy[at + 1] ^= 0x20;
    copy
}

/// The text of a dossier's form (`"01"` … `"05"`), downloaded as staff.
pub async fn form_text(server: &TestServer, token: &str, dossier: &Value, form: &str) -> String {
    let id = dossier["id"].as_str().unwrap();
    let (status, content_type, pdf) = server.get_bytes(&format!("/api/v1/dossiers/{id}/forms/{form}"), token).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "application/pdf"), "form {form}");
    text_of(&pdf)
}

async fn papers(server: &TestServer, token: &str, id: &str) -> Vec<Value> {
    let (status, papers) = server.get(&format!("/api/v1/dossiers/{id}/papers"), token).await;
    assert_eq!(status, StatusCode::OK);
    papers.as_array().unwrap().clone()
}

async fn content(server: &TestServer, token: &str, id: &str, paper: &str) -> Vec<u8> {
    let (status, _, bytes) = server.get_bytes(&format!("/api/v1/dossiers/{id}/papers/{paper}/content"), token).await;
    assert_eq!(status, StatusCode::OK);
    bytes
}

/// The receipt at reception, then the whole result flow with electronic signatures.
async fn receipt_and_signed_result(backend: Backend) {
    let server = TestServer::start_signing(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let head = server.token("hongbang.truongphong").await;
    let specialist = server.token("hongbang.chuyenvien").await;
    let leader = server.token("hongbang.lanhdao").await;
    let records = server.token("hongbang.vanthu").await;

    let dossier = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let id = dossier["id"].as_str().unwrap().to_string();
    let code = dossier["code"].as_str().unwrap().to_string();

    // Form 01 prints at once: code, due date in Vietnamese wording, clerk, tracking link.
    let (status, content_type, receipt) = server.get_bytes(&format!("/api/v1/dossiers/{id}/forms/01"), &clerk).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "application/pdf"));
    let text = text_of(&receipt);
    let due = crate::support::instant(&dossier["due_at"]).with_timezone(&chrono_tz::Asia::Ho_Chi_Minh);
    let due_words = motcua_engine::adapters::forms::vn_date(due.date_naive());
    for expected in ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", &code, &due_words, "Đăng ký thành lập hộ kinh doanh"]
    {
        assert!(text.contains(expected), "receipt lacks {expected:?}:\n{text}");
    }
    assert!(text.contains(&format!("tra-cuu?ma={code}")), "tracking link:\n{text}");
    // The job queued with the event renders the same paper again: one form paper, same bytes.
    run_due_jobs(&server.services, "test", 50).unwrap();
    let forms: Vec<Value> = papers(&server, &clerk, &id).await.into_iter().filter(|p| p["kind"] == "form").collect();
    assert_eq!(forms.len(), 1, "{forms:?}");
    assert_eq!(content(&server, &clerk, &id, forms[0]["id"].as_str().unwrap()).await, receipt);
    // No refusal was made: form 03 does not exist for this dossier.
    let (status, _, _) = server.get_bytes(&format!("/api/v1/dossiers/{id}/forms/03"), &clerk).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let specialist_id = server.staff_id("hongbang.chuyenvien").await;
    let d = server.act_ok(&head, &dossier, json!({"action": "assign", "assignee": specialist_id})).await;
    let summary = "Hộ kinh doanh Nguyễn Văn Thử, ngành nghề: bán lẻ thực phẩm";
    let d = server
        .act_ok(&specialist, &d, json!({"action": "appraise", "proposal": {"kind": "result", "summary": summary}}))
        .await;
    let draft_id = d["result_document"].as_str().expect("a draft is rendered at appraisal").to_string();
    let draft = content(&server, &specialist, &id, &draft_id).await;
    let text = text_of(&draft);
    assert!(text.contains("GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH") && text.contains(summary), "{text}");
    assert!(!text.contains("15/HKD"), "the draft has no number yet");
    assert!(poppler("pdfsig", &["-nocert"], &draft).contains("does not contain any signatures"));

    let d = server.act_ok(&head, &d, json!({"action": "approve"})).await;
    let d = server.act_ok(&leader, &d, json!({"action": "sign"})).await;
    let signed_id = d["result_document"].as_str().unwrap().to_string();
    assert_ne!(signed_id, draft_id);
    let signed = content(&server, &leader, &id, &signed_id).await;
    assert!(signed.starts_with(&draft), "the signature is an incremental update of the draft");

    let d = server.act_ok(&records, &d, json!({"action": "seal", "number": "15/HKD"})).await;
    assert_eq!((d["status"].as_u64(), d["result_number"].as_str()), (Some(9), Some("15/HKD")));
    let sealed = content(&server, &records, &id, d["result_document"].as_str().unwrap()).await;
    assert!(sealed.starts_with(&signed), "numbering and sealing keep the leader's signature intact");
    let report = poppler("pdfsig", &["-nocert"], &sealed);
    assert_eq!(report.matches("Signature is Valid.").count(), 2, "{report}");
    assert!(report.contains("Hoàng Minh Tuấn") && report.contains("Ủy ban nhân dân phường Hồng Bàng"), "{report}");
    assert!(text_of(&sealed).contains("15/HKD"));
    let kinds: Vec<String> = server.history(&clerk, &id).await["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds[3..], ["appraised", "approved", "signed", "numbered", "sealed"]);

    // Our verifier agrees; one changed byte inside the signed range and it no longer does.
    let verifier = server.services.verifier.clone().expect("a verifier with the test CA");
    let check = verifier.check("application/pdf", &mut &sealed[..]).unwrap();
    assert!(matches!(check, SignatureCheck::Valid { .. }), "{check:?}");
    let tampered = tamper(&sealed, b"/Catalog");
    let check = verifier.check("application/pdf", &mut &tampered[..]).unwrap();
    assert!(matches!(check, SignatureCheck::Invalid { .. }), "{check:?}");
    let report = poppler("pdfsig", &["-nocert"], &tampered);
    assert!(!report.contains("Signature is Valid."), "pdfsig sees the change too: {report}");

    // Returned: the sealed result goes to the applicant's repository as a validly signed paper.
    let d = server.act_ok(&clerk, &d, json!({"action": "return", "method": "counter"})).await;
    assert_eq!(d["status"], 10);
    let owner = server.citizen_token("031085001234", "Nguyễn Văn Thử");
    let (status, items) = server.get("/api/v1/repository/items", &owner).await;
    assert_eq!(status, StatusCode::OK);
    let result = items["items"]
        .as_array()
        .or(items.as_array())
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Giấy chứng nhận đăng ký hộ kinh doanh")
        .cloned()
        .unwrap_or_else(|| panic!("the result is in the repository: {items}"));
    assert_eq!(result["signature_status"], "valid", "{result}");
    // The control slip is kept at return.
    let (status, _, slip) = server.get_bytes(&format!("/api/v1/dossiers/{id}/forms/05"), &clerk).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&slip).contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"));
}

/// Filed online, a paper the procedure wants signed by the applicant is refused unsigned or with an untrusted
/// signature, each with its reason, and accepted with a valid one.
async fn applicant_signature_is_checked_online(backend: Backend) {
    let server = TestServer::start_signing(backend).await;
    let applicant = "031085001234";
    let owner = server.citizen_token(applicant, "Nguyễn Văn Thử");
    let now = chrono::Utc::now();
    let unsigned = crate::support::sample_pdf();
    let key = std::fs::read(DirectoryKeyring::staff_file(&TEST_PKI, TEST_APPLICANT_KEY)).unwrap();
    let own = BuiltInSigner::from_pkcs12(&key, TEST_PKI_PASSWORD).unwrap();
    let signed = own.sign_pdf(&unsigned, "Người nộp hồ sơ ký", now).unwrap();
    let stranger =
        self_signed("CN=Tự cấp,C=VN", KeyKind::EcdsaP256, now - TimeDelta::hours(1), now + TimeDelta::days(1))
            .unwrap()
            .sign_pdf(&unsigned, "Tự ký", now)
            .unwrap();
    let altered = tamper(&signed, b"/Catalog");

    let cases = [
        ("unsigned", unsigned, Some("paper.signature_required")),
        ("untrusted", stranger, Some("paper.signature_invalid")),
        ("altered", altered, Some("paper.signature_invalid")),
        ("signed", signed, None),
    ];
    for (case, bytes, refusal) in cases {
        let (status, upload) = server.upload(&owner, "thong-bao.pdf", bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{case}: {upload}");
        let mut body = new_dossier("2.001996", "000.00.12.H26", applicant);
        body.as_object_mut().unwrap().remove("channel");
        body["components"] = json!([{"id": "thong_bao_thay_doi", "upload": upload["id"]}]);
        let input: OnlineSubmission = serde_json::from_value(body).unwrap();
        let citizen =
            CitizenIdentity { id_number: applicant.into(), name: "Nguyễn Văn Thử".into(), birth_date: None };
        let services = server.services.clone();
        let outcome =
            tokio::task::spawn_blocking(move || services.dossiers().submit_online(&citizen, input)).await.unwrap();
        match (refusal, outcome) {
            (None, Ok(dossier)) => assert_eq!(dossier.status.code(), 1, "{case}"),
            (Some(code), Err(ServiceError::Invalid(fields))) => {
                assert_eq!(fields.len(), 1, "{case}: {fields:?}");
                assert_eq!((fields[0].field.as_str(), fields[0].code), ("components[0].upload", code), "{case}");
            }
            (expected, other) => panic!("{case}: expected {expected:?}, got {other:?}"),
        }
    }
    assert_eq!(server.count("dossiers").await, 24, "the demo's 23 dossiers and the one signed submission");
}

/// The leader extends a dossier: form 04 apologises with the reason, the date first promised and the new one.
async fn apology_at_extension(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let leader = server.token("hongbang.lanhdao").await;
    let d = server.receive(&clerk, new_dossier("1.001612", HONG_BANG, "031085001234")).await;
    let tz = chrono_tz::Asia::Ho_Chi_Minh;
    let first_due = crate::support::instant(&d["due_at"]);
    let new_due = first_due + TimeDelta::days(7);
    let reason = "Cần xác minh thêm địa điểm kinh doanh với tổ dân phố";
    let d = server
        .act_ok(&leader, &d, json!({"action": "extend", "new_due": new_due.to_rfc3339(), "reason": reason}))
        .await;
    let form = form_text(&server, &clerk, &d, "04").await;
    let words =
        |at: chrono::DateTime<chrono::Utc>| motcua_engine::adapters::forms::vn_date(at.with_timezone(&tz).date_naive());
    for expected in ["PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", reason, &words(first_due), &words(new_due)]
    {
        assert!(form.contains(expected), "form 04 lacks {expected:?}: {form}");
    }
}

on_both_backends!(receipt_and_signed_result, applicant_signature_is_checked_online, apology_at_extension);
