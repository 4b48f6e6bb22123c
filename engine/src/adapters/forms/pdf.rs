//! Turns laid-out pages into PDF bytes, deterministically.
//!
//! printpdf would otherwise put randomness in the file: random font resource ids (also used as the subset tag)
//! and a random trailer `/ID`. The fonts are registered under fixed ids (`Face::id`), the info dictionary's dates
//! are the form's `issued_on`, and the `/ID` is the first 16 bytes of the SHA-256 of the file written with a zero
//! `/ID`, so the same input gives the same bytes and different content gives a different `/ID`.

use std::io::Write;

use chrono::NaiveDate;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use lopdf::{Object, StringFormat};
use printpdf::{OffsetDateTime, PdfDocument, PdfFont, PdfPage, PdfSaveOptions, Pt, Rect};
use sha2::{Digest, Sha256};

use super::FormError;
use super::layout::Doc;

/// Writes the document. `subject` names the form (e.g. "Mẫu số 01"), `title` is its heading.
pub(crate) fn finish(doc: Doc, title: &str, subject: &str, issued_on: NaiveDate) -> Result<Vec<u8>, FormError> {
    let mut pdf = PdfDocument::new(title);
    let midnight = issued_on.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp();
    let date = OffsetDateTime::from_unix_timestamp(midnight).map_err(|e| FormError::Write(e.to_string()))?;
    let info = &mut pdf.metadata.info;
    info.creation_date = date;
    info.modification_date = date;
    info.metadata_date = date;
    info.subject = subject.to_string();
    info.creator = "motcua".to_string();
    info.producer = "motcua (printpdf)".to_string();

    for (face, whole) in doc.faces_used() {
        pdf.resources.fonts.map.insert(face.id(), PdfFont::new(face.embedded(whole)?.clone()));
    }
    let (width, height) = (Pt(doc.size.width), Pt(doc.size.height));
    let pages = doc
        .into_pages()
        .into_iter()
        .map(|ops| PdfPage {
            media_box: Rect::from_wh(width, height),
            trim_box: Rect::from_wh(width, height),
            crop_box: Rect::from_wh(width, height),
            ops,
        })
        .collect();
    pdf.pages = pages;

    let options = PdfSaveOptions { subset_fonts: true, ..PdfSaveOptions::default() };
    let mut warnings = Vec::new();
    let mut out = pdf.to_lopdf_document(&options, &mut warnings);
    compress_streams(&mut out);
    // printpdf always writes a `GTS_PDFXVersion` (empty here), which readers take as a PDF/X claim these forms do
    // not make; the other keys it writes empty are dropped with it.
    if let Ok(Object::Reference(info)) = out.trailer.get(b"Info").cloned()
        && let Ok(Object::Dictionary(dict)) = out.get_object_mut(info)
    {
        for key in ["GTS_PDFXVersion", "Trapped", "Identifier", "Keywords", "Author"] {
            dict.remove(key.as_bytes());
        }
    }

    let id = |bytes: &[u8]| Object::String(bytes.to_vec(), StringFormat::Hexadecimal);
    out.trailer.set("ID", Object::Array(vec![id(&[0; 16]), id(&[0; 16])]));
    let mut draft = Vec::new();
    out.save_to(&mut draft).map_err(|e| FormError::Write(e.to_string()))?;
    let digest = Sha256::digest(&draft);
    out.trailer.set("ID", Object::Array(vec![id(&digest[..16]), id(&digest[..16])]));
    let mut bytes = Vec::with_capacity(draft.len());
    out.save_to(&mut bytes).map_err(|e| FormError::Write(e.to_string()))?;
    Ok(bytes)
}

/// Deflates every stream at zlib's default level. lopdf's own `compress` takes the best level, which made a fifth
/// of a result's rendering time for a few percent of its size.
fn compress_streams(doc: &mut lopdf::Document) {
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder = ZlibEncoder::new(Vec::with_capacity(stream.content.len() / 2), Compression::default());
        if encoder.write_all(&stream.content).is_err() {
            continue;
        }
        if let Ok(compressed) = encoder.finish()
            && compressed.len() + 19 < stream.content.len()
        {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}
