//! The 12-digit personal identification number (số định danh cá nhân, Decree 137/2015 and Circular 59/2021 of
//! the Ministry of Public Security): province code of birth registration, a century-and-sex digit, the last two
//! digits of the birth year, and six random digits.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// A personal id whose structure has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalId {
    digits: String,
    pub province_code: String,
    pub sex: Sex,
    /// The first year of the century the holder was born in (1900, 2000, ...).
    pub century: i32,
    pub birth_year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalIdError {
    #[error("a personal id has exactly 12 digits")]
    NotTwelveDigits,
    #[error("`{0}` is not a province code")]
    UnknownProvince(String),
    #[error("the birth year in the id ({in_id}) differs from the birth date ({given})")]
    BirthYearMismatch { in_id: i32, given: i32 },
    #[error("the sex encoded in the id differs from the one given")]
    SexMismatch,
}

fn provinces() -> &'static BTreeMap<&'static str, &'static str> {
    static PROVINCES: OnceLock<BTreeMap<&str, &str>> = OnceLock::new();
    PROVINCES.get_or_init(|| {
        include_str!("province-codes.tsv")
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .filter_map(|line| line.split_once('\t'))
            .collect()
    })
}

/// The province a code names, if it is one.
pub fn province_name(code: &str) -> Option<&'static str> {
    provinces().get(code).copied()
}

impl PersonalId {
    /// Checks the structure: 12 digits, a known province, a century-and-sex digit.
    pub fn parse(text: &str) -> Result<PersonalId, PersonalIdError> {
        if text.len() != 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PersonalIdError::NotTwelveDigits);
        }
        let province_code = &text[0..3];
        if province_name(province_code).is_none() {
            return Err(PersonalIdError::UnknownProvince(province_code.to_string()));
        }
        // 0/1 = 20th century male/female, 2/3 = 21st, 4/5 = 22nd, 6/7 = 23rd, 8/9 = 24th.
        let gender_century = i32::from(text.as_bytes()[3] - b'0');
        let century = 1900 + (gender_century / 2) * 100;
        let sex = if gender_century % 2 == 0 { Sex::Male } else { Sex::Female };
        let birth_year = century + text[4..6].parse::<i32>().expect("checked digits");
        Ok(PersonalId { digits: text.to_string(), province_code: province_code.to_string(), sex, century, birth_year })
    }

    /// Checks the id against a birth date and sex where those are given.
    pub fn check(&self, birth_date: Option<NaiveDate>, sex: Option<Sex>) -> Result<(), PersonalIdError> {
        if let Some(date) = birth_date
            && date.year() != self.birth_year
        {
            return Err(PersonalIdError::BirthYearMismatch { in_id: self.birth_year, given: date.year() });
        }
        if sex.is_some_and(|s| s != self.sex) {
            return Err(PersonalIdError::SexMismatch);
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_province_century_sex_and_year() {
        let id = PersonalId::parse("031190012345").unwrap();
        assert_eq!(id.province_code, "031");
        assert_eq!(province_name("031"), Some("Hải Phòng"));
        assert_eq!(id.sex, Sex::Female);
        assert_eq!(id.birth_year, 1990);
        let child = PersonalId::parse("001225000001").unwrap();
        assert_eq!((child.sex, child.birth_year), (Sex::Male, 2025));
    }

    #[test]
    fn checks_against_birth_date_and_sex() {
        let id = PersonalId::parse("031190012345").unwrap();
        let born = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(id.check(born(1990, 5, 17), Some(Sex::Female)), Ok(()));
        assert_eq!(
            id.check(born(1991, 5, 17), None),
            Err(PersonalIdError::BirthYearMismatch { in_id: 1990, given: 1991 })
        );
        assert_eq!(id.check(None, Some(Sex::Male)), Err(PersonalIdError::SexMismatch));
        assert_eq!(id.check(None, None), Ok(()));
    }

    #[test]
    fn refuses_malformed_ids() {
        assert_eq!(PersonalId::parse("03119001234"), Err(PersonalIdError::NotTwelveDigits));
        assert_eq!(PersonalId::parse("03119001234a"), Err(PersonalIdError::NotTwelveDigits));
        assert_eq!(PersonalId::parse("003190012345"), Err(PersonalIdError::UnknownProvince("003".into())));
        assert_eq!(PersonalId::parse("999190012345"), Err(PersonalIdError::UnknownProvince("999".into())));
    }
}
