//! Adds an empty signature to a PDF as an incremental update (ISO 32000-1 §7.5.6, §12.8): a signature field with
//! an invisible widget on page 1 (AcroForm `/Fields`, `/SigFlags 3`) and a signature dictionary whose `/Contents`
//! is a zero-filled placeholder. The earlier bytes are never touched, so earlier signatures stay valid. The byte
//! range is written once the layout is final; [`PreparedPdf::finish`] then puts the CMS into the placeholder.

use std::ops::Range;

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::dates::pdf_date;
use super::error::SignError;
use super::pdf_object::{text_string, write_dictionary, write_hex_string};

/// What the signature dictionary says besides the signature itself.
#[derive(Debug, Clone)]
pub struct SignatureInfo<'a> {
    /// `/Reason`.
    pub reason: &'a str,
    /// `/M`, the claimed signing time (PAdES puts it here, not in the CMS).
    pub signing_time: DateTime<Utc>,
    /// `/Name`, the signer's name, if wanted.
    pub name: Option<&'a str>,
    /// Bytes reserved for the DER of the CMS (the hex placeholder is twice as long).
    pub reserved: usize,
}

/// A PDF carrying an empty signature: the CMS goes into the `/Contents` placeholder at `hole`.
#[derive(Debug)]
pub struct PreparedPdf {
    bytes: Vec<u8>,
    hole: Range<usize>,
}

/// Width of each number slot in the `/ByteRange` placeholder (files up to 9.9 GB).
const SLOT: usize = 10;

impl PreparedPdf {
    /// `/ByteRange`: everything but the `<…>` placeholder.
    pub fn byte_range(&self) -> [usize; 4] {
        [0, self.hole.start, self.hole.end, self.bytes.len() - self.hole.end]
    }

    /// The signed bytes, in order: before and after the placeholder.
    pub fn signed_parts(&self) -> [&[u8]; 2] {
        [&self.bytes[..self.hole.start], &self.bytes[self.hole.end..]]
    }

    /// How many DER bytes fit in the placeholder.
    pub fn reserved(&self) -> usize {
        (self.hole.len() - 2) / 2
    }

    /// Writes `cms_der` (hex, zero-padded) into the placeholder and returns the signed PDF.
    pub fn finish(mut self, cms_der: &[u8]) -> Result<Vec<u8>, SignError> {
        if cms_der.len() > self.reserved() {
            return Err(SignError::TooLarge { needed: cms_der.len(), reserved: self.reserved() });
        }
        let digits = hex::encode_upper(cms_der);
        let start = self.hole.start + 1;
        self.bytes[start..start + digits.len()].copy_from_slice(digits.as_bytes());
        Ok(self.bytes)
    }
}

/// A PDF an incremental update is appended to: the parsed document, and where and in which form (table or
/// stream) its last cross-reference section is, which the update's own section must follow.
pub(super) struct Base {
    pub doc: Document,
    prev_xref: usize,
    /// The last section is a cross-reference stream, so the update writes one too.
    pub xref_stream: bool,
}

impl Base {
    pub(super) fn read(pdf: &[u8], what: &str) -> Result<Base, SignError> {
        let doc = load_unencrypted(pdf, what)?;
        let prev_xref = last_startxref(pdf)?;
        let xref_stream = !pdf.get(prev_xref..).is_some_and(|rest| rest.trim_ascii_start().starts_with(b"xref"));
        Ok(Base { doc, prev_xref, xref_stream })
    }

    /// The first object number the update may use.
    pub(super) fn first_free_id(&self) -> u32 {
        let size = self.doc.trailer.get(b"Size").and_then(Object::as_i64).unwrap_or(0);
        u32::try_from(size).unwrap_or(0).max(self.doc.max_id + 1)
    }

    /// Ends the update: its cross-reference section for `offsets` (in the base's form; `xref_id` is the number
    /// reserved for a stream), a trailer pointing back to the base's section, and `startxref`.
    pub(super) fn write_xref(
        &self,
        out: &mut Vec<u8>,
        offsets: &mut Vec<(ObjectId, usize)>,
        size: u32,
        xref_id: Option<ObjectId>,
    ) -> Result<(), SignError> {
        let mut trailer = Dictionary::new();
        trailer.set("Size", Object::Integer(i64::from(size)));
        for key in [&b"Root"[..], b"Info", b"ID"] {
            if let Ok(v) = self.doc.trailer.get(key) {
                trailer.set(key.to_vec(), v.clone());
            }
        }
        trailer.set("Prev", Object::Integer(i64::try_from(self.prev_xref).unwrap_or(0)));
        let xref_at = out.len();
        match xref_id {
            None => write_xref_table(out, offsets, &trailer)?,
            Some(id) => {
                offsets.push((id, xref_at));
                write_xref_stream(out, id, offsets, trailer)?;
            }
        }
        out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
        Ok(())
    }
}

