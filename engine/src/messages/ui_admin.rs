//! Texts of the administration and dashboard pages (agencies, staff, procedures, calendars, outbox, statistics).

/// (code, Vietnamese, English).
pub(super) const TEXTS: &[(&str, &str, &str)] = &[];
