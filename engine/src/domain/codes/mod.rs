//! Identifiers of the one-stop shop (DESIGN.md §6): dossier codes, personal ids, tax codes.

mod dossier_code;
mod personal_id;
mod tax_code;

pub use dossier_code::{AgencyId, DossierCode, DossierCodeError};
pub use personal_id::{PersonalId, PersonalIdError, Sex, province_name};
pub use tax_code::{TaxCode, TaxCodeError};
