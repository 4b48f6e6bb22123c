//! What a form shows after a refused submission: each field's error next to the field, the rest above the form.
//! The page re-renders with what the user typed (pages keep their input in their own form structs).

use std::collections::BTreeMap;

use motcua_engine::messages::Lang;
use motcua_engine::service::ServiceError;

use crate::i18n::UiLang;

#[derive(Debug, Default)]
pub struct Errors {
    by_field: BTreeMap<String, String>,
    /// Errors that belong to no one field (a refused action, a conflict).
    pub general: Vec<String>,
}

impl Errors {
    /// The errors of a refused request in the visitor's language. Field names are the API's (e.g.
    /// `applicant.name`), so forms name their inputs the same way.
    pub fn of(lang: UiLang, e: &ServiceError) -> Errors {
        let mut errors = Errors::default();
        for field in e.field_errors() {
            let message = match lang.lang {
                Lang::Vi => field.message_vi.clone(),
                Lang::En => field.message_en.clone(),
            };
            errors.by_field.entry(field.field.clone()).or_insert(message);
        }
        if errors.by_field.is_empty() {
            let detail = e.detail();
            let text = lang.t(e.code());
            // The detail is English (it names fields and values): shown to English readers only.
            let plain = detail.is_empty() || detail == text || e.http_status() >= 500 || lang.lang == Lang::Vi;
            errors.general.push(if plain { text.to_string() } else { format!("{text} ({detail})") });
        }
        errors
    }

    /// One field's error, for a form that checks something itself.
    pub fn add(&mut self, field: &str, message: &str) {
        self.by_field.entry(field.to_string()).or_insert_with(|| message.to_string());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.by_field.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_empty()
    }

    /// Every field error, for the summary at the top of a form (with links to the fields).
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_field.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// The id an input gets from its field name (`applicant.name` → `f-applicant-name`), so the error summary can
/// link to it and `aria-describedby` can point at its error.
pub fn input_id(field: &str) -> String {
    let mut id = String::from("f-");
    id.extend(field.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }));
    id
}

/// A day as the pages take it: dd/mm/yyyy (what every date field shows, whatever the browser's language), or
/// yyyy-mm-dd (what a browser's own date picker and older links send).
pub fn parse_day(text: &str) -> Option<chrono::NaiveDate> {
    let text = text.trim();
    chrono::NaiveDate::parse_from_str(text, "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
        .filter(|d| chrono::Datelike::year(d) >= 1000)
}

/// A day as the pages show it: dd/mm/yyyy.
pub fn show_day(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod day_tests {
    use super::*;

    #[test]
    fn days_are_read_as_typed_in_vietnam_or_as_a_date_picker_sends_them() {
        let day = chrono::NaiveDate::from_ymd_opt(1990, 2, 14);
        assert_eq!(parse_day("14/02/1990"), day);
        assert_eq!(parse_day(" 1990-02-14 "), day);
        assert_eq!(parse_day("02/14/1990"), None, "month first is not a day here");
        assert_eq!(parse_day("31/02/1990"), None);
        assert_eq!(parse_day("01/01/99999"), None);
        assert_eq!(show_day(day.unwrap()), "14/02/1990");
    }
}
