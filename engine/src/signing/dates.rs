//! Conversions between chrono instants, ASN.1 times (X.509, CMS) and PDF date strings.

use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use der::asn1::{GeneralizedTime, UtcTime};
use x509_cert::time::Time;

/// An ASN.1 time as RFC 5280 wants it: UTCTime through 2049, GeneralizedTime from 2050.
pub(crate) fn asn1_time(t: DateTime<Utc>) -> Result<Time, der::Error> {
    let secs = u64::try_from(t.timestamp()).map_err(|_| der::Error::from(der::ErrorKind::DateTime))?;
    let unix = Duration::from_secs(secs);
    if t.year() < 2050 {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(unix)?))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_unix_duration(unix)?))
    }
}

/// The instant an ASN.1 time stands for.
pub(crate) fn from_asn1_time(t: &Time) -> DateTime<Utc> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A PDF date string (ISO 32000 §7.9.4) in UTC: `D:YYYYMMDDHHmmSS+00'00'`.
pub(crate) fn pdf_date(t: DateTime<Utc>) -> String {
    format!("D:{}+00'00'", t.format("%Y%m%d%H%M%S"))
}

/// Reads a PDF date string; missing trailing fields take their defaults, a missing offset means UTC.
pub(crate) fn parse_pdf_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return None;
    }
    let field = |from: usize, len: usize, default: u32| -> Option<u32> {
        match digits.get(from..from + len) {
            Some(v) => v.parse().ok(),
            None => Some(default),
        }
    };
    let year = i32::try_from(field(0, 4, 0)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, field(4, 2, 1)?, field(6, 2, 1)?)?;
    let local = date.and_hms_opt(field(8, 2, 0)?, field(10, 2, 0)?, field(12, 2, 0)?)?;
    let rest = &s[digits.len()..];
    let offset_secs = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let nums: Vec<i32> =
                rest[1..].split(|c: char| !c.is_ascii_digit()).filter_map(|p| p.parse().ok()).take(2).collect();
            let secs = nums.first().copied().unwrap_or(0) * 3600 + nums.get(1).copied().unwrap_or(0) * 60;
            if sign == '-' { -secs } else { secs }
        }
        _ => 0,
    };
    let offset = FixedOffset::east_opt(offset_secs)?;
    Some(offset.from_local_datetime(&local).single()?.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_round_trip() {
        let t = Utc.with_ymd_and_hms(2026, 3, 9, 7, 5, 1).unwrap();
        assert_eq!(pdf_date(t), "D:20260309070501+00'00'");
        assert_eq!(parse_pdf_date(&pdf_date(t)), Some(t));
        assert_eq!(parse_pdf_date("D:20260309140501+07'00'"), Some(t));
        assert_eq!(parse_pdf_date("D:20260309070501Z"), Some(t));
    }

    #[test]
    fn asn1_times_switch_at_2050() {
        let t = Utc.with_ymd_and_hms(2049, 12, 31, 23, 59, 59).unwrap();
        assert!(matches!(asn1_time(t).unwrap(), Time::UtcTime(_)));
        assert_eq!(from_asn1_time(&asn1_time(t).unwrap()), t);
        let t = Utc.with_ymd_and_hms(2050, 1, 1, 0, 0, 0).unwrap();
        assert!(matches!(asn1_time(t).unwrap(), Time::GeneralTime(_)));
        assert_eq!(from_asn1_time(&asn1_time(t).unwrap()), t);
    }
}
