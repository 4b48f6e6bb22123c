//! The cursors of keyset-paginated lists, opaque to clients: the position of the last item seen, an instant (or
//! none, for items without one) and the item's id.

use base64::Engine as _;
use chrono::{DateTime, Utc};

pub fn encode(at: Option<DateTime<Utc>>, id: &str) -> String {
    let at = at.map_or_else(|| "-".to_string(), |t| t.timestamp_micros().to_string());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{at}|{id}"))
}

/// `None` for text that is not a cursor of ours.
pub fn decode(text: &str) -> Option<(Option<DateTime<Utc>>, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()?;
    let (at, id) = std::str::from_utf8(&raw).ok()?.split_once('|')?;
    let at = match at {
        "-" => None,
        micros => Some(DateTime::from_timestamp_micros(micros.parse().ok()?)?),
    };
    Some((at, id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456);
        for (at, id) in [(at, "0192-a|b"), (None, "x")] {
            assert_eq!(decode(&encode(at, id)), Some((at, id.to_string())));
        }
        for bad in
            ["", "bm9wZQ", "%%%", &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("9999999999999999999|x")]
        {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
