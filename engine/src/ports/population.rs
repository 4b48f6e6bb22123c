//! The national population database as the reception desk asks it: a synchronous check while the clerk
//! waits (never an outbox message), where no answer is "not verified", never a refusal to receive.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::codes::Sex;
use crate::domain::dossier::{IdentityOutcome, RegisteredPerson};

/// What the clerk asks the register about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Query {
    pub id_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
}

/// The register's answer: `Match`, `Mismatch` or `NotFound` (never `NotVerified`: that is `Unavailable`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub outcome: IdentityOutcome,
    pub registered: Option<RegisteredPerson>,
}

/// The register could not be asked; the reason is for the clerk and the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the population database is unavailable: {0}")]
pub struct Unavailable(pub String);

pub trait PopulationRegistry: Send + Sync {
    fn verify(&self, query: &Query) -> Result<Verification, Unavailable>;
}
