//! Papers of dossiers and the citizens' data repository (DESIGN.md §9, issue 4) through HTTP, on both
//! databases: upload refusals, papers with their history and the per-dossier limit, sharing rules, results
//! pushed on return and reused in the next dossier, back-fill, trash and usage, validity.

use std::time::Duration;

use crate::support::{
    Backend, HONG_BANG, LE_CHAN, TestServer, Ward, assert_problem, hong_bang, new_dossier, sample_pdf, tuesday_morning,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The repository's owner: a woman born in 1990 (not one of the demo's citizens).
const OWNER: &str = "031190055555";
/// Another citizen: a man born in 1987.
const OTHER: &str = "031087066666";
const MIB: usize = 1024 * 1024;

/// The sample scan made distinct by a comment before a second end marker (still a whole PDF).
fn pdf(tag: &str) -> Vec<u8> {
    let mut bytes = sample_pdf();
    bytes.extend_from_slice(format!("\n% {tag}\n%%EOF\n").as_bytes());
    bytes
}

/// `len` bytes shaped like a PDF: the header, filler, the end marker.
fn pdf_shaped(len: usize) -> Vec<u8> {
    let mut bytes = vec![b'0'; len];
    bytes[..9].copy_from_slice(b"%PDF-1.7\n");
    bytes[len - 7..].copy_from_slice(b"\n%%EOF\n");
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

/// The codes of a 422's `errors`.
fn error_codes(body: &Value) -> Vec<String> {
    body["errors"].as_array().map_or_else(Vec::new, |errors| {
        errors.iter().map(|e| e["code"].as_str().unwrap_or_default().to_string()).collect()
    })
}

/// A 422 naming `code` among its field errors.
#[track_caller]
fn assert_invalid(answer: &(StatusCode, Value), code: &str) {
    assert_problem(answer, 422, "request.invalid");
    assert!(error_codes(&answer.1).iter().any(|c| c == code), "{code} expected: {}", answer.1);
}

/// The ids of a list of items (or papers).
fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap_or_else(|| panic!("a list: {list}")).iter().map(|v| id(v).to_string()).collect()
}

fn component<'a>(dossier: &'a Value, component: &str) -> &'a Value {
    dossier["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == component)
        .unwrap_or_else(|| panic!("no component {component}: {dossier}"))
}

async fn post(server: &TestServer, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    server.send(Method::POST, path, Some(token), Some(body), &[]).await
}

async fn upload_ok(server: &TestServer, token: &str, name: &str, bytes: Vec<u8>) -> Value {
    let (status, upload) = server.upload(token, name, bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{upload}");
    upload
}

/// Downloads a file: the status and the bytes.
async fn download(server: &TestServer, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let response = server.client.get(server.url(path)).bearer_auth(token).send().await.expect("request sent");
    let status = response.status();
    (status, response.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
}

/// Attaches a paper to a dossier's component (`paper`: `{"upload": …}` or `{"repository_item": …}`) with the
/// dossier's version as If-Match.
async fn attach(
    server: &TestServer,
    token: &str,
    dossier: &Value,
    component: &str,
    paper: Value,
) -> (StatusCode, Value) {
    let mut body = json!({"component": component});
    body.as_object_mut().unwrap().extend(paper.as_object().unwrap().clone());
    let version = dossier["version"].to_string();
    let path = format!("/api/v1/dossiers/{}/papers", id(dossier));
    server.send(Method::POST, &path, Some(token), Some(body), &[("If-Match", &version)]).await
}

/// The owner uploads a file and adds it to their repository with `meta` (title, paper type, …).
async fn add_item(server: &TestServer, owner: &str, name: &str, bytes: Vec<u8>, meta: Value) -> Value {
    let upload = upload_ok(server, owner, name, bytes).await;
    let mut body = json!({"upload": upload["id"]});
    body.as_object_mut().unwrap().extend(meta.as_object().unwrap().clone());
    let (status, item) = post(server, "/api/v1/repository/items", owner, body).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    item
}

async fn offers(server: &TestServer, token: &str, procedure: &str, component: &str) -> Vec<String> {
    let path = format!("/api/v1/repository/offers?owner={OWNER}&procedure={procedure}&component={component}");
    let (status, body) = server.get(&path, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ids(&body)
}

/// What a staff member sees of the owner's repository.
async fn staff_view(server: &TestServer, token: &str) -> Vec<String> {
    let (status, body) = server.get(&format!("/api/v1/repository/owners/{OWNER}/items"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ids(&body)
}

async fn usage(server: &TestServer, owner: &str) -> (i64, i64, i64, i64) {
    let (status, body) = server.get("/api/v1/repository", owner).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let u = &body["usage"];
    let n = |k: &str| u[k].as_i64().unwrap_or_else(|| panic!("usage.{k}: {body}"));
    (n("items"), n("bytes"), n("trash_items"), n("trash_bytes"))
}

async fn execute_sql(server: &TestServer, sql: String) -> usize {
    let services = server.services.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = services.db().conn().unwrap();
        diesel::sql_query(sql).execute(&mut *conn).unwrap()
    })
    .await
    .unwrap()
}

async fn sync_messages(server: &TestServer) -> i64 {
    server.count_sql("SELECT COUNT(*) AS n FROM outbox WHERE topic = 'repository.sync'".into()).await
}

/// Files waiting in the blob store's staging area (left behind by a refused upload, they would leak).
fn staged_files(server: &TestServer) -> usize {
    std::fs::read_dir(server.services.blobs.staging_dir()).map_or(0, |entries| entries.count())
}

/// Streams a PDF-shaped body of `total` bytes as one raw HTTP/1.1 request, a megabyte at a time, while reading
/// the answer (the server may answer, and stop reading, before the body is all sent). Answers the status and
/// the JSON body.
async fn stream_upload(server: &TestServer, token: &str, name: &str, total: usize) -> (StatusCode, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = server.base.trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /api/v1/uploads?name={name} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n"
    );
    let sender = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let mut chunk = vec![b'0'; MIB];
        let mut sent = 0;
        while sent < total {
            let n = MIB.min(total - sent);
            if sent == 0 {
                chunk[..9].copy_from_slice(b"%PDF-1.7\n");
            } else {
                chunk[..9].copy_from_slice(b"000000000");
            }
            if sent + n == total {
                chunk[n - 7..n].copy_from_slice(b"\n%%EOF\n");
            }
            if writer.write_all(&chunk[..n]).await.is_err() {
                break; // the server stopped reading: its answer says why
            }
            sent += n;
        }
        // Held open until the answer is read: a half-closed request would look cut short.
        Ok::<_, std::io::Error>((sent, writer))
    });
    let mut response = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let read = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => response.extend_from_slice(&buffer[..n]),
            }
        }
    });
    read.await.expect("the server answers");
    sender.abort();
    let text = String::from_utf8_lossy(&response).to_string();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("an HTTP answer: {text:?}"));
    let status: u16 = headers.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (StatusCode::from_u16(status).unwrap(), serde_json::from_str(body).unwrap_or(Value::Null))
}

