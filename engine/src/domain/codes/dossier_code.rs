//! Dossier codes of Circular 01/2018/TT-VPCP Art. 19: `{agency electronic id}-{YYMMDD}-{NNNN}`.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

/// An agency's electronic identifier, e.g. `000.00.31.H26`: three groups of digits (3, 2, 2) and a group of
/// one capital letter and two digits, dot-separated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyId(String);

/// A dossier code: agency, reception date, and the 1-based sequence of that agency on that day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DossierCode {
    pub agency: AgencyId,
    pub date: NaiveDate,
    pub sequence: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierCodeError {
    #[error("`{0}` is not an agency electronic id like 000.00.31.H26")]
    BadAgency(String),
    #[error("`{0}` is not a dossier code AGENCY-YYMMDD-NNNN")]
    BadShape(String),
    #[error("`{0}` is not a date YYMMDD")]
    BadDate(String),
    #[error("sequence {0} is outside 1..=9999")]
    BadSequence(u32),
}

impl AgencyId {
    pub fn parse(text: &str) -> Result<AgencyId, DossierCodeError> {
        let groups: Vec<&str> = text.split('.').collect();
        let digits = |g: &str, n: usize| g.len() == n && g.bytes().all(|b| b.is_ascii_digit());
        let ok = groups.len() == 4
            && digits(groups[0], 3)
            && digits(groups[1], 2)
            && digits(groups[2], 2)
            && groups[3].len() == 3
            && groups[3].as_bytes()[0].is_ascii_uppercase()
            && digits(&groups[3][1..], 2);
        if ok { Ok(AgencyId(text.to_string())) } else { Err(DossierCodeError::BadAgency(text.to_string())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl DossierCode {
    /// The highest sequence of a day: four digits.
    pub const MAX_SEQUENCE: u16 = 9999;

    pub fn new(agency: AgencyId, date: NaiveDate, sequence: u32) -> Result<DossierCode, DossierCodeError> {
        if !(1..=u32::from(Self::MAX_SEQUENCE)).contains(&sequence) {
            return Err(DossierCodeError::BadSequence(sequence));
        }
        Ok(DossierCode { agency, date, sequence: sequence as u16 })
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", self.agency, self.date.format("%y%m%d"), self.sequence)
    }
}

impl FromStr for DossierCode {
    type Err = DossierCodeError;

    fn from_str(text: &str) -> Result<DossierCode, DossierCodeError> {
        let bad = || DossierCodeError::BadShape(text.to_string());
        let mut parts = text.rsplitn(3, '-');
        let (sequence, date, agency) =
            (parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?);
        let agency = AgencyId::parse(agency)?;
        if date.len() != 6 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DossierCodeError::BadDate(date.to_string()));
        }
        let date = NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d")
            .map_err(|_| DossierCodeError::BadDate(date.to_string()))?;
        if sequence.len() != 4 || !sequence.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        DossierCode::new(agency, date, sequence.parse().map_err(|_| bad())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_the_circular_example() {
        let code: DossierCode = "000.00.31.H26-261122-0042".parse().unwrap();
        assert_eq!(code.agency.as_str(), "000.00.31.H26");
        assert_eq!(code.date, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        assert_eq!(code.sequence, 42);
        assert_eq!(code.to_string(), "000.00.31.H26-261122-0042");
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "000.00.31.H26-261122-42",
            "000.00.31.H26-261322-0042",
            "000.00.31-261122-0042",
            "000.00.31.h26-261122-0042",
            "000.00.31.H26-261122-0000",
            "000.00.31.H26261122-0042",
            "",
        ] {
            assert!(bad.parse::<DossierCode>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn sequence_is_bounded_to_four_digits() {
        let agency = AgencyId::parse("000.00.31.H26").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        assert_eq!(DossierCode::new(agency.clone(), day, 10000), Err(DossierCodeError::BadSequence(10000)));
        assert_eq!(DossierCode::new(agency, day, 1).unwrap().to_string(), "000.00.31.H26-260102-0001");
    }
}
