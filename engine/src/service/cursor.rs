//! The cursors of keyset-paginated lists, opaque to clients: the position of the last item seen, an instant (or
//! none, for items without one) and the item's id.

use base64::Engine as _;
use chrono::{DateTime, Utc};

pub fn encode(at: Option<DateTime<Utc>>, id: &str) -> String {
    // Microseconds, as PostgreSQL keeps instants; seconds and nanoseconds for an instant finer than that (SQLite
    // keeps what it was given), so that a page never starts again at its own last item.
    let at = at.map_or_else(
        || "-".to_string(),
        |t| match t.timestamp_subsec_nanos() % 1000 {
            0 => t.timestamp_micros().to_string(),
            _ => format!("{}:{}", t.timestamp(), t.timestamp_subsec_nanos()),
        },
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{at}|{id}"))
}

/// `None` for text that is not a cursor of ours.
pub fn decode(text: &str) -> Option<(Option<DateTime<Utc>>, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()?;
    let (at, id) = std::str::from_utf8(&raw).ok()?.split_once('|')?;
    let at = match at.split_once(':') {
        _ if at == "-" => None,
        Some((secs, nanos)) => Some(DateTime::from_timestamp(secs.parse().ok()?, nanos.parse().ok()?)?),
        None => Some(DateTime::from_timestamp_micros(at.parse().ok()?)?),
    };
    Some((at, id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456);
        let finer = DateTime::from_timestamp(1_764_000_000, 123_456_789);
        for (at, id) in [(at, "0192-a|b"), (None, "x"), (finer, "y")] {
            assert_eq!(decode(&encode(at, id)), Some((at, id.to_string())));
        }
        for bad in
            ["", "bm9wZQ", "%%%", &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("9999999999999999999|x")]
        {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