/// A marital status confirmation (1.004873) of `applicant` at Hồng Bàng driven to its end with a result
/// attached by the records clerk at the seal step: status 10. Answers the dossier and the result's bytes.
async fn returned_with_result(server: &TestServer, ward: &Ward, applicant: &str) -> (Value, Vec<u8>) {
    let d = server.receive(&ward.clerk, new_dossier("1.004873", HONG_BANG, applicant)).await;
    assert_eq!(d["step"], "appraise", "{d}");
    let appraise = json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện cấp"}});
    let d = server.act_ok(&ward.specialist, &d, appraise).await;
    let d = server.act_ok(&ward.leader, &d, json!({"action": "sign"})).await;
    assert_eq!(d["step"], "seal", "{d}");
    let result = pdf(&format!("xac nhan tinh trang hon nhan {applicant}"));
    let upload = upload_ok(server, &ward.records, "xac-nhan-tthn.pdf", result.clone()).await;
    let version = d["version"].to_string();
    let (status, d) = server
        .send(
            Method::POST,
            &format!("/api/v1/dossiers/{}/results", id(&d)),
            Some(&ward.records),
            Some(json!({"upload": upload["id"], "title": "Giấy xác nhận tình trạng hôn nhân"})),
            &[("If-Match", &version)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let d = server.act_ok(&ward.records, &d, json!({"action": "seal", "number": "15/XNTTHN"})).await;
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "return", "method": "counter"})).await;
    assert_eq!(d["status"], 10, "{d}");
    (d, result)
}

/// The owner's items that came from a dossier's result.
async fn result_items(server: &TestServer, owner: &str) -> Vec<Value> {
    let (status, items) = server.get("/api/v1/repository/items", owner).await;
    assert_eq!(status, StatusCode::OK, "{items}");
    items.as_array().unwrap().iter().filter(|i| i["source_kind"] == "result").cloned().collect()
}

