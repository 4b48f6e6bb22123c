//! The API's downloads (`?format=csv|xlsx`): a table written by `adapters::sheets::stream`, sent as an
//! attachment while it is written (the pages send the same tables the same way, `motcua_ui::downloads`); and a
//! rendered PDF, sent whole.

use actix_web::HttpResponse;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use motcua_engine::adapters::sheets;

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
