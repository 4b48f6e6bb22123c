//! The national population database (Cơ sở dữ liệu quốc gia về dân cư): at reception the clerk verifies the
//! applicant's name, personal id, birth date and sex; the register answers match or mismatch per field and,
//! when it knows the id, the person's data to prefill forms.
//!
//! This is a synchronous call made while the clerk waits, not an outbox message: nothing is sent on the
//! citizen's behalf, and an unavailable register must never block reception. Every failure to get an answer
//! (timeout, refused connection, 5xx, a refusal of our credentials) is `Unavailable`, and the dossier records
//! "not verified" so the check can be run again. A refusal of the applicant's data (400, 422) is an answer, not
//! an outage: the register does not confirm that person (`Refused`), so bad data cannot slip through as
//! "not verified".
//!
//! Wire protocol (the simulator `motcua sim population` holds the other end):
//! - `POST {url}/citizens/verify` with `Authorization: Bearer {token}` and the JSON body
//!   `{"SoDinhDanh": "031190012345", "HoVaTen": "Nguyễn Thị Hường", "NgaySinh": "1990-05-17", "GioiTinh": 2}`
//!   (`GioiTinh`: 1 Nam, 2 Nữ; dates ISO 8601; every field required);
//! - `200` `{"SoDinhDanh": …, "KetQua": {"HoVaTen": bool, "NgaySinh": bool, "GioiTinh": bool}, "CongDan": {…}}`
//!   where `CongDan` is the register's record (`HoVaTen`, `SoDinhDanh`, `NgaySinh`, `GioiTinh`,
//!   `NoiThuongTru`, `QueQuan`);
//! - `404` when no person has that personal id; `400` for a malformed request; `401` for a bad token.

use std::time::Duration;

use chrono::NaiveDate;
use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};

use super::http::{client, outcome};
use super::outside::Endpoint;
use crate::domain::codes::Sex;
use crate::domain::dossier::{IdentityOutcome, RegisteredPerson};
use crate::ports::population::{PopulationRegistry, Query, Unavailable, Verification};

/// The register's sex codes.
pub fn sex_code(sex: Sex) -> u8 {
    match sex {
        Sex::Male => 1,
        Sex::Female => 2,
    }
}

pub fn sex_from_code(code: u8) -> Option<Sex> {
    match code {
        1 => Some(Sex::Male),
        2 => Some(Sex::Female),
        _ => None,
    }
}

/// The request body of `POST /citizens/verify`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireQuery {
    #[serde(rename = "SoDinhDanh")]
    pub id_number: String,
    #[serde(rename = "HoVaTen")]
    pub name: String,
    #[serde(rename = "NgaySinh")]
    pub birth_date: String,
    #[serde(rename = "GioiTinh")]
    pub sex: u8,
}

/// Which fields matched.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct WireFields {
    #[serde(rename = "HoVaTen")]
    pub name: bool,
    #[serde(rename = "NgaySinh")]
    pub birth_date: bool,
    #[serde(rename = "GioiTinh")]
    pub sex: bool,
}

/// A person as the register keeps them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WirePerson {
    #[serde(rename = "SoDinhDanh")]
    pub id_number: String,
    #[serde(rename = "HoVaTen")]
    pub name: String,
    #[serde(rename = "NgaySinh")]
    pub birth_date: NaiveDate,
    #[serde(rename = "GioiTinh")]
    pub sex: u8,
    #[serde(rename = "NoiThuongTru", default)]
    pub permanent_address: Option<String>,
    #[serde(rename = "QueQuan", default)]
    pub place_of_origin: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireAnswer {
    #[serde(rename = "SoDinhDanh")]
    pub id_number: String,
    #[serde(rename = "KetQua")]
    pub fields: WireFields,
    #[serde(rename = "CongDan")]
    pub person: WirePerson,
}

impl WireAnswer {
    fn into_verification(self) -> Result<Verification, Unavailable> {
        let mut differing = Vec::new();
        for (same, field) in
            [(self.fields.name, "name"), (self.fields.birth_date, "birth_date"), (self.fields.sex, "sex")]
        {
            if !same {
                differing.push(field.to_string());
            }
        }
        let person = self.person;
        let sex = sex_from_code(person.sex)
            .ok_or_else(|| Unavailable(format!("the register answered an unknown sex code {}", person.sex)))?;
        let registered = RegisteredPerson {
            name: person.name,
            id_number: person.id_number,
            birth_date: person.birth_date,
            sex,
            permanent_address: person.permanent_address,
            place_of_origin: person.place_of_origin,
        };
        let outcome =
            if differing.is_empty() { IdentityOutcome::Match } else { IdentityOutcome::Mismatch { fields: differing } };
        Ok(Verification { outcome, registered: Some(registered) })
    }
}

/// The register over HTTP.
pub struct HttpPopulationRegistry {
    endpoint: Endpoint,
    http: Client,
}

impl HttpPopulationRegistry {
    pub fn new(endpoint: &Endpoint, timeout: Duration) -> HttpPopulationRegistry {
        HttpPopulationRegistry { endpoint: endpoint.clone(), http: client(timeout) }
    }
}

impl PopulationRegistry for HttpPopulationRegistry {
    fn verify(&self, query: &Query) -> Result<Verification, Unavailable> {
        let body = WireQuery {
            id_number: query.id_number.clone(),
            name: query.name.clone(),
            birth_date: query.birth_date.format("%Y-%m-%d").to_string(),
            sex: sex_code(query.sex),
        };
        let sent =
            self.http.post(self.endpoint.join("citizens/verify")).bearer_auth(&self.endpoint.token).json(&body).send();
        match sent {
            Ok(r) if r.status().as_u16() == 404 => {
                Ok(Verification { outcome: IdentityOutcome::NotFound, registered: None })
            }
            Ok(r) if matches!(r.status().as_u16(), 400 | 422) => {
                let status = r.status().as_u16();
                let detail: String = r.text().unwrap_or_default().chars().take(300).collect();
                let reason = format!("HTTP {status}: {}", detail.trim());
                Ok(Verification { outcome: IdentityOutcome::Refused { reason }, registered: None })
            }
            // Any other refusal (our token) is as good as no answer for the clerk: reception goes on,
            // unverified, and the reason is shown and logged.
            other => {
                let answer: WireAnswer = outcome(other)
                    .map_err(|f| Unavailable(f.reason().to_string()))?
                    .json()
                    .map_err(|e| Unavailable(format!("unreadable answer: {e}")))?;
                if answer.id_number != query.id_number {
                    return Err(Unavailable("the register answered about another person".into()));
                }
                answer.into_verification()
            }
        }
    }
}