/// A renamed executable and a truncated PDF are refused by content (415), a file past the limit while it
/// streams (413), none of them leaving an upload row or a staged file; a path in the name is cut off; the same
/// content uploaded twice is two uploads of one blob.
async fn upload_refusals(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let uploads = server.count("uploads").await;

    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.extend(std::iter::repeat_n(0u8, 4096));
    assert_problem(&server.upload(&clerk, "x.pdf", exe).await, 415, "blob.unsupported_type");
    let sample = sample_pdf();
    let half = sample[..sample.len() / 2].to_vec();
    assert_problem(&server.upload(&clerk, "giay-to.pdf", half).await, 415, "blob.unsupported_type");
    assert_problem(&stream_upload(&server, &clerk, "lon.pdf", 51 * MIB).await, 413, "blob.too_large");
    assert_eq!(server.count("uploads").await, uploads, "refused uploads write nothing");
    assert_eq!(staged_files(&server), 0, "nor leave a staged file");

    let (status, upload) = server.upload(&clerk, "../../etc/passwd.pdf", sample.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{upload}");
    assert_eq!(upload["file_name"], "passwd.pdf");
    assert_eq!(upload["media_type"], "application/pdf");
    assert_eq!(upload["size_bytes"].as_u64(), Some(sample.len() as u64));
    assert_eq!(upload["blob_sha256"], sha256(&sample));

    let again = upload_ok(&server, &clerk, "ban-khac.pdf", sample.clone()).await;
    assert_ne!(again["id"], upload["id"]);
    assert_eq!(again["blob_sha256"], upload["blob_sha256"]);
    assert_eq!(server.count("uploads").await, uploads + 2);
    let blobs = server.services.blobs.list().unwrap();
    assert_eq!(blobs.iter().filter(|(sha, _, _)| *sha == sha256(&sample)).count(), 1, "stored once");
    server.stop().await;
}

/// Papers of a dossier: listed and downloaded by staff in scope and the applicant (nobody else), replaced
/// with the history kept, attached only from the caller's own uploads, and within the per-dossier limit.
async fn dossier_papers(backend: Backend) {
    let server = TestServer::start(backend).await;
    let clerk = server.token("hongbang.tiepnhan").await;
    let lechan = server.token("lechan.tiepnhan").await;
    let owner = server.citizen_token(OWNER, "Trần Thị Chủ");
    let other = server.citizen_token(OTHER, "Lê Văn Khác");

    let first = pdf("giay de nghi 1");
    let upload = upload_ok(&server, &clerk, "giay_de_nghi.pdf", first.clone()).await;
    let mut body = new_dossier("1.001612", HONG_BANG, OWNER);
    body["components"][0]["upload"] = upload["id"].clone();
    let d = server.receive(&clerk, body).await;
    let p1 = component(&d, "giay_de_nghi")["paper"].as_str().unwrap().to_string();
    assert_eq!(component(&d, "giay_de_nghi")["digitisation"], 1);

    let papers_path = format!("/api/v1/dossiers/{}/papers", id(&d));
    let content = |paper: &str| format!("{papers_path}/{paper}/content");
    let (status, papers) = server.get(&papers_path, &clerk).await;
    assert_eq!(status, StatusCode::OK, "{papers}");
    assert_eq!(ids(&papers), [p1.as_str()]);
    let paper = &papers[0];
    assert_eq!(
        (paper["component_id"].as_str(), paper["kind"].as_str(), paper["source"].as_str()),
        (Some("giay_de_nghi"), Some("component"), Some("scan"))
    );
    assert_eq!(paper["blob_sha256"], upload["blob_sha256"]);
    assert_eq!(paper["file_name"], "giay_de_nghi.pdf");
    for token in [&clerk, &owner] {
        assert_eq!(download(&server, &content(&p1), token).await, (StatusCode::OK, first.clone()));
    }
    for token in [&lechan, &other] {
        assert_problem(&server.get(&papers_path, token).await, 404, "dossier.not_found");
        assert_eq!(download(&server, &content(&p1), token).await.0, StatusCode::NOT_FOUND);
    }
    assert_problem(&server.get(&content("khong-co"), &clerk).await, 404, "paper.not_found");

    // Replaced: the dossier points to the new paper, the old one stays in the list and can still be read.
    let second = pdf("giay de nghi 2");
    let upload2 = upload_ok(&server, &clerk, "giay_de_nghi_moi.pdf", second.clone()).await;
    let (status, d) = attach(&server, &clerk, &d, "giay_de_nghi", json!({"upload": upload2["id"]})).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let p2 = component(&d, "giay_de_nghi")["paper"].as_str().unwrap().to_string();
    assert_ne!(p2, p1);
    assert_eq!(component(&d, "giay_de_nghi")["digitisation"], 1);
    let (_, papers) = server.get(&papers_path, &owner).await;
    assert_eq!(ids(&papers), [p1.clone(), p2.clone()], "history kept");
    assert_eq!(download(&server, &content(&p1), &clerk).await, (StatusCode::OK, first));
    assert_eq!(download(&server, &content(&p2), &clerk).await, (StatusCode::OK, second));

    // Only the caller's own uploads: another clerk's, or the applicant's, are unknown to this clerk.
    let theirs = upload_ok(&server, &lechan, "la.pdf", pdf("le chan")).await;
    let owners = upload_ok(&server, &owner, "cua-toi.pdf", pdf("chu so huu")).await;
    for foreign in [&theirs, &owners] {
        let answer = attach(&server, &clerk, &d, "giay_de_nghi", json!({"upload": foreign["id"]})).await;
        assert_invalid(&answer, "field.unknown_upload");
    }
    let answer = attach(&server, &clerk, &d, "giay_de_nghi", json!({"upload": "khong-co"})).await;
    assert_invalid(&answer, "field.unknown_upload");

    // The per-dossier limit (200 MiB on the test server): a 41 MiB scan attached again and again; the fifth
    // time passes the limit and changes nothing.
    let big = upload_ok(&server, &clerk, "ban-ve.pdf", pdf_shaped(41 * MIB)).await;
    let mut d = d;
    for _ in 0..4 {
        let (status, next) = attach(&server, &clerk, &d, "giay_de_nghi", json!({"upload": big["id"]})).await;
        assert_eq!(status, StatusCode::OK, "{next}");
        d = next;
    }
    let (papers_before, events_before) = (server.count("papers").await, server.count("events").await);
    let answer = attach(&server, &clerk, &d, "giay_de_nghi", json!({"upload": big["id"]})).await;
    assert_invalid(&answer, "paper.dossier_too_large");
    assert_eq!((server.count("papers").await, server.count("events").await), (papers_before, events_before));
    assert_eq!(server.dossier(&clerk, id(&d)).await["version"], d["version"]);
    let data_dir = server.services.config.data_dir.clone();
    server.stop().await;
    let _ = std::fs::remove_dir_all(data_dir); // the 41 MiB blob
}

/// The owner sees their items; another citizen does not; a clerk of another agency sees an item only while
/// it is shared with that agency; the portal pulls only what is shared with it and needs its scope; every read
/// is in the owner's access log.
async fn sharing_rules(backend: Backend) {
    let server = TestServer::start(backend).await;
    let owner = server.citizen_token(OWNER, "Trần Thị Chủ");
    let other = server.citizen_token(OTHER, "Lê Văn Khác");
    let lechan = server.token("lechan.tiepnhan").await;
    let lechan_id = server.staff_id("lechan.tiepnhan").await;
    let hongbang = server.token("hongbang.tiepnhan").await;

    let bytes = pdf("can cuoc");
    let cccd = add_item(
        &server,
        &owner,
        "cccd.pdf",
        bytes.clone(),
        json!({"title": "Căn cước công dân", "paper_type": "CCCD", "issuer": "Cục Cảnh sát QLHC về TTXH",
               "issue_date": "2021-05-10", "valid_until": "2036-05-10"}),
    )
    .await;
    assert_eq!(
        (cccd["owner_id"].as_str(), cccd["source_kind"].as_str(), cccd["store"].as_str()),
        (Some(OWNER), Some("owner_upload"), Some("uploads"))
    );
    assert_eq!(cccd["shares"], json!([]));
    let item_path = format!("/api/v1/repository/items/{}", id(&cccd));
    let content_path = format!("{item_path}/content");
    let (status, seen) = server.get(&item_path, &owner).await;
    assert_eq!((status, seen["title"].as_str()), (StatusCode::OK, Some("Căn cước công dân")), "{seen}");
    assert_eq!(download(&server, &content_path, &owner).await, (StatusCode::OK, bytes.clone()));

    // Another citizen: nothing, whatever they try.
    assert_problem(&server.get(&item_path, &other).await, 404, "repository.not_found");
    assert_eq!(download(&server, &content_path, &other).await.0, StatusCode::NOT_FOUND);
    let share_lechan = json!({"kind": "agency", "grantee": LE_CHAN});
    let shares_path = format!("{item_path}/shares");
    assert_problem(&post(&server, &shares_path, &other, share_lechan.clone()).await, 404, "repository.not_found");
    assert_problem(&post(&server, &format!("{item_path}/trash"), &other, json!({})).await, 404, "repository.not_found");
    let (_, others) = server.get("/api/v1/repository/items", &other).await;
    assert_eq!(others, json!([]));

    // A clerk of Lê Chân: not before it is shared, yes while it is, not after.
    assert!(staff_view(&server, &lechan).await.is_empty());
    assert_problem(&server.get(&item_path, &lechan).await, 404, "repository.not_found");
    assert_problem(
        &server.get(&format!("/api/v1/repository/owners/{OWNER}/items"), &owner).await,
        403,
        "request.forbidden",
    );
    let (status, shared) = post(&server, &shares_path, &owner, share_lechan.clone()).await;
    assert_eq!(status, StatusCode::OK, "{shared}");
    assert_eq!(shared["shares"], json!([["agency", LE_CHAN]]));
    assert_eq!(staff_view(&server, &lechan).await, [id(&cccd).to_string()]);
    assert_eq!(server.get(&item_path, &lechan).await.0, StatusCode::OK);
    assert_eq!(download(&server, &content_path, &lechan).await, (StatusCode::OK, bytes.clone()));
    assert!(staff_view(&server, &hongbang).await.is_empty(), "shared with Lê Chân only");
    assert_problem(&server.get(&item_path, &hongbang).await, 404, "repository.not_found");
    let answer = post(&server, &shares_path, &owner, json!({"kind": "agency", "grantee": "000.99.99.H26"})).await;
    assert_invalid(&answer, "field.unknown_agency");
    let (status, unshared) = post(&server, &format!("{item_path}/unshare"), &owner, share_lechan).await;
    assert_eq!((status, &unshared["shares"]), (StatusCode::OK, &json!([])), "{unshared}");
    assert!(staff_view(&server, &lechan).await.is_empty());
    assert_problem(&server.get(&item_path, &lechan).await, 404, "repository.not_found");

    // The portal: only what the owner shared with it, and only with the `portal` scope.
    let portal = server.service_token("dvcqg", &["portal"]);
    let unscoped = server.service_token("dvcqg-khac", &[]);
    let gks =
        add_item(&server, &owner, "gks.pdf", pdf("khai sinh"), json!({"title": "Giấy khai sinh", "paper_type": "GKS"}))
            .await;
    let share_portal = json!({"kind": "portal"});
    let (status, _) =
        post(&server, &format!("/api/v1/repository/items/{}/shares", id(&gks)), &owner, share_portal).await;
    assert_eq!(status, StatusCode::OK);
    let pull_path = format!("/api/v1/portal/repository/{OWNER}/items");
    let (status, pulled) = server.get(&pull_path, &portal).await;
    assert_eq!(status, StatusCode::OK, "{pulled}");
    assert_eq!(ids(&pulled), [id(&gks).to_string()]);
    assert_eq!(server.get(&format!("/api/v1/repository/items/{}", id(&gks)), &portal).await.0, StatusCode::OK);
    assert_problem(&server.get(&item_path, &portal).await, 404, "repository.not_found");
    assert_problem(&server.get(&pull_path, &unscoped).await, 403, "request.forbidden");
    assert_problem(&server.get(&pull_path, &owner).await, 403, "request.forbidden");
    assert_problem(&server.get(&pull_path, &lechan).await, 403, "request.forbidden");

    // The portal pushes a paper into the repository (with its scope only).
    let pushed_upload = upload_ok(&server, &portal, "ly-lich.pdf", pdf("ly lich tu phap")).await;
    let push = json!({"upload": pushed_upload["id"], "title": "Phiếu lý lịch tư pháp", "paper_type": "PLLTP"});
    assert_problem(&post(&server, &pull_path, &unscoped, push.clone()).await, 403, "request.forbidden");
    let (status, pushed) = post(&server, &pull_path, &portal, push).await;
    assert_eq!(status, StatusCode::CREATED, "{pushed}");
    assert_eq!((pushed["source_kind"].as_str(), pushed["store"].as_str()), (Some("portal"), Some("personal_papers")));
    let (_, mine) = server.get("/api/v1/repository/items", &owner).await;
    assert!(ids(&mine).contains(&id(&pushed).to_string()), "{mine}");

    // The access log has the reads, by whom.
    let (status, log) = server.get("/api/v1/repository/access-log", &owner).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entries: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_else(|| panic!("{k} in {e}")).to_string();
            (s("item"), s("actor"), s("action"))
        })
        .collect();
    let has = |item: &Value, actor: &str, action: &str| {
        entries.contains(&(id(item).to_string(), actor.to_string(), action.to_string()))
    };
    let staff = format!("staff:{lechan_id}");
    let citizen = format!("citizen:{OWNER}");
    for (item, actor, action) in [
        (&cccd, citizen.as_str(), "added"),
        (&cccd, citizen.as_str(), "viewed"),
        (&cccd, citizen.as_str(), "downloaded"),
        (&cccd, citizen.as_str(), "shared"),
        (&cccd, citizen.as_str(), "unshared"),
        (&cccd, staff.as_str(), "listed"),
        (&cccd, staff.as_str(), "viewed"),
        (&cccd, staff.as_str(), "downloaded"),
        (&cccd, &format!("citizen:{OTHER}"), "denied:viewed"),
        (&gks, "service:dvcqg", "pulled"),
        (&gks, "service:dvcqg", "viewed"),
        (&pushed, "service:dvcqg", "added"),
    ] {
        assert!(has(item, actor, action), "{actor} {action} {}: {log:#}", id(item));
    }
    server.stop().await;
}

