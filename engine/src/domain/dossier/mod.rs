//! The dossier lifecycle (DESIGN.md §5): state, actions, events, `decide` and `apply`, the control slip and
//! the deadline sweep.

mod action;
mod apply;
pub mod available;
mod control_slip;
mod decide;
mod event;
mod model;
mod rejection;
mod sweep;

pub use action::{Action, Context, FeeCharge, Submission};
pub use apply::{apply, fold};
pub use control_slip::{SlipRow, control_slip};
pub use decide::{decide, decide_submission};
pub use event::{Change, Event, StepMove};
pub use model::*;
pub use rejection::Rejection;
pub use sweep::sweep;

#[cfg(test)]
mod tests;
