//! Petitions (phản ánh, kiến nghị, PAKN): a citizen's feedback or recommendation about a procedure, a dossier,
//! an officer's conduct or a regulation, with the legal clocks the portal's operating rules set. A petition
//! is a flow beside dossiers with the same guarantees: folded from hash-chained events, one transaction per
//! change.

mod decide;
mod model;

pub use decide::{
    ANSWER_DAYS, CONTENT_MAX, DECISION_DAYS, INFORMATION_DAYS, PUBLISH_DAYS, PetitionAction, PetitionChange,
    PetitionContext, PetitionEvent, Refusal, apply, decide, file, fold,
};
pub use model::*;

#[cfg(test)]
mod tests;