/// A returned dossier's result enters the applicant's repository (issued by the ward, synced through the
/// outbox); a second dossier reuses it (digitisation 3) and a paper the owner uploaded and shared with the
/// ward (digitisation 2); expired and trashed items are neither offered nor accepted.
async fn results_and_reuse(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let owner = server.citizen_token(OWNER, "Trần Thị Chủ");
    let syncs_before = sync_messages(&server).await;
    let (first, result_bytes) = returned_with_result(&server, &ward, OWNER).await;

    let results = result_items(&server, &owner).await;
    assert_eq!(results.len(), 1, "{results:?}");
    let result = &results[0];
    assert_eq!(result["issuer_agency_id"], HONG_BANG);
    assert_eq!(result["paper_type"], "XNTTHN");
    assert_eq!(result["source_dossier_id"], first["id"]);
    assert_eq!(result["store"], "dossier_papers");
    assert_eq!(result["blob_sha256"], sha256(&result_bytes));
    assert_eq!(result["issue_date"], "2026-11-24");
    assert_eq!(sync_messages(&server).await, syncs_before + 1);
    let key = format!("repo:{}", id(result));
    let sql = format!("SELECT COUNT(*) AS n FROM outbox WHERE topic = 'repository.sync' AND message_key = '{key}'");
    assert_eq!(server.count_sql(sql).await, 1);
    let result_path = format!("/api/v1/repository/items/{}/content", id(result));
    assert_eq!(download(&server, &result_path, &owner).await, (StatusCode::OK, result_bytes.clone()));
    // The issuing ward sees what it issued; Lê Chân does not.
    assert_eq!(staff_view(&server, &ward.clerk).await, [id(result).to_string()]);
    assert!(staff_view(&server, &server.token("lechan.tiepnhan").await).await.is_empty());

    let cccd =
        add_item(&server, &owner, "cccd.pdf", pdf("cccd"), json!({"title": "Căn cước công dân", "paper_type": "CCCD"}))
            .await;
    let expired = add_item(
        &server,
        &owner,
        "xn-cu.pdf",
        pdf("xac nhan cu"),
        json!({"title": "Giấy xác nhận TTHN cũ", "paper_type": "XNTTHN", "valid_until": "2026-06-30"}),
    )
    .await;
    let trashed =
        add_item(&server, &owner, "xn-bo.pdf", pdf("xac nhan bo"), json!({"title": "Bản bỏ", "paper_type": "XNTTHN"}))
            .await;
    let (status, _) =
        post(&server, &format!("/api/v1/repository/items/{}/trash", id(&trashed)), &owner, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Shared with the ward, so that only their validity keeps them out.
    for item in [&expired, &trashed] {
        let path = format!("/api/v1/repository/items/{}/shares", id(item));
        let (status, body) = post(&server, &path, &owner, json!({"kind": "agency", "grantee": HONG_BANG})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // Offers: to the owner, every valid paper of an accepted type; to the clerk, only those it may see.
    let (marriage, status_paper, identity_paper) = ("1.000894", "xac_nhan_tinh_trang_hon_nhan", "giay_to_tuy_than");
    assert_eq!(offers(&server, &owner, marriage, status_paper).await, [id(result).to_string()]);
    assert_eq!(offers(&server, &owner, marriage, identity_paper).await, [id(&cccd).to_string()]);
    assert_eq!(offers(&server, &ward.clerk, marriage, status_paper).await, [id(result).to_string()]);
    assert!(offers(&server, &ward.clerk, marriage, identity_paper).await.is_empty(), "not shared yet");
    let other = server.citizen_token(OTHER, "Lê Văn Khác");
    assert!(offers(&server, &other, marriage, status_paper).await.is_empty(), "not to another citizen");

    // Expired, trashed, not shared, or of another type: refused at reception, nothing written.
    let writes = server.writes().await;
    for (component, item, code) in [
        (status_paper, &expired, "field.unknown_item"),
        (status_paper, &trashed, "field.unknown_item"),
        (identity_paper, &cccd, "field.unknown_item"),
        (identity_paper, result, "field.not_reusable"),
    ] {
        let mut body = new_dossier(marriage, HONG_BANG, OWNER);
        body["components"].as_array_mut().unwrap().push(json!({"id": component, "repository_item": id(item)}));
        let body = server.with_uploads(Some(&ward.clerk), body).await;
        let answer = post(&server, "/api/v1/dossiers", &ward.clerk, body).await;
        assert_invalid(&answer, code);
    }
    assert_eq!(server.writes().await, writes);

    // The second dossier reuses the result at reception: nothing uploaded for it.
    let mut body = new_dossier(marriage, HONG_BANG, OWNER);
    body["components"].as_array_mut().unwrap().push(json!({"id": status_paper, "repository_item": id(result)}));
    let second = server.receive(&ward.clerk, body).await;
    let reused = component(&second, status_paper);
    assert_eq!((reused["provided"].as_bool(), reused["digitisation"].as_u64()), (Some(true), Some(3)), "{second}");
    let papers_path = format!("/api/v1/dossiers/{}/papers", id(&second));
    let (_, papers) = server.get(&papers_path, &ward.clerk).await;
    let paper = papers.as_array().unwrap().iter().find(|p| p["id"] == reused["paper"]).expect("the reused paper");
    assert_eq!((paper["source"].as_str(), paper["repository_item_id"].as_str()), (Some("result"), Some(id(result))));
    let content_path = format!("{papers_path}/{}/content", reused["paper"].as_str().unwrap());
    assert_eq!(download(&server, &content_path, &ward.clerk).await, (StatusCode::OK, result_bytes));

    // The identity paper the owner uploaded: refused until the owner shares it with the ward, then reused.
    let answer = attach(&server, &ward.clerk, &second, identity_paper, json!({"repository_item": id(&cccd)})).await;
    assert_invalid(&answer, "field.unknown_item");
    for item in [&expired, &trashed] {
        let answer = attach(&server, &ward.clerk, &second, status_paper, json!({"repository_item": id(item)})).await;
        assert_invalid(&answer, "field.unknown_item");
    }
    let path = format!("/api/v1/repository/items/{}/shares", id(&cccd));
    let (status, _) = post(&server, &path, &owner, json!({"kind": "agency", "grantee": HONG_BANG})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(offers(&server, &ward.clerk, marriage, identity_paper).await, [id(&cccd).to_string()]);
    let (status, second) =
        attach(&server, &ward.clerk, &second, identity_paper, json!({"repository_item": id(&cccd)})).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(component(&second, identity_paper)["digitisation"], 2);
    assert_eq!(component(&second, status_paper)["digitisation"], 3);

    // The reuse is in the owner's access log, and the reused items are shared with the dossier.
    let (_, log) = server.get("/api/v1/repository/access-log", &owner).await;
    let reuse = format!("reused in dossier {}", id(&second));
    for item in [result, &cccd] {
        assert!(
            log.as_array().unwrap().iter().any(|e| e["item"] == item["id"] && e["action"] == reuse.as_str()),
            "{log:#}"
        );
        let (_, seen) = server.get(&format!("/api/v1/repository/items/{}", id(item)), &owner).await;
        assert!(seen["shares"].as_array().unwrap().contains(&json!(["dossier", id(&second)])), "{seen}");
    }
    server.stop().await;
}

/// Back-fill pushes the results of dossiers returned before the repository existed, once: run twice, the
/// second run pushes nothing and queues no second sync message.
async fn backfill_is_idempotent(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let owner = server.citizen_token(OWNER, "Trần Thị Chủ");
    let (first, _) = returned_with_result(&server, &ward, OWNER).await;
    let (second, _) = returned_with_result(&server, &ward, OTHER).await;
    // As if both had been returned before the repository existed.
    for d in [&first, &second] {
        let dossier = id(d);
        execute_sql(&server, format!("DELETE FROM repository_items WHERE source_dossier_id = '{dossier}'")).await;
        let sql = format!("DELETE FROM outbox WHERE topic = 'repository.sync' AND dossier_id = '{dossier}'");
        execute_sql(&server, sql).await;
    }
    assert!(result_items(&server, &owner).await.is_empty());
    let syncs = sync_messages(&server).await;

    let backfill = || {
        let services = server.services.clone();
        async move {
            tokio::task::spawn_blocking(move || services.repository().backfill_repository(None, None))
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (_, pushed) = backfill().await;
    assert_eq!(pushed, 2, "the two results");
    assert_eq!(sync_messages(&server).await, syncs + 2);
    let results = result_items(&server, &owner).await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["source_dossier_id"], first["id"]);
    assert_eq!(results[0]["issuer_agency_id"], HONG_BANG);

    let (scanned, pushed) = backfill().await;
    assert!(scanned >= 2, "every returned dossier is looked at: {scanned}");
    assert_eq!(pushed, 0, "nothing new the second time");
    assert_eq!(sync_messages(&server).await, syncs + 2, "no duplicate sync message");
    assert_eq!(result_items(&server, &owner).await.len(), 1);
    let sql = "SELECT COUNT(*) AS n FROM (SELECT message_key FROM outbox WHERE topic = 'repository.sync' \
               GROUP BY message_key HAVING COUNT(*) > 1) AS duplicated";
    assert_eq!(server.count_sql(sql.into()).await, 0);
    server.stop().await;
}

/// Usage follows adding, trashing, restoring and purging; purging is only from the trash.
async fn trash_and_usage(backend: Backend) {
    let server = TestServer::start(backend).await;
    let owner = server.citizen_token(OWNER, "Trần Thị Chủ");
    let other = server.citizen_token(OTHER, "Lê Văn Khác");
    assert_eq!(usage(&server, &owner).await, (0, 0, 0, 0));

    let (a_bytes, b_bytes) = (pdf("mot"), pdf("hai hai"));
    let (a_len, b_len) = (a_bytes.len() as i64, b_bytes.len() as i64);
    let a = add_item(&server, &owner, "a.pdf", a_bytes, json!({"title": "Giấy A", "paper_type": "GKS"})).await;
    assert_eq!(usage(&server, &owner).await, (1, a_len, 0, 0));
    let b = add_item(&server, &owner, "b.pdf", b_bytes, json!({"title": "Giấy B", "folder": "Gia đình"})).await;
    assert_eq!(usage(&server, &owner).await, (2, a_len + b_len, 0, 0));
    assert_eq!(usage(&server, &other).await, (0, 0, 0, 0));

    let item = |x: &Value, what: &str| format!("/api/v1/repository/items/{}{what}", id(x));
    assert_problem(
        &server.send(Method::DELETE, &item(&a, ""), Some(&owner), None, &[]).await,
        409,
        "repository.not_in_trash",
    );
    assert_eq!(post(&server, &item(&a, "/trash"), &owner, json!({})).await.0, StatusCode::NO_CONTENT);
    assert_eq!(usage(&server, &owner).await, (1, b_len, 1, a_len));
    let (_, live) = server.get("/api/v1/repository/items", &owner).await;
    assert_eq!(ids(&live), [id(&b).to_string()]);
    let (_, trash) = server.get("/api/v1/repository/items?trash=true", &owner).await;
    assert_eq!(ids(&trash), [id(&a).to_string()]);
    assert_eq!(trash[0]["validity"], json!({"valid": false, "reason": "repository.in_trash"}));
    // Another citizen can neither restore nor purge it.
    assert_problem(&post(&server, &item(&a, "/restore"), &other, json!({})).await, 404, "repository.not_found");
    assert_problem(
        &server.send(Method::DELETE, &item(&a, ""), Some(&other), None, &[]).await,
        404,
        "repository.not_found",
    );

    assert_eq!(post(&server, &item(&a, "/restore"), &owner, json!({})).await.0, StatusCode::NO_CONTENT);
    assert_eq!(usage(&server, &owner).await, (2, a_len + b_len, 0, 0));

    assert_eq!(post(&server, &item(&b, "/trash"), &owner, json!({})).await.0, StatusCode::NO_CONTENT);
    assert_eq!(usage(&server, &owner).await, (1, a_len, 1, b_len));
    let (status, _) = server.send(Method::DELETE, &item(&b, ""), Some(&owner), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(usage(&server, &owner).await, (1, a_len, 0, 0));
    assert_problem(&server.get(&item(&b, ""), &owner).await, 404, "repository.not_found");
    assert_problem(
        &server.send(Method::DELETE, &item(&b, ""), Some(&owner), None, &[]).await,
        404,
        "repository.not_found",
    );
    let (_, trash) = server.get("/api/v1/repository/items?trash=true", &owner).await;
    assert_eq!(trash, json!([]));
    server.stop().await;
}

/// An item is valid only with a checked signature and in force: an unchecked one says so, an expired one too.
async fn validity(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let owner = server.citizen_token(OWNER, "Trần Thị Chủ");
    let unchecked = json!({"valid": false, "reason": "repository.signature_unchecked"});
    let expired = json!({"valid": false, "reason": "repository.expired"});

    let current = add_item(
        &server,
        &owner,
        "cccd.pdf",
        pdf("cccd"),
        json!({"title": "Căn cước công dân", "paper_type": "CCCD", "valid_until": "2036-05-10"}),
    )
    .await;
    assert_eq!(current["signature_status"], "unchecked");
    assert_eq!(current["validity"], unchecked);
    let old = add_item(
        &server,
        &owner,
        "cmnd.pdf",
        pdf("cmnd"),
        json!({"title": "Chứng minh nhân dân", "paper_type": "CCCD", "valid_until": "2026-11-23"}),
    )
    .await;
    assert_eq!(old["validity"], expired);
    let today = add_item(
        &server,
        &owner,
        "hom-nay.pdf",
        pdf("hom nay"),
        json!({"title": "Hết hạn hôm nay", "paper_type": "CCCD", "valid_until": "2026-11-24"}),
    )
    .await;
    assert_eq!(today["validity"], unchecked, "still in force on its last day");
    for item in [&current, &old] {
        let (_, seen) = server.get(&format!("/api/v1/repository/items/{}", id(item)), &owner).await;
        assert_eq!(seen["validity"], item["validity"]);
    }
    // A result of the ward: unchecked until the verifier exists.
    returned_with_result(&server, &ward, OWNER).await;
    let results = result_items(&server, &owner).await;
    assert_eq!(results[0]["validity"], unchecked);
    // The expired one is not offered for reuse; the current ones are.
    let offered = offers(&server, &owner, "1.001612", "giay_to_phap_ly_ca_nhan").await;
    assert_eq!(offered.len(), 2, "{offered:?}");
    assert!(offered.contains(&id(&current).to_string()) && offered.contains(&id(&today).to_string()));
    server.stop().await;
}

/// A dossier stopped with reasons and returned: the refusal letter enters the applicant's repository, but not as
/// the certificate the procedure issues, so it is never offered or accepted in its place.
async fn refusal_letter_is_not_the_certificate(backend: Backend) {
    let server = TestServer::start_at(backend, tuesday_morning()).await;
    let ward = hong_bang(&server).await;
    let owner = server.citizen_token(OWNER, "Trần Thị Chủ");
    let d = server.receive(&ward.clerk, new_dossier("1.004873", HONG_BANG, OWNER)).await;
    let stop = json!({"action": "stop", "reasons": ["Người yêu cầu đang có vợ/chồng theo CSDL hộ tịch"]});
    let d = server.act_ok(&ward.leader, &d, stop).await;
    assert_eq!(d["status"], 8, "{d}");
    let upload = upload_ok(&server, &ward.records, "tu-choi.pdf", pdf("van ban tu choi")).await;
    let version = d["version"].to_string();
    let (status, d) = server
        .send(
            Method::POST,
            &format!("/api/v1/dossiers/{}/results", id(&d)),
            Some(&ward.records),
            Some(json!({"upload": upload["id"], "title": "Văn bản trả lời từ chối"})),
            &[("If-Match", &version)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let d = server.act_ok(&ward.clerk, &d, json!({"action": "return", "method": "counter"})).await;
    assert_eq!(d["status"], 10, "{d}");

    let results = result_items(&server, &owner).await;
    assert_eq!(results.len(), 1, "{results:?}");
    let letter = &results[0];
    assert_eq!(letter["title"], "Văn bản trả lời từ chối");
    assert_eq!(letter["issuer_agency_id"], HONG_BANG);
    assert!(letter["paper_type"].is_null(), "a refusal is not a {}: {letter}", letter["paper_type"]);
    assert!(offers(&server, &owner, "1.000894", "xac_nhan_tinh_trang_hon_nhan").await.is_empty());
    let mut body = new_dossier("1.000894", HONG_BANG, OWNER);
    body["components"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "xac_nhan_tinh_trang_hon_nhan", "repository_item": id(letter)}));
    let body = server.with_uploads(Some(&ward.clerk), body).await;
    assert_invalid(&post(&server, "/api/v1/dossiers", &ward.clerk, body).await, "field.not_reusable");
    server.stop().await;
}

on_both_backends!(
    upload_refusals,
    dossier_papers,
    sharing_rules,
    results_and_reuse,
    backfill_is_idempotent,
    trash_and_usage,
    validity,
    refusal_letter_is_not_the_certificate,
);
