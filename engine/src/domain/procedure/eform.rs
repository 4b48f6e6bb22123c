//! The e-form of a procedure (biểu mẫu điện tử tương tác): the fields an applicant fills in online instead of
//! the paper declaration, and the checks of what was filled in. Pure: the page renders the fields, the service
//! checks the data with [`check_form_data`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::Procedure;

/// What a field holds, which decides its input and its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    /// `yyyy-mm-dd`.
    Date,
    /// A whole number (no thousands separators).
    Number,
    /// One of `choices`.
    Choice,
}

impl FieldKind {
    pub const SPELLINGS: &'static str = "text, long_text, date, number, choice";

    pub fn parse(text: &str) -> Option<FieldKind> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }
}

/// Where a field's first value comes from: what is already known of the applicant (the verified identity
/// and the contact typed on the same page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Prefill {
    #[serde(rename = "applicant.name")]
    Name,
    #[serde(rename = "applicant.id_number")]
    IdNumber,
    #[serde(rename = "applicant.birth_date")]
    BirthDate,
    #[serde(rename = "applicant.address")]
    Address,
    #[serde(rename = "applicant.phone")]
    Phone,
    #[serde(rename = "applicant.email")]
    Email,
}

impl Prefill {
    pub const SPELLINGS: &'static str = "applicant.name, applicant.id_number, applicant.birth_date, \
        applicant.address, applicant.phone, applicant.email";

    pub fn parse(text: &str) -> Option<Prefill> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormField {
    /// The key in the dossier's form data (snake_case).
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    pub prefill: Option<Prefill>,
    pub choices: Vec<String>,
    pub hint: Option<String>,
}

/// The longest text a field takes.
pub const MAX_FIELD_CHARS: usize = 2000;

/// Whether the data fills the procedure's e-form at all (any of its fields has a value). An e-form left empty
/// is not checked: the applicant hands in the paper declaration instead.
pub fn has_form_data(procedure: &Procedure, data: &BTreeMap<String, String>) -> bool {
    procedure.form_fields.iter().any(|f| data.get(&f.name).is_some_and(|v| !v.trim().is_empty()))
}

/// The component the data's filled-in e-form stands for, if any (the paper declaration it replaces).
pub fn replaced_by_form<'a>(procedure: &'a Procedure, data: &BTreeMap<String, String>) -> Option<&'a str> {
    has_form_data(procedure, data).then_some(procedure.form_replaces.as_deref()).flatten()
}

/// The filled-in e-form as (label, value), in the form's order, dates written dd/mm/yyyy: what the dossier
/// pages show instead of a paper declaration.
pub fn form_entries(procedure: &Procedure, data: &BTreeMap<String, String>) -> Vec<(String, String)> {
    procedure
        .form_fields
        .iter()
        .filter_map(|f| {
            let value = data.get(&f.name).map(|v| v.trim()).filter(|v| !v.is_empty())?;
            let shown = match (f.kind, NaiveDate::parse_from_str(value, "%Y-%m-%d")) {
                (FieldKind::Date, Ok(date)) => date.format("%d/%m/%Y").to_string(),
                _ => value.to_string(),
            };
            Some((f.label.clone(), shown))
        })
        .collect()
}

/// Every problem of filled-in e-form data, as (field name, catalogue code). Keys the e-form does not declare
/// are left alone: the national portal sends form data of its own.
pub fn check_form_data(procedure: &Procedure, data: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
    if !has_form_data(procedure, data) {
        return Vec::new();
    }
    let mut problems = Vec::new();
    for field in &procedure.form_fields {
        let value = data.get(&field.name).map_or("", |v| v.trim());
        let problem = if value.is_empty() {
            field.required.then_some("field.required")
        } else if value.chars().count() > MAX_FIELD_CHARS {
            Some("field.too_long")
        } else {
            match field.kind {
                FieldKind::Text | FieldKind::LongText => None,
                FieldKind::Date => {
                    NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err().then_some("field.invalid_date")
                }
                FieldKind::Number => value.parse::<u64>().is_err().then_some("field.invalid_number"),
                FieldKind::Choice => (!field.choices.iter().any(|c| c == value)).then_some("field.invalid_choice"),
            }
        };
        if let Some(code) = problem {
            problems.push((field.name.clone(), code));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::procedure::{Registry, parse_procedure};

    const BIRTH: &str = include_str!("../../../../procedures/1.001193-birth-registration.toml");

    fn registry() -> Registry {
        Registry::from_toml(include_str!("../../../../procedures/registry.toml")).unwrap()
    }

    fn birth() -> Procedure {
        parse_procedure("birth.toml", BIRTH, &registry()).unwrap_or_else(|p| panic!("{p:#?}"))
    }

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn an_empty_form_is_not_checked_a_filled_one_is() {
        let birth = birth();
        assert_eq!(birth.form_replaces.as_deref(), Some("to_khai"));
        assert_eq!(birth.form_fields[0].prefill, Some(Prefill::Name));
        assert!(check_form_data(&birth, &data(&[("return_method", "post")])).is_empty(), "not the e-form's key");
        let partial = data(&[("ho_ten", "Nguyễn Văn An"), ("ngay_sinh", "20/11/2026"), ("gioi_tinh", "Trai")]);
        let problems = check_form_data(&birth, &partial);
        assert!(problems.contains(&("ngay_sinh".into(), "field.invalid_date")), "{problems:?}");
        assert!(problems.contains(&("gioi_tinh".into(), "field.invalid_choice")), "{problems:?}");
        assert!(problems.contains(&("nguoi_yeu_cau".into(), "field.required")), "{problems:?}");
        assert!(!problems.iter().any(|(f, _)| f == "que_quan"), "optional");
        let full = data(&[
            ("nguoi_yeu_cau", "Nguyễn Thị Hường"),
            ("quan_he", "Mẹ"),
            ("ho_ten", "Nguyễn Văn An"),
            ("ngay_sinh", "2026-11-20"),
            ("gioi_tinh", "Nam"),
            ("dan_toc", "Kinh"),
            ("quoc_tich", "Việt Nam"),
            ("noi_sinh", "Bệnh viện Phụ sản Hải Phòng"),
            ("nam_sinh_me", "199x"),
        ]);
        assert_eq!(check_form_data(&birth, &full), vec![("nam_sinh_me".to_string(), "field.invalid_number")]);
        let shown = form_entries(&birth, &full);
        assert_eq!(shown[3], ("Ngày, tháng, năm sinh".to_string(), "20/11/2026".to_string()), "{shown:?}");
        assert_eq!(shown.len(), 9, "only what was filled in");
    }

    #[test]
    fn a_bad_form_definition_is_reported_field_by_field() {
        let broken = BIRTH
            .replacen("form_replaces = \"to_khai\"", "form_replaces = \"to_khai_giay\"", 1)
            .replacen("kind = \"date\"", "kind = \"calendar\"", 1)
            .replacen("choices = [\"Nam\", \"Nữ\"]", "", 1)
            .replacen("prefill = \"applicant.address\"", "prefill = \"applicant.street\"", 1);
        let problems = parse_procedure("broken.toml", &broken, &registry()).unwrap_err();
        let rules: Vec<&str> = problems.iter().map(|p| p.rule).collect();
        for rule in ["unknown_component", "unknown_field_kind", "choices", "unknown_prefill"] {
            assert!(rules.contains(&rule), "{rule} in {problems:#?}");
        }
    }
}
