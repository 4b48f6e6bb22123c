//! Compact storage of the JSON documents the store keeps whole: dossier states and event payloads. They are
//! zstd frames made with a dictionary of the demo's own documents (every state and event kind once), which
//! holds the keys, enum values and phrases each document repeats: a 1.5 KB state packs to a small fraction of
//! it, where zstd alone barely halves it. The first byte names the format so that a later dictionary can come
//! beside this one: what was packed with format 1 stays readable for ever, so its dictionary never changes.

use std::cell::RefCell;
use std::sync::LazyLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

const DICTIONARY_1: &[u8] = include_bytes!("packing/dictionary-1.txt");
const FORMAT_1: u8 = 1;
/// zstd's default level: packing a state takes microseconds at it.
const LEVEL: i32 = 3;
/// No document of ours comes near this; a frame claiming more is damaged.
const MAX_DOCUMENT: u64 = 16 * 1024 * 1024;

static ENCODER: LazyLock<EncoderDictionary<'static>> = LazyLock::new(|| EncoderDictionary::copy(DICTIONARY_1, LEVEL));
static DECODER: LazyLock<DecoderDictionary<'static>> = LazyLock::new(|| DecoderDictionary::copy(DICTIONARY_1));

thread_local! {
    // One context per thread: making one, with its dictionary, costs more than packing a document.
    static COMPRESSOR: RefCell<Compressor<'static>> =
        RefCell::new(Compressor::with_prepared_dictionary(&ENCODER).expect("a zstd context"));
    static DECOMPRESSOR: RefCell<Decompressor<'static>> =
        RefCell::new(Decompressor::with_prepared_dictionary(&DECODER).expect("a zstd context"));
}

/// The packed form of a JSON document.
pub fn pack(json: &str) -> Vec<u8> {
    COMPRESSOR.with(|c| {
        let frame = c.borrow_mut().compress(json.as_bytes()).expect("zstd compresses any input");
        let mut packed = Vec::with_capacity(frame.len() + 1);
        packed.push(FORMAT_1);
        packed.extend_from_slice(&frame);
        packed
    })
}

/// The JSON document `pack` made; an error names what is wrong with damaged bytes.
pub fn unpack(packed: &[u8]) -> Result<String, String> {
    let Some((&FORMAT_1, frame)) = packed.split_first() else {
        return Err(format!("unknown packing format {:?}", packed.first()));
    };
    let size = match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(size)) if size <= MAX_DOCUMENT => size as usize,
        _ => return Err("damaged frame (no usable content size)".into()),
    };
    let bytes =
        DECOMPRESSOR.with(|d| d.borrow_mut().decompress(frame, size)).map_err(|e| format!("damaged frame: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))
}

/// The JSON a row holds in a (text, packed) pair of columns: the text when there is one (rows written before
/// packing, or changed by hand: the chain check must read what is there), else the packed form.
pub fn stored_json<'a>(text: &'a str, packed: Option<&[u8]>) -> Result<std::borrow::Cow<'a, str>, String> {
    match packed {
        Some(packed) if text.is_empty() => unpack(packed).map(std::borrow::Cow::Owned),
        _ => Ok(std::borrow::Cow::Borrowed(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips_and_is_small() {
        let state = DICTIONARY_1_SAMPLE;
        let packed = pack(state);
        assert_eq!(unpack(&packed).unwrap(), state);
        assert!(packed.len() * 4 < state.len(), "{} bytes from {}", packed.len(), state.len());
        for text in ["", "{}", "Nguyễn Thị Hường \u{1F600}", &"x".repeat(100_000)] {
            assert_eq!(unpack(&pack(text)).unwrap(), text);
        }
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let packed = pack(DICTIONARY_1_SAMPLE);
        assert!(unpack(&[]).is_err());
        assert!(unpack(&[2, 0, 0]).is_err());
        assert!(unpack(&packed[..packed.len() / 2]).is_err());
        let mut flipped = packed.clone();
        flipped[packed.len() / 2] ^= 0xff;
        assert!(unpack(&flipped).map_or(true, |text| text != DICTIONARY_1_SAMPLE));
    }

    /// A document like those stored but not in the dictionary: another applicant, other dates and ids.
    const DICTIONARY_1_SAMPLE: &str = r#"{"id":"01b3c4d5-0000-7000-8000-00000000abcd","code":"000.31.02.H26-270315-0042","procedure_code":"1.004873","procedure_version":1,"agency":"000.31.02.H26","channel":"online","applicant":{"name":"Phạm Quốc Tuấn","id_kind":"personal_id","id_number":"031095004321","birth_date":"1995-03-02","sex":"male","address":"7 Lạch Tray, phường Lê Chân, Hải Phòng","phone":"0987654321","email":null},"summary":"Cấp Giấy xác nhận tình trạng hôn nhân - Phạm Quốc Tuấn","form_data":{},"signed_in_with_vneid":true,"status":4,"step":"appraise","step_started_at":"2027-03-15T02:10:00Z","step_due_at":"2027-03-16T02:10:00Z","assignee":null,"components":[{"id":"to_khai","provided":true,"digitisation":1,"paper":"01b3c4d5-0000-7000-8000-00000000abce"}],"submitted_at":"2027-03-15T01:00:00Z","received_at":"2027-03-15T02:00:00Z","clock":{"budget_secs":86400,"intervals":[{"from":"2027-03-15T02:00:00Z","to":null}]},"due_at":"2027-03-18T02:00:00Z","original_due_at":null,"proposal":null,"supplement":null,"supplements_before_reception":0,"supplements_after_reception":0,"payment":null,"identity_check":null,"consultation":null,"consulted_agencies":[],"signed":false,"result_papers":[],"result_number":null,"result_document":null,"completed_at":null,"timeliness":null,"returned_at":null,"nearly_due_raised":false,"overdue_raised":false,"register_entry":42,"version":3}"#;
}
