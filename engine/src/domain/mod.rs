//! The pure domain: no IO, no clock reads, no database or HTTP types. Time is always an argument.

pub mod actor;
pub mod calendar;
pub mod codes;
pub mod deadline;
pub mod dossier;
pub mod facts;
pub mod free_text;
pub mod identity;
pub mod petition;
pub mod policy;
pub mod procedure;
pub mod reading;
pub mod scorecard;
pub mod throttle;
pub mod title;
