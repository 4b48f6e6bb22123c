//! Requests as callers send them, checked field by field (every bad field is reported at once) and turned
//! into domain types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::FieldError;
use crate::domain::codes::{PersonalId, Sex, TaxCode};
use crate::domain::dossier::{Applicant, Channel, IdKind, Proposal, SupplementItem};
use crate::domain::free_text;
use crate::domain::procedure::{Procedure, ReturnMethod};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    pub name: String,
    #[serde(default = "default_id_kind")]
    pub id_kind: IdKind,
    pub id_number: String,
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    #[serde(default)]
    pub sex: Option<Sex>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

fn default_id_kind() -> IdKind {
    IdKind::PersonalId
}

/// A component as submitted: a file uploaded beforehand (`upload`, by id) or a paper reused from the
/// applicant's repository (`repository_item`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComponentInput {
    /// The component (`component` is accepted too, as attaching a paper names it).
    #[serde(alias = "component")]
    pub id: String,
    #[serde(default)]
    pub upload: Option<String>,
    #[serde(default)]
    pub repository_item: Option<String>,
    /// Keep this digitised paper in the applicant's repository once the dossier is returned.
    #[serde(default)]
    pub keep: bool,
    /// How the paper was handed in (original, copy, certified copy, electronic), for the receipt.
    #[serde(default)]
    pub form: Option<crate::domain::dossier::PaperForm>,
    /// How many were handed in (1-99; absent: one).
    #[serde(default)]
    pub count: Option<u32>,
}

/// A dossier received at the counter or by post.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDossier {
    pub procedure_code: String,
    /// The receiving agency; may be left out by a clerk of exactly one agency.
    #[serde(default)]
    pub agency: Option<String>,
    pub channel: Channel,
    pub applicant: ApplicantInput,
    /// Trích yếu; defaults to the procedure name and the applicant.
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub components: Vec<ComponentInput>,
    /// The e-form's fields (field name -> value).
    #[serde(default)]
    pub form_data: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub note: Option<String>,
    /// For an inter-agency bundle: the codes of the procedures chosen among its members.
    #[serde(default)]
    pub members: Vec<String>,
}

fn too_long(text: &Option<String>, max: usize, field: &str, errors: &mut Vec<FieldError>) {
    if text.as_ref().is_some_and(|t| !free_text::within(t, max)) {
        errors.push(FieldError::new(field, "field.too_long").with_detail(&format!("≤ {max}")));
    }
}

/// Checks an applicant; every problem is pushed as a field error under `prefix`.
pub fn check_applicant(input: &ApplicantInput, prefix: &str, errors: &mut Vec<FieldError>) -> Applicant {
    let field = |name: &str| format!("{prefix}.{name}");
    if input.name.trim().is_empty() {
        errors.push(FieldError::new(field("name"), "field.required"));
    } else if !free_text::within(input.name.trim(), free_text::NAME_MAX) {
        errors
            .push(FieldError::new(field("name"), "field.too_long").with_detail(&format!("1-{}", free_text::NAME_MAX)));
    }
    let id = input.id_number.trim();
    match input.id_kind {
        IdKind::PersonalId => {
            if let Err(e) = PersonalId::parse(id).and_then(|pid| pid.check(input.birth_date, input.sex)) {
                errors
                    .push(FieldError::new(field("id_number"), "field.invalid_personal_id").with_detail(&e.to_string()));
            }
        }
        IdKind::TaxCode => {
            if let Err(e) = TaxCode::parse(id) {
                errors.push(FieldError::new(field("id_number"), "field.invalid_tax_code").with_detail(&e.to_string()));
            }
        }
        IdKind::Passport => {
            if !(6..=20).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                errors.push(FieldError::new(field("id_number"), "field.invalid_passport"));
            }
        }
    }
    if let Some(email) = input.email.as_deref().filter(|e| !e.is_empty()) {
        let valid = email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
            && !email.contains(char::is_whitespace);
        if !valid {
            errors.push(FieldError::new(field("email"), "field.invalid_email"));
        }
    }
    if input.phone.as_deref().is_some_and(|p| !p.is_empty() && !is_phone(p)) {
        errors.push(FieldError::new(field("phone"), "field.invalid_phone"));
    }
    too_long(&input.address, free_text::ADDRESS_MAX, &field("address"), errors);
    too_long(&input.email, free_text::EMAIL_MAX, &field("email"), errors);
    Applicant {
        name: input.name.trim().to_string(),
        id_kind: input.id_kind,
        id_number: id.to_string(),
        birth_date: input.birth_date,
        sex: input.sex,
        address: input.address.clone(),
        phone: input.phone.clone(),
        email: input.email.clone(),
    }
}

