//! Tax codes (mã số thuế): 10 digits whose tenth is a check digit, or 13 for a dependent unit written
//! `NNNNNNNNNN-NNN`. (Since 7/2025 individuals use their 12-digit personal id as tax code; that is a
//! [`super::PersonalId`], not this type.)

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxCode {
    pub base: String,
    pub branch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxCodeError {
    #[error("a tax code has 10 digits, or 10 digits, a hyphen and 3 digits")]
    BadShape,
    #[error("the check digit of tax code {0} is wrong")]
    BadCheckDigit(String),
    #[error("branch number 000 does not exist")]
    BadBranch,
}

/// Weights of the first nine digits in the check-digit formula of the tax administration.
const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

fn check_digit(first_nine: &[u8]) -> Option<u8> {
    let sum: u32 = first_nine.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    // 10 - (sum mod 11); a result of 10 is never issued.
    let digit = 10 - (sum % 11);
    (digit < 10).then_some(digit as u8)
}

impl TaxCode {
    /// Accepts `0100109106`, `0100109106-001` and the unhyphenated `0100109106001`.
    pub fn parse(text: &str) -> Result<TaxCode, TaxCodeError> {
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let (base, branch) = match (text.len(), text.split_once('-')) {
            (10, None) => (text, None),
            (13, None) => (&text[..10], Some(&text[10..])),
            (14, Some((base, branch))) if base.len() == 10 && branch.len() == 3 => (base, Some(branch)),
            _ => return Err(TaxCodeError::BadShape),
        };
        if !all_digits(base) || !branch.is_none_or(all_digits) {
            return Err(TaxCodeError::BadShape);
        }
        let bytes = base.as_bytes();
        if check_digit(&bytes[..9]) != Some(bytes[9] - b'0') {
            return Err(TaxCodeError::BadCheckDigit(base.to_string()));
        }
        if branch == Some("000") {
            return Err(TaxCodeError::BadBranch);
        }
        Ok(TaxCode { base: base.to_string(), branch: branch.map(str::to_string) })
    }
}

impl fmt::Display for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.branch {
            Some(branch) => write!(f, "{}-{}", self.base, branch),
            None => f.write_str(&self.base),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_codes_in_every_form() {
        // 0100109106: a long-registered enterprise code; its check digit satisfies the formula.
        assert_eq!(TaxCode::parse("0100109106").unwrap().to_string(), "0100109106");
        assert_eq!(TaxCode::parse("0100109106-001").unwrap().to_string(), "0100109106-001");
        assert_eq!(TaxCode::parse("0100109106001").unwrap().branch.as_deref(), Some("001"));
    }

    #[test]
    fn refuses_wrong_check_digits_and_shapes() {
        assert_eq!(TaxCode::parse("0100109107"), Err(TaxCodeError::BadCheckDigit("0100109107".into())));
        assert_eq!(TaxCode::parse("010010910"), Err(TaxCodeError::BadShape));
        assert_eq!(TaxCode::parse("01001091O6"), Err(TaxCodeError::BadShape));
        assert_eq!(TaxCode::parse("0100109106-01"), Err(TaxCodeError::BadShape));
        assert_eq!(TaxCode::parse("0100109106-000"), Err(TaxCodeError::BadBranch));
    }

    #[test]
    fn the_check_digit_matches_the_formula_for_every_first_digit_block() {
        // Exhaustive over one position: exactly one tenth digit is valid whenever the formula yields < 10.
        for ninth in b'0'..=b'9' {
            let nine = [b'0', b'1', b'0', b'0', b'1', b'0', b'9', b'1', ninth];
            let valid: Vec<u8> = (b'0'..=b'9')
                .filter(|&tenth| {
                    let mut code = nine.to_vec();
                    code.push(tenth);
                    TaxCode::parse(std::str::from_utf8(&code).unwrap()).is_ok()
                })
                .collect();
            assert_eq!(valid.len(), usize::from(check_digit(&nine).is_some()));
        }
    }
}
