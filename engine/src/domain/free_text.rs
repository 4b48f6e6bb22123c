//! What any text a person types may hold, wherever it enters (JSON, forms, the portal): canonical Unicode (NFC,
//! so "Nguyễn" typed with combining marks and precomposed is one name, in searches and on the portal), and no
//! character that is invisible or reorders what is shown (C0/C1 controls but tab and line breaks, bidirectional
//! embeddings, overrides and isolates: "Trojan source" tricks on names and file names). The lengths of each kind
//! of field are here too, so every room bounds them alike.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// A person's or an organisation's name, as the population database bounds it.
pub const NAME_MAX: usize = 100;
/// A postal address.
pub const ADDRESS_MAX: usize = 300;
/// An e-mail address (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;
/// A short identifier typed by a person: a payment reference, a register number.
pub const SHORT_MAX: usize = 100;
/// A note, a reason, a question, an answer, a summary.
pub const TEXT_MAX: usize = 2000;
/// How many reasons or items one action lists.
pub const ITEMS_MAX: usize = 50;

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextFault {
    #[error("the text holds the control character U+{:04X}", *.0 as u32)]
    Control(char),
    #[error("the text holds the bidirectional formatting character U+{:04X}", *.0 as u32)]
    Bidi(char),
}

/// Characters that change how text is shown without being seen.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Checks a text for forbidden characters and returns it in NFC (borrowed back when it already is).
pub fn canonical(text: &str) -> Result<std::borrow::Cow<'_, str>, TextFault> {
    if let Some(c) = text.chars().find(|&c| is_forbidden_control(c) || is_bidi_control(c)) {
        return Err(if is_bidi_control(c) { TextFault::Bidi(c) } else { TextFault::Control(c) });
    }
    Ok(match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => std::borrow::Cow::Borrowed(text),
        _ => std::borrow::Cow::Owned(text.nfc().collect()),
    })
}

/// The number of characters (not bytes) of a text, as limits count them.
pub fn length(text: &str) -> usize {
    text.chars().count()
}

/// A text is within `max` characters.
pub fn within(text: &str, max: usize) -> bool {
    // Bytes bound characters from above: most texts are decided without counting.
    text.len() <= max || length(text) <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_out_composed_and_tricks_are_refused() {
        let decomposed = "Nguye\u{302}\u{303}n";
        assert_eq!(canonical(decomposed).unwrap(), "Nguyễn");
        assert!(matches!(canonical("Nguyễn").unwrap(), std::borrow::Cow::Borrowed(_)));
        assert_eq!(canonical("dòng 1\ndòng 2\tcột").unwrap(), "dòng 1\ndòng 2\tcột");
        assert_eq!(canonical("abc\u{202E}fdp.exe"), Err(TextFault::Bidi('\u{202E}')));
        assert_eq!(canonical("a\u{2066}b"), Err(TextFault::Bidi('\u{2066}')));
        assert_eq!(canonical("a\u{7}b"), Err(TextFault::Control('\u{7}')));
        assert_eq!(canonical("a\u{85}b"), Err(TextFault::Control('\u{85}')));
        assert_eq!(canonical("a\u{0}b"), Err(TextFault::Control('\u{0}')));
    }

    #[test]
    fn limits_count_characters() {
        assert!(within(&"ễ".repeat(100), NAME_MAX));
        assert!(!within(&"ễ".repeat(101), NAME_MAX));
    }
}
