//! Active content in a PDF: JavaScript, launch actions, embedded files and rich media. A paper is read by staff
//! and citizens in their viewers; none of it belongs in a paper, and each has carried attacks, so such a PDF is
//! refused at upload. The PDF is parsed (object streams included, names with `#xx` escapes decoded); one the
//! parser cannot read is scanned as bytes, and every upload is served to staff as an attachment anyway.

use lopdf::{Dictionary, Document, Object};

/// Why a PDF is refused, if it is.
pub fn active_content(pdf: &[u8]) -> Option<&'static str> {
    match Document::load_mem(pdf) {
        Ok(document) => document.objects.values().find_map(|object| match object {
            Object::Dictionary(dict) => in_dictionary(dict),
            Object::Stream(stream) => in_dictionary(&stream.dict),
            _ => None,
        }),
        Err(_) => in_bytes(pdf),
    }
}

fn in_dictionary(dict: &Dictionary) -> Option<&'static str> {
    let name = |key: &[u8]| dict.get(key).ok().and_then(|o| o.as_name().ok());
    for (key, value) in dict.iter() {
        if let Some(reason) = reason_for_name(key) {
            return Some(reason);
        }
        // Nested dictionaries held directly (an action inside an annotation, say).
        if let Object::Dictionary(inner) = value
            && let Some(reason) = in_dictionary(inner)
        {
            return Some(reason);
        }
    }
    match (name(b"S"), name(b"Type")) {
        (Some(b"JavaScript"), _) => Some(JAVASCRIPT),
        (Some(b"Launch"), _) => Some(LAUNCH),
        (_, Some(b"EmbeddedFile")) => Some(EMBEDDED),
        _ => None,
    }
}

const JAVASCRIPT: &str = "the PDF holds JavaScript";
const LAUNCH: &str = "the PDF holds an action that launches a program";
const EMBEDDED: &str = "the PDF holds embedded files";
const RICH_MEDIA: &str = "the PDF holds rich media (Flash, video, 3D)";

fn reason_for_name(name: &[u8]) -> Option<&'static str> {
    match name {
        b"JS" | b"JavaScript" => Some(JAVASCRIPT),
        b"Launch" => Some(LAUNCH),
        b"EmbeddedFiles" | b"EF" => Some(EMBEDDED),
        b"RichMedia" | b"RichMediaContent" => Some(RICH_MEDIA),
        _ => None,
    }
}

/// The same names, looked for among the name tokens of unparsed bytes (`/J#61vaScript` is `/JavaScript`),
/// outside stream data (compressed images would match by chance).
fn in_bytes(pdf: &[u8]) -> Option<&'static str> {
    let mut i = 0;
    while let Some(offset) = pdf[i..].iter().position(|&b| b == b'/' || b == b's') {
        let at = i + offset;
        if pdf[at] == b's' {
            i = match pdf[at..].starts_with(b"stream") {
                true => find(pdf, at + 6, b"endstream").map_or(pdf.len(), |end| end + 9),
                false => at + 1,
            };
            continue;
        }
        let start = at + 1;
        let end = pdf[start..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b"/<>[]()%{}".contains(&b))
            .map_or(pdf.len(), |n| start + n);
        if let Some(reason) = reason_for_name(&decode_name(&pdf[start..end])) {
            return Some(reason);
        }
        i = end.max(start);
    }
    None
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| from + p)
}

fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let escaped = (raw[i] == b'#')
            .then(|| raw.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use lopdf::dictionary;

    use super::*;

    const PAPER: &[u8] = include_bytes!("../../../../fixtures/papers/mau-giay-to.pdf");

    /// The sample paper with one more object, opened with the document, as a crafted PDF would carry it.
    fn with_object(dict: Dictionary) -> Vec<u8> {
        let mut document = Document::load_mem(PAPER).unwrap();
        let id = document.add_object(Object::Dictionary(dict));
        let root = document.trailer.get(b"Root").unwrap().as_reference().unwrap();
        document.get_object_mut(root).unwrap().as_dict_mut().unwrap().set("OpenAction", Object::Reference(id));
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn plain_papers_pass() {
        assert_eq!(active_content(PAPER), None);
    }

    #[test]
    fn scripts_launches_and_embedded_files_are_found() {
        let script = || Object::string_literal("app.alert(1)");
        let cases = [
            (dictionary! { "Type" => "Action", "S" => "JavaScript", "JS" => script() }, JAVASCRIPT),
            (dictionary! { "S" => "Launch", "F" => Object::string_literal("cmd.exe") }, LAUNCH),
            (dictionary! { "Type" => "EmbeddedFile" }, EMBEDDED),
            (dictionary! { "Names" => dictionary! { "EmbeddedFiles" => dictionary! {} } }, EMBEDDED),
        ];
        for (dict, reason) in cases {
            assert_eq!(active_content(&with_object(dict.clone())), Some(reason), "{dict:?}");
        }
    }

    #[test]
    fn unparsed_bytes_are_scanned_with_escapes_decoded() {
        assert_eq!(in_bytes(b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"), Some(JAVASCRIPT));
        assert_eq!(in_bytes(b"<< /Type /Action /S /Launch >>"), Some(LAUNCH));
        assert_eq!(in_bytes(b"<< /Type /Page /Contents 4 0 R >>"), None);
        assert_eq!(in_bytes(b"<< /Length 9 >>\nstream\n/JS /EF x\nendstream\n"), None, "stream data is not syntax");
        let broken =
            [&b"%PDF-1.4\n9 0 obj\n<< /S /JavaScript /JS (x) >>\nendobj\n"[..], &PAPER[9..PAPER.len() / 2]].concat();
        assert_eq!(active_content(&broken), Some(JAVASCRIPT), "a PDF the parser cannot read is scanned");
    }
}
