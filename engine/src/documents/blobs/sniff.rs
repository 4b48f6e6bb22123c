//! Deciding what a file is from its bytes, and refusing what is not an accepted paper.
//!
//! [`classify`] is pure: it looks at the first [`HEAD_LEN`] and last [`TAIL_LEN`] bytes. Two kinds need the whole
//! file and get it through a seekable reader in [`sniff`]: XML (valid UTF-8 throughout) and DOCX (the ZIP central
//! directory: required parts, no zip bomb, no escaping entry names).

use std::io::{self, Read, Seek, SeekFrom};

use super::MediaType;

/// How many leading bytes [`classify`] looks at.
pub const HEAD_LEN: usize = 8 * 1024;
/// How many trailing bytes [`classify`] looks at: a ZIP end-of-central-directory record with the longest comment.
pub const TAIL_LEN: usize = 22 + 65_535;

/// PDFs up to this size are parsed for active content.
const PDF_PARSE_MAX: u64 = 64 * 1024 * 1024;
/// PDF: `%%EOF` must be within this many bytes of the end.
const PDF_EOF_WINDOW: usize = 1024;
/// DOCX limits.
const ZIP_MAX_ENTRIES: u64 = 1000;
const ZIP_MAX_RATIO: u64 = 20;
const ZIP_MAX_EXPANDED: u64 = 500 * 1024 * 1024;
const ZIP_MAX_CENTRAL_DIRECTORY: u64 = 4 * 1024 * 1024;
const CONTENT_TYPES_MAX: u64 = 1024 * 1024;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const PNG_IEND: &[u8] = b"\0\0\0\0IEND\xae\x42\x60\x82";
const ZIP_LOCAL_HEADER: &[u8] = b"PK\x03\x04";
const ZIP_EOCD: &[u8] = b"PK\x05\x06";

/// What the first and last bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidate {
    /// Settled by the head and tail alone.
    Known(MediaType),
    /// A PDF whose objects must still be free of active content.
    Pdf,
    /// Looks like XML; the whole file must still be valid UTF-8.
    Xml,
    /// A ZIP archive whose end record is sane; the central directory decides whether it is a DOCX.
    Zip { entries: u64 },
}

/// Classifies a file of `size` bytes from its first bytes (`head`, up to [`HEAD_LEN`]) and its last bytes (`tail`,
/// up to [`TAIL_LEN`]; for a short file head and tail overlap). `Err` holds the reason for refusing it.
pub fn classify(head: &[u8], tail: &[u8], size: u64) -> Result<Candidate, String> {
    if size == 0 || head.is_empty() {
        return Err("the file is empty".into());
    }
    if head.starts_with(b"%PDF-") {
        let window = &tail[tail.len().saturating_sub(PDF_EOF_WINDOW)..];
        let Some(eof) = window.windows(5).rposition(|w| w == b"%%EOF") else {
            return Err("the PDF is truncated or damaged: no %%EOF marker at its end".into());
        };
        // Anything after the last end marker is another file riding along (a ZIP or a script: a polyglot).
        return if window[eof + 5..].iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            Ok(Candidate::Pdf)
        } else {
            Err("the PDF has data after its end marker (%%EOF): it may be two files in one".into())
        };
    }
    if head.starts_with(b"\xff\xd8\xff") {
        // Some scanners pad the file after the end-of-image marker.
        let end = trim_end(tail, |b| b == 0);
        return if end.ends_with(b"\xff\xd9") && size >= 4 {
            Ok(Candidate::Known(MediaType::Jpeg))
        } else {
            Err("the JPEG image is truncated: no end-of-image marker".into())
        };
    }
    if head.starts_with(PNG_SIGNATURE) {
        return if tail.ends_with(PNG_IEND) && size >= (PNG_SIGNATURE.len() + PNG_IEND.len()) as u64 {
            Ok(Candidate::Known(MediaType::Png))
        } else {
            Err("the PNG image is truncated: no IEND chunk at its end".into())
        };
    }
    if let Some(little) = tiff_byte_order(head) {
        return classify_tiff(head, size, little);
    }
    if head.starts_with(ZIP_LOCAL_HEADER) {
        return classify_zip(tail, size);
    }
    if head.starts_with(b"MZ") {
        return Err("this is a Windows program (MZ header), not a document".into());
    }
    if head.starts_with(b"\x7fELF") {
        return Err("this is an executable program (ELF), not a document".into());
    }
    if head.starts_with(ZIP_EOCD) {
        return Err("this is an empty ZIP archive, not a document".into());
    }
    if let Some(reason) = xml_refusal(head) {
        return Err(reason);
    }
    Ok(Candidate::Xml)
}

