//! Just enough of RFC 5322 / MIME to show a received mail the way its reader would see it: unfolded headers,
//! RFC 2047 encoded words (UTF-8 and ASCII, B and Q), multipart bodies, base64 and quoted-printable parts.
//! A mail that does not parse is still kept (a relay takes it); the simulator shows why it did not.

use base64::Engine as _;
use serde::Serialize;

/// A leaf part of a mail, decoded to text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// Lower case, without parameters: `text/plain`.
    pub content_type: String,
    pub charset: Option<String>,
    pub transfer_encoding: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Parsed {
    /// Unfolded and decoded, in order.
    pub headers: Vec<(String, String)>,
    /// The top-level content type, lower case, without parameters.
    pub content_type: String,
    pub parts: Vec<Part>,
}

impl Parsed {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub fn parse(raw: &[u8]) -> Result<Parsed, String> {
    let (headers, body) = split_entity(raw)?;
    let content_type = header_of(&headers, "Content-Type").unwrap_or("text/plain; charset=us-ascii").to_string();
    let mut parts = Vec::new();
    collect_parts(&headers, body, &mut parts, 0)?;
    let decoded = headers.iter().map(|(n, v)| Ok((n.clone(), decode_words(v)?))).collect::<Result<Vec<_>, String>>()?;
    Ok(Parsed { headers: decoded, content_type: media_type(&content_type), parts })
}

/// Header names with their raw values, in order.
type Headers = Vec<(String, String)>;

/// Headers (unfolded, raw values) and body of an entity.
fn split_entity(raw: &[u8]) -> Result<(Headers, &[u8]), String> {
    let end = find(raw, b"\r\n\r\n").ok_or("no blank line after the headers")?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| "headers are not UTF-8")?;
    let mut headers: Headers = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            let (_, value) = headers.last_mut().ok_or("a continuation line before any header")?;
            value.push_str(line);
        } else {
            let (name, value) = line.split_once(':').ok_or_else(|| format!("not a header: {line:?}"))?;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(format!("bad header name {name:?}"));
            }
            headers.push((name.to_string(), value.trim().to_string()));
        }
    }
    Ok((headers, &raw[end + 4..]))
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// A parameter of a structured header (`boundary`, `charset`), unquoted.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim().trim_matches('"').to_string())
    })
}

fn collect_parts(headers: &[(String, String)], body: &[u8], out: &mut Vec<Part>, depth: u8) -> Result<(), String> {
    if depth > 5 {
        return Err("multipart nested too deep".into());
    }
    let content_type = header_of(headers, "Content-Type").unwrap_or("text/plain; charset=us-ascii");
    let media = media_type(content_type);
    if media.starts_with("multipart/") {
        let boundary = parameter(content_type, "boundary").ok_or("a multipart without a boundary")?;
        for part in split_multipart(body, &boundary)? {
            let (part_headers, part_body) = split_entity(part)?;
            collect_parts(&part_headers, part_body, out, depth + 1)?;
        }
        return Ok(());
    }
    let encoding = header_of(headers, "Content-Transfer-Encoding").map(|e| e.trim().to_ascii_lowercase());
    let bytes = match encoding.as_deref() {
        Some("base64") => {
            let compact: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(compact).map_err(|e| format!("bad base64: {e}"))?
        }
        Some("quoted-printable") => quoted_printable(body)?,
        None | Some("7bit" | "8bit" | "binary") => body.to_vec(),
        Some(other) => return Err(format!("unknown transfer encoding {other}")),
    };
    let charset = parameter(content_type, "charset").map(|c| c.to_ascii_lowercase());
    let text = match charset.as_deref() {
        None | Some("utf-8" | "us-ascii") => String::from_utf8(bytes).map_err(|_| "a part is not valid UTF-8")?,
        Some(other) => return Err(format!("unsupported charset {other}")),
    };
    out.push(Part { content_type: media, charset, transfer_encoding: encoding, text });
    Ok(())
}

