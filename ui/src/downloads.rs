//! Downloads as HTTP answers: a table written by `adapters::sheets::stream`, sent as an attachment while it is
//! written (the pages' downloads and the API's `?format=csv|xlsx` are the same tables); a stored file read a chunk
//! at a time as it is sent ([`reader_body`]). A rendered PDF is sent whole.

use std::io::Read;

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use futures::Stream;
use motcua_engine::adapters::sheets;

/// How much of a stored file a download holds at a time.
const CHUNK: usize = 64 * 1024;

/// A stored file's reader as a response body, each chunk read on the blocking pool: a download holds one chunk in
/// memory, not the file. A read that fails cuts the answer off (its length was never promised).
pub fn reader_body(reader: Box<dyn Read + Send>) -> impl Stream<Item = Result<web::Bytes, actix_web::Error>> + 'static {
    futures::stream::unfold(Some(reader), |state| async move {
        let mut reader = state?;
        let read = web::block(move || {
            let mut chunk = vec![0u8; CHUNK];
            let n = reader.read(&mut chunk);
            (reader, chunk, n)
        })
        .await;
        match read {
            Ok((_, _, Ok(0))) => None,
            Ok((reader, mut chunk, Ok(n))) => {
                chunk.truncate(n);
                Some((Ok(web::Bytes::from(chunk)), Some(reader)))
            }
            Ok((_, _, Err(e))) => {
                tracing::error!(error = %e, "download cut off");
                Some((Err(actix_web::error::ErrorInternalServerError(e)), None))
            }
            Err(e) => Some((Err(e.into()), None)),
        }
    })
}

/// The answer that sends `download` as an attachment.
pub fn attachment(download: sheets::Download) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(download.content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(download.file_name)],
        })
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .streaming(download.body)
}

/// The answer that sends a rendered PDF as an attachment named `stem`.pdf.
pub fn pdf(stem: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!("{stem}.pdf"))],
        })
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}