/// Decides the type of a file, reading it through `file` where the head and tail do not suffice.
pub fn sniff<R: Read + Seek>(head: &[u8], tail: &[u8], size: u64, file: &mut R) -> Result<MediaType, String> {
    match classify(head, tail, size)? {
        Candidate::Known(media_type) => Ok(media_type),
        // Past this size (more than uploads allow by default) the PDF is not read into memory to be parsed: it is
        // kept, and served as an attachment like every paper from outside.
        Candidate::Pdf if size > PDF_PARSE_MAX => Ok(MediaType::Pdf),
        Candidate::Pdf => {
            let mut pdf = Vec::with_capacity(size as usize);
            file.seek(SeekFrom::Start(0))
                .and_then(|_| file.read_to_end(&mut pdf))
                .map_err(|e| format!("could not read the file: {e}"))?;
            match super::pdf_active::active_content(&pdf) {
                None => Ok(MediaType::Pdf),
                Some(reason) => Err(format!("{reason}, which papers may not carry")),
            }
        }
        Candidate::Xml => {
            check_utf8(file).map_err(|e| format!("could not read the file: {e}"))??;
            Ok(MediaType::Xml)
        }
        Candidate::Zip { .. } => {
            check_docx(file, size)?;
            Ok(MediaType::Docx)
        }
    }
}

fn trim_end(bytes: &[u8], drop: impl Fn(u8) -> bool) -> &[u8] {
    let keep = bytes.iter().rposition(|&b| !drop(b)).map_or(0, |i| i + 1);
    &bytes[..keep]
}

/// `Some(true)` for little-endian (`II*\0`, BigTIFF `II+\0`), `Some(false)` for big-endian.
fn tiff_byte_order(head: &[u8]) -> Option<bool> {
    match head.get(..4)? {
        b"II*\0" | b"II+\0" => Some(true),
        b"MM\0*" | b"MM\0+" => Some(false),
        _ => None,
    }
}

