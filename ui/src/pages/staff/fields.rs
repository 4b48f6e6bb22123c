//! A posted form of the staff pages, read the same way whether it carries files (multipart) or not
//! (urlencoded), so one handler serves every action form of the dossier page.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, web};
use futures::StreamExt;

use crate::multipart::{self, File, FormError};

const MAX_URLENCODED: usize = 256 * 1024;

#[derive(Default)]
pub struct Fields {
    values: BTreeMap<String, Vec<String>>,
    pub files: Vec<File>,
}

impl Fields {
    /// The first value of a field ("" when absent), trimmed.
    pub fn text(&self, name: &str) -> &str {
        self.values.get(name).and_then(|v| v.first()).map_or("", |s| s.trim())
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn file(&self, name: &str) -> Option<&File> {
        self.files.iter().find(|f| f.field == name)
    }

    /// The non-empty lines of a text area.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.text(name).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    }
}

pub async fn read(req: &HttpRequest, mut payload: web::Payload) -> Result<Fields, FormError> {
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        let submitted = multipart::read(actix_multipart::Multipart::new(req.headers(), payload)).await?;
        let mut fields = Fields::default();
        let names: Vec<String> = submitted.with_prefix("").map(|(k, _)| k.to_string()).collect();
        for name in names {
            fields.values.insert(name.clone(), submitted.all(&name).to_vec());
        }
        fields.files = submitted.files;
        return Ok(fields);
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| FormError::Malformed(e.to_string()))?;
        if body.len() + chunk.len() > MAX_URLENCODED {
            return Err(FormError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(body).map_err(|_| FormError::Malformed("the form is not UTF-8".into()))?;
    let mut fields = Fields::default();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        fields.values.entry(decode(name)?).or_default().push(decode(value)?);
    }
    Ok(fields)
}

/// `application/x-www-form-urlencoded` decoding of one name or value.
fn decode(text: &str) -> Result<String, FormError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => out.push(b),
                    None => return Err(FormError::Malformed("bad percent escape".into())),
                }
                i += 2;
            }
            b'%' => return Err(FormError::Malformed("bad percent escape".into())),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FormError::Malformed("the form is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn urlencoded_values_decode() {
        assert_eq!(super::decode("Nguy%E1%BB%85n+V%C4%83n").unwrap(), "Nguyễn Văn");
        assert_eq!(super::decode("a%2Bb").unwrap(), "a+b");
        assert!(super::decode("%4").is_err());
        assert!(super::decode("%").is_err());
    }
}
