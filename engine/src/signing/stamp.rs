//! Draws page 1 of an overlay PDF on top of page 1 of a (signed) PDF as an incremental update (ISO 32000-1
//! §7.5.6). Decree 30/2020/NĐ-CP has the leader sign the result first; the records clerk then adds the document
//! number (`forms::render_result_number`) and seals it. The earlier bytes are never touched, so the leader's
//! signature stays valid (it covers its own revision; validators report the later change).
//!
//! The overlay page becomes a form XObject: its content stream(s), with every object its `/Resources` reach
//! (fonts, their descendant fonts, descriptors, `FontFile2` and `ToUnicode` streams…), are copied under new object
//! numbers. A form XObject carries its own resources, so the overlay's names (which are the same as the page's
//! when both come from our forms) cannot clash: the only name added to the page's resources is the XObject's,
//! chosen unused. The page's `/Contents` becomes `[q, old contents…, Q + draw]`, so whatever graphics state the
//! old content leaves behind does not move the overlay.

use std::collections::{BTreeMap, VecDeque};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::error::SignError;
use super::pdf_object::{write_dictionary, write_object};
use super::pdf_update::{Base, load_unencrypted, pdf_err, resolve_array};

/// Returns `pdf` with page 1 of `overlay` drawn over its page 1, lower-left corners matched, appended as an
/// incremental update.
pub fn stamp_overlay(pdf: &[u8], overlay: &[u8]) -> Result<Vec<u8>, SignError> {
    let base = Base::read(pdf, "the PDF")?;
    let doc = &base.doc;
    let over = load_unencrypted(overlay, "the overlay")?;

    let page_id = first_page(doc, "the PDF")?;
    let mut page = doc.get_dictionary(page_id).map_err(|_| pdf_err("unreadable first page"))?.clone();
    let over_page_id = first_page(&over, "the overlay")?;
    let over_page = over.get_dictionary(over_page_id).map_err(|_| pdf_err("unreadable overlay page"))?;

    let mut ids = Ids(base.first_free_id());
    let open_id = ids.take();
    let draw_id = ids.take();
    let form_id = ids.take();

    // The overlay page as a form XObject, its resources copied along.
    let mut copier = Copier { from: &over, map: BTreeMap::new(), queue: VecDeque::new() };
    let over_resources = inherited_dictionary(&over, over_page, b"Resources").unwrap_or_default();
    let resources = copier.copy(&Object::Dictionary(over_resources), &mut ids);
    let over_box = media_box(&over, over_page)?;
    let mut form = Dictionary::new();
    form.set("Type", Object::Name(b"XObject".to_vec()));
    form.set("Subtype", Object::Name(b"Form".to_vec()));
    form.set("BBox", Object::Array(over_box.iter().map(|&v| Object::Real(v)).collect()));
    form.set("Resources", resources);
    let contents = over.get_page_contents(over_page_id);
    let form = match contents.as_slice() {
        // One stream (what our forms write): its bytes as they are, still compressed.
        [only] => {
            let stream = over.get_object(*only).and_then(Object::as_stream).map_err(|_| pdf_err("overlay content"))?;
            for key in [&b"Filter"[..], b"DecodeParms"] {
                if let Ok(value) = stream.dict.get(key) {
                    form.set(key.to_vec(), copier.copy(value, &mut ids));
                }
            }
            Stream::new(form, stream.content.clone())
        }
        // Several: decoded and joined (ISO 32000-1 §7.8.2 reads them as one stream).
        many => {
            let mut joined = Vec::new();
            for id in many {
                let stream =
                    over.get_object(*id).and_then(Object::as_stream).map_err(|_| pdf_err("overlay content"))?;
                joined.extend(stream.decompressed_content().map_err(|e| pdf_err(&format!("overlay content: {e}")))?);
                joined.push(b'\n');
            }
            Stream::new(form, joined)
        }
    };

    // The page: its resources with the XObject added under an unused name, its contents wrapped.
    let mut page_resources = inherited_dictionary(doc, &page, b"Resources").unwrap_or_default();
    let mut xobjects = match page_resources.get(b"XObject") {
        Ok(Object::Reference(id)) => doc.get_dictionary(*id).cloned().unwrap_or_default(),
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    let name = (1..).map(|n| format!("MCStamp{n}")).find(|n| !xobjects.has(n.as_bytes())).unwrap_or_default();
    xobjects.set(name.as_bytes().to_vec(), Object::Reference(form_id));
    page_resources.set("XObject", Object::Dictionary(xobjects));
    page.set("Resources", Object::Dictionary(page_resources));

    let page_box = media_box(doc, &page)?;
    let (dx, dy) = (page_box[0] - over_box[0], page_box[1] - over_box[1]);
    let mut contents = match page.get(b"Contents") {
        Ok(Object::Reference(id)) if matches!(doc.get_object(*id), Ok(Object::Stream(_))) => {
            vec![Object::Reference(*id)]
        }
        other => resolve_array(doc, other.ok()),
    };
    contents.insert(0, Object::Reference(open_id));
    contents.push(Object::Reference(draw_id));
    page.set("Contents", Object::Array(contents));
    let mut draw = b"Q\nq 1 0 0 1 ".to_vec();
    write_object(&mut draw, &Object::Real(dx))?;
    draw.push(b' ');
    write_object(&mut draw, &Object::Real(dy))?;
    draw.extend_from_slice(b" cm /");
    draw.extend_from_slice(name.as_bytes());
    draw.extend_from_slice(b" Do Q\n");

    let mut out = pdf.to_vec();
    if !matches!(out.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    put(&mut out, &mut offsets, page_id, &Object::Dictionary(page))?;
    put(&mut out, &mut offsets, open_id, &Object::Stream(Stream::new(Dictionary::new(), b"q\n".to_vec())))?;
    put(&mut out, &mut offsets, draw_id, &Object::Stream(Stream::new(Dictionary::new(), draw)))?;
    put(&mut out, &mut offsets, form_id, &Object::Stream(form))?;
    while let Some((old, new)) = copier.queue.pop_front() {
        let object = over.get_object(old).map_err(|_| pdf_err("the overlay refers to a missing object"))?;
        let copied = copier.copy(object, &mut ids);
        put(&mut out, &mut offsets, new, &copied)?;
    }

    let xref_id = base.xref_stream.then(|| ids.take());
    base.write_xref(&mut out, &mut offsets, ids.0, xref_id)?;
    Ok(out)
}

fn first_page(doc: &Document, what: &str) -> Result<ObjectId, SignError> {
    doc.get_pages().values().next().copied().ok_or_else(|| SignError::Pdf(format!("{what} has no page")))
}

/// The next free object numbers.
struct Ids(u32);

impl Ids {
    fn take(&mut self) -> ObjectId {
        self.0 += 1;
        (self.0 - 1, 0)
    }
}

/// Copies objects of another document under new numbers, each once: `copy` rewrites references, queueing the
/// objects they point to for the caller to copy in turn.
struct Copier<'a> {
    from: &'a Document,
    map: BTreeMap<ObjectId, ObjectId>,
    queue: VecDeque<(ObjectId, ObjectId)>,
}

impl Copier<'_> {
    fn copy(&mut self, object: &Object, ids: &mut Ids) -> Object {
        match object {
            Object::Reference(old) => {
                // A resource never needs a page; following one would copy the overlay's whole page tree.
                let is_page = self.from.get_dictionary(*old).is_ok_and(|d| {
                    d.get(b"Type").and_then(Object::as_name).is_ok_and(|t| t == b"Page" || t == b"Pages")
                });
                if is_page {
                    return Object::Null;
                }
                let new = *self.map.entry(*old).or_insert_with(|| {
                    let new = ids.take();
                    self.queue.push_back((*old, new));
                    new
                });
                Object::Reference(new)
            }
            Object::Array(items) => Object::Array(items.iter().map(|item| self.copy(item, ids)).collect()),
            Object::Dictionary(dict) => Object::Dictionary(self.copy_dictionary(dict, ids)),
            Object::Stream(stream) => {
                let mut copied = stream.clone();
                copied.dict = self.copy_dictionary(&stream.dict, ids);
                Object::Stream(copied)
            }
            other => other.clone(),
        }
    }

    fn copy_dictionary(&mut self, dict: &Dictionary, ids: &mut Ids) -> Dictionary {
        let mut copied = Dictionary::new();
        for (key, value) in dict.iter() {
            copied.set(key.clone(), self.copy(value, ids));
        }
        copied
    }
}