fn classify_tiff(head: &[u8], size: u64, little: bool) -> Result<Candidate, String> {
    let big_tiff = head[2] == b'+' || head[3] == b'+';
    let offset = if big_tiff {
        head.get(8..16).map(|b| {
            let b: [u8; 8] = b.try_into().expect("8 bytes");
            if little { u64::from_le_bytes(b) } else { u64::from_be_bytes(b) }
        })
    } else {
        head.get(4..8).map(|b| {
            let b: [u8; 4] = b.try_into().expect("4 bytes");
            u64::from(if little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
        })
    };
    match offset {
        Some(offset) if offset >= 8 && offset < size => Ok(Candidate::Known(MediaType::Tiff)),
        Some(_) => Err("the TIFF image is damaged: its first directory lies outside the file".into()),
        None => Err("the TIFF image is truncated".into()),
    }
}

fn classify_zip(tail: &[u8], size: u64) -> Result<Candidate, String> {
    // The end-of-central-directory record: the last `PK\5\6` whose comment length reaches the end of the file.
    let record = (0..tail.len().saturating_sub(21)).rev().find_map(|i| {
        let r = &tail[i..];
        (r.starts_with(ZIP_EOCD) && usize::from(u16::from_le_bytes([r[20], r[21]])) == r.len() - 22).then_some(r)
    });
    let Some(record) = record else {
        return Err("the ZIP archive is truncated: no central directory".into());
    };
    let entries = u16::from_le_bytes([record[10], record[11]]);
    let directory_size = u32::from_le_bytes(record[12..16].try_into().expect("4 bytes"));
    let directory_offset = u32::from_le_bytes(record[16..20].try_into().expect("4 bytes"));
    if entries == u16::MAX || directory_size == u32::MAX || directory_offset == u32::MAX {
        return Err("ZIP64 archives are not accepted as Word documents".into());
    }
    if u64::from(entries) > ZIP_MAX_ENTRIES {
        return Err(format!("the archive has {entries} entries (at most {ZIP_MAX_ENTRIES} are accepted)"));
    }
    if u64::from(directory_size) > ZIP_MAX_CENTRAL_DIRECTORY
        || u64::from(directory_offset) + u64::from(directory_size) > size
    {
        return Err("the ZIP archive is damaged: its central directory does not fit the file".into());
    }
    Ok(Candidate::Zip { entries: u64::from(entries) })
}

fn xml_refusal(head: &[u8]) -> Option<String> {
    const NOT_ACCEPTED: &str = "the content is not a PDF, JPEG, PNG, TIFF, XML or DOCX document";
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let text = trim_start(text);
    let mut rest = if let Some(after) = text.strip_prefix(b"<?xml") {
        // The declaration ends the first `?>`; what follows may be comments and a doctype before the root.
        match after.windows(2).position(|w| w == b"?>") {
            Some(end) => &after[end + 2..],
            None => return Some("the XML declaration is not closed".into()),
        }
    } else if text.first() == Some(&b'<') && text.get(1).is_some_and(u8::is_ascii_alphabetic) {
        text
    } else {
        return Some(NOT_ACCEPTED.into());
    };
    if std::str::from_utf8(head).is_err_and(|e| e.error_len().is_some()) {
        return Some("the XML file is not valid UTF-8 text".into());
    }
    // Find the root element (skipping comments and the doctype) and refuse markup browsers would run as a page.
    loop {
        rest = trim_start(rest);
        if let Some(after) = rest.strip_prefix(b"<!--") {
            match after.windows(3).position(|w| w == b"-->") {
                Some(end) => rest = &after[end + 3..],
                None => return None,
            }
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            match rest.iter().position(|&b| b == b'>') {
                Some(end) => rest = &rest[end + 1..],
                None => return None,
            }
        } else {
            break;
        }
    }
    let name: Vec<u8> = rest
        .strip_prefix(b"<")?
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'))
        .map(u8::to_ascii_lowercase)
        .collect();
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(&[]);
    (local == b"html" || local == b"svg").then(|| "HTML and SVG pages are not accepted as XML documents".into())
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whole-file UTF-8 check, streaming (a sequence split between two reads is carried over).
fn check_utf8<R: Read + Seek>(file: &mut R) -> io::Result<Result<(), String>> {
    file.seek(SeekFrom::Start(0))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut carried = 0;
    loop {
        let n = file.read(&mut buf[carried..])?;
        let filled = carried + n;
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carried = 0,
            Err(e) if e.error_len().is_none() && n > 0 => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carried = filled - valid;
            }
            Err(_) => return Ok(Err("the XML file is not valid UTF-8 text".into())),
        }
        if n == 0 {
            return Ok(Ok(()));
        }
    }
}

/// The central directory of a ZIP must describe a Word document that is safe to open.
fn check_docx<R: Read + Seek>(file: &mut R, size: u64) -> Result<(), String> {
    file.seek(SeekFrom::Start(0)).map_err(|e| format!("could not read the file: {e}"))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| format!("the ZIP structure of the document is damaged: {e}"))?;
    if archive.len() as u64 > ZIP_MAX_ENTRIES {
        return Err(format!("the archive has {} entries (at most {ZIP_MAX_ENTRIES} are accepted)", archive.len()));
    }
    let mut expanded: u64 = 0;
    let (mut content_types, mut document) = (false, false);
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| format!("the ZIP directory is damaged: {e}"))?;
        let name = entry.name().map_err(|e| format!("an entry of the archive has an unreadable name: {e}"))?;
        if !is_safe_entry_name(&name) {
            return Err(format!("the archive contains an unsafe entry name: {name:?}"));
        }
        content_types |= name == "[Content_Types].xml";
        document |= name == "word/document.xml";
        expanded = expanded.saturating_add(entry.size());
    }
    let allowed = size.saturating_mul(ZIP_MAX_RATIO).min(ZIP_MAX_EXPANDED);
    if expanded > allowed {
        return Err(format!(
            "the archive would expand to {expanded} bytes from {size} (at most {allowed}): refused as a zip bomb"
        ));
    }
    if !content_types || !document {
        return Err("a ZIP archive that is not a Word document (no [Content_Types].xml and word/document.xml)".into());
    }
    let mut manifest = String::new();
    archive
        .by_name("[Content_Types].xml")
        .map_err(|e| format!("the document's [Content_Types].xml cannot be read: {e}"))?
        .take(CONTENT_TYPES_MAX)
        .read_to_string(&mut manifest)
        .map_err(|e| format!("the document's [Content_Types].xml cannot be read: {e}"))?;
    if !manifest.contains("wordprocessingml.document") {
        return Err("an Office file that is not a Word document".into());
    }
    Ok(())
}

