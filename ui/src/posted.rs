//! A posted form, read the same way whether it carries files (`multipart/form-data`) or not (urlencoded): the
//! text fields and the files, read whole into memory up to a limit, so a page checks the CSRF token and the
//! fields before anything is stored. [`Visit::posted`](crate::session::Visit::posted) reads and checks at once.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpRequest, web};
use futures::StreamExt;
use motcua_engine::domain::free_text::{self, TextFault};

/// All files of one form together: a dossier's scans at the counter.
pub const MAX_FORM_BYTES: usize = 25 * 1024 * 1024;
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A file of the form; browsers send an empty part for a file input left empty, which is skipped.
pub struct File {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
pub struct Posted {
    fields: BTreeMap<String, Vec<String>>,
    pub files: Vec<File>,
}

impl Posted {
    /// The first value of a text field, trimmed ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).and_then(|v| v.first()).map_or("", |s| s.trim())
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> &[String] {
        self.fields.get(name).map_or(&[], Vec::as_slice)
    }

    /// The non-empty lines of a text area.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.text(name).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    }

    /// The file sent for `field`, if any.
    pub fn file(&self, field: &str) -> Option<&File> {
        self.files.iter().find(|f| f.field == field)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the form is larger than {MAX_FORM_BYTES} bytes")]
    TooLarge,
    #[error("the form cannot be read: {0}")]
    Malformed(String),
    #[error(transparent)]
    ForbiddenCharacter(#[from] TextFault),
}

impl FormError {
    pub fn code(&self) -> &'static str {
        match self {
            FormError::TooLarge => "request.too_large",
            FormError::Malformed(_) => "request.malformed",
            FormError::ForbiddenCharacter(_) => "request.forbidden_character",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            FormError::TooLarge => 413,
            FormError::Malformed(_) | FormError::ForbiddenCharacter(_) => 400,
        }
    }
}

pub async fn read(req: &HttpRequest, payload: web::Payload) -> Result<Posted, FormError> {
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let posted = if content_type.starts_with("multipart/form-data") {
        let body = whole_multipart(req, payload).await?;
        read_multipart(Multipart::new(req.headers(), futures::stream::once(async { Ok::<_, PayloadError>(body) })))
            .await?
    } else {
        read_urlencoded(payload).await?
    };
    canonical(posted)
}

/// Every text as `free_text` allows it (NFC, no control or bidirectional formatting character); file names are
/// cleaned when staged, as they come from the sender's machine (`documents::blobs::names`).
fn canonical(mut posted: Posted) -> Result<Posted, FormError> {
    let mut fields = BTreeMap::new();
    for (name, values) in std::mem::take(&mut posted.fields) {
        let name = free_text::canonical(&name)?.into_owned();
        let values =
            values.iter().map(|v| free_text::canonical(v).map(|v| v.into_owned())).collect::<Result<_, _>>()?;
        fields.insert(name, values);
    }
    posted.fields = fields;
    Ok(posted)
}

async fn read_urlencoded(mut payload: web::Payload) -> Result<Posted, FormError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| FormError::Malformed(e.to_string()))?;
        if body.len() + chunk.len() > MAX_TEXT_BYTES {
            return Err(FormError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let mut posted = Posted::default();
    for (name, value) in form_urlencoded::parse(&body) {
        posted.fields.entry(name.into_owned()).or_default().push(value.into_owned());
    }
    Ok(posted)
}

/// The whole multipart body (forms are read whole anyway), refused unless it ends with its close delimiter: the
/// multipart reader waits for more forever on a body that stops before it (found by fuzzing), where the body is
/// all there is.
async fn whole_multipart(req: &HttpRequest, mut payload: web::Payload) -> Result<Bytes, FormError> {
    let boundary = req
        .mime_type()
        .ok()
        .flatten()
        .and_then(|m| m.get_param("boundary").map(|b| b.as_str().to_string()))
        .ok_or_else(|| FormError::Malformed("multipart/form-data without a boundary".into()))?;
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| FormError::Malformed(e.to_string()))?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(FormError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let close = format!("\r\n--{boundary}--");
    let end = body.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    if !body[..end].ends_with(close.as_bytes()) {
        return Err(FormError::Malformed("the form does not end with its closing boundary".into()));
    }
    Ok(body.freeze())
}

async fn read_multipart(mut payload: Multipart) -> Result<Posted, FormError> {
    let mut posted = Posted::default();
    let mut total = 0usize;
    while let Some(part) = payload.next().await {
        let mut part = part.map_err(|e| FormError::Malformed(e.to_string()))?;
        let disposition = part.content_disposition().cloned();
        let field = disposition.as_ref().and_then(|d| d.get_name()).unwrap_or_default().to_string();
        let file_name = disposition.as_ref().and_then(|d| d.get_filename()).map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| FormError::Malformed(e.to_string()))?;
            total += chunk.len();
            if total > MAX_FORM_BYTES || (file_name.is_none() && bytes.len() + chunk.len() > MAX_TEXT_BYTES) {
                return Err(FormError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            Some(name) if !name.is_empty() && !bytes.is_empty() => posted.files.push(File { field, name, bytes }),
            Some(_) => {}
            None => {
                let text =
                    String::from_utf8(bytes).map_err(|_| FormError::Malformed(format!("{field} is not UTF-8")))?;
                posted.fields.entry(field).or_default().push(text);
            }
        }
    }
    Ok(posted)
}

#[cfg(test)]
mod fuzz {
    //! Multipart and urlencoded reading on mutated and random bodies: an answer or a refusal, never a panic
    //! (part of the suite's fuzzing; `PROPTEST_CASES` runs it longer).

    use actix_web::test::TestRequest;
    use proptest::prelude::*;

    use super::*;

    const BOUNDARY: &str = "motcua-fuzz";

    fn multipart_body() -> Vec<u8> {
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--{BOUNDARY}\r\n\
             Content-Disposition: form-data; name=\"scan\"; filename=\"giay-to.pdf\"\r\nContent-Type: \
             application/pdf\r\n\r\n%PDF-1.4 ...\r\n--{BOUNDARY}--\r\n"
        )
        .into_bytes()
    }

    fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..10).prop_map(move |edits| {
            let mut bytes = seed.clone();
            for (at, byte, kind) in edits {
                let i = at.index(bytes.len().max(1)).min(bytes.len());
                match kind {
                    0 if i < bytes.len() => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => bytes.truncate(i),
                }
            }
            bytes
        })
    }

    /// Reads a whole body; `None` if it takes more than a few seconds (the body is all there: it must not wait).
    fn read_body(content_type: &str, body: Vec<u8>) -> Option<Result<Posted, FormError>> {
        let (req, mut payload) =
            TestRequest::post().insert_header(("content-type", content_type)).set_payload(body).to_http_parts();
        actix_web::rt::System::new().block_on(async move {
            let payload = <web::Payload as actix_web::FromRequest>::from_request(&req, &mut payload).await.unwrap();
            actix_web::rt::time::timeout(std::time::Duration::from_secs(3), read(&req, payload)).await.ok()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
            ..ProptestConfig::default()
        })]

        #[test]
        fn forms_never_panic(multipart in mutated(multipart_body()), noise in prop::collection::vec(any::<u8>(), 0..512)) {
            let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
            prop_assert!(read_body(&content_type, multipart).is_some());
            prop_assert!(read_body(&content_type, noise.clone()).is_some());
            prop_assert!(read_body("application/x-www-form-urlencoded", noise).is_some());
        }
    }

    /// Found by `forms_never_panic`: a close delimiter without its CR was read as file content, and the reader
    /// then waited for more forever.
    #[test]
    fn a_form_that_stops_before_its_closing_boundary_is_refused_at_once() {
        let body = multipart_body();
        let text = String::from_utf8(body).unwrap().replace("...\r\n--motcua-fuzz--", "...\x0b\n--motcua-fuzz--");
        let read = read_body(&format!("multipart/form-data; boundary={BOUNDARY}"), text.into_bytes());
        assert!(matches!(read, Some(Err(FormError::Malformed(_)))));
    }

    #[test]
    fn the_unmutated_form_reads() {
        let posted =
            read_body(&format!("multipart/form-data; boundary={BOUNDARY}"), multipart_body()).unwrap().unwrap();
        assert_eq!(posted.text("csrf"), "abc");
        assert_eq!(posted.file("scan").map(|f| f.name.as_str()), Some("giay-to.pdf"));
    }
}