/// The bodies between `--boundary` lines, up to `--boundary--`.
fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, String> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    while pos <= body.len() {
        let end = find(&body[pos..], b"\r\n").map_or(body.len(), |i| pos + i);
        let line = &body[pos..end];
        if let Some(rest) = line.strip_prefix(delimiter.as_bytes()) {
            let rest = trim_end(rest);
            if let Some(from) = start {
                // The CRLF before a delimiter belongs to the delimiter.
                parts.push(&body[from..pos.saturating_sub(2).max(from)]);
            }
            if rest == b"--" {
                return Ok(parts);
            }
            if !rest.is_empty() {
                return Err("text after a boundary".into());
            }
            start = Some(end + 2);
        }
        pos = end + 2;
    }
    Err(format!("no closing boundary --{boundary}--"))
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().rposition(|b| !matches!(b, b' ' | b'\t')).map_or(0, |i| i + 1);
    &bytes[..n]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn quoted_printable(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'=' {
            out.push(body[i]);
            i += 1;
        } else if body[i + 1..].starts_with(b"\r\n") {
            i += 3; // soft line break
        } else {
            let hex = body.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or("bad quoted-printable escape")?;
            out.push(byte);
            i += 3;
        }
    }
    Ok(out)
}

/// Decodes RFC 2047 encoded words in a header value; whitespace between two encoded words is dropped.
pub fn decode_words(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, word) = rest.split_at(start);
        let Some((decoded, len)) = encoded_word(word)? else {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            after_word = false;
            continue;
        };
        if !(after_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        out.push_str(&decoded);
        rest = &word[len..];
        after_word = true;
    }
    out.push_str(rest);
    Ok(out)
}

/// One encoded word at the start of `text`: its text and its length; `None` if it is not one.
fn encoded_word(text: &str) -> Result<Option<(String, usize)>, String> {
    let inner = &text[2..];
    let mut fields = inner.splitn(3, '?');
    let (Some(charset), Some(encoding), Some(rest)) = (fields.next(), fields.next(), fields.next()) else {
        return Ok(None);
    };
    let Some(end) = rest.find("?=") else { return Ok(None) };
    let payload = &rest[..end];
    if charset.contains(char::is_whitespace) || payload.contains(char::is_whitespace) {
        return Ok(None);
    }
    let bytes = match encoding.to_ascii_uppercase().as_str() {
        "B" => {
            base64::engine::general_purpose::STANDARD.decode(payload).map_err(|e| format!("bad encoded word: {e}"))?
        }
        "Q" => quoted_printable(payload.replace('_', " ").as_bytes())?,
        _ => return Ok(None),
    };
    let charset = charset.split('*').next().unwrap_or_default().to_ascii_lowercase();
    if charset != "utf-8" && charset != "us-ascii" {
        return Err(format!("unsupported charset {charset} in a header"));
    }
    let decoded = String::from_utf8(bytes).map_err(|_| "an encoded word is not valid UTF-8")?;
    let len = 2 + charset.len() + 1 + encoding.len() + 1 + end + 2;
    Ok(Some((decoded, len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_decode() {
        assert_eq!(decode_words("=?utf-8?b?SOG7kyBzxqE=?= =?utf-8?b?IMSRw6M=?=").unwrap(), "Hồ sơ đã");
        assert_eq!(decode_words("=?UTF-8?Q?H=E1=BB=93_s=C6=A1?= x").unwrap(), "Hồ sơ x");
        assert_eq!(decode_words("plain =? text").unwrap(), "plain =? text");
    }

    #[test]
    fn a_multipart_mail_yields_its_parts() {
        let raw = "Subject: =?utf-8?b?SOG7kyBzxqE=?=\r\nContent-Type: multipart/alternative;\r\n boundary=\"b1\"\r\n\
                   MIME-Version: 1.0\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\r\nH=E1=BB=93 s=C6=A1 =\r\nd=C3=A0i\r\n--b1\r\n\
                   Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                   PHA+SOG7kyBzxqE8L3A+\r\n--b1--\r\n";
        let parsed = parse(raw.as_bytes()).unwrap();
        assert_eq!(parsed.header("subject"), Some("Hồ sơ"));
        assert_eq!(parsed.content_type, "multipart/alternative");
        let parts: Vec<(&str, &str)> =
            parsed.parts.iter().map(|p| (p.content_type.as_str(), p.text.as_str())).collect();
        assert_eq!(parts, [("text/plain", "Hồ sơ dài"), ("text/html", "<p>Hồ sơ</p>")]);
        assert!(parse(b"Subject: x\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n\r\nabc\r\n").is_err());
    }
}
