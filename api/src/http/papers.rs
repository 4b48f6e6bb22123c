//! Uploads (streamed to the blob store, never held whole in memory), papers of dossiers, and downloads.

use std::io::Read;

use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures::StreamExt;
use motcua_engine::domain::dossier::Dossier;
use motcua_engine::service::papers::ResultRequest;
use motcua_engine::service::requests::ComponentInput;
use motcua_engine::store::papers::Paper;
use motcua_engine::store::uploads::Upload;
use serde::Deserialize;

use super::auth::AnyCaller;
use super::json::Json;
use super::problem::Problem;
use super::{AppState, blocking};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name as the user knows it (sanitised; the type is decided from the content).
    pub name: String,
}

/// Chunks in flight between the network and the file being written.
const PIPE_DEPTH: usize = 8;
const READ_CHUNK: usize = 64 * 1024;

/// Upload a file (the raw body): PDF, JPEG, PNG, TIFF, XML or DOCX, checked by content. Answers the upload's
/// id, to attach it to a dossier component, a result, or a repository item.
#[utoipa::path(tag = "papers", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Upload), (status = 413, body = Problem), (status = 415, body = Problem)),
    security(("bearer" = [])))]
#[post("/uploads")]
pub async fn upload(
    state: web::Data<AppState>,
    caller: AnyCaller,
    query: web::Query<UploadQuery>,
    mut payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let name = query.into_inner().name;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<web::Bytes>(PIPE_DEPTH);
    // The writer runs on a blocking thread: it hashes, sniffs and writes the staged file as chunks arrive.
    let writer = web::block(move || {
        let mut stager = services.papers().stager(&name)?;
        while let Some(chunk) = rx.blocking_recv() {
            stager.write(&chunk)?;
        }
        let staged = stager.finish()?;
        services.papers().store_upload(&caller.0, staged)
    });
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Problem::new(400, "request.malformed", e.to_string()))?;
        if tx.send(chunk).await.is_err() {
            break; // the writer stopped (e.g. the file is too large): its answer says why
        }
    }
    drop(tx);
    let upload = writer.await.map_err(|_| Problem::server_error())?.map_err(Problem::from)?;
    Ok(HttpResponse::Created().json(upload))
}

fn expected_version(req: &HttpRequest) -> Result<u64, Problem> {
    super::dossiers::expected_version(req)
}

/// Attach a paper to a component: `{ "component": "…", "upload": "<upload id>" }` or
/// `{ "component": "…", "repository_item": "<item id>" }` (reuse), with `If-Match`. Answers the dossier.
#[utoipa::path(tag = "papers", params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = ComponentInput, responses((status = 200, body = Dossier), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/dossiers/{id}/papers")]
pub async fn attach(
    state: web::Data<AppState>,
    caller: AnyCaller,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<ComponentInput>,
) -> Result<HttpResponse, Problem> {
    let version = expected_version(&req)?;
    let services = state.services.clone();
    let dossier = blocking(move || services.papers().attach_paper(&caller.0, &id, version, body.into_inner())).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, format!("\"{}\"", dossier.version))).json(dossier))
}

/// Attach a paper of the result (the signed result, scanned): `{ "upload": "…", "title": "…" }`, with `If-Match`.
#[utoipa::path(tag = "papers", params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = ResultRequest, responses((status = 200, body = Dossier), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
#[post("/dossiers/{id}/results")]
pub async fn attach_result(
    state: web::Data<AppState>,
    caller: AnyCaller,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<ResultRequest>,
) -> Result<HttpResponse, Problem> {
    let version = expected_version(&req)?;
    let services = state.services.clone();
    let dossier = blocking(move || services.papers().attach_result(&caller.0, &id, version, body.into_inner())).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, format!("\"{}\"", dossier.version))).json(dossier))
}

/// Every paper of a dossier, current and replaced, for staff in scope and the applicant.
#[utoipa::path(tag = "papers", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Paper>), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/dossiers/{id}/papers")]
pub async fn list(
    state: web::Data<AppState>,
    caller: AnyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let papers = blocking(move || services.papers().of_dossier(&caller.0, &id)).await?;
    Ok(HttpResponse::Ok().json(papers))
}

/// A paper's content. The hash is checked while streaming: a corrupted file is cut off, never served whole.
#[utoipa::path(tag = "papers",
    params(("id" = String, Path), ("paper" = String, Path)),
    responses((status = 200, description = "The paper as it was stored", content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/dossiers/{id}/papers/{paper}/content")]
pub async fn content(
    state: web::Data<AppState>,
    caller: AnyCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let (id, paper_id) = path.into_inner();
    let (paper, reader) = blocking(move || services.papers().paper_content(&caller.0, &id, &paper_id)).await?;
    Ok(stream_file(reader, &paper.media_type, &paper.file_name, &paper.blob_sha256, paper.size_bytes))
}

/// Streams a reader as a download, reading it on a blocking thread.
pub fn stream_file(
    reader: Box<dyn Read + Send>,
    media_type: &str,
    file_name: &str,
    sha256: &str,
    size: i64,
) -> HttpResponse {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(PIPE_DEPTH);
    let sha = sha256.to_string();
    std::thread::spawn(move || {
        let mut reader = reader;
        let mut buffer = vec![0u8; READ_CHUNK];
        loop {
            match reader.read(&mut buffer) {
                Ok(0) => return,
                Ok(n) => {
                    if tx.blocking_send(Ok(web::Bytes::copy_from_slice(&buffer[..n]))).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    tracing::error!(sha256 = %sha, error = %e, "download cut off");
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    // RFC 6266 with the RFC 8187 encoding of the (Vietnamese) file name.
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: file_name.as_bytes().to_vec(),
        })],
    };
    HttpResponse::Ok()
        .content_type(media_type.to_string())
        .insert_header(disposition)
        .insert_header((header::ETAG, format!("\"{sha256}\"")))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Content-Length", size.to_string()))
        .streaming(body)
}