/// Parses a PDF (`what` names it in errors), refusing an encrypted one.
pub(super) fn load_unencrypted(bytes: &[u8], what: &str) -> Result<Document, SignError> {
    let doc = Document::load_mem(bytes).map_err(|e| SignError::Pdf(format!("cannot read {what}: {e}")))?;
    if doc.trailer.has(b"Encrypt") || doc.was_encrypted() {
        return Err(SignError::Pdf(format!("{what} is encrypted")));
    }
    Ok(doc)
}

/// Appends an incremental update with a new, empty signature to `pdf`.
pub fn prepare(pdf: &[u8], info: &SignatureInfo<'_>) -> Result<PreparedPdf, SignError> {
    let base = Base::read(pdf, "the PDF")?;
    let doc = &base.doc;

    let root_id =
        doc.trailer.get(b"Root").and_then(Object::as_reference).map_err(|_| pdf_err("no /Root in the trailer"))?;
    let mut catalog = doc.get_dictionary(root_id).map_err(|_| pdf_err("no catalog"))?.clone();
    let page_id = *doc.get_pages().values().next().ok_or_else(|| pdf_err("the PDF has no page"))?;
    let mut page = doc.get_dictionary(page_id).map_err(|_| pdf_err("unreadable first page"))?.clone();

    let mut next_id = base.first_free_id();
    let mut new_id = || {
        next_id += 1;
        (next_id - 1, 0u16)
    };
    let sig_id = new_id();
    let widget_id = new_id();
    let appearance_id = new_id();

    // The AcroForm: an existing indirect one is rewritten; a direct or missing one becomes a new object.
    let (acro_id, mut acro_form, catalog_changed) = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => {
            (*id, doc.get_dictionary(*id).map_err(|_| pdf_err("unreadable /AcroForm"))?.clone(), false)
        }
        Ok(Object::Dictionary(d)) => (new_id(), d.clone(), true),
        _ => (new_id(), Dictionary::new(), true),
    };
    let mut fields = resolve_array(doc, acro_form.get(b"Fields").ok());
    let field_name = unused_field_name(doc, &fields);
    fields.push(Object::Reference(widget_id));
    acro_form.set("Fields", Object::Array(fields));
    acro_form.set("SigFlags", Object::Integer(3));
    if catalog_changed {
        catalog.set("AcroForm", Object::Reference(acro_id));
    }

    let mut annots = resolve_array(doc, page.get(b"Annots").ok());
    annots.push(Object::Reference(widget_id));
    page.set("Annots", Object::Array(annots));

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("T", text_string(&field_name));
    widget.set("V", Object::Reference(sig_id));
    widget.set("F", Object::Integer(132)); // Print + Locked
    widget.set("Rect", Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]));
    widget.set("P", Object::Reference(page_id));
    let mut ap = Dictionary::new();
    ap.set("N", Object::Reference(appearance_id));
    widget.set("AP", Object::Dictionary(ap));

    let mut out = pdf.to_vec();
    if !matches!(out.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    let mut put = |out: &mut Vec<u8>, id: ObjectId, dict: &Dictionary| -> Result<(), SignError> {
        offsets.push((id, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        write_dictionary(out, dict)?;
        out.extend_from_slice(b"\nendobj\n");
        Ok(())
    };
    if catalog_changed {
        put(&mut out, root_id, &catalog)?;
    }
    put(&mut out, acro_id, &acro_form)?;
    put(&mut out, page_id, &page)?;
    put(&mut out, widget_id, &widget)?;

    // An empty appearance for the invisible widget.
    offsets.push((appearance_id, out.len()));
    out.extend_from_slice(
        format!(
            "{} 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 0 0] /Length 0 >>\nstream\n\nendstream\nendobj\n",
            appearance_id.0
        )
        .as_bytes(),
    );

    // The signature dictionary, with fixed-width placeholders.
    offsets.push((sig_id, out.len()));
    out.extend_from_slice(
        format!("{} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ", sig_id.0)
            .as_bytes(),
    );
    let range_at = out.len();
    out.extend_from_slice(format!("[0 {z} {z} {z}]", z = "0".repeat(SLOT)).as_bytes());
    let range_end = out.len();
    out.extend_from_slice(b" /Contents ");
    let hole_start = out.len();
    out.push(b'<');
    out.resize(out.len() + info.reserved * 2, b'0');
    out.push(b'>');
    let hole_end = out.len();
    out.extend_from_slice(format!(" /M ({})", pdf_date(info.signing_time)).as_bytes());
    let mut tail = Vec::new();
    tail.extend_from_slice(b" /Reason ");
    write_hex_string(&mut tail, text_bytes(info.reason).as_slice());
    if let Some(name) = info.name {
        tail.extend_from_slice(b" /Name ");
        write_hex_string(&mut tail, text_bytes(name).as_slice());
    }
    out.extend_from_slice(&tail);
    out.extend_from_slice(b" >>\nendobj\n");

    let xref_id = base.xref_stream.then(&mut new_id);
    base.write_xref(&mut out, &mut offsets, next_id, xref_id)?;

    // Now the layout is final: fill in the byte range.
    let range = [0, hole_start, hole_end, out.len() - hole_end];
    let text = format!("[{} {} {} {}", range[0], range[1], range[2], range[3]);
    let width = range_end - range_at - 1;
    if text.len() > width {
        return Err(pdf_err("the PDF is too large for the byte range placeholder"));
    }
    out[range_at..range_end - 1].copy_from_slice(format!("{text:<width$}").as_bytes());
    Ok(PreparedPdf { bytes: out, hole: hole_start..hole_end })
}

pub(super) fn pdf_err(what: &str) -> SignError {
    SignError::Pdf(what.to_string())
}

fn text_bytes(s: &str) -> Vec<u8> {
    match text_string(s) {
        Object::String(bytes, _) => bytes,
        _ => Vec::new(),
    }
}

/// The offset after the last `startxref` keyword.
fn last_startxref(pdf: &[u8]) -> Result<usize, SignError> {
    let tail_from = pdf.len().saturating_sub(4096);
    let tail = &pdf[tail_from..];
    let at = tail.windows(9).rposition(|w| w == b"startxref").ok_or_else(|| pdf_err("no startxref"))?;
    let digits: String = tail[at + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits.parse().map_err(|_| pdf_err("unreadable startxref"))
}

/// An array value, following one indirect reference; anything else gives an empty array.
pub(super) fn resolve_array(doc: &Document, value: Option<&Object>) -> Vec<Object> {
    match value {
        Some(Object::Array(a)) => a.clone(),
        Some(Object::Reference(id)) => match doc.get_object(*id) {
            Ok(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// `SignatureN` with the smallest N no top-level field uses.
fn unused_field_name(doc: &Document, fields: &[Object]) -> String {
    let names: Vec<Vec<u8>> = fields
        .iter()
        .filter_map(|f| match f {
            Object::Reference(id) => doc.get_dictionary(*id).ok(),
            Object::Dictionary(d) => Some(d),
            _ => None,
        })
        .filter_map(|d| d.get(b"T").ok().and_then(|t| t.as_str().ok()).map(<[u8]>::to_vec))
        .collect();
    (1..).map(|n| format!("Signature{n}")).find(|n| !names.iter().any(|t| t == n.as_bytes())).unwrap_or_default()
}

/// Consecutive runs of object numbers, as xref subsections want them.
fn subsections(offsets: &mut [(ObjectId, usize)]) -> Vec<(u32, Vec<usize>)> {
    offsets.sort_by_key(|(id, _)| id.0);
    let mut runs: Vec<(u32, Vec<usize>)> = Vec::new();
    for &((num, _), at) in offsets.iter() {
        match runs.last_mut() {
            Some((start, v)) if *start + v.len() as u32 == num => v.push(at),
            _ => runs.push((num, vec![at])),
        }
    }
    runs
}

fn write_xref_table(
    out: &mut Vec<u8>,
    offsets: &mut [(ObjectId, usize)],
    trailer: &Dictionary,
) -> Result<(), SignError> {
    out.extend_from_slice(b"xref\n");
    for (start, entries) in subsections(offsets) {
        out.extend_from_slice(format!("{start} {}\n", entries.len()).as_bytes());
        for at in entries {
            out.extend_from_slice(format!("{at:010} 00000 n\r\n").as_bytes());
        }
    }
    out.extend_from_slice(b"trailer\n");
    write_dictionary(out, trailer)?;
    out.push(b'\n');
    Ok(())
}

/// A cross-reference stream (PDF 1.5), for files whose previous section is one.
fn write_xref_stream(
    out: &mut Vec<u8>,
    id: ObjectId,
    offsets: &mut [(ObjectId, usize)],
    mut dict: Dictionary,
) -> Result<(), SignError> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (start, entries) in subsections(offsets) {
        index.push(Object::Integer(i64::from(start)));
        index.push(Object::Integer(entries.len() as i64));
        for at in entries {
            let at = u32::try_from(at).map_err(|_| pdf_err("PDF too large for a 4-byte cross-reference stream"))?;
            data.push(1u8);
            data.extend_from_slice(&at.to_be_bytes());
            data.extend_from_slice(&[0, 0]);
        }
    }
    dict.set("Type", Object::Name(b"XRef".to_vec()));
    dict.set("W", Object::Array(vec![1.into(), 4.into(), 2.into()]));
    dict.set("Index", Object::Array(index));
    dict.set("Length", Object::Integer(data.len() as i64));
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    write_dictionary(out, &dict)?;
    out.extend_from_slice(b"\nstream\n");
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    Ok(())
}