fn is_safe_entry_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let absolute = name.starts_with('/') || name.starts_with('\\') || (bytes.len() >= 2 && bytes[1] == b':');
    !name.is_empty() && !absolute && !name.contains('\0') && !name.split(['/', '\\']).any(|part| part == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_all(bytes: &[u8]) -> Result<Candidate, String> {
        let tail = &bytes[bytes.len().saturating_sub(TAIL_LEN)..];
        classify(&bytes[..bytes.len().min(HEAD_LEN)], tail, bytes.len() as u64)
    }

    #[test]
    fn pdf_needs_its_end_marker() {
        assert_eq!(classify_all(b"%PDF-1.4\n1 0 obj\n%%EOF\n"), Ok(Candidate::Pdf));
        // A ZIP or a script after the end marker: one file pretending to be two.
        let polyglot = [&b"%PDF-1.4\n1 0 obj\n%%EOF\n"[..], b"PK\x05\x06", &[0u8; 18]].concat();
        assert!(classify_all(&polyglot).unwrap_err().contains("after its end marker"));
        let mut far = b"%PDF-1.7\n%%EOF\n".to_vec();
        far.extend(std::iter::repeat_n(b' ', 2000));
        assert!(classify_all(&far).unwrap_err().contains("truncated"));
    }

    #[test]
    fn jpeg_png_tiff() {
        assert_eq!(classify_all(b"\xff\xd8\xff\xe0rest\xff\xd9"), Ok(Candidate::Known(MediaType::Jpeg)));
        assert_eq!(classify_all(b"\xff\xd8\xff\xe0rest\xff\xd9\0\0"), Ok(Candidate::Known(MediaType::Jpeg)));
        assert!(classify_all(b"\xff\xd8\xff\xe0rest").is_err());
        let png = [PNG_SIGNATURE, b"IHDR....", PNG_IEND].concat();
        assert_eq!(classify_all(&png), Ok(Candidate::Known(MediaType::Png)));
        assert!(classify_all(&png[..png.len() - 1]).is_err());
        assert_eq!(classify_all(b"II*\0\x08\0\0\0\0\0"), Ok(Candidate::Known(MediaType::Tiff)));
        assert_eq!(classify_all(b"MM\0*\0\0\0\x08\0\0"), Ok(Candidate::Known(MediaType::Tiff)));
        assert!(classify_all(b"MM\0*\0\0\x10\0\0\0").is_err());
    }

    #[test]
    fn xml_shapes() {
        assert_eq!(classify_all(b"\xef\xbb\xbf  <?xml version=\"1.0\"?><a/>"), Ok(Candidate::Xml));
        assert_eq!(classify_all(b"\n<HoSo><Ten>\xc4\x90\xe1\xbb\x97</Ten></HoSo>"), Ok(Candidate::Xml));
        assert!(classify_all(b"< a>").is_err());
        assert!(classify_all(b"plain text").is_err());
        assert!(classify_all(b"<html><script>alert(1)</script></html>").is_err());
        assert!(classify_all(b"<?xml version=\"1.0\"?>\n<!-- x --><!DOCTYPE svg><svg:svg/>").is_err());
        assert!(classify_all(b"<a>\xff\xfe</a>").is_err());
    }

    #[test]
    fn other_content_is_refused_with_a_reason() {
        assert_eq!(classify_all(b""), Err("the file is empty".into()));
        assert!(classify_all(b"MZ\x90\0\x03").unwrap_err().contains("Windows program"));
        assert!(classify_all(b"\x7fELF\x02\x01").unwrap_err().contains("ELF"));
        assert!(classify_all(b"PK\x03\x04 no directory").unwrap_err().contains("truncated"));
    }

    #[test]
    fn utf8_check_carries_split_sequences() {
        let mut text = vec![b'a'; 64 * 1024 - 1];
        text.extend("đ".as_bytes());
        assert_eq!(check_utf8(&mut io::Cursor::new(&text)).unwrap(), Ok(()));
        text.push(0xc4);
        assert!(check_utf8(&mut io::Cursor::new(&text)).unwrap().is_err());
    }

    #[test]
    fn entry_names() {
        assert!(is_safe_entry_name("word/document.xml"));
        assert!(!is_safe_entry_name("../evil"));
        assert!(!is_safe_entry_name("word/../../evil"));
        assert!(!is_safe_entry_name("/etc/passwd"));
        assert!(!is_safe_entry_name("C:\\x"));
        assert!(!is_safe_entry_name("a\\..\\b"));
    }
}
