//! Finds the signatures of a PDF by scanning its bytes for `/ByteRange` arrays, as signature dictionaries are
//! never compressed (their byte offsets must be real). For each: the byte range, the `/Contents` hole it leaves,
//! and the few dictionary entries the verifier reports (`/SubFilter`, `/M`).

/// A signature dictionary found in the file.
#[derive(Debug, Clone)]
pub(crate) struct FoundSignature {
    /// The `/ByteRange` numbers, or why they could not be read.
    pub byte_range: Result<[usize; 4], String>,
    /// `/SubFilter`, without the slash.
    pub sub_filter: Option<String>,
    /// `/M`, the raw PDF date string.
    pub m: Option<String>,
}

fn find_all<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    hay.windows(needle.len()).enumerate().filter(move |(_, w)| *w == needle).map(|(i, _)| i)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == 0) {
        i += 1;
    }
    i
}

fn is_delimiter(c: u8) -> bool {
    c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c)
}

/// Reads `[a b c d]` at `i`.
fn read_range(b: &[u8], i: usize) -> Result<[usize; 4], String> {
    let mut i = skip_ws(b, i);
    if b.get(i) != Some(&b'[') {
        return Err("malformed /ByteRange".into());
    }
    i += 1;
    let mut nums = [0usize; 4];
    for n in &mut nums {
        i = skip_ws(b, i);
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        *n = std::str::from_utf8(&b[start..i])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or("malformed /ByteRange (four non-negative integers expected)")?;
    }
    i = skip_ws(b, i);
    if b.get(i) != Some(&b']') {
        return Err("malformed /ByteRange (four integers expected)".into());
    }
    Ok(nums)
}

/// The value of `/key` (a name or a string) within `region`, skipping nothing of it but whole tokens.
fn entry(region: &[u8], key: &[u8]) -> Option<String> {
    for at in find_all(region, key) {
        let after = at + key.len();
        if region.get(after).is_some_and(|&c| !is_delimiter(c)) {
            continue; // a longer name, e.g. /MDP for /M
        }
        let i = skip_ws(region, after);
        match region.get(i)? {
            b'/' => {
                let end = region[i + 1..].iter().position(|&c| is_delimiter(c)).map_or(region.len(), |p| i + 1 + p);
                return Some(String::from_utf8_lossy(&region[i + 1..end]).into_owned());
            }
            b'(' => return Some(literal_string(&region[i + 1..])),
            b'<' => {
                let end = region[i + 1..].iter().position(|&c| c == b'>')? + i + 1;
                let hex: Vec<u8> = region[i + 1..end].iter().copied().filter(|c| !c.is_ascii_whitespace()).collect();
                let bytes = hex::decode(&hex).ok()?;
                return Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            _ => continue,
        }
    }
    None
}

/// A literal string's text up to its closing parenthesis (escapes resolved for the characters dates use).
fn literal_string(b: &[u8]) -> String {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 1;
                if let Some(&c) = b.get(i) {
                    out.push(c);
                }
            }
            b'(' => {
                depth += 1;
                out.push(b'(');
            }
            b')' if depth == 0 => break,
            b')' => {
                depth -= 1;
                out.push(b')');
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every signature dictionary of `pdf`, in file order.
pub(crate) fn find_signatures(pdf: &[u8]) -> Vec<FoundSignature> {
    find_all(pdf, b"/ByteRange")
        .map(|at| {
            let byte_range = read_range(pdf, at + b"/ByteRange".len());
            // The enclosing object: from the last "obj" before to the first "endobj" after.
            let start = pdf[..at].windows(3).rposition(|w| w == b"obj").unwrap_or(0);
            let end = pdf[at..].windows(6).position(|w| w == b"endobj").map_or(pdf.len(), |p| at + p);
            // Leave the /Contents hole out of the region searched for entries.
            let (mut region, hole) = (pdf[start..end].to_vec(), byte_range.as_ref().ok().map(|r| r[1]..r[2]));
            let is_hole = |h: &std::ops::Range<usize>| {
                h.start >= start && h.end <= end && h.start < h.end && pdf[h.start] == b'<' && pdf[h.end - 1] == b'>'
            };
            if let Some(h) = hole.filter(is_hole) {
                region.drain(h.start - start..h.end - start);
            }
            FoundSignature { byte_range, sub_filter: entry(&region, b"/SubFilter"), m: entry(&region, b"/M") }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_signature_dictionary_and_its_entries() {
        let slot = "[0 0000000000 0000000000 0000000000]";
        let head =
            format!("%PDF-1.7\n7 0 obj\n<< /Type /Sig /SubFilter /ETSI.CAdES.detached /ByteRange {slot} /Contents ");
        let hole = "<3082 /M (x)>"; // not hex, but the scan leaves the hole out whatever it holds
        let tail = " /M (D:20260101000000+07'00') /Reason (a \\(b\\)) /Name (/M) >>\nendobj\n";
        let (a, b) = (head.len(), head.len() + hole.len());
        let range = format!("{:<width$}]", format!("[0 {a} {b} {}", tail.len()), width = slot.len() - 1);
        let pdf = format!("{}{hole}{tail}", head.replace(slot, &range)).into_bytes();
        let found = find_signatures(&pdf);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].byte_range, Ok([0, a, b, tail.len()]));
        assert_eq!(found[0].sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
        assert_eq!(found[0].m.as_deref(), Some("D:20260101000000+07'00'"));
        assert!(find_signatures(b"%PDF-1.4 /ByteRange [0 1 x]")[0].byte_range.is_err());
    }
}
