//! A posted form, read the same way whether it carries files (`multipart/form-data`) or not (urlencoded): the
//! text fields and the files, read whole into memory up to a limit, so a page checks the CSRF token and the
//! fields before anything is stored. [`Visit::posted`](crate::session::Visit::posted) reads and checks at once.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
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
        read_multipart(Multipart::new(req.headers(), payload)).await?
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