/// Checks component ids against the procedure and that each names exactly one paper; the papers themselves
/// are resolved by the use case (they live in the database).
pub fn check_component_inputs(inputs: &[ComponentInput], procedure: &Procedure, errors: &mut Vec<FieldError>) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, input) in inputs.iter().enumerate() {
        if procedure.component(&input.id).is_none() {
            errors
                .push(FieldError::new(format!("components[{i}].id"), "field.unknown_component").with_detail(&input.id));
        } else if !seen.insert(input.id.as_str()) {
            errors.push(
                FieldError::new(format!("components[{i}].id"), "field.unknown_component").with_detail("listed twice"),
            );
        }
        if input.upload.is_some() == input.repository_item.is_some() {
            errors.push(FieldError::new(format!("components[{i}]"), "field.paper_required"));
        }
        if input.count.is_some_and(|n| !(1..=MAX_COPIES).contains(&n)) {
            errors.push(FieldError::new(format!("components[{i}].count"), "field.out_of_range").with_detail("1-99"));
        }
    }
}

/// The most papers of one component a dossier lists.
pub const MAX_COPIES: u32 = 99;

impl NewDossier {
    pub fn check_texts(&self, errors: &mut Vec<FieldError>) {
        too_long(&self.note, free_text::TEXT_MAX, "note", errors);
        if !matches!(self.channel, Channel::Counter | Channel::Post) {
            errors.push(FieldError::new("channel", "field.channel_not_allowed"));
        }
    }
}

/// A dossier submitted online by the applicant (status 1, waiting for reception).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OnlineSubmission {
    pub procedure_code: String,
    pub agency: String,
    pub applicant: ApplicantInput,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub components: Vec<ComponentInput>,
    /// The e-form's fields (field name -> value).
    #[serde(default)]
    pub form_data: std::collections::BTreeMap<String, String>,
    /// For an inter-agency bundle: the codes of the procedures chosen among its members.
    #[serde(default)]
    pub members: Vec<String>,
}

/// An action as the API receives it: like the domain action, but naming staff and agencies by id.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionRequest {
    Receive,
    RefuseReception {
        reasons: Vec<String>,
    },
    RequestSupplement {
        items: Vec<SupplementItem>,
    },
    Resubmit,
    /// An amount, or a fee of the procedure by name with its units (`charge`): the engine computes the amount.
    /// An amount that is none of the procedure's fees (nor their sum) needs its `reason`.
    RequestPayment {
        #[serde(default)]
        amount_vnd: u64,
        #[serde(default)]
        charge: Option<crate::domain::dossier::FeeCharge>,
        #[serde(default)]
        reason: Option<String>,
    },
    RecordPayment {
        amount_vnd: u64,
        reference: String,
    },
    Assign {
        assignee: String,
    },
    Reassign {
        assignee: String,
    },
    Appraise {
        proposal: Proposal,
    },
    Approve,
    Disagree {
        reason: String,
    },
    Sign,
    Seal {
        number: String,
    },
    Stop {
        reasons: Vec<String>,
    },
    Consult {
        agency: String,
        question: String,
    },
    Answer {
        answer: String,
        favourable: bool,
    },
    Extend {
        new_due: DateTime<Utc>,
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    Return {
        method: ReturnMethod,
    },
}

/// The body of `POST /dossiers/{id}/actions`: an action plus an optional note.
pub fn parse_action_body(body: &serde_json::Value) -> Result<(ActionRequest, Option<String>), String> {
    let mut object = body.as_object().cloned().ok_or("the body must be a JSON object")?;
    let note = match object.remove("note") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(text)) if free_text::within(&text, free_text::TEXT_MAX) => Some(text),
        Some(_) => return Err("note must be a text of at most 2000 characters".into()),
    };
    let action = serde_json::from_value(serde_json::Value::Object(object)).map_err(|e| e.to_string())?;
    Ok((action, note))
}

/// A phone number as people write it: 9 to 12 digits, an optional leading `+`, digits grouped by single spaces or
/// dots ("0912 345 678", "0225.3821.101").
pub fn is_phone(text: &str) -> bool {
    let body = text.strip_prefix('+').unwrap_or(text);
    let groups: Vec<&str> = body.split([' ', '.']).collect();
    let digits: usize = groups.iter().map(|g| g.len()).sum();
    groups.iter().all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit())) && (9..=12).contains(&digits)
}

#[cfg(test)]
mod phone_tests {
    use super::is_phone;

    #[test]
    fn phones_as_people_write_them() {
        for ok in ["0912345678", "0912 345 678", "0225.3821.101", "+84912345678"] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in ["", "0912", "0912  345 678", "09123456789012", "0912-345-678", "+", " 0912345678", "abc123456789"] {
            assert!(!is_phone(bad), "{bad}");
        }
    }
}