/// Writes `object` as indirect object `id`, noting its offset. A stream's bytes are written as they are, with
/// their real length.
fn put(
    out: &mut Vec<u8>,
    offsets: &mut Vec<(ObjectId, usize)>,
    id: ObjectId,
    object: &Object,
) -> Result<(), SignError> {
    offsets.push((id, out.len()));
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    match object {
        Object::Stream(stream) => {
            let mut dict = stream.dict.clone();
            dict.set("Length", Object::Integer(stream.content.len() as i64));
            write_dictionary(out, &dict)?;
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        other => write_object(out, other)?,
    }
    out.extend_from_slice(b"\nendobj\n");
    Ok(())
}

/// An inheritable page attribute (ISO 32000-1 §7.7.3.4) as a dictionary: the page's own or its nearest
/// ancestor's, following one indirect reference.
fn inherited_dictionary(doc: &Document, page: &Dictionary, key: &[u8]) -> Option<Dictionary> {
    match inherited(doc, page, key)? {
        Object::Dictionary(d) => Some(d.clone()),
        Object::Reference(id) => doc.get_dictionary(*id).ok().cloned(),
        _ => None,
    }
}

fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    // Bounded: a malformed tree may loop.
    for _ in 0..32 {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        node = doc.get_dictionary(node.get(b"Parent").and_then(Object::as_reference).ok()?).ok()?;
    }
    None
}

/// The page's `/MediaBox` as [llx, lly, urx, ury].
fn media_box(doc: &Document, page: &Dictionary) -> Result<[f32; 4], SignError> {
    let value = inherited(doc, page, b"MediaBox").ok_or_else(|| pdf_err("a page has no /MediaBox"))?;
    let items = match value {
        Object::Reference(id) => doc.get_object(*id).and_then(Object::as_array).ok(),
        other => other.as_array().ok(),
    };
    let numbers: Vec<f32> = items.into_iter().flatten().filter_map(|v| v.as_float().ok()).collect();
    let [a, b, c, d] = numbers[..] else { return Err(pdf_err("unreadable /MediaBox")) };
    Ok([a.min(c), b.min(d), a.max(c), b.max(d)])
}
