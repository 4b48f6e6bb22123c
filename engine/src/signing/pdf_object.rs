//! Serialises PDF objects (lopdf's model) for an incremental update. Streams are not rewritten by the signer, so
//! a stream here is an error.

use std::fmt::Write as _;

use lopdf::{Dictionary, Object};

use super::error::SignError;

/// Appends the PDF syntax of `obj` to `out`.
pub(crate) fn write_object(out: &mut Vec<u8>, obj: &Object) -> Result<(), SignError> {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(real(*r).as_bytes()),
        Object::Name(n) => write_name(out, n),
        Object::String(s, _) => write_hex_string(out, s),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dictionary(out, d)?,
        Object::Reference((id, generation)) => out.extend_from_slice(format!("{id} {generation} R").as_bytes()),
        Object::Stream(_) => return Err(SignError::Pdf("unexpected stream where a dictionary was expected".into())),
    }
    Ok(())
}

pub(crate) fn write_dictionary(out: &mut Vec<u8>, d: &Dictionary) -> Result<(), SignError> {
    out.extend_from_slice(b"<<");
    for (key, value) in d.iter() {
        out.push(b' ');
        write_name(out, key);
        out.push(b' ');
        write_object(out, value)?;
    }
    out.extend_from_slice(b" >>");
    Ok(())
}

/// A name, with `#xx` escapes for delimiters, `#` and bytes outside the printable ASCII range.
pub(crate) fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        let regular = (0x21..=0x7e).contains(&b) && !b"#()<>[]{}/%".contains(&b);
        if regular {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

pub(crate) fn write_hex_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'<');
    let mut hex = String::with_capacity(s.len() * 2);
    for b in s {
        let _ = write!(hex, "{b:02X}");
    }
    out.extend_from_slice(hex.as_bytes());
    out.push(b'>');
}

/// A PDF text string: PDFDocEncoding-compatible ASCII as is, anything else as UTF-16BE with a byte-order mark.
pub(crate) fn text_string(s: &str) -> Object {
    let bytes = if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.as_bytes().to_vec()
    } else {
        let mut v = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            v.extend_from_slice(&unit.to_be_bytes());
        }
        v
    };
    Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

fn real(r: f32) -> String {
    if !r.is_finite() {
        return "0".into();
    }
    let s = format!("{r:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" { "0".into() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(obj: &Object) -> String {
        let mut out = Vec::new();
        write_object(&mut out, obj).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn objects_serialise_as_pdf_syntax() {
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"Annot".to_vec()));
        d.set("Rect", Object::Array(vec![0.into(), Object::Real(1.5), Object::Real(-0.25)]));
        d.set("T", Object::string_literal("Sig (1)"));
        d.set("P", Object::Reference((3, 0)));
        d.set("A b", Object::Boolean(true));
        assert_eq!(
            show(&Object::Dictionary(d)),
            "<< /Type /Annot /Rect [0 1.5 -0.25] /T <53696720283129> /P 3 0 R /A#20b true >>"
        );
        assert_eq!(show(&text_string("Ký")), "<FEFF004B00FD>");
    }
}
