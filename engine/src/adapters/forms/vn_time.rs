//! Dates and times worded the Vietnamese administrative way (Decree 30/2020/NĐ-CP: days below 10 and the months
//! January and February take a leading zero), in the form's timezone.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

/// "ngày 24 tháng 11 năm 2026", "ngày 05 tháng 02 năm 2027", "ngày 09 tháng 3 năm 2027".
pub fn vn_date(date: NaiveDate) -> String {
    let month = if date.month() <= 2 { format!("{:02}", date.month()) } else { date.month().to_string() };
    format!("ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

/// "09 giờ 30 phút, ngày 24 tháng 11 năm 2026", in `tz`.
pub fn vn_date_time(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!("{:02} giờ {:02} phút, {}", local.hour(), local.minute(), vn_date(local.date_naive()))
}

/// "Hải Phòng, ngày 24 tháng 11 năm 2026".
pub fn vn_place_date(place: &str, date: NaiveDate) -> String {
    format!("{place}, {}", vn_date(date))
}

/// "09:30 24/11/2026", for table cells.
pub(crate) fn short_date_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M %d/%m/%Y").to_string()
}

/// "24/11/2026".
pub(crate) fn short_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_are_worded_in_vietnam_time() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 2, 30, 0).unwrap();
        assert_eq!(vn_date_time(at, chrono_tz::Asia::Ho_Chi_Minh), "09 giờ 30 phút, ngày 24 tháng 11 năm 2026");
        assert_eq!(short_date_time(at, chrono_tz::Asia::Ho_Chi_Minh), "09:30 24/11/2026");
    }

    #[test]
    fn small_days_and_the_first_two_months_take_a_zero() {
        assert_eq!(vn_date(NaiveDate::from_ymd_opt(2027, 2, 5).unwrap()), "ngày 05 tháng 02 năm 2027");
        assert_eq!(vn_date(NaiveDate::from_ymd_opt(2027, 3, 9).unwrap()), "ngày 09 tháng 3 năm 2027");
        assert_eq!(
            vn_place_date("Hải Phòng", NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()),
            "Hải Phòng, ngày 24 tháng 11 năm 2026"
        );
    }

    #[test]
    fn late_evening_utc_is_the_next_day_in_vietnam() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 17, 5, 0).unwrap();
        assert_eq!(vn_date_time(at, chrono_tz::Asia::Ho_Chi_Minh), "00 giờ 05 phút, ngày 01 tháng 12 năm 2026");
    }
}
